// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace schemagate {

// PostgreSQL's table-level lock modes ("Explicit Locking"), weakest first.
enum class LockLevel {
    kNone,
    kAccessShare,
    kRowShare,
    kRowExclusive,
    kShareUpdateExclusive,
    kShare,
    kShareRowExclusive,
    kExclusive,
    kAccessExclusive,
};

// "ACCESS EXCLUSIVE", as PostgreSQL's documentation names the mode; "" for kNone.
std::string_view lock_name(LockLevel lock);

// What a statement does to the rows of the relation it locks, while it holds the lock.
enum class Work {
    kNone,        // catalog only: the lock is held for an instant (and until COMMIT)
    kRewrite,     // every row is copied to a new file, indexes rebuilt
    kScan,        // every row is read (a constraint is validated)
    kIndexBuild,  // an index is built from every row
};

// The things a statement may do that hurt a live database. The first group holds a lock while
// it works on every row; the second takes a brief lock; the third breaks code (the previous
// release's pods) that still reads the old shape.
enum class EffectKind {
    kColumnType,        // ALTER COLUMN ... TYPE (rewrites unless binary-coercible)
    kAddColumnRewrite,  // ADD COLUMN with a volatile DEFAULT, serial, identity, STORED generated
    kSetNotNull,        // ALTER COLUMN ... SET NOT NULL (scans)
    kCheckConstraint,   // ADD CHECK without NOT VALID (scans)
    kForeignKey,        // ADD FOREIGN KEY / REFERENCES without NOT VALID (scans)
    kUniqueConstraint,  // ADD UNIQUE / PRIMARY KEY / EXCLUDE without USING INDEX (builds)
    kCreateIndex,       // CREATE INDEX without CONCURRENTLY (builds, blocks writes)
    kReindex,           // REINDEX without CONCURRENTLY
    kCluster,           // CLUSTER
    kVacuumFull,        // VACUUM FULL
    kRefreshMatview,    // REFRESH MATERIALIZED VIEW without CONCURRENTLY
    kTableRewrite,      // SET TABLESPACE, SET LOGGED/UNLOGGED, SET ACCESS METHOD, SET EXPRESSION
    kDropIndex,         // DROP INDEX without CONCURRENTLY (brief ACCESS EXCLUSIVE on the table)
    kEnumAddValue,      // ALTER TYPE ... ADD VALUE (refused in a transaction before PostgreSQL 12)
    kDropColumn,        // readers: ALTER TABLE ... DROP COLUMN
    kDropTable,         // readers: DROP TABLE
    kDropView,          // readers: DROP VIEW / MATERIALIZED VIEW
    kDropFunction,      // readers: DROP FUNCTION / PROCEDURE
    kRename,            // readers: RENAME of a table, view, column or function
};

// One effect of a statement on one relation.
struct Effect {
    EffectKind kind;
    // The relation as the statement names it, ready for to_regclass(): unquoted parts folded
    // to lower case, quoted ones kept in quotes ("public.orders", "\"Orders\""). Empty when
    // the statement names none (VACUUM FULL of the whole database).
    std::string relation;
    std::string column;  // kColumnType, kSetNotNull, kDropColumn, a column kRename
    // kColumnType: the new type as written, normalised ("varchar(200)", "bigint");
    // kAddColumnRewrite: why it rewrites ("DEFAULT clock_timestamp()", "serial").
    std::string detail;
    bool using_expression = false;  // kColumnType: USING was given
    LockLevel lock = LockLevel::kAccessExclusive;
    Work work = Work::kNone;
};

// One token of a statement, as the lexer yields it (outside comments).
struct Token {
    enum class Kind { kWord, kQuoted, kNumber, kLiteral, kSymbol };
    Kind kind;
    std::string text;  // a word upper-cased; a quoted identifier's content; a symbol's char
};

// What a statement does to relations: the effects above, and the relations it creates (or
// renames into being), so that later statements of the same run on them are known harmless.
struct StatementEffect {
    std::vector<Effect> effects;
    std::vector<std::string> creates;
    std::vector<std::pair<std::string, std::string>> renames;  // {new name, old name}

    bool empty() const { return effects.empty() && creates.empty() && renames.empty(); }
};

// The effect of the statement made of `tokens`. Pure; reads only DDL and maintenance commands
// (ALTER, CREATE, DROP, CLUSTER, VACUUM, REFRESH, REINDEX).
StatementEffect effect_of(std::span<const Token> tokens);

// Whether the lexer should keep a statement's tokens for effect_of, by its first word.
bool may_have_effect(std::string_view first_word);

}  // namespace schemagate
