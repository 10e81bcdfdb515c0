// SPDX-License-Identifier: Apache-2.0
#include "migration_file.h"

#include <algorithm>
#include <cctype>
#include <iterator>

#include "ascii.h"
#include "directive.h"
#include "one_query.h"

namespace schemagate {

namespace {

// A marker line of either tool, or nothing.
struct Marker {
    enum class Kind { kNone, kUp, kDown, kBlockBegin, kBlockEnd, kNoTransaction, kOther };
    Kind kind = Kind::kNone;
    MigrationFile::Layout layout = MigrationFile::Layout::kPlain;
    std::string options;  // dbmate: the rest of the up line ("transaction:false")
};

// dbmate: `-- migrate:up [options]` (dbmate's own regex allows spaces after `--`).
// goose: `-- +goose <annotation>`, annotations case-insensitive, on their own line.
Marker marker_of(std::string_view line) {
    line = ascii_trim(line);
    if (line.substr(0, 2) != "--") return {};
    const std::string_view rest = ascii_trim(line.substr(2));
    if (rest.substr(0, 8) == "migrate:") {
        const std::string_view tail = rest.substr(8);
        if (tail.substr(0, 2) == "up" &&
            (tail.size() == 2 || std::isspace(static_cast<unsigned char>(tail[2])))) {
            return {Marker::Kind::kUp, MigrationFile::Layout::kDbmate,
                    std::string(ascii_trim(tail.substr(2)))};
        }
        if (tail.substr(0, 4) == "down" &&
            (tail.size() == 4 || std::isspace(static_cast<unsigned char>(tail[4])))) {
            return {Marker::Kind::kDown, MigrationFile::Layout::kDbmate, {}};
        }
        return {};
    }
    if (ascii_lower(rest.substr(0, 6)) != "+goose") return {};
    std::string annotation;
    for (const char c : ascii_lower(ascii_trim(rest.substr(6)))) {
        if (!std::isspace(static_cast<unsigned char>(c))) annotation += c;
    }
    Marker marker{Marker::Kind::kOther, MigrationFile::Layout::kGoose, {}};
    if (annotation == "up") marker.kind = Marker::Kind::kUp;
    if (annotation == "down") marker.kind = Marker::Kind::kDown;
    if (annotation == "statementbegin") marker.kind = Marker::Kind::kBlockBegin;
    if (annotation == "statementend") marker.kind = Marker::Kind::kBlockEnd;
    if (annotation == "notransaction") marker.kind = Marker::Kind::kNoTransaction;
    return marker;
}

// The file with every line that does not belong to the up part blanked (line numbers kept),
// and goose's statement blocks taken out whole.
struct UpPart {
    std::string text;
    std::vector<SqlStatement> blocks;
    MigrationFile::Layout layout = MigrationFile::Layout::kPlain;
    bool no_transaction = false;
};

// Reads a file line by line, keeping the up part's lines and blanking the rest.
class UpPartReader {
  public:
    UpPart read(std::string_view sql);

  private:
    enum class Where { kBeforeUp, kUp, kDown };

    void on_marker(const Marker& marker);
    void leave_before_up() {
        if (where_ == Where::kBeforeUp) before_up_ = before_up_.substr(0, line_start_);
    }
    void end_block();
    void on_sql_line(std::string_view line);
    void check_complete() const;

    UpPart part_;
    Where where_ = Where::kBeforeUp;
    int line_number_ = 0;
    int block_start_ = 0;  // first line of an open goose statement block; 0 when none
    std::string block_;
    std::optional<int> down_line_;
    bool saw_up_ = false;
    // What precedes the first up or down marker, checked to be comments only: a view into
    // the file, not a copy (a plain file is all "before up").
    std::string_view before_up_;
    std::size_t line_start_ = 0;
};

UpPart UpPartReader::read(std::string_view sql) {
    std::size_t pos = 0;
    before_up_ = sql;
    while (pos < sql.size()) {
        ++line_number_;
        line_start_ = pos;
        std::size_t end = sql.find('\n', pos);
        end = end == std::string_view::npos ? sql.size() : end + 1;
        const std::string_view line = sql.substr(pos, end - pos);
        pos = end;
        const Marker marker = marker_of(line);
        if (marker.kind == Marker::Kind::kNone || marker.kind == Marker::Kind::kOther) {
            if (marker.kind == Marker::Kind::kOther) on_marker(marker);
            on_sql_line(line);
            continue;
        }
        on_marker(marker);
        part_.text += '\n';
    }
    if (block_start_ != 0)
        throw SqlSyntaxError(block_start_, "-- +goose StatementBegin without StatementEnd");
    if (part_.layout != MigrationFile::Layout::kPlain) check_complete();
    return std::move(part_);
}

void UpPartReader::on_marker(const Marker& marker) {
    if (part_.layout != MigrationFile::Layout::kPlain && part_.layout != marker.layout) {
        throw SqlSyntaxError(line_number_, "mixes dbmate and goose markers");
    }
    part_.layout = marker.layout;
    switch (marker.kind) {
        case Marker::Kind::kUp:
            if (saw_up_) throw SqlSyntaxError(line_number_, "a second up marker");
            // dbmate refuses it (ErrParseWrongOrder), goose too: what is above would be the
            // down part to them, and the up part below it to a reader that only looks for up.
            if (down_line_) {
                throw SqlSyntaxError(*down_line_,
                                     "the down marker comes before the up marker: its tool "
                                     "refuses that order; put the up part first");
            }
            saw_up_ = true;
            leave_before_up();
            where_ = Where::kUp;
            if (ascii_lower(marker.options).find("transaction:false") != std::string::npos) {
                part_.no_transaction = true;
            }
            return;
        case Marker::Kind::kDown:
            if (block_start_ != 0) {
                throw SqlSyntaxError(block_start_, "-- +goose StatementBegin without StatementEnd");
            }
            if (!down_line_) down_line_ = line_number_;
            leave_before_up();
            where_ = Where::kDown;
            return;
        case Marker::Kind::kNoTransaction:
            part_.no_transaction = true;
            return;
        case Marker::Kind::kBlockBegin:
            if (where_ != Where::kUp) return;
            if (block_start_ != 0)
                throw SqlSyntaxError(line_number_, "nested -- +goose StatementBegin");
            block_start_ = line_number_ + 1;
            block_.clear();
            return;
        case Marker::Kind::kBlockEnd:
            if (where_ == Where::kUp) end_block();
            return;
        case Marker::Kind::kOther:
        case Marker::Kind::kNone:
            return;
    }
}

void UpPartReader::end_block() {
    if (block_start_ == 0) {
        throw SqlSyntaxError(line_number_, "-- +goose StatementEnd without StatementBegin");
    }
    // Lexed like any SQL (NUL, quotes, comments), then kept as one unit, sent whole as goose
    // sends it; the statements it holds are kept with it, each with its file line.
    std::string padded(static_cast<std::size_t>(block_start_ - 1), '\n');
    if (auto lexed = split_sql(padded + block_); !lexed.empty()) {
        SqlStatement statement = lexed.front();
        statement.text = std::string(ascii_trim(block_));
        while (!statement.text.empty() && statement.text.back() == ';') statement.text.pop_back();
        if (lexed.size() > 1) {
            statement.parts.assign(std::make_move_iterator(lexed.begin()),
                                   std::make_move_iterator(lexed.end()));
        }
        part_.blocks.push_back(std::move(statement));
    }
    block_start_ = 0;
}

void UpPartReader::on_sql_line(std::string_view line) {
    if (where_ == Where::kUp && block_start_ != 0) {
        block_ += line;
        part_.text += '\n';
    } else if (where_ == Where::kUp) {
        part_.text += line;
    } else {
        part_.text +=
            std::string(static_cast<std::size_t>(std::count(line.begin(), line.end(), '\n')), '\n');
    }
}

void UpPartReader::check_complete() const {
    const char* up_marker =
        part_.layout == MigrationFile::Layout::kDbmate ? "-- migrate:up" : "-- +goose Up";
    if (!saw_up_) {
        throw SqlSyntaxError(down_line_.value_or(1),
                             std::string("has no up part (") + up_marker +
                                 "): refusing to guess what to run; the down part never runs");
    }
    if (!split_sql(before_up_).empty()) {
        throw SqlSyntaxError(1, std::string("SQL before ") + up_marker +
                                    " would not run under its own tool; move it below the marker");
    }
}

UpPart up_part(std::string_view sql) {
    return UpPartReader().read(sql);
}

// The batch directive, the total query after its marker, and the one statement left.
void read_batch_parts(std::string_view sql, MigrationFile& file) {
    const auto total_marker = batch_total_marker_line(sql);
    file.batch = read_batch_directive(sql);
    if (!file.batch) {
        if (total_marker) {
            throw SqlSyntaxError(*total_marker,
                                 "-- schemagate:batch-total outside a batched migration (one "
                                 "whose first line is -- schemagate:batch)");
        }
        return;
    }
    if (total_marker) {
        const auto total = std::find_if(
            file.statements.begin(), file.statements.end(),
            [&](const SqlStatement& statement) { return statement.line > *total_marker; });
        if (total == file.statements.end()) {
            throw SqlSyntaxError(*total_marker, "-- schemagate:batch-total has no query below it");
        }
        file.batch_total = std::move(*total);
        file.statements.erase(total);
    }
    if (file.no_transaction) {
        throw SqlSyntaxError(1,
                             "a batched migration runs each batch in a transaction of its "
                             "own, and this file cannot run in one (" +
                                 file.no_transaction_reason + ")");
    }
    std::vector<int> lines;  // of every statement, those in goose blocks included
    for (const auto& unit : file.statements) {
        for (const auto& statement : statements_of(unit)) lines.push_back(statement.line);
    }
    if (lines.size() != 1) {
        throw SqlSyntaxError(
            lines.empty() ? 1 : lines[1],
            "a batched migration holds one statement, run again until it processes no rows "
            "(and, after -- schemagate:batch-total, one query counting them); found " +
                std::to_string(lines.size()));
    }
    // What PREPARE accepts: the statement is prepared once per batch, with its parameters.
    const SqlStatement& statement = file.statements.front();
    const std::string keyword = first_keyword(statement);
    for (const char* preparable :
         {"SELECT", "INSERT", "UPDATE", "DELETE", "MERGE", "WITH", "VALUES", "TABLE"}) {
        if (keyword == preparable) return;
    }
    throw SqlSyntaxError(statement.line,
                         "a batched migration's statement is an UPDATE, DELETE, INSERT, MERGE, "
                         "WITH or SELECT, not " +
                             keyword);
}

// A StatementBegin block is lexed apart from the rest of the file, with the server's default
// reading of strings: in a file that changes that reading, the block could be read otherwise
// by the server (and its statements counted otherwise) than it was checked.
void refuse_string_changes_beside_blocks(const std::vector<SqlStatement>& units) {
    for (const auto& unit : units) {
        for (const auto& statement : statements_of(unit)) {
            if (statement.traits.string_reading == StringReading::kUnchanged) continue;
            throw SqlSyntaxError(statement.line,
                                 "this statement changes how strings are read "
                                 "(standard_conforming_strings) in a file with -- +goose "
                                 "StatementBegin blocks, which are read apart from it; move it "
                                 "to a migration of its own");
        }
    }
}

}  // namespace

MigrationFile read_migration_file(std::string_view sql) {
    sql = without_bom(sql);
    // The whole file passes the lexer's checks, the down part included: it is part of what
    // was checked in. A plain file is lexed once; only an up part is lexed again on its own.
    std::vector<SqlStatement> whole = split_sql(sql);
    UpPart part = up_part(sql);
    MigrationFile file;
    file.layout = part.layout;
    if (part.layout == MigrationFile::Layout::kPlain) {
        file.statements = std::move(whole);
    } else {
        std::vector<SqlStatement>().swap(whole);  // one copy of the statements at a time
        file.statements = split_sql(part.text);
    }
    if (!part.blocks.empty()) {
        for (auto& block : part.blocks) file.statements.push_back(std::move(block));
        std::stable_sort(
            file.statements.begin(), file.statements.end(),
            [](const SqlStatement& a, const SqlStatement& b) { return a.line < b.line; });
        refuse_string_changes_beside_blocks(file.statements);
    }
    const bool forced_on = has_first_line_flag(sql, "no-transaction");
    const bool forced_off = has_first_line_flag(sql, "transaction");
    if (forced_on || part.no_transaction) {
        file.no_transaction = true;
        file.no_transaction_reason = "directive";
    }
    for (const auto& statement : file.statements) {
        refuse_outside_transaction_in_one_query(
            statement, "in a -- +goose StatementBegin block of several statements", "block");
        if (const auto& reason = statement.traits.outside_transaction;
            reason && !file.no_transaction) {
            file.no_transaction = true;
            file.no_transaction_reason = "line " + std::to_string(statement.line) + ": " + *reason;
        }
    }
    if (forced_off) {
        file.no_transaction = false;
        file.no_transaction_reason.clear();
    }
    file.mixed = file.no_transaction && file.statements.size() > 1;
    file.contract = has_first_line_flag(sql, kContractDirective);
    read_batch_parts(sql, file);
    return file;
}

}  // namespace schemagate
