// SPDX-License-Identifier: Apache-2.0
#include "tenant_names.h"

#include <fstream>
#include <sstream>
#include <unordered_set>

#include "errors.h"

namespace schemagate {

namespace {

// PostgreSQL's identifiers are at most NAMEDATALEN - 1 = 63 bytes.
constexpr std::size_t kLongestName = 63;
constexpr std::string_view kPlaceholder = "{tenant}";

bool tenant_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
}

std::string trimmed(const std::string& line) {
    const auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos) return "";
    const auto last = line.find_last_not_of(" \t\r");
    return line.substr(first, last - first + 1);
}

}  // namespace

std::optional<std::string> tenant_name_problem(const std::string& name) {
    if (name.empty()) return "empty tenant name";
    if (name.size() > kLongestName) return "tenant name longer than 63 bytes";
    for (const char c : name) {
        if (!tenant_char(c)) {
            return "tenant name '" + name + "' may hold only letters, digits, '_' and '-'";
        }
    }
    return std::nullopt;
}

std::vector<std::string> parse_tenant_list(const std::string& text, const std::string& source) {
    std::vector<std::string> names;
    std::unordered_set<std::string> seen;
    std::istringstream lines(text);
    std::string line;
    std::size_t number = 0;
    while (std::getline(lines, line)) {
        ++number;
        const std::string name = trimmed(line);
        if (name.empty() || name.front() == '#') continue;
        if (const auto problem = tenant_name_problem(name)) {
            throw FatalError(ExitCode::kBadInput,
                             source + ":" + std::to_string(number) + ": " + *problem);
        }
        if (seen.insert(name).second) names.push_back(name);
    }
    if (names.empty()) throw FatalError(ExitCode::kBadInput, source + ": no tenant listed");
    return names;
}

std::vector<std::string> checked_tenants(const std::vector<std::string>& names,
                                         const std::string& source) {
    std::string text;
    for (const auto& name : names) {
        // A row holding a newline would read as two names: refused as what it is.
        if (name.find('\n') != std::string::npos || name.find('#') == 0) {
            throw FatalError(ExitCode::kBadInput,
                             source + ": tenant name '" + name.substr(0, 40) + "' is not a name");
        }
        text += name + "\n";
    }
    return parse_tenant_list(text, source);
}

std::string expand_tenant(const std::string& pattern, const std::string& tenant) {
    std::string out;
    std::size_t at = 0;
    for (;;) {
        const auto found = pattern.find(kPlaceholder, at);
        if (found == std::string::npos) break;
        out.append(pattern, at, found - at);
        out += tenant;
        at = found + kPlaceholder.size();
    }
    return out + pattern.substr(at);
}

std::vector<std::string> read_tenant_file(const std::string& path) {
    std::ifstream stream(path, std::ios::binary);
    if (!stream)
        throw FatalError(ExitCode::kBadInput, "--tenants-file " + path + ": cannot be read");
    std::ostringstream text;
    text << stream.rdbuf();
    return parse_tenant_list(text.str(), "--tenants-file " + path);
}

}  // namespace schemagate
