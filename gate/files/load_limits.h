// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <cstdint>

namespace schemagate {

// What the loader reads at most. The walk's bounds are far beyond any real layout (a few
// levels, a few thousand files) and small enough that a directory mounted by mistake (a whole
// volume, a node_modules) is refused with a message before it costs memory. A file is held in
// memory while it is checked and while it runs (its text about four times over while one
// large statement is sent: ours, pqxx's query and batch strings, libpq's send buffer), so one
// above `max_file_bytes` is refused before it is read: --max-file-size.
struct LoadLimits {
    int max_depth = 16;                 // directories below the migrations directory
    std::size_t max_entries = 100'000;  // visible entries, files and directories
    std::uint64_t max_file_bytes = std::uint64_t{16} << 20;
};

}  // namespace schemagate
