// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "migration_file.h"

namespace schemagate {

// A golang-migrate or plain numbered file that brings its own BEGIN ... COMMIT (golang-migrate
// sends a file as one query, so its tutorial wraps files in a transaction). Read from the
// statement model alone:
// - one block around every statement: that block is the migration's transaction. Its BEGIN
//   (and the SET TRANSACTION statements right after it) open schemagate's fenced transaction,
//   so the modes it asks for hold for the fence, the file and the bookkeeping; its COMMIT is
//   schemagate's. `file.opening` holds them, `file.statements` what is between.
// - several blocks, or statements outside the one: the file goes whole as one query, with no
//   transaction of schemagate's, exactly as golang-migrate sends it (recorded as started
//   first, dirty on failure): `file.statements` becomes that one query.
// Nothing changes for a file without BEGIN/COMMIT, for dbmate and goose files, and for a file
// whose transaction mode a directive set. Throws SqlSyntaxError naming the line for ROLLBACK or
// ABORT, BEGIN without COMMIT, COMMIT without BEGIN, BEGIN inside a block, AND CHAIN, a READ
// ONLY block (the bookkeeping writes), a statement PostgreSQL refuses in a transaction block
// inside one or in a query of several statements, and (whole file) a change of how strings are
// read, which the server would only apply to the next query.
void read_own_transaction(MigrationFile& file);

}  // namespace schemagate
