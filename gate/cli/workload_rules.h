// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace schemagate {

// The data of every ConfigMap in a render, by name: settings the containers take with envFrom
// (SCHEMAGATE_LISTEN, SCHEMAGATE_TIMEOUT) count as if written in their env.
using ConfigMapData = std::map<std::string, nlohmann::json>;

// The mistakes that leave a gated workload without its guarantee although both schemagate
// containers are there, each as one line naming the workload: the sidecar's readinessProbe
// missing, not on /readyz or on another port than the sidecar listens on; the gate not the
// first initContainer; gate and sidecar on different images; a container of schemagate's
// without a database URL. `warnings`: a gate --timeout longer than the Deployment's
// progressDeadlineSeconds.
struct WorkloadFindings {
    std::vector<std::string> problems;
    std::vector<std::string> warnings;
};
WorkloadFindings check_gated_workload(const std::string& id, const nlohmann::json& workload,
                                      const ConfigMapData& config_maps);

// The port names the sidecar of a workload declares.
std::vector<std::string> sidecar_port_names(const nlohmann::json& workload);

}  // namespace schemagate
