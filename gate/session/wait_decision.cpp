// SPDX-License-Identifier: Apache-2.0
#include "wait_decision.h"

#include "migration_name.h"

namespace schemagate {

namespace {

std::string waiting_reason(WaitMode mode, const Look& look) {
    if (mode == WaitMode::kWait) {
        return "schema at " + version_label(look.current) + ", waiting for " +
               version_label(look.target);
    }
    std::string reason = "schema at " + version_label(look.current) + ", " +
                         std::to_string(look.pending) + " pending";
    if (look.lease_held) {
        const LeaseInfo& by = look.lease_held->by;
        reason += "; lease held by " + (by.holder.empty() ? "(releasing)" : by.holder);
        // A busy row is being committed right now: its expiry is about to move.
        if (!look.lease_held->busy) reason += " until " + by.expires_at;
    }
    return reason;
}

}  // namespace

WaitDecision decide(WaitMode mode, const Look& look, const Deadline& deadline) {
    using Action = WaitDecision::Action;
    if (mode == WaitMode::kWait && look.dirty) {
        const DirtyMigration& dirty = *look.dirty;
        return {Action::kRefuse,
                version_label(dirty.version) + " (" + dirty.file + ") is dirty: started by " +
                    dirty.applied_by + " at " + dirty.applied_at +
                    " and never finished; an operator must run `schemagate repair`"};
    }
    if (!look.refusal.empty()) return {Action::kRefuse, look.refusal};
    const bool done = mode == WaitMode::kWait ? look.current >= look.target : look.pending == 0;
    if (done) {
        return {Action::kDone, "schema is at " + version_label(look.current) + " (target " +
                                   version_label(look.target) +
                                   (mode == WaitMode::kWait ? "): ready" : "): nothing to do")};
    }
    const std::string reason = look.held_back.empty() ? waiting_reason(mode, look) : look.held_back;
    if (!look.held_back.empty()) {
        return {deadline.passed() ? Action::kGiveUp : Action::kWait, reason};
    }
    if (deadline.passed()) return {Action::kGiveUp, reason};
    if (mode == WaitMode::kMigrate && !look.lease_held) return {Action::kTakeLease, reason};
    return {Action::kWait, reason};
}

}  // namespace schemagate
