// SPDX-License-Identifier: Apache-2.0
#include "migration_set.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <utility>

#include "atlas_file.h"
#include "atlas_sum.h"
#include "byte_size.h"
#include "digest.h"
#include "errors.h"
#include "file_content.h"
#include "flyway_checksum.h"
#include "folder_layouts.h"
#include "liquibase_changelog.h"
#include "liquibase_migrations.h"
#include "migration_name.h"
#include "own_transaction.h"
#include "sql_splitter.h"
#include "sqlx_no_transaction.h"
#include "unsupported_layouts.h"
#include "utf8.h"

namespace schemagate {

namespace fs = std::filesystem;

namespace {

// How much of a .sql file not named as a migration is read to know whether it is Liquibase's.
constexpr std::size_t kLiquibaseHead = 4096;

[[noreturn]] void bad_input(const std::string& message) {
    throw FatalError(ExitCode::kBadInput, message);
}

// Refused before it is read when larger than the limit: the gate would hold it in memory
// several times over while it runs (LoadLimits).
std::string read_file(const fs::path& path, std::uint64_t max_bytes, const char* kind) {
    auto content = read_regular_file(path, max_bytes);
    if (!content) bad_input(std::string(kind) + " " + path.string() + " is not a regular file");
    return std::move(*content);
}

// schemagate wraps each migration in a transaction that starts with the lease fence; a COMMIT
// inside the file would end that transaction early and let the rest run unfenced.
void reject_transaction_control(const fs::path& path, const LexedStatement& statement) {
    if (statement.traits.transaction == TransactionControl::kNone) return;
    bad_input("migration file " + path.string() + " line " + std::to_string(statement.line) + ": " +
              statement.traits.command +
              " is not allowed: each migration already runs in its own transaction "
              "(for statements that cannot, put `-- schemagate:no-transaction` on the "
              "first line)");
}

// `COPY ... FROM STDIN` and `COPY ... TO STDOUT` stream data through the client, which psql
// does and schemagate does not: the server would wait for data that never comes.
void reject_client_copy(const fs::path& path, const LexedStatement& statement) {
    if (!statement.traits.client_copy) return;
    bad_input("migration file " + path.string() + " line " + std::to_string(statement.line) +
              ": COPY FROM STDIN and COPY TO STDOUT are not supported: they stream data "
              "through the client, as psql does with the lines after them, and schemagate "
              "sends SQL only; load data with INSERT, or COPY from a file the server can "
              "read");
}

// Each statement of a goose block is looked at: its first one is no cover for the others.
void reject_transaction_control(const fs::path& path, const std::vector<SqlStatement>& units) {
    for (const auto& unit : units) {
        for (const auto& statement : statements_of(unit))
            reject_transaction_control(path, statement);
    }
}

void reject_client_copy(const fs::path& path, const std::vector<SqlStatement>& units) {
    for (const auto& unit : units) {
        for (const auto& statement : statements_of(unit)) reject_client_copy(path, statement);
    }
}

// The name with every byte that is not printable ASCII as \xNN: safe on one log line.
std::string escaped(const std::string& name) {
    std::string out;
    for (const char c : name) {
        const auto u = static_cast<unsigned char>(c);
        if (u >= 0x20 && u < 0x7F) {
            out += c;
        } else {
            char hex[5];
            std::snprintf(hex, sizeof hex, "\\x%02X", u);
            out += hex;
        }
    }
    return out;
}

}  // namespace

MigrationVersion MigrationSet::highest_version() const {
    const MigrationVersion versioned =
        migrations.empty() ? MigrationVersion{} : migrations.back().version;
    // A baseline file above every versioned one is where a new database ends up.
    return baselines.empty() ? versioned : std::max(versioned, baselines.back().version);
}

namespace {

// Whether content_checksum hashes something other than the bytes as they are.
bool normalizes(std::string_view bytes) {
    return without_bom(bytes).size() != bytes.size() || bytes.find('\r') != std::string_view::npos;
}

}  // namespace

std::string content_checksum(std::string_view bytes) {
    if (!normalizes(bytes)) return sha256_hex(bytes);
    bytes = without_bom(bytes);
    std::string normalized;
    normalized.reserve(bytes.size());
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        if (bytes[i] == '\r' && i + 1 < bytes.size() && bytes[i + 1] == '\n') continue;
        normalized += bytes[i];
    }
    return sha256_hex(normalized);
}

namespace {

// Every .sql candidate below the directory, as (path, name relative to the directory).
// Symlinks are followed (a ConfigMap mount is made of them), but each directory, known by
// device and inode, is read once: a link back up would otherwise make the walk endless, and
// two links to one directory would read its files twice (and double the walk at every level
// of a chain of such pairs). Hidden entries (ConfigMap's ..data, .git) are skipped. An entry
// that cannot be read is an error, never a silent gap in the history.
class DirectoryWalk {
  public:
    DirectoryWalk(std::string root, const LoadLimits& limits)
        : root_(std::move(root)), limits_(limits) {}

    std::vector<std::pair<fs::path, std::string>> files() {
        std::error_code error;
        if (!fs::is_directory(root_, error)) {
            bad_input("--migrations: " + root_.string() + " is not a readable directory");
        }
        // Depth first, with the directories being read on a stack (their ancestors' chain).
        enter(root_);
        while (!stack_.empty()) {
            Frame& top = stack_.back();
            if (top.next == top.entries.size()) {
                stack_.pop_back();
                continue;
            }
            const auto [entry, is_directory] = top.entries[top.next++];
            const std::string name = entry.filename().string();
            // A directory named like a file (V1__x.sql/) is a mistake worth naming, not a folder.
            const bool looks_like_a_file = name.size() > 4 && name.ends_with(".sql");
            if (is_directory && !looks_like_a_file) {
                enter(entry);
            } else {
                files_.emplace_back(entry, entry.lexically_relative(root_).generic_string());
            }
        }
        std::sort(files_.begin(), files_.end(),
                  [](const auto& a, const auto& b) { return a.second < b.second; });
        return std::move(files_);
    }

  private:
    using DirectoryId = std::pair<dev_t, ino_t>;
    // An entry and whether it is a directory, symlinks followed (a dangling one is not).
    using Entry = std::pair<fs::path, bool>;
    struct Frame {
        DirectoryId id;
        std::vector<Entry> entries;
        std::size_t next = 0;
    };

    void enter(const fs::path& directory) {
        struct stat info {};
        if (::stat(directory.c_str(), &info) != 0) {
            bad_input("--migrations: cannot read directory " + directory.string() + ": " +
                      std::strerror(errno));
        }
        const DirectoryId id{info.st_dev, info.st_ino};
        if (seen_.contains(id)) refuse_revisit(directory, id);
        seen_.emplace(id, directory);
        if (std::cmp_greater(stack_.size(), limits_.max_depth)) {
            bad_input("--migrations: " + directory.string() + " is more than " +
                      std::to_string(limits_.max_depth) + " directories below " + root_.string() +
                      ": too deep for a migrations directory");
        }
        stack_.push_back(Frame{id, entries_of(directory)});
    }

    // The directory's visible entries, by name (so that errors are the same on every run).
    // Whether each is a directory comes from the listing's own file type, so only symlinks
    // (and file systems that give no type) cost a stat: one per file was a tenth of loading
    // a thousand migrations.
    std::vector<Entry> entries_of(const fs::path& directory) {
        std::vector<Entry> entries;
        std::error_code error;
        fs::directory_iterator it(directory, error);
        for (; !error && it != fs::directory_iterator(); it.increment(error)) {
            const std::string name = it->path().filename().string();
            if (!name.empty() && name.front() == '.') continue;
            if (++entry_count_ > limits_.max_entries) {
                bad_input("--migrations: more than " + std::to_string(limits_.max_entries) +
                          " entries below " + root_.string() +
                          ": too many for a migrations directory");
            }
            std::error_code type_error;
            entries.emplace_back(it->path(), it->is_directory(type_error));
        }
        if (error) {
            bad_input("--migrations: cannot read directory " + directory.string() + ": " +
                      error.message());
        }
        // One directory's entries share their prefix: their whole strings sort as their names
        // do, without path's comparison component by component.
        std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
            return a.first.native() < b.first.native();
        });
        return entries;
    }

    [[noreturn]] void refuse_revisit(const fs::path& directory, const DirectoryId& id) const {
        const fs::path& first = seen_.at(id);
        const bool loop = std::any_of(stack_.begin(), stack_.end(),
                                      [&id](const Frame& frame) { return frame.id == id; });
        if (loop) {
            bad_input("--migrations: " + directory.string() + " leads back to " + first.string() +
                      ", which contains it (a symlink loop); remove the link");
        }
        bad_input("--migrations: " + directory.string() +
                  " leads to the directory already read as " + first.string() +
                  " (through a symlink): its files would be read twice; remove one of the links");
    }

    fs::path root_;
    LoadLimits limits_;
    std::vector<std::pair<fs::path, std::string>> files_;
    std::map<DirectoryId, fs::path> seen_;
    std::vector<Frame> stack_;
    std::size_t entry_count_ = 0;
};

// The statements and directives of the file's text, in the form its tool writes them.
void read_statements(const std::string& sql, const fs::path& path, const MigrationName& name,
                     bool atlas, Migration& migration) {
    try {
        MigrationFile file = atlas ? read_atlas_file(sql) : read_migration_file(sql);
        // golang-migrate sends a file as one query, so its files may bring their own BEGIN.
        if (name.layout == NameLayout::kNumbered && !atlas) {
            read_own_transaction(file);
            read_sqlx_no_transaction(sql, file);
        }
        migration.opening = std::move(file.opening);
        migration.statements = std::move(file.statements);
        migration.no_transaction = file.no_transaction;
        migration.no_transaction_reason = std::move(file.no_transaction_reason);
        migration.mixed = file.mixed;
        migration.batch = file.batch;
        migration.batch_total = std::move(file.batch_total);
        migration.contract = file.contract;
    } catch (const SqlSyntaxError& e) {
        bad_input("migration file " + path.string() + " line " + std::to_string(e.line()) + ": " +
                  e.what());
    }
}

// A repeatable migration runs again whenever it changes: in a transaction, whole, never as a
// contract.
void refuse_unfit_repeatable(const fs::path& path, const Migration& migration) {
    if (migration.repeatable && migration.no_transaction) {
        bad_input("migration file " + path.string() +
                  ": a repeatable migration must run in a transaction (" +
                  migration.no_transaction_reason + "); make it a versioned migration instead");
    }
    if (migration.repeatable && migration.contract) {
        bad_input("migration file " + path.string() +
                  ": a repeatable migration cannot be a contract migration (-- "
                  "schemagate:contract); make it a versioned migration instead");
    }
    if (migration.repeatable && migration.batch) {
        bad_input("migration file " + path.string() +
                  ": a repeatable migration cannot be batched (it would run again whenever it "
                  "changes); make it a versioned migration instead");
    }
}

Migration read_migration(const fs::path& path, const std::string& relative,
                         const MigrationName& name, const std::string& sql, bool atlas) {
    Migration migration;
    migration.version = name.version;
    migration.repeatable = name.repeatable;
    migration.baseline = name.baseline;
    migration.description = name.description;
    migration.file = relative;
    migration.checksum = content_checksum(sql);
    migration.flyway_checksum = flyway_checksum(sql);
    migration.tool_checksums = tool_checksums(name.layout, sql);
    if (normalizes(sql)) migration.raw_checksum = sha256_hex(sql);
    read_statements(sql, path, name, atlas, migration);
    if (name.layout == NameLayout::kDiesel) apply_diesel_metadata(path.parent_path(), migration);
    if (migration.statements.empty()) {
        // Flyway and golang-migrate accept them; some projects keep a placeholder version.
        spdlog::warn(
            "migration file {} holds no SQL statement: it is recorded as applied and runs "
            "nothing",
            path.string());
    }
    refuse_unfit_repeatable(path, migration);
    if (!migration.no_transaction) reject_transaction_control(path, migration.statements);
    reject_client_copy(path, migration.statements);
    if (migration.batch_total) reject_transaction_control(path, *migration.batch_total);
    return migration;
}

// One directory holds one tool's names: Flyway's V/R files beside golang-migrate's or dbmate's
// numbered ones are two histories that were never meant to be ordered together.
void check_one_layout(const std::string& directory, const std::string& file, NameLayout layout,
                      std::optional<std::pair<NameLayout, std::string>>& first) {
    if (!first) {
        first.emplace(layout, file);
        return;
    }
    if (first->first == layout) return;
    static constexpr const char* kKinds[] = {"Flyway", "numbered", "Prisma", "diesel"};
    // Named in a fixed order (Flyway first), whichever came first in the walk.
    const bool this_first = layout < first->first;
    const NameLayout one = this_first ? layout : first->first;
    const NameLayout other = this_first ? first->first : layout;
    bad_input("--migrations: " + directory + " mixes " + kKinds[static_cast<int>(one)] +
              " names (" + (this_first ? file : first->second) + ") with " +
              kKinds[static_cast<int>(other)] + " ones (" + (this_first ? first->second : file) +
              "): one directory holds one tool's layout; rename the files to one of them");
}

// The names of every file below the directory, for recognise_unsupported_layout.
std::vector<std::string> relatives_of(const std::vector<std::pair<fs::path, std::string>>& files) {
    std::vector<std::string> names;
    names.reserve(files.size());
    for (const auto& file : files) names.push_back(file.second);
    return names;
}

void add_unique(std::map<MigrationVersion, Migration>& by_version,
                std::map<std::string, Migration>& repeatables, Migration&& migration,
                const std::string& directory) {
    const std::string description = migration.description;
    const std::string file = migration.file;
    const MigrationVersion version = migration.version;
    const bool repeatable = migration.repeatable;
    // Moved in (its statements are the file's whole text), and only when it is inserted.
    const bool inserted = repeatable
                              ? repeatables.try_emplace(description, std::move(migration)).second
                              : by_version.try_emplace(version, std::move(migration)).second;
    if (inserted) return;
    const Migration& existing = repeatable ? repeatables.at(description) : by_version.at(version);
    bad_input("migration files " + existing.file + " and " + file + " in " + directory +
              (repeatable ? " are both the repeatable migration '" + description + "'"
                          : " both have version " + version.text()));
}

void add_baseline(std::map<MigrationVersion, Migration>& baselines, Migration&& migration,
                  const std::string& directory) {
    const MigrationVersion version = migration.version;
    const std::string file = migration.file;
    if (baselines.try_emplace(version, std::move(migration)).second) return;
    bad_input("baseline migration files " + baselines.at(version).file + " and " + file + " in " +
              directory + " both have version " + version.text());
}

constexpr std::string_view kVerifySuffix = ".verify.sql";

// The stem a migration's checks file is named after: "dir/V5__x" for "dir/V5__x.sql" and
// "dir/0005_x" for golang-migrate's "dir/0005_x.up.sql".
std::string verify_stem_of(const std::string& relative) {
    for (const std::string_view suffix : {std::string_view(".up.sql"), std::string_view(".sql")}) {
        if (relative.ends_with(suffix)) return relative.substr(0, relative.size() - suffix.size());
    }
    return relative;
}

std::vector<SqlStatement> read_checks(const fs::path& path, std::uint64_t max_file_bytes) {
    try {
        MigrationFile file = read_migration_file(read_file(path, max_file_bytes, "checks file"));
        reject_transaction_control(path, file.statements);
        reject_client_copy(path, file.statements);
        if (file.statements.empty()) bad_input("checks file " + path.string() + " holds no query");
        return std::move(file.statements);
    } catch (const SqlSyntaxError& e) {
        bad_input("checks file " + path.string() + " line " + std::to_string(e.line()) + ": " +
                  e.what());
    }
}

// Gives each checks file to the migration it is named after; one left over is a mistake (a
// typo in its name would silently check nothing).
void attach_checks(std::map<MigrationVersion, Migration>& by_version,
                   std::map<std::string, std::pair<fs::path, std::string>>& checks,
                   const std::string& directory, std::uint64_t max_file_bytes) {
    for (auto& [version, migration] : by_version) {
        const auto found = checks.find(verify_stem_of(migration.file));
        if (found == checks.end()) continue;
        migration.verify_file = found->second.second;
        migration.checks = read_checks(found->second.first, max_file_bytes);
        checks.erase(found);
    }
    if (!checks.empty()) {
        const auto& [path, relative] = checks.begin()->second;
        bad_input("checks file " + path.string() + " in " + directory +
                  " belongs to no versioned migration: name it after one, like "
                  "V5__add_totals.verify.sql beside V5__add_totals.sql");
    }
}

// Atlas's and Liquibase's layouts, each alone in its directory.
struct OtherToolFiles {
    std::string liquibase;  // the first Liquibase formatted SQL file
    std::string plain;      // the first other migration file

    void check(const std::string& directory, const std::string& relative, bool is_liquibase,
               bool atlas) {
        if (atlas && relative.find('/') != std::string::npos) {
            bad_input("migration file " + relative + " in " + directory +
                      ": Atlas reads only its directory's own files (the ones atlas.sum "
                      "covers); move it up, or out");
        }
        std::string& first = is_liquibase ? liquibase : plain;
        if (first.empty()) first = relative;
        if (!liquibase.empty() && !plain.empty()) {
            bad_input("--migrations: " + directory + " mixes Liquibase formatted SQL (" +
                      liquibase + ") with other migration files (" + plain +
                      "): one directory holds one tool's layout");
        }
    }
};

// The whole content of a .sql file that may hold migrations, read once: a file named as a
// migration; any other only when its first 4 KiB say it is Liquibase formatted SQL (a down
// migration or a schema dump beside the set is not read whole). nullopt for the rest, and for
// what is not a regular file.
std::optional<std::string> sql_content(const fs::path& path, const ParsedName& parsed,
                                       const LoadLimits& limits) {
    const std::string name = path.filename().string();
    if (name.size() <= 4 || !name.ends_with(".sql")) return std::nullopt;
    if (std::holds_alternative<MigrationName>(parsed)) {
        return read_regular_file(path, limits.max_file_bytes);
    }
    std::error_code error;
    if (!fs::is_regular_file(path, error)) return std::nullopt;
    std::ifstream head_stream(path, std::ios::binary);
    std::string head(kLiquibaseHead, '\0');
    head_stream.read(head.data(), static_cast<std::streamsize>(head.size()));
    head.resize(static_cast<std::size_t>(head_stream.gcount()));
    if (!is_liquibase_formatted(head)) return std::nullopt;
    return read_regular_file(path, limits.max_file_bytes);
}

// A Liquibase formatted SQL file adds one migration per changeset; false for any other file.
bool read_liquibase_file(const fs::path& path, const std::string& relative,
                         const std::optional<std::string>& sql, OtherToolFiles& tool_files,
                         std::map<MigrationVersion, Migration>& by_version,
                         std::map<std::string, Migration>& repeatables,
                         const std::string& directory) {
    // Its first line says so, within the first 4 KiB as for any other file.
    if (!sql || !is_liquibase_formatted(std::string_view(*sql).substr(0, kLiquibaseHead))) {
        return false;
    }
    tool_files.check(directory, relative, true, false);
    for (auto& migration : liquibase_migrations(*sql, path.string(), relative)) {
        if (!migration.no_transaction) reject_transaction_control(path, migration.statements);
        reject_client_copy(path, migration.statements);
        add_unique(by_version, repeatables, std::move(migration), directory);
    }
    return true;
}

// Atlas runs files in the order of their names: refused when that is not the order of their
// versions (`9_x.sql` after `10_y.sql`), which would make the two tools disagree.
void check_atlas_order(const std::map<MigrationVersion, Migration>& by_version,
                       const std::string& directory) {
    const Migration* previous = nullptr;
    for (const auto& [version, migration] : by_version) {
        if (previous != nullptr && migration.file < previous->file) {
            bad_input("--migrations: " + directory + ": Atlas runs " + migration.file + " before " +
                      previous->file +
                      " (it orders files by name), their versions say the opposite; give the "
                      "versions the same number of digits");
        }
        previous = &migration;
    }
}

using WalkedFiles = std::vector<std::pair<fs::path, std::string>>;

// The parts of a migration's name; nullptr for a file that is not a migration. Refuses a name
// that is neither, naming the unsupported tool when the directory looks like one's.
const MigrationName* migration_name_of(const ParsedName& parsed, const fs::path& path,
                                       const std::string& relative, const std::string& directory,
                                       const WalkedFiles& files) {
    // A newline in a name could forge a log line; invalid UTF-8 cannot be stored in history.
    if (!std::holds_alternative<IgnoredFile>(parsed) && !is_printable_utf8(relative)) {
        bad_input("--migrations: a file name in " + directory +
                  " holds control characters or invalid UTF-8 (" + escaped(relative) +
                  "); rename it");
    }
    if (const auto* ignored = std::get_if<IgnoredFile>(&parsed)) {
        if (!ignored->reason.empty()) spdlog::debug("skipping {}: {}", relative, ignored->reason);
        return nullptr;
    }
    if (const auto* bad = std::get_if<BadMigrationName>(&parsed)) {
        if (const auto tool = recognise_unsupported_layout(relatives_of(files))) {
            bad_input("--migrations: " + directory + " " + *tool);
        }
        bad_input("migration file " + path.string() + ": " + bad->reason +
                  "; accepted names: " + kAcceptedNamePatterns);
    }
    return &std::get<MigrationName>(parsed);
}

// The set in order: versioned migrations and baselines by version, repeatables by description.
MigrationSet ordered_set(const std::string& directory,
                         std::map<MigrationVersion, Migration>& by_version,
                         std::map<std::string, Migration>& repeatables,
                         std::map<MigrationVersion, Migration>& baselines,
                         const std::optional<std::pair<NameLayout, std::string>>& first_layout) {
    MigrationSet set;
    set.directory = directory;
    set.migrations.reserve(by_version.size());
    for (auto& [version, migration] : by_version) set.migrations.push_back(std::move(migration));
    if (first_layout) {
        check_folder_order(set.migrations, first_layout->first);
        check_folders_complete(directory, first_layout->first);
    }
    for (auto& [description, migration] : repeatables) {
        set.repeatables.push_back(std::move(migration));
    }
    for (auto& [version, migration] : baselines) set.baselines.push_back(std::move(migration));
    return set;
}

}  // namespace

MigrationSet load_migration_set(const std::string& directory, const LoadLimits& limits) {
    // Atlas's directory (atlas.sum beside the files) is checked whole before any file is read.
    const bool atlas = has_atlas_sum(directory);
    std::vector<AtlasSumEntry> atlas_entries;
    if (atlas) atlas_entries = verify_atlas_directory(directory, limits.max_file_bytes);
    OtherToolFiles tool_files;
    std::map<MigrationVersion, Migration> by_version;
    std::map<std::string, Migration> repeatables;
    std::map<MigrationVersion, Migration> baselines;
    std::optional<std::pair<NameLayout, std::string>> first_layout;
    std::map<std::string, std::pair<fs::path, std::string>> checks;  // by stem
    const auto files = DirectoryWalk(directory, limits).files();
    check_prisma_lock(directory);
    for (const auto& [path, relative] : files) {
        const std::string name = path.filename().string();
        if (name.size() > kVerifySuffix.size() && name.ends_with(kVerifySuffix) &&
            is_printable_utf8(relative)) {
            checks.try_emplace(relative.substr(0, relative.size() - kVerifySuffix.size()), path,
                               relative);
            continue;
        }
        const ParsedName parsed = parse_folder_file(relative).value_or(parse_migration_name(name));
        // A name that could forge a log line is refused before any message about its content.
        if (std::holds_alternative<MigrationName>(parsed)) {
            migration_name_of(parsed, path, relative, directory, files);
        }
        auto sql = sql_content(path, parsed, limits);
        if (read_liquibase_file(path, relative, sql, tool_files, by_version, repeatables,
                                directory)) {
            continue;
        }
        const MigrationName* name_parts =
            migration_name_of(parsed, path, relative, directory, files);
        if (name_parts == nullptr) continue;
        check_one_layout(directory, relative, name_parts->layout, first_layout);
        tool_files.check(directory, relative, false, atlas);
        if (!sql) sql = read_file(path, limits.max_file_bytes, "migration file");
        Migration migration = read_migration(path, relative, *name_parts, *sql, atlas);
        for (const auto& entry : atlas_entries) {
            if (entry.name == relative) migration.atlas_hash = entry.hash;
        }
        if (name_parts->baseline) {
            add_baseline(baselines, std::move(migration), directory);
        } else {
            add_unique(by_version, repeatables, std::move(migration), directory);
        }
    }
    attach_checks(by_version, checks, directory, limits.max_file_bytes);
    if (by_version.empty() && repeatables.empty()) {
        if (const auto tool = recognise_unsupported_layout(relatives_of(files))) {
            bad_input("--migrations: " + directory + " " + *tool);
        }
    }
    if (atlas) check_atlas_order(by_version, directory);
    return ordered_set(directory, by_version, repeatables, baselines, first_layout);
}

MigrationVersion choose_target(const MigrationSet& set,
                               const std::optional<MigrationVersion>& requested) {
    if (requested) {
        if (*requested > set.highest_version()) {
            bad_input("--target: " + requested->text() +
                      " is above the highest migration file in " + set.directory + " (" +
                      set.highest_version().text() + ")");
        }
        return *requested;
    }
    if (set.migrations.empty() && set.baselines.empty()) {
        if (const auto changelog = liquibase_non_sql_changelog(set.directory)) {
            bad_input("--migrations: " + set.directory +
                      " holds a Liquibase changelog in XML, YAML or JSON (" + *changelog +
                      "), which schemagate does not read: it runs Liquibase formatted SQL (.sql "
                      "files whose first line is --liquibase formatted sql)");
        }
        bad_input("--migrations: no versioned migration files in " + set.directory + " (expected " +
                  kAcceptedNamePatterns + ")");
    }
    return set.highest_version();
}

std::string label(const Migration& migration) {
    const std::string version = migration.repeatable ? "R" : version_label(migration.version);
    return migration.description.empty() ? version : version + " " + migration.description;
}

}  // namespace schemagate
