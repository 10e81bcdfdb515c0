// SPDX-License-Identifier: Apache-2.0
#include "batch_directive.h"

#include <cctype>
#include <charconv>
#include <set>

#include "ascii.h"
#include "directive.h"
#include "sql_splitter.h"

namespace schemagate {

namespace {

constexpr std::int64_t kMaxBatchSize = 1'000'000;
constexpr Millis kMaxPause{3'600'000};

bool is_space(char c) {
    return std::isspace(static_cast<unsigned char>(c)) != 0;
}

bool is_identifier(std::string_view text) {
    if (text.empty() || std::isdigit(static_cast<unsigned char>(text.front()))) return false;
    for (const char c : text) {
        if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '_') return false;
    }
    return true;
}

bool is_type_name(std::string_view text) {
    if (text.ends_with("[]")) text.remove_suffix(2);
    const auto dot = text.find('.');
    if (dot == std::string_view::npos) return is_identifier(text);
    return is_identifier(text.substr(0, dot)) && is_identifier(text.substr(dot + 1));
}

[[noreturn]] void bad_option(const std::string& message) {
    throw SqlSyntaxError(1, "-- schemagate:batch: " + message);
}

void apply_option(BatchOptions& options, std::string_view key, std::string_view value) {
    const std::string shown = std::string(key) + "=" + std::string(value);
    if (key == "size") {
        std::int64_t size = 0;
        const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), size);
        if (error != std::errc() || end != value.data() + value.size() || size < 1 ||
            size > kMaxBatchSize) {
            bad_option(shown + ": the batch size is a whole number of rows from 1 to 1000000");
        }
        options.size = size;
    } else if (key == "pause") {
        const auto pause = parse_duration(value);
        if (!pause || *pause > kMaxPause) {
            bad_option(shown + ": the pause is a duration up to 1h, like 100ms, 2s or 0");
        }
        options.pause = *pause;
    } else if (key == "key") {
        if (!is_type_name(value)) {
            bad_option(shown + ": the key is a type name, like bigint, uuid, text or timestamptz");
        }
        options.key_type = std::string(value);
    } else {
        bad_option("unknown option '" + std::string(key) + "' (size, pause, key)");
    }
}

}  // namespace

std::optional<BatchOptions> read_batch_directive(std::string_view sql) {
    const auto directive = first_line_directive(sql);
    if (!directive || directive->name != "batch") return std::nullopt;
    std::string_view rest = directive->arguments;
    BatchOptions options;
    std::set<std::string, std::less<>> seen;
    for (;;) {
        rest = ascii_trim(rest);
        if (rest.empty()) return options;
        std::size_t end = 0;
        while (end < rest.size() && !is_space(rest[end])) ++end;
        const std::string_view option = rest.substr(0, end);
        rest.remove_prefix(end);
        const auto equals = option.find('=');
        if (equals == std::string_view::npos || equals == 0) {
            bad_option("'" + std::string(option) + "' is not an option: write name=value");
        }
        const std::string_view key = option.substr(0, equals);
        if (!seen.emplace(key).second) bad_option("'" + std::string(key) + "' is given twice");
        apply_option(options, key, option.substr(equals + 1));
    }
}

std::optional<int> batch_total_marker_line(std::string_view sql) {
    sql = without_bom(sql);
    std::optional<int> found;
    int line_number = 0;
    std::size_t pos = 0;
    while (pos < sql.size()) {
        ++line_number;
        std::size_t end = sql.find('\n', pos);
        if (end == std::string_view::npos) end = sql.size();
        if (const auto directive = read_directive(sql.substr(pos, end - pos));
            directive && directive->name == "batch-total") {
            if (!directive->arguments.empty()) {
                throw SqlSyntaxError(line_number,
                                     "-- schemagate:batch-total takes no options: "
                                     "put its query on the lines below it");
            }
            if (found) throw SqlSyntaxError(line_number, "a second -- schemagate:batch-total");
            found = line_number;
        }
        pos = end + 1;
    }
    return found;
}

}  // namespace schemagate
