/*
 * manifest.c - reading a study manifest: one row per case with its image,
 * its mask or box, label, patient, split, group and comparator reads.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Joins a path from the manifest with the manifest's folder unless absolute. */
static char *resolve_path(const char *manifest_path, const char *path)
{
    const char *slash = strrchr(manifest_path, '/');
    size_t dir_len = slash ? (size_t)(slash - manifest_path) + 1 : 0;
    char *out;

    if (path[0] == '/' || dir_len == 0)
        return strdup(path);
    out = malloc(dir_len + strlen(path) + 1);
    if (out == NULL)
        return NULL;
    memcpy(out, manifest_path, dir_len);
    strcpy(out + dir_len, path);
    return out;
}

static int parse_number(const char *text, double *out)
{
    char *end;

    errno = 0;
    *out = strtod(text, &end);
    return end != text && *end == '\0' && errno == 0 && isfinite(*out);
}

static const char *cell(const calci_table *t, size_t row, size_t column)
{
    const char *text = column == (size_t)-1 ? NULL : calci_table_cell(t, row, column);
    return text ? text : "";
}

void manifest_free(manifest *m)
{
    if (m == NULL)
        return;
    for (size_t i = 0; i < m->n_cases; i++) {
        manifest_case *c = &m->cases[i];
        free(c->case_id);
        free(c->patient_id);
        free(c->group);
        free(c->image);
        free(c->mask);
    }
    for (size_t j = 0; j < m->n_comparators; j++)
        free(m->comparator_names[j]);
    free(m->comparator_names);
    free(m->comparators);
    free(m->cases);
    free(m->path);
    free(m);
}

typedef struct columns {
    size_t case_id, patient_id, label, split, group, image, mask, label_value;
    size_t box[3], box_size;
} columns;

static void find_columns(const calci_table *t, columns *c)
{
    static const char *const box_names[3] = {"box_x", "box_y", "box_z"};

    c->case_id = calci_table_find_column(t, "case_id");
    c->patient_id = calci_table_find_column(t, "patient_id");
    c->label = calci_table_find_column(t, "label");
    c->split = calci_table_find_column(t, "split");
    c->group = calci_table_find_column(t, "group");
    c->image = calci_table_find_column(t, "image");
    c->mask = calci_table_find_column(t, "mask");
    c->label_value = calci_table_find_column(t, "label_value");
    for (int a = 0; a < 3; a++)
        c->box[a] = calci_table_find_column(t, box_names[a]);
    c->box_size = calci_table_find_column(t, "box_size");
}

/* Fills case i from row i; prints the reason and returns -1 on a bad value. */
static int read_case(manifest *m, const calci_table *t, const columns *col, size_t i)
{
    manifest_case *c = &m->cases[i];
    const char *text;
    size_t line = calci_table_line(t, i);

    c->line = line;
    c->case_id = strdup(cell(t, i, col->case_id));
    text = cell(t, i, col->patient_id);
    c->patient_id = strdup(text[0] ? text : c->case_id ? c->case_id : "");
    c->group = strdup(cell(t, i, col->group));
    if (c->case_id == NULL || c->patient_id == NULL || c->group == NULL)
        goto no_memory;
    if (c->case_id[0] == '\0') {
        cli_error("%s line %zu: empty case_id", m->path, line);
        return -1;
    }

    text = cell(t, i, col->label);
    if (text[0] == '\0')
        c->label = -1;
    else if (strcmp(text, "1") == 0 || strcmp(text, "0") == 0)
        c->label = text[0] - '0';
    else {
        cli_error("%s line %zu, column label: \"%s\" is not 1, 0 or empty", m->path, line, text);
        return -1;
    }

    text = cell(t, i, col->split);
    if (text[0] == '\0')
        c->split = CALCI_SPLIT_NONE;
    else if (strcmp(text, "train") == 0)
        c->split = CALCI_SPLIT_TRAIN;
    else if (strcmp(text, "test") == 0)
        c->split = CALCI_SPLIT_TEST;
    else {
        cli_error("%s line %zu, column split: \"%s\" is not train, test or empty", m->path,
                  line, text);
        return -1;
    }
    m->any_split |= c->split != CALCI_SPLIT_NONE;

    text = cell(t, i, col->image);
    if (text[0] == '\0') {
        cli_error("%s line %zu, column image: empty path", m->path, line);
        return -1;
    }
    c->image = resolve_path(m->path, text);
    if (c->image == NULL)
        goto no_memory;

    text = cell(t, i, col->mask);
    c->label_value = NAN; /* an empty cell selects the label setting of the parameters */
    if (text[0] != '\0') {
        c->mask = resolve_path(m->path, text);
        if (c->mask == NULL)
            goto no_memory;
        text = cell(t, i, col->label_value);
        if (text[0] != '\0' && !parse_number(text, &c->label_value)) {
            cli_error("%s line %zu, column label_value: \"%s\" is not a number", m->path,
                      line, text);
            return -1;
        }
        return 0;
    }

    for (int a = 0; a < 3; a++) {
        text = cell(t, i, col->box[a]);
        if (!parse_number(text, &c->box[a])) {
            cli_error("%s line %zu: the case has no mask, and box_%c \"%s\" is not a number "
                      "in mm",
                      m->path, line, "xyz"[a], text);
            return -1;
        }
    }
    c->has_box = 1;
    c->box_size = 50;
    text = cell(t, i, col->box_size);
    if (text[0] != '\0' && (!parse_number(text, &c->box_size) || c->box_size <= 0)) {
        cli_error("%s line %zu, column box_size: \"%s\" is not a positive size in mm", m->path,
                  line, text);
        return -1;
    }
    return 0;

no_memory:
    cli_error("out of memory reading %s", m->path);
    return -1;
}

static int read_comparators(manifest *m, const calci_table *t)
{
    size_t n_columns = calci_table_columns(t), k = 0;

    for (size_t j = 0; j < n_columns; j++)
        m->n_comparators += strncmp(calci_table_column_name(t, j), "cmp_", 4) == 0;
    m->comparator_names = calloc(m->n_comparators + 1, sizeof(char *));
    m->comparators = malloc((m->n_cases * m->n_comparators + 1) * sizeof(double));
    if (m->comparator_names == NULL || m->comparators == NULL) {
        cli_error("out of memory reading %s", m->path);
        return -1;
    }
    for (size_t j = 0; j < n_columns; j++) {
        const char *name = calci_table_column_name(t, j);
        if (strncmp(name, "cmp_", 4) != 0)
            continue;
        m->comparator_names[k] = strdup(name + 4);
        if (m->comparator_names[k] == NULL) {
            cli_error("out of memory reading %s", m->path);
            return -1;
        }
        for (size_t i = 0; i < m->n_cases; i++) {
            const char *text = cell(t, i, j);
            double *value = &m->comparators[i * m->n_comparators + k];
            *value = NAN;
            if (text[0] != '\0' && !parse_number(text, value)) {
                cli_error("%s line %zu, column %s: \"%s\" is not a number", m->path,
                          calci_table_line(t, i), name, text);
                return -1;
            }
        }
        k++;
    }
    return 0;
}

manifest *manifest_read(const char *path)
{
    calci_error *error = calci_error_create();
    calci_table *t = NULL;
    manifest *m = NULL;
    columns col;

    if (error == NULL || calci_table_read_csv(path, &t, error) != CALCI_OK) {
        cli_error("%s", error ? calci_error_message(error) : "out of memory");
        goto fail;
    }
    find_columns(t, &col);
    if (col.case_id == (size_t)-1 || col.image == (size_t)-1) {
        cli_error("%s: the manifest needs the columns case_id and image (see the README)",
                  path);
        goto fail;
    }
    if (calci_table_rows(t) == 0) {
        cli_error("%s: the manifest has no case", path);
        goto fail;
    }

    m = calloc(1, sizeof *m);
    if (m == NULL || (m->path = strdup(path)) == NULL) {
        cli_error("out of memory reading %s", path);
        goto fail;
    }
    m->n_cases = calci_table_rows(t);
    m->cases = calloc(m->n_cases, sizeof *m->cases);
    if (m->cases == NULL) {
        cli_error("out of memory reading %s", path);
        goto fail;
    }
    for (size_t i = 0; i < m->n_cases; i++)
        if (read_case(m, t, &col, i) != 0)
            goto fail;
    for (size_t i = 0; i < m->n_cases; i++)
        for (size_t k = 0; k < i; k++)
            if (strcmp(m->cases[i].case_id, m->cases[k].case_id) == 0) {
                cli_error("%s line %zu: case_id \"%s\" repeats line %zu", path,
                          m->cases[i].line, m->cases[i].case_id, m->cases[k].line);
                goto fail;
            }
    if (read_comparators(m, t) != 0)
        goto fail;

    calci_table_free(t);
    calci_error_free(error);
    return m;

fail:
    manifest_free(m);
    calci_table_free(t);
    calci_error_free(error);
    return NULL;
}
