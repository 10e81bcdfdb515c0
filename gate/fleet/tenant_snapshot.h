// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <map>
#include <pqxx/connection>
#include <string>
#include <vector>

#include "migration_set.h"
#include "tenant_target.h"

namespace schemagate {

// What one batched read of the state schema says about a tenant (schema per tenant only:
// every tenant's state is there, keyed by its set name). Only a hint: a tenant picked from it
// is still taken under its lease and looked at again there.
struct TenantGlance {
    bool settled = false;  // at the target with exactly the given files: nothing to do
    bool held = false;     // its lease is held and unexpired (someone is migrating it)
};

// Reads the glance of every tenant in `tenants` in one query per 1,000 names. Not enabled when
// no glance can tell "settled" for these files (database per tenant, repeatable or baseline
// files): every tenant then gets its full per-tenant look, as before.
class TenantSnapshot {
  public:
    TenantSnapshot(const TenantTargets& targets, const MigrationSet& files,
                   const MigrationVersion& target);
    bool enabled() const { return enabled_; }
    std::map<std::string, TenantGlance> read(pqxx::connection& control,
                                             const std::vector<std::string>& tenants) const;

  private:
    void read_batch(pqxx::connection& control, const std::vector<std::string>& tenants,
                    std::size_t from, std::map<std::string, TenantGlance>& out) const;

    const TenantTargets& targets_;
    bool enabled_ = false;
    std::string versions_;   // the versioned files up to the target, an SQL text[] literal
    std::string checksums_;  // their checksums, in the same order
    long long expected_ = 0;
};

}  // namespace schemagate
