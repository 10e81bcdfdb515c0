// SPDX-License-Identifier: Apache-2.0
#include "manifest_check.h"

#include <algorithm>
#include <optional>

#include "errors.h"
#include "manifest_fields.h"
#include "manifest_yaml.h"
#include "workload_rules.h"

namespace schemagate {

namespace {

using nlohmann::json;

constexpr const char* kOptInLabel = "schemagate.io/gate";
constexpr const char* kGate = "schemagate";
constexpr const char* kSidecar = "schemagate-sidecar";
constexpr const char* kDefaultContainer = "kubectl.kubernetes.io/default-container";

std::vector<std::string> container_names(const json& pod_spec, const char* list) {
    std::vector<std::string> names;
    if (!pod_spec.is_object() || !pod_spec.contains(list) || !pod_spec[list].is_array()) {
        return names;
    }
    for (const auto& container : pod_spec[list]) names.push_back(text_at(container, {"name"}));
    return names;
}

bool contains(const std::vector<std::string>& names, const std::string& name) {
    return std::find(names.begin(), names.end(), name) != names.end();
}

// The problems of one Deployment or StatefulSet, and whether it is gated.
void check_workload(const json& object, const ConfigMapData& config_maps, ManifestReport& report) {
    const std::string id = text_at(object, {"kind"}) + "/" + text_at(object, {"metadata", "name"});
    const bool labelled = text_at(object, {"metadata", "labels", kOptInLabel}) == "enabled";
    const bool template_labelled =
        text_at(object, {"spec", "template", "metadata", "labels", kOptInLabel}) == "enabled";
    static const json no_spec = json::object();
    const json& spec = object.contains("spec") && object["spec"].contains("template") &&
                               object["spec"]["template"].contains("spec")
                           ? object["spec"]["template"]["spec"]
                           : no_spec;
    const auto init_containers = container_names(spec, "initContainers");
    const auto containers = container_names(spec, "containers");
    const bool has_gate = contains(init_containers, kGate);
    const bool has_sidecar = contains(containers, kSidecar) || contains(init_containers, kSidecar);

    if (!has_gate) {
        if (labelled) {
            report.problems.push_back(
                id + ": labelled " + kOptInLabel +
                "=enabled but has no schemagate initContainer: the label was added after the "
                "Component ran (by `labels:`, `commonLabels:` or a patch in the kustomization "
                "that lists the Component); set it in the workload's own manifest or in a "
                "kustomization listed under `resources:`");
        } else if (template_labelled) {
            report.problems.push_back(
                id + ": its pod template is labelled " + kOptInLabel +
                "=enabled but the workload itself is not: the Component selects on the "
                "workload's own metadata.labels");
        }
        return;
    }
    if (!has_sidecar) {
        report.problems.push_back(
            id + ": has the schemagate initContainer but no " + kSidecar +
            ": nothing reports the schema to the readinessProbe (was the Component list cut "
            "short, or gate-core used alone?)");
        return;
    }
    const std::string default_container =
        text_at(object, {"spec", "template", "metadata", "annotations", kDefaultContainer});
    if (!default_container.empty() && !contains(containers, default_container)) {
        report.problems.push_back(id + ": annotation " + kDefaultContainer + " names '" +
                                  default_container + "', which is not one of its containers");
    } else if (default_container.empty() && !containers.empty() && containers.front() == kSidecar) {
        report.problems.push_back(
            id + ": " + kSidecar +
            " is its first container, so `kubectl logs` and `kubectl "
            "exec` land on it: list the app's container first or set the annotation " +
            kDefaultContainer);
    }
    auto findings = check_gated_workload(id, object, config_maps);
    for (auto& problem : findings.problems) report.problems.push_back(std::move(problem));
    for (auto& warning : findings.warnings) report.warnings.push_back(std::move(warning));
    report.gated.push_back(id);
}

// A PodMonitor of schemagate's must scrape a port the sidecars declare: one named otherwise
// scrapes nothing, silently (every alert on the sidecar's metrics then stays quiet).
void check_pod_monitor(const json& monitor, const std::vector<std::string>& sidecar_ports,
                       ManifestReport& report) {
    const auto name = text_at(monitor, {"metadata", "name"});
    const bool ours = text_at(monitor, {"metadata", "labels", "app.kubernetes.io/name"}) == kGate ||
                      name.find(kGate) != std::string::npos;
    if (!ours || sidecar_ports.empty()) return;
    for (const auto& endpoint : array_at(object_at(monitor, "spec"), "podMetricsEndpoints")) {
        const auto port = text_at(endpoint, {"port"});
        if (port.empty() || contains(sidecar_ports, port)) continue;
        std::string problem = "PodMonitor/" + name;
        problem += ": scrapes port '" + port;
        problem += "', which no schemagate sidecar in this render declares (theirs: '";
        problem += sidecar_ports.front() + "')";
        report.problems.push_back(std::move(problem));
    }
}

// A `List` (what kubectl prints for several objects in one document) stands for its items.
void add_object(json object, std::vector<json>& objects) {
    if (!object.is_object()) return;
    if (!object.contains("items") || !object["items"].is_array()) {
        objects.push_back(std::move(object));
        return;
    }
    for (auto& item : object["items"]) {
        if (item.is_object()) objects.push_back(std::move(item));
    }
}

}  // namespace

std::vector<json> read_manifest_objects(std::istream& in, const std::string& source) {
    std::vector<json> objects;
    for (bool first = true;; first = false) {
        in >> std::ws;
        if (in.peek() == std::char_traits<char>::eof()) break;
        if (first && in.peek() != '{' && in.peek() != '[') {
            // What `kubectl kustomize` and `helm template` print.
            for (auto& document : read_yaml_documents(in, source)) {
                add_object(std::move(document), objects);
            }
            return objects;
        }
        if (in.peek() != '{' && in.peek() != '[') {
            throw FatalError(ExitCode::kBadInput, source + ": JSON followed by something else");
        }
        json value;
        try {
            in >> value;
        } catch (const json::parse_error& e) {
            throw FatalError(ExitCode::kBadInput,
                             source + ": not valid JSON at byte " + std::to_string(e.byte));
        } catch (const json::exception&) {
            // A number past a double (out_of_range 406): its message would echo the input.
            throw FatalError(ExitCode::kBadInput,
                             source + ": not valid JSON (a number out of range)");
        }
        if (value.is_array()) {
            for (auto& element : value) add_object(std::move(element), objects);
        } else {
            add_object(std::move(value), objects);
        }
    }
    return objects;
}

ManifestReport check_manifests(const std::vector<json>& objects) {
    ManifestReport report;
    ConfigMapData config_maps;
    for (const auto& object : objects) {
        if (text_at(object, {"kind"}) == "ConfigMap") {
            config_maps[text_at(object, {"metadata", "name"})] = object_at(object, "data");
        }
    }
    std::vector<std::string> sidecar_ports;
    for (const auto& object : objects) {
        const std::string kind = text_at(object, {"kind"});
        if (kind != "Deployment" && kind != "StatefulSet") continue;
        check_workload(object, config_maps, report);
        for (auto& port : sidecar_port_names(object)) sidecar_ports.push_back(std::move(port));
    }
    for (const auto& object : objects) {
        if (text_at(object, {"kind"}) == "PodMonitor") {
            check_pod_monitor(object, sidecar_ports, report);
        }
    }
    return report;
}

}  // namespace schemagate
