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

// A sidecar that read the schema at `version`.
SchemaSnapshot read_at(int version) {
    SchemaSnapshot snapshot;
    snapshot.ever_read = true;
    snapshot.database_up = true;
    snapshot.state.version = version;
    return snapshot;
}

TEST(Metrics, ABatchedMigrationUnderWayShowsItsProgressRateAndEta) {
    SchemaSnapshot snapshot = read_at(6);
    const ReadinessPolicy policy{6, std::nullopt, Millis{1000}};
    const auto readiness = evaluate(snapshot, policy, std::chrono::steady_clock::now());
    EXPECT_EQ(render_metrics("shop", snapshot, policy, readiness).find("schemagate_batch_"),
              std::string::npos);
    BatchProgress batch;
    batch.version = 7;
    batch.batches = 12;
    batch.rows = 12000;
    batch.elapsed_ms = 3000;
    batch.total = 20000;
    batch.last_key = "secret@example.com";
    batch.updated_at_unix = 1796200781.5;
    snapshot.state.batch = batch;
    const std::string text = render_metrics("shop", snapshot, policy, readiness);
    EXPECT_TRUE(testing::parse_prometheus_text(text).malformed.empty());
    EXPECT_NE(text.find("schemagate_batch_rows{name=\"shop\",version=\"7\"} 12000\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("schemagate_batch_batches{name=\"shop\",version=\"7\"} 12\n"),
              std::string::npos);
    EXPECT_NE(text.find("schemagate_batch_rows_total{name=\"shop\",version=\"7\"} 20000\n"),
              std::string::npos);
    EXPECT_NE(text.find("schemagate_batch_rows_per_second{name=\"shop\",version=\"7\"} 4000\n"),
              std::string::npos);
    EXPECT_NE(text.find("schemagate_batch_eta_seconds{name=\"shop\",version=\"7\"} 2\n"),
              std::string::npos);
    EXPECT_NE(text.find("schemagate_batch_updated_timestamp_seconds{name=\"shop\",version=\"7\"} "
                        "1796200781.5\n"),
              std::string::npos);
    // The key is the application's data: never in a metric.
    EXPECT_EQ(text.find("secret"), std::string::npos);
}

}  // namespace
}  // namespace schemagate
