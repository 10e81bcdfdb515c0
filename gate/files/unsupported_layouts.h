// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace schemagate {

// Whether the files below a migrations directory (relative paths, '/'-separated) look like a
// migration tool whose migrations schemagate cannot run (code, or changelogs that are not
// SQL): "Rails (Active Record) migrations, which are Ruby (db/migrate/2024..._x.rb)". Read
// from names only. The loader says this instead of "does not start with a version number"
// when the directory does not load, or holds no SQL migration. Pure.
std::optional<std::string> recognise_unsupported_layout(const std::vector<std::string>& files);

}  // namespace schemagate
