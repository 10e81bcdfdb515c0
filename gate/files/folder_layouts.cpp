// SPDX-License-Identifier: Apache-2.0
#include "folder_layouts.h"

#include <algorithm>
#include <cctype>

#include "digest.h"
#include "errors.h"
#include "migration_set.h"

namespace schemagate {

namespace {

// As migration_name.cpp: longer than any timestamp a tool writes.
constexpr std::size_t kMaxVersionLength = 64;

bool all_digits(std::string_view text) {
    return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c)) != 0;
    });
}

// Digits to a version; all zeros (Prisma's `0_init`, diesel's setup) to 0.1: see the header.
std::optional<MigrationVersion> digits_version(std::string_view digits) {
    if (!all_digits(digits) || digits.size() > kMaxVersionLength) return std::nullopt;
    auto version = MigrationVersion::parse(digits);
    if (version && version->none()) return MigrationVersion::parse("0.1");
    return version;
}

std::string humanize(std::string_view raw) {
    std::string out(raw);
    std::replace(out.begin(), out.end(), '_', ' ');
    return out;
}

std::string_view after_first_underscore(std::string_view folder) {
    const auto separator = folder.find('_');
    return separator == std::string_view::npos ? std::string_view{} : folder.substr(separator + 1);
}

ParsedName prisma_name(std::string_view folder) {
    const auto version = prisma_version_of(folder);
    if (!version) {
        return BadMigrationName{"Prisma migration folder '" + std::string(folder) +
                                "' does not start with a version number (Prisma names them "
                                "<timestamp>_<name>)"};
    }
    return MigrationName{*version, false, humanize(after_first_underscore(folder)),
                         NameLayout::kPrisma};
}

ParsedName diesel_name(std::string_view folder) {
    const auto version = diesel_version_of(folder.substr(0, folder.find('_')));
    if (!version) {
        return BadMigrationName{"diesel migration folder '" + std::string(folder) +
                                "' does not start with a version number (diesel names them "
                                "<version>_<name>, e.g. 2024-01-31-120000_create_users)"};
    }
    return MigrationName{*version, false, humanize(after_first_underscore(folder)),
                         NameLayout::kDiesel};
}

// The folder a migration file is in: the last directory of its relative path.
std::string_view folder_of(std::string_view relative) {
    const auto slash = relative.rfind('/');
    if (slash == std::string_view::npos) return {};
    const std::string_view parent = relative.substr(0, slash);
    const auto before = parent.rfind('/');
    return before == std::string_view::npos ? parent : parent.substr(before + 1);
}

}  // namespace

std::optional<ParsedName> parse_folder_file(std::string_view relative) {
    const auto slash = relative.rfind('/');
    if (slash == std::string_view::npos) return std::nullopt;
    const std::string_view file = relative.substr(slash + 1);
    const std::string_view folder = folder_of(relative);
    if (folder.empty() || folder.front() == '.') return std::nullopt;
    if (file == "migration.sql") return prisma_name(folder);
    if (file == "up.sql") return diesel_name(folder);
    if (file == "down.sql") return IgnoredFile{"a diesel down migration; only up.sql runs"};
    return std::nullopt;
}

std::optional<MigrationVersion> prisma_version_of(std::string_view folder) {
    return digits_version(folder.substr(0, folder.find('_')));
}

std::optional<MigrationVersion> diesel_version_of(std::string_view version) {
    std::string digits(version.substr(0, version.find('_')));
    digits.erase(std::remove(digits.begin(), digits.end(), '-'), digits.end());
    return digits_version(digits);
}

void check_folder_order(const std::vector<Migration>& migrations, NameLayout layout) {
    if (layout != NameLayout::kPrisma && layout != NameLayout::kDiesel) return;
    // `migrations` is in version order; the tool's order is by folder name.
    for (std::size_t i = 1; i < migrations.size(); ++i) {
        const std::string_view earlier = folder_of(migrations[i - 1].file);
        const std::string_view later = folder_of(migrations[i].file);
        if (earlier < later) continue;
        const std::string tool = layout == NameLayout::kPrisma ? "Prisma" : "diesel";
        throw FatalError(ExitCode::kBadInput, "--migrations: " + tool +
                                                  " applies migration folders in the order of "
                                                  "their names, which puts " +
                                                  std::string(later) + " before " +
                                                  std::string(earlier) +
                                                  ", and schemagate applies them by version (" +
                                                  migrations[i - 1].version.text() + " before " +
                                                  migrations[i].version.text() +
                                                  "): give the versions the same number of digits");
    }
}

void check_folders_complete(const std::filesystem::path& directory, NameLayout layout) {
    if (layout != NameLayout::kPrisma && layout != NameLayout::kDiesel) return;
    const char* const file = layout == NameLayout::kPrisma ? "migration.sql" : "up.sql";
    std::error_code error;
    for (std::filesystem::directory_iterator it(directory, error), end; !error && it != end;
         it.increment(error)) {
        const std::string name = it->path().filename().string();
        std::error_code ignored;
        if (name.empty() || name.front() == '.' || !it->is_directory(ignored)) continue;
        if (std::filesystem::exists(it->path() / file, ignored)) continue;
        throw FatalError(ExitCode::kBadInput,
                         "migration folder " + it->path().string() + " has no " + file + " (" +
                             (layout == NameLayout::kPrisma ? "Prisma" : "diesel") +
                             " stops at such a folder; schemagate would skip it)");
    }
}

std::vector<std::string> tool_checksums(NameLayout layout, std::string_view bytes) {
    std::vector<std::string> sums;
    if (layout == NameLayout::kNumbered) {
        sums.push_back(sha384_hex(bytes));
    } else if (layout == NameLayout::kPrisma) {
        // Prisma's script_matches_checksum: the script, with CRLF as LF, and with LF as CRLF.
        std::string lf;
        std::string crlf;
        for (std::size_t i = 0; i < bytes.size(); ++i) {
            const bool crlf_here = bytes[i] == '\r' && i + 1 < bytes.size() && bytes[i + 1] == '\n';
            if (!crlf_here) lf += bytes[i];
            if (bytes[i] == '\n') crlf += '\r';
            crlf += bytes[i];
        }
        for (const std::string_view variant :
             {bytes, std::string_view(lf), std::string_view(crlf)}) {
            std::string sum = sha256_hex(variant);
            if (std::find(sums.begin(), sums.end(), sum) == sums.end())
                sums.push_back(std::move(sum));
        }
    }
    return sums;
}

namespace {

// Prisma before prisma-engines#1887 wrote each byte with `{:x}`: no leading zero.
std::string without_leading_zeros(const std::string& hex) {
    std::string out;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
        if (hex[i] != '0') out += hex[i];
        out += hex[i + 1];
    }
    return out;
}

}  // namespace

bool tool_checksum_matches(const std::vector<std::string>& candidates,
                           const std::string& recorded) {
    std::string lower = recorded;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return std::any_of(candidates.begin(), candidates.end(), [&lower](const std::string& sum) {
        return sum == lower || (lower.size() < sum.size() && without_leading_zeros(sum) == lower);
    });
}

}  // namespace schemagate
