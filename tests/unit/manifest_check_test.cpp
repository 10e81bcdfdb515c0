// SPDX-License-Identifier: Apache-2.0
#include "manifest_check.h"

#include <gtest/gtest.h>

#include <sstream>

#include "errors.h"

namespace schemagate {
namespace {

using nlohmann::json;

json workload(const std::string& kind, const std::string& name, bool labelled,
              std::vector<std::string> init_containers, std::vector<std::string> containers) {
    json object = {{"apiVersion", "apps/v1"}, {"kind", kind}, {"metadata", {{"name", name}}}};
    if (labelled) object["metadata"]["labels"]["schemagate.io/gate"] = "enabled";
    json spec = json::object();
    for (const auto& c : init_containers) spec["initContainers"].push_back({{"name", c}});
    for (const auto& c : containers) spec["containers"].push_back({{"name", c}});
    object["spec"]["template"]["spec"] = spec;
    return object;
}

std::vector<json> read(const std::string& text) {
    std::istringstream in(text);
    return read_manifest_objects(in, "render.json");
}

TEST(ManifestCheck, AGatedWorkloadPasses) {
    const auto report = check_manifests(
        {workload("Deployment", "shop", true, {"schemagate"}, {"shop", "schemagate-sidecar"}),
         workload("StatefulSet", "ledger", true, {"schemagate", "schemagate-sidecar"}, {"db"}),
         workload("Deployment", "redis", false, {}, {"redis"})});
    EXPECT_TRUE(report.problems.empty());
    EXPECT_EQ(report.gated, (std::vector<std::string>{"Deployment/shop", "StatefulSet/ledger"}));
}

TEST(ManifestCheck, ALabelTheComponentNeverSawIsNamed) {
    const auto report = check_manifests({workload("Deployment", "shop", true, {}, {"shop"})});
    ASSERT_EQ(report.problems.size(), 1U);
    EXPECT_NE(report.problems[0].find("Deployment/shop: labelled schemagate.io/gate=enabled but "
                                      "has no schemagate initContainer"),
              std::string::npos);
    EXPECT_TRUE(report.gated.empty());
}

TEST(ManifestCheck, ALabelOnThePodTemplateOnlyIsNamed) {
    auto object = workload("Deployment", "shop", false, {}, {"shop"});
    object["spec"]["template"]["metadata"]["labels"]["schemagate.io/gate"] = "enabled";
    const auto report = check_manifests({object});
    ASSERT_EQ(report.problems.size(), 1U);
    EXPECT_NE(report.problems[0].find("pod template"), std::string::npos);
}

TEST(ManifestCheck, AGateWithoutReadinessIsNamed) {
    const auto report =
        check_manifests({workload("Deployment", "shop", true, {"schemagate"}, {"shop"})});
    ASSERT_EQ(report.problems.size(), 1U);
    EXPECT_NE(report.problems[0].find("no schemagate-sidecar"), std::string::npos);
}

TEST(ManifestCheck, TheSidecarMustNotBeTheDefaultContainer) {
    auto object =
        workload("Deployment", "shop", true, {"schemagate"}, {"schemagate-sidecar", "shop"});
    EXPECT_EQ(check_manifests({object}).problems.size(), 1U);
    object["spec"]["template"]["metadata"]["annotations"]
          ["kubectl.kubernetes.io/default-container"] = "shop";
    EXPECT_TRUE(check_manifests({object}).problems.empty());
    object["spec"]["template"]["metadata"]["annotations"]
          ["kubectl.kubernetes.io/default-container"] = "gone";
    EXPECT_EQ(check_manifests({object}).problems.size(), 1U);
}

TEST(ManifestCheck, ReadsObjectStreamsListsAndArrays) {
    const auto objects = read(
        R"({"kind":"ConfigMap"} {"kind":"List","items":[{"kind":"Deployment"},{"kind":"Service"}]}
           [{"kind":"Secret"}])");
    ASSERT_EQ(objects.size(), 4U);
    EXPECT_EQ(objects[1]["kind"], "Deployment");
    EXPECT_TRUE(read("  \n").empty());
}

TEST(ManifestCheck, YamlOrBrokenJsonIsBadInputNamingTheSource) {
    for (const char* text : {"apiVersion: v1\nkind: ConfigMap\n", "{\"kind\": "}) {
        try {
            read(text);
            ADD_FAILURE() << "accepted: " << text;
        } catch (const FatalError& e) {
            EXPECT_EQ(e.code(), ExitCode::kBadInput);
            EXPECT_EQ(std::string(e.what()).rfind("render.json: not", 0), 0U) << e.what();
        }
    }
}

}  // namespace
}  // namespace schemagate
