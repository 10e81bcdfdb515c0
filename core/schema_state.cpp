// SPDX-License-Identifier: Apache-2.0
#include "schema_state.h"

#include <chrono>
#include <map>
#include <mutex>
#include <pqxx/nontransaction>

#include "db_failure.h"

namespace schemagate {

MigrationVersion version_from_sql(const std::string& text) {
    const auto version = MigrationVersion::from_sql(text);
    if (!version)
        throw DbError(DbFailure{DbFailure::Kind::kOther, "",
                                "the history holds version '" + text + "', which is not a version",
                                ""});
    return *version;
}

std::string iso_utc_sql(const std::string& column) {
    return "to_char(" + column + R"( AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))";
}

std::string qualified(pqxx::connection_base& connection, const StateLocation& where,
                      StateTable table) {
    return connection.quote_name(where.schema) + "." +
           connection.quote_name(std::string(table_name(table)));
}

std::string notify_call_sql(pqxx::connection_base& connection, const StateLocation& where,
                            const StateChange& change) {
    return "pg_notify(" + connection.quote(std::string(kNotifyChannel)) + ", " +
           connection.quote(change_payload(where.name, change)) + ")";
}

namespace {

struct TablesSeen {
    bool core = false;     // history and lease
    bool failure = false;  // failure
    bool batch_progress = false;
    bool history_contract = false;  // the history's `contract` column
    // Every newer table exists, readable or not: a role granted only the first tables (the
    // sidecar's, following an earlier README) is taken to stay so for a while.
    bool all_exist = false;
    // Every table and both functions of this version's bootstrap: nothing for it to do.
    bool current = false;
    std::chrono::steady_clock::time_point looked_at;
};

// How long an unreadable table is taken to stay unreadable: a poller then pays one lookup a
// minute for it, not one per poll. A missing one is looked for every time: the next gate may
// create it, and what it then records (a failure) must be seen at once.
constexpr std::chrono::seconds kLookAgainAfter{60};

// A function in the state schema as to_regprocedure() reads it: schema.name(argument types).
std::string function(pqxx::connection& connection, const StateLocation& where, const char* name,
                     const char* arguments) {
    return connection.quote_name(where.schema) + "." + name + arguments;
}

// Which state tables exist (and, for the newer ones, are readable), in one statement of
// catalog lookups that plan nothing. history_contract is known only where record_v1 is there
// to vouch for it (state_tables.h).
TablesSeen look_for_tables(pqxx::connection& connection, const StateLocation& where) {
    pqxx::nontransaction work(connection);
    const auto row = work.exec_params1(
        // The newer tables count only if readable: a sidecar role granted the first two
        // tables before they existed still reads the state, without them.
        "SELECT to_regclass($1) IS NOT NULL AND to_regclass($2) IS NOT NULL, "
        "CASE WHEN to_regclass($3) IS NULL THEN false "
        "ELSE has_table_privilege(to_regclass($3), 'SELECT') END, "
        "CASE WHEN to_regclass($4) IS NULL THEN false "
        "ELSE has_table_privilege(to_regclass($4), 'SELECT') END, "
        "to_regclass($3) IS NOT NULL AND to_regclass($4) IS NOT NULL, "
        "to_regprocedure($5) IS NOT NULL, "
        "to_regclass($6) IS NOT NULL AND to_regclass($7) IS NOT NULL "
        "AND to_regclass($8) IS NOT NULL AND to_regprocedure($9) IS NOT NULL",
        qualified(connection, where, StateTable::kHistory),
        qualified(connection, where, StateTable::kLease),
        qualified(connection, where, StateTable::kFailure),
        qualified(connection, where, StateTable::kBatchProgress),
        function(connection, where, kRecordFunctionName, kRecordFunctionArguments),
        qualified(connection, where, StateTable::kRepeatable),
        qualified(connection, where, StateTable::kAdoption),
        qualified(connection, where, StateTable::kHazardDeferral),
        function(connection, where, kFenceFunctionName, kFenceFunctionArguments));
    const bool record_function = row[4].as<bool>();
    return TablesSeen{
        row[0].as<bool>(),
        row[1].as<bool>(),
        row[2].as<bool>(),
        record_function,
        row[3].as<bool>(),
        row[0].as<bool>() && row[3].as<bool>() && record_function && row[5].as<bool>(),
        {}};
}

// Whether the history has its `contract` column, asked of pg_attribute: for tables an older
// gate bootstrapped, before record_v1.
bool has_contract_column(pqxx::connection& connection, const StateLocation& where) {
    pqxx::nontransaction work(connection);
    return work
        .exec_params1(
            "SELECT EXISTS (SELECT FROM pg_catalog.pg_attribute WHERE attrelid = "
            "to_regclass($1) AND attname = 'contract' AND NOT attisdropped)",
            qualified(connection, where, StateTable::kHistory))[0]
        .as<bool>();
}

// Once seen, tables are taken to stay: a later DROP only costs the ERROR line that the
// readers' undefined-table fallback then meets (and a holder that skipped the bootstrap on
// this look its first statement's error). Keyed by server, database and schema: a fleet
// reaches databases of one name on several servers.
struct SeenTables {
    std::mutex mutex;
    std::map<std::string, TablesSeen> by_key;
};

SeenTables& seen_tables() {
    static SeenTables seen;
    return seen;
}

std::string seen_key(pqxx::connection& connection, const StateLocation& where) {
    const char* host = connection.hostname();
    const char* port = connection.port();
    return std::string(host != nullptr ? host : "") + '\n' + (port != nullptr ? port : "") + '\n' +
           connection.dbname() + '\n' + where.schema;
}

TablesSeen tables_seen(pqxx::connection& connection, const StateLocation& where) {
    SeenTables& seen = seen_tables();
    const std::string key = seen_key(connection, where);
    {
        const std::lock_guard lock(seen.mutex);
        if (const auto it = seen.by_key.find(key); it != seen.by_key.end()) {
            const TablesSeen& known = it->second;
            const bool complete = known.failure && known.batch_progress;
            const bool recent =
                std::chrono::steady_clock::now() - known.looked_at < kLookAgainAfter;
            // A history without its `contract` column is looked at again every time: the
            // next gate's bootstrap adds it, and contract rows must be read from then on.
            if (known.history_contract && (complete || (known.core && known.all_exist && recent))) {
                return known;
            }
        }
    }
    TablesSeen now = translate_db_errors([&] { return look_for_tables(connection, where); });
    if (now.core && !now.history_contract) {
        now.history_contract =
            translate_db_errors([&] { return has_contract_column(connection, where); });
    }
    const std::lock_guard lock(seen.mutex);
    auto& entry = seen.by_key[key];
    entry.core = entry.core || now.core;
    entry.failure = entry.failure || now.failure;
    entry.batch_progress = entry.batch_progress || now.batch_progress;
    entry.history_contract = entry.history_contract || now.history_contract;
    entry.all_exist = now.all_exist;
    entry.current = now.current;
    entry.looked_at = std::chrono::steady_clock::now();
    return entry;
}

}  // namespace

bool state_tables_exist(pqxx::connection& connection, const StateLocation& where) {
    return tables_seen(connection, where).core;
}

bool state_schema_known_current(pqxx::connection& connection, const StateLocation& where) {
    SeenTables& seen = seen_tables();
    const std::lock_guard lock(seen.mutex);
    const auto it = seen.by_key.find(seen_key(connection, where));
    return it != seen.by_key.end() && it->second.current;
}

bool failure_table_exists(pqxx::connection& connection, const StateLocation& where) {
    return tables_seen(connection, where).failure;
}

bool batch_progress_table_exists(pqxx::connection& connection, const StateLocation& where) {
    return tables_seen(connection, where).batch_progress;
}

bool history_has_contract_column(pqxx::connection& connection, const StateLocation& where) {
    return tables_seen(connection, where).history_contract;
}

std::string history_contract_sql(pqxx::connection& connection, const StateLocation& where,
                                 const std::string& alias) {
    return history_has_contract_column(connection, where) ? alias + ".contract" : "false";
}

namespace {

std::string joined(const std::vector<std::string>& columns) {
    std::string sql;
    for (const auto& column : columns) sql += (sql.empty() ? "" : ", ") + column;
    return sql;
}

std::vector<std::string> batch_progress_columns(const std::string& alias) {
    const std::string a = alias + ".";
    return {a + "version::text",
            a + "file",
            a + "batches",
            a + "rows",
            a + "last_key",
            a + "total",
            a + "elapsed_ms",
            iso_utc_sql(a + "started_at"),
            iso_utc_sql(a + "updated_at"),
            a + "holder",
            a + "statement_checksum",
            "extract(epoch FROM " + a + "updated_at)::float8"};
}

std::vector<std::string> recorded_failure_columns(const std::string& alias) {
    const std::string a = alias + ".";
    return {a + "version::text", a + "file",    a + "checksum", a + "line",
            a + "sqlstate",      a + "message", a + "holder",   iso_utc_sql(a + "failed_at")};
}

}  // namespace

std::string batch_progress_columns_sql(const std::string& alias) {
    return joined(batch_progress_columns(alias));
}

BatchProgress batch_progress_from(const pqxx::row& row, pqxx::row::size_type first) {
    BatchProgress progress;
    progress.version = version_from_sql(row[first].as<std::string>());
    progress.file = row[first + 1].as<std::string>();
    progress.batches = row[first + 2].as<std::int64_t>();
    progress.rows = row[first + 3].as<std::int64_t>();
    if (!row[first + 4].is_null()) progress.last_key = row[first + 4].as<std::string>();
    if (!row[first + 5].is_null()) progress.total = row[first + 5].as<std::int64_t>();
    progress.elapsed_ms = row[first + 6].as<std::int64_t>();
    progress.started_at = row[first + 7].as<std::string>();
    progress.updated_at = row[first + 8].as<std::string>();
    progress.holder = row[first + 9].as<std::string>();
    progress.statement_checksum = row[first + 10].as<std::string>();
    progress.updated_at_unix = row[first + 11].as<double>();
    return progress;
}

std::string recorded_failure_columns_sql(const std::string& alias) {
    return joined(recorded_failure_columns(alias));
}

RecordedFailure recorded_failure_from(const pqxx::row& row, pqxx::row::size_type first) {
    return RecordedFailure{version_from_sql(row[first].as<std::string>()),
                           row[first + 1].as<std::string>(),
                           row[first + 2].as<std::string>(),
                           row[first + 3].as<int>(),
                           row[first + 4].as<std::string>(),
                           row[first + 5].as<std::string>(),
                           row[first + 6].as<std::string>(),
                           row[first + 7].as<std::string>()};
}

namespace {

// The readers' one query, assembled from the parts the tables present allow (tables created by
// older gates lack some): each part adds its columns to the select list and its join, and
// says where its columns start in the row.
class StateQuery {
  public:
    pqxx::row::size_type add(const std::vector<std::string>& columns, const std::string& join) {
        const pqxx::row::size_type first = width_;
        select_ += (select_.empty() ? "" : ", ") + joined(columns);
        joins_ += join;
        width_ += static_cast<pqxx::row::size_type>(columns.size());
        return first;
    }
    std::string sql() const { return "SELECT " + select_ + " FROM (SELECT 1) AS one" + joins_; }

  private:
    std::string select_;
    std::string joins_;
    pqxx::row::size_type width_ = 0;
};

// The version, the first dirty migration and the lease: columns 0 to 11.
void add_core_part(StateQuery& query, const std::string& history, const std::string& lease) {
    query.add({"(SELECT max(version)::text FROM " + history + " WHERE name = $1 AND success)",
               "d.version::text", "d.description", "d.file", "d.applied_by",
               iso_utc_sql("d.applied_at"), "l.holder", "l.token", iso_utc_sql("l.acquired_at"),
               iso_utc_sql("l.expires_at"), "l.expires_at < clock_timestamp()",
               // Through jsonb: tables bootstrapped before 0.4 lack the column.
               "coalesce(to_jsonb(l) ->> 'lease_id', '')"},
              " LEFT JOIN LATERAL (SELECT * FROM " + history +
                  " AS h WHERE name = $1 AND NOT success "
                  // A non-transactional migration whose holder still holds the lease is in
                  // progress, not dirty.
                  "AND NOT EXISTS (SELECT 1 FROM " +
                  lease +
                  " AS live WHERE live.name = $1 AND live.token = h.token "
                  "AND live.holder IS NOT NULL AND live.expires_at > clock_timestamp()) "
                  "ORDER BY version LIMIT 1) AS d ON true LEFT JOIN " +
                  lease + " AS l ON l.name = $1");
}

// Runs the readers' query; a state schema dropped meanwhile reads as no state.
SchemaState state_from(pqxx::connection& connection, const StateLocation& where,
                       const std::string& query, std::optional<pqxx::row::size_type> failure_column,
                       std::optional<pqxx::row::size_type> batch_column,
                       pqxx::row::size_type contract_column) {
    SchemaState state;
    pqxx::result rows;
    try {
        rows = translate_db_errors([&] {
            pqxx::nontransaction work(connection);
            return work.exec_params(query, where.name);
        });
    } catch (const DbError& e) {
        if (e.is(sqlstate::kUndefinedTable) || e.is(sqlstate::kInvalidSchemaName)) return state;
        throw;
    }
    state.initialized = true;
    const auto row = rows.at(0);
    if (!row[0].is_null()) state.version = version_from_sql(row[0].as<std::string>());
    if (!row[1].is_null()) {
        state.dirty = DirtyMigration{version_from_sql(row[1].as<std::string>()),
                                     row[2].as<std::string>(), row[3].as<std::string>(),
                                     row[4].as<std::string>(), row[5].as<std::string>()};
    }
    if (!row[7].is_null()) {
        LeaseInfo info;
        info.holder = row[6].is_null() ? "" : row[6].as<std::string>();
        info.token = row[7].as<std::int64_t>();
        info.acquired_at = row[8].is_null() ? "" : row[8].as<std::string>();
        info.expires_at = row[9].is_null() ? "" : row[9].as<std::string>();
        info.expired = row[10].is_null() || row[10].as<bool>();
        info.lease_id = row[11].as<std::string>();
        state.lease = std::move(info);
    }
    if (failure_column && !row[*failure_column].is_null()) {
        state.failure = recorded_failure_from(row, *failure_column);
    }
    if (batch_column && !row[*batch_column].is_null()) {
        state.batch = batch_progress_from(row, *batch_column);
    }
    if (!row[contract_column].is_null()) {
        state.contract = AppliedContract{version_from_sql(row[contract_column].as<std::string>()),
                                         row[contract_column + 1].as<std::string>(),
                                         row[contract_column + 2].as<std::string>()};
    }
    return state;
}

}  // namespace

SchemaState read_schema_state(pqxx::connection& connection, const StateLocation& where) {
    if (!state_tables_exist(connection, where)) return SchemaState{};
    StateQuery query;
    add_core_part(query, qualified(connection, where, StateTable::kHistory),
                  qualified(connection, where, StateTable::kLease));
    std::optional<pqxx::row::size_type> failure_column;
    if (failure_table_exists(connection, where)) {
        // The latest remembered failure: rows are deleted when their migration succeeds.
        failure_column = query.add(recorded_failure_columns("f"),
                                   " LEFT JOIN LATERAL (SELECT * FROM " +
                                       qualified(connection, where, StateTable::kFailure) +
                                       " WHERE name = $1 ORDER BY failed_at DESC LIMIT 1) AS f "
                                       "ON true");
    }
    std::optional<pqxx::row::size_type> batch_column;
    if (batch_progress_table_exists(connection, where)) {
        batch_column = query.add(batch_progress_columns("b"),
                                 " LEFT JOIN LATERAL (SELECT * FROM " +
                                     qualified(connection, where, StateTable::kBatchProgress) +
                                     " WHERE name = $1 ORDER BY version LIMIT 1) AS b ON true");
    }
    // The highest applied contract migration (none where the history is older than contracts).
    const pqxx::row::size_type contract_column = query.add(
        {"c.version::text", "c.file", iso_utc_sql("c.applied_at")},
        " LEFT JOIN LATERAL (SELECT * FROM " + qualified(connection, where, StateTable::kHistory) +
            " AS h WHERE name = $1 AND success AND " +
            history_contract_sql(connection, where, "h") +
            " ORDER BY version DESC LIMIT 1) AS c ON true");
    return state_from(connection, where, query.sql(), failure_column, batch_column,
                      contract_column);
}

}  // namespace schemagate
