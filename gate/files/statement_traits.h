// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "statement_effect.h"

namespace schemagate {

// Whether a statement opens or ends a transaction block, by its command.
enum class TransactionControl {
    kNone,
    kBegin,    // BEGIN, START TRANSACTION
    kEnd,      // COMMIT, END, ROLLBACK, ABORT (not ROLLBACK TO SAVEPOINT)
    kPrepare,  // PREPARE TRANSACTION, COMMIT PREPARED, ROLLBACK PREPARED
};

// How a statement changes the way the server's lexer reads what follows it in the session
// (standard_conforming_strings decides whether a backslash escapes in a plain '...' string).
enum class StringReading {
    kUnchanged,
    kStandard,     // SET/RESET to on (the default since PostgreSQL 9.1)
    kBackslashes,  // SET to off
    kUnknown,      // names the setting in a way that cannot be evaluated here (a DO block,
                   // a function, set_config with a computed value)
};

// What one statement is and does, decided once by the lexer from its words (outside comments
// and literals) and its string literals, and read by every consumer: transaction mode,
// exchange boundaries, refusals, plan. Designed to grow: the relations a statement names and
// the lock it takes are for the hazard analysis.
struct StatementTraits {
    // The command as PostgreSQL names it in its documentation: "CREATE INDEX", "ALTER TABLE",
    // "DROP MATERIALIZED VIEW", "COPY", "SET", "BEGIN"; empty for an empty statement.
    std::string command;
    TransactionControl transaction = TransactionControl::kNone;
    // Why PostgreSQL refuses it inside a transaction block (the commands that call
    // PreventInTransactionBlock), e.g. "CREATE INDEX CONCURRENTLY"; nullopt when it may run in
    // one.
    std::optional<std::string> outside_transaction;
    // It may end the transaction it runs in by running code (CALL, DO, a function): a check
    // must follow it. Plain DDL and DML cannot.
    bool may_end_transaction = false;
    StringReading string_reading = StringReading::kUnchanged;
    // COPY ... FROM STDIN or TO STDOUT: data streamed through the client, which only psql does.
    bool client_copy = false;
    // BEGIN, START TRANSACTION or SET TRANSACTION with READ ONLY among its modes.
    bool read_only = false;
    // COMMIT, END or ROLLBACK AND CHAIN: a new transaction starts as this one ends.
    bool chains = false;
    // The relations it names, the lock it takes on them and what it does to their rows (the
    // hazard analysis reads it); null for the statements that do nothing of the kind, which
    // keeps a file of a million INSERTs as small as before.
    std::shared_ptr<const StatementEffect> effect;
};

// Builds a statement's traits from what the lexer sees, in order: each word outside comments
// and literals (upper-cased), each number, and the content of each string literal. Bounded
// memory whatever the statement's size.
class TraitsBuilder {
  public:
    void word(std::string_view upper_word);
    void number(std::string_view digits);
    void literal(std::string_view content);
    // A "quoted identifier"'s content, and a dollar-quoted body (code a DO block or function
    // runs): only looked at for the settings they name.
    void quoted_identifier(std::string_view content);
    void body(std::string_view content);
    // Any other character outside comments and literals: ( ) , . : * = ...
    void symbol(char c);
    StatementTraits build() const;
    // The first words seen (at most kLeadingWords), separated by one space.
    std::string leading_words() const;

    static constexpr std::size_t kLeadingWords = 8;
    // The tokens kept for the statement's effect (DDL only): enough for any ALTER TABLE a
    // person writes, bounded for the ones a generator writes.
    static constexpr std::size_t kEffectTokens = 4096;

  private:
    StringReading string_reading() const;
    StringReading set_reading() const;
    void keep(Token::Kind kind, std::string_view text);

    std::vector<std::string> leading_;
    std::vector<Token> tokens_;          // for effect_of, when the first word may have one
    std::vector<std::string> literals_;  // the first few string literals, for set_config(...)
    std::map<std::size_t, std::string> numbers_after_;  // a number seen after N leading words
    std::optional<std::size_t> quoted_setting_at_;      // SET "standard_conforming_strings" ...
    bool streams_ = false;                              // STDIN or STDOUT seen
    bool concurrently_ = false;                         // anywhere: ALTER TABLE ... CONCURRENTLY
    bool detach_ = false;
    std::string previous_word_;  // for the two-word modes READ ONLY, AND CHAIN
    bool read_only_ = false;     // READ ONLY seen
    bool chain_ = false;         // AND CHAIN seen
    bool names_string_setting_ = false;
    bool set_config_ = false;
    bool body_names_setting_ = false;
};

}  // namespace schemagate
