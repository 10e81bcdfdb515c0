// SPDX-License-Identifier: Apache-2.0
#include "metrics.h"

#include <gtest/gtest.h>

#include "prometheus_text.h"
#include "version.h"

namespace schemagate {
namespace {

TEST(Metrics, EverySeriesHasHelpTypeAndTheNameLabel) {
    SchemaSnapshot snapshot;
    snapshot.ever_read = true;
    snapshot.database_up = true;
    snapshot.state.version = 4;
    snapshot.checks_ok = 3;
    snapshot.checks_error = 1;
    snapshot.duration_count = 3;
    snapshot.duration_buckets = {1, 2, 3, 3, 3, 3, 3, 3};
    const ReadinessPolicy policy{5, std::nullopt, Millis{1000}};
    const std::string text = render_metrics(
        "shop\"x", snapshot, policy, evaluate(snapshot, policy, std::chrono::steady_clock::now()));
    auto parsed = testing::parse_prometheus_text(text);
    EXPECT_TRUE(parsed.malformed.empty()) << parsed.malformed.front();
    for (const auto& line : parsed.series_lines) {
        EXPECT_NE(line.find("name=\"shop\\\"x\""), std::string::npos) << line;
    }
    auto& types = parsed.types;
    EXPECT_EQ(types["schemagate_schema_version"], "gauge");
    EXPECT_EQ(types["schemagate_ready"], "gauge");
    EXPECT_EQ(types["schemagate_check_duration_seconds"], "histogram");
    EXPECT_EQ(types["schemagate_checks_total"], "counter");
    EXPECT_NE(text.find("schemagate_schema_version{name=\"shop\\\"x\"} 4\n"), std::string::npos);
    EXPECT_NE(text.find("schemagate_ready{name=\"shop\\\"x\"} 0\n"), std::string::npos);
    EXPECT_NE(text.find("le=\"+Inf\"} 3\n"), std::string::npos);
    EXPECT_NE(text.find("result=\"error\"} 1\n"), std::string::npos);
    EXPECT_NE(text.find(std::string("schemagate_build_info{name=\"shop\\\"x\",version=\"") +
                        kVersion + "\"} 1\n"),
              std::string::npos);
}

TEST(Metrics, NoVersionIsReportedBeforeTheFirstRead) {
    SchemaSnapshot snapshot;  // ever_read false: the database was never reached
    const ReadinessPolicy policy{5, std::nullopt, Millis{1000}};
    const std::string text = render_metrics(
        "default", snapshot, policy, evaluate(snapshot, policy, std::chrono::steady_clock::now()));
    EXPECT_TRUE(testing::parse_prometheus_text(text).malformed.empty());
    EXPECT_EQ(text.find("schemagate_schema_version{"), std::string::npos) << text;
    EXPECT_EQ(text.find("schemagate_schema_version_info{"), std::string::npos) << text;
    EXPECT_NE(text.find("schemagate_expected_version{name=\"default\"} 5\n"), std::string::npos);
    EXPECT_NE(text.find("schemagate_schema_behind{name=\"default\"} 0\n"), std::string::npos);
    EXPECT_NE(text.find("schemagate_ready{name=\"default\"} 0\n"), std::string::npos);
}

}  // namespace
}  // namespace schemagate
