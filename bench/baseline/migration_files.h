/* SPDX-License-Identifier: Apache-2.0 */
/* What the C baselines share: the V<version>__*.sql files of a directory, in version order,
 * and a file's bytes. */
#ifndef SCHEMAGATE_BENCH_MIGRATION_FILES_H
#define SCHEMAGATE_BENCH_MIGRATION_FILES_H

#include <dirent.h>
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

/* The files, sorted; NULL (with a message) when the directory cannot be read. */
static struct file* list_files(const char* directory, size_t* count) {
    DIR* dir = opendir(directory);
    if (dir == NULL) {
        perror(directory);
        return NULL;
    }
    size_t capacity = 64;
    struct file* files = malloc(capacity * sizeof *files);
    *count = 0;
    for (struct dirent* entry; (entry = readdir(dir)) != NULL;) {
        if (entry->d_name[0] != 'V') continue;
        if (*count == capacity) files = realloc(files, (capacity *= 2) * sizeof *files);
        files[*count].version = atol(entry->d_name + 1);
        snprintf(files[*count].name, sizeof files[*count].name, "%s", entry->d_name);
        ++*count;
    }
    closedir(dir);
    qsort(files, *count, sizeof *files, by_version);
    return files;
}

/* Appends the file's bytes to `*sql` (grown as needed); returns 0 when it cannot be read. */
static int append_file(const char* directory, const char* name, char** sql, size_t* used,
                       size_t* capacity) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", directory, name);
    FILE* in = fopen(path, "rb");
    if (in == NULL) {
        perror(path);
        return 0;
    }
    fseek(in, 0, SEEK_END);
    const size_t size = (size_t)ftell(in);
    fseek(in, 0, SEEK_SET);
    while (*used + size + 256 > *capacity) *sql = realloc(*sql, *capacity *= 2);
    *used += fread(*sql + *used, 1, size, in);
    (*sql)[*used] = '\0';
    fclose(in);
    return 1;
}

#endif
