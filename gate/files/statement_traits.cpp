// SPDX-License-Identifier: Apache-2.0
#include "statement_traits.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "ascii.h"

namespace schemagate {

namespace {

constexpr std::size_t kLiteralsKept = 4;

using Words = std::vector<std::string>;

bool starts_with(const Words& words, std::initializer_list<std::string_view> prefix) {
    if (words.size() < prefix.size()) return false;
    return std::equal(prefix.begin(), prefix.end(), words.begin());
}

bool has(const Words& words, std::string_view word) {
    return std::find(words.begin(), words.end(), word) != words.end();
}

// CREATE's modifiers before the object's name: CREATE OR REPLACE UNIQUE INDEX -> INDEX.
bool is_create_modifier(std::string_view word) {
    static constexpr std::array<std::string_view, 10> kModifiers = {
        "OR",       "REPLACE", "UNIQUE", "TEMP",      "TEMPORARY",
        "UNLOGGED", "GLOBAL",  "LOCAL",  "RECURSIVE", "TRUSTED"};
    return std::find(kModifiers.begin(), kModifiers.end(), word) != kModifiers.end();
}

// Object types named by two or three words (CREATE MATERIALIZED VIEW, DROP TEXT SEARCH ...).
std::size_t object_words(const Words& words, std::size_t at) {
    if (at >= words.size()) return 0;
    const std::string_view first = words[at];
    if (first == "TEXT" || first == "FOREIGN") {
        if (first == "FOREIGN" && at + 1 < words.size() && words[at + 1] == "TABLE") return 2;
        return std::min<std::size_t>(3, words.size() - at);
    }
    for (const std::string_view two :
         {"MATERIALIZED", "EVENT", "ACCESS", "USER", "DEFAULT", "CONSTRAINT", "PROCEDURAL"}) {
        if (first == two) return std::min<std::size_t>(2, words.size() - at);
    }
    if (first == "OPERATOR" && at + 1 < words.size() &&
        (words[at + 1] == "CLASS" || words[at + 1] == "FAMILY")) {
        return 2;
    }
    return 1;
}

std::string joined(const Words& words, std::size_t from, std::size_t count) {
    std::string out;
    for (std::size_t i = from; i < from + count && i < words.size(); ++i) {
        if (!out.empty()) out += ' ';
        out += words[i];
    }
    return out;
}

std::string command_of(const Words& words) {
    if (words.empty()) return {};
    const std::string& verb = words[0];
    if (verb == "CREATE" || verb == "ALTER" || verb == "DROP") {
        std::size_t at = 1;
        if (verb == "CREATE") {
            while (at < words.size() && is_create_modifier(words[at])) ++at;
        }
        return verb + (at < words.size() ? " " + joined(words, at, object_words(words, at)) : "");
    }
    for (const std::initializer_list<std::string_view> two :
         {std::initializer_list<std::string_view>{"START", "TRANSACTION"},
          {"PREPARE", "TRANSACTION"},
          {"COMMIT", "PREPARED"},
          {"ROLLBACK", "PREPARED"},
          {"REFRESH", "MATERIALIZED"},
          {"SET", "ROLE"},
          {"SET", "TRANSACTION"},
          {"SET", "SESSION"},
          {"ROLLBACK", "TO"}}) {
        if (starts_with(words, two)) return joined(words, 0, 2);
    }
    return verb;
}

TransactionControl transaction_of(const Words& words) {
    if (words.empty()) return TransactionControl::kNone;
    const std::string& verb = words[0];
    const bool prepared = words.size() > 1 && words[1] == "PREPARED";
    if (starts_with(words, {"PREPARE", "TRANSACTION"}) ||
        ((verb == "COMMIT" || verb == "ROLLBACK") && prepared)) {
        return TransactionControl::kPrepare;
    }
    if (verb == "BEGIN" || starts_with(words, {"START", "TRANSACTION"})) {
        return TransactionControl::kBegin;
    }
    // ROLLBACK TO [SAVEPOINT] returns to a savepoint inside the transaction, which goes on.
    if (verb == "ROLLBACK" && words.size() > 1 && words[1] == "TO")
        return TransactionControl::kNone;
    if (verb == "COMMIT" || verb == "END" || verb == "ROLLBACK" || verb == "ABORT") {
        return TransactionControl::kEnd;
    }
    return TransactionControl::kNone;
}

// PostgreSQL's commands that call PreventInTransactionBlock. `anywhere`: CONCURRENTLY and
// DETACH seen at any position (ALTER TABLE's name may take many words).
std::optional<std::string> outside_transaction_of(const Words& s, bool concurrently_anywhere,
                                                  bool detach_anywhere) {
    const bool concurrently = has(s, "CONCURRENTLY");
    if (starts_with(s, {"ALTER", "TABLE"}) && detach_anywhere && concurrently_anywhere) {
        return "ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY";
    }
    if ((starts_with(s, {"CREATE", "INDEX"}) || starts_with(s, {"CREATE", "UNIQUE", "INDEX"})) &&
        concurrently) {
        return "CREATE INDEX CONCURRENTLY";
    }
    if (starts_with(s, {"DROP", "INDEX", "CONCURRENTLY"})) return "DROP INDEX CONCURRENTLY";
    if (starts_with(s, {"REINDEX"})) {
        if (concurrently) return "REINDEX CONCURRENTLY";
        if (has(s, "DATABASE") || has(s, "SYSTEM") || has(s, "SCHEMA")) {
            return "REINDEX SCHEMA/DATABASE/SYSTEM";
        }
    }
    if (starts_with(s, {"VACUUM"})) return "VACUUM";
    if (starts_with(s, {"CLUSTER"}) &&
        std::all_of(s.begin() + 1, s.end(), [](const std::string& w) { return w == "VERBOSE"; })) {
        return "CLUSTER (all tables)";
    }
    for (const char* object : {"DATABASE", "TABLESPACE", "SUBSCRIPTION"}) {
        if (starts_with(s, {"CREATE", object})) return std::string("CREATE ") + object;
        if (starts_with(s, {"DROP", object})) return std::string("DROP ") + object;
    }
    if (starts_with(s, {"ALTER", "DATABASE"}) && has(s, "SET") && has(s, "TABLESPACE")) {
        return "ALTER DATABASE SET TABLESPACE";
    }
    if (starts_with(s, {"ALTER", "SUBSCRIPTION"}) && (has(s, "REFRESH") || has(s, "PUBLICATION"))) {
        return "ALTER SUBSCRIPTION ... PUBLICATION";
    }
    if (starts_with(s, {"ALTER", "SYSTEM"})) return "ALTER SYSTEM";
    if (starts_with(s, {"DISCARD", "ALL"})) return "DISCARD ALL";
    return std::nullopt;
}

// Statements that run no code that could COMMIT (no procedure, no code block).
bool may_end_transaction_of(const Words& words) {
    static constexpr std::array<std::string_view, 20> kCannot = {
        "ALTER",  "ANALYZE", "COMMENT",  "CREATE",  "DELETE", "DROP",   "GRANT",
        "INSERT", "LOCK",    "MERGE",    "REFRESH", "RESET",  "REVOKE", "SELECT",
        "SET",    "TABLE",   "TRUNCATE", "UPDATE",  "VALUES", "WITH"};
    return words.empty() || std::find(kCannot.begin(), kCannot.end(), words[0]) == kCannot.end();
}

// on/off as a boolean setting accepts them (PostgreSQL's parse_bool, and DEFAULT).
std::optional<bool> setting_value(std::string_view value) {
    const std::string v = ascii_lower(value);
    for (const char* on : {"on", "true", "yes", "1", "default"}) {
        if (v == on) return true;
    }
    for (const char* off : {"off", "false", "no", "0"}) {
        if (v == off) return false;
    }
    return std::nullopt;
}

StringReading reading_of(std::optional<bool> standard) {
    if (!standard) return StringReading::kUnknown;
    return *standard ? StringReading::kStandard : StringReading::kBackslashes;
}

}  // namespace

void TraitsBuilder::keep(Token::Kind kind, std::string_view text) {
    if (tokens_.size() >= kEffectTokens) return;
    if (tokens_.empty() &&
        (kind != Token::Kind::kWord || !leading_.empty() || !may_have_effect(text))) {
        return;
    }
    tokens_.push_back({kind, std::string(text)});
}

void TraitsBuilder::symbol(char c) {
    if (!tokens_.empty()) keep(Token::Kind::kSymbol, std::string_view(&c, 1));
}

void TraitsBuilder::word(std::string_view upper_word) {
    keep(Token::Kind::kWord, upper_word);
    if (leading_.size() < kLeadingWords) leading_.emplace_back(upper_word);
    if (upper_word == "STDIN" || upper_word == "STDOUT") streams_ = true;
    if (upper_word == "STANDARD_CONFORMING_STRINGS" || upper_word == "BACKSLASH_QUOTE") {
        names_string_setting_ = true;
    }
    if (upper_word == "SET_CONFIG") set_config_ = true;
    if (upper_word == "CONCURRENTLY") concurrently_ = true;
    if (upper_word == "DETACH") detach_ = true;
    if (previous_word_ == "READ" && upper_word == "ONLY") read_only_ = true;
    if (previous_word_ == "AND" && upper_word == "CHAIN") chain_ = true;
    previous_word_ = upper_word;
}

void TraitsBuilder::quoted_identifier(std::string_view content) {
    if (!tokens_.empty()) keep(Token::Kind::kQuoted, content);
    const std::string name = ascii_lower(content);
    if (name == "standard_conforming_strings" || name == "backslash_quote") {
        names_string_setting_ = true;
        if (name == "standard_conforming_strings") quoted_setting_at_ = leading_.size();
    }
}

void TraitsBuilder::body(std::string_view content) {
    const auto names = [content](std::string_view setting) {
        return std::search(content.begin(), content.end(), setting.begin(), setting.end(),
                           [](char a, char b) {
                               return std::tolower(static_cast<unsigned char>(a)) == b;
                           }) != content.end();
    };
    if (names("standard_conforming_strings") || names("backslash_quote")) {
        names_string_setting_ = true;
        body_names_setting_ = true;
    }
}

void TraitsBuilder::literal(std::string_view content) {
    if (!tokens_.empty()) keep(Token::Kind::kLiteral, content);
    const std::string value = ascii_lower(content);
    if (value == "standard_conforming_strings" || value == "backslash_quote") {
        names_string_setting_ = true;
    }
    if (literals_.size() < kLiteralsKept) literals_.push_back(value);
}

void TraitsBuilder::number(std::string_view digits) {
    if (!tokens_.empty()) keep(Token::Kind::kNumber, digits);
    if (leading_.size() < kLeadingWords) numbers_after_.emplace(leading_.size(), digits);
}

std::string TraitsBuilder::leading_words() const {
    return joined(leading_, 0, leading_.size());
}

StatementTraits TraitsBuilder::build() const {
    StatementTraits traits;
    traits.command = command_of(leading_);
    traits.transaction = transaction_of(leading_);
    traits.outside_transaction = outside_transaction_of(leading_, concurrently_, detach_);
    traits.may_end_transaction = may_end_transaction_of(leading_);
    traits.client_copy = !leading_.empty() && leading_[0] == "COPY" && streams_;
    traits.string_reading = string_reading();
    traits.read_only = read_only_ && (traits.transaction == TransactionControl::kBegin ||
                                      traits.command == "SET TRANSACTION");
    traits.chains = chain_ && traits.transaction == TransactionControl::kEnd;
    if (!tokens_.empty()) {
        StatementEffect effect = effect_of(tokens_);
        if (!effect.empty())
            traits.effect = std::make_shared<const StatementEffect>(std::move(effect));
    }
    return traits;
}

// SET [SESSION | LOCAL] standard_conforming_strings {= | TO} value; RESET of it or of ALL;
// set_config('standard_conforming_strings', 'value', ...) with literal arguments. Anything else
// that names the setting and runs (a DO block, a function) cannot be evaluated.
StringReading TraitsBuilder::string_reading() const {
    if (leading_.empty()) return StringReading::kUnchanged;
    const std::string& verb = leading_[0];
    if (verb == "RESET") {
        const bool all = leading_.size() > 1 && leading_[1] == "ALL";
        return all || names_string_setting_ ? StringReading::kStandard : StringReading::kUnchanged;
    }
    if (verb == "SET") return set_reading();
    static constexpr std::array<std::string_view, 11> kRunners = {
        "SELECT", "DO",     "CALL",   "VALUES", "WITH", "EXECUTE",
        "INSERT", "UPDATE", "DELETE", "MERGE",  "TABLE"};
    if (std::find(kRunners.begin(), kRunners.end(), verb) == kRunners.end() ||
        !names_string_setting_) {
        return StringReading::kUnchanged;
    }
    if (set_config_ && !body_names_setting_ && literals_.size() >= 2 &&
        literals_[0] == "standard_conforming_strings") {
        return reading_of(setting_value(literals_[1]));
    }
    return StringReading::kUnknown;
}

StringReading TraitsBuilder::set_reading() const {
    std::size_t at = 1;
    if (at < leading_.size() && (leading_[at] == "SESSION" || leading_[at] == "LOCAL")) ++at;
    if (quoted_setting_at_ != at) {
        if (at >= leading_.size())
            return names_string_setting_ ? StringReading::kUnknown : StringReading::kUnchanged;
        if (leading_[at] == "BACKSLASH_QUOTE") return StringReading::kUnknown;
        if (leading_[at] != "STANDARD_CONFORMING_STRINGS") {
            return names_string_setting_ ? StringReading::kUnknown : StringReading::kUnchanged;
        }
        ++at;  // the name was a word; quoted, it is not among them
    }
    if (at < leading_.size() && leading_[at] == "TO") ++at;
    // The value: a word (on, off, true, default ...), a string literal, or a number.
    if (at < leading_.size()) return reading_of(setting_value(leading_[at]));
    if (!literals_.empty()) return reading_of(setting_value(literals_[0]));
    if (const auto number = numbers_after_.find(at); number != numbers_after_.end()) {
        return reading_of(setting_value(number->second));
    }
    return StringReading::kUnknown;
}

}  // namespace schemagate
