// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>

#include "schema_snapshot.h"

namespace schemagate {

// The hazard series of /metrics (README, Hazards), appended to `out`; `labels` is the set's
// name label. Nothing before the first successful read:
// - schemagate_hazards_deferred: how many hazardous migrations gates left for the migration
//   Job (--hazards=defer) that are not applied yet; 0 when none (the alert's series);
// - schemagate_hazard_deferred{version,rule,relation}: 1 per such migration and rule;
// - schemagate_hazards_allowed: `-- schemagate:allow` directives recorded in the history.
void render_hazard_metrics(std::string& out, const std::string& labels,
                           const SchemaSnapshot& snapshot);

}  // namespace schemagate
