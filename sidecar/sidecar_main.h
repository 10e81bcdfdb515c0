// SPDX-License-Identifier: Apache-2.0
#pragma once

namespace schemagate {

// The whole sidecar program; returns the exit code (0 after SIGTERM, 3 on bad config).
int sidecar_main(int argc, const char* const* argv);

}  // namespace schemagate
