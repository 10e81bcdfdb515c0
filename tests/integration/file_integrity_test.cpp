// SPDX-License-Identifier: Apache-2.0
// What runs is exactly what was checked: for every file PostgreSQL's lexer (or psql) would read
// differently from a naive splitter, `validate` and `migrate` agree, and either the whole file
// is applied and recorded once, or nothing is and the database is untouched.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

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

// Every command that reads the directory: each must refuse it the same way.
const std::vector<std::vector<std::string>> kReaders = {{"validate"}, {"plan"}, {"migrate"}};

bool one_line(const std::string& text) {
    return !text.empty() && text.find('\n') == text.size() - 1;
}

TEST_F(FileIntegrity, DirectorySymlinkLoopsAreRefusedAtOnce) {
    // The campaign's case: two links back up, which made the walk grow without end.
    write_migration("V1__a.sql", "CREATE TABLE a (id int);\n");
    std::filesystem::create_directories(migrations_ / "d");
    std::filesystem::create_directory_symlink("..", migrations_ / "d" / "up");
    std::filesystem::create_directory_symlink("../..", migrations_ / "d" / "up2");
    const std::string before = database_fingerprint();
    for (const auto& args : kReaders) {
        SCOPED_TRACE(args[0]);
        const auto result = gate(args);
        EXPECT_EQ(result.exit_code, 3) << result.out << result.err;
        EXPECT_NE(result.err.find((migrations_ / "d" / "up").string() + " leads back to " +
                                  migrations_.string()),
                  std::string::npos)
            << result.err;
        EXPECT_NE(result.err.find("symlink loop"), std::string::npos) << result.err;
        EXPECT_TRUE(one_line(result.err)) << result.err;
    }
    EXPECT_EQ(database_fingerprint(), before);
}

TEST_F(FileIntegrity, TwoLinksToOneDirectoryAreRefused) {
    // Not a loop, but read through both links every file would count twice, and a chain of
    // such pairs doubles the walk at every level.
    std::filesystem::create_directories(migrations_ / "shared");
    write_migration("shared/V1__a.sql", "CREATE TABLE a (id int);\n");
    std::filesystem::create_directory_symlink("shared", migrations_ / "x");
    const auto result = gate({"validate"});
    EXPECT_EQ(result.exit_code, 3) << result.out << result.err;
    EXPECT_NE(
        result.err.find((migrations_ / "x").string() + " leads to the directory already read as " +
                        (migrations_ / "shared").string()),
        std::string::npos)
        << result.err;
}

TEST_F(FileIntegrity, ConfigMapSymlinkLayoutIsRead) {
    // What the kubelet mounts for a ConfigMap (or a projected volume with `items` paths):
    // the files live in a timestamped hidden directory, `..data` points at it, and every
    // top-level entry, file or directory, is a symlink through `..data`.
    const auto real = migrations_ / "..2025_01_02_03_04_05.123456789";
    std::filesystem::create_directories(real / "sub");
    write_migration("..2025_01_02_03_04_05.123456789/V1__a.sql", "CREATE TABLE a (id int);\n");
    write_migration("..2025_01_02_03_04_05.123456789/sub/V2__b.sql", "CREATE TABLE b (id int);\n");
    std::filesystem::create_directory_symlink(real.filename(), migrations_ / "..data");
    std::filesystem::create_symlink("..data/V1__a.sql", migrations_ / "V1__a.sql");
    std::filesystem::create_directory_symlink("..data/sub", migrations_ / "sub");
    const auto validate = gate({"validate"});
    EXPECT_EQ(validate.exit_code, 0) << validate.err;
    const auto migrate = gate({"migrate"});
    ASSERT_EQ(migrate.exit_code, 0) << migrate.err;
    EXPECT_EQ(query_text("SELECT string_agg(file, ',' ORDER BY version) FROM schemagate.history"),
              "V1__a.sql,sub/V2__b.sql");
    EXPECT_EQ(query_int("SELECT count(*) FROM b"), 0);
}

TEST_F(FileIntegrity, AFileAboveTheSizeLimitIsRefusedBeforeTheLease) {
    // One statement of 2 MiB and a bit: under a limit of 1MiB it is refused before anything
    // is read or the database touched; raised, it runs.
    write_migration("V1__a.sql", "CREATE TABLE a (id int);\n");
    const std::string payload(std::size_t{2} << 20, 'x');
    const std::string big = "CREATE TABLE big AS SELECT '" + payload + "'::text AS v;\n";
    write_migration("V2__big.sql", big);
    const std::string before = database_fingerprint();
    const std::string expected = (migrations_ / "V2__big.sql").string() + " is " +
                                 std::to_string(big.size()) +
                                 " bytes (2.0 MiB), above the limit of 1MiB (--max-file-size, "
                                 "SCHEMAGATE_MAX_FILE_SIZE)";
    for (const auto& args : kReaders) {
        SCOPED_TRACE(args[0]);
        const auto result = gate(args, {{"SCHEMAGATE_MAX_FILE_SIZE", "1MiB"}});
        EXPECT_EQ(result.exit_code, 3) << result.out << result.err;
        EXPECT_NE(result.err.find(expected), std::string::npos) << result.err;
        EXPECT_TRUE(one_line(result.err)) << result.err;
    }
    EXPECT_EQ(database_fingerprint(), before);
    EXPECT_EQ(query_int("SELECT (to_regnamespace('schemagate') IS NULL)::int"), 1)
        << "no lease may be taken for a refused set";

    const auto raised = gate({"migrate", "--max-file-size", "4MiB"});
    ASSERT_EQ(raised.exit_code, 0) << raised.err;
    EXPECT_EQ(query_int("SELECT length(v) FROM big"), static_cast<long long>(payload.size()));
}

TEST_F(FileIntegrity, TheDefaultLimitIs16MiB) {
    write_migration("V1__big.sql",
                    "SELECT '" + std::string((std::size_t{16} << 20) - 11, 'x') + "';\n");
    const auto fits = gate({"validate"});
    EXPECT_EQ(fits.exit_code, 0) << fits.err;
    write_migration("V1__big.sql",
                    "SELECT '" + std::string((std::size_t{16} << 20) - 10, 'x') + "';\n");
    const auto refused = gate({"validate"});
    EXPECT_EQ(refused.exit_code, 3) << refused.err;
    EXPECT_NE(refused.err.find("is 16777217 bytes (16.0 MiB), above the limit of 16MiB"),
              std::string::npos)
        << refused.err;
}

class UnreadableEntries : public FileIntegrity {
  protected:
    // Root reads a mode-000 directory anyway; the gate then runs as root without the
    // capabilities that bypass file permissions, as a non-root container would.
    RunResult gate_without_dac_override(const std::vector<std::string>& args) {
        std::vector<std::string> command;
        if (geteuid() == 0) {
            command = {"/usr/bin/setpriv", "--bounding-set", "-dac_override,-dac_read_search",
                       "--inh-caps",       "-all",           "--"};
        }
        for (auto& argument : gate_args(args)) command.push_back(std::move(argument));
        RunResult result = run(command, gate_env());
        captured_ += result.out + result.err;
        return result;
    }

    void expect_refused_naming(const std::filesystem::path& path, const std::string& what) {
        const std::string before = database_fingerprint();
        for (const auto& args : kReaders) {
            SCOPED_TRACE(args[0]);
            const auto result = gate_without_dac_override(args);
            EXPECT_EQ(result.exit_code, 3) << result.out << result.err;
            EXPECT_NE(result.err.find(what + " " + path.string()), std::string::npos) << result.err;
            EXPECT_NE(result.err.find("Permission denied"), std::string::npos) << result.err;
            EXPECT_TRUE(one_line(result.err)) << result.err;
        }
        EXPECT_EQ(database_fingerprint(), before);
        EXPECT_EQ(query_int("SELECT (to_regclass('a') IS NULL)::int"), 1);
    }
};

TEST_F(UnreadableEntries, AnUnreadableSubdirectoryIsAnError) {
    write_migration("V1__a.sql", "CREATE TABLE a (id int);\n");
    std::filesystem::create_directories(migrations_ / "sub");
    write_migration("sub/V2__b.sql", "CREATE TABLE b (id int);\n");
    std::filesystem::permissions(migrations_ / "sub", std::filesystem::perms::none);
    expect_refused_naming(migrations_ / "sub", "cannot read directory");
    std::filesystem::permissions(migrations_ / "sub", std::filesystem::perms::owner_all);
}

TEST_F(UnreadableEntries, AnUnreadableFileIsAnError) {
    write_migration("V1__a.sql", "CREATE TABLE a (id int);\n");
    write_migration("V2__b.sql", "CREATE TABLE b (id int);\n");
    std::filesystem::permissions(migrations_ / "V2__b.sql", std::filesystem::perms::none);
    expect_refused_naming(migrations_ / "V2__b.sql", "cannot read migration file");
}

}  // namespace
}  // namespace schemagate::testing
