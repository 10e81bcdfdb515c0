// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <istream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace schemagate {

// What a rendered set of manifests says about schemagate's opt-in. Kustomize applies a
// Component's patches before the including kustomization's own `labels:` and `patches:`, so an
// opt-in label added there matches nothing and the workload silently runs without a gate: this
// check reads the render and names such workloads.
struct ManifestReport {
    std::vector<std::string> gated;     // "Deployment/shop": gate and readiness both present
    std::vector<std::string> problems;  // one line each, naming the workload
    std::vector<std::string> warnings;  // worth a look, not wrong (exit 0 still)
};

// The objects of a rendering: YAML documents (what `kubectl kustomize` and `helm template`
// print), or JSON: a stream of objects (what `kubectl ... -o json` prints for several
// documents) or `List` objects holding `items`. Throws FatalError (bad input) when the text is
// neither, naming `source`.
std::vector<nlohmann::json> read_manifest_objects(std::istream& in, const std::string& source);

ManifestReport check_manifests(const std::vector<nlohmann::json>& objects);

}  // namespace schemagate
