// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <pqxx/nontransaction>
#include <vector>

#include "other_tools.h"

namespace schemagate {

// Adds the history of Prisma, diesel and sqlx, where their tables are on the session's
// search_path, to `histories` (other_tools.cpp reads the other four). The tables, as each
// tool's source creates them on PostgreSQL:
// - Prisma (schema engine, postgres flavour): "_prisma_migrations" (id VARCHAR(36) PRIMARY KEY,
//   checksum VARCHAR(64) NOT NULL, finished_at TIMESTAMPTZ, migration_name VARCHAR(255) NOT
//   NULL, logs TEXT, rolled_back_at TIMESTAMPTZ, started_at TIMESTAMPTZ NOT NULL DEFAULT now(),
//   applied_steps_count INTEGER NOT NULL DEFAULT 0); a row per attempt: finished and not
//   rolled back is applied, rolled back is not (`prisma migrate resolve --rolled-back`),
//   neither is a failed migration that `prisma migrate deploy` itself refuses to go past.
// - diesel (diesel_migrations): __diesel_schema_migrations (version VARCHAR(50) PRIMARY KEY,
//   run_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP); a row per applied migration, the
//   folder's version with '-' dropped.
// - sqlx (sqlx-postgres migrate): _sqlx_migrations (version BIGINT PRIMARY KEY, description
//   TEXT NOT NULL, installed_on TIMESTAMPTZ NOT NULL DEFAULT now(), success BOOLEAN NOT NULL,
//   checksum BYTEA NOT NULL, execution_time BIGINT NOT NULL); success false is a migration
//   that failed outside a transaction ("dirty"), which sqlx refuses to go past.
void read_app_tool_histories(pqxx::nontransaction& session, std::vector<ForeignHistory>& histories);

}  // namespace schemagate
