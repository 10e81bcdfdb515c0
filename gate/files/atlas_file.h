// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string_view>

#include "migration_file.h"

namespace schemagate {

// An Atlas migration file (a directory with atlas.sum), read as Atlas reads it:
// - file directives are the comment lines at the top of the file followed by an empty line
//   (Atlas's rule: a comment directly above a statement belongs to that statement);
//   `-- atlas:txmode none` runs the file outside a transaction, `-- atlas:txmode file` is the
//   default; any other mode is refused (`all` is a flag of Atlas's command line, not a file's);
// - `-- atlas:delimiter X` on the first line: statements end at X (`\n`, `\r`, `\t` escapes
//   read as Atlas reads them) outside quotes, dollar quotes, comments and parentheses, instead
//   of at `;`; a piece holding several statements is sent whole, as Atlas sends it;
// - a checkpoint file (`-- atlas:checkpoint`) is refused: its meaning (replaces the files
//   before it on an empty database) is not supported here.
// Throws SqlSyntaxError as read_migration_file does.
MigrationFile read_atlas_file(std::string_view sql);

}  // namespace schemagate
