// SPDX-License-Identifier: Apache-2.0
#include "process.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace schemagate::testing {

namespace {

std::string capture_dir() {
    static const std::string dir = [] {
        std::string pattern = "/tmp/sgproc.XXXXXX";
        if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
        return pattern;
    }();
    return dir;
}

std::string read_all(const std::string& path) {
    std::ifstream file(path, std::ios::binary);
    std::ostringstream content;
    content << file.rdbuf();
    return content.str();
}

}  // namespace

Process::Process(std::vector<std::string> arguments,
                 std::map<std::string, std::string> environment) {
    static int counter = 0;
    const std::string base = capture_dir() + "/p" + std::to_string(++counter);
    out_path_ = base + ".out";
    err_path_ = base + ".err";

    std::map<std::string, std::string> merged;
    for (char** entry = environ; *entry != nullptr; ++entry) {
        const std::string text(*entry);
        const auto equals = text.find('=');
        if (equals != std::string::npos) merged[text.substr(0, equals)] = text.substr(equals + 1);
    }
    for (const auto& [key, value] : environment) {
        if (value.empty()) {
            merged.erase(key);
        } else {
            merged[key] = value;
        }
    }
    std::vector<std::string> env_strings;
    for (const auto& [key, value] : merged) env_strings.push_back(key + "=" + value);
    std::vector<char*> argv;
    for (auto& argument : arguments) argv.push_back(argument.data());
    argv.push_back(nullptr);
    std::vector<char*> envp;
    for (auto& entry : env_strings) envp.push_back(entry.data());
    envp.push_back(nullptr);

    const int out_fd = open(out_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    const int err_fd = open(err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    pid_ = fork();
    if (pid_ == 0) {
        dup2(out_fd, 1);
        dup2(err_fd, 2);
        const int null_fd = open("/dev/null", O_RDONLY);
        dup2(null_fd, 0);
        // The test binary ignores SIGPIPE; children start with default dispositions.
        ::signal(SIGPIPE, SIG_DFL);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, nullptr);
        execve(argv[0], argv.data(), envp.data());
        std::fprintf(stderr, "exec %s: %s\n", argv[0], std::strerror(errno));
        _exit(127);
    }
    close(out_fd);
    close(err_fd);
    if (pid_ < 0) throw std::runtime_error("fork failed");
}

Process::Process(Process&& other) noexcept
    : pid_(other.pid_),
      out_path_(std::move(other.out_path_)),
      err_path_(std::move(other.err_path_)),
      exited_(other.exited_),
      exit_code_(other.exit_code_),
      term_signal_(other.term_signal_) {
    other.pid_ = -1;
}

Process::~Process() {
    if (pid_ > 0 && !exited_) {
        ::kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
    }
}

void Process::signal(int signal_number) const {
    if (pid_ > 0 && !exited_) ::kill(pid_, signal_number);
}

bool Process::wait_for_exit(Millis timeout) {
    if (exited_) return true;
    const auto until = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        int status = 0;
        const pid_t done = waitpid(pid_, &status, WNOHANG);
        if (done == pid_) {
            exited_ = true;
            if (WIFEXITED(status)) exit_code_ = WEXITSTATUS(status);
            if (WIFSIGNALED(status)) term_signal_ = WTERMSIG(status);
            return true;
        }
        if (std::chrono::steady_clock::now() >= until) return false;
        std::this_thread::sleep_for(Millis{2});
    }
}

std::string Process::out() const {
    return read_all(out_path_);
}
std::string Process::err() const {
    return read_all(err_path_);
}

RunResult run(std::vector<std::string> arguments, std::map<std::string, std::string> environment,
              Millis timeout) {
    Process process(std::move(arguments), std::move(environment));
    if (!process.wait_for_exit(timeout)) {
        process.signal(SIGKILL);
        process.wait_for_exit(Millis{5000});
        return RunResult{-2, process.out(), process.err() + "\n[test] killed after timeout"};
    }
    return RunResult{process.exit_code(), process.out(), process.err()};
}

void remove_captured_output() {
    std::filesystem::remove_all(capture_dir());
}

bool eventually(const std::function<bool()>& condition, Millis timeout) {
    const auto until = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < until) {
        if (condition()) return true;
        std::this_thread::sleep_for(Millis{5});
    }
    return condition();
}

std::string gate_binary() {
    return SCHEMAGATE_GATE_BIN;
}
std::string sidecar_binary() {
    return SCHEMAGATE_SIDECAR_BIN;
}
std::string examples_migrations() {
    return SCHEMAGATE_EXAMPLES_MIGRATIONS;
}

int free_port() {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
    socklen_t length = sizeof address;
    getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
    close(fd);
    return ntohs(address.sin_port);
}

}  // namespace schemagate::testing
