// SPDX-License-Identifier: Apache-2.0
#include "connect_options.h"

#include "database_target.h"

namespace schemagate {

ConnectOptions connect_options(const GateConfig& config, std::string application_name) {
    ConnectOptions options;
    options.target = resolve_database_target(config.database_url, config.database_url_file,
                                             config.database_url_source);
    options.application_name = std::move(application_name);
    return options;
}

}  // namespace schemagate
