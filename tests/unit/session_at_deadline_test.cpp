// SPDX-License-Identifier: Apache-2.0
#include "session_at_deadline.h"

#include <gtest/gtest.h>

namespace schemagate {
namespace {

LockHolder app_session() {
    return LockHolder{4242,
                      "app",
                      "api-7f9c",
                      "idle in transaction",
                      "2026-12-06T16:04:48.000Z",
                      "AccessExclusiveLock"};
}

TEST(SessionAtDeadline, ARelationLockNamesTheRelationAndWhoHoldsIt) {
    SessionAtDeadline session{true, "relation", "RowExclusiveLock", "accounts", {app_session()}};
    EXPECT_EQ(describe(session),
              "waited for RowExclusiveLock on relation accounts, held by pid 4242 (user app, "
              "application api-7f9c, idle in transaction, in a transaction since "
              "2026-12-06T16:04:48.000Z, holding AccessExclusiveLock)");
}

TEST(SessionAtDeadline, ARowLockNamesTheRowsTable) {
    LockHolder holder = app_session();
    holder.holds = "RowShareLock";
    SessionAtDeadline session{true, "transactionid", "ShareLock", "public.accounts", {holder}};
    EXPECT_EQ(describe(session).substr(0, 74),
              "waited for a row of public.accounts locked by another transaction, held by");
}

TEST(SessionAtDeadline, EveryHolderIsNamedAndWhatOurRoleCannotSeeIsLeftOut) {
    LockHolder hidden{17, "", "", "", "", ""};
    SessionAtDeadline session{
        true, "relation", "AccessExclusiveLock", "t", {app_session(), hidden}};
    const std::string text = describe(session);
    EXPECT_NE(text.find("pid 4242 (user app"), std::string::npos) << text;
    EXPECT_NE(text.find(" and pid 17 (not visible to this role)"), std::string::npos) << text;
}

TEST(SessionAtDeadline, AStatementThatWaitedForNoLockWasStillRunning) {
    EXPECT_EQ(describe(SessionAtDeadline{true, "", "", "", {}}), "was still running");
    EXPECT_EQ(describe(SessionAtDeadline{}), "");
}

TEST(SessionAtDeadline, ALockOnSomethingElseThanARelationSaysItsType) {
    SessionAtDeadline session{true, "advisory", "ExclusiveLock", "", {}};
    EXPECT_EQ(describe(session), "waited for ExclusiveLock on a lock of type advisory");
}

}  // namespace
}  // namespace schemagate
