// SPDX-License-Identifier: Apache-2.0
#include "workload_rules.h"

#include <algorithm>
#include <optional>

#include "duration.h"
#include "manifest_fields.h"

namespace schemagate {

namespace {

using nlohmann::json;

constexpr const char* kGate = "schemagate";
constexpr const char* kSidecar = "schemagate-sidecar";
constexpr int kDefaultPort = 8733;
constexpr long long kDefaultProgressDeadlineSeconds = 600;  // Kubernetes' default
constexpr const char* kDefaultTimeout = "10m";              // the gate's --timeout default

const json& pod_spec_of(const json& workload) {
    return object_at(object_at(object_at(workload, "spec"), "template"), "spec");
}

const json* container_named(const json& spec, const std::string& name) {
    for (const char* list : {"initContainers", "containers"}) {
        for (const auto& container : array_at(spec, list)) {
            if (text_at(container, {"name"}) == name) return &container;
        }
    }
    return nullptr;
}

// A setting of a container as the process sees it: its command line (`--flag value` or
// `--flag=value`), else its env, else a ConfigMap of the render it takes with envFrom.
std::optional<std::string> setting(const json& container, const std::string& flag,
                                   const std::string& variable, const ConfigMapData& maps) {
    const auto& args = array_at(container, "args");
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (!args[i].is_string()) continue;
        const auto arg = args[i].get<std::string>();
        if (arg == flag && i + 1 < args.size() && args[i + 1].is_string()) return args[i + 1];
        if (arg.rfind(flag + "=", 0) == 0) return arg.substr(flag.size() + 1);
    }
    for (const auto& env : array_at(container, "env")) {
        if (text_at(env, {"name"}) == variable && env.contains("value")) {
            return text_at(env, {"value"});
        }
    }
    for (const auto& source : array_at(container, "envFrom")) {
        const auto found = maps.find(text_at(source, {"configMapRef", "name"}));
        if (found == maps.end()) continue;
        const auto value = text_at(found->second, {variable.c_str()});
        if (!value.empty()) return value;
    }
    return std::nullopt;
}

bool names_env(const json& container, const std::string& prefix, bool whole) {
    return std::any_of(array_at(container, "env").begin(), array_at(container, "env").end(),
                       [&](const json& env) {
                           const auto name = text_at(env, {"name"});
                           return whole ? name == prefix : name.rfind(prefix, 0) == 0;
                       });
}

std::optional<std::string> database_problem(const std::string& id, const json& container,
                                            const ConfigMapData& maps) {
    const bool from_env = names_env(container, "DATABASE_URL", true) ||
                          names_env(container, "SCHEMAGATE_DATABASE_URL_FILE", true) ||
                          names_env(container, "PG", false);
    const bool from_flag =
        setting(container, "--database-url", "DATABASE_URL", maps) ||
        setting(container, "--database-url-file", "SCHEMAGATE_DATABASE_URL_FILE", maps);
    // A Secret taken whole may carry DATABASE_URL; what it holds is not in the render.
    const auto& sources = array_at(container, "envFrom");
    const bool from_secret = std::any_of(sources.begin(), sources.end(), [](const json& source) {
        return source.is_object() && source.contains("secretRef");
    });
    if (from_env || from_flag || from_secret) return std::nullopt;
    return id + ": " + text_at(container, {"name"}) +
           " has no database URL (DATABASE_URL, SCHEMAGATE_DATABASE_URL_FILE or PG* variables, "
           "or --database-url): it would read the state of whatever answers on localhost";
}

// The port the sidecar listens on: its --listen / SCHEMAGATE_LISTEN, else the containerPort
// named `schemagate` (the Components set both together), else the default.
int listen_port(const json& sidecar, const ConfigMapData& maps) {
    if (const auto listen = setting(sidecar, "--listen", "SCHEMAGATE_LISTEN", maps)) {
        try {
            return std::stoi(listen->substr(listen->rfind(':') + 1));
        } catch (const std::exception&) {
            return 0;  // the sidecar itself refuses it (exit 3)
        }
    }
    for (const auto& port : array_at(sidecar, "ports")) {
        if (text_at(port, {"name"}) == kGate && port["containerPort"].is_number_integer()) {
            return port["containerPort"].get<int>();
        }
    }
    return kDefaultPort;
}

std::optional<std::string> probe_problem(const std::string& id, const json& sidecar,
                                         const ConfigMapData& maps) {
    const std::string who = id + ": " + kSidecar;
    if (!sidecar.contains("readinessProbe")) {
        return who + " has no readinessProbe: the pod turns Ready whatever the schema";
    }
    const json& http = object_at(object_at(sidecar, "readinessProbe"), "httpGet");
    if (text_at(http, {"path"}) != "/readyz") {
        return who +
               "'s readinessProbe is not an httpGet on /readyz: it does not report the schema";
    }
    const json port = http.contains("port") ? http["port"] : json();
    int probed = port.is_number_integer() ? port.get<int>() : 0;
    if (port.is_string()) {
        const auto& ports = array_at(sidecar, "ports");
        const auto named = std::find_if(ports.begin(), ports.end(), [&](const json& p) {
            return text_at(p, {"name"}) == port.get<std::string>();
        });
        // A ports entry that is not an object has no containerPort (const [] would assert).
        if (named == ports.end() || !named->is_object() || !named->contains("containerPort") ||
            !(*named)["containerPort"].is_number_integer()) {
            return who + "'s readinessProbe names port '" + port.get<std::string>() +
                   "', which the sidecar does not declare";
        }
        probed = (*named)["containerPort"].get<int>();
    }
    const int listening = listen_port(sidecar, maps);
    if (probed == listening) return std::nullopt;
    return who + "'s readinessProbe asks port " + std::to_string(probed) +
           " but the sidecar listens on " + std::to_string(listening) +
           ": the probe fails and the pod never turns Ready";
}

std::optional<std::string> gate_order_problem(const std::string& id, const json& spec) {
    for (const auto& container : array_at(spec, "initContainers")) {
        const auto name = text_at(container, {"name"});
        if (name == kGate) return std::nullopt;
        // The native sidecar and the copy of the migrations it reads belong before the gate.
        if (name == kSidecar || name == "schemagate-copy-migrations") continue;
        std::string problem = id + ": initContainer '";
        problem += name + "' runs before the schemagate gate, against a schema nobody checked: ";
        problem += "list the gate first";
        return problem;
    }
    return std::nullopt;
}

std::optional<std::string> timeout_warning(const std::string& id, const json& workload,
                                           const json& gate, const ConfigMapData& maps) {
    if (text_at(workload, {"kind"}) != "Deployment") return std::nullopt;
    const auto text =
        setting(gate, "--timeout", "SCHEMAGATE_TIMEOUT", maps).value_or(kDefaultTimeout);
    const auto timeout = parse_duration(text);
    const json& spec = object_at(workload, "spec");
    const long long deadline = spec.contains("progressDeadlineSeconds") &&
                                       spec["progressDeadlineSeconds"].is_number_integer()
                                   ? spec["progressDeadlineSeconds"].get<long long>()
                                   : kDefaultProgressDeadlineSeconds;
    if (!timeout || *timeout <= std::chrono::seconds(deadline)) return std::nullopt;
    return id + ": the gate may wait " + text + " (--timeout) but progressDeadlineSeconds is " +
           std::to_string(deadline) + "s: kubectl rollout status, Argo CD and Flux report a " +
           "rollout waiting on a migration as failed before the gate gives up; raise " +
           "progressDeadlineSeconds above the timeout or lower SCHEMAGATE_TIMEOUT";
}

}  // namespace

WorkloadFindings check_gated_workload(const std::string& id, const json& workload,
                                      const ConfigMapData& config_maps) {
    WorkloadFindings findings;
    const json& spec = pod_spec_of(workload);
    const json* gate = container_named(spec, kGate);
    const json* sidecar = container_named(spec, kSidecar);
    if (gate == nullptr || sidecar == nullptr) return findings;
    auto add = [&](std::optional<std::string> problem) {
        if (problem) findings.problems.push_back(std::move(*problem));
    };
    add(gate_order_problem(id, spec));
    add(probe_problem(id, *sidecar, config_maps));
    const auto gate_image = text_at(*gate, {"image"});
    const auto sidecar_image = text_at(*sidecar, {"image"});
    if (gate_image != sidecar_image) {
        add(id + ": the gate runs " + gate_image + " but the sidecar " + sidecar_image +
            ": run one version of schemagate in a pod (both read the same state tables)");
    }
    add(database_problem(id, *gate, config_maps));
    add(database_problem(id, *sidecar, config_maps));
    if (auto warning = timeout_warning(id, workload, *gate, config_maps)) {
        findings.warnings.push_back(std::move(*warning));
    }
    return findings;
}

std::vector<std::string> sidecar_port_names(const json& workload) {
    std::vector<std::string> names;
    const json* sidecar = container_named(pod_spec_of(workload), kSidecar);
    if (sidecar == nullptr) return names;
    for (const auto& port : array_at(*sidecar, "ports")) names.push_back(text_at(port, {"name"}));
    return names;
}

}  // namespace schemagate
