// SPDX-License-Identifier: Apache-2.0
// Pure file reading: no database here (migration_set.cpp computes it for every file).
#include "flyway_checksum.h"

#include <array>

namespace schemagate {

std::int32_t flyway_checksum(std::string_view script) {
    static const auto crc_table = [] {
        std::array<std::uint32_t, 256> table{};
        for (std::uint32_t i = 0; i < 256; ++i) {
            std::uint32_t c = i;
            for (int k = 0; k < 8; ++k) c = (c & 1U) != 0 ? 0xEDB88320U ^ (c >> 1) : c >> 1;
            table[i] = c;
        }
        return table;
    }();
    if (script.substr(0, 3) == "\xEF\xBB\xBF") script.remove_prefix(3);
    std::uint32_t crc = 0xFFFFFFFFU;
    for (const char c : script) {
        // Line terminators are what readLine() strips; every other byte counts.
        if (c == '\n' || c == '\r') continue;
        crc = crc_table[(crc ^ static_cast<unsigned char>(c)) & 0xFFU] ^ (crc >> 8);
    }
    return static_cast<std::int32_t>(crc ^ 0xFFFFFFFFU);
}

}  // namespace schemagate
