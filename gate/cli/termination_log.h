// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>

namespace schemagate {

// Writes the one-line failure summary that `kubectl describe pod` shows as the container's
// termination message: scrubbed of secrets and cut to the kubelet's 4 KiB. The default path
// (/dev/termination-log) is skipped silently when it is not writable, i.e. outside
// Kubernetes; a path the user named that cannot be written is logged as a warning.
void write_termination_message(const std::string& path, bool path_explicit,
                               const std::string& message);

}  // namespace schemagate
