// SPDX-License-Identifier: Apache-2.0
#include <cstdio>
#include <cstdlib>

#include "sidecar_main.h"

int main(int argc, char** argv) {
    const int code = schemagate::sidecar_main(argc, argv);
    // A connection attempt in flight at SIGTERM is left behind on its own thread (libpq cannot
    // interrupt one): end without running static destructors it may still be using.
    std::fflush(nullptr);
    std::_Exit(code);
}
