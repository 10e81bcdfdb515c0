// SPDX-License-Identifier: Apache-2.0
#include "gate_main.h"

int main(int argc, char** argv) {
    return schemagate::gate_main(argc, argv);
}
