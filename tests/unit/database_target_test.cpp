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

// libpq reads "alice:s3cr" of postgresql://alice:s3cr/et@db/app as host:port (and so
// registers no password); RFC 3986 ends the user info at the first '/', '?' or '#'; a person
// meant the last '@'. Wherever these readings differ the URL is refused, naming where it came
// from and quoting nothing of it.
TEST(DatabaseTarget, AUrlWhosePasswordsEndIsAmbiguousIsRefusedWithoutEchoingIt) {
    for (const char* url :
         {"postgresql://alice:s3cr/et-Slash1@db/app", "postgresql://alice:s3cr?et-Query1@db/app",
          "postgres://alice:s3cr#et-Hash1@db:5432/app",
          "postgresql://alice:s3cr@et-At1@db/app?sslmode=disable",
          "postgresql://alice:1234/5678-Digits@db/app"}) {
        try {
            resolve_database_target(url, "", "DATABASE_URL");
            FAIL() << "expected an error for " << url;
        } catch (const FatalError& e) {
            EXPECT_EQ(e.code(), ExitCode::kBadInput);
            const std::string message = e.what();
            EXPECT_EQ(message.rfind("DATABASE_URL: ", 0), 0U) << message;
            EXPECT_NE(message.find("%2F"), std::string::npos) << message;
            EXPECT_EQ(message.find("s3cr"), std::string::npos) << message;
            EXPECT_EQ(message.find("1234"), std::string::npos) << message;
            EXPECT_EQ(message.find('\n'), std::string::npos) << message;
        }
    }
    // Registered before the refusal: whatever prints the value later blanks it.
    EXPECT_EQ(scrub("x s3cr/et-Slash1 y"), "x *** y");
    // Encoded, the same passwords are fine; so are '@' and '/' after the host.
    for (const char* url :
         {"postgresql://alice:s3cr%2Fet@db/app", "postgresql://alice:s3cr%3Fet@db/app",
          "postgresql://alice:s3cr%23et@db/app", "postgresql://alice:s3cr%40et@db/app",
          "postgresql://alice@db/app", "postgresql:///app?host=/var/run/postgresql",
          "postgresql://alice:pw@/app?host=/var/run/postgresql"}) {
        EXPECT_NO_THROW(resolve_database_target(url, "")) << url;
    }
}

TEST(DatabaseTarget, AnAmbiguousUrlInAFileNamesTheFile) {
    const auto path = std::filesystem::temp_directory_path() / "sg-url-ambiguous";
    std::ofstream(path) << "postgresql://u:File/Secret8@h:5/d\n";
    try {
        resolve_database_target("", path.string());
        FAIL() << "expected an error";
    } catch (const FatalError& e) {
        EXPECT_EQ(e.code(), ExitCode::kBadInput);
        EXPECT_NE(std::string(e.what()).find(path.string()), std::string::npos) << e.what();
        EXPECT_EQ(std::string(e.what()).find("Secret8"), std::string::npos) << e.what();
    }
    std::filesystem::remove(path);
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
    const std::string conninfo = conninfo_with("postgresql://u@h/d", "schemagate pod-1/7", 5, true);
    EXPECT_NE(conninfo.find("application_name='schemagate pod-1/7'"), std::string::npos)
        << conninfo;
    EXPECT_NE(conninfo.find("connect_timeout='5'"), std::string::npos) << conninfo;
    EXPECT_NE(conninfo.find("host='h'"), std::string::npos) << conninfo;
}

// The server must notice a dead client as fast as the client notices a dead server: the
// same keepalives go to the server for our sessions only, in the startup packet (a SET would
// stay on a pooled server connection).
TEST(DatabaseTarget, ConninfoAsksTheServerForTheClientsKeepalives) {
    unsetenv("PGOPTIONS");
    const std::string conninfo = conninfo_with("postgresql://u@h/d", "schemagate", 5, true);
    EXPECT_NE(conninfo.find("options='-c tcp_keepalives_idle=5 -c tcp_keepalives_interval=2 "
                            "-c tcp_keepalives_count=3 -c tcp_user_timeout=10000'"),
              std::string::npos)
        << conninfo;
    EXPECT_NE(conninfo.find("keepalives_idle='5'"), std::string::npos) << conninfo;
    EXPECT_NE(conninfo.find("tcp_user_timeout='10000'"), std::string::npos) << conninfo;
    const std::string omitted = conninfo_with("postgresql://u@h/d", "schemagate", 5, false);
    EXPECT_EQ(omitted.find("options="), std::string::npos) << omitted;
}

// The user's own options stay, and a setting they chose wins over ours; PGOPTIONS, which a
// conninfo `options` would hide from libpq, is kept the same way.
TEST(DatabaseTarget, TheUsersOwnServerOptionsStayAndWin) {
    unsetenv("PGOPTIONS");
    const std::string url =
        "postgresql://u@h/d?options=-c%20search_path%3Dapp%20-c%20tcp_keepalives_idle%3D60";
    const std::string merged = conninfo_with(url, "schemagate", 5, true);
    EXPECT_NE(merged.find("options='-c search_path=app -c tcp_keepalives_idle=60 "
                          "-c tcp_keepalives_interval=2 -c tcp_keepalives_count=3 "
                          "-c tcp_user_timeout=10000'"),
              std::string::npos)
        << merged;
    const std::string without = conninfo_with(url, "schemagate", 5, false);
    EXPECT_NE(without.find("options='-c search_path=app -c tcp_keepalives_idle=60'"),
              std::string::npos)
        << without;
    setenv("PGOPTIONS", "--search_path=app --tcp-user-timeout=3000", 1);
    const std::string from_env = conninfo_with("postgresql://u@h/d", "schemagate", 5, true);
    const std::string env_only = conninfo_with("postgresql://u@h/d", "schemagate", 5, false);
    unsetenv("PGOPTIONS");
    EXPECT_NE(from_env.find("options='--search_path=app --tcp-user-timeout=3000 "
                            "-c tcp_keepalives_idle=5 -c tcp_keepalives_interval=2 "
                            "-c tcp_keepalives_count=3'"),
              std::string::npos)
        << from_env;
    // Left to libpq as it was.
    EXPECT_EQ(env_only.find("options="), std::string::npos) << env_only;
}

}  // namespace
}  // namespace schemagate
