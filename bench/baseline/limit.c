/* SPDX-License-Identifier: Apache-2.0 */
/* The limit, a baseline only: the least a correct migrator must do. Connect; in one round
 * trip take a blocking advisory lock and read the applied version; in one more send every
 * pending file with its version row, each in its own transaction, without waiting between
 * them; only the last commit waits for its WAL flush (which covers the others). No lease, no
 * fence, no checksums, no error attribution.
 * Usage: limit CONNINFO DIR   (files named V<version>__*.sql) */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migration_files.h"

int main(int argc, char** argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: limit CONNINFO DIR\n");
        return 2;
    }
    size_t count = 0;
    struct file* files = list_files(argv[2], &count);
    if (files == NULL) return 1;
    PGconn* conn = PQconnectdb(argv[1]);
    if (PQstatus(conn) != CONNECTION_OK) {
        fprintf(stderr, "limit: %s", PQerrorMessage(conn));
        return 1;
    }
    PGresult* applied = PQexec(conn,
        "SELECT pg_advisory_lock(4243); SET client_min_messages = warning; "
        "SET synchronous_commit = off; "
        "CREATE TABLE IF NOT EXISTS limit_versions (version bigint PRIMARY KEY); "
        "SELECT coalesce(max(version), 0) FROM limit_versions");
    if (PQresultStatus(applied) != PGRES_TUPLES_OK) {
        fprintf(stderr, "limit: %s", PQerrorMessage(conn));
        return 1;
    }
    const long current = atol(PQgetvalue(applied, 0, 0));
    PQclear(applied);

    size_t used = 0, capacity = 4096;
    char* sql = malloc(capacity);
    sql[0] = '\0';
    size_t last = count;
    for (size_t i = 0; i < count; ++i) {
        if (files[i].version > current) last = i;
    }
    for (size_t i = 0; i < count; ++i) {
        if (files[i].version <= current) continue;
        used += (size_t)snprintf(sql + used, capacity - used, "BEGIN;\n%s",
                                 i == last ? "SET LOCAL synchronous_commit = on;\n" : "");
        if (!append_file(argv[2], files[i].name, &sql, &used, &capacity)) return 1;
        used += (size_t)snprintf(sql + used, capacity - used,
                                 "\n;INSERT INTO limit_versions VALUES (%ld);\nCOMMIT;\n",
                                 files[i].version);
    }
    strcat(sql, "SELECT pg_advisory_unlock(4243)");
    PGresult* result = PQexec(conn, sql);
    const int ok = PQresultStatus(result) == PGRES_TUPLES_OK;
    if (!ok) fprintf(stderr, "limit: %s", PQerrorMessage(conn));
    PQclear(result);
    free(sql);
    free(files);
    PQfinish(conn);
    return ok ? 0 : 1;
}
