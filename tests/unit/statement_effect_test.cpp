// SPDX-License-Identifier: Apache-2.0
// The statement model's effects and the hazard rules read from them, one row per rule and per
// safe spelling that must not be reported.
#include <gtest/gtest.h>

#include "errors.h"
#include "hazard_rules.h"
#include "hazard_sizing.h"
#include "sql_splitter.h"

namespace schemagate {
namespace {

Migration migration_of(const std::string& sql, bool contract = false) {
    Migration migration;
    migration.file = "V1__x.sql";
    migration.statements = split_sql((contract ? "-- schemagate:contract\n" : "") + sql);
    migration.contract = contract;
    return migration;
}

// "rule relation[.column] lock work" for each hazard, joined by "; ".
std::string described(const std::string& sql, std::optional<int> version = std::nullopt) {
    std::string out;
    for (const Hazard& hazard : migration_hazards(migration_of(sql), version)) {
        if (!out.empty()) out += "; ";
        out += std::string(hazard.rule->name) + " " + hazard.effect.relation +
               (hazard.effect.column.empty() ? "" : "." + hazard.effect.column) + " " +
               std::string(lock_name(hazard.effect.lock));
    }
    return out;
}

struct RuleCase {
    const char* sql;
    const char* expected;  // "" for nothing
};

TEST(StatementEffect, EveryRuleOnItsStatementAndNotOnTheSafeSpelling) {
    for (const RuleCase& c : std::initializer_list<RuleCase>{
             // column-type; the type is judged against the live column (binary_coercible)
             {"ALTER TABLE orders ALTER COLUMN id TYPE bigint",
              "column-type orders.id ACCESS EXCLUSIVE"},
             {"alter table public.orders alter id set data type bigint using id::bigint",
              "column-type public.orders.id ACCESS EXCLUSIVE"},
             // add-column-rewrite: volatile defaults, serial, identity, stored generated
             {"ALTER TABLE t ADD COLUMN c timestamptz DEFAULT clock_timestamp()",
              "add-column-rewrite t.c ACCESS EXCLUSIVE"},
             {"ALTER TABLE t ADD c uuid NOT NULL DEFAULT gen_random_uuid()",
              "add-column-rewrite t.c ACCESS EXCLUSIVE"},
             {"ALTER TABLE t ADD COLUMN c bigserial", "add-column-rewrite t.c ACCESS EXCLUSIVE"},
             {"ALTER TABLE t ADD COLUMN c int GENERATED ALWAYS AS IDENTITY",
              "add-column-rewrite t.c ACCESS EXCLUSIVE"},
             {"ALTER TABLE t ADD COLUMN c int GENERATED ALWAYS AS (a * 2) STORED",
              "add-column-rewrite t.c ACCESS EXCLUSIVE"},
             {"ALTER TABLE t ADD COLUMN c int DEFAULT 0 NOT NULL", ""},
             {"ALTER TABLE t ADD COLUMN c timestamptz DEFAULT now()", ""},
             {"ALTER TABLE t ADD COLUMN c jsonb DEFAULT '{}'::jsonb", ""},
             {"ALTER TABLE t ADD COLUMN c numeric(10,2) DEFAULT 0::numeric(10,2)", ""},
             {"ALTER TABLE t ADD COLUMN c text", ""},
             // set-not-null
             {"ALTER TABLE t ALTER COLUMN c SET NOT NULL", "set-not-null t.c ACCESS EXCLUSIVE"},
             {"ALTER TABLE t ALTER c DROP NOT NULL", ""},
             // check-constraint / foreign-key
             {"ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0)",
              "check-constraint t ACCESS EXCLUSIVE"},
             {"ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) NOT VALID", ""},
             {"ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (a) REFERENCES o (id)",
              "foreign-key t SHARE ROW EXCLUSIVE"},
             {"ALTER TABLE t ADD FOREIGN KEY (a) REFERENCES o (id) NOT VALID", ""},
             {"ALTER TABLE t ADD COLUMN o int REFERENCES o (id)",
              "foreign-key t SHARE ROW EXCLUSIVE"},
             {"ALTER TABLE t VALIDATE CONSTRAINT f", ""},
             // unique-constraint
             {"ALTER TABLE t ADD CONSTRAINT u UNIQUE (a)", "unique-constraint t ACCESS EXCLUSIVE"},
             {"ALTER TABLE t ADD PRIMARY KEY (id)", "unique-constraint t ACCESS EXCLUSIVE"},
             {"ALTER TABLE t ADD CONSTRAINT u UNIQUE USING INDEX t_a", ""},
             {"ALTER TABLE t ADD CONSTRAINT p PRIMARY KEY USING INDEX t_id", ""},
             {"ALTER TABLE t ADD COLUMN s serial PRIMARY KEY",
              "add-column-rewrite t.s ACCESS EXCLUSIVE; unique-constraint t ACCESS EXCLUSIVE"},
             // indexes
             {"CREATE INDEX i ON t (a)", "create-index t SHARE"},
             {"create unique index if not exists i on only s.t using btree (a)",
              "create-index s.t SHARE"},
             {"CREATE INDEX CONCURRENTLY i ON t (a)", ""},
             {"DROP INDEX i", "drop-index i ACCESS EXCLUSIVE"},
             {"DROP INDEX CONCURRENTLY IF EXISTS i", ""},
             {"REINDEX TABLE t", "reindex t ACCESS EXCLUSIVE"},
             {"REINDEX TABLE CONCURRENTLY t", ""},
             // maintenance
             {"CLUSTER t USING i", "cluster t ACCESS EXCLUSIVE"},
             {"VACUUM FULL t", "vacuum-full t ACCESS EXCLUSIVE"},
             {"VACUUM (FULL, ANALYZE) a, b",
              "vacuum-full a ACCESS EXCLUSIVE; vacuum-full b ACCESS EXCLUSIVE"},
             {"VACUUM ANALYZE t", ""},
             {"REFRESH MATERIALIZED VIEW m", "refresh-materialized-view m ACCESS EXCLUSIVE"},
             {"REFRESH MATERIALIZED VIEW CONCURRENTLY m", ""},
             {"ALTER TABLE t SET TABLESPACE fast", "table-rewrite t ACCESS EXCLUSIVE"},
             {"ALTER TABLE t SET LOGGED", "table-rewrite t ACCESS EXCLUSIVE"},
             // breaking readers
             {"ALTER TABLE t DROP COLUMN c", "drop-column t.c ACCESS EXCLUSIVE"},
             {"ALTER TABLE t DROP CONSTRAINT c", ""},
             {"ALTER TABLE t RENAME COLUMN a TO b", "rename t.a ACCESS EXCLUSIVE"},
             {"ALTER TABLE t RENAME TO u", "rename t ACCESS EXCLUSIVE"},
             {"ALTER VIEW v RENAME TO w", "rename v ACCESS EXCLUSIVE"},
             {"DROP TABLE IF EXISTS a, b CASCADE",
              "drop-table a ACCESS EXCLUSIVE; drop-table b ACCESS EXCLUSIVE"},
             {"DROP VIEW v", "drop-view v ACCESS EXCLUSIVE"},
             {"DROP FUNCTION f(int, text)", "drop-function f ACCESS EXCLUSIVE"},
             // quoted and qualified names keep their spelling for to_regclass
             {"ALTER TABLE \"Sales\".\"Orders\" ALTER COLUMN \"Id\" TYPE bigint",
              "column-type \"Sales\".\"Orders\".\"Id\" ACCESS EXCLUSIVE"},
             // several actions in one ALTER TABLE
             {"ALTER TABLE t ADD COLUMN a int, ALTER COLUMN b SET NOT NULL, ADD CHECK (a > 0)",
              "set-not-null t.b ACCESS EXCLUSIVE; check-constraint t ACCESS EXCLUSIVE"},
             // statements that do nothing of the kind
             {"CREATE TABLE t (id serial PRIMARY KEY, c int DEFAULT random())", ""},
             {"INSERT INTO t VALUES (1)", ""},
             {"ALTER TYPE mood ADD VALUE 'x'", ""},
         }) {
        EXPECT_EQ(described(c.sql), c.expected) << c.sql;
    }
}

TEST(StatementEffect, EnumAddValueOnlyMattersInATransactionBefore12) {
    EXPECT_EQ(described("ALTER TYPE mood ADD VALUE 'x'", 110000), "enum-add-value mood ");
    EXPECT_EQ(described("ALTER TYPE mood ADD VALUE 'x'", 150000), "");
}

TEST(StatementEffect, CreatesAndRenamesAreKnownForLaterStatements) {
    const auto statements = split_sql(
        "CREATE TABLE IF NOT EXISTS s.a (id int); CREATE INDEX ai ON s.a (id);"
        "ALTER TABLE b RENAME TO c");
    ASSERT_TRUE(statements[0].traits.effect);
    EXPECT_EQ(statements[0].traits.effect->creates, std::vector<std::string>{"s.a"});
    ASSERT_TRUE(statements[1].traits.effect);
    EXPECT_EQ(statements[1].traits.effect->creates, std::vector<std::string>{"ai"});
    ASSERT_TRUE(statements[2].traits.effect);
    EXPECT_EQ(statements[2].traits.effect->renames.at(0).first, "c");
    EXPECT_EQ(statements[2].traits.effect->renames.at(0).second, "b");
    EXPECT_FALSE(split_sql("INSERT INTO t VALUES (1)").at(0).traits.effect);
}

TEST(StatementEffect, AContractMigrationIsNotToldToBeOne) {
    EXPECT_EQ(migration_hazards(migration_of("ALTER TABLE t DROP COLUMN c;", true), 150000).size(),
              0U);
    // Its locks still count.
    EXPECT_EQ(migration_hazards(migration_of("CREATE INDEX i ON t (a);", true), 150000).size(), 1U);
}

TEST(StatementEffect, AllowDirectivesOnTheLinesBefore) {
    const Migration migration = migration_of(
        "SELECT 1;\n-- why\n-- schemagate:allow create-index small in practice\n"
        "-- schemagate:allow set-not-null  checked by hand \nCREATE INDEX i ON t (a);\n");
    const auto hazards = migration_hazards(migration, std::nullopt);
    ASSERT_EQ(hazards.size(), 1U);
    EXPECT_EQ(hazards[0].line, 5);
    EXPECT_EQ(hazards[0].allowed, "small in practice");
    const auto allowances = allowances_before(migration.statements[1], migration.file);
    ASSERT_EQ(allowances.size(), 2U);
    EXPECT_EQ(allowances[0].line, 3);
    EXPECT_EQ(allowances[1].reason, "checked by hand");
    EXPECT_NE(allowed_hazards_json(migration).find("\"reason\":\"small in practice\""),
              std::string::npos);
    EXPECT_THROW(
        allowances_before(migration_of("-- schemagate:allow nosuch-rule x\nSELECT 1").statements[0],
                          "f"),
        FatalError);
    EXPECT_THROW(allowances_before(
                     migration_of("-- schemagate:allow create-index\nSELECT 1").statements[0], "f"),
                 FatalError);
}

struct CoercionCase {
    const char* from;
    const char* to;
    bool coercible;
};

TEST(StatementEffect, BinaryCoercibleTypeChangesAreNotRewrites) {
    for (const CoercionCase& c : std::initializer_list<CoercionCase>{
             {"character varying(20)", "text", true},
             {"character varying(20)", "varchar(40)", true},
             {"character varying(20)", "character varying", true},
             {"character varying(40)", "varchar(20)", false},
             {"text", "varchar", true},
             {"text", "varchar(10)", false},
             {"numeric(10,2)", "numeric(12,2)", true},
             {"numeric(10,2)", "numeric(12,3)", false},
             {"numeric(10,2)", "decimal", true},
             {"integer", "bigint", false},
             {"integer", "int4", true},
             {"cidr", "inet", true},
             {"timestamp without time zone", "timestamptz", false},
             {"character(5)", "char(10)", false},
         }) {
        EXPECT_EQ(binary_coercible(c.from, c.to), c.coercible) << c.from << " -> " << c.to;
    }
}

TEST(StatementEffect, ThresholdsReadPostgresUnits) {
    EXPECT_EQ(parse_hazard_threshold("10MB"), std::uint64_t{10} << 20);
    EXPECT_EQ(parse_hazard_threshold("1GB"), std::uint64_t{1} << 30);
    EXPECT_EQ(parse_hazard_threshold("64MiB"), std::uint64_t{64} << 20);
    EXPECT_EQ(parse_hazard_threshold("0"), std::uint64_t{0});
    EXPECT_FALSE(parse_hazard_threshold("10 MB"));
    EXPECT_FALSE(parse_hazard_threshold("lots"));
}

}  // namespace
}  // namespace schemagate
