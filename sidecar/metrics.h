// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>

#include "readiness.h"

namespace schemagate {

// /metrics in the Prometheus text exposition format (version 0.0.4), every series labelled
// with the migration set's name. Pure.
std::string render_metrics(const std::string& name, const SchemaSnapshot& snapshot,
                           const ReadinessPolicy& policy, const Readiness& readiness);

}  // namespace schemagate
