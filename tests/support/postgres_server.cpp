// SPDX-License-Identifier: Apache-2.0
#include "postgres_server.h"

#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <pqxx/connection>
#include <pqxx/nontransaction>
#include <sstream>
#include <stdexcept>

namespace schemagate::testing {

namespace {

std::string run_script(const std::string& arguments) {
    const std::string command = std::string(SCHEMAGATE_PG_TEST_SERVER) + " " + arguments;
    FILE* pipe = popen(command.c_str(), "r");
    if (pipe == nullptr) throw std::runtime_error("cannot run " + command);
    std::string output;
    char buffer[512];
    while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) output += buffer;
    const int status = pclose(pipe);
    if (status != 0)
        throw std::runtime_error("failed (" + std::to_string(status) + "): " + command);
    return output;
}

std::string sanitize(const std::string& name) {
    std::string out;
    for (const char c : name) {
        out +=
            std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::tolower(c)) : '_';
    }
    return out.substr(0, 40);
}

}  // namespace

PostgresServer& PostgresServer::instance() {
    static PostgresServer server;
    return server;
}

void PostgresServer::start() {
    if (running()) return;
    std::istringstream lines(run_script("start --watch-pid " + std::to_string(getpid())));
    std::string line;
    while (std::getline(lines, line)) {
        const auto equals = line.find('=');
        if (equals == std::string::npos) continue;
        const std::string key = line.substr(0, equals);
        const std::string value = line.substr(equals + 1);
        if (key == "PGTEST_DIR") dir_ = value;
        if (key == "PGTEST_PORT") port_ = std::stoi(value);
        if (key == "PGTEST_PASSWORD") password_ = value;
    }
    if (dir_.empty() || port_ == 0) throw std::runtime_error("pg-test-server printed no server");
    std::fprintf(stderr, "[postgres] test server in %s on port %d\n", dir_.c_str(), port_);
}

void PostgresServer::destroy() {
    if (!running()) return;
    run_script("destroy " + dir_);
    dir_.clear();
}

void PostgresServer::keep_for_inspection() {
    if (running()) run_script("keep " + dir_);
}

void PostgresServer::stop_server() {
    run_script("stop-server " + dir_);
}

void PostgresServer::crash_server() {
    run_script("crash-server " + dir_);
}

void PostgresServer::start_server() {
    run_script("start-server " + dir_);
}

std::string PostgresServer::url(const std::string& database) const {
    return "postgresql://postgres:" + password_ + "@127.0.0.1:" + std::to_string(port_) + "/" +
           database;
}

std::string PostgresServer::fresh_database(const std::string& prefix) {
    const std::string name = sanitize(prefix) + "_" + std::to_string(++databases_created_);
    pqxx::connection admin(url());
    pqxx::nontransaction work(admin);
    work.exec("CREATE DATABASE " + admin.quote_name(name) + " TEMPLATE template0");
    return url(name);
}

}  // namespace schemagate::testing
