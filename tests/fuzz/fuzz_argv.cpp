// SPDX-License-Identifier: Apache-2.0
// Any command line of either binary, with a password planted where a person could put one by
// mistake (a URL's or a key=value password, a webhook's token; behind a mistyped flag, as a
// stray argument, as --flag=value, in a short-flag cluster): whatever the flag parsers answer,
// the password never comes back on stdout or stderr, and the exit code is 0 (help, version)
// or 3.
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_assert.h"
#include "gate_config.h"
#include "secret_scrubber.h"
#include "sidecar_config.h"

namespace {

// Around the fuzzed part of the password, so that it can be told from what the parsers write.
constexpr std::string_view kOpen = "Qz7";
constexpr std::string_view kClose = "7zQ";
constexpr std::size_t kMaxArguments = 12;

std::string quoted_conninfo(const std::string& value) {
    std::string out = "'";
    for (const char c : value) {
        if (c == '\'' || c == '\\') out += '\\';
        out += c;
    }
    return out + "'";
}

std::vector<std::string> planted(unsigned form, const std::string& password) {
    const std::string url = "postgresql://app:" + password + "@db:5432/app";
    switch (form % 9) {
        case 0:
            return {url};
        case 1:
            return {"--databse-url", url};
        case 2:
            return {"--databse-url=" + url};
        case 3:
            return {"--target=" + url};
        case 4:
            return {"--databse-url", "host=db password=" + password + " user=u"};
        case 5:
            return {"dbname=app password=" + quoted_conninfo(password)};
        case 6:
            return {"--notfy-url", "https://hooks.example.com/services/" + password};
        case 7:
            return {"-v" + url};
        default:
            return {"--database-url", url, "--listen=" + url};
    }
}

std::vector<std::string> split(std::string_view data) {
    std::vector<std::string> tokens;
    while (tokens.size() < kMaxArguments) {
        const auto end = data.find('\0');
        tokens.emplace_back(data.substr(0, end));
        if (end == std::string_view::npos) break;
        data.remove_prefix(end + 1);
    }
    return tokens;
}

// Runs one binary's flag parsing on `arguments`; returns everything it printed.
std::string parse_printing(bool gate, const std::vector<std::string>& arguments, int& exit_code) {
    std::vector<const char*> argv = {gate ? "schemagate" : "schemagate-sidecar"};
    for (const auto& argument : arguments) argv.push_back(argument.c_str());
    std::ostringstream printed;
    auto* out = std::cout.rdbuf(printed.rdbuf());
    auto* err = std::cerr.rdbuf(printed.rdbuf());
    exit_code = 0;
    const auto argc = static_cast<int>(argv.size());
    if (gate) {
        const auto parsed = schemagate::parse_gate_config(argc, argv.data());
        if (const int* code = std::get_if<int>(&parsed)) exit_code = *code;
    } else {
        const auto parsed = schemagate::parse_sidecar_config(argc, argv.data());
        if (const int* code = std::get_if<int>(&parsed)) exit_code = *code;
    }
    std::cout.rdbuf(out);
    std::cerr.rdbuf(err);
    return printed.str();
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
    // The sidecar's expected version from the environment: no --migrations directory is ever
    // listed. Nothing else from this process's environment takes part.
    setenv("SCHEMAGATE_TARGET", "1", 1);
    for (const char* name : {"DATABASE_URL", "SCHEMAGATE_DATABASE_URL_FILE",
                             "SCHEMAGATE_NOTIFY_URL", "SCHEMAGATE_NOTIFY_URL_FILE", "PGPASSWORD"}) {
        unsetenv(name);
    }
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 3) return 0;
    const bool gate = (data[0] & 1) != 0;
    const unsigned form = data[0] >> 1;
    const std::size_t at = data[1];
    std::vector<std::string> tokens =
        split(std::string_view(reinterpret_cast<const char*>(data) + 2, size - 2));
    // The last token is the fuzzed part of the password; the others are arguments.
    const std::string password = std::string(kOpen) + tokens.back() + std::string(kClose);
    tokens.pop_back();
    for (const auto& token : tokens) {
        // A password also typed as a plain word cannot be told from it; and a file read while
        // parsing could be anything (/dev/zero).
        if (token.find(kOpen) != std::string::npos || token.find(kClose) != std::string::npos ||
            token.find("notify-url-file") != std::string::npos) {
            return 0;
        }
    }
    const auto plant = planted(form, password);
    tokens.insert(tokens.begin() + static_cast<std::ptrdiff_t>(std::min(at, tokens.size())),
                  plant.begin(), plant.end());
    schemagate::forget_secrets();
    int exit_code = 0;
    const std::string printed = parse_printing(gate, tokens, exit_code);
    if (printed.find(password) != std::string::npos || printed.find(kOpen) != std::string::npos ||
        printed.find(kClose) != std::string::npos) {
        std::fprintf(stderr, "the password (or a part of it) came back:\n%s\n", printed.c_str());
    }
    FUZZ_ASSERT_TRUE(printed.find(password) == std::string::npos);
    // Nor any part of it: the password's ends are markers no other argument holds.
    FUZZ_ASSERT_TRUE(printed.find(kOpen) == std::string::npos);
    FUZZ_ASSERT_TRUE(printed.find(kClose) == std::string::npos);
    FUZZ_ASSERT_TRUE(exit_code == 0 || exit_code == 3);
    return 0;
}
