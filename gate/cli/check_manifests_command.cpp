// SPDX-License-Identifier: Apache-2.0
#include "check_manifests_command.h"

#include <fstream>
#include <iostream>

#include "errors.h"
#include "manifest_check.h"

namespace schemagate {

int run_check_manifests(const GateConfig& config) {
    const bool from_stdin = config.manifests_file == "-";
    const std::string source = from_stdin ? "standard input" : config.manifests_file;
    std::ifstream file;
    if (!from_stdin) {
        file.open(config.manifests_file, std::ios::binary);
        if (!file) throw FatalError(ExitCode::kBadInput, source + ": cannot be read");
    }
    const auto objects = read_manifest_objects(from_stdin ? std::cin : file, source);
    const ManifestReport report = check_manifests(objects);
    for (const auto& problem : report.problems) std::cerr << "schemagate: " << problem << '\n';
    for (const auto& warning : report.warnings) {
        std::cerr << "schemagate: warning: " << warning << '\n';
    }
    if (!report.problems.empty()) return to_int(ExitCode::kBadInput);
    if (report.gated.empty()) {
        std::cerr << "schemagate: " << source << ": no Deployment or StatefulSet carries "
                  << "schemagate (" << objects.size() << " objects read): is the opt-in label "
                  << "schemagate.io/gate=enabled set on the workload?\n";
        return to_int(ExitCode::kBadInput);
    }
    std::cout << "ok: " << report.gated.size() << " gated:";
    for (const auto& id : report.gated) std::cout << ' ' << id;
    std::cout << '\n';
    return 0;
}

}  // namespace schemagate
