// SPDX-License-Identifier: Apache-2.0
#include "sidecar_main.h"

int main(int argc, char** argv) {
    return schemagate::sidecar_main(argc, argv);
}
