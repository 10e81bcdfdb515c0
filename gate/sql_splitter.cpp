// SPDX-License-Identifier: Apache-2.0
#include "sql_splitter.h"

#include <cctype>

namespace schemagate {

namespace {

bool is_word_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(a[i])) !=
            std::tolower(static_cast<unsigned char>(b[i]))) {
            return false;
        }
    }
    return true;
}

// The dollar-quote tag starting at `pos` ("$$" or "$tag$"), or empty if there is none.
std::string_view dollar_tag_at(std::string_view sql, std::size_t pos) {
    std::size_t end = pos + 1;
    if (end < sql.size() && std::isdigit(static_cast<unsigned char>(sql[end]))) return {};
    while (end < sql.size() && is_word_char(sql[end])) ++end;
    if (end < sql.size() && sql[end] == '$') return sql.substr(pos, end - pos + 1);
    return {};
}

class Splitter {
  public:
    explicit Splitter(std::string_view sql) : sql_(sql) {}

    std::vector<SqlStatement> run() {
        while (pos_ < sql_.size()) step();
        finish_statement();
        return std::move(statements_);
    }

  private:
    void step() {
        const char c = sql_[pos_];
        const char next = pos_ + 1 < sql_.size() ? sql_[pos_ + 1] : '\0';
        if (c == '-' && next == '-') return skip_line_comment();
        if (c == '/' && next == '*') return skip_block_comment();
        if (std::isspace(static_cast<unsigned char>(c))) return advance(1);
        mark_content();
        if (c == '\'') return skip_quoted('\'', previous_is_escape_prefix());
        if (c == '"') return skip_quoted('"', false);
        if (c == '$') {
            const auto tag = dollar_tag_at(sql_, pos_);
            if (!tag.empty()) return skip_dollar_quoted(tag);
        }
        if (c == ';' && atomic_depth_ == 0) {
            finish_statement();
            advance(1);
            statement_start_ = pos_;
            return;
        }
        if (is_word_char(c)) return read_word();
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

    bool previous_is_escape_prefix() const {
        if (pos_ == 0) return false;
        const char before = sql_[pos_ - 1];
        if (before != 'E' && before != 'e') return false;
        return pos_ < 2 || !is_word_char(sql_[pos_ - 2]);
    }

    void skip_line_comment() {
        while (pos_ < sql_.size() && sql_[pos_] != '\n') advance(1);
    }

    void skip_block_comment() {
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
    }

    void skip_quoted(char quote, bool backslash_escapes) {
        advance(1);
        while (pos_ < sql_.size()) {
            const char c = sql_[pos_];
            if (backslash_escapes && c == '\\') {
                advance(2);
            } else if (c == quote) {
                advance(1);
                if (pos_ < sql_.size() && sql_[pos_] == quote) {
                    advance(1);  // doubled quote is an escaped quote
                } else {
                    return;
                }
            } else {
                advance(1);
            }
        }
    }

    void skip_dollar_quoted(std::string_view tag) {
        advance(tag.size());
        const auto close = sql_.find(tag, pos_);
        advance(close == std::string_view::npos ? sql_.size() - pos_ : close - pos_ + tag.size());
    }

    // SQL-standard function bodies (BEGIN ATOMIC ... END) contain semicolons; track their
    // nesting as psql does, counting CASE ... END inside them.
    void read_word() {
        const std::size_t start = pos_;
        while (pos_ < sql_.size() && is_word_char(sql_[pos_])) advance(1);
        const std::string_view word = sql_.substr(start, pos_ - start);
        if (iequals(word, "ATOMIC") && iequals(previous_word_, "BEGIN")) {
            ++atomic_depth_;
        } else if (atomic_depth_ > 0 && iequals(word, "CASE")) {
            ++atomic_depth_;
        } else if (atomic_depth_ > 0 && iequals(word, "END")) {
            --atomic_depth_;
        }
        previous_word_ = word;
    }

    void finish_statement() {
        if (content_line_ != 0) {
            std::string_view text = sql_.substr(statement_start_, pos_ - statement_start_);
            while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
                text.remove_prefix(1);
            }
            while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
                text.remove_suffix(1);
            }
            statements_.push_back(SqlStatement{std::string(text), content_line_});
        }
        content_line_ = 0;
        atomic_depth_ = 0;
        previous_word_ = {};
    }

    std::string_view sql_;
    std::size_t pos_ = 0;
    std::size_t statement_start_ = 0;
    int line_ = 1;
    int content_line_ = 0;  // 0 = nothing but whitespace and comments so far
    int atomic_depth_ = 0;
    std::string_view previous_word_;
    std::vector<SqlStatement> statements_;
};

}  // namespace

std::vector<SqlStatement> split_sql(std::string_view sql) {
    return Splitter(sql).run();
}

bool has_no_transaction_directive(std::string_view sql) {
    const auto first_line = sql.substr(0, sql.find('\n'));
    std::string compact;
    for (const char c : first_line) {
        if (!std::isspace(static_cast<unsigned char>(c))) compact += c;
    }
    return compact == "--schemagate:no-transaction";
}

}  // namespace schemagate

namespace schemagate {

std::string first_keyword(std::string_view statement) {
    std::size_t pos = 0;
    while (pos < statement.size()) {
        if (std::isspace(static_cast<unsigned char>(statement[pos]))) {
            ++pos;
        } else if (statement.substr(pos, 2) == "--") {
            const auto end = statement.find('\n', pos);
            pos = end == std::string_view::npos ? statement.size() : end;
        } else if (statement.substr(pos, 2) == "/*") {
            const auto end = statement.find("*/", pos + 2);
            pos = end == std::string_view::npos ? statement.size() : end + 2;
        } else {
            break;
        }
    }
    std::string word;
    while (pos < statement.size() && is_word_char(statement[pos])) {
        word += static_cast<char>(std::toupper(static_cast<unsigned char>(statement[pos])));
        ++pos;
    }
    return word;
}

}  // namespace schemagate
