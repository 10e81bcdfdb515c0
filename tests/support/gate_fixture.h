// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <pqxx/connection>
#include <string>
#include <vector>

#include "postgres_server.h"
#include "process.h"

namespace schemagate::testing {

// A fresh database and a fresh migrations directory per test, and the real gate binary run
// as separate processes against them. Every byte the gates print is kept, so a test can
// assert that no password ever appeared.
class GateTest : public ::testing::Test {
  protected:
    void SetUp() override;
    void TearDown() override;

    void write_migration(const std::string& name, const std::string& sql) const;
    // Copies the example migration set (examples/migrations, V1..V5) into migrations_.
    void use_examples() const;

    // The gate with DATABASE_URL set (never on the command line, where `ps` shows it).
    std::vector<std::string> gate_args(std::vector<std::string> args) const;
    std::map<std::string, std::string> gate_env(
        std::map<std::string, std::string> extra = {}) const;
    RunResult gate(std::vector<std::string> args, std::map<std::string, std::string> env = {});
    Process start_gate(std::vector<std::string> args, std::map<std::string, std::string> env = {});
    // Records a finished process's output for the password check.
    void keep_output(const Process& process);

    long long query_int(const std::string& sql) const;
    std::string query_text(const std::string& sql) const;
    void exec(const std::string& sql) const;
    // Everything about the database that a failed run must leave untouched.
    std::string database_fingerprint() const;

    // The test database's URL with the server's port replaced (a proxy in front of it).
    std::string url_through_port(int port) const;

    std::string url_;
    std::filesystem::path migrations_;
    std::string captured_;  // all stdout+stderr of every gate this test ran
};

}  // namespace schemagate::testing
