// SPDX-License-Identifier: Apache-2.0
// Atlas and Liquibase files, whatever their bytes: the readers refuse them (SqlSyntaxError) or
// return statements on the file's own lines, in order; every Liquibase changeset has a
// version-9 checksum ("9:" and 32 hex digits).
#include <cstdint>
#include <string>
#include <string_view>

#include "atlas_file.h"
#include "fuzz_assert.h"
#include "liquibase_changelog.h"

namespace {

int lines_in(std::string_view text) {
    int lines = 1;
    for (const char c : text) lines += c == '\n' ? 1 : 0;
    return lines;
}

void check_liquibase(std::string_view sql) {
    const auto changesets = schemagate::read_liquibase_changelog(sql);
    int last_line = 0;
    for (const auto& changeset : changesets) {
        FUZZ_ASSERT_TRUE(changeset.line > last_line);
        last_line = changeset.line;
        const std::string checksum = changeset.md5sum();
        FUZZ_ASSERT_TRUE(checksum.size() == 34 && checksum.starts_with("9:"));
        try {
            for (const auto& statement : changeset.statements()) {
                FUZZ_ASSERT_TRUE(statement.line >= changeset.line);
                FUZZ_ASSERT_TRUE(statement.line <= lines_in(sql));
            }
        } catch (const schemagate::SqlSyntaxError&) {
        }
    }
}

void check_atlas(std::string_view sql) {
    const auto file = schemagate::read_atlas_file(sql);
    int last_line = 0;
    for (const auto& statement : file.statements) {
        FUZZ_ASSERT_TRUE(statement.line >= last_line);
        FUZZ_ASSERT_TRUE(statement.line <= lines_in(sql));
        last_line = statement.line;
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view sql(reinterpret_cast<const char*>(data), size);
    try {
        check_liquibase(sql);
    } catch (const schemagate::SqlSyntaxError&) {
    }
    try {
        check_atlas(sql);
    } catch (const schemagate::SqlSyntaxError&) {
    }
    return 0;
}
