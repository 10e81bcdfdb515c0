// SPDX-License-Identifier: Apache-2.0
// Atlas's atlas.sum, computed as Atlas defines it (sql/migrate/dir.go), and Atlas's file
// directives.
#include "atlas_sum.h"

#include <gtest/gtest.h>

#include "atlas_file.h"

namespace schemagate {
namespace {

using Files = std::vector<std::pair<std::string, std::string>>;

// Atlas's own test vector: the three files of sql/migrate/testdata/migrate/sub and the
// atlas.sum Atlas wrote for them (published in its repository).
Files atlas_testdata() {
    return {{"1.a_sub.up.sql",
             "-- create table \"t_sub\"\nCREATE TABLE t_sub(c int);\n-- add c1 column\n"
             "ALTER TABLE t_sub ADD c1 int;"},
            {"2.10.x-20_description.sql", "-- add c2 column\nALTER TABLE t_sub ADD c2 int;"},
            {"3_partly.sql",
             "-- add c3 column\nALTER TABLE t_sub ADD c3 int;\n-- add c4 column\n"
             "ALTER TABLE t_sub ADD c4 int;"}};
}

constexpr const char* kAtlasTestdataSum =
    "h1:VpH77zWOBMwX5QhvnQo0XQvXCrOYZg4h1o0XlJTQnl0=\n"
    "1.a_sub.up.sql h1:nXyZR020M/mH7LxkoTkJr7BcQkipVg90imQ9I4595dw=\n"
    "2.10.x-20_description.sql h1:wQB3Vh3PHVXQg9OD3Gn7TBxbZN3r1Qb7TtAE1g3q9mQ=\n"
    "3_partly.sql h1:lHlMz6mEvBfvjry5lFXjs2vi6Et9xb9CWicaOXD42Qc=\n";

TEST(AtlasSum, ReproducesAtlasOwnTestVector) {
    const auto entries = atlas_hash_entries(atlas_testdata());
    ASSERT_EQ(entries.size(), 3U);
    EXPECT_EQ(entries[2].hash, "lHlMz6mEvBfvjry5lFXjs2vi6Et9xb9CWicaOXD42Qc=");
    EXPECT_EQ(atlas_sum_text(entries), kAtlasTestdataSum);
    EXPECT_EQ(atlas_sum_mismatch(kAtlasTestdataSum, atlas_testdata()), std::nullopt);
}

// The directory and atlas.sum of Atlas's blog post announcing its execution engine
// (atlasgo.io/blog/2022/09/05/announcing-migration-execution).
TEST(AtlasSum, ReproducesTheSumInAtlasDocumentation) {
    const Files files = {
        {"1_initial.sql",
         "-- add new schema named \"my_schema\"\nCREATE DATABASE `my_schema`;\n-- create \"tbl\" "
         "table\nCREATE TABLE `my_schema`.`tbl` (`col` int NOT NULL);"},
        {"2_second.sql", "ALTER TABLE `my_schema`.`tbl` ADD `col_2` TEXT;"},
        {"3_third.sql", "CREATE TABLE `tbl_2` (`col` int NOT NULL);"}};
    EXPECT_EQ(atlas_sum_text(atlas_hash_entries(files)),
              "h1:cD9kOv5VDRLrKVZ0pM4CxAlhH6mgE8PQLpUeuIMKDcs=\n"
              "1_initial.sql h1:SrFyOe0eg5WnE96GH3TtAt6046sfrOK4YKZYBlYr1SA=\n"
              "2_second.sql h1:FPzwV+MzwyCss7SASZtyafXiYc9Un5bzlcc3u7MxLJU=\n"
              "3_third.sql h1:uD+xDcA3Q+gHqwca2ZBDAHWYvC2eiUcwr1IgMsN0Q6c=\n");
}

TEST(AtlasSum, NamesTheChangedAddedOrMissingFile) {
    Files files = atlas_testdata();
    files[1].second += "\n-- a comment added later";
    EXPECT_EQ(atlas_sum_mismatch(kAtlasTestdataSum, files),
              "2.10.x-20_description.sql changed since atlas.sum was written");
    files = atlas_testdata();
    files.emplace_back("4_more.sql", "SELECT 1;");
    EXPECT_EQ(atlas_sum_mismatch(kAtlasTestdataSum, files),
              "4_more.sql is not in atlas.sum (added after it was written)");
    files = atlas_testdata();
    files.erase(files.begin());
    EXPECT_EQ(atlas_sum_mismatch(kAtlasTestdataSum, files),
              "1.a_sub.up.sql is in atlas.sum but not in the directory");
}

TEST(AtlasSum, AnEditedSumFileIsRefused) {
    std::string edited = kAtlasTestdataSum;
    edited.replace(edited.find("lHlM"), 4, "AAAA");
    const auto mismatch = atlas_sum_mismatch(edited, atlas_testdata());
    ASSERT_TRUE(mismatch);
    EXPECT_NE(mismatch->find("edited by hand"), std::string::npos) << *mismatch;
    EXPECT_TRUE(atlas_sum_mismatch("", atlas_testdata()));
}

TEST(AtlasSum, CrLfSumFileReadsAsGoReadsIt) {
    std::string crlf;
    for (const char c : std::string(kAtlasTestdataSum))
        crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
    EXPECT_EQ(atlas_sum_mismatch(crlf, atlas_testdata()), std::nullopt);
}

TEST(AtlasSum, SumIgnoreFileFeedsItsNameOnly) {
    const Files files = {{"1_a.sql", "SELECT 1;"}, {"2_b.sql", "-- atlas:sum ignore\nSELECT 2;"}};
    const auto entries = atlas_hash_entries(files);
    ASSERT_EQ(entries.size(), 1U);
    Files edited = files;
    edited[1].second += "\nSELECT 3;";  // not hashed
    EXPECT_EQ(atlas_sum_mismatch(atlas_sum_text(entries), edited), std::nullopt);
}

TEST(AtlasDirective, ReadsTheFirstLineOnly) {
    EXPECT_EQ(atlas_directive("-- atlas:txmode none\n", "txmode"), "none");
    EXPECT_EQ(atlas_directive("-- atlas:delimiter -- end\nx", "delimiter", "-- "), "-- end");
    EXPECT_EQ(atlas_directive("--atlas:delimiter ;;\n", "delimiter", "-- "), std::nullopt);
    EXPECT_EQ(atlas_directive("SELECT 1;\n-- atlas:txmode none", "txmode"), std::nullopt);
    EXPECT_EQ(atlas_directive("-- atlas:nolint\n", "txmode"), std::nullopt);
}

TEST(AtlasFile, TxmodeNoneIsAFileDirective) {
    const auto file = read_atlas_file(
        "-- atlas:txmode none\n\nCREATE TABLE a (id int);\n"
        "CREATE TABLE b (id int);\n");
    EXPECT_TRUE(file.no_transaction);
    EXPECT_EQ(file.no_transaction_reason, "directive (-- atlas:txmode none)");
    EXPECT_TRUE(file.mixed);
    // Without the empty line after it, Atlas reads the comment as the statement's own.
    EXPECT_FALSE(
        read_atlas_file("-- atlas:txmode none\nCREATE TABLE a (id int);\n").no_transaction);
    EXPECT_FALSE(
        read_atlas_file("-- atlas:txmode file\n\nCREATE TABLE a (id int);\n").no_transaction);
}

TEST(AtlasFile, RefusesWhatAtlasWouldReadOtherwise) {
    EXPECT_THROW(read_atlas_file("-- atlas:txmode all\n\nSELECT 1;\n"), SqlSyntaxError);
    EXPECT_THROW(read_atlas_file("-- atlas:checkpoint\n\nCREATE TABLE a (id int);\n"),
                 SqlSyntaxError);
}

TEST(AtlasFile, DelimiterSplitsOutsideLiterals) {
    const auto file = read_atlas_file(
        "-- atlas:delimiter -- end\n"
        "CREATE TABLE a (id int);\nINSERT INTO a VALUES (1);\n-- end\n"
        "CREATE FUNCTION f() RETURNS text LANGUAGE sql AS $$ SELECT '-- end' $$;\n-- end\n");
    ASSERT_EQ(file.statements.size(), 2U);
    EXPECT_EQ(file.statements[0].parts.size(), 2U);  // one piece, sent whole
    EXPECT_EQ(file.statements[0].line, 2);
    EXPECT_EQ(file.statements[1].line, 5);
    EXPECT_NE(file.statements[1].text.find("'-- end'"), std::string::npos);
}

}  // namespace
}  // namespace schemagate
