// SPDX-License-Identifier: Apache-2.0
#include "connection_guard.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>

namespace schemagate {
namespace {

using std::chrono::milliseconds;
using Clock = ConnectionGuard::Clock;

// Connection ids are the library's handles; any distinct pointers do.
const void* id(int n) {
    static char handles[1000];
    return &handles[n];
}

TEST(ConnectionGuard, ARequestIsBoundedFromTheOpeningOrThePreviousAnswerWhateverItSends) {
    ConnectionGuard guard({10, 5, milliseconds{1000}});
    const auto t0 = Clock::now();
    guard.opened(id(1), 41, "10.0.0.1", t0);
    guard.opened(id(2), 42, "10.0.0.2", t0 + milliseconds{500});
    EXPECT_EQ(guard.next_deadline(), t0 + milliseconds{1000});
    EXPECT_TRUE(guard.expired(t0 + milliseconds{999}).empty());
    EXPECT_EQ(guard.expired(t0 + milliseconds{1000}), std::vector<int>{41});
    EXPECT_TRUE(guard.expired(t0 + milliseconds{1001}).empty()) << "reported once";
    // An answer gives the connection's next request a whole bound.
    guard.answered(id(2), t0 + milliseconds{1400});
    EXPECT_TRUE(guard.expired(t0 + milliseconds{2399}).empty());
    EXPECT_EQ(guard.expired(t0 + milliseconds{2400}), std::vector<int>{42});
    guard.closed(id(1));
    guard.closed(id(2));
    EXPECT_EQ(guard.next_deadline(), std::nullopt);
    EXPECT_EQ(guard.open_connections(), 0U);
}

TEST(ConnectionGuard, OneAddressHoldsAtMostItsShare) {
    ConnectionGuard guard({100, 3, milliseconds{1000}});
    const auto now = Clock::now();
    for (int i = 0; i < 3; ++i) {
        ASSERT_TRUE(guard.admit("10.0.0.9").admit);
        guard.opened(id(i), 10 + i, "10.0.0.9", now);
    }
    EXPECT_FALSE(guard.admit("10.0.0.9").admit);
    EXPECT_TRUE(guard.admit("10.0.0.1").admit);
    guard.closed(id(0));
    EXPECT_TRUE(guard.admit("10.0.0.9").admit);
}

TEST(ConnectionGuard, WhenFullANewcomerTakesTheOldestPlaceOfTheBiggestHolder) {
    ConnectionGuard guard({4, 3, milliseconds{1000}});
    const auto now = Clock::now();
    guard.opened(id(1), 11, "10.0.0.1", now);
    guard.opened(id(2), 12, "10.0.0.1", now + milliseconds{1});
    guard.opened(id(3), 13, "10.0.0.1", now + milliseconds{2});
    guard.opened(id(4), 14, "10.0.0.2", now + milliseconds{3});
    const auto admission = guard.admit("10.0.0.3");  // the kubelet, say
    EXPECT_TRUE(admission.admit);
    EXPECT_EQ(admission.evict, 11);
    guard.opened(id(5), 15, "10.0.0.3", now + milliseconds{4});
    // Two holders of one connection each do not take turns closing each other's; a holder of
    // two against one of one does not either.
    EXPECT_FALSE(guard.admit("10.0.0.3").admit);
    EXPECT_FALSE(guard.admit("10.0.0.2").admit);
    // The evicted one is not reported again when its bound passes, and leaves when closed.
    EXPECT_EQ(guard.expired(now + milliseconds{1003}), (std::vector<int>{12, 13, 14}));
    guard.closed(id(1));
    EXPECT_EQ(guard.open_connections(), 1U);
}

TEST(ConnectionGuard, AddressesAreTextForBothFamilies) {
    sockaddr_in v4{};
    v4.sin_family = AF_INET;
    inet_pton(AF_INET, "10.1.2.3", &v4.sin_addr);
    EXPECT_EQ(address_text(reinterpret_cast<const sockaddr*>(&v4)), "10.1.2.3");
    sockaddr_in6 v6{};
    v6.sin6_family = AF_INET6;
    inet_pton(AF_INET6, "fd00::7", &v6.sin6_addr);
    EXPECT_EQ(address_text(reinterpret_cast<const sockaddr*>(&v6)), "fd00::7");
}

}  // namespace
}  // namespace schemagate
