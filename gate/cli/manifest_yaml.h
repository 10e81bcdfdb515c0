// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <istream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace schemagate {

// The documents of a YAML stream (`---`-separated, what `kubectl kustomize` and `helm
// template` print), each as the JSON value Kubernetes reads from it: plain scalars resolved as
// YAML 1.2's core schema does (null, true/false, integers, floats), quoted ones kept as
// strings (`"8733"` is a string, `8733` a number). Empty documents are skipped. Throws
// FatalError (bad input) naming `source` and the line when the text is not YAML.
std::vector<nlohmann::json> read_yaml_documents(std::istream& in, const std::string& source);

}  // namespace schemagate
