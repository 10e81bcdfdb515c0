// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace schemagate {

// What makes a tenant name acceptable: 1 to 63 bytes of ASCII letters, digits, '_' and '-'
// (every tool that isolates tenants by schema or database uses names like these, and they stay
// one identifier wherever the template puts them). nullopt when it is fine.
std::optional<std::string> tenant_name_problem(const std::string& name);

// The tenants of a --tenants-file: one per line, surrounding blanks ignored, blank lines and
// lines starting with '#' skipped, duplicates dropped (first kept). Throws FatalError(kBadInput)
// naming `source` and the line for a bad name, or when there is no tenant at all.
std::vector<std::string> parse_tenant_list(const std::string& text, const std::string& source);

// The same checks for names from elsewhere (--tenants-query rows).
std::vector<std::string> checked_tenants(const std::vector<std::string>& names,
                                         const std::string& source);

// `pattern` with every "{tenant}" replaced by `tenant`.
std::string expand_tenant(const std::string& pattern, const std::string& tenant);

// Reads a --tenants-file; a problem names the flag and the file.
std::vector<std::string> read_tenant_file(const std::string& path);

}  // namespace schemagate
