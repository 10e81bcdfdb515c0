// SPDX-License-Identifier: Apache-2.0
// Parsing never overflows (UBSan watches), results are never negative, and the shortest
// spelling of a parsed duration parses back to the same value.
#include <cstdint>
#include <string_view>

#include "duration.h"
#include "fuzz_assert.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto parsed = schemagate::parse_duration(text);
    if (!parsed) return 0;
    FUZZ_ASSERT_TRUE(parsed->count() >= 0);
    const auto again = schemagate::parse_duration(schemagate::format_duration(*parsed));
    FUZZ_ASSERT_TRUE(again && *again == *parsed);
    return 0;
}
