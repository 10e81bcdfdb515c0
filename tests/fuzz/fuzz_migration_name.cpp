// SPDX-License-Identifier: Apache-2.0
// Any file name parses to exactly one outcome, and a migration's version is positive.
#include <cstdint>
#include <string_view>

#include "fuzz_assert.h"
#include "migration_name.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view name(reinterpret_cast<const char*>(data), size);
    const auto parsed = schemagate::parse_migration_name(name);
    if (const auto* migration = std::get_if<schemagate::MigrationName>(&parsed)) {
        FUZZ_ASSERT_TRUE(migration->version > 0);
    }
    return 0;
}
