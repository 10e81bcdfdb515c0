/* SPDX-License-Identifier: Apache-2.0 */
/* The ideal migrator, a baseline only: a blocking session advisory lock, then each pending
 * file in one round trip (BEGIN; <file>; INSERT version; COMMIT). No lease, no fence, no
 * checksums, no history detail: what schemagate's bookkeeping is measured against.
 * Usage: ideal CONNINFO DIR   (files named V<version>__*.sql) */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migration_files.h"

static int run(PGconn* conn, const char* sql) {
    PGresult* result = PQexec(conn, sql);
    const ExecStatusType status = PQresultStatus(result);
    const int ok = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
    if (!ok) fprintf(stderr, "ideal: %s", PQerrorMessage(conn));
    PQclear(result);
    return ok;
}

int main(int argc, char** argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: ideal CONNINFO DIR\n");
        return 2;
    }
    PGconn* conn = PQconnectdb(argv[1]);
    if (PQstatus(conn) != CONNECTION_OK) {
        fprintf(stderr, "ideal: %s", PQerrorMessage(conn));
        return 1;
    }
    /* Lock first: concurrent CREATE TABLE IF NOT EXISTS can still collide in the catalog. */
    if (!run(conn, "SELECT pg_advisory_lock(4242)") ||
        !run(conn, "SET client_min_messages = warning; "
                   "CREATE TABLE IF NOT EXISTS ideal_versions (version bigint PRIMARY KEY)")) {
        return 1;
    }
    PGresult* applied = PQexec(conn, "SELECT coalesce(max(version), 0) FROM ideal_versions");
    const long current = atol(PQgetvalue(applied, 0, 0));
    PQclear(applied);

    size_t count = 0;
    struct file* files = list_files(argv[2], &count);
    if (files == NULL) return 1;
    int ok = 1;
    size_t capacity = 4096;
    char* sql = malloc(capacity);
    for (size_t i = 0; ok && i < count; ++i) {
        if (files[i].version <= current) continue;
        size_t used = (size_t)snprintf(sql, capacity, "BEGIN;\n");
        if (!append_file(argv[2], files[i].name, &sql, &used, &capacity)) return 1;
        snprintf(sql + used, 150, ";\nINSERT INTO ideal_versions VALUES (%ld);\nCOMMIT;", files[i].version);
        ok = run(conn, sql);
    }
    free(sql);
    free(files);
    run(conn, "SELECT pg_advisory_unlock(4242)");
    PQfinish(conn);
    return ok ? 0 : 1;
}
