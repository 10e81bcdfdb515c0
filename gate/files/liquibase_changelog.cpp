// SPDX-License-Identifier: Apache-2.0
#include "liquibase_changelog.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <iterator>
#include <map>
#include <regex>
#include <stdexcept>

#include "ascii.h"
#include "delimited_sql.h"
#include "digest.h"

namespace schemagate {

namespace {

// Liquibase's patterns (AbstractFormattedChangeLogParser), each matched against a whole line,
// case-insensitively, as Java's Matcher.matches() does.
const std::regex& pattern(const char* text) {
    // One compiled regex per pattern text, kept for the process.
    static thread_local std::vector<std::pair<const char*, std::regex>> cache;
    for (const auto& [key, compiled] : cache) {
        if (key == text) return compiled;
    }
    cache.emplace_back(text, std::regex(text, std::regex::icase | std::regex::ECMAScript));
    return cache.back().second;
}

constexpr const char* kProperty = R"(\s*-+\s*property\s.*)";
constexpr const char* kIgnoreLines = R"(--\s*ignoreLines:(\w+))";
constexpr const char* kChangeset = R"(\s*--\s*changeset\s+("[^"]+"|[^:]+):\s*("[^"]+"|\S+).*)";
constexpr const char* kAltChangeset = R"(\s*-+\s*changeset(\s.*)?)";
constexpr const char* kComment = R"(--\s*comments?:? (.*))";
constexpr const char* kValidCheckSum = R"(--\s*validCheckSum:? (.*))";
constexpr const char* kRollback = R"(\s*--\s*rollback (.*))";
constexpr const char* kRollbackBlockStart = R"(\s*/\*\s*liquibase\s*rollback\s*)";
constexpr const char* kRollbackBlockEnd = R"(.*\*/\s*)";
constexpr const char* kPreconditions = R"(\s*--\s*preconditions?.*)";
constexpr const char* kInclude = R"(\s*--\s*include.*)";

// Liquibase's header, `\s*--\s*liquibase\s*formatted.*`, matched whole and case-insensitively,
// by hand: every .sql file of every layout is asked, and compiling that one std::regex cost
// each process 7.5 M instructions (the validation of 1000 files took 60.5 M with it). `\s` is
// isspace() (\r included); ECMAScript's `.` is anything but \n and \r.
bool is_formatted_sql_header(std::string_view line) {
    const auto skip_spaces = [&line] {
        while (!line.empty() && std::isspace(static_cast<unsigned char>(line.front())) != 0) {
            line.remove_prefix(1);
        }
    };
    const auto take = [&line](std::string_view lower_word) {
        if (line.size() < lower_word.size() ||
            !std::equal(lower_word.begin(), lower_word.end(), line.begin(), [](char w, char c) {
                return w == std::tolower(static_cast<unsigned char>(c));
            })) {
            return false;
        }
        line.remove_prefix(lower_word.size());
        return true;
    };
    skip_spaces();
    if (!take("--")) return false;
    skip_spaces();
    if (!take("liquibase")) return false;
    skip_spaces();
    return take("formatted") && line.find_first_of("\r\n") == std::string_view::npos;
}

std::optional<std::string> attribute(const std::string& line, const std::string& name,
                                     const char* value_pattern = R"((\w+))") {
    // Compiled once per attribute: a changelog may hold thousands of changesets.
    static thread_local std::map<std::string, std::regex> compiled;
    const std::string text = ".*\\b" + name + ":" + value_pattern + ".*";
    auto found = compiled.find(text);
    if (found == compiled.end()) {
        found = compiled.emplace(text, std::regex(text, std::regex::icase)).first;
    }
    std::smatch match;
    if (!std::regex_match(line, match, found->second)) return std::nullopt;
    return match[1].str();
}

bool boolean_attribute(const std::string& line, const std::string& name, bool fallback, int at) {
    const auto value = attribute(line, name);
    if (!value) return fallback;
    if (ascii_lower(*value) == "true") return true;
    if (ascii_lower(*value) == "false") return false;
    throw SqlSyntaxError(at, name + ":" + *value + " is not true or false");
}

std::string strip_quotes(std::string text) {
    if (text.size() >= 2 && text.front() == '"' && text.back() == '"') {
        return text.substr(1, text.size() - 2);
    }
    return text;
}

// Liquibase's DatabaseList.definitionMatches for PostgreSQL: `all`, `none`, names, `!name`.
bool for_postgresql(const std::string& dbms) {
    bool any_positive = false;
    std::size_t start = 0;
    while (start <= dbms.size()) {
        const auto end = std::min(dbms.find(',', start), dbms.size());
        const std::string item = ascii_lower(dbms.substr(start, end - start));
        start = end + 1;
        if (item.empty()) continue;
        if (item == "all") return true;
        if (item == "none" || item == "!postgresql") return false;
        if (item.front() != '!') {
            if (item == "postgresql") return true;
            any_positive = true;
        }
    }
    return !any_positive;
}

[[noreturn]] void refuse(int line, const std::string& what) {
    throw SqlSyntaxError(line, what);
}

// The attributes of a --changeset line that schemagate honours or refuses.
LiquibaseChangeset changeset_from(const std::string& line, const std::smatch& match, int at,
                                  const std::string& file_logical_path) {
    LiquibaseChangeset changeset;
    changeset.author = strip_quotes(match[1].str());
    changeset.id = strip_quotes(match[2].str());
    changeset.line = at;
    if (boolean_attribute(line, "runOnChange", false, at) ||
        boolean_attribute(line, "runAlways", false, at)) {
        refuse(at,
               "runOnChange/runAlways changesets are not supported: schemagate runs each "
               "changeset once, in order; make the change a new changeset");
    }
    if (!boolean_attribute(line, "failOnError", true, at)) {
        refuse(at,
               "failOnError:false is not supported: schemagate stops at the first error "
               "(a failed statement rolls its migration back)");
    }
    if (attribute(line, "runWith", R"(([\w\$\{\}]+))")) {
        refuse(at,
               "runWith: is not supported: schemagate runs SQL on its own connection, not "
               "through psql or another client");
    }
    changeset.run_in_transaction = boolean_attribute(line, "runInTransaction", true, at);
    changeset.split_statements = boolean_attribute(line, "splitStatements", true, at);
    if (auto delimiter = attribute(line, "endDelimiter", R"((\S*))")) {
        if (!delimiter->empty()) changeset.end_delimiter = std::move(*delimiter);
    }
    if (const auto dbms = attribute(line, "dbms", R"(([^,][\w!,]+))")) {
        changeset.skipped = !for_postgresql(*dbms);
    }
    if (const auto ignore = attribute(line, "ignore", R"((\w*))")) {
        changeset.skipped = changeset.skipped || ascii_lower(*ignore) == "true";
    }
    changeset.logical_file_path =
        attribute(line, "logicalFilePath", R"((\S*))").value_or(file_logical_path);
    return changeset;
}

// Reads the file line by line as Liquibase does.
class ChangelogReader {
  public:
    std::vector<LiquibaseChangeset> read(std::string_view sql);

  private:
    void on_line(const std::string& line, std::string_view raw);
    bool skipped(const std::string& line);
    void on_ignore_lines(const std::string& value);
    void before_changesets_line(const std::string& line, std::string_view raw);
    void changeset_comment_line(const std::string& line, std::string_view raw);
    void on_changeset_line(const std::string& line, const std::smatch& match);
    void close_changeset();
    void body_line(std::string_view raw) {
        current_->sql.append(raw);
        current_->sql += '\n';
    }
    void blank_line() { current_->sql += '\n'; }
    // A line that never runs, kept as a blank one so that statement lines keep their numbers.
    void blank() {
        if (current_)
            blank_line();
        else
            before_first_ += '\n';
    }
    void outside_line(std::string_view raw) {
        before_first_.append(raw);
        before_first_ += '\n';
    }

    std::vector<LiquibaseChangeset> changesets_;
    std::optional<LiquibaseChangeset> current_;
    std::string before_first_;  // lines before the first changeset, others blanked
    std::string file_logical_path_;
    int number_ = 0;
    int skip_ = 0;           // --ignoreLines:N lines still to skip
    bool ignoring_ = false;  // inside --ignoreLines:start ... end
    bool in_rollback_block_ = false;
};

std::vector<LiquibaseChangeset> ChangelogReader::read(std::string_view sql) {
    std::size_t pos = 0;
    while (pos < sql.size()) {
        auto end = sql.find('\n', pos);
        end = end == std::string_view::npos ? sql.size() : end;
        std::string_view raw = sql.substr(pos, end - pos);
        const std::string_view whole = sql.substr(pos, std::min(end + 1, sql.size()) - pos);
        pos = end + 1;
        ++number_;
        if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
        on_line(std::string(raw), raw);
        // After on_line: a --changeset line starts the text of the changeset it opens.
        if (current_) current_->text.append(whole);
    }
    close_changeset();
    if (!split_sql(before_first_).empty()) {
        refuse(1,
               "SQL outside any --changeset never runs under Liquibase; move it into a "
               "changeset");
    }
    return std::move(changesets_);
}

// Whether the line falls in what --ignoreLines or a rollback block skips (and ends it).
bool ChangelogReader::skipped(const std::string& line) {
    if (skip_ == 0 && !ignoring_ && !in_rollback_block_) return false;
    std::smatch match;
    if (skip_ > 0) --skip_;
    if (ignoring_ && std::regex_match(line, match, pattern(kIgnoreLines)) &&
        ascii_lower(match[1].str()) == "end") {
        ignoring_ = false;
    }
    if (in_rollback_block_ && std::regex_match(line, pattern(kRollbackBlockEnd))) {
        in_rollback_block_ = false;
    }
    return true;
}

// --ignoreLines:start (until :end) or --ignoreLines:N (the next N lines).
void ChangelogReader::on_ignore_lines(const std::string& value) {
    if (value == "start") {
        ignoring_ = true;
    } else if (std::all_of(
                   value.begin(), value.end(),
                   [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }) &&
               !value.empty()) {
        skip_ = std::stoi(value);
    } else {
        refuse(number_, "unknown --ignoreLines:" + value);
    }
}

void ChangelogReader::on_line(const std::string& line, std::string_view raw) {
    if (skipped(line)) return blank();
    // Every pattern of Liquibase's starts with `--` or `/*` after spaces: any other line is
    // SQL, without a regex run over it.
    const auto first = line.find_first_not_of(" \t\f\v");
    if (first == std::string::npos || (line[first] != '-' && line[first] != '/')) {
        if (!current_) return outside_line(raw);
        return body_line(raw);
    }
    if (std::regex_match(line, pattern(kProperty))) {
        refuse(number_,
               "--property is not supported: schemagate runs the SQL as written, "
               "without substituting ${...} values");
    }
    if (is_formatted_sql_header(line)) {
        if (const auto path = attribute(line, "logicalFilePath", R"((\S*))"))
            file_logical_path_ = *path;
        if (!current_) return blank();
    }
    std::smatch match;
    if (std::regex_match(line, match, pattern(kIgnoreLines))) {
        on_ignore_lines(ascii_lower(match[1].str()));
        return blank();
    }
    if (std::regex_match(line, match, pattern(kChangeset))) return on_changeset_line(line, match);
    if (std::regex_match(line, pattern(kAltChangeset))) {
        refuse(number_, "expected `--changeset <author>:<id>` (Liquibase refuses this line too)");
    }
    if (!current_) return before_changesets_line(line, raw);
    changeset_comment_line(line, raw);
}

// A comment line before the first changeset: kept to check that no SQL stands there.
void ChangelogReader::before_changesets_line(const std::string& line, std::string_view raw) {
    if (std::regex_match(line, pattern(kInclude))) {
        refuse(number_,
               "--include/--includeAll are not read: schemagate reads every file of "
               "the migrations directory itself, ordered by the number its name "
               "starts with");
    }
    outside_line(raw);
}

// A comment line in a changeset: its checksums, rollback lines and refused preconditions.
void ChangelogReader::changeset_comment_line(const std::string& line, std::string_view raw) {
    std::smatch match;
    if (std::regex_match(line, match, pattern(kValidCheckSum))) {
        current_->valid_checksums.push_back(match[1].str());
        return blank_line();
    }
    if (std::regex_match(line, pattern(kComment)) || std::regex_match(line, pattern(kRollback))) {
        return blank_line();
    }
    if (std::regex_match(line, pattern(kRollbackBlockStart))) {
        in_rollback_block_ = true;
        return blank_line();
    }
    if (std::regex_match(line, pattern(kPreconditions))) {
        refuse(number_,
               "Liquibase preconditions are not evaluated by schemagate, which runs "
               "each changeset exactly once, in order; remove them, or write the "
               "condition in SQL (IF NOT EXISTS, a DO block)");
    }
    body_line(raw);
}

void ChangelogReader::on_changeset_line(const std::string& line, const std::smatch& match) {
    close_changeset();
    current_ = changeset_from(line, match, number_, file_logical_path_);
    current_->sql = "\n";  // the --changeset line itself, blank: it never runs
}

void ChangelogReader::close_changeset() {
    if (!current_) return;
    if (split_sql(current_->sql).empty()) {
        refuse(current_->line, "changeset " + current_->author + ":" + current_->id +
                                   " holds no SQL (Liquibase refuses it too)");
    }
    changesets_.push_back(std::move(*current_));
    current_.reset();
}

std::string without_whitespace(std::string_view sql) {
    std::string out;
    out.reserve(sql.size());
    for (const char c : sql) {
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n') out += c;
    }
    return out;
}

}  // namespace

bool is_liquibase_formatted(std::string_view sql) {
    sql = without_bom(sql);
    while (!sql.empty()) {
        const auto end = std::min(sql.find('\n'), sql.size());
        std::string line(sql.substr(0, end));
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.find_first_not_of(" \t") != std::string::npos)
            return is_formatted_sql_header(line);
        sql.remove_prefix(std::min(end + 1, sql.size()));
    }
    return false;
}

std::vector<LiquibaseChangeset> read_liquibase_changelog(std::string_view sql) {
    return ChangelogReader().read(without_bom(sql));
}

std::string liquibase_change_checksum_v9(std::string_view sql) {
    return "9:" + md5_hex(without_whitespace(sql));
}

std::string liquibase_changeset_checksum_v9(std::string_view sql) {
    return "9:" + md5_hex(liquibase_change_checksum_v9(sql) + ":");
}

std::string liquibase_normalized_v8(std::string_view end_delimiter, bool split_statements,
                                    bool strip_comments, std::string_view sql) {
    std::string out = std::string(end_delimiter) + ":" + (split_statements ? "true" : "false") +
                      ":" + (strip_comments ? "true" : "false") + ":";
    bool pending_space = false;
    bool seen = false;
    for (const char c : sql) {
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            pending_space = seen;
            continue;
        }
        if (pending_space) out += ' ';
        pending_space = false;
        seen = true;
        out += c;
    }
    return out;
}

std::vector<std::string> LiquibaseChangeset::md5sums_v8() const {
    std::vector<std::string> sums;
    for (const bool strip : {true, false}) {
        const std::string change =
            "8:" + md5_hex(liquibase_normalized_v8(end_delimiter.value_or("null"), split_statements,
                                                   strip, sql));
        sums.push_back("8:" + md5_hex(change + ":"));
    }
    return sums;
}

std::string LiquibaseChangeset::md5sum() const {
    return liquibase_changeset_checksum_v9(sql);
}

std::vector<SqlStatement> LiquibaseChangeset::statements() const {
    // `sql` starts on the --changeset line.
    if (end_delimiter) return split_at_delimiter(sql, *end_delimiter, line);
    auto lexed = split_sql(sql);
    shift_lines(lexed, line - 1);
    if (split_statements || lexed.size() <= 1) return lexed;
    // splitStatements:false: the whole SQL goes as one query, as Liquibase sends it.
    for (const auto& part : lexed) {
        if (part.traits.outside_transaction) {
            throw SqlSyntaxError(part.line, *part.traits.outside_transaction +
                                                " in a splitStatements:false changeset of "
                                                "several statements: they go to the server as "
                                                "one query, which runs as one transaction, where "
                                                "it cannot run; give it a changeset of its own");
        }
    }
    SqlStatement unit = lexed.front();
    const auto first = sql.find_first_not_of(" \t\r\n");
    const auto last = sql.find_last_not_of(" \t\r\n");
    unit.text = sql.substr(first, last - first + 1);
    unit.parts.assign(std::make_move_iterator(lexed.begin()), std::make_move_iterator(lexed.end()));
    return {std::move(unit)};
}

}  // namespace schemagate
