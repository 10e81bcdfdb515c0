// SPDX-License-Identifier: Apache-2.0
#include "termination_log.h"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>

#include "secret_scrubber.h"

namespace schemagate {

namespace {

// The kubelet reads at most 4096 bytes of the termination message.
constexpr std::size_t kMaxTerminationMessage = 4096;

}  // namespace

void write_termination_message(const std::string& path, bool path_explicit,
                               const std::string& message) {
    if (path.empty()) return;
    // The kubelet creates the default file; never create it ourselves outside Kubernetes.
    if (!path_explicit && !std::filesystem::exists(path)) return;
    std::string line = scrub(message);
    for (char& c : line) {
        if (c == '\n' || c == '\r') c = ' ';
    }
    if (line.size() > kMaxTerminationMessage - 1) line.resize(kMaxTerminationMessage - 1);
    line += '\n';
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    if (file) file << line;
    if ((!file || !file.flush()) && path_explicit) {
        spdlog::warn("cannot write the termination message to {}", path);
    }
}

}  // namespace schemagate
