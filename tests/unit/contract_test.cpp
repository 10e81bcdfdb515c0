// SPDX-License-Identifier: Apache-2.0
// Expand and contract, the pure parts: the directive, the reader name, where migrate stops,
// who holds a contract back, and the sidecar's verdict.
#include <gtest/gtest.h>

#include "contract_plan.h"
#include "directive.h"
#include "gate_config.h"
#include "migration_file.h"
#include "reader_name.h"
#include "readiness.h"
#include "wait_decision.h"

namespace schemagate {
namespace {

TEST(ContractDirective, OnlyTheFirstLineCountsSpacesAndABomAside) {
    EXPECT_TRUE(
        read_migration_file("-- schemagate:contract\nALTER TABLE t DROP COLUMN c;").contract);
    EXPECT_TRUE(read_migration_file("\xEF\xBB\xBF--  schemagate:contract \r\nSELECT 1;").contract);
    EXPECT_FALSE(read_migration_file("SELECT 1;\n-- schemagate:contract\n").contract);
    EXPECT_FALSE(read_migration_file("-- schemagate:contracts\nSELECT 1;").contract);
    EXPECT_FALSE(read_migration_file("ALTER TABLE t DROP COLUMN c;").contract);
    // The same reading as the other first-line directive.
    EXPECT_TRUE(has_first_line_flag("-- schemagate:no-transaction", "no-transaction"));
    // A contract file's statements still decide its transaction mode.
    const auto file =
        read_migration_file("-- schemagate:contract\nDROP INDEX CONCURRENTLY old_index;");
    EXPECT_TRUE(file.contract);
    EXPECT_TRUE(file.no_transaction);
}

ReaderIdentity reader(std::string pod) {
    ReaderIdentity identity;
    identity.set_tag = reader_set_tag(StateLocation{});
    identity.shipped = 9;
    identity.since_unix = 1'796'000'000;
    identity.expect = 9;
    identity.pod = std::move(pod);
    return identity;
}

TEST(ReaderName, RoundTripsAndFitsInApplicationName) {
    ReaderIdentity identity = reader("shop-7d9f8b6c5-x2k4p");
    identity.max_version = 12;
    const auto name = encode_reader_name(identity);
    ASSERT_TRUE(name);
    EXPECT_EQ(name->substr(0, 5), "sgr1 ");
    EXPECT_LE(name->size(), 63U);
    EXPECT_EQ(decode_reader_name(*name), identity);
}

TEST(ReaderName, LongVersionsDropTheWindowThenCutThePodFromTheLeft) {
    ReaderIdentity identity = reader("checkout-service-production-7d9f8b6c5-x2k4p");
    identity.shipped = *MigrationVersion::parse("20261206120000");
    identity.expect = *MigrationVersion::parse("20261130090000");
    const auto name = encode_reader_name(identity);
    ASSERT_TRUE(name);
    EXPECT_EQ(name->size(), 63U) << *name;
    const auto decoded = decode_reader_name(*name);
    ASSERT_TRUE(decoded) << *name;
    EXPECT_EQ(decoded->shipped, identity.shipped);
    EXPECT_FALSE(decoded->expect);
    EXPECT_EQ(decoded->pod.front(), '~');
    EXPECT_TRUE(std::string_view(identity.pod).ends_with(decoded->pod.substr(1))) << decoded->pod;
    EXPECT_TRUE(decoded->pod.ends_with("7d9f8b6c5-x2k4p"));
}

TEST(ReaderName, PodNamesAreCleanedAndOtherNamesAreNotReaders) {
    const auto name = encode_reader_name(reader("pod with spaces/ü"));
    ASSERT_TRUE(name);
    EXPECT_EQ(decode_reader_name(*name)->pod, "pod_with_spaces___");
    EXPECT_FALSE(decode_reader_name("schemagate pod-1/12"));
    EXPECT_FALSE(decode_reader_name("sgr1 abcdef 9 x"));
    EXPECT_FALSE(decode_reader_name("sgr1 abcdef nine 1 9 pod"));
    EXPECT_FALSE(decode_reader_name("sgr1 abcdef 9 !! 9 pod"));
    ReaderIdentity huge = reader("p");
    huge.shipped = *MigrationVersion::parse(std::string(50, '7'));
    EXPECT_FALSE(encode_reader_name(huge));
}

TEST(ReaderName, TheSetTagTellsSetsApart) {
    EXPECT_EQ(reader_set_tag(StateLocation{}).size(), 6U);
    EXPECT_NE(reader_set_tag(StateLocation{"schemagate", "orders"}),
              reader_set_tag(StateLocation{"schemagate", "billing"}));
    EXPECT_NE(reader_set_tag(StateLocation{"a", "bc"}), reader_set_tag(StateLocation{"ab", "c"}));
}

MigrationSet release(std::initializer_list<std::pair<int, bool>> files) {
    MigrationSet set;
    for (const auto& [version, contract] : files) {
        Migration migration;
        migration.version = version;
        migration.file = "V" + std::to_string(version) + "__x.sql";
        migration.contract = contract;
        set.migrations.push_back(migration);
    }
    return set;
}

std::vector<AppliedMigration> applied_up_to(int version, int contract = 0) {
    std::vector<AppliedMigration> history;
    for (int v = 1; v <= version; ++v) {
        AppliedMigration record;
        record.version = v;
        record.success = true;
        record.contract = v == contract;
        record.file = "V" + std::to_string(v) + "__x.sql";
        history.push_back(record);
    }
    return history;
}

TEST(ContractPlan, MigrateStopsBeforeTheFirstPendingContract) {
    const MigrationSet files =
        release({{9, false}, {10, false}, {11, true}, {12, false}, {13, true}});
    EXPECT_EQ(migrate_stop(files, applied_up_to(9), 13), MigrationVersion(10));
    EXPECT_EQ(pending_contracts(files, applied_up_to(9), 13).size(), 2U);
    // Once contracted, the next contract is the stop.
    EXPECT_EQ(migrate_stop(files, applied_up_to(11, 11), 13), MigrationVersion(12));
    EXPECT_EQ(migrate_stop(files, applied_up_to(13, 13), 13), MigrationVersion(13));
    // A --target below the contract is not held back by it.
    EXPECT_EQ(migrate_stop(files, applied_up_to(9), 10), MigrationVersion(10));
    EXPECT_EQ(wait_stop(files, 10, 13), MigrationVersion(10));
    EXPECT_EQ(wait_stop(files, 11, 13), MigrationVersion(12));
}

TEST(ContractPlan, AReleaseWithoutAnAppliedContractIsRefused) {
    EXPECT_FALSE(contracted_past(highest_applied_contract(applied_up_to(10)), 9));
    const auto refusal = contracted_past(highest_applied_contract(applied_up_to(11, 11)), 9);
    ASSERT_TRUE(refusal);
    EXPECT_NE(refusal->find("contracted by V11 (V11__x.sql"), std::string::npos) << *refusal;
    EXPECT_NE(refusal->find("its migrations end at V9"), std::string::npos) << *refusal;
    EXPECT_FALSE(contracted_past(highest_applied_contract(applied_up_to(11, 11)), 11));
}

TEST(ContractPlan, OnlyReadersOfOlderReleasesHoldItBack) {
    ReaderIdentity old_pod = reader("old-1");
    ReaderIdentity new_pod = reader("new-1");
    new_pod.shipped = 11;
    const std::vector<LiveReader> readers{{101, old_pod}, {102, new_pod}};
    const auto holding = readers_holding_back(readers, 11);
    ASSERT_EQ(holding.size(), 1U);
    EXPECT_EQ(holding[0].pid, 101);
    const MigrationSet files = release({{11, true}});
    const std::string text = held_back_text(files.migrations[0], holding);
    EXPECT_NE(text.find("1 live pod of a release without it still reads the schema: old-1 "
                        "(ships up to V9, runs against V9 and later, since 2026-"),
              std::string::npos)
        << text;
    const auto json = deferred_contracts_json({&files.migrations[0]}, readers);
    EXPECT_EQ(json[0]["held_back_by"].size(), 1U);
    EXPECT_EQ(json[0]["held_back_by"][0]["pod"], "old-1");
    EXPECT_NE(deferred_contracts_text(json).find("old-1 ships V9"), std::string::npos);
}

TEST(ContractPlan, HeldBackWaitsAndGivesUpAtTheDeadlineRefusalWins) {
    TimePoint now{};
    const Deadline deadline(Millis{1000}, [&now] { return now; });
    Look look;
    look.current = 10;
    look.target = 11;
    look.pending = 1;
    look.held_back = "V11 held back";
    EXPECT_EQ(decide(WaitMode::kMigrate, look, deadline).action, WaitDecision::Action::kWait);
    EXPECT_EQ(decide(WaitMode::kMigrate, look, deadline).reason, "V11 held back");
    now += Millis{2000};
    EXPECT_EQ(decide(WaitMode::kMigrate, look, deadline).action, WaitDecision::Action::kGiveUp);
    look.refusal = "contracted";
    EXPECT_EQ(decide(WaitMode::kMigrate, look, deadline).action, WaitDecision::Action::kRefuse);
}

SchemaSnapshot at(std::int64_t version) {
    SchemaSnapshot snapshot;
    snapshot.ever_read = true;
    snapshot.database_up = true;
    snapshot.state.initialized = true;
    snapshot.state.version = version;
    return snapshot;
}

TEST(ContractReadiness, ADeferredContractCountsAsSatisfied) {
    ReadinessPolicy policy{11, std::nullopt, Millis{30'000}};
    policy.shipped = 11;
    policy.contracts = {{11, 10}};
    const auto now = std::chrono::steady_clock::now();
    const auto deferred = evaluate(at(10), policy, now);
    EXPECT_TRUE(deferred.ready);
    EXPECT_EQ(deferred.reason,
              "schema at 10 (V11, a contract migration, is deferred until `schemagate contract`)");
    EXPECT_FALSE(evaluate(at(9), policy, now).ready);
    EXPECT_EQ(evaluate(at(9), policy, now).reason, "schema behind: at 9, app expects 10");
    EXPECT_TRUE(evaluate(at(11), policy, now).ready);
    EXPECT_EQ(effective_expect(policy, 11), MigrationVersion(11));
}

TEST(ContractReadiness, AnOldReleaseIsNotReadyOnceContractedPast) {
    const ReadinessPolicy policy{9, std::nullopt, Millis{30'000}};
    SchemaSnapshot snapshot = at(11);
    EXPECT_TRUE(evaluate(snapshot, policy, std::chrono::steady_clock::now()).ready);
    snapshot.state.contract = AppliedContract{11, "V11__drop.sql", "2026-12-06T12:00:00.000Z"};
    const auto verdict = evaluate(snapshot, policy, std::chrono::steady_clock::now());
    EXPECT_FALSE(verdict.ready);
    EXPECT_EQ(verdict.reason,
              "schema contracted past this release: V11 (V11__drop.sql), a contract migration "
              "this release does not ship, was applied at 2026-12-06T12:00:00.000Z; this "
              "release ships up to V9");
}

TEST(ContractCommand, TakesMigratesFlagsAndItsOwnFromTheCommandLineOrTheEnvironment) {
    setenv("SCHEMAGATE_READER_SETTLE", "3s", 1);
    setenv("SCHEMAGATE_TIMEOUT", "7s", 1);
    const char* from_env[] = {"schemagate", "contract", "--lease-ttl", "20s"};
    const auto parsed = parse_gate_config(4, from_env);
    unsetenv("SCHEMAGATE_READER_SETTLE");
    unsetenv("SCHEMAGATE_TIMEOUT");
    ASSERT_TRUE(std::holds_alternative<GateConfig>(parsed));
    const auto& config = std::get<GateConfig>(parsed);
    EXPECT_EQ(config.command, GateCommand::kContract);
    EXPECT_EQ(config.reader_settle, Millis{3000});
    EXPECT_EQ(config.timeout, Millis{7000});
    EXPECT_EQ(config.lease_ttl, Millis{20'000});
    const char* bad[] = {"schemagate", "contract", "--reader-settle", "soon"};
    testing::internal::CaptureStderr();
    const auto refused = parse_gate_config(4, bad);
    const std::string err = testing::internal::GetCapturedStderr();
    ASSERT_TRUE(std::holds_alternative<int>(refused));
    EXPECT_EQ(std::get<int>(refused), 3);
    EXPECT_NE(err.find("--reader-settle"), std::string::npos) << err;
    const char* migrate[] = {"schemagate", "migrate"};
    EXPECT_EQ(std::get<GateConfig>(parse_gate_config(2, migrate)).command, GateCommand::kMigrate);
}

}  // namespace
}  // namespace schemagate
