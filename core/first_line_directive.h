// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string_view>

namespace schemagate {

// The one reading of a migration file's first-line directive (`-- schemagate:no-transaction`,
// `-- schemagate:contract`): true when the file's first line, after a UTF-8 byte order mark
// and with every space dropped, is exactly `directive` ("--schemagate:contract"). In core
// because the sidecar reads the contract directive too (it never lexes files).
bool first_line_is_directive(std::string_view text, std::string_view directive);

// `-- schemagate:contract`: the file is a contract migration (README, "Expand and contract").
inline constexpr std::string_view kContractDirective = "--schemagate:contract";

}  // namespace schemagate
