// SPDX-License-Identifier: Apache-2.0
#include "atlas_sum.h"

#include <nettle/base64.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <stdexcept>

#include "ascii.h"
#include "digest.h"
#include "errors.h"

namespace schemagate {

namespace fs = std::filesystem;

namespace {

std::string base64(std::string_view bytes) {
    std::string out(BASE64_ENCODE_RAW_LENGTH(bytes.size()), '\0');
    base64_encode_raw(out.data(), bytes.size(),
                      reinterpret_cast<const std::uint8_t*>(bytes.data()));
    return out;
}

bool is_word(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
}

// The lines of atlas.sum as Go's line scanner yields them: split at LF, a CR before it
// dropped, no empty line after a final LF.
std::vector<std::string_view> sum_lines(std::string_view text) {
    std::vector<std::string_view> lines;
    while (!text.empty()) {
        const auto end = text.find('\n');
        std::string_view line = text.substr(0, end);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        lines.push_back(line);
        if (end == std::string_view::npos) break;
        text.remove_prefix(end + 1);
    }
    return lines;
}

}  // namespace

std::optional<std::string> atlas_directive(std::string_view text, std::string_view name,
                                           std::optional<std::string_view> prefix) {
    // The directive's pattern only spans printable ASCII: it ends at the first line end.
    const auto printable_end = std::find_if(text.begin(), text.end(), [](char c) {
        return static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7E;
    });
    const std::string_view line =
        text.substr(0, static_cast<std::size_t>(printable_end - text.begin()));
    // The pattern's leading part is greedy: the last "atlas:<word>" on the line is the one.
    for (std::size_t at = line.rfind("atlas:"); at != std::string_view::npos;
         at = at == 0 ? std::string_view::npos : line.rfind("atlas:", at - 1)) {
        std::size_t end = at + 6;
        while (end < line.size() && is_word(line[end])) ++end;
        if (end == at + 6) continue;
        if (line.substr(at + 6, end - at - 6) != name) return std::nullopt;
        if (prefix && line.substr(0, at) != *prefix) return std::nullopt;
        std::string_view value;
        if (end < line.size() && line[end] == ' ') {
            while (end < line.size() && line[end] == ' ') ++end;
            value = line.substr(end);
        }
        return std::string(value);
    }
    return std::nullopt;
}

std::vector<AtlasSumEntry> atlas_hash_entries(
    const std::vector<std::pair<std::string, std::string>>& files) {
    std::vector<AtlasSumEntry> entries;
    RunningSha256 running;
    for (const auto& [name, bytes] : files) {
        running.feed(name);
        if (atlas_directive(bytes, "sum") == "ignore") continue;
        running.feed(bytes);
        entries.push_back({name, base64(running.digest())});
    }
    return entries;
}

std::string atlas_sum_of(const std::vector<AtlasSumEntry>& entries) {
    RunningSha256 sum;
    for (const auto& entry : entries) {
        sum.feed(entry.name);
        sum.feed(entry.hash);
    }
    return base64(sum.digest());
}

std::string atlas_sum_text(const std::vector<AtlasSumEntry>& entries) {
    std::string text = "h1:" + atlas_sum_of(entries) + "\n";
    for (const auto& entry : entries) text += entry.name + " h1:" + entry.hash + "\n";
    return text;
}

std::optional<std::string> atlas_sum_mismatch(
    std::string_view sum_text, const std::vector<std::pair<std::string, std::string>>& files) {
    const auto lines = sum_lines(sum_text);
    if (lines.empty()) return "atlas.sum is empty";
    std::string_view recorded_sum = lines.front();
    if (recorded_sum.starts_with("h1:")) recorded_sum.remove_prefix(3);
    std::vector<AtlasSumEntry> recorded;
    for (std::size_t i = 1; i < lines.size(); ++i) {
        const auto at = lines[i].find("h1:");
        if (at == std::string_view::npos) {
            return "atlas.sum line " + std::to_string(i + 1) + " is not `<file> h1:<hash>`";
        }
        recorded.push_back({std::string(ascii_trim(lines[i].substr(0, at))),
                            std::string(lines[i].substr(at + 3))});
    }
    if (atlas_sum_of(recorded) != recorded_sum) {
        return "atlas.sum was edited by hand: its first line is not the sum of its entries";
    }
    const auto computed = atlas_hash_entries(files);
    if (atlas_sum_of(computed) == recorded_sum) return std::nullopt;
    std::set<std::string> recorded_names, present_names;
    for (const auto& entry : recorded) recorded_names.insert(entry.name);
    for (const auto& entry : computed) present_names.insert(entry.name);
    for (std::size_t i = 0; i < std::max(recorded.size(), computed.size()); ++i) {
        if (i < computed.size() && !recorded_names.contains(computed[i].name)) {
            return computed[i].name + " is not in atlas.sum (added after it was written)";
        }
        if (i < recorded.size() && !present_names.contains(recorded[i].name)) {
            return recorded[i].name + " is in atlas.sum but not in the directory";
        }
        if (i < recorded.size() && i < computed.size() && recorded[i].hash != computed[i].hash) {
            return computed[i].name + " changed since atlas.sum was written";
        }
    }
    return "the files do not match atlas.sum";
}

bool has_atlas_sum(const std::string& directory) {
    std::error_code error;
    return fs::exists(fs::path(directory) / "atlas.sum", error);
}

namespace {

std::string read_whole(const fs::path& path, std::uint64_t max_bytes) {
    std::error_code error;
    const auto size = fs::file_size(path, error);
    if (!error && size > max_bytes) {
        throw FatalError(ExitCode::kBadInput, "migration file " + path.string() +
                                                  " is above the file size limit "
                                                  "(--max-file-size)");
    }
    std::ifstream stream(path, std::ios::binary);
    if (!stream) {
        throw FatalError(ExitCode::kBadInput,
                         "cannot read " + path.string() + ": " + std::strerror(errno));
    }
    std::ostringstream content;
    content << stream.rdbuf();
    if (stream.bad()) throw FatalError(ExitCode::kBadInput, "cannot read " + path.string());
    return std::move(content).str();
}

}  // namespace

std::vector<AtlasSumEntry> verify_atlas_directory(const std::string& directory,
                                                  std::uint64_t max_file_bytes) {
    // Atlas reads the directory's own *.sql files (a glob, hidden names included), by name.
    std::vector<std::pair<std::string, std::string>> files;
    std::error_code error;
    for (fs::directory_iterator it(directory, error), end; !error && it != end;
         it.increment(error)) {
        const std::string name = it->path().filename().string();
        if (name.size() < 4 || !name.ends_with(".sql")) continue;
        files.emplace_back(name, read_whole(it->path(), max_file_bytes));
    }
    if (error) {
        throw FatalError(ExitCode::kBadInput, "--migrations: cannot read directory " + directory +
                                                  ": " + error.message());
    }
    std::sort(files.begin(), files.end());
    const std::string sum = read_whole(fs::path(directory) / "atlas.sum", max_file_bytes);
    if (const auto mismatch = atlas_sum_mismatch(sum, files)) {
        throw FatalError(ExitCode::kBadInput,
                         "--migrations: " + directory +
                             " does not match its atlas.sum: " + *mismatch +
                             "; Atlas refuses such a directory too (if the change is intended, "
                             "run `atlas migrate hash`)");
    }
    return atlas_hash_entries(files);
}

}  // namespace schemagate
