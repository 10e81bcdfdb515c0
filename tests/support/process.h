// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace schemagate::testing {

using Millis = std::chrono::milliseconds;

// A real child process (a gate or a sidecar, as Kubernetes would run it), with stdout and
// stderr captured to files so that fifty of them never block on a full pipe.
class Process {
  public:
    // `environment` entries override the inherited environment; an empty value unsets.
    Process(std::vector<std::string> arguments,
            std::map<std::string, std::string> environment = {});
    ~Process();  // SIGKILLs the child if it still runs
    Process(Process&& other) noexcept;
    Process& operator=(Process&&) = delete;
    Process(const Process&) = delete;

    pid_t pid() const { return pid_; }
    void signal(int signal_number) const;
    // True once exited (reaped); false if still running after `timeout`.
    bool wait_for_exit(Millis timeout);
    bool exited() const { return exited_; }
    int exit_code() const { return exit_code_; }      // -1 when killed by a signal
    int term_signal() const { return term_signal_; }  // 0 unless killed by a signal
    std::string out() const;
    std::string err() const;

  private:
    pid_t pid_ = -1;
    std::string out_path_;
    std::string err_path_;
    bool exited_ = false;
    int exit_code_ = -1;
    int term_signal_ = 0;
};

// Runs to completion; a child still running after `timeout` is killed and the result has
// exit_code -2 (the caller's assertions on the exit code then fail).
struct RunResult {
    int exit_code = -1;
    std::string out;
    std::string err;
};
RunResult run(std::vector<std::string> arguments,
              std::map<std::string, std::string> environment = {},
              Millis timeout = Millis{120'000});

// Polls `condition` every few milliseconds until it holds or `timeout` passes: awaiting an
// event we cannot be notified of (a row appearing, a process starting to wait).
bool eventually(const std::function<bool()>& condition, Millis timeout = Millis{30'000});

// A TCP port on 127.0.0.1 that nothing listens on right now, for a server a test starts.
int free_port();

// Removes the files that captured children's output (at the end of a test binary).
void remove_captured_output();

// Paths baked in by CMake.
std::string gate_binary();
std::string sidecar_binary();
std::string examples_migrations();

}  // namespace schemagate::testing
