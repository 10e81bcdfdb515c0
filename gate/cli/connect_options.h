// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>

#include "connection.h"
#include "gate_config.h"

namespace schemagate {

// The database the command line names (--database-url, --database-url-file, DATABASE_URL,
// libpq's variables), resolved once for every subcommand, and the name the session shows in
// pg_stat_activity.
ConnectOptions connect_options(const GateConfig& config, std::string application_name);

}  // namespace schemagate
