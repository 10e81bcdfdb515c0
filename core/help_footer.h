// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace schemagate {

// What every --help ends with: the exit codes (README, "Exit codes"), so that a person reading
// a failed pod's status needs no other page, and where the manual is.
inline const char* const kGateExitCodes =
    "Exit codes: 0 the schema is at (or beyond) the target; 1 a migration failed; 2 --timeout "
    "passed (waiting, or a migration waiting for a lock); 3 bad configuration or input, nothing "
    "changed; 4 database unreachable, or authentication failed; 5 the schema state refuses "
    "(drift, dirty, out of order, a hazard under --hazards=refuse); 6 the lease was lost while "
    "migrating (fenced); 130/143 SIGINT/SIGTERM.";
inline const char* const kSidecarExitCodes =
    "Exit codes: 0 stopped by SIGTERM or SIGINT; 3 bad configuration (a flag, a port in use).";
inline const char* const kDocsLink =
    "Documentation: https://github.com/schemagate/schemagate#readme (README.md and docs/ in the "
    "source)";

// Sets the footer on the app and on each of its subcommands (CLI11 prints a subcommand's own
// footer for `COMMAND --help`).
inline void add_help_footer(CLI::App& app, const std::string& exit_codes) {
    const std::string footer = exit_codes + "\n" + kDocsLink;
    app.footer(footer);
    for (CLI::App* sub : app.get_subcommands({})) sub->footer(footer);
}

}  // namespace schemagate
