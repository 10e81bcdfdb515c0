// SPDX-License-Identifier: Apache-2.0
#include "statement_effect.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace schemagate {

namespace {

using Tokens = std::span<const Token>;

std::string lower(std::string_view text) {
    std::string out(text);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

bool is_word(const Token& token, std::string_view word) {
    return token.kind == Token::Kind::kWord && token.text == word;
}

bool is_symbol(const Token& token, char c) {
    return token.kind == Token::Kind::kSymbol && token.text.size() == 1 && token.text[0] == c;
}

// A cursor over a statement's (or one ALTER TABLE action's) tokens.
class Cursor {
  public:
    explicit Cursor(Tokens tokens) : tokens_(tokens) {}

    bool done() const { return at_ >= tokens_.size(); }
    const Token* peek(std::size_t ahead = 0) const {
        return at_ + ahead < tokens_.size() ? &tokens_[at_ + ahead] : nullptr;
    }
    bool peek_word(std::string_view word, std::size_t ahead = 0) const {
        const Token* token = peek(ahead);
        return token != nullptr && is_word(*token, word);
    }
    // Consumes the words if they come next, in order.
    bool accept(std::initializer_list<std::string_view> words) {
        std::size_t i = 0;
        for (const std::string_view word : words) {
            if (!peek_word(word, i++)) return false;
        }
        at_ += words.size();
        return true;
    }
    void skip(std::size_t count = 1) { at_ = std::min(at_ + count, tokens_.size()); }
    std::size_t position() const { return at_; }
    Tokens rest() const { return tokens_.subspan(std::min(at_, tokens_.size())); }

    // One identifier: a word folded to lower case, or a quoted one in quotes.
    std::string identifier() {
        const Token* token = peek();
        if (token == nullptr) return {};
        if (token->kind == Token::Kind::kWord) {
            ++at_;
            return lower(token->text);
        }
        if (token->kind == Token::Kind::kQuoted) {
            ++at_;
            return "\"" + token->text + "\"";
        }
        return {};
    }
    // schema.name (or name, or db.schema.name), as to_regclass() reads it.
    std::string qualified_name() {
        std::string name = identifier();
        while (!name.empty() && peek() != nullptr && is_symbol(*peek(), '.')) {
            ++at_;
            const std::string part = identifier();
            if (part.empty()) break;
            name += "." + part;
        }
        return name;
    }

  private:
    Tokens tokens_;
    std::size_t at_ = 0;
};

// A run of tokens split at commas outside parentheses.
std::vector<Tokens> split_top_level(Tokens tokens) {
    std::vector<Tokens> parts;
    int depth = 0;
    std::size_t start = 0;
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        if (is_symbol(tokens[i], '(')) ++depth;
        if (is_symbol(tokens[i], ')') && depth > 0) --depth;
        if (is_symbol(tokens[i], ',') && depth == 0) {
            parts.push_back(tokens.subspan(start, i - start));
            start = i + 1;
        }
    }
    if (start < tokens.size()) parts.push_back(tokens.subspan(start));
    return parts;
}

// A word at paren depth 0 of `tokens`.
bool has_top_level_words(Tokens tokens, std::string_view first, std::string_view second) {
    int depth = 0;
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        if (is_symbol(tokens[i], '(')) ++depth;
        if (is_symbol(tokens[i], ')') && depth > 0) --depth;
        if (depth == 0 && is_word(tokens[i], first) &&
            (second.empty() || (i + 1 < tokens.size() && is_word(tokens[i + 1], second)))) {
            return true;
        }
    }
    return false;
}

// Column constraint keywords that end a column's type or a DEFAULT expression.
bool starts_column_constraint(const Token& token) {
    static constexpr std::array<std::string_view, 11> kWords = {
        "CONSTRAINT", "NOT",     "NULL",       "CHECK",   "DEFAULT",   "GENERATED",
        "UNIQUE",     "PRIMARY", "REFERENCES", "COLLATE", "DEFERRABLE"};
    return token.kind == Token::Kind::kWord &&
           std::find(kWords.begin(), kWords.end(), token.text) != kWords.end();
}

// Tokens from `cursor` up to a column constraint keyword at depth 0 (or the end).
Tokens take_until_constraint(Cursor& cursor) {
    const Tokens rest = cursor.rest();
    int depth = 0;
    std::size_t i = 0;
    for (; i < rest.size(); ++i) {
        if (is_symbol(rest[i], '(')) ++depth;
        if (is_symbol(rest[i], ')') && depth > 0) --depth;
        if (depth == 0 && starts_column_constraint(rest[i])) break;
    }
    cursor.skip(i);
    return rest.subspan(0, i);
}

// Tokens joined the way a person writes a type: "varchar(200)", "timestamp with time zone".
std::string spelled(Tokens tokens) {
    std::string out;
    for (const Token& token : tokens) {
        const bool tight = token.kind == Token::Kind::kSymbol || out.empty() || out.back() == '(' ||
                           out.back() == ',' || out.back() == '.';
        if (!tight) out += ' ';
        out += token.kind == Token::Kind::kWord ? lower(token.text) : token.text;
    }
    return out;
}

// Functions and type names that may appear in a DEFAULT without making it volatile (STABLE or
// IMMUTABLE): PostgreSQL 11+ stores such a default once instead of rewriting the table.
bool is_non_volatile_call(std::string_view name) {
    static constexpr std::array<std::string_view, 36> kKnown = {"NOW",
                                                                "STATEMENT_TIMESTAMP",
                                                                "TRANSACTION_TIMESTAMP",
                                                                "LOWER",
                                                                "UPPER",
                                                                "COALESCE",
                                                                "NULLIF",
                                                                "ARRAY",
                                                                "ROW",
                                                                "JSONB_BUILD_OBJECT",
                                                                "JSON_BUILD_OBJECT",
                                                                "JSONB_BUILD_ARRAY",
                                                                "TO_JSONB",
                                                                "MAKE_INTERVAL",
                                                                "MAKE_DATE",
                                                                "CONCAT",
                                                                "LENGTH",
                                                                "ABS",
                                                                "GREATEST",
                                                                "LEAST",
                                                                "NUMERIC",
                                                                "DECIMAL",
                                                                "VARCHAR",
                                                                "CHAR",
                                                                "CHARACTER",
                                                                "TIMESTAMP",
                                                                "TIMESTAMPTZ",
                                                                "TIME",
                                                                "INTERVAL",
                                                                "BIT",
                                                                "VARBIT",
                                                                "FLOAT",
                                                                "CAST",
                                                                "CURRENT_SETTING",
                                                                "TRIM",
                                                                "REPLACE"};
    return std::find(kKnown.begin(), kKnown.end(), name) != kKnown.end();
}

// The first call in a DEFAULT expression that may be volatile (any function not known to be
// STABLE or IMMUTABLE, as squawk judges it offline), or "".
std::string volatile_call(Tokens expression) {
    for (std::size_t i = 0; i + 1 < expression.size(); ++i) {
        const Token& token = expression[i];
        if (token.kind != Token::Kind::kWord || !is_symbol(expression[i + 1], '(')) continue;
        if (i > 0 && is_symbol(expression[i - 1], ':')) continue;  // a cast: '0'::numeric(5)
        if (!is_non_volatile_call(token.text)) return lower(token.text) + "()";
    }
    return {};
}

bool is_serial_type(Tokens type) {
    if (type.empty() || type[0].kind != Token::Kind::kWord) return false;
    static constexpr std::array<std::string_view, 6> kSerials = {
        "SERIAL", "BIGSERIAL", "SMALLSERIAL", "SERIAL2", "SERIAL4", "SERIAL8"};
    return std::find(kSerials.begin(), kSerials.end(), type[0].text) != kSerials.end();
}

class AlterTable {
  public:
    AlterTable(std::string relation, StatementEffect& out)
        : relation_(std::move(relation)), out_(out) {}

    void action(Tokens tokens) {
        Cursor c(tokens);
        if (c.accept({"ADD"})) return add(c);
        if (c.accept({"ALTER"})) {
            c.accept({"COLUMN"});
            const std::string column = c.identifier();
            return alter_column(c, column);
        }
        if (c.accept({"DROP"})) {
            if (c.peek_word("CONSTRAINT")) return;
            c.accept({"COLUMN"});
            c.accept({"IF", "EXISTS"});
            return emit(EffectKind::kDropColumn, Work::kNone, c.identifier());
        }
        if (c.accept({"SET", "TABLESPACE"}) || c.accept({"SET", "LOGGED"}) ||
            c.accept({"SET", "UNLOGGED"}) || c.accept({"SET", "ACCESS", "METHOD"})) {
            emit(EffectKind::kTableRewrite, Work::kRewrite, "", spelled(tokens.subspan(0, 2)));
        }
    }

  private:
    void emit(EffectKind kind, Work work, std::string column = {}, std::string detail = {},
              LockLevel lock = LockLevel::kAccessExclusive) {
        Effect effect{kind, relation_, std::move(column), std::move(detail)};
        effect.lock = lock;
        effect.work = work;
        out_.effects.push_back(std::move(effect));
    }

    void add(Cursor& c) {
        if (c.accept({"CONSTRAINT"})) {
            c.identifier();
            return table_constraint(c.rest());
        }
        for (const char* word : {"CHECK", "FOREIGN", "UNIQUE", "PRIMARY", "EXCLUDE"}) {
            if (c.peek_word(word)) return table_constraint(c.rest());
        }
        c.accept({"COLUMN"});
        c.accept({"IF", "NOT", "EXISTS"});
        const std::string column = c.identifier();
        add_column(c, column);
    }

    void table_constraint(Tokens tokens) {
        const bool not_valid = has_top_level_words(tokens, "NOT", "VALID");
        if (tokens.empty()) return;
        const std::string& kind = tokens[0].text;
        if (kind == "CHECK" && !not_valid) emit(EffectKind::kCheckConstraint, Work::kScan);
        if (kind == "FOREIGN" && !not_valid) foreign_key(tokens);
        if ((kind == "UNIQUE" || kind == "PRIMARY" || kind == "EXCLUDE") &&
            !has_top_level_words(tokens, "USING", "INDEX")) {
            emit(EffectKind::kUniqueConstraint, Work::kIndexBuild, "", lower(kind));
        }
    }

    void foreign_key(Tokens tokens) {
        std::string referenced;
        for (std::size_t i = 0; i < tokens.size(); ++i) {
            if (!is_word(tokens[i], "REFERENCES")) continue;
            Cursor c(tokens.subspan(i + 1));
            referenced = c.qualified_name();
            break;
        }
        emit(EffectKind::kForeignKey, Work::kScan, "", referenced, LockLevel::kShareRowExclusive);
    }

    void add_column(Cursor& c, const std::string& column) {
        const Tokens type = take_until_constraint(c);
        if (is_serial_type(type)) {
            emit(EffectKind::kAddColumnRewrite, Work::kRewrite, column, lower(type[0].text));
        }
        while (!c.done()) {
            if (c.accept({"DEFAULT"})) {
                const Tokens expression = take_until_constraint(c);
                const std::string call = volatile_call(expression);
                if (!call.empty()) {
                    emit(EffectKind::kAddColumnRewrite, Work::kRewrite, column, "DEFAULT " + call);
                }
            } else if (c.accept({"GENERATED"})) {
                const Tokens rest = take_until_constraint(c);
                const bool identity = std::any_of(rest.begin(), rest.end(), [](const Token& t) {
                    return is_word(t, "IDENTITY");
                });
                emit(EffectKind::kAddColumnRewrite, Work::kRewrite, column,
                     identity ? "identity" : "GENERATED ... STORED");
            } else {
                column_constraint(c);
            }
        }
    }

    void column_constraint(Cursor& c) {
        if (c.accept({"CONSTRAINT"})) {
            c.identifier();
            return;
        }
        const Token* token = c.peek();
        c.skip();
        const Tokens rest = take_until_constraint(c);
        if (token == nullptr) return;
        const bool not_valid = has_top_level_words(rest, "NOT", "VALID");
        if (is_word(*token, "PRIMARY") || is_word(*token, "UNIQUE")) {
            emit(EffectKind::kUniqueConstraint, Work::kIndexBuild, "", lower(token->text));
        } else if (is_word(*token, "REFERENCES") && !not_valid) {
            Cursor ref(rest);
            emit(EffectKind::kForeignKey, Work::kScan, "", ref.qualified_name(),
                 LockLevel::kShareRowExclusive);
        } else if (is_word(*token, "CHECK") && !not_valid) {
            emit(EffectKind::kCheckConstraint, Work::kScan);
        }
    }

    void alter_column(Cursor& c, const std::string& column) {
        if (c.accept({"SET", "DATA", "TYPE"}) || c.accept({"TYPE"})) {
            const Tokens rest = c.rest();
            std::size_t end = 0;
            while (end < rest.size() && !is_word(rest[end], "USING") &&
                   !is_word(rest[end], "COLLATE")) {
                ++end;
            }
            Effect effect{EffectKind::kColumnType, relation_, column,
                          spelled(rest.subspan(0, end))};
            effect.using_expression = has_top_level_words(rest, "USING", "");
            effect.work = Work::kRewrite;
            out_.effects.push_back(std::move(effect));
        } else if (c.accept({"SET", "NOT", "NULL"})) {
            emit(EffectKind::kSetNotNull, Work::kScan, column);
        } else if (c.accept({"SET", "EXPRESSION"})) {
            emit(EffectKind::kTableRewrite, Work::kRewrite, column, "SET EXPRESSION");
        }
    }

    std::string relation_;
    StatementEffect& out_;
};

void alter_table(Cursor& c, StatementEffect& out) {
    c.accept({"IF", "EXISTS"});
    c.accept({"ONLY"});
    if (c.peek_word("ALL") && c.peek_word("IN", 1)) return;  // ALTER TABLE ALL IN TABLESPACE
    const std::string relation = c.qualified_name();
    if (c.peek() != nullptr && is_symbol(*c.peek(), '*')) c.skip();
    if (c.accept({"RENAME"})) {
        if (c.accept({"TO"})) {
            out.effects.push_back({EffectKind::kRename, relation, "", "", false});
            out.renames.emplace_back(c.qualified_name(), relation);
            return;
        }
        if (c.peek_word("CONSTRAINT")) return;
        c.accept({"COLUMN"});
        out.effects.push_back({EffectKind::kRename, relation, c.identifier(), "", false});
        return;
    }
    if (c.peek_word("ATTACH") || c.peek_word("DETACH") ||
        (c.peek_word("SET") && c.peek_word("SCHEMA", 1))) {
        return;
    }
    AlterTable alter(relation, out);
    for (const Tokens action : split_top_level(c.rest())) alter.action(action);
}

// ALTER VIEW / MATERIALIZED VIEW / FUNCTION / PROCEDURE / TYPE: renames, and enum values.
void alter_other(Cursor& c, StatementEffect& out) {
    if (c.accept({"TYPE"})) {
        const std::string type = c.qualified_name();
        if (c.accept({"ADD", "VALUE"})) {
            Effect effect{EffectKind::kEnumAddValue, type, "", "", false};
            effect.lock = LockLevel::kNone;
            out.effects.push_back(std::move(effect));
        }
        return;
    }
    const bool view = c.accept({"VIEW"}) || c.accept({"MATERIALIZED", "VIEW"});
    if (!view && !c.accept({"FUNCTION"}) && !c.accept({"PROCEDURE"})) return;
    c.accept({"IF", "EXISTS"});
    const std::string name = c.qualified_name();
    // A function's argument list, then RENAME TO.
    const Tokens rest = c.rest();
    for (std::size_t i = 0; i + 1 < rest.size(); ++i) {
        if (!is_word(rest[i], "RENAME")) continue;
        const bool column = is_word(rest[i + 1], "COLUMN");
        Cursor after(rest.subspan(i + (column ? 2 : 1)));
        out.effects.push_back(
            {EffectKind::kRename, name, column ? after.identifier() : "", "", false});
        if (view && !column && after.accept({"TO"})) {
            out.renames.emplace_back(after.qualified_name(), name);
        }
        return;
    }
}

// Names separated by commas, up to CASCADE / RESTRICT or a function's argument list.
std::vector<std::string> name_list(Cursor& c) {
    std::vector<std::string> names;
    while (!c.done()) {
        const std::string name = c.qualified_name();
        if (name.empty()) break;
        names.push_back(name);
        int depth = 0;
        while (!c.done() && (depth > 0 || !is_symbol(*c.peek(), ','))) {
            if (is_symbol(*c.peek(), '(')) ++depth;
            if (is_symbol(*c.peek(), ')') && depth > 0) --depth;
            c.skip();
        }
        c.skip();  // the comma
    }
    return names;
}

void drop(Cursor& c, StatementEffect& out) {
    EffectKind kind = EffectKind::kDropTable;
    bool concurrently = false;
    if (c.accept({"TABLE"})) {
        kind = EffectKind::kDropTable;
    } else if (c.accept({"VIEW"}) || c.accept({"MATERIALIZED", "VIEW"})) {
        kind = EffectKind::kDropView;
    } else if (c.accept({"FUNCTION"}) || c.accept({"PROCEDURE"})) {
        kind = EffectKind::kDropFunction;
    } else if (c.accept({"INDEX"})) {
        kind = EffectKind::kDropIndex;
        concurrently = c.accept({"CONCURRENTLY"});
    } else {
        return;
    }
    c.accept({"IF", "EXISTS"});
    if (concurrently) return;
    for (std::string& name : name_list(c)) {
        if (name == "cascade" || name == "restrict") break;
        out.effects.push_back({kind, std::move(name), "", "", false});
    }
}

void create(Cursor& c, StatementEffect& out) {
    c.accept({"OR", "REPLACE"});
    for (const char* modifier : {"UNIQUE", "TEMP", "TEMPORARY", "UNLOGGED", "GLOBAL", "LOCAL"}) {
        c.accept({modifier});
    }
    if (c.accept({"INDEX"})) {
        const bool concurrently = c.accept({"CONCURRENTLY"});
        c.accept({"IF", "NOT", "EXISTS"});
        std::string index;
        if (!c.peek_word("ON")) index = c.qualified_name();
        if (!c.accept({"ON"})) return;
        c.accept({"ONLY"});
        const std::string table = c.qualified_name();
        if (!index.empty()) out.creates.push_back(index);
        if (concurrently) return;
        Effect effect{EffectKind::kCreateIndex, table, "", index, false};
        effect.lock = LockLevel::kShare;
        effect.work = Work::kIndexBuild;
        out.effects.push_back(std::move(effect));
        return;
    }
    if (c.accept({"TABLE"}) || c.accept({"MATERIALIZED", "VIEW"}) || c.accept({"VIEW"}) ||
        c.accept({"RECURSIVE", "VIEW"}) || c.accept({"FOREIGN", "TABLE"}) ||
        c.accept({"SEQUENCE"})) {
        c.accept({"IF", "NOT", "EXISTS"});
        const std::string name = c.qualified_name();
        if (!name.empty()) out.creates.push_back(name);
    }
}

Effect maintenance(EffectKind kind, std::string relation) {
    Effect effect{kind, std::move(relation), "", "", false};
    effect.work = kind == EffectKind::kReindex ? Work::kIndexBuild : Work::kRewrite;
    return effect;
}

// CLUSTER, VACUUM FULL, REFRESH MATERIALIZED VIEW, REINDEX.
void maintenance_command(const std::string& verb, Cursor& c, StatementEffect& out) {
    if (verb == "REFRESH") {
        if (!c.accept({"MATERIALIZED", "VIEW"}) || c.accept({"CONCURRENTLY"})) return;
        out.effects.push_back(maintenance(EffectKind::kRefreshMatview, c.qualified_name()));
    } else if (verb == "CLUSTER") {
        c.accept({"VERBOSE"});
        const std::string first = c.qualified_name();
        // CLUSTER index ON table (before PostgreSQL 8.3's spelling, still accepted).
        const std::string table = c.accept({"ON"}) ? c.qualified_name() : first;
        out.effects.push_back(maintenance(EffectKind::kCluster, table));
    } else if (verb == "VACUUM") {
        bool full = false;
        std::size_t options_end = 0;
        const Tokens rest = c.rest();
        if (!rest.empty() && is_symbol(rest[0], '(')) {
            while (options_end < rest.size() && !is_symbol(rest[options_end], ')')) {
                full = full || is_word(rest[options_end], "FULL");
                ++options_end;
            }
            c.skip(options_end + 1);
        }
        while (c.peek() != nullptr && c.peek()->kind == Token::Kind::kWord &&
               (c.peek_word("FULL") || c.peek_word("FREEZE") || c.peek_word("VERBOSE") ||
                c.peek_word("ANALYZE"))) {
            full = full || c.peek_word("FULL");
            c.skip();
        }
        if (!full) return;
        std::vector<std::string> tables = name_list(c);
        if (tables.empty()) tables.emplace_back();
        for (std::string& table : tables) {
            out.effects.push_back(maintenance(EffectKind::kVacuumFull, std::move(table)));
        }
    } else if (verb == "REINDEX") {
        if (c.peek() != nullptr && is_symbol(*c.peek(), '(')) {
            while (!c.done() && !is_symbol(*c.peek(), ')')) c.skip();
            c.skip();
        }
        const bool named = c.accept({"INDEX"}) || c.accept({"TABLE"});
        if (!named || c.accept({"CONCURRENTLY"})) return;
        out.effects.push_back(maintenance(EffectKind::kReindex, c.qualified_name()));
    }
}

}  // namespace

std::string_view lock_name(LockLevel lock) {
    static constexpr std::array<std::string_view, 9> kNames = {
        "",      "ACCESS SHARE",        "ROW SHARE", "ROW EXCLUSIVE",   "SHARE UPDATE EXCLUSIVE",
        "SHARE", "SHARE ROW EXCLUSIVE", "EXCLUSIVE", "ACCESS EXCLUSIVE"};
    return kNames.at(static_cast<std::size_t>(lock));
}

bool may_have_effect(std::string_view first_word) {
    static constexpr std::array<std::string_view, 7> kVerbs = {
        "ALTER", "CREATE", "DROP", "CLUSTER", "VACUUM", "REFRESH", "REINDEX"};
    return std::find(kVerbs.begin(), kVerbs.end(), first_word) != kVerbs.end();
}

StatementEffect effect_of(std::span<const Token> tokens) {
    StatementEffect out;
    if (tokens.empty() || tokens[0].kind != Token::Kind::kWord) return out;
    const std::string verb = tokens[0].text;
    Cursor c(tokens.subspan(1));
    if (verb == "ALTER") {
        if (c.accept({"TABLE"})) {
            alter_table(c, out);
        } else {
            alter_other(c, out);
        }
    } else if (verb == "DROP") {
        drop(c, out);
    } else if (verb == "CREATE") {
        create(c, out);
    } else {
        maintenance_command(verb, c, out);
    }
    return out;
}

}  // namespace schemagate
