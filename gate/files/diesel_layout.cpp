// SPDX-License-Identifier: Apache-2.0
// diesel's per-migration metadata.toml, read with toml++ (Debian's libtomlplusplus-dev).
#include <spdlog/spdlog.h>
#include <toml++/toml.h>

#include <system_error>

#include "errors.h"
#include "folder_layouts.h"
#include "migration_set.h"

namespace schemagate {

namespace {

[[noreturn]] void bad_metadata(const std::filesystem::path& file, const std::string& why) {
    throw FatalError(ExitCode::kBadInput, "diesel metadata file " + file.string() + ": " + why);
}

// What diesel's TomlMetadata makes of the file: its one key is `run_in_transaction`, and a
// file without it reads as false (serde's default for the field; only a missing file means
// true). diesel falls back to true when the file does not parse; schemagate refuses instead:
// a typo there would silently change how the migration runs.
bool runs_in_transaction(const std::filesystem::path& file) {
    try {
        const toml::table table = toml::parse_file(file.string());
        const toml::node_view<const toml::node> value = table["run_in_transaction"];
        if (!value) return false;
        if (!value.is_boolean()) bad_metadata(file, "run_in_transaction must be true or false");
        return value.value_or(true);
    } catch (const toml::parse_error& e) {
        bad_metadata(file, "does not read as TOML (line " + std::to_string(e.source().begin.line) +
                               ": " + std::string(e.description()) + ")");
    }
}

}  // namespace

void apply_diesel_metadata(const std::filesystem::path& folder, Migration& migration) {
    const std::filesystem::path file = folder / "metadata.toml";
    std::error_code error;
    if (!std::filesystem::exists(file, error) || runs_in_transaction(file)) return;
    if (migration.batch) {
        bad_metadata(file,
                     "run_in_transaction = false, but up.sql is a batched migration, "
                     "which runs each batch in a transaction of its own");
    }
    // The tool's own setting is the reason given, even where a statement would force it too.
    migration.no_transaction = true;
    migration.no_transaction_reason = "metadata.toml: run_in_transaction = false";
    migration.mixed = migration.statements.size() > 1;
    spdlog::debug("{} runs outside a transaction ({})", migration.file,
                  migration.no_transaction_reason);
}

}  // namespace schemagate
