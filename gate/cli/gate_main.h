// SPDX-License-Identifier: Apache-2.0
#pragma once

namespace schemagate {

// The whole gate program: parse, run the command, map every failure to DESIGN.md's exit
// codes (the one top-level catch), write the termination message. Returns the exit code.
int gate_main(int argc, const char* const* argv);

}  // namespace schemagate
