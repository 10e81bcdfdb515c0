// SPDX-License-Identifier: Apache-2.0
#include "database_target.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "errors.h"
#include "secret_scrubber.h"

namespace schemagate {
namespace {

TEST(DatabaseTarget, DescribesWithoutThePasswordAndRegistersIt) {
    const auto target =
        resolve_database_target("postgresql://app:Sup3r-Secret@db.example:6543/shop", "");
    EXPECT_EQ(target.description, "app@db.example:6543/shop");
    EXPECT_EQ(target.description.find("Sup3r-Secret"), std::string::npos);
    EXPECT_EQ(scrub("oops Sup3r-Secret"), "oops ***");
}

TEST(DatabaseTarget, KeyValueFormToo) {
    const auto target =
        resolve_database_target("host=h port=1 dbname=d user=u password=kv-Secret9", "");
    EXPECT_EQ(target.description, "u@h:1/d");
    EXPECT_EQ(scrub("kv-Secret9"), "***");
}

TEST(DatabaseTarget, ReadsAMountedSecretFileIgnoringTheTrailingNewline) {
    const auto path = std::filesystem::temp_directory_path() / "sg-url-test";
    std::ofstream(path) << "postgresql://u:File-Secret7@h:5/d\n";
    const auto target = resolve_database_target("", path.string());
    EXPECT_EQ(target.conninfo, "postgresql://u:File-Secret7@h:5/d");
    std::filesystem::remove(path);
}

TEST(DatabaseTarget, AnUnencodedAtInThePasswordIsRefusedWithoutEchoingIt) {
    try {
        resolve_database_target("postgresql://app:se@cret-part@db.internal:5432/shop", "");
        FAIL() << "expected an error";
    } catch (const FatalError& e) {
        EXPECT_EQ(e.code(), ExitCode::kBadInput);
        const std::string message = e.what();
        EXPECT_NE(message.find("--database-url"), std::string::npos) << message;
        EXPECT_NE(message.find("%40"), std::string::npos) << message;
        EXPECT_EQ(message.find("cret-part"), std::string::npos) << message;
    }
    EXPECT_NO_THROW(resolve_database_target("postgresql://app:se%40cret@db/shop", ""));
}

TEST(DatabaseTarget, BadInputNamesTheFlagOrFileAndNeverEchoesTheValue) {
    try {
        resolve_database_target("postgresql://u:Leak-Me-1@h:notaport/d?bogus=1", "");
        FAIL() << "expected an error";
    } catch (const FatalError& e) {
        EXPECT_EQ(e.code(), ExitCode::kBadInput);
        EXPECT_NE(std::string(e.what()).find("--database-url"), std::string::npos);
        EXPECT_EQ(std::string(e.what()).find("Leak-Me-1"), std::string::npos);
    }
    try {
        resolve_database_target("", "/nonexistent/secret");
        FAIL() << "expected an error";
    } catch (const FatalError& e) {
        EXPECT_EQ(e.code(), ExitCode::kBadInput);
        EXPECT_NE(std::string(e.what()).find("/nonexistent/secret"), std::string::npos);
    }
}

TEST(DatabaseTarget, ConninfoGetsApplicationNameAndAConnectTimeout) {
    const std::string conninfo = conninfo_with("postgresql://u@h/d", "schemagate pod-1/7", 5);
    EXPECT_NE(conninfo.find("application_name='schemagate pod-1/7'"), std::string::npos)
        << conninfo;
    EXPECT_NE(conninfo.find("connect_timeout='5'"), std::string::npos) << conninfo;
    EXPECT_NE(conninfo.find("host='h'"), std::string::npos) << conninfo;
}

}  // namespace
}  // namespace schemagate
