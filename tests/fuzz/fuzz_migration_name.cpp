// SPDX-License-Identifier: Apache-2.0
// Any file name parses to exactly one outcome; a versioned migration's version is above none
// and survives its text and SQL forms unchanged; a repeatable has no version.
#include <cstdint>
#include <string_view>

#include "fuzz_assert.h"
#include "migration_name.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view name(reinterpret_cast<const char*>(data), size);
    const auto parsed = schemagate::parse_migration_name(name);
    if (const auto* migration = std::get_if<schemagate::MigrationName>(&parsed)) {
        if (migration->repeatable) {
            FUZZ_ASSERT_TRUE(migration->version.none());
        } else {
            FUZZ_ASSERT_TRUE(migration->version > schemagate::MigrationVersion{});
            FUZZ_ASSERT_TRUE(schemagate::MigrationVersion::parse(migration->version.text()) ==
                             migration->version);
            FUZZ_ASSERT_TRUE(schemagate::MigrationVersion::from_sql(
                                 migration->version.sql_array()) == migration->version);
        }
    }
    return 0;
}
