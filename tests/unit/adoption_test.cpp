// SPDX-License-Identifier: Apache-2.0
#include "adoption.h"

#include <gtest/gtest.h>

#include "errors.h"

namespace schemagate {
namespace {

MigrationSet files_up_to(int highest, const char* prefix = "V") {
    MigrationSet set;
    set.directory = "/migrations";
    for (int v = 1; v <= highest; ++v) {
        Migration m;
        m.version = v;
        m.description = "step " + std::to_string(v);
        m.file = std::string(prefix) + std::to_string(v) + "__step.sql";
        m.checksum = "sha" + std::to_string(v);
        m.flyway_checksum = 1000 + v;
        set.migrations.push_back(m);
    }
    return set;
}

ForeignMigration flyway_row(int version, std::int32_t checksum, bool success = true) {
    ForeignMigration row;
    row.version = version;
    row.script = "V" + std::to_string(version) + "__step.sql";
    row.checksum = checksum;
    row.installed_by = "deploy";
    row.installed_on = "2026-01-02T03:04:05.000Z";
    row.success = success;
    return row;
}

std::string refusal(const MigrationSet& files, const ForeignHistory& history, bool accept = false) {
    try {
        plan_adoption(files, history, accept);
    } catch (const FatalError& e) {
        EXPECT_EQ(e.code(), ExitCode::kStateRefused);
        return e.what();
    }
    ADD_FAILURE() << "expected a refusal";
    return "";
}

TEST(FlywayChecksum, IsCrc32OverLinesWithoutTerminatorsAsASignedInt) {
    // CRC-32 of "123456789" is 0xCBF43926, which Java's (int) cast makes negative.
    EXPECT_EQ(flyway_checksum("123456789"), -873187034);
    EXPECT_EQ(flyway_checksum("1234\n56789\n"), -873187034);
    EXPECT_EQ(flyway_checksum("1234\r\n56789\r\n"), -873187034);
    EXPECT_EQ(flyway_checksum("\xEF\xBB\xBF"
                              "1234\r56789"),
              -873187034);
    EXPECT_NE(flyway_checksum("12345678 9"), -873187034);
    EXPECT_EQ(flyway_checksum(""), 0);
}

TEST(FlywayChecksum, MatchesChecksumsFlywayItselfStoredForPublishedScripts) {
    // Evidence from outside this code: navikt/lydia-api (a public Flyway project) commits a
    // pg_dump of its test database whose flyway_schema_history rows hold the checksums Flyway
    // computed when it applied these scripts; the scripts are quoted from the same repository
    // (src/main/resources/db/migration/2022/, commit 3b5192f). Multi-line, indented, with and
    // without a final newline.
    EXPECT_EQ(flyway_checksum("alter table sykefravar_statistikk_virksomhet rename column "
                              "prosent to sykefraversprosent;"),
              125199402);  // V4__endre_prosent_til_sykefraversprosent.sql
    EXPECT_EQ(flyway_checksum("alter table sykefravar_statistikk_virksomhet add column endret "
                              "timestamp default null;\n"),
              -1542988905);  // V22__legg_til_endret_felt_på_statistikk.sql
    EXPECT_EQ(flyway_checksum("DELETE FROM\n    virksomhet a\n    USING virksomhet b\nWHERE\n"
                              "        a.id < b.id\n  AND a.orgnr = b.orgnr;\n\n"
                              "alter table virksomhet\n"
                              "  add constraint virksomhet_unik_orgnr unique (orgnr);"),
              2085819180);  // V7__unique_constraint_virksomhet.sql
    EXPECT_EQ(flyway_checksum(
                  "alter table virksomhet_metadata rename to virksomhet_statistikk_metadata;\n"
                  "alter table virksomhet_statistikk_metadata drop column navn;\n\n"
                  "create table virksomhet\n(\n"
                  "    id            serial primary key,\n"
                  "    orgnr         varchar  not null,\n"
                  "    land          varchar  not null,\n"
                  "    landkode      varchar  not null,\n"
                  "    postnummer    smallint not null,\n"
                  "    poststed      varchar  not null,\n"
                  "    kommune       varchar  not null,\n"
                  "    kommunenummer varchar  not null\n);\n\n"
                  "create index idx_orgnr_virksomhet on virksomhet(orgnr);\n"
                  "create index idx_orgnr_virksomhet_statistikk_metadata on "
                  "virksomhet_statistikk_metadata(orgnr);\n"
                  "create index idx_orgnr_sykefravar_statistikk_virksomhet on "
                  "sykefravar_statistikk_virksomhet(orgnr);"),
              -64248919);  // V2__create_virksomhet_adresse.sql
}

TEST(Adoption, GolangMigrateCountsEveryFileUpToItsVersion) {
    const auto files = files_up_to(4, "000");
    ForeignHistory history{OtherTool::kGolangMigrate, "public.schema_migrations", {}, 2, false, ""};
    const Adoption adoption = plan_adoption(files, history, false);
    ASSERT_EQ(adoption.migrations.size(), 2u);
    EXPECT_EQ(adoption.up_to, 2);
    EXPECT_EQ(adoption.migrations[1].applied_by, "golang-migrate");
    history.dirty = true;
    history.problem = "golang-migrate is dirty at V2";
    EXPECT_NE(refusal(files, history).find("dirty at V2"), std::string::npos);
    history = {OtherTool::kGolangMigrate, "public.schema_migrations", {}, 7, false, ""};
    EXPECT_NE(refusal(files, history).find("golang-migrate is at V7 but no migration file"),
              std::string::npos);
}

TEST(Adoption, FlywayRowsAreCheckedAgainstTheFilesCrc32) {
    const auto files = files_up_to(3);
    ForeignHistory history{OtherTool::kFlyway, "public.flyway_schema_history", {}, 2, false, ""};
    history.applied = {flyway_row(1, 1001), flyway_row(2, 1002)};
    const Adoption adoption = plan_adoption(files, history, false);
    ASSERT_EQ(adoption.migrations.size(), 2u);
    EXPECT_EQ(adoption.migrations[0].applied_by, "flyway (deploy)");
    EXPECT_EQ(adoption.migrations[0].applied_at, "2026-01-02T03:04:05.000Z");
    history.applied[1].checksum = 99;
    const std::string message = refusal(files, history);
    EXPECT_NE(message.find("CRC32 differs): V2__step.sql"), std::string::npos) << message;
    EXPECT_NE(message.find("nothing was changed"), std::string::npos);
    EXPECT_EQ(plan_adoption(files, history, true).migrations.size(), 2u);
}

TEST(Adoption, FlywayBaselineCountsFilesBelowIt) {
    const auto files = files_up_to(4);
    ForeignHistory history{OtherTool::kFlyway, "public.flyway_schema_history", {}, 3, false, ""};
    ForeignMigration baseline;
    baseline.version = 2;
    baseline.baseline = true;
    history.applied = {baseline, flyway_row(3, 1003)};
    const Adoption adoption = plan_adoption(files, history, false);
    ASSERT_EQ(adoption.migrations.size(), 3u);
    EXPECT_EQ(adoption.up_to, 3);
}

TEST(Adoption, RefusesAFailedRowMissingFilesAndSkippedVersions) {
    const auto files = files_up_to(3);
    ForeignHistory history{OtherTool::kDbmate, "public.schema_migrations", {}, 5, false, ""};
    ForeignMigration one, three, five;
    one.version = 1;
    three.version = 3;
    five.version = 5;
    history.applied = {one, three, five};
    const std::string message = refusal(files, history);
    EXPECT_NE(message.find("applied by dbmate but no file here: V5"), std::string::npos) << message;
    EXPECT_NE(message.find("never applied by dbmate yet below its V5: V2__step.sql"),
              std::string::npos)
        << message;
    ForeignHistory failed{OtherTool::kFlyway,
                          "public.flyway_schema_history",
                          {},
                          1,
                          false,
                          "a failed Flyway migration V2__step.sql"};
    failed.applied = {flyway_row(1, 1001), flyway_row(2, 1002, false)};
    EXPECT_NE(refusal(files, failed).find("a failed Flyway migration V2__step.sql"),
              std::string::npos);
}

TEST(Adoption, BaselineTakesEveryFileUpToTheVersion) {
    const auto files = files_up_to(4);
    const Adoption adoption = plan_baseline(files, 2);
    ASSERT_EQ(adoption.migrations.size(), 2u);
    EXPECT_EQ(adoption.source, "baseline 2");
    EXPECT_EQ(adoption.migrations[0].applied_by, "baseline");
}

}  // namespace
}  // namespace schemagate
