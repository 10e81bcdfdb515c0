// SPDX-License-Identifier: Apache-2.0
// Whatever the bytes, the splitter either refuses the file or returns statements that are
// pieces of it, in order, none empty.
#include <cstdint>
#include <string_view>

#include "fuzz_assert.h"
#include "sql_splitter.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view sql(reinterpret_cast<const char*>(data), size);
    try {
        const auto statements = schemagate::split_sql(sql);
        int last_line = 0;
        std::size_t searched_from = 0;
        for (const auto& statement : statements) {
            FUZZ_ASSERT_TRUE(!statement.text.empty());
            FUZZ_ASSERT_TRUE(statement.line >= last_line);
            const auto at = sql.find(statement.text, searched_from);
            FUZZ_ASSERT_TRUE(at != std::string_view::npos);
            searched_from = at + statement.text.size();
            last_line = statement.line;
        }
        (void)schemagate::has_no_transaction_directive(sql);
    } catch (const schemagate::SqlSyntaxError& e) {
        FUZZ_ASSERT_TRUE(e.line() >= 1);
    }
    return 0;
}
