// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <string_view>

namespace schemagate {

// Lower-case hex SHA-256 of the bytes, the checksum stored in the history table.
std::string sha256_hex(std::string_view bytes);

// Lower-case hex SHA-384 of the bytes: the checksum sqlx stores (bytea) for a migration file.
std::string sha384_hex(std::string_view bytes);

}  // namespace schemagate
