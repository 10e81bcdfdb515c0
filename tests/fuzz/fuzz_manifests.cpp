// SPDX-License-Identifier: Apache-2.0
// check-manifests' reader and rules on any bytes (YAML or JSON): either the input is refused as
// bad input (FatalError, exit 3) or it yields objects the checks read without crashing, every
// problem and warning one non-empty line.
#include <cstdint>
#include <sstream>
#include <string>

#include "errors.h"
#include "fuzz_assert.h"
#include "manifest_check.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
    try {
        const auto objects = schemagate::read_manifest_objects(in, "fuzz");
        const auto report = schemagate::check_manifests(objects);
        for (const auto* lines : {&report.problems, &report.warnings}) {
            for (const auto& line : *lines) {
                FUZZ_ASSERT_TRUE(!line.empty() && line.find('\n') == std::string::npos);
            }
        }
    } catch (const schemagate::FatalError& e) {
        FUZZ_ASSERT_TRUE(e.code() == schemagate::ExitCode::kBadInput);
    }
    return 0;
}
