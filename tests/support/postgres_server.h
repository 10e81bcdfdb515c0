// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>

namespace schemagate::testing {

// One throwaway PostgreSQL 15 server per test binary, started by tests/harness/pg-test-server
// (the same script the demo and shell tests use). Each test gets a fresh database. The server
// and its directory are removed when the binary exits, also on failure, SIGINT/SIGTERM, and
// -- through the script's --watch-pid -- even when the binary is killed outright.
// Not thread-safe; tests call it from the main thread.
class PostgresServer {
  public:
    static PostgresServer& instance();

    void start();
    void destroy();
    // After a failed test: destroy() then stops the server but keeps its data directory.
    void keep_for_inspection();
    // Stop and start the same server (same port, same data) in the middle of a test.
    void stop_server();
    // As a server crash: `pg_ctl stop -m immediate`; what was only in WAL buffers is lost.
    void crash_server();
    void start_server();

    bool running() const { return !dir_.empty(); }
    const std::string& dir() const { return dir_; }
    int port() const { return port_; }
    const std::string& password() const { return password_; }

    // postgresql://postgres:<password>@127.0.0.1:<port>/<database>
    std::string url(const std::string& database = "postgres") const;

    // CREATE DATABASE <prefix>_<n> TEMPLATE template0; returns its URL.
    std::string fresh_database(const std::string& prefix);

  private:
    std::string dir_;
    int port_ = 0;
    std::string password_;
    int databases_created_ = 0;
};

}  // namespace schemagate::testing
