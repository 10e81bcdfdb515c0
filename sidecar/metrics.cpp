// SPDX-License-Identifier: Apache-2.0
#include "metrics.h"

#include <fmt/format.h>

#include "version.h"

namespace schemagate {

namespace {

// Label values escape backslash, double quote and newline.
std::string label_value(const std::string& raw) {
    std::string out;
    for (const char c : raw) {
        if (c == '\\' || c == '"') out += '\\';
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out += c;
    }
    return out;
}

void gauge(std::string& out, const char* metric, const char* help, const std::string& labels,
           double value) {
    out += fmt::format("# HELP {} {}\n# TYPE {} gauge\n{}{{{}}} {}\n", metric, help, metric, metric,
                       labels, value);
}

// The schema's version against the one this release expects.
void render_versions(std::string& out, const std::string& labels, const SchemaSnapshot& snapshot,
                     const ReadinessPolicy& policy) {
    const MigrationVersion current = snapshot.state.version.value_or(MigrationVersion{});
    // Before a deferred contract migration the app expects the version before it.
    const MigrationVersion expect = effective_expect(policy, current);
    // Before the first successful read nothing is known: no version series at all, rather than
    // a 0 that reads as an empty schema. A gauge holds a float64: dotted versions and integers
    // of 16 digits and more have no exact value, so those series are left out and the _info
    // series carries every version as text.
    if (const auto number = current.exact_number(); number && snapshot.ever_read) {
        gauge(out, "schemagate_schema_version", "Schema version last read from the database.",
              labels, *number);
    }
    if (const auto number = expect.exact_number()) {
        gauge(out, "schemagate_expected_version", "Lowest schema version the app runs against.",
              labels, *number);
    }
    if (snapshot.ever_read) {
        gauge(out, "schemagate_schema_version_info",
              "Always 1; the labels carry the schema version and the expected one, as text.",
              labels + ",version=\"" + label_value(current.text()) + "\",expected=\"" +
                  label_value(expect.text()) + "\"",
              1);
    }
    gauge(out, "schemagate_schema_behind",
          "1 while the schema version read is below the expected one (any version form).", labels,
          snapshot.ever_read && current < expect ? 1 : 0);
    gauge(out, "schemagate_contract_deferred",
          "1 while this release ships a contract migration not applied yet (deferred until "
          "`schemagate contract`).",
          labels, snapshot.ever_read && deferred_contract(policy, current) ? 1 : 0);
    gauge(out, "schemagate_contracted_past",
          "1 when a contract migration this release does not ship was applied (not ready).", labels,
          contracted_past(snapshot.state, policy) ? 1 : 0);
}

// The verdict and what it rests on: readiness, the database, a dirty or failed migration.
void render_verdict(std::string& out, const std::string& labels, const SchemaSnapshot& snapshot,
                    const Readiness& readiness) {
    gauge(out, "schemagate_ready", "1 while /readyz answers 200.", labels, readiness.ready ? 1 : 0);
    gauge(out, "schemagate_stale",
          "1 while readiness rests on a read older than --grace (the database is unreachable).",
          labels, readiness.stale ? 1 : 0);
    gauge(out, "schemagate_database_up", "1 if the last check reached the database.", labels,
          snapshot.database_up ? 1 : 0);
    gauge(out, "schemagate_dirty", "1 if a non-transactional migration was left unfinished.",
          labels, snapshot.state.dirty ? 1 : 0);
    gauge(out, "schemagate_migration_failed",
          "1 while a failed migration is remembered (not run again until its file changes or "
          "`schemagate retry`).",
          labels, snapshot.state.failure ? 1 : 0);
}

// The progress of the batched migration under way.
void render_batch(std::string& out, const std::string& labels, const BatchProgress& batch) {
    const std::string batch_labels =
        labels + ",version=\"" + label_value(batch.version.text()) + "\"";
    gauge(out, "schemagate_batch_rows",
          "Rows the batched migration under way has processed so far.", batch_labels,
          static_cast<double>(batch.rows));
    gauge(out, "schemagate_batch_batches", "Batches it has committed so far.", batch_labels,
          static_cast<double>(batch.batches));
    if (batch.total) {
        gauge(out, "schemagate_batch_rows_total",
              "Rows it processes in all, counted when it started.", batch_labels,
              static_cast<double>(*batch.total));
    }
    if (const auto rate = batch.rows_per_second()) {
        gauge(out, "schemagate_batch_rows_per_second",
              "Its rate over the time spent in batches and pauses.", batch_labels, *rate);
    }
    if (const auto eta = batch.eta_seconds()) {
        gauge(out, "schemagate_batch_eta_seconds", "Seconds left at that rate.", batch_labels,
              *eta);
    }
    gauge(out, "schemagate_batch_updated_timestamp_seconds",
          "Unix time its latest batch committed.", batch_labels, batch.updated_at_unix);
}

// The checks themselves: when the last ran, how long they take, how many succeeded.
void render_checks(std::string& out, const std::string& labels, const SchemaSnapshot& snapshot) {
    out += fmt::format(
        "# HELP schemagate_last_check_timestamp_seconds Unix time of the last check.\n"
        "# TYPE schemagate_last_check_timestamp_seconds gauge\n"
        "schemagate_last_check_timestamp_seconds{{{}}} {:.3f}\n",
        labels, snapshot.checked_at_unix);
    out +=
        "# HELP schemagate_check_duration_seconds Time one version check took.\n"
        "# TYPE schemagate_check_duration_seconds histogram\n";
    for (std::size_t i = 0; i < kCheckDurationBuckets.size(); ++i) {
        out += fmt::format("schemagate_check_duration_seconds_bucket{{{},le=\"{}\"}} {}\n", labels,
                           kCheckDurationBuckets[i], snapshot.duration_buckets[i]);
    }
    out += fmt::format("schemagate_check_duration_seconds_bucket{{{},le=\"+Inf\"}} {}\n", labels,
                       snapshot.duration_count);
    out += fmt::format("schemagate_check_duration_seconds_sum{{{}}} {:.6f}\n", labels,
                       snapshot.duration_sum);
    out += fmt::format("schemagate_check_duration_seconds_count{{{}}} {}\n", labels,
                       snapshot.duration_count);
    out += fmt::format(
        "# HELP schemagate_checks_total Version checks by result.\n"
        "# TYPE schemagate_checks_total counter\n"
        "schemagate_checks_total{{{},result=\"ok\"}} {}\n"
        "schemagate_checks_total{{{},result=\"error\"}} {}\n",
        labels, snapshot.checks_ok, labels, snapshot.checks_error);
}

}  // namespace

std::string render_metrics(const std::string& name, const SchemaSnapshot& snapshot,
                           const ReadinessPolicy& policy, const Readiness& readiness) {
    const std::string labels = "name=\"" + label_value(name) + "\"";
    std::string out;
    out.reserve(2048);
    gauge(out, "schemagate_build_info", "Always 1; the label carries the sidecar's version.",
          labels + ",version=\"" + label_value(kVersion) + "\"", 1);
    render_versions(out, labels, snapshot, policy);
    render_verdict(out, labels, snapshot, readiness);
    if (snapshot.state.batch) {
        render_batch(out, labels, *snapshot.state.batch);
    }
    render_checks(out, labels, snapshot);
    return out;
}

}  // namespace schemagate
