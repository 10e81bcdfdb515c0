// SPDX-License-Identifier: Apache-2.0
// main() of every test binary that needs PostgreSQL: one server for the whole binary.
#include <gtest/gtest.h>

#include <csignal>
#include <cstdlib>

#include "postgres_server.h"
#include "process.h"

namespace {

class PostgresEnvironment final : public ::testing::Environment {
  public:
    void SetUp() override { schemagate::testing::PostgresServer::instance().start(); }
    void TearDown() override {
        schemagate::testing::PostgresServer::instance().destroy();
        schemagate::testing::remove_captured_output();
    }
};

void destroy_and_reraise(int signal_number) {
    schemagate::testing::PostgresServer::instance().destroy();
    std::signal(signal_number, SIG_DFL);
    std::raise(signal_number);
}

}  // namespace

int main(int argc, char** argv) {
    ::testing::InitGoogleTest(&argc, argv);
    ::testing::AddGlobalTestEnvironment(new PostgresEnvironment);
    std::signal(SIGINT, destroy_and_reraise);
    std::signal(SIGTERM, destroy_and_reraise);
    // Child processes we kill must not take us down through a broken pipe.
    std::signal(SIGPIPE, SIG_IGN);
    return RUN_ALL_TESTS();
}
