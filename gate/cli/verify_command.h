// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gate_config.h"

namespace schemagate {

// verify: runs the checks (.verify.sql) of every applied migration against the database as it
// is now, in read-only transactions, and reports each; exit 0 when all hold, 1 when one does
// not. Post-deploy validation: data written since may have broken what held at migration time.
int run_verify(const GateConfig& config);

}  // namespace schemagate
