// SPDX-License-Identifier: Apache-2.0
// Lock and rewrite hazards judged against a real database: a table of real size is reported
// with its size, an empty one and one created in the same run are not; --hazards=refuse
// changes nothing and exits 5; `-- schemagate:allow` lets a statement through and the history
// and `status` show it; --hazards=defer waits for the migration Job. And squawk, run on the
// same files: every lock/rewrite hazard it reports on the big table, schemagate reports too.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "gate_fixture.h"

namespace schemagate::testing {
namespace {

// One file per rule. Line 1 touches the big table, line 2 the empty one, line 3 a table the
// same file creates on line 3: only line 1 may be reported.
struct RuleFile {
    const char* rule;
    const char* statement;  // with %s for the table
};

constexpr RuleFile kRuleFiles[] = {
    {"column-type", "ALTER TABLE %s ALTER COLUMN n TYPE bigint"},
    {"add-column-rewrite", "ALTER TABLE %s ADD COLUMN t timestamptz DEFAULT clock_timestamp()"},
    {"set-not-null", "ALTER TABLE %s ALTER COLUMN n SET NOT NULL"},
    {"check-constraint", "ALTER TABLE %s ADD CONSTRAINT %s_c CHECK (n > 0)"},
    {"foreign-key", "ALTER TABLE %s ADD CONSTRAINT %s_f FOREIGN KEY (n) REFERENCES other (id)"},
    {"unique-constraint", "ALTER TABLE %s ADD CONSTRAINT %s_u UNIQUE (id)"},
    {"add-column-rewrite", "ALTER TABLE %s ADD COLUMN s serial PRIMARY KEY"},
    {"create-index", "CREATE INDEX %s_n ON %s (n)"},
    {"cluster", "CLUSTER %s USING %s_v"},
    {"reindex", "REINDEX TABLE %s"},
    {"table-rewrite", "ALTER TABLE %s SET UNLOGGED"},
    {"vacuum-full", "VACUUM FULL %s"},
    {"drop-index", "DROP INDEX %s_v"},
    {"drop-column", "ALTER TABLE %s DROP COLUMN v"},
    {"rename", "ALTER TABLE %s RENAME COLUMN v TO w"},
    {"rename", "ALTER TABLE %s RENAME TO %s_2"},
    {"drop-table", "DROP TABLE %s"},
};

std::string with_table(const char* statement, const std::string& table) {
    std::string out;
    for (const char* c = statement; *c != '\0'; ++c) {
        if (c[0] == '%' && c[1] == 's') {
            out += table;
            ++c;
        } else {
            out += *c;
        }
    }
    return out;
}

class Hazards : public GateTest {
  protected:
    // ~600k rows: about 30 MB with its index, well over the 10MB default threshold.
    // Applied as V1 by migrate (a schema with tables and no history would be refused).
    void make_tables() {
        write_migration(
            "V1__tables.sql",
            "CREATE TABLE other (id int PRIMARY KEY); INSERT INTO other VALUES (1);"
            "CREATE TABLE big (id int, v varchar(20), n int);"
            "INSERT INTO big SELECT i, 'value ' || i, 1 FROM generate_series(1, 600000) i;"
            "CREATE INDEX big_v ON big (v);"
            "CREATE TABLE empty (id int, v varchar(20), n int); CREATE INDEX empty_v ON empty (v)");
        const auto result = gate({"migrate", "--timeout", "120s"});
        ASSERT_EQ(result.exit_code, 0) << result.err;
        exec("ANALYZE big");
    }

    // The hazards `plan --json` reports, by file.
    std::map<std::string, nlohmann::json> planned(const std::vector<std::string>& extra = {}) {
        std::vector<std::string> args = {"plan", "--json", "--hazards=warn"};
        args.insert(args.end(), extra.begin(), extra.end());
        const auto result = gate(args);
        EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
        std::map<std::string, nlohmann::json> by_file;
        const auto plan = nlohmann::json::parse(result.out);
        for (const auto& pending : plan["pending"]) {
            by_file[pending["file"].get<std::string>()] = pending["hazards"];
        }
        return by_file;
    }
};

TEST_F(Hazards, EveryRuleReportsTheBigTableWithItsSizeAndNotTheEmptyOrNewOne) {
    make_tables();
    const long long big_bytes = query_int("SELECT pg_total_relation_size('big')");
    ASSERT_GT(big_bytes, 20LL << 20);
    int version = 2;
    std::vector<std::string> files;
    for (const RuleFile& rule : kRuleFiles) {
        const std::string file = "V" + std::to_string(version) + "__" + rule.rule + ".sql";
        const std::string fresh = "fresh" + std::to_string(version);
        write_migration(file, with_table(rule.statement, "big") + ";\n" +
                                  with_table(rule.statement, "empty") + ";\n" + "CREATE TABLE " +
                                  fresh + " (id int, v varchar(20), n int); " + "CREATE INDEX " +
                                  fresh + "_v ON " + fresh + " (v); " +
                                  with_table(rule.statement, fresh) + ";\n");
        files.push_back(file);
        ++version;
    }
    const auto by_file = planned();
    for (std::size_t i = 0; i < files.size(); ++i) {
        ASSERT_EQ(by_file.count(files[i]), 1U) << files[i] << " not pending";
        const auto& hazards = by_file.at(files[i]);
        bool found = false;
        for (const auto& hazard : hazards) {
            // Breaking a reader does not depend on size: the empty table's readers break too.
            if (hazard["breaks_readers"] == true && hazard["blocking"] == false &&
                hazard["line"] == 2) {
                continue;
            }
            EXPECT_EQ(hazard["line"], 1) << files[i] << ": " << hazard.dump();
            EXPECT_EQ(hazard["relation"].get<std::string>().substr(0, 3), "big") << files[i];
            if (hazard["rule"] == kRuleFiles[i].rule) found = true;
            EXPECT_GE(hazard["relation_bytes"].get<long long>(), big_bytes / 2) << files[i];
            EXPECT_FALSE(hazard["alternative"].get<std::string>().empty());
        }
        EXPECT_TRUE(found) << files[i] << " " << hazards.dump();
    }
}

TEST_F(Hazards, RefuseChangesNothingAndExits5AllowLetsItThroughAndHistoryShowsIt) {
    make_tables();
    write_migration("V2__ok.sql", "CREATE TABLE t1 (id int);\n");
    write_migration("V3__index.sql", "-- a comment\nCREATE INDEX big_n ON big (n);\n");
    const std::string before = database_fingerprint();
    const auto refused = gate({"migrate", "--timeout", "60s"});
    EXPECT_EQ(refused.exit_code, 5) << refused.err;
    EXPECT_NE(refused.err.find("V3__index.sql line 2: create-index"), std::string::npos)
        << refused.err;
    EXPECT_NE(refused.err.find("big ("), std::string::npos) << refused.err;
    EXPECT_NE(refused.err.find("CONCURRENTLY"), std::string::npos) << refused.err;
    EXPECT_EQ(database_fingerprint(), before) << "a refusal changed the database";
    EXPECT_EQ(query_int("SELECT (to_regclass('t1') IS NULL)::int"), 1);

    const auto offline = gate({"validate"}, {{"DATABASE_URL", ""}});
    EXPECT_EQ(offline.exit_code, 0) << offline.err;
    EXPECT_NE(offline.out.find("hazard V3__index.sql line 2: create-index: builds an index on "
                               "big [big_n] under SHARE (blocks writes); instead"),
              std::string::npos)
        << offline.out;
    const auto deferred = gate({"plan", "--json", "--hazards=defer"});
    EXPECT_EQ(deferred.exit_code, 0) << deferred.err;
    EXPECT_EQ(nlohmann::json::parse(deferred.out)["would"], "defer");
    const auto plan = gate({"plan"});
    EXPECT_EQ(plan.exit_code, 5) << plan.out;
    EXPECT_NE(plan.out.find("hazard V3__index.sql line 2: create-index"), std::string::npos)
        << plan.out;

    write_migration("V3__index.sql",
                    "-- a comment\n-- schemagate:allow create-index nightly window, 30 MB\n"
                    "CREATE INDEX big_n ON big (n);\n");
    const auto allowed = gate({"migrate", "--timeout", "60s"});
    EXPECT_EQ(allowed.exit_code, 0) << allowed.err;
    EXPECT_NE(allowed.err.find("hazard"), std::string::npos) << allowed.err;
    EXPECT_EQ(query_int("SELECT (to_regclass('big_n') IS NOT NULL)::int"), 1);
    EXPECT_EQ(query_text("SELECT allowed_hazards->0->>'reason' FROM schemagate.history "
                         "WHERE version = '{3}'"),
              "nightly window, 30 MB");
    const auto status = gate({"status"});
    EXPECT_NE(status.out.find("allowed    V3__index.sql line 3: create-index on big: nightly "
                              "window, 30 MB"),
              std::string::npos)
        << status.out;
    const auto json = nlohmann::json::parse(gate({"status", "--json"}).out);
    EXPECT_EQ(json["allowed_hazards"][0]["rule"], "create-index");

    write_migration("V4__bad.sql", "-- schemagate:allow create-idx because\nSELECT 1;\n");
    const auto typo = gate({"migrate", "--timeout", "60s"});
    EXPECT_EQ(typo.exit_code, 3) << typo.err;
    EXPECT_NE(typo.err.find("V4__bad.sql line 1"), std::string::npos) << typo.err;
}

TEST_F(Hazards, DeferWaitsForTheJobThatRunsWithWarn) {
    make_tables();
    write_migration("V2__index.sql", "CREATE INDEX big_n ON big (n);\n");
    Process pod = start_gate({"migrate", "--hazards=defer", "--timeout", "120s"});
    ASSERT_TRUE(eventually([&] {
        return pod.err().find("deferred to the migration Job") != std::string::npos;
    })) << pod.err();
    EXPECT_EQ(query_int("SELECT (to_regclass('big_n') IS NULL)::int"), 1);
    const auto job = gate({"migrate", "--hazards=warn", "--timeout", "60s"});
    EXPECT_EQ(job.exit_code, 0) << job.err;
    ASSERT_TRUE(pod.wait_for_exit(Millis{60'000}));
    keep_output(pod);
    EXPECT_EQ(pod.exit_code(), 0) << pod.err();
}

TEST_F(Hazards, EveryLockOrRewriteHazardSquawkReportsOnTheBigTableIsReported) {
    const std::string squawk = SCHEMAGATE_SQUAWK;
    ASSERT_TRUE(std::filesystem::exists(squawk))
        << squawk << " missing: run npm ci --prefix tests/hazards (scripts/test.sh does)";
    make_tables();
    // squawk's rules about locks, rewrites, scans and breaking readers (not style).
    const std::set<std::string> lock_rules = {"adding-field-with-default",
                                              "adding-foreign-key-constraint",
                                              "adding-not-nullable-field",
                                              "adding-serial-primary-key-field",
                                              "changing-column-type",
                                              "constraint-missing-not-valid",
                                              "disallowed-unique-constraint",
                                              "require-concurrent-index-creation",
                                              "require-concurrent-index-deletion",
                                              "ban-drop-column",
                                              "ban-drop-table",
                                              "renaming-column",
                                              "renaming-table"};
    int version = 2;
    std::vector<std::string> files;
    for (const RuleFile& rule : kRuleFiles) {
        const std::string file = "V" + std::to_string(version++) + "__" + rule.rule + ".sql";
        write_migration(file, with_table(rule.statement, "big") + ";\n");
        files.push_back(file);
    }
    // Where we differ on purpose: a DEFAULT calling a function the catalog knows to be
    // IMMUTABLE (no rewrite since PostgreSQL 11); squawk cannot know it offline.
    const std::string immutable = "V" + std::to_string(version++) + "__immutable_default.sql";
    write_migration(immutable,
                    "ALTER TABLE big ADD COLUMN at timestamptz DEFAULT timezone('utc', now());\n");
    files.push_back(immutable);
    // And varchar(20) -> text is binary-coercible (no rewrite).
    const std::string coercible = "V" + std::to_string(version) + "__coercible.sql";
    write_migration(coercible, "ALTER TABLE big ALTER COLUMN v TYPE text;\n");
    files.push_back(coercible);
    const auto ours = planned();
    int compared = 0;
    for (const std::string& file : files) {
        const auto result = run({squawk, "--reporter", "json", (migrations_ / file).string()});
        const auto findings = nlohmann::json::parse(result.out.empty() ? "[]" : result.out);
        std::set<std::string> theirs;
        for (const auto& finding : findings) {
            if (lock_rules.count(finding["rule_name"].get<std::string>()) > 0) {
                theirs.insert(finding["rule_name"].get<std::string>());
            }
        }
        ASSERT_EQ(ours.count(file), 1U) << file << " not pending";
        const bool we_report = !ours.at(file).empty();
        if (file == immutable) {
            EXPECT_TRUE(theirs.count("adding-field-with-default") > 0) << result.out;
            EXPECT_FALSE(we_report) << ours.at(file).dump();
            continue;
        }
        if (file == coercible) {
            EXPECT_TRUE(theirs.count("changing-column-type") > 0) << result.out;
            EXPECT_FALSE(we_report) << ours.at(file).dump();
            continue;
        }
        if (theirs.empty()) continue;
        ++compared;
        EXPECT_TRUE(we_report) << file << ": squawk reports " << *theirs.begin()
                               << ", schemagate nothing";
    }
    EXPECT_GE(compared, 12);
}

}  // namespace
}  // namespace schemagate::testing
