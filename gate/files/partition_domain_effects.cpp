// SPDX-License-Identifier: Apache-2.0
#include "partition_domain_effects.h"

#include <algorithm>
#include <cctype>

namespace schemagate {

namespace {

using Tokens = std::span<const Token>;

bool word_at(Tokens tokens, std::size_t at, std::string_view word) {
    return at < tokens.size() && tokens[at].kind == Token::Kind::kWord && tokens[at].text == word;
}

bool has_word(Tokens tokens, std::string_view word) {
    return std::any_of(tokens.begin(), tokens.end(), [&](const Token& token) {
        return token.kind == Token::Kind::kWord && token.text == word;
    });
}

// The [schema.]name starting at `at`, as to_regclass()/to_regtype() read it (statement_effect.h:
// unquoted parts folded to lower case, quoted ones kept in quotes).
std::string name_at(Tokens tokens, std::size_t at) {
    std::string name;
    while (at < tokens.size()) {
        const Token& token = tokens[at];
        std::string part;
        if (token.kind == Token::Kind::kWord) {
            part = token.text;
            for (char& c : part) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        } else if (token.kind == Token::Kind::kQuoted) {
            part = "\"" + token.text + "\"";
        } else {
            break;
        }
        name += (name.empty() ? "" : ".") + part;
        const bool dot = at + 1 < tokens.size() && tokens[at + 1].kind == Token::Kind::kSymbol &&
                         tokens[at + 1].text == ".";
        if (!dot) break;
        at += 2;
    }
    return name;
}

Effect effect(EffectKind kind, std::string relation, LockLevel lock, Work work,
              std::string detail = {}) {
    Effect out{kind, std::move(relation), "", std::move(detail), false};
    out.lock = lock;
    out.work = work;
    return out;
}

}  // namespace

void partition_effect(const std::string& parent, Tokens rest, StatementEffect& out) {
    if (!word_at(rest, 1, "PARTITION")) return;
    const std::string partition = name_at(rest, 2);
    if (partition.empty()) return;
    if (word_at(rest, 0, "ATTACH")) {
        out.effects.push_back(effect(EffectKind::kAttachPartition, partition,
                                     LockLevel::kAccessExclusive, Work::kScan, "of " + parent));
    } else if (word_at(rest, 0, "DETACH") && !has_word(rest, "CONCURRENTLY") &&
               !has_word(rest, "FINALIZE")) {
        out.effects.push_back(effect(EffectKind::kDetachPartition, parent,
                                     LockLevel::kAccessExclusive, Work::kNone, partition));
    }
}

void domain_effect(Tokens rest, StatementEffect& out) {
    const std::string domain = name_at(rest, 0);
    std::size_t at = 0;
    while (at < rest.size() && !word_at(rest, at, "ADD") && !word_at(rest, at, "SET")) ++at;
    const Tokens action = rest.subspan(at);
    const bool check = word_at(action, 0, "ADD") &&
                       (word_at(action, 1, "CHECK") ||
                        (word_at(action, 1, "CONSTRAINT") && word_at(action, 3, "CHECK")));
    const bool not_null =
        word_at(action, 0, "SET") && word_at(action, 1, "NOT") && word_at(action, 2, "NULL");
    if (domain.empty() || !(check || not_null)) return;
    // NOT VALID as the action's last two words: the constraint holds for new rows only.
    const bool not_valid = action.size() >= 2 && word_at(action, action.size() - 2, "NOT") &&
                           word_at(action, action.size() - 1, "VALID");
    if (not_valid) return;
    out.effects.push_back(effect(EffectKind::kDomainConstraint, domain, LockLevel::kShare,
                                 Work::kScan, check ? "ADD CHECK" : "SET NOT NULL"));
}

}  // namespace schemagate
