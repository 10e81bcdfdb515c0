// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <optional>
#include <string_view>

namespace schemagate {

// A comment line that tells schemagate how to run a file: `-- schemagate:<name> [arguments]`
// (`no-transaction`, `transaction`, `contract`, `batch size=1000`, `batch-total`, `allow`).
// The one reading of them: after optional spaces, `--`, optional spaces, `schemagate:`,
// optional spaces, the name (letters, digits, `-`, `_`), then the end of the line or spaces
// and the arguments. Anything else is an ordinary comment (or not a comment at all).
struct Directive {
    std::string_view name;
    std::string_view arguments;  // trimmed; empty when there are none
};

std::optional<Directive> read_directive(std::string_view line);

// The directive on a file's first line (after a UTF-8 byte order mark), if any.
std::optional<Directive> first_line_directive(std::string_view sql);

// True when the first line is directive `name` with no arguments.
bool has_first_line_flag(std::string_view sql, std::string_view name);

// `-- schemagate:contract`: the file is a contract migration (README, "Expand and contract").
// In core because the sidecar reads it too (it never lexes files).
inline constexpr std::string_view kContractDirective = "contract";

}  // namespace schemagate
