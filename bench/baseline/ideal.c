/* SPDX-License-Identifier: Apache-2.0 */
/* The ideal migrator, a baseline only: a blocking session advisory lock, then each pending
 * file in one round trip (BEGIN; <file>; INSERT version; COMMIT). No lease, no fence, no
 * checksums, no history detail: what schemagate's bookkeeping is measured against.
 * Usage: ideal CONNINFO DIR   (files named V<version>__*.sql) */
#include <dirent.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct file {
    long version;
    char name[256];
};

static int by_version(const void* a, const void* b) {
    const long va = ((const struct file*)a)->version, vb = ((const struct file*)b)->version;
    return (va > vb) - (va < vb);
}

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

    DIR* dir = opendir(argv[2]);
    if (dir == NULL) {
        perror(argv[2]);
        return 1;
    }
    size_t count = 0, capacity = 64;
    struct file* files = malloc(capacity * sizeof *files);
    for (struct dirent* entry; (entry = readdir(dir)) != NULL;) {
        if (entry->d_name[0] != 'V') continue;
        if (count == capacity) files = realloc(files, (capacity *= 2) * sizeof *files);
        files[count].version = atol(entry->d_name + 1);
        snprintf(files[count].name, sizeof files[count].name, "%s", entry->d_name);
        ++count;
    }
    closedir(dir);
    qsort(files, count, sizeof *files, by_version);

    int ok = 1;
    for (size_t i = 0; ok && i < count; ++i) {
        if (files[i].version <= current) continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", argv[2], files[i].name);
        FILE* in = fopen(path, "rb");
        if (in == NULL) {
            perror(path);
            return 1;
        }
        fseek(in, 0, SEEK_END);
        const long size = ftell(in);
        fseek(in, 0, SEEK_SET);
        char* sql = malloc((size_t)size + 160);
        int used = snprintf(sql, 16, "BEGIN;\n");
        used += (int)fread(sql + used, 1, (size_t)size, in);
        fclose(in);
        snprintf(sql + used, 150, ";\nINSERT INTO ideal_versions VALUES (%ld);\nCOMMIT;", files[i].version);
        ok = run(conn, sql);
        free(sql);
    }
    free(files);
    run(conn, "SELECT pg_advisory_unlock(4242)");
    PQfinish(conn);
    return ok ? 0 : 1;
}
