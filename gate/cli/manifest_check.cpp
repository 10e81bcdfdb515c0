// SPDX-License-Identifier: Apache-2.0
#include "manifest_check.h"

#include <algorithm>
#include <optional>

#include "errors.h"

namespace schemagate {

namespace {

using nlohmann::json;

constexpr const char* kOptInLabel = "schemagate.io/gate";
constexpr const char* kGate = "schemagate";
constexpr const char* kSidecar = "schemagate-sidecar";
constexpr const char* kDefaultContainer = "kubectl.kubernetes.io/default-container";

// A string field of nested objects, or "" when any step is missing or of another type.
std::string text_at(const json& object, std::initializer_list<const char*> path) {
    const json* node = &object;
    for (const char* key : path) {
        if (!node->is_object() || !node->contains(key)) return "";
        node = &(*node)[key];
    }
    return node->is_string() ? node->get<std::string>() : "";
}

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
void check_workload(const json& object, ManifestReport& report) {
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
    report.gated.push_back(id);
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
    while (true) {
        in >> std::ws;
        if (in.peek() == std::char_traits<char>::eof()) break;
        if (in.peek() != '{' && in.peek() != '[') {
            throw FatalError(ExitCode::kBadInput,
                             source +
                                 ": not JSON (render to JSON first, e.g. `kubectl kustomize "
                                 "DIR | kubectl patch --local -f - --type merge -p {} -o "
                                 "json`)");
        }
        json value;
        try {
            in >> value;
        } catch (const json::parse_error& e) {
            throw FatalError(ExitCode::kBadInput,
                             source + ": not valid JSON at byte " + std::to_string(e.byte));
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
    for (const auto& object : objects) {
        const std::string kind = text_at(object, {"kind"});
        if (kind == "Deployment" || kind == "StatefulSet") check_workload(object, report);
    }
    return report;
}

}  // namespace schemagate
