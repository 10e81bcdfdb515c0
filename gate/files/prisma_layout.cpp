// SPDX-License-Identifier: Apache-2.0
// Prisma's migration_lock.toml, read with toml++ (Debian's libtomlplusplus-dev).
#include <toml++/toml.h>

#include <system_error>

#include "errors.h"
#include "folder_layouts.h"

namespace schemagate {

void check_prisma_lock(const std::filesystem::path& directory) {
    const std::filesystem::path lock = directory / "migration_lock.toml";
    std::error_code error;
    if (!std::filesystem::exists(lock, error)) return;
    std::optional<std::string> provider;
    try {
        const toml::table table = toml::parse_file(lock.string());
        provider = table["provider"].value<std::string>();
    } catch (const toml::parse_error& e) {
        throw FatalError(ExitCode::kBadInput, "Prisma lock file " + lock.string() +
                                                  " does not read as TOML (line " +
                                                  std::to_string(e.source().begin.line) + ": " +
                                                  std::string(e.description()) + ")");
    }
    // Prisma writes the datasource's provider here; its migrations are that database's SQL.
    if (provider != "postgresql") {
        throw FatalError(ExitCode::kBadInput,
                         "Prisma lock file " + lock.string() + " says provider = " +
                             (provider ? "\"" + *provider + "\"" : std::string("(none)")) +
                             ": these migrations were generated for another database; "
                             "schemagate runs PostgreSQL migrations (provider = \"postgresql\")");
    }
}

}  // namespace schemagate
