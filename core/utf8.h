// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace schemagate {

// Offset of the first byte that does not start a valid UTF-8 sequence (overlong forms,
// surrogates and code points above U+10FFFF are invalid, as PostgreSQL's own check has them),
// or nullopt when all of `text` is valid.
std::optional<std::size_t> first_invalid_utf8(std::string_view text);

// Valid UTF-8 with no control characters (no newline that could forge a log line), not empty.
bool is_printable_utf8(std::string_view text);

}  // namespace schemagate
