// SPDX-License-Identifier: Apache-2.0
#include <cstdio>
#include "version.h"
int main() { std::printf("schemagate-sidecar %s\n", schemagate::kVersion); }
