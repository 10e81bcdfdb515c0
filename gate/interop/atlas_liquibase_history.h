// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <pqxx/nontransaction>
#include <vector>

#include "migration_set.h"
#include "other_tools.h"

namespace schemagate {

// Atlas's and Liquibase's history tables, where each tool creates them on PostgreSQL:
// - Atlas (cmd/atlas/internal/migrate/ent/schema/revision.go): `atlas_schema_revisions` in the
//   schema of the same name (a database-scoped URL, the default), or on the search_path (a
//   schema-scoped URL); columns version (the file's version), description, type (1 baseline,
//   2 executed, 4 resolved by `atlas migrate set`, 6 both), applied and total (statements),
//   executed_at, execution_time, error, error_stmt, hash, partial_hashes, operator_version.
//   Versions starting with '.' are Atlas's own bookkeeping, not migrations.
// - Liquibase: `databasechangelog` on the search_path; a row per changeset run: id, author,
//   filename, dateexecuted, orderexecuted, exectype (EXECUTED, RERAN, MARK_RAN, SKIPPED,
//   FAILED), md5sum, description, comments, tag, liquibase, contexts, labels, deployment_id.
// Appends what it finds to `histories`. An Atlas revision applied in part (applied < total, or
// an error recorded) and a FAILED Liquibase row are the history's `problem`.
void read_atlas_and_liquibase(pqxx::nontransaction& session,
                              std::vector<ForeignHistory>& histories);

// Liquibase rows name changesets, not versions: the versions of the files' changesets they
// match (author, id, and the file's name, from logicalFilePath when given), with every reason a
// takeover would be a guess in `problem`: a row no changeset here matches, an MD5SUM that
// differs from the one Liquibase computes now (unless `accept_checksums`, or the changeset's
// --validCheckSum lists it), one of an older checksum version matching none computed for it
// (unless `accept_checksums`). Any other tool's history is returned as it is.
ForeignHistory matched_to_files(const ForeignHistory& history, const MigrationSet& files,
                                bool accept_checksums);

}  // namespace schemagate
