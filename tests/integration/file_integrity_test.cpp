// SPDX-License-Identifier: Apache-2.0
// What runs is exactly what was checked: for every file PostgreSQL's lexer (or psql) would read
// differently from a naive splitter, `validate` and `migrate` agree, and either the whole file
// is applied and recorded once, or nothing is and the database is untouched.
#include <gtest/gtest.h>

#include "gate_fixture.h"

namespace schemagate::testing {
namespace {

struct RefusedCase {
    const char* name;
    std::string sql;
    const char* message;  // a fragment of the one-line error
    int line;
};

class FileIntegrity : public GateTest {
  protected:
    // V1 bumps a counter, so a file that ran (even partly) shows.
    void counter_then(const std::string& file, const std::string& sql) {
        exec("CREATE TABLE harness.counter (n int NOT NULL); INSERT INTO counter VALUES (0)");
        write_migration("V1__bump.sql", "UPDATE counter SET n = n + 1;\n");
        write_migration(file, sql);
    }
};

TEST_F(FileIntegrity, RefusedFilesChangeNothingAndValidateAgrees) {
    const std::vector<RefusedCase> cases = {
        {"nul", std::string("UPDATE counter SET n = n + 10;\nSELECT 1\0;\n", 44), "NUL byte", 2},
        {"utf8", "UPDATE counter SET n = n + 10;\nSELECT '\xC3\x28';\n", "invalid UTF-8", 2},
        {"binary",
         "\x7F"
         "ELF\x02\x01\x01\xFF\xFE",
         "invalid UTF-8", 1},
        {"include", "UPDATE counter SET n = n + 10;\n\\i other.sql\n", "psql meta-command `\\i`",
         2},
        {"set", "\\set ON_ERROR_STOP on\nUPDATE counter SET n = n + 10;\n", "psql meta-command", 1},
        {"connect", "UPDATE counter SET n = n + 10;\n\\connect other\n", "psql meta-command", 2},
        {"comment", "UPDATE counter SET n = n + 10;\n/* never closed\nUPDATE counter SET n = 0;\n",
         "unterminated /* comment", 2},
        {"nested", "UPDATE counter SET n = n + 10;\n/* a /* b */ UPDATE counter SET n = 0;\n",
         "unterminated /* comment", 2},
        {"quote", "UPDATE counter SET n = n + 10;\nSELECT 'open;\n", "unterminated quoted string",
         2},
        {"dollar", "UPDATE counter SET n = n + 10;\nDO $x$ BEGIN END $y$;\n",
         "unterminated dollar-quoted string", 2},
        {"commit_cr", "UPDATE counter SET n = n + 10; -- bump\rCOMMIT;\n", "COMMIT is not allowed",
         1},
        {"commit_ident", "SELECT 1 AS a$x$;\nCOMMIT;\nSELECT $x$ok$x$;\n", "COMMIT is not allowed",
         2},
        {"copy_in", "UPDATE counter SET n = n + 10;\nCOPY counter (n) FROM STDIN;\n",
         "COPY FROM STDIN and COPY TO STDOUT are not supported", 2},
        {"copy_out", "UPDATE counter SET n = n + 10;\ncopy (SELECT 1) to stdout;\n",
         "COPY FROM STDIN and COPY TO STDOUT are not supported", 2},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        std::filesystem::remove_all(migrations_);
        std::filesystem::create_directories(migrations_);
        exec("DROP TABLE IF EXISTS counter; DROP SCHEMA IF EXISTS schemagate CASCADE");
        const std::string file = "V2__" + std::string(c.name) + ".sql";
        counter_then(file, c.sql);
        const std::string before = database_fingerprint();
        const auto validate = gate({"validate"});
        EXPECT_EQ(validate.exit_code, 3) << validate.out << validate.err;
        const auto migrate = gate({"migrate"});
        EXPECT_EQ(migrate.exit_code, 3) << migrate.err;
        const std::string where = file + " line " + std::to_string(c.line) + ": ";
        EXPECT_NE(migrate.err.find(where), std::string::npos) << migrate.err;
        EXPECT_NE(migrate.err.find(c.message), std::string::npos) << migrate.err;
        EXPECT_NE(validate.err.find(c.message), std::string::npos) << validate.err;
        EXPECT_EQ(database_fingerprint(), before);
        EXPECT_EQ(query_int("SELECT n FROM counter"), 0);
    }
}

TEST_F(FileIntegrity, AcceptedTrickyFilesRunWholeAndOnce) {
    const std::vector<std::pair<const char*, std::string>> cases = {
        {"bom", "\xEF\xBB\xBFUPDATE counter SET n = n + 10;\n"},
        {"cr_comment", "UPDATE counter SET n = n + 10; -- a comment\r\n"},
        {"dollar_ident", "SELECT 1 AS a$x$;\nUPDATE counter SET n = n + 10;\n"},
        {"e_string", "SELECT E'it\\'s; fine';\nUPDATE counter SET n = n + 10;\n"},
        {"nested_comment", "/* a /* b; */ c; */ UPDATE counter SET n = n + 10;\n"},
        {"rule",
         "CREATE TABLE r_src (x int); CREATE TABLE r_dst (x int);\n"
         "CREATE RULE r AS ON INSERT TO r_src DO ALSO (INSERT INTO r_dst VALUES (1); "
         "INSERT INTO r_dst VALUES (2));\nUPDATE counter SET n = n + 10;\n"},
    };
    for (const auto& [name, sql] : cases) {
        SCOPED_TRACE(name);
        std::filesystem::remove_all(migrations_);
        std::filesystem::create_directories(migrations_);
        exec(
            "DROP TABLE IF EXISTS counter, r_src, r_dst; DROP SCHEMA IF EXISTS schemagate "
            "CASCADE");
        counter_then("V2__" + std::string(name) + ".sql", sql);
        const auto validate = gate({"validate"});
        EXPECT_EQ(validate.exit_code, 0) << validate.err;
        const auto first = gate({"migrate"});
        EXPECT_EQ(first.exit_code, 0) << first.err;
        const auto second = gate({"migrate"});
        EXPECT_EQ(second.exit_code, 0) << second.err;
        EXPECT_EQ(query_int("SELECT n FROM counter"), 11);
        EXPECT_EQ(query_int("SELECT count(*) FROM schemagate.history WHERE success"), 2);
    }
}

}  // namespace
}  // namespace schemagate::testing
