// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <vector>

#include "connection.h"
#include "fleet_options.h"
#include "state_tables.h"

namespace schemagate {

// Where one tenant's migrations run and where its state lives (docs/fleet.md, "Where a
// tenant's state lives").
struct TenantTarget {
    std::string tenant;
    std::string schema;      // schema per tenant: its schema (first on the search_path)
    StateLocation state;     // its lease, history and failure memory
    ConnectOptions connect;  // the session its migrations run in
};

// Turns tenant names into targets by --tenant-schema or --tenant-url. Immutable once built,
// so every session's thread may share one.
class TenantTargets {
  public:
    // Checks the templates (exactly one of them, with {tenant}; in a URL, in the database
    // name only). Throws FatalError(kBadInput) naming the flag.
    TenantTargets(const FleetOptions& options, ConnectOptions control, StateLocation state);

    // Every tenant's schema or database name fits PostgreSQL's 63 bytes and is not one of its
    // own (pg_*) nor the state schema. Throws FatalError(kBadInput) naming the tenant.
    void check(const std::vector<std::string>& tenants) const;

    TenantTarget of(const std::string& tenant) const;
    bool per_database() const { return !url_template_.empty(); }
    // The database --database-url names: the tenants query, and the state of schema tenants.
    const ConnectOptions& control() const { return control_; }
    // Connections one session holds at most (docs/fleet.md, "Connection budget").
    int connections_per_session() const { return per_database() ? 2 : 3; }

  private:
    std::string url_template_;  // a secret
    std::string url_source_;
    std::string schema_template_;
    ConnectOptions control_;
    StateLocation state_;
};

// The search_path a tenant's sessions start with: its schema, then public (where extensions
// usually live).
std::string tenant_search_path(const std::string& schema);

// `name` as an SQL identifier in double quotes.
std::string quoted_identifier(const std::string& name);

}  // namespace schemagate
