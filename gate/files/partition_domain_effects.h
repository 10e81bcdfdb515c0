// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <span>
#include <string>

#include "statement_effect.h"

namespace schemagate {

// ALTER TABLE <parent> ATTACH|DETACH PARTITION ...; `rest` starts at ATTACH or DETACH.
// PostgreSQL's documentation (ALTER TABLE; "Partition Maintenance"):
// - ATTACH PARTITION takes SHARE UPDATE EXCLUSIVE on the parent (12+) and ACCESS EXCLUSIVE on
//   the table attached (and on a DEFAULT partition), and scans the table to validate the
//   partition constraint unless a valid CHECK constraint implies it: an effect on the
//   partition, kScan under ACCESS EXCLUSIVE (the parent's readers and writers go on).
// - DETACH PARTITION takes ACCESS EXCLUSIVE on the parent, briefly, unless CONCURRENTLY (14+,
//   SHARE UPDATE EXCLUSIVE, outside a transaction): an effect on the parent; none with
//   CONCURRENTLY or FINALIZE.
void partition_effect(const std::string& parent, std::span<const Token> rest, StatementEffect& out);

// ALTER DOMAIN <name> ...; `rest` starts after DOMAIN. ADD [CONSTRAINT n] CHECK (...) without
// NOT VALID, and SET NOT NULL, check every column of every table using the domain (the
// documentation: "all columns using that domain will be checked"), each table under SHARE
// (typecmds.c locks them so for the scan: writes wait, reads go on). The effect names the
// domain; sizing sums the tables that use it (hazard_sizing).
void domain_effect(std::span<const Token> rest, StatementEffect& out);

}  // namespace schemagate
