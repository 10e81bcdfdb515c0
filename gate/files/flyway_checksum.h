// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <string_view>

namespace schemagate {

// The checksum Flyway stores for an SQL script: CRC-32 over the UTF-8 bytes of each line
// without its line terminator (\n, \r\n or \r), a leading BOM dropped, as a signed 32-bit
// integer (Flyway's ChecksumCalculator reads the script with BufferedReader.readLine()).
std::int32_t flyway_checksum(std::string_view script);

}  // namespace schemagate
