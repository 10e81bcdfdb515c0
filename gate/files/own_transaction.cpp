// SPDX-License-Identifier: Apache-2.0
#include "own_transaction.h"

#include <string>
#include <vector>

namespace schemagate {

namespace {

[[noreturn]] void refuse(const LexedStatement& statement, const std::string& why) {
    throw SqlSyntaxError(statement.line, why);
}

// The lines of the file's BEGINs, after checking that its transaction control pairs up: each
// BEGIN closed by one COMMIT/END before the next, nothing that throws work away or chains.
std::vector<int> paired_blocks(const std::vector<SqlStatement>& statements) {
    std::vector<int> begins;
    const LexedStatement* open = nullptr;
    for (const auto& statement : statements) {
        const StatementTraits& traits = statement.traits;
        if (traits.transaction == TransactionControl::kBegin) {
            if (open != nullptr) {
                refuse(statement, traits.command + " inside the block that line " +
                                      std::to_string(open->line) +
                                      " opened: PostgreSQL ignores it, and the first COMMIT "
                                      "would end both; remove it");
            }
            open = &statement;
            begins.push_back(statement.line);
        } else if (traits.transaction == TransactionControl::kEnd) {
            if (traits.command == "ROLLBACK" || traits.command == "ABORT") {
                refuse(statement, traits.command +
                                      " in a migration file: it would throw away what the "
                                      "file did and still count as applied; remove it (a "
                                      "failing statement rolls the migration back by itself)");
            }
            if (open == nullptr) {
                refuse(statement, traits.command +
                                      " without a BEGIN before it: there is no transaction "
                                      "of the file's own to end; remove it");
            }
            if (traits.chains) {
                refuse(statement, traits.command +
                                      " AND CHAIN: it starts a transaction that no COMMIT of "
                                      "the file ends; use COMMIT, then BEGIN");
            }
            open = nullptr;
        }
    }
    if (open != nullptr) {
        refuse(*open, open->traits.command +
                          " without a COMMIT: the file's transaction would never end; add COMMIT "
                          "at the end of the file");
    }
    return begins;
}

// One block around everything: BEGIN and the SET TRANSACTION right after it open the
// migration's transaction, COMMIT ends it; what is between runs in it.
void unwrap(MigrationFile& file) {
    auto& statements = file.statements;
    std::size_t first = 1;
    while (first < statements.size() && statements[first].traits.command == "SET TRANSACTION") {
        ++first;
    }
    for (std::size_t i = 0; i < first; ++i) {
        if (statements[i].traits.read_only) {
            refuse(statements[i],
                   statements[i].traits.command +
                       " READ ONLY: the migration's transaction also records it in schemagate's "
                       "history, which a read-only transaction cannot write; drop READ ONLY");
        }
        file.opening.push_back(statements[i]);
    }
    // A plain BEGIN asks for nothing schemagate's own does not give: the migration then
    // shares an exchange with its neighbours (migration_chain.cpp).
    const std::string& begin = statements.front().leading_words;
    if (first == 1 && (begin == "BEGIN" || begin == "BEGIN WORK" || begin == "BEGIN TRANSACTION" ||
                       begin == "START TRANSACTION")) {
        file.opening.clear();
    }
    for (std::size_t i = first; i + 1 < statements.size(); ++i) {
        if (const auto& reason = statements[i].traits.outside_transaction) {
            refuse(statements[i], *reason +
                                      " inside the file's BEGIN ... COMMIT: PostgreSQL refuses "
                                      "it in a transaction block; give it a migration of its "
                                      "own without BEGIN and COMMIT");
        }
    }
    statements.erase(statements.end() - 1);
    statements.erase(statements.begin(), statements.begin() + static_cast<std::ptrdiff_t>(first));
    file.no_transaction = false;
    file.no_transaction_reason.clear();
    file.mixed = false;
}

// Several blocks, or statements beside the one: the whole file as one query, as golang-migrate
// sends it. The server parses a query whole before running any of it, and runs what is
// outside BEGIN ... COMMIT in an implicit transaction.
void as_one_query(MigrationFile& file, const std::vector<int>& begins) {
    SqlStatement whole;
    for (auto& statement : file.statements) {
        if (const auto& reason = statement.traits.outside_transaction) {
            refuse(statement, *reason +
                                  " in a file sent whole as one query (it has its own BEGIN ... "
                                  "COMMIT and other statements): PostgreSQL refuses it in a "
                                  "query of several statements; give it a migration of its own");
        }
        if (statement.traits.string_reading != StringReading::kUnchanged) {
            refuse(statement,
                   "this statement changes how strings are read (standard_conforming_strings) "
                   "in a file sent whole as one query, which the server reads before running "
                   "any of it; move it to a migration of its own");
        }
        // A newline before the separator: a trailing `-- comment` must not swallow it.
        whole.text += (whole.text.empty() ? "" : "\n;\n") + statement.text;
        whole.parts.push_back(std::move(statement));
    }
    whole.line = whole.parts.front().line;
    whole.leading_words = whole.parts.front().leading_words;
    whole.traits = whole.parts.front().traits;
    std::string lines;
    for (const int line : begins) lines += (lines.empty() ? "" : ", ") + std::to_string(line);
    file.statements.clear();
    file.statements.push_back(std::move(whole));
    file.no_transaction = true;
    file.mixed = true;
    file.no_transaction_reason =
        "its own BEGIN ... COMMIT (line" + std::string(begins.size() > 1 ? "s " : " ") + lines +
        ") with other statements beside it: sent whole as one query, as golang-migrate does";
}

}  // namespace

void read_own_transaction(MigrationFile& file) {
    if (file.layout != MigrationFile::Layout::kPlain || file.batch) return;
    if (file.no_transaction && file.no_transaction_reason == "directive") return;
    bool has_control = false;
    for (const auto& statement : file.statements) {
        // PREPARE TRANSACTION and friends keep the loader's refusal.
        if (statement.traits.transaction == TransactionControl::kPrepare) return;
        has_control = has_control || statement.traits.transaction != TransactionControl::kNone;
    }
    if (!has_control) return;
    const std::vector<int> begins = paired_blocks(file.statements);
    const auto& statements = file.statements;
    const bool wrapped = begins.size() == 1 &&
                         statements.front().traits.transaction == TransactionControl::kBegin &&
                         statements.back().traits.transaction == TransactionControl::kEnd;
    if (wrapped) {
        unwrap(file);
    } else {
        as_one_query(file, begins);
    }
}

}  // namespace schemagate
