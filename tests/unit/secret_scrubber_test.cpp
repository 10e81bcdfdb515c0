// SPDX-License-Identifier: Apache-2.0
#include "secret_scrubber.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <vector>

namespace schemagate {
namespace {

TEST(SecretScrubber, ReplacesEveryOccurrence) {
    register_secret("hunter2-xyz");
    EXPECT_EQ(scrub("a hunter2-xyz b hunter2-xyz"), "a *** b ***");
    EXPECT_EQ(scrub("nothing secret"), "nothing secret");
}

TEST(SecretScrubber, IgnoresTooShortSecrets) {
    register_secret("a");
    EXPECT_EQ(scrub("banana"), "banana");
}

TEST(SecretScrubber, AShortWordPasswordIsBlankedOnlyWhereItStandsAsACredential) {
    register_secret("lease");
    // Blanking the word everywhere would tell the reader what the password is.
    EXPECT_EQ(scrub("lease acquired (token 3)"), "lease acquired (token 3)");
    EXPECT_EQ(scrub("postgresql://app:lease@db/x"), "postgresql://app:***@db/x");
    EXPECT_EQ(scrub("password=lease host=db"), "password=*** host=db");
    EXPECT_EQ(scrub("password='lease'"), "password='***'");
    EXPECT_EQ(scrub("password=lease"), "password=***");
}

// An unencoded '/' (or '@', '?', '#') makes libpq read part of the password as the host and
// port: nothing is registered from its parse. Everything up to the last '@' is registered
// before anything parses the value.
TEST(SecretScrubber, EveryReadingOfAUrlPasswordIsRegisteredBeforeParsing) {
    register_secrets_in("postgresql://alice:s3cr/et-part@db/app");
    EXPECT_EQ(scrub("host alice:s3cr/et-part@db"), "host alice:***@db");
    EXPECT_EQ(scrub("dbname et-part@db/app"), "dbname et-part@db/app");
    register_secrets_in("postgres://bob:fir@st@second@db/app");
    // Longest first: libpq's reading ("fir") must not leave the rest of a person's behind.
    EXPECT_EQ(scrub("was fir@st@second here"), "was *** here");
    register_secrets_in("postgresql://carol:pct%2Fword9@db/app");
    EXPECT_EQ(scrub("said pct/word9"), "said ***");
}

TEST(SecretScrubber, KeyValuePasswordsQuotedOrNotAndInAQuery) {
    register_secrets_in("host=db password='it\\'s a secret' user=u");
    EXPECT_EQ(scrub("x it's a secret y"), "x *** y");
    register_secrets_in("postgresql://db/app?password=q-secret-1&sslmode=require");
    EXPECT_EQ(scrub("a q-secret-1 b"), "a *** b");
}

// Whatever was registered, URL passwords and password= values are blanked where they stand:
// a password of two characters is not registered, and is still never printed.
TEST(SecretScrubber, CredentialsAreBlankedWhereTheyStandEvenUnregistered) {
    EXPECT_EQ(scrub("not expected: postgresql://app:PW@db/app"),
              "not expected: postgresql://app:***@db/app");
    EXPECT_EQ(scrub("--x=postgresql://app:a/b@c@db/app next"),
              "--x=postgresql://app:***@db/app next");
    EXPECT_EQ(scrub("host=db password=xy user=u"), "host=db password=*** user=u");
    EXPECT_EQ(scrub("password = 'a b\\' c' user=u"), "password = '***' user=u");
    EXPECT_EQ(scrub("PGPASSWORD=zz"), "PGPASSWORD=***");
    // No credentials: untouched.
    EXPECT_EQ(scrub("connected to app@db:5432/shop"), "connected to app@db:5432/shop");
    EXPECT_EQ(scrub("postgresql://app@[::1]:5432/shop"), "postgresql://app@[::1]:5432/shop");
    EXPECT_EQ(scrub("see https://example.com/a:b"), "see https://example.com/a:b");
}

TEST(SecretScrubber, TheCommandLineAndTheEnvironmentAreScannedWholeBeforeParsing) {
    setenv("SCHEMAGATE_NOTIFY_URL", "https://hooks.example.com/services/T0/B0/env-token-1", 1);
    setenv("PGPASSWORD", "pg-env-pass", 1);
    setenv("SOME_PROXY", "http://user:proxy-pass-1@proxy:3128", 1);
    const std::vector<const char*> argv = {"schemagate", "--notfy-url",
                                           "https://hooks.example.com/services/arg-token-1",
                                           "--databse-url=postgresql://u:arg-pass-1@db/x"};
    register_secrets_in_process(static_cast<int>(argv.size()), argv.data());
    unsetenv("SCHEMAGATE_NOTIFY_URL");
    unsetenv("PGPASSWORD");
    unsetenv("SOME_PROXY");
    const std::string echoed = scrub(
        "/services/T0/B0/env-token-1 pg-env-pass proxy-pass-1 /services/arg-token-1 arg-pass-1");
    for (const char* secret :
         {"env-token-1", "pg-env-pass", "proxy-pass-1", "arg-token-1", "arg-pass-1"}) {
        EXPECT_EQ(echoed.find(secret), std::string::npos) << secret << " in " << echoed;
    }
}

}  // namespace
}  // namespace schemagate
