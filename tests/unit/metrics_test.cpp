// SPDX-License-Identifier: Apache-2.0
#include "metrics.h"

#include <gtest/gtest.h>

#include <map>
#include <sstream>

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
    std::map<std::string, std::string> types;
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
        if (line.rfind("# TYPE ", 0) == 0) {
            std::istringstream words(line.substr(7));
            std::string metric, type;
            words >> metric >> type;
            types[metric] = type;
            continue;
        }
        if (line.rfind("# HELP ", 0) == 0) continue;
        EXPECT_NE(line.find("name=\"shop\\\"x\""), std::string::npos) << line;
    }
    EXPECT_EQ(types["schemagate_schema_version"], "gauge");
    EXPECT_EQ(types["schemagate_ready"], "gauge");
    EXPECT_EQ(types["schemagate_check_duration_seconds"], "histogram");
    EXPECT_EQ(types["schemagate_checks_total"], "counter");
    EXPECT_NE(text.find("schemagate_schema_version{name=\"shop\\\"x\"} 4\n"), std::string::npos);
    EXPECT_NE(text.find("schemagate_ready{name=\"shop\\\"x\"} 0\n"), std::string::npos);
    EXPECT_NE(text.find("le=\"+Inf\"} 3\n"), std::string::npos);
    EXPECT_NE(text.find("result=\"error\"} 1\n"), std::string::npos);
}

}  // namespace
}  // namespace schemagate
