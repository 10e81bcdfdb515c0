// SPDX-License-Identifier: Apache-2.0
#include "manifest_check.h"

#include <gtest/gtest.h>

#include <sstream>

#include "errors.h"

namespace schemagate {
namespace {

using nlohmann::json;

// A container by name; schemagate's as the Component renders them (image, URL, probe).
json container(const std::string& name) {
    json c = {{"name", name}};
    if (name.rfind("schemagate", 0) != 0) return c;
    c["image"] = "schemagate:0.1.0";
    c["env"] = {{{"name", "DATABASE_URL"}, {"valueFrom", {{"secretKeyRef", {{"name", "db"}}}}}}};
    if (name == "schemagate-sidecar") {
        c["ports"] = {{{"name", "schemagate"}, {"containerPort", 8733}}};
        c["readinessProbe"] = {{"httpGet", {{"path", "/readyz"}, {"port", "schemagate"}}}};
    }
    return c;
}

json workload(const std::string& kind, const std::string& name, bool labelled,
              std::vector<std::string> init_containers, std::vector<std::string> containers) {
    json object = {{"apiVersion", "apps/v1"}, {"kind", kind}, {"metadata", {{"name", name}}}};
    if (labelled) object["metadata"]["labels"]["schemagate.io/gate"] = "enabled";
    json spec = json::object();
    for (const auto& c : init_containers) spec["initContainers"].push_back(container(c));
    for (const auto& c : containers) spec["containers"].push_back(container(c));
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

TEST(ManifestCheck, BrokenJsonOrYamlIsBadInputNamingTheSource) {
    for (const char* text : {"{\"kind\": ", "kind: [a\n", "a: 1\na: 2\n", "{\"kind\":1} x: 1"}) {
        try {
            read(text);
            ADD_FAILURE() << "accepted: " << text;
        } catch (const FatalError& e) {
            EXPECT_EQ(e.code(), ExitCode::kBadInput);
            EXPECT_EQ(std::string(e.what()).rfind("render.json: ", 0), 0U) << e.what();
        }
    }
}

TEST(ManifestCheck, ReadsMultiDocumentYamlTypedAsKubernetesDoes) {
    const auto objects = read(
        "# a render\n---\nkind: ConfigMap\ndata: {port: \"8733\", on: true}\n---\n---\n"
        "kind: List\nitems:\n  - {kind: Deployment, replicas: 3, ratio: 0.5, none: ~, "
        "big: 99999999999999999999999, word: yes}\n");
    ASSERT_EQ(objects.size(), 2U);
    EXPECT_EQ(objects[0]["data"]["port"], "8733");  // quoted: a string
    EXPECT_EQ(objects[0]["data"]["on"], true);
    EXPECT_EQ(objects[1]["replicas"], 3);
    EXPECT_EQ(objects[1]["ratio"], 0.5);
    EXPECT_TRUE(objects[1]["none"].is_null());
    EXPECT_EQ(objects[1]["big"], "99999999999999999999999");
    EXPECT_EQ(objects[1]["word"], "yes");  // YAML 1.2: not a boolean
}

TEST(ManifestCheck, AliasesAreCopiedWithinABudget) {
    const auto objects =
        read("kind: ConfigMap\nmetadata: &m {name: a}\n---\nkind: Secret\nmetadata: *m\n");
    ASSERT_EQ(objects.size(), 2U);
    EXPECT_EQ(objects[1]["metadata"]["name"], "a");
    // Ten levels of ten aliases each: 10^10 nodes if expanded.
    std::string laughs = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
    for (int level = 1; level < 10; ++level) {
        const std::string previous = level == 1 ? "a" : "l" + std::to_string(level - 1);
        laughs += "l" + std::to_string(level) + ": &l" + std::to_string(level) + " [";
        for (int i = 0; i < 10; ++i) laughs += (i ? ", *" : "*") + previous;
        laughs += "]\n";
    }
    try {
        read(laughs);
        ADD_FAILURE() << "expanded";
    } catch (const FatalError& e) {
        EXPECT_NE(std::string(e.what()).find("aliases expand to more than"), std::string::npos);
    }
}

// The example Deployment as the Component renders it, to break one thing at a time.
json gated_shop() {
    return json::parse(R"({
      "kind": "Deployment", "metadata": {"name": "shop", "labels": {"schemagate.io/gate": "enabled"}},
      "spec": {"template": {"spec": {
        "initContainers": [{"name": "schemagate", "image": "schemagate:0.1.0",
          "env": [{"name": "DATABASE_URL", "valueFrom": {"secretKeyRef": {"name": "db", "key": "url"}}}]}],
        "containers": [{"name": "shop"}, {"name": "schemagate-sidecar", "image": "schemagate:0.1.0",
          "env": [{"name": "DATABASE_URL", "valueFrom": {"secretKeyRef": {"name": "db", "key": "url"}}}],
          "envFrom": [{"configMapRef": {"name": "settings-abc", "optional": true}}],
          "ports": [{"name": "schemagate", "containerPort": 8733}],
          "readinessProbe": {"httpGet": {"path": "/readyz", "port": "schemagate"}}}]}}}})");
}

json& sidecar_of(json& object) {
    return object["spec"]["template"]["spec"]["containers"][1];
}

std::string only_problem(const std::vector<json>& objects) {
    const auto report = check_manifests(objects);
    EXPECT_EQ(report.problems.size(), 1U);
    return report.problems.empty() ? "" : report.problems[0];
}

TEST(ManifestCheck, TheSidecarsReadinessProbeMustAskWhereItListens) {
    EXPECT_TRUE(check_manifests({gated_shop()}).problems.empty());
    auto numbered = gated_shop();
    sidecar_of(numbered)["readinessProbe"]["httpGet"]["port"] = 8733;
    EXPECT_TRUE(check_manifests({numbered}).problems.empty());
    auto removed = gated_shop();
    sidecar_of(removed).erase("readinessProbe");
    EXPECT_NE(only_problem({removed}).find("has no readinessProbe"), std::string::npos);
    auto path = gated_shop();
    sidecar_of(path)["readinessProbe"]["httpGet"]["path"] = "/livez";
    EXPECT_NE(only_problem({path}).find("not an httpGet on /readyz"), std::string::npos);
    // The listen address moved in the settings ConfigMap, the port and probe left behind.
    const json settings = {{"kind", "ConfigMap"},
                           {"metadata", {{"name", "settings-abc"}}},
                           {"data", {{"SCHEMAGATE_LISTEN", "0.0.0.0:9444"}}}};
    EXPECT_NE(only_problem({gated_shop(), settings})
                  .find("asks port 8733 but the sidecar listens on 9444"),
              std::string::npos);
}

TEST(ManifestCheck, GateFirstOneImageAndADatabaseUrl) {
    auto late = gated_shop();
    auto& init = late["spec"]["template"]["spec"]["initContainers"];
    init.insert(init.begin(), json{{"name", "migrate-cache"}});
    EXPECT_NE(only_problem({late}).find("'migrate-cache' runs before the schemagate gate"),
              std::string::npos);
    auto copy_first = gated_shop();
    auto& init2 = copy_first["spec"]["template"]["spec"]["initContainers"];
    init2.insert(init2.begin(), json{{"name", "schemagate-copy-migrations"}});
    EXPECT_TRUE(check_manifests({copy_first}).problems.empty());
    auto images = gated_shop();
    sidecar_of(images)["image"] = "schemagate@sha256:00";
    EXPECT_NE(only_problem({images}).find("the gate runs schemagate:0.1.0 but the sidecar"),
              std::string::npos);
    auto no_url = gated_shop();
    sidecar_of(no_url)["env"] = json::array();
    EXPECT_NE(only_problem({no_url}).find("schemagate-sidecar has no database URL"),
              std::string::npos);
    sidecar_of(no_url)["env"].push_back({{"name", "PGHOST"}, {"value", "db"}});
    EXPECT_TRUE(check_manifests({no_url}).problems.empty());
}

TEST(ManifestCheck, WarnsWhenTheGateOutwaitsTheProgressDeadline) {
    auto object = gated_shop();
    EXPECT_TRUE(check_manifests({object}).warnings.empty()) << "10m against the default 600s";
    object["spec"]["progressDeadlineSeconds"] = 60;
    auto report = check_manifests({object});
    EXPECT_TRUE(report.problems.empty());
    ASSERT_EQ(report.warnings.size(), 1U);
    EXPECT_NE(report.warnings[0].find(
                  "the gate may wait 10m (--timeout) but progressDeadlineSeconds is 60s"),
              std::string::npos);
    object["spec"]["template"]["spec"]["initContainers"][0]["args"] = {"migrate", "--timeout=45s"};
    EXPECT_TRUE(check_manifests({object}).warnings.empty());
}

TEST(ManifestCheck, APodMonitorMustScrapeThePortTheSidecarsDeclare) {
    json monitor = {{"kind", "PodMonitor"},
                    {"metadata", {{"name", "schemagate"}}},
                    {"spec", {{"podMetricsEndpoints", {{{"port", "schemagate"}}}}}}};
    EXPECT_TRUE(check_manifests({gated_shop(), monitor}).problems.empty());
    monitor["spec"]["podMetricsEndpoints"][0]["port"] = "metrics";
    EXPECT_NE(
        only_problem({gated_shop(), monitor}).find("PodMonitor/schemagate: scrapes port 'metrics'"),
        std::string::npos);
    monitor["metadata"]["name"] = "the-apps-own";
    EXPECT_TRUE(check_manifests({gated_shop(), monitor}).problems.empty()) << "not ours";
}

// Found by fuzz_manifests: a ports entry that is not an object, named by a probe port "".
TEST(ManifestCheck, APortsEntryThatIsNotAnObjectIsAPortTheSidecarDoesNotDeclare) {
    auto odd = gated_shop();
    sidecar_of(odd)["ports"] = json::array({"schemagate", 8733});
    sidecar_of(odd)["readinessProbe"]["httpGet"]["port"] = "";
    EXPECT_NE(only_problem({odd}).find("which the sidecar does not declare"), std::string::npos);
}

// Found by fuzz_manifests: a number past a double is bad input, not an escaping exception.
TEST(ManifestCheck, AJsonNumberOutOfRangeIsBadInput) {
    try {
        read(R"({"kind": "ConfigMap", "n": 1e99999})");
        ADD_FAILURE() << "accepted";
    } catch (const FatalError& e) {
        EXPECT_EQ(e.code(), ExitCode::kBadInput);
        EXPECT_NE(std::string(e.what()).find("out of range"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace schemagate
