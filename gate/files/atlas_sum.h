// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace schemagate {

// Atlas's directory integrity file, `atlas.sum`, as Atlas defines it (sql/migrate/dir.go):
// - the files are the directory's own `*.sql` files (not its subdirectories'), ordered by name
//   byte by byte;
// - one running SHA-256 is fed each file's name and then its bytes; after each file, the
//   running digest (base64, standard alphabet, padded) is that file's hash. A file whose first
//   line carries `atlas:sum ignore` feeds its name only and gets no entry;
// - the sum is the SHA-256 of every entry's name and hash, concatenated in order;
// - the text is `h1:<sum>` on the first line, then `<name> h1:<hash>` per entry.
struct AtlasSumEntry {
    std::string name;
    std::string hash;
};

// The entries Atlas computes for `files` (name, bytes), which must be ordered by name.
std::vector<AtlasSumEntry> atlas_hash_entries(
    const std::vector<std::pair<std::string, std::string>>& files);

// The sum over the entries (the first line's value, without "h1:").
std::string atlas_sum_of(const std::vector<AtlasSumEntry>& entries);

// The file's text, as `atlas migrate hash` writes it.
std::string atlas_sum_text(const std::vector<AtlasSumEntry>& entries);

// nullopt when `sum_text` describes exactly `files`; otherwise why not, naming the file:
// an edited atlas.sum, a file added, removed or changed since it was written.
std::optional<std::string> atlas_sum_mismatch(
    std::string_view sum_text, const std::vector<std::pair<std::string, std::string>>& files);

// Atlas's directive syntax (`-- atlas:txmode none`): the value of directive `name` on the first
// line of `text`, if that line carries it (and begins with `prefix`, when one is given).
std::optional<std::string> atlas_directive(std::string_view text, std::string_view name,
                                           std::optional<std::string_view> prefix = {});

// True when the directory holds an `atlas.sum`: it is an Atlas migration directory.
bool has_atlas_sum(const std::string& directory);

// Reads the directory's `*.sql` files and its atlas.sum, and throws FatalError(kBadInput)
// naming the file when they differ (Atlas refuses to run such a directory too).
void verify_atlas_directory(const std::string& directory, std::uint64_t max_file_bytes);

}  // namespace schemagate
