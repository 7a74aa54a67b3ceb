/*
 * table.c - calci_table: a CSV file held as text cells, for manifests and
 * clinical tables whose columns are not all numbers.
 */
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "internal.h"

struct calci_table {
    size_t n_rows;
    size_t n_columns;
    char **header;  /* n_columns */
    char **cells;   /* n_rows x n_columns */
    size_t *lines;  /* n_rows */
};

void calci_table_free(calci_table *table)
{
    if (table == NULL)
        return;
    for (size_t j = 0; j < table->n_columns; j++)
        free(table->header ? table->header[j] : NULL);
    for (size_t c = 0; table->cells && c < table->n_rows * table->n_columns; c++)
        free(table->cells[c]);
    free(table->header);
    free(table->cells);
    free(table->lines);
    free(table);
}

/* Appends one record; returns CALCI_OK or CALCI_ERR_NO_MEMORY. */
static calci_status append_row(calci_table *t, size_t *capacity, const char *const *fields,
                               size_t line)
{
    if (t->n_rows == *capacity) {
        size_t cap = *capacity ? 2 * *capacity : 64;
        char **cells = realloc(t->cells, cap * t->n_columns * sizeof *cells);
        if (cells == NULL)
            return CALCI_ERR_NO_MEMORY;
        t->cells = cells;
        size_t *lines = realloc(t->lines, cap * sizeof *lines);
        if (lines == NULL)
            return CALCI_ERR_NO_MEMORY;
        t->lines = lines;
        *capacity = cap;
    }
    for (size_t j = 0; j < t->n_columns; j++) {
        char *copy = strdup(fields[j]);
        if (copy == NULL) {
            for (size_t k = 0; k < j; k++)
                free(t->cells[t->n_rows * t->n_columns + k]);
            return CALCI_ERR_NO_MEMORY;
        }
        t->cells[t->n_rows * t->n_columns + j] = copy;
    }
    t->lines[t->n_rows++] = line;
    return CALCI_OK;
}

calci_status calci_table_read_csv(const char *path, calci_table **out, calci_error *error)
{
    ci_csv_reader *reader = NULL;
    calci_table *t = NULL;
    const char *const *fields;
    size_t n_fields, capacity = 0;
    int has_record;
    calci_status status;

    if (path == NULL || out == NULL)
        return ci_fail(error, CALCI_ERR_ARGUMENT, "calci_table_read_csv: NULL argument");
    status = ci_csv_open(path, CI_CSV_MAX_FIELD, CI_CSV_MAX_RECORD, &reader, error);
    if (status != CALCI_OK)
        return status;
    status = ci_csv_read(reader, &has_record, &n_fields, &fields, error);
    if (status != CALCI_OK)
        goto fail;
    if (!has_record) {
        status = ci_fail(error, CALCI_ERR_FORMAT, "%s: the file is empty (no header row)", path);
        goto fail;
    }

    t = calloc(1, sizeof *t);
    if (t == NULL || (t->header = calloc(n_fields, sizeof *t->header)) == NULL)
        goto no_memory;
    t->n_columns = n_fields;
    for (size_t j = 0; j < n_fields; j++)
        if ((t->header[j] = strdup(fields[j])) == NULL)
            goto no_memory;

    for (;;) {
        status = ci_csv_read(reader, &has_record, &n_fields, &fields, error);
        if (status != CALCI_OK)
            goto fail;
        if (!has_record)
            break;
        if (append_row(t, &capacity, fields, ci_csv_line(reader)) != CALCI_OK)
            goto no_memory;
    }
    ci_csv_close(reader);
    *out = t;
    return CALCI_OK;

no_memory:
    status = ci_fail(error, CALCI_ERR_NO_MEMORY, "%s: out of memory reading the table", path);
fail:
    ci_csv_close(reader);
    calci_table_free(t);
    return status;
}

size_t calci_table_rows(const calci_table *table)
{
    return table ? table->n_rows : 0;
}

size_t calci_table_columns(const calci_table *table)
{
    return table ? table->n_columns : 0;
}

const char *calci_table_column_name(const calci_table *table, size_t j)
{
    return table && j < table->n_columns ? table->header[j] : NULL;
}

size_t calci_table_find_column(const calci_table *table, const char *name)
{
    if (table == NULL || name == NULL)
        return (size_t)-1;
    for (size_t j = 0; j < table->n_columns; j++)
        if (strcmp(table->header[j], name) == 0)
            return j;
    return (size_t)-1;
}

const char *calci_table_cell(const calci_table *table, size_t i, size_t j)
{
    if (table == NULL || i >= table->n_rows || j >= table->n_columns)
        return NULL;
    return table->cells[i * table->n_columns + j];
}

size_t calci_table_line(const calci_table *table, size_t i)
{
    return table && i < table->n_rows ? table->lines[i] : 0;
}
