// SPDX-License-Identifier: Apache-2.0
#include "status_report.h"

#include <gtest/gtest.h>

namespace schemagate {
namespace {

TEST(StatusReport, JsonHasTheDocumentedFields) {
    MigrationSet files;
    for (std::int64_t v : {1, 2, 3}) {
        Migration m;
        m.version = v;
        m.file = "V" + std::to_string(v) + "__x.sql";
        files.migrations.push_back(m);
    }
    SchemaState state;
    state.initialized = true;
    state.version = 1;
    state.lease =
        LeaseInfo{"pod-a/1", 4, "2026-01-01T00:00:00.000Z", "2026-01-01T00:00:30.000Z", false, ""};
    AppliedMigration applied;
    applied.version = 1;
    applied.file = "V1__x.sql";
    applied.success = true;
    const auto json = status_json(StateLocation{}, state, {applied}, &files, 3);
    EXPECT_EQ(json["current_version"], 1);
    EXPECT_EQ(json["target_version"], 3);
    EXPECT_EQ(json["up_to_date"], false);
    ASSERT_EQ(json["pending"].size(), 2u);
    EXPECT_EQ(json["pending"][0]["file"], "V2__x.sql");
    EXPECT_EQ(json["lease"]["holder"], "pod-a/1");
    EXPECT_EQ(json["lease"]["held"], true);
    EXPECT_EQ(json["lease"]["token"], 4);
    EXPECT_TRUE(json["dirty"].is_null());
    EXPECT_EQ(json["recent"].size(), 1u);
    const std::string text = status_text(json);
    EXPECT_NE(text.find("held by pod-a/1 (token 4)"), std::string::npos) << text;
    EXPECT_NE(text.find("V2__x.sql, V3__x.sql"), std::string::npos) << text;
}

TEST(StatusReport, DirtyIsShownWithWhoAndWhen) {
    SchemaState state;
    state.initialized = true;
    state.version = 1;
    state.dirty = DirtyMigration{2, "idx", "V2__idx.sql", "pod-b/9", "2026-02-02T00:00:00.000Z"};
    const auto json = status_json(StateLocation{}, state, {}, nullptr, std::nullopt);
    EXPECT_EQ(json["dirty"]["version"], 2);
    EXPECT_EQ(json["dirty"]["started_by"], "pod-b/9");
    EXPECT_NE(status_text(json).find("YES: V2__idx.sql started by pod-b/9"), std::string::npos);
}

}  // namespace
}  // namespace schemagate
