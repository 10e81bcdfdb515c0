// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <utility>

namespace schemagate::testing {

// Runs `body` with the process's stdout and stderr (file descriptors 1 and 2, so C and C++
// streams alike) sent to temporary files; returns what body returned and what it wrote to
// stderr. Single-threaded callers only.
template <typename Body>
auto with_captured_stderr(Body&& body) {
    std::fflush(nullptr);
    std::cout.flush();
    std::cerr.flush();
    std::FILE* out_file = std::tmpfile();
    std::FILE* err_file = std::tmpfile();
    const int saved_out = dup(1);
    const int saved_err = dup(2);
    dup2(fileno(out_file), 1);
    dup2(fileno(err_file), 2);
    const auto restore = [&] {
        std::cout.flush();
        std::cerr.flush();
        std::fflush(nullptr);
        dup2(saved_out, 1);
        dup2(saved_err, 2);
        close(saved_out);
        close(saved_err);
    };
    auto result = [&] {
        try {
            return std::forward<Body>(body)();
        } catch (...) {
            restore();
            std::fclose(out_file);
            std::fclose(err_file);
            throw;
        }
    }();
    restore();
    std::string err;
    std::rewind(err_file);
    char buffer[4096];
    for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, err_file)) > 0;) {
        err.append(buffer, n);
    }
    std::fclose(out_file);
    std::fclose(err_file);
    return std::make_pair(std::move(result), std::move(err));
}

}  // namespace schemagate::testing
