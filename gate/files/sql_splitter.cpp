// SPDX-License-Identifier: Apache-2.0
#include "sql_splitter.h"

#include <algorithm>
#include <cctype>

#include "ascii.h"
#include "directive.h"
#include "utf8.h"

namespace schemagate {

namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

// PostgreSQL's scan.l: ident_start [A-Za-z\200-\377_], ident_cont adds [0-9\$]; dollar-quote
// tags use ident_cont without the `$`. Non-ASCII bytes are identifier characters.
bool is_ident_start(char c) {
    const auto u = static_cast<unsigned char>(c);
    return std::isalpha(u) != 0 || c == '_' || u >= 0x80;
}
bool is_tag_char(char c) {
    return is_ident_start(c) || std::isdigit(static_cast<unsigned char>(c)) != 0;
}
bool is_ident_char(char c) {
    return is_tag_char(c) || c == '$';
}
// scan.l's `space`: [ \t\n\r\f\v].
bool is_sql_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// NUL bytes truncate the query libpq sends (what runs would not be what was checked), and the
// server refuses invalid UTF-8 only statement by statement, after earlier ones ran.
void check_bytes(std::string_view sql) {
    const auto line_at = [sql](std::size_t offset) {
        return 1 + static_cast<int>(
                       std::count(sql.begin(), sql.begin() + static_cast<long>(offset), '\n'));
    };
    if (const auto nul = sql.find('\0'); nul != std::string_view::npos) {
        throw SqlSyntaxError(line_at(nul), "NUL byte in the file (a binary file?)");
    }
    if (const auto bad = first_invalid_utf8(sql)) {
        throw SqlSyntaxError(line_at(*bad), "invalid UTF-8 byte sequence");
    }
}

class Splitter {
  public:
    explicit Splitter(std::string_view sql) : sql_(sql) {}

    std::vector<SqlStatement> run() {
        // Every statement but the last ends at a semicolon: reserving for each one up front
        // keeps a file of a million statements from holding them twice over (plus the spare
        // half of a doubled vector) while the vector grows. Semicolons inside literals and
        // bodies make it too many; much spare room is given back at the end.
        statements_.reserve(static_cast<std::size_t>(std::count(sql_.begin(), sql_.end(), ';')) +
                            1);
        try {
            while (pos_ < sql_.size()) step();
        } catch (const SqlSyntaxError& e) {
            // pg_dump writes a COPY's rows after it (`\N`, `\.`): the first thing wrong is the
            // COPY, not a line of its data.
            if (client_copy_line_ == 0 || e.line() <= client_copy_line_) throw;
            throw SqlSyntaxError(client_copy_line_,
                                 "COPY FROM STDIN followed by its data (as pg_dump writes it) is "
                                 "not supported: the data streams through psql, and schemagate "
                                 "sends SQL only; load it with INSERT, or COPY from a file the "
                                 "server can read");
        }
        finish_statement();
        // (Not for a few spare places: shrinking copies the vector.)
        if (statements_.capacity() - statements_.size() > statements_.size() / 4 + 1) {
            statements_.shrink_to_fit();
        }
        return std::move(statements_);
    }

  private:
    char at(std::size_t offset) const {
        return pos_ + offset < sql_.size() ? sql_[pos_ + offset] : '\0';
    }

    void step() {
        const char c = sql_[pos_];
        const char next = at(1);
        if (c == '-' && next == '-') return skip_line_comment();
        if (c == '/' && next == '*') return skip_block_comment();
        if (is_sql_space(c)) return advance(1);
        if (c != ';') mark_content();
        if (c == '\'') return skip_string(standard_strings_ ? Escapes::kNone : Escapes::kBackslash);
        if (c == '"') return skip_quoted_identifier();
        if (c == '$') return read_dollar();
        if (c == '\\') {
            std::size_t end = pos_ + 1;
            while (end < sql_.size() && std::isalpha(static_cast<unsigned char>(sql_[end]))) {
                ++end;
            }
            throw SqlSyntaxError(line_, "psql meta-command `" +
                                            std::string(sql_.substr(pos_, end - pos_)) +
                                            "` is not SQL: the server would not run it as "
                                            "psql does; remove it");
        }
        if (c == '(') ++paren_depth_;
        if (c == ')' && paren_depth_ > 0) --paren_depth_;
        if (c == ';' && atomic_depth_ == 0 && paren_depth_ == 0) {
            finish_statement();
            advance(1);
            statement_start_ = pos_;
            return;
        }
        if (is_ident_start(c)) return read_word();
        if (std::isdigit(static_cast<unsigned char>(c)) != 0) return read_number();
        traits_.symbol(c);
        advance(1);
    }

    void advance(std::size_t count) {
        for (std::size_t i = 0; i < count && pos_ < sql_.size(); ++i) {
            if (sql_[pos_] == '\n') ++line_;
            ++pos_;
        }
    }

    void mark_content() {
        if (content_line_ == 0) content_line_ = line_;
    }

    // scan.l's `comment`: "--" followed by anything but \n or \r.
    void skip_line_comment() {
        while (pos_ < sql_.size() && sql_[pos_] != '\n' && sql_[pos_] != '\r') advance(1);
    }

    void skip_block_comment() {
        const int started = line_;
        int depth = 0;
        while (pos_ < sql_.size()) {
            if (sql_.substr(pos_, 2) == "/*") {
                ++depth;
                advance(2);
            } else if (sql_.substr(pos_, 2) == "*/") {
                advance(2);
                if (--depth == 0) return;
            } else {
                advance(1);
            }
        }
        throw SqlSyntaxError(started, "unterminated /* comment");
    }

    enum class Escapes { kNone, kBackslash };

    void skip_string(Escapes escapes) {
        const int started = line_;
        advance(1);
        const std::size_t content = pos_;
        while (pos_ < sql_.size()) {
            const char c = sql_[pos_];
            if (escapes == Escapes::kBackslash && c == '\\') {
                advance(2);
            } else if (c == '\'') {
                advance(1);
                if (at(0) != '\'') {
                    traits_.literal(sql_.substr(content, pos_ - 1 - content));
                    return;
                }
                advance(1);  // a doubled quote is a quote
            } else {
                advance(1);
            }
        }
        throw SqlSyntaxError(started, "unterminated quoted string");
    }

    void skip_quoted_identifier() {
        const int started = line_;
        advance(1);
        const std::size_t content = pos_;
        while (pos_ < sql_.size()) {
            if (sql_[pos_] == '"') {
                advance(1);
                if (at(0) != '"') {
                    traits_.quoted_identifier(sql_.substr(content, pos_ - 1 - content));
                    return;
                }
            }
            advance(1);
        }
        throw SqlSyntaxError(started, "unterminated quoted identifier");
    }

    // `$1` is a parameter, `$tag$` or `$$` opens a dollar quote; anything else is a lone `$`.
    void read_dollar() {
        if (std::isdigit(static_cast<unsigned char>(at(1))) != 0) {
            advance(1);
            while (std::isdigit(static_cast<unsigned char>(at(0))) != 0) advance(1);
            return;
        }
        std::size_t end = pos_ + 1;
        if (end < sql_.size() && is_ident_start(sql_[end])) {
            while (end < sql_.size() && is_tag_char(sql_[end])) ++end;
        }
        if (end >= sql_.size() || sql_[end] != '$') return advance(1);
        const std::string_view tag = sql_.substr(pos_, end - pos_ + 1);
        const int started = line_;
        advance(tag.size());
        const auto close = sql_.find(tag, pos_);
        if (close == std::string_view::npos) {
            throw SqlSyntaxError(started, "unterminated dollar-quoted string " + std::string(tag));
        }
        traits_.body(sql_.substr(pos_, close - pos_));
        advance(close - pos_ + tag.size());
    }

    void read_number() {
        const std::size_t start = pos_;
        while (pos_ < sql_.size() && (is_tag_char(sql_[pos_]) || sql_[pos_] == '.')) advance(1);
        traits_.number(sql_.substr(start, pos_ - start));
    }

    // Words also track SQL-standard function bodies (BEGIN ATOMIC ... END, which contain
    // semicolons), as psql does, counting CASE ... END inside them; and string prefixes:
    // E'...' takes backslash escapes, U&'...' and U&"..." are quoted as usual.
    void read_word() {
        const std::size_t start = pos_;
        while (pos_ < sql_.size() && is_ident_char(sql_[pos_])) advance(1);
        const std::string word = ascii_upper(sql_.substr(start, pos_ - start));
        if (word == "E" && at(0) == '\'') return skip_string(Escapes::kBackslash);
        if (word == "U" && at(0) == '&' && at(1) == '\'') {
            advance(1);
            return skip_string(Escapes::kNone);
        }
        if (word == "U" && at(0) == '&' && at(1) == '"') {
            advance(1);
            return skip_quoted_identifier();
        }
        if ((word == "ATOMIC" && previous_word_ == "BEGIN") ||
            (atomic_depth_ > 0 && word == "CASE")) {
            ++atomic_depth_;
        } else if (atomic_depth_ > 0 && word == "END") {
            --atomic_depth_;
        }
        traits_.word(word);
        previous_word_ = word;
    }

    // How plain strings are read from the next statement on, as the statement's traits say.
    // A change that cannot be evaluated here (StringReading::kUnknown) leaves the reading as
    // it was; such a statement also ends its exchange (migration_chain.cpp).
    void follow_string_settings(const StatementTraits& traits) {
        if (traits.string_reading == StringReading::kStandard) standard_strings_ = true;
        if (traits.string_reading == StringReading::kBackslashes) standard_strings_ = false;
    }

    void finish_statement() {
        if (content_line_ != 0) {
            std::string_view text = sql_.substr(statement_start_, pos_ - statement_start_);
            while (!text.empty() && is_sql_space(text.front())) text.remove_prefix(1);
            while (!text.empty() && is_sql_space(text.back())) text.remove_suffix(1);
            StatementTraits traits = traits_.build();
            follow_string_settings(traits);
            if (traits.client_copy && client_copy_line_ == 0) client_copy_line_ = content_line_;
            statements_.push_back(SqlStatement{
                {std::string(text), content_line_, traits_.leading_words(), std::move(traits)},
                {}});
        }
        content_line_ = 0;
        atomic_depth_ = 0;
        paren_depth_ = 0;
        previous_word_.clear();
        traits_ = TraitsBuilder{};
    }

    std::string_view sql_;
    std::size_t pos_ = 0;
    std::size_t statement_start_ = 0;
    int line_ = 1;
    int content_line_ = 0;  // 0 = nothing but whitespace and comments so far
    int atomic_depth_ = 0;
    int paren_depth_ = 0;
    bool standard_strings_ = true;  // the server default since PostgreSQL 9.1
    std::string previous_word_;
    TraitsBuilder traits_;
    int client_copy_line_ = 0;  // the first COPY FROM STDIN / TO STDOUT, if any
    std::vector<SqlStatement> statements_;
};

}  // namespace

std::string_view without_bom(std::string_view sql) {
    if (sql.substr(0, kBom.size()) == kBom) sql.remove_prefix(kBom.size());
    return sql;
}

std::vector<SqlStatement> split_sql(std::string_view sql) {
    sql = without_bom(sql);
    check_bytes(sql);
    return Splitter(sql).run();
}

std::span<const LexedStatement> statements_of(const SqlStatement& unit) {
    if (unit.parts.empty()) return {static_cast<const LexedStatement*>(&unit), 1};
    return unit.parts;
}

std::string first_keyword(const LexedStatement& statement) {
    return statement.leading_words.substr(0, statement.leading_words.find(' '));
}

}  // namespace schemagate
