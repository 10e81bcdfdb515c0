// SPDX-License-Identifier: Apache-2.0
#pragma once

namespace schemagate {

// The process exit codes from DESIGN.md. Kubernetes shows them in `kubectl describe pod`,
// and scripts branch on them, so they are part of the interface and never renumbered.
enum class ExitCode : int {
    kOk = 0,               // schema is at (or beyond) the expected version
    kMigrationFailed = 1,  // a migration's SQL failed
    kDeadline = 2,         // --timeout passed while waiting
    kBadInput = 3,         // bad flags or files; nothing was changed
    kUnreachable = 4,      // database unreachable or authentication failed
    kStateRefused = 5,     // checksum drift, dirty set, out-of-order migration
    kLeaseLost = 6,        // fenced: the lease was lost while migrating
    kInterrupted = 130,    // SIGINT (128 + 2), the shell convention
    kTerminated = 143,     // SIGTERM (128 + 15), what the kubelet sends
};

inline int to_int(ExitCode code) {
    return static_cast<int>(code);
}

}  // namespace schemagate
