// SPDX-License-Identifier: Apache-2.0
// Whatever the bytes, the splitter either refuses the file or returns statements that are
// pieces of it, in order, none empty; and the statement model agrees with the splitter: each
// statement, lexed again on its own, is one statement with the same traits (while no earlier
// statement changed how strings are read).
#include <cstdint>
#include <string>
#include <string_view>

#include "directive.h"
#include "fuzz_assert.h"
#include "sql_splitter.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view sql(reinterpret_cast<const char*>(data), size);
    try {
        const auto statements = schemagate::split_sql(sql);
        int last_line = 0;
        std::size_t searched_from = 0;
        bool reading_changed = false;
        for (const auto& statement : statements) {
            if (!reading_changed) {
                // A space first: a statement may begin with bytes the file-level BOM check
                // would strip from a file, but not from a statement.
                const auto alone = schemagate::split_sql(" " + statement.text);
                FUZZ_ASSERT_TRUE(alone.size() == 1);
                const auto& traits = alone.front().traits;
                FUZZ_ASSERT_TRUE(traits.command == statement.traits.command);
                FUZZ_ASSERT_TRUE(traits.transaction == statement.traits.transaction);
                FUZZ_ASSERT_TRUE(traits.outside_transaction ==
                                 statement.traits.outside_transaction);
                FUZZ_ASSERT_TRUE(traits.client_copy == statement.traits.client_copy);
                FUZZ_ASSERT_TRUE(traits.string_reading == statement.traits.string_reading);
            }
            reading_changed = reading_changed || statement.traits.string_reading !=
                                                     schemagate::StringReading::kUnchanged;
            FUZZ_ASSERT_TRUE(!statement.text.empty());
            FUZZ_ASSERT_TRUE(statement.line >= last_line);
            const auto at = sql.find(statement.text, searched_from);
            FUZZ_ASSERT_TRUE(at != std::string_view::npos);
            searched_from = at + statement.text.size();
            last_line = statement.line;
        }
        (void)schemagate::has_first_line_flag(sql, "no-transaction");
    } catch (const schemagate::SqlSyntaxError& e) {
        FUZZ_ASSERT_TRUE(e.line() >= 1);
    }
    return 0;
}
