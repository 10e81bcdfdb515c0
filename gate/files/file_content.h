// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace schemagate {

// A file's whole content, read with one open and one fstat (a set of 1,000 files was opened
// twice and stat'ed four times per file before: a fifth of a no-op run's CPU). Symlinks are
// followed, as ConfigMap files are links into ..data. nullopt when the path is not a regular
// file. Refused (FatalError, exit 3, naming the file) when it cannot be read, or is larger than
// `max_bytes` before or while it is read (a file still being written may grow).
std::optional<std::string> read_regular_file(const std::filesystem::path& path,
                                             std::uint64_t max_bytes);

}  // namespace schemagate
