/*
 * dataset.c - cases x features table with ids, labels, splits, groups and
 * comparator scores; CSV reading and writing.
 *
 * CSV columns: case_id (when absent, the first column is the case id),
 * patient_id, label, split, group, cmp_<name> (comparator <name>), and the
 * manifest-only columns image, mask, label_value, box_x, box_y, box_z and
 * box_size, which the dataset ignores. Every other column is a feature.
 * Comparator names are stored without the "cmp_" prefix and written back
 * with it.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "csv.h"
#include "internal.h"

static const char *const reserved_columns[] = {
    "case_id", "patient_id", "label", "split", "group", "image",
    "mask", "label_value", "box_x", "box_y", "box_z", "box_size",
};

#define RESERVED_COUNT (sizeof reserved_columns / sizeof reserved_columns[0])

static int is_comparator_column(const char *name)
{
    return strncmp(name, "cmp_", 4) == 0;
}

static int is_reserved_column(const char *name)
{
    for (size_t i = 0; i < RESERVED_COUNT; i++)
        if (strcmp(name, reserved_columns[i]) == 0)
            return 1;
    return is_comparator_column(name);
}

static char *duplicate_string(const char *text)
{
    size_t n = strlen(text) + 1;
    char *copy = malloc(n);

    if (copy != NULL)
        memcpy(copy, text, n);
    return copy;
}

/* ------------------------------------------------------------------ */
/* Case-id hash (open addressing, linear probing, FNV-1a)               */

static uint64_t hash_string(const char *text)
{
    uint64_t h = UINT64_C(14695981039346656037);

    for (const unsigned char *p = (const unsigned char *)text; *p != '\0'; p++)
        h = (h ^ *p) * UINT64_C(1099511628211);
    return h;
}

/* Slot holding case_id, or the empty slot where it would go. */
static size_t find_slot(const calci_dataset *d, const char *case_id)
{
    size_t mask = d->n_id_slots - 1;
    size_t slot = (size_t)hash_string(case_id) & mask;

    while (d->id_slots[slot] != 0 && strcmp(d->case_ids[d->id_slots[slot] - 1], case_id) != 0)
        slot = (slot + 1) & mask;
    return slot;
}

/* Makes room for n_cases + 1 ids at load factor <= 1/2, rebuilding the
 * table from case_ids when it grows or was never built. */
static int reserve_id_slots(calci_dataset *d)
{
    size_t needed = 2 * (d->n_cases + 1);
    size_t size = d->n_id_slots;
    size_t *slots;

    if (d->id_slots != NULL && size >= needed)
        return 1;
    if (size < 16)
        size = 16;
    while (size < needed)
        size *= 2;
    slots = calloc(size, sizeof *slots);
    if (slots == NULL)
        return 0;
    free(d->id_slots);
    d->id_slots = slots;
    d->n_id_slots = size;
    for (size_t i = 0; i < d->n_cases; i++)
        d->id_slots[find_slot(d, d->case_ids[i])] = i + 1;
    return 1;
}

/* Row of case_id, or -1 (the table must exist). */
static long long find_case(const calci_dataset *d, const char *case_id)
{
    size_t slot = find_slot(d, case_id);

    return d->id_slots[slot] == 0 ? -1 : (long long)d->id_slots[slot] - 1;
}

/* ------------------------------------------------------------------ */
/* Creation and appending                                               */

static char **copy_names(size_t n, const char *const *names)
{
    char **copy = calloc(n ? n : 1, sizeof *copy);

    if (copy == NULL)
        return NULL;
    for (size_t j = 0; j < n; j++) {
        copy[j] = duplicate_string(names[j]);
        if (copy[j] == NULL) {
            for (size_t k = 0; k < j; k++)
                free(copy[k]);
            free(copy);
            return NULL;
        }
    }
    return copy;
}

/* Checks that names are non-NULL, non-empty and distinct (quadratic, which is
 * fine for column counts). */
static calci_status check_names(size_t n, const char *const *names, const char *kind,
                                int reject_reserved, calci_error *error)
{
    if (n > 0 && names == NULL)
        return ci_fail(error, CALCI_ERR_ARGUMENT, "%zu %s names expected, got NULL", n, kind);
    for (size_t j = 0; j < n; j++) {
        if (names[j] == NULL || names[j][0] == '\0')
            return ci_fail(error, CALCI_ERR_ARGUMENT, "%s name %zu is NULL or empty", kind, j);
        if (reject_reserved && is_reserved_column(names[j]))
            return ci_fail(error, CALCI_ERR_ARGUMENT,
                           "%s name \"%s\" is a reserved column name (case_id, patient_id, "
                           "label, split, group, image, mask, label_value, box_*, cmp_*)",
                           kind, names[j]);
        for (size_t k = 0; k < j; k++)
            if (strcmp(names[j], names[k]) == 0)
                return ci_fail(error, CALCI_ERR_ARGUMENT, "%s name \"%s\" appears twice",
                               kind, names[j]);
    }
    return CALCI_OK;
}

calci_status calci_dataset_create(size_t n_features, const char *const *feature_names,
                                  size_t n_comparators, const char *const *comparator_names,
                                  calci_dataset **out, calci_error *error)
{
    calci_dataset *d;
    calci_status status;

    if (out == NULL)
        return ci_fail(error, CALCI_ERR_ARGUMENT, "calci_dataset_create: out is NULL");
    if ((status = check_names(n_features, feature_names, "feature", 1, error)) != CALCI_OK ||
        (status = check_names(n_comparators, comparator_names, "comparator", 0, error)) != CALCI_OK)
        return status;

    d = calloc(1, sizeof *d);
    if (d == NULL)
        return ci_fail(error, CALCI_ERR_NO_MEMORY, "out of memory creating a dataset");
    d->n_features = n_features;
    d->n_comparators = n_comparators;
    d->feature_names = copy_names(n_features, feature_names);
    d->comparator_names = copy_names(n_comparators, comparator_names);
    if (d->feature_names == NULL || d->comparator_names == NULL) {
        calci_dataset_free(d);
        return ci_fail(error, CALCI_ERR_NO_MEMORY, "out of memory creating a dataset");
    }
    *out = d;
    return CALCI_OK;
}

/* Grows every per-case array to hold at least one more case. */
static int reserve_case(calci_dataset *d)
{
    size_t cap;

    if (d->n_cases < d->capacity)
        return 1;
    cap = d->capacity ? d->capacity * 2 : 64;

#define GROW(field, count)                                                  \
    do {                                                                    \
        void *grown = realloc(d->field, (count) * sizeof *d->field);       \
        if (grown == NULL)                                                  \
            return 0;                                                       \
        d->field = grown;                                                   \
    } while (0)

    GROW(case_ids, cap);
    GROW(patient_ids, cap);
    GROW(groups, cap);
    GROW(labels, cap);
    GROW(splits, cap);
    if (d->n_features > 0)
        GROW(values, cap * d->n_features);
    if (d->n_comparators > 0)
        GROW(comparators, cap * d->n_comparators);
#undef GROW

    d->capacity = cap;
    return 1;
}

/* Appends a case after the caller's checks; case_id must not exist yet. */
static calci_status append_case(calci_dataset *d, const char *case_id, const char *patient_id,
                                int label, calci_split split, const char *group,
                                const double *features, const double *comparators,
                                calci_error *error)
{
    size_t i = d->n_cases;
    char *case_copy, *patient_copy, *group_copy;

    if (patient_id == NULL || patient_id[0] == '\0')
        patient_id = case_id;
    if (group == NULL)
        group = "";
    if (!reserve_case(d) || !reserve_id_slots(d))
        return ci_fail(error, CALCI_ERR_NO_MEMORY, "out of memory adding case \"%s\"", case_id);
    case_copy = duplicate_string(case_id);
    patient_copy = duplicate_string(patient_id);
    group_copy = duplicate_string(group);
    if (case_copy == NULL || patient_copy == NULL || group_copy == NULL) {
        free(case_copy);
        free(patient_copy);
        free(group_copy);
        return ci_fail(error, CALCI_ERR_NO_MEMORY, "out of memory adding case \"%s\"", case_id);
    }

    d->case_ids[i] = case_copy;
    d->patient_ids[i] = patient_copy;
    d->groups[i] = group_copy;
    d->labels[i] = label;
    d->splits[i] = split;
    if (d->n_features > 0)
        memcpy(d->values + i * d->n_features, features, d->n_features * sizeof(double));
    for (size_t j = 0; j < d->n_comparators; j++)
        d->comparators[i * d->n_comparators + j] = comparators ? comparators[j] : NAN;
    d->id_slots[find_slot(d, case_copy)] = i + 1;
    d->n_cases++;
    return CALCI_OK;
}

static int valid_split(calci_split split)
{
    return split == CALCI_SPLIT_NONE || split == CALCI_SPLIT_TRAIN || split == CALCI_SPLIT_TEST;
}

calci_status calci_dataset_add(calci_dataset *dataset, const char *case_id,
                               const char *patient_id, int label, calci_split split,
                               const char *group, const double *features,
                               const double *comparators, calci_error *error)
{
    if (dataset == NULL)
        return ci_fail(error, CALCI_ERR_ARGUMENT, "calci_dataset_add: dataset is NULL");
    if (case_id == NULL || case_id[0] == '\0')
        return ci_fail(error, CALCI_ERR_ARGUMENT, "case id is NULL or empty");
    if (label != -1 && label != 0 && label != 1)
        return ci_fail(error, CALCI_ERR_ARGUMENT, "case \"%s\": label %d, expected 1, 0 or -1",
                       case_id, label);
    if (!valid_split(split))
        return ci_fail(error, CALCI_ERR_ARGUMENT, "case \"%s\": invalid split value %d", case_id,
                       (int)split);
    if (dataset->n_features > 0 && features == NULL)
        return ci_fail(error, CALCI_ERR_ARGUMENT, "case \"%s\": features is NULL", case_id);
    if (!reserve_id_slots(dataset))
        return ci_fail(error, CALCI_ERR_NO_MEMORY, "out of memory adding case \"%s\"", case_id);
    if (find_case(dataset, case_id) >= 0)
        return ci_fail(error, CALCI_ERR_ARGUMENT, "duplicate case id \"%s\"", case_id);
    return append_case(dataset, case_id, patient_id, label, split, group, features,
                       comparators, error);
}

void calci_dataset_free(calci_dataset *d)
{
    if (d == NULL)
        return;
    for (size_t j = 0; d->feature_names != NULL && j < d->n_features; j++)
        free(d->feature_names[j]);
    for (size_t j = 0; d->comparator_names != NULL && j < d->n_comparators; j++)
        free(d->comparator_names[j]);
    for (size_t i = 0; i < d->n_cases; i++) {
        free(d->case_ids[i]);
        free(d->patient_ids[i]);
        free(d->groups[i]);
    }
    free(d->feature_names);
    free(d->comparator_names);
    free(d->case_ids);
    free(d->patient_ids);
    free(d->groups);
    free(d->labels);
    free(d->splits);
    free(d->values);
    free(d->comparators);
    free(d->id_slots);
    free(d);
}

/* ------------------------------------------------------------------ */
/* Accessors                                                            */

size_t calci_dataset_cases(const calci_dataset *d)
{
    return d ? d->n_cases : 0;
}

size_t calci_dataset_features(const calci_dataset *d)
{
    return d ? d->n_features : 0;
}

size_t calci_dataset_comparators(const calci_dataset *d)
{
    return d ? d->n_comparators : 0;
}

const char *calci_dataset_feature_name(const calci_dataset *d, size_t j)
{
    return d && j < d->n_features ? d->feature_names[j] : NULL;
}

const char *calci_dataset_comparator_name(const calci_dataset *d, size_t j)
{
    return d && j < d->n_comparators ? d->comparator_names[j] : NULL;
}

const char *calci_dataset_case_id(const calci_dataset *d, size_t i)
{
    return d && i < d->n_cases ? d->case_ids[i] : NULL;
}

const char *calci_dataset_patient_id(const calci_dataset *d, size_t i)
{
    return d && i < d->n_cases ? d->patient_ids[i] : NULL;
}

const char *calci_dataset_group(const calci_dataset *d, size_t i)
{
    return d && i < d->n_cases ? d->groups[i] : NULL;
}

/* -1 (unknown) when the index is out of range. */
int calci_dataset_label(const calci_dataset *d, size_t i)
{
    return d && i < d->n_cases ? d->labels[i] : -1;
}

/* CALCI_SPLIT_NONE when the index is out of range. */
calci_split calci_dataset_split(const calci_dataset *d, size_t i)
{
    return d && i < d->n_cases ? d->splits[i] : CALCI_SPLIT_NONE;
}

/* NaN when an index is out of range. */
double calci_dataset_value(const calci_dataset *d, size_t i, size_t j)
{
    return d && i < d->n_cases && j < d->n_features ? ci_value(d, i, j) : NAN;
}

double calci_dataset_comparator(const calci_dataset *d, size_t i, size_t j)
{
    if (d == NULL || i >= d->n_cases || j >= d->n_comparators)
        return NAN;
    return d->comparators[i * d->n_comparators + j];
}

calci_status calci_dataset_set_split(calci_dataset *d, size_t i, calci_split split,
                                     calci_error *error)
{
    if (d == NULL)
        return ci_fail(error, CALCI_ERR_ARGUMENT, "calci_dataset_set_split: dataset is NULL");
    if (i >= d->n_cases)
        return ci_fail(error, CALCI_ERR_ARGUMENT, "case index %zu out of range (%zu cases)", i,
                       d->n_cases);
    if (!valid_split(split))
        return ci_fail(error, CALCI_ERR_ARGUMENT, "invalid split value %d", (int)split);
    d->splits[i] = split;
    return CALCI_OK;
}

/* ------------------------------------------------------------------ */
/* Reading CSV                                                          */

enum column_role { ROLE_IGNORED, ROLE_CASE, ROLE_PATIENT, ROLE_LABEL, ROLE_SPLIT, ROLE_GROUP,
                   ROLE_COMPARATOR, ROLE_FEATURE };

/* Column layout of a table: role per column and, for features and
 * comparators, the index in the dataset. */
typedef struct table_layout {
    size_t n_columns;
    enum column_role *roles;
    size_t *targets;
    char **header;          /* copies of the header names */
    size_t n_features;
    size_t n_comparators;
    const char **feature_names;
    const char **comparator_names;
} table_layout;

static void free_layout(table_layout *t)
{
    for (size_t c = 0; t->header != NULL && c < t->n_columns; c++)
        free(t->header[c]);
    free(t->header);
    free(t->roles);
    free(t->targets);
    free(t->feature_names);
    free(t->comparator_names);
}

static enum column_role role_of(const char *name)
{
    static const struct {
        const char *name;
        enum column_role role;
    } named[] = {
        {"case_id", ROLE_CASE}, {"patient_id", ROLE_PATIENT}, {"label", ROLE_LABEL},
        {"split", ROLE_SPLIT}, {"group", ROLE_GROUP},
    };

    for (size_t k = 0; k < sizeof named / sizeof named[0]; k++)
        if (strcmp(name, named[k].name) == 0)
            return named[k].role;
    if (is_comparator_column(name))
        return ROLE_COMPARATOR;
    if (is_reserved_column(name))
        return ROLE_IGNORED;
    return ROLE_FEATURE;
}

static calci_status classify_columns(const char *path, size_t n, const char *const *fields,
                                     table_layout *t, calci_error *error)
{
    int has_case_column = 0;

    t->n_columns = n;
    t->roles = calloc(n, sizeof *t->roles);
    t->targets = calloc(n, sizeof *t->targets);
    t->header = calloc(n, sizeof *t->header);
    t->feature_names = calloc(n, sizeof *t->feature_names);
    t->comparator_names = calloc(n, sizeof *t->comparator_names);
    if (!t->roles || !t->targets || !t->header || !t->feature_names || !t->comparator_names)
        return ci_fail(error, CALCI_ERR_NO_MEMORY, "out of memory reading \"%s\"", path);

    for (size_t c = 0; c < n; c++) {
        t->header[c] = duplicate_string(fields[c]);
        if (t->header[c] == NULL)
            return ci_fail(error, CALCI_ERR_NO_MEMORY, "out of memory reading \"%s\"", path);
        if (fields[c][0] == '\0')
            return ci_fail(error, CALCI_ERR_FORMAT, "%s, line 1, column %zu: empty column name",
                           path, c + 1);
        for (size_t k = 0; k < c; k++)
            if (strcmp(fields[c], fields[k]) == 0)
                return ci_fail(error, CALCI_ERR_FORMAT,
                               "%s, line 1: column name \"%s\" appears in columns %zu and %zu",
                               path, fields[c], k + 1, c + 1);
        t->roles[c] = role_of(fields[c]);
        has_case_column |= t->roles[c] == ROLE_CASE;
    }

    if (!has_case_column) {
        if (t->roles[0] != ROLE_FEATURE)
            return ci_fail(error, CALCI_ERR_FORMAT,
                           "%s, line 1: no case_id column, and the first column \"%s\" has a "
                           "reserved name, so it cannot be the case id (add a case_id column)",
                           path, fields[0]);
        t->roles[0] = ROLE_CASE;
    }

    for (size_t c = 0; c < n; c++) {
        if (t->roles[c] == ROLE_FEATURE) {
            t->targets[c] = t->n_features;
            t->feature_names[t->n_features++] = t->header[c];
        } else if (t->roles[c] == ROLE_COMPARATOR) {
            if (t->header[c][4] == '\0')
                return ci_fail(error, CALCI_ERR_FORMAT,
                               "%s, line 1, column %zu: comparator column \"cmp_\" has no name "
                               "after the prefix",
                               path, c + 1);
            t->targets[c] = t->n_comparators;
            t->comparator_names[t->n_comparators++] = t->header[c] + 4;
        }
    }
    return CALCI_OK;
}

/* Label text: 1/0, true/false, positive/negative (any case), "1.0"/"0.0" as
 * pandas writes an integer column with gaps, and "" or "NA" for unknown. */
static int parse_label(const char *text, int *label)
{
    double number;

    if (text[0] == '\0' || strcasecmp(text, "NA") == 0)
        *label = -1;
    else if (strcasecmp(text, "true") == 0 || strcasecmp(text, "positive") == 0)
        *label = 1;
    else if (strcasecmp(text, "false") == 0 || strcasecmp(text, "negative") == 0)
        *label = 0;
    else if (ci_parse_double(text, &number) == CI_NUMBER_OK && (number == 0 || number == 1))
        *label = (int)number;
    else
        return 0;
    return 1;
}

/* Split text: train, test (any case) or "". */
static int parse_split(const char *text, calci_split *split)
{
    if (text[0] == '\0')
        *split = CALCI_SPLIT_NONE;
    else if (strcasecmp(text, "train") == 0)
        *split = CALCI_SPLIT_TRAIN;
    else if (strcasecmp(text, "test") == 0)
        *split = CALCI_SPLIT_TEST;
    else
        return 0;
    return 1;
}

static calci_status parse_cell_number(const ci_csv_reader *reader, const char *column,
                                      size_t c, const char *text, double *out,
                                      calci_error *error)
{
    ci_number result = ci_csv_delimiter(reader) == ';'
                           ? ci_parse_double_decimal_comma(text, out)
                           : ci_parse_double(text, out);

    if (result == CI_NUMBER_OK || result == CI_NUMBER_MISSING)
        return CALCI_OK;
    if (result == CI_NUMBER_DECIMAL_COMMA)
        return ci_fail(error, CALCI_ERR_FORMAT,
                       "%s, line %zu, column %zu (%s): \"%s\" has a decimal comma; export the "
                       "table with a decimal point",
                       ci_csv_path(reader), ci_csv_line(reader), c + 1, column, text);
    return ci_fail(error, CALCI_ERR_FORMAT,
                   "%s, line %zu, column %zu (%s): \"%s\" is not a number", ci_csv_path(reader),
                   ci_csv_line(reader), c + 1, column, text);
}

/* Per-row scratch: values of one record and the line of every case read. */
typedef struct row_buffers {
    double *features;
    double *comparators;
    size_t *lines;
    size_t n_lines_cap;
} row_buffers;

static calci_status read_record(ci_csv_reader *reader, const table_layout *t,
                                const char *const *fields, calci_dataset *d, row_buffers *rows,
                                calci_error *error)
{
    const char *path = ci_csv_path(reader);
    size_t line = ci_csv_line(reader);
    const char *case_id = "", *patient_id = "", *group = "";
    int label = -1;
    calci_split split = CALCI_SPLIT_NONE;
    calci_status status;
    long long existing;

    for (size_t c = 0; c < t->n_columns; c++) {
        const char *text = fields[c];

        switch (t->roles[c]) {
        case ROLE_CASE:
            case_id = text;
            break;
        case ROLE_PATIENT:
            patient_id = text;
            break;
        case ROLE_GROUP:
            group = text;
            break;
        case ROLE_LABEL:
            if (!parse_label(text, &label))
                return ci_fail(error, CALCI_ERR_FORMAT,
                               "%s, line %zu, column %zu (label): invalid label \"%s\"; expected "
                               "1/0, true/false, positive/negative or empty for unknown",
                               path, line, c + 1, text);
            break;
        case ROLE_SPLIT:
            if (!parse_split(text, &split))
                return ci_fail(error, CALCI_ERR_FORMAT,
                               "%s, line %zu, column %zu (split): invalid split \"%s\"; "
                               "expected train, test or empty",
                               path, line, c + 1, text);
            break;
        case ROLE_COMPARATOR:
            status = parse_cell_number(reader, t->header[c], c, text,
                                       &rows->comparators[t->targets[c]], error);
            if (status != CALCI_OK)
                return status;
            break;
        case ROLE_FEATURE:
            status = parse_cell_number(reader, t->header[c], c, text,
                                       &rows->features[t->targets[c]], error);
            if (status != CALCI_OK)
                return status;
            break;
        case ROLE_IGNORED:
            break;
        }
    }

    if (case_id[0] == '\0')
        return ci_fail(error, CALCI_ERR_FORMAT, "%s, line %zu: empty case id", path, line);
    if (!reserve_id_slots(d))
        return ci_fail(error, CALCI_ERR_NO_MEMORY, "out of memory reading \"%s\"", path);
    existing = find_case(d, case_id);
    if (existing >= 0)
        return ci_fail(error, CALCI_ERR_DATA, "%s: duplicate case id \"%s\" on lines %zu and %zu",
                       path, case_id, rows->lines[existing], line);

    if (d->n_cases == rows->n_lines_cap) {
        size_t cap = rows->n_lines_cap ? rows->n_lines_cap * 2 : 64;
        size_t *lines = realloc(rows->lines, cap * sizeof *lines);

        if (lines == NULL)
            return ci_fail(error, CALCI_ERR_NO_MEMORY, "out of memory reading \"%s\"", path);
        rows->lines = lines;
        rows->n_lines_cap = cap;
    }
    rows->lines[d->n_cases] = line;
    return append_case(d, case_id, patient_id, label, split, group, rows->features,
                       rows->comparators, error);
}

static calci_status read_table(ci_csv_reader *reader, table_layout *t, calci_dataset **out,
                               calci_error *error)
{
    const char *const *fields;
    size_t n_fields;
    int has_record;
    calci_dataset *d = NULL;
    row_buffers rows = {0};
    calci_status status;

    status = ci_csv_read(reader, &has_record, &n_fields, &fields, error);
    if (status != CALCI_OK)
        return status;
    if (!has_record)
        return ci_fail(error, CALCI_ERR_FORMAT, "%s: empty file, expected a header row",
                       ci_csv_path(reader));
    if ((status = classify_columns(ci_csv_path(reader), n_fields, fields, t, error)) != CALCI_OK)
        return status;
    status = calci_dataset_create(t->n_features, t->feature_names, t->n_comparators,
                                  t->comparator_names, &d, error);
    if (status != CALCI_OK)
        return status;

    rows.features = malloc((t->n_features + 1) * sizeof(double));
    rows.comparators = malloc((t->n_comparators + 1) * sizeof(double));
    if (rows.features == NULL || rows.comparators == NULL)
        status = ci_fail(error, CALCI_ERR_NO_MEMORY, "out of memory reading \"%s\"",
                         ci_csv_path(reader));
    while (status == CALCI_OK) {
        status = ci_csv_read(reader, &has_record, &n_fields, &fields, error);
        if (status != CALCI_OK || !has_record)
            break;
        status = read_record(reader, t, fields, d, &rows, error);
    }

    free(rows.features);
    free(rows.comparators);
    free(rows.lines);
    if (status != CALCI_OK) {
        calci_dataset_free(d);
        return status;
    }
    *out = d;
    return CALCI_OK;
}

calci_status calci_dataset_read_csv(const char *path, calci_dataset **out, calci_error *error)
{
    ci_csv_reader *reader = NULL;
    table_layout layout = {0};
    calci_status status;

    if (path == NULL || out == NULL)
        return ci_fail(error, CALCI_ERR_ARGUMENT, "calci_dataset_read_csv: path or out is NULL");
    status = ci_csv_open(path, CI_CSV_MAX_FIELD, CI_CSV_MAX_RECORD, &reader, error);
    if (status != CALCI_OK)
        return status;
    status = read_table(reader, &layout, out, error);
    free_layout(&layout);
    ci_csv_close(reader);
    return status;
}

/* ------------------------------------------------------------------ */
/* Writing CSV                                                          */

static int write_number(FILE *fp, double value)
{
    char text[CI_NUMBER_BUFSIZE];

    ci_format_double(value, text);
    return fputs(text, fp) < 0 ? -1 : 0;
}

static int write_header(FILE *fp, const calci_dataset *d)
{
    int failed = fputs("case_id,patient_id,label,split,group", fp) < 0;

    for (size_t j = 0; j < d->n_comparators; j++) {
        char *name = malloc(strlen(d->comparator_names[j]) + 5);

        if (name == NULL)
            return -1;
        strcpy(name, "cmp_");
        strcat(name, d->comparator_names[j]);
        failed |= putc(',', fp) == EOF || ci_csv_write_field(fp, name, ',') != 0;
        free(name);
    }
    for (size_t j = 0; j < d->n_features; j++)
        failed |= putc(',', fp) == EOF || ci_csv_write_field(fp, d->feature_names[j], ',') != 0;
    failed |= putc('\n', fp) == EOF;
    return failed ? -1 : 0;
}

static int write_case(FILE *fp, const calci_dataset *d, size_t i)
{
    static const char *const label_text[] = {"", "0", "1"};
    static const char *const split_text[] = {"", "train", "test"};
    int failed = 0;

    failed |= ci_csv_write_field(fp, d->case_ids[i], ',') != 0;
    failed |= putc(',', fp) == EOF || ci_csv_write_field(fp, d->patient_ids[i], ',') != 0;
    failed |= fprintf(fp, ",%s,%s,", label_text[d->labels[i] + 1], split_text[d->splits[i]]) < 0;
    failed |= ci_csv_write_field(fp, d->groups[i], ',') != 0;
    for (size_t j = 0; j < d->n_comparators; j++) {
        double value = d->comparators[i * d->n_comparators + j];

        failed |= putc(',', fp) == EOF;
        if (!isnan(value))
            failed |= write_number(fp, value) != 0;
    }
    for (size_t j = 0; j < d->n_features; j++)
        failed |= putc(',', fp) == EOF || write_number(fp, ci_value(d, i, j)) != 0;
    failed |= putc('\n', fp) == EOF;
    return failed ? -1 : 0;
}

calci_status calci_dataset_write_csv(const calci_dataset *dataset, const char *path,
                                     calci_error *error)
{
    ci_atomic_file file;
    calci_status status;
    int failed;

    if (dataset == NULL || path == NULL)
        return ci_fail(error, CALCI_ERR_ARGUMENT, "calci_dataset_write_csv: dataset or path is NULL");
    status = ci_atomic_begin(path, &file, error);
    if (status != CALCI_OK)
        return status;

    failed = write_header(file.fp, dataset) != 0;
    for (size_t i = 0; !failed && i < dataset->n_cases; i++)
        failed = write_case(file.fp, dataset, i) != 0;
    if (failed) {
        status = ci_fail(error, CALCI_ERR_IO, "failed to write \"%s\"", path);
        ci_atomic_abort(&file);
        return status;
    }
    return ci_atomic_commit(&file, error);
}
