/* SPDX-License-Identifier: Apache-2.0 */
/* The physical floor of "check the database and exit": connect, SELECT 1, exit.
 * Usage: floor CONNINFO */
#include <libpq-fe.h>
#include <stdio.h>

int main(int argc, char** argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: floor CONNINFO\n");
        return 2;
    }
    PGconn* conn = PQconnectdb(argv[1]);
    if (PQstatus(conn) != CONNECTION_OK) {
        fprintf(stderr, "floor: %s", PQerrorMessage(conn));
        return 1;
    }
    PGresult* result = PQexec(conn, "SELECT 1");
    const int ok = PQresultStatus(result) == PGRES_TUPLES_OK;
    PQclear(result);
    PQfinish(conn);
    return ok ? 0 : 1;
}
