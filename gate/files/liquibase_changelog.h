// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sql_splitter.h"

namespace schemagate {

// One `--changeset author:id [attributes]` of a Liquibase formatted SQL file, read as
// Liquibase's FormattedSqlChangeLogParser reads it: its SQL is every line up to the next
// changeset except Liquibase's own comment lines (`--comment`, `--rollback`, a
// `/* liquibase rollback */` block, `--validCheckSum`, `--ignoreLines`), which never run.
struct LiquibaseChangeset {
    std::string author;
    std::string id;
    int line = 0;      // of its --changeset line
    std::string sql;   // the SQL lines, others blanked: line numbers are the file's
    std::string text;  // its lines in the file as they are (our checksum's input)
    bool run_in_transaction = true;
    bool split_statements = true;
    std::optional<std::string> end_delimiter;
    // Not for PostgreSQL (`dbms:`), or `ignore:true`: Liquibase neither runs nor records it.
    bool skipped = false;
    std::string logical_file_path;  // the changeset's, else the file's (`logicalFilePath:`)
    std::vector<std::string> valid_checksums;  // `--validCheckSum` values

    // The MD5SUM Liquibase 4.22+ records for it (checksum version 9: "9:<md5 hex>").
    std::string md5sum() const;
    // What Liquibase before 4.22 may have recorded (checksum version 8, "8:<md5 hex>"): its
    // normalisation folds the end delimiter and the split and strip flags into the hash, and
    // formatted SQL's defaults for them changed across releases, so each plausible setting is
    // given; a recorded value equal to one of them is the changeset's.
    std::vector<std::string> md5sums_v8() const;
    // The statements to run: split at `;` (or at endDelimiter), or, with splitStatements:false,
    // one unit sent whole. Throws SqlSyntaxError.
    std::vector<SqlStatement> statements() const;
};

// True when the file's first non-blank line is Liquibase's `--liquibase formatted sql`.
bool is_liquibase_formatted(std::string_view sql);

// Throws SqlSyntaxError (with the file's line) for what schemagate cannot run as Liquibase
// would: `--preconditions` and `--precondition-*` (evaluated by Liquibase at run time),
// `runOnChange:true`, `runAlways:true`, `failOnError:false`, `runWith:`, `--property`,
// `--include`/`--includeAll`, a changeset without SQL, SQL outside any changeset, and a
// malformed `--changeset` line.
std::vector<LiquibaseChangeset> read_liquibase_changelog(std::string_view sql);

// Liquibase's checksum version 9 of a raw SQL change: MD5 of its SQL with every space, tab, CR
// and LF removed, as "9:<hex>"; a changeset's is the MD5 of its changes' checksums each
// followed by ':'.
std::string liquibase_change_checksum_v9(std::string_view sql);
std::string liquibase_changeset_checksum_v9(std::string_view sql);

// Liquibase's checksum version 8 input for a raw SQL change (NormalizingStreamV8):
// "<endDelimiter>:<splitStatements>:<stripComments>:" then the SQL with leading and trailing
// whitespace dropped and every run of spaces, tabs, CRs and LFs made one space.
std::string liquibase_normalized_v8(std::string_view end_delimiter, bool split_statements,
                                    bool strip_comments, std::string_view sql);

}  // namespace schemagate
