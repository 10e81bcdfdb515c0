// SPDX-License-Identifier: Apache-2.0
#include "atlas_file.h"

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include "ascii.h"
#include "atlas_sum.h"
#include "delimited_sql.h"

namespace schemagate {

namespace {

struct FileComment {
    std::string text;
    int line = 0;
};

// Atlas's file directives: the comment lines (`--` or `#`) the file starts with, counted only
// when an empty line follows them.
std::vector<FileComment> file_comments(std::string_view content) {
    std::vector<FileComment> comments;
    int line = 0;
    while (content.starts_with("#") || content.starts_with("--")) {
        ++line;
        const auto end = content.find('\n');
        if (end == std::string_view::npos) {
            comments.push_back({std::string(content), line});
            return comments;
        }
        comments.push_back({std::string(ascii_trim(content.substr(0, end))), line});
        content.remove_prefix(end + 1);
    }
    if (!content.starts_with("\n")) return {};
    return comments;
}

std::string unescaped(std::string value) {
    std::string out;
    for (std::size_t i = 0; i < value.size(); ++i) {
        if (value[i] == '\\' && i + 1 < value.size()) {
            const char next = value[i + 1];
            if (next == 'n' || next == 'r' || next == 't') {
                out += next == 'n' ? '\n' : next == 'r' ? '\r' : '\t';
                ++i;
                continue;
            }
        }
        out += value[i];
    }
    return out;
}

MigrationFile read_delimited(std::string_view sql, const std::string& delimiter) {
    if (delimiter.empty()) throw SqlSyntaxError(1, "-- atlas:delimiter without a delimiter");
    const auto first_line_end = sql.find('\n');
    if (first_line_end == std::string_view::npos) {
        throw SqlSyntaxError(1, "no input found after -- atlas:delimiter");
    }
    MigrationFile file;
    file.statements = split_at_delimiter(sql.substr(first_line_end + 1), delimiter, 2);
    file.no_transaction_reason = outside_transaction_reason(file.statements);
    file.no_transaction = !file.no_transaction_reason.empty();
    return file;
}

// `none` when the file's directives say so; throws for a mode Atlas does not take in a file.
bool no_transaction_directive(std::string_view sql) {
    bool none = false;
    for (const auto& comment : file_comments(sql)) {
        if (atlas_directive(comment.text, "checkpoint")) {
            throw SqlSyntaxError(comment.line,
                                 "an Atlas checkpoint file (-- atlas:checkpoint) is not supported: "
                                 "schemagate runs every file in order; remove the checkpoint "
                                 "file (its content is what the files before it build)");
        }
        const auto mode = atlas_directive(comment.text, "txmode");
        if (!mode) continue;
        const std::string value(ascii_trim(*mode));
        if (value == "none") {
            none = true;
        } else if (value != "file") {
            throw SqlSyntaxError(comment.line, "-- atlas:txmode " + value +
                                                   ": a file takes `none` or `file` (each "
                                                   "migration already runs in its own "
                                                   "transaction)");
        }
    }
    return none;
}

}  // namespace

MigrationFile read_atlas_file(std::string_view sql) {
    sql = without_bom(sql);
    const bool none = no_transaction_directive(sql);
    MigrationFile file;
    if (const auto delimiter = atlas_directive(sql, "delimiter", "-- ")) {
        // The whole file still passes the lexer's checks (NUL, UTF-8, unterminated literals).
        split_sql(sql);
        file = read_delimited(sql, unescaped(*delimiter));
    } else {
        file = read_migration_file(sql);
    }
    if (none) {
        file.no_transaction = true;
        file.no_transaction_reason = "directive (-- atlas:txmode none)";
    }
    file.mixed = file.no_transaction && file.statements.size() > 1;
    return file;
}

}  // namespace schemagate
