// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <optional>
#include <pqxx/connection>
#include <string>
#include <vector>

#include "hazard_policy.h"
#include "hazard_rules.h"
#include "migration_set.h"

namespace schemagate {

// The hazards of one pending migration that matter on this database.
struct MigrationHazards {
    const Migration* migration = nullptr;
    std::vector<Hazard> hazards;

    // The first blocking hazard no directive allows, if any: what --hazards acts on.
    const Hazard* first_unallowed_blocking() const;
};

// Judges the pending migrations' hazards against the live database, in order: a relation
// created (or renamed into being) earlier in the run, or that does not exist yet, is harmless;
// so is an empty one, and one smaller than `threshold_bytes` (blocking and brief-lock rules;
// breaking-reader rules count whatever the size). A type change the live column makes
// binary-coercible is not a rewrite; SET NOT NULL backed by a validated CHECK (col IS NOT NULL)
// does not scan (PostgreSQL 12+). Reads only the catalog (to_regclass, pg_class,
// pg_total_relation_size): a few round trips per relation named, nothing locked or written.
std::vector<MigrationHazards> size_hazards(pqxx::connection& connection,
                                           const std::vector<const Migration*>& pending,
                                           std::uint64_t threshold_bytes);

// The refusal (--hazards=refuse) or the deferral reason: file, line, rule, relation, size,
// alternative, and how to let it through.
std::string hazard_refusal(const MigrationHazards& migration, const Hazard& hazard);

}  // namespace schemagate
