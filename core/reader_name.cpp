// SPDX-License-Identifier: Apache-2.0
#include "reader_name.h"

#include <array>
#include <charconv>
#include <vector>

namespace schemagate {

namespace {

constexpr int kBase36 = 36;

std::string base36(std::int64_t value) {
    std::array<char, 16> buffer{};
    const auto result =
        std::to_chars(buffer.data(), buffer.data() + buffer.size(), value < 0 ? 0 : value, kBase36);
    return {buffer.data(), result.ptr};
}

bool is_pod_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_';
}

// Only what a DNS label or hostname holds; anything else becomes `_` (the server would turn
// non-ASCII into `?`, and a space would end the field).
std::string clean_pod(std::string_view pod) {
    std::string out;
    for (const char c : pod) out += is_pod_char(c) ? c : '_';
    return out.empty() ? "?" : out;
}

std::string window_text(const ReaderIdentity& reader) {
    if (!reader.expect) return "*";
    return reader.expect->text() + (reader.max_version ? "-" + reader.max_version->text() : "");
}

std::vector<std::string_view> fields_of(std::string_view text) {
    std::vector<std::string_view> fields;
    while (!text.empty()) {
        const auto space = text.find(' ');
        fields.push_back(text.substr(0, space));
        if (space == std::string_view::npos) break;
        text.remove_prefix(space + 1);
    }
    return fields;
}

bool parse_window(std::string_view text, ReaderIdentity& reader) {
    if (text == "*") return true;
    const auto dash = text.find('-');
    reader.expect = MigrationVersion::parse(text.substr(0, dash));
    if (!reader.expect) return false;
    if (dash == std::string_view::npos) return true;
    reader.max_version = MigrationVersion::parse(text.substr(dash + 1));
    return reader.max_version.has_value();
}

}  // namespace

std::string reader_set_tag(const StateLocation& where) {
    // FNV-1a, 32 bits: stable across builds and machines, which std::hash is not.
    std::uint32_t hash = 2166136261U;
    const auto feed = [&hash](std::string_view text) {
        for (const char c : text) {
            hash ^= static_cast<unsigned char>(c);
            hash *= 16777619U;
        }
    };
    feed(where.schema);
    feed(std::string_view("\0", 1));
    feed(where.name);
    std::array<char, 8> buffer{};
    const auto result =
        std::to_chars(buffer.data(), buffer.data() + buffer.size(), hash & 0xFFFFFFU, 16);
    return std::string(6 - static_cast<std::size_t>(result.ptr - buffer.data()), '0') +
           std::string(buffer.data(), result.ptr);
}

std::optional<std::string> encode_reader_name(const ReaderIdentity& reader) {
    const std::string head = std::string(kReaderNamePrefix) + reader.set_tag + " " +
                             reader.shipped.text() + " " + base36(reader.since_unix) + " ";
    const std::string pod = clean_pod(reader.pod);
    for (const std::string& window : {window_text(reader), std::string("*")}) {
        std::string name = head;
        name.append(window).append(" ").append(pod);
        if (name.size() <= kMaxApplicationName) return name;
    }
    const std::string shortest = head + "* ~";
    if (shortest.size() + 1 > kMaxApplicationName) return std::nullopt;
    const std::size_t room = kMaxApplicationName - shortest.size();
    return shortest + pod.substr(pod.size() - std::min(room, pod.size()));
}

std::optional<ReaderIdentity> decode_reader_name(std::string_view name) {
    if (!name.starts_with(kReaderNamePrefix)) return std::nullopt;
    const auto fields = fields_of(name.substr(kReaderNamePrefix.size()));
    if (fields.size() != 5 || fields[0].size() != 6 || fields[4].empty()) return std::nullopt;
    ReaderIdentity reader;
    reader.set_tag = std::string(fields[0]);
    const auto shipped = MigrationVersion::parse(fields[1]);
    if (!shipped) return std::nullopt;
    reader.shipped = *shipped;
    const auto since = fields[2];
    const auto parsed =
        std::from_chars(since.data(), since.data() + since.size(), reader.since_unix, kBase36);
    if (parsed.ec != std::errc() || parsed.ptr != since.data() + since.size()) return std::nullopt;
    if (!parse_window(fields[3], reader)) return std::nullopt;
    reader.pod = std::string(fields[4]);
    return reader;
}

}  // namespace schemagate
