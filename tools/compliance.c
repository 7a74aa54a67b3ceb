/*
 * compliance.c - writes docs/compliance.md (`make compliance`).
 *
 * For every feature of libradiomics' tables, the document shows its agreement
 * with the IBSI 1 reference values and with pyradiomics' baselines. Each run
 * measures them through the public API (rad_params_read or rad_params_set,
 * then rad_extract).
 *
 * Usage: compliance [--no-ct-morph] [REFDATA] > docs/compliance.md
 * The reference-data folder is the argument, else $REFDATA, else
 * ../shared/data. --no-ct-morph leaves the morph class out of the CT phantom
 * runs, which then take about half the time. The program exits with status 1
 * when a file it needs is missing or unreadable. A failed extraction is
 * reported in the document instead.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "baseline.h"
#include "internal.h"
#include "radiomics.h"

#define N_CONFIGS 5
#define N_CASES 3
#define CELL_SIZE 2048

/* Order of the classes in the document, as in docs/features.md. */
static const ri_feature_class class_order[] = {
    RI_CLASS_FIRSTORDER, RI_CLASS_SHAPE, RI_CLASS_GLCM, RI_CLASS_GLRLM,
    RI_CLASS_GLSZM, RI_CLASS_GLDM, RI_CLASS_NGTDM, RI_CLASS_MORPHOLOGY,
    RI_CLASS_INTENSITY_HISTOGRAM, RI_CLASS_STATISTICS_EXTRA, RI_CLASS_IVH,
    RI_CLASS_LOCAL_INTENSITY, RI_CLASS_GLDZM,
};

static const char *const class_titles[RI_CLASS_COUNT] = {
    [RI_CLASS_FIRSTORDER] = "First order (firstorder)",
    [RI_CLASS_SHAPE] = "Shape (shape)",
    [RI_CLASS_GLCM] = "GLCM (glcm)",
    [RI_CLASS_GLRLM] = "GLRLM (glrlm)",
    [RI_CLASS_GLSZM] = "GLSZM (glszm)",
    [RI_CLASS_GLDM] = "GLDM, IBSI's NGLDM (gldm)",
    [RI_CLASS_NGTDM] = "NGTDM (ngtdm)",
    [RI_CLASS_MORPHOLOGY] = "IBSI morphology (morph)",
    [RI_CLASS_INTENSITY_HISTOGRAM] = "IBSI intensity histogram (ih)",
    [RI_CLASS_STATISTICS_EXTRA] = "IBSI statistics pyradiomics lacks (stat)",
    [RI_CLASS_IVH] = "IBSI intensity-volume histogram (ivh)",
    [RI_CLASS_LOCAL_INTENSITY] = "IBSI local intensity (loc)",
    [RI_CLASS_GLDZM] = "IBSI GLDZM (gldzm)",
};

/* IBSI 1 aggregation suffixes that can follow a texture tag, in display order. */
static const char *const aggregations[] = {
    "3D_avg", "3D_comb", "2D_avg", "2D_comb", "2_5D_avg", "2_5D_comb", "3D", "2D", "2_5D",
};
#define N_AGGREGATIONS (sizeof aggregations / sizeof aggregations[0])

static const char config_letters[N_CONFIGS] = {'a', 'b', 'c', 'd', 'e'};
static const char *const cases[N_CASES] = {"brain1", "brain2", "breast1"};

/* pyradiomics' baselines accept |got - baseline| <= 1e-5 |baseline| (see
 * test_pyradiomics_baselines.c); a larger difference names its case. */
#define PYRADIOMICS_TOLERANCE 1e-5
/* Below this |baseline| the difference is absolute, as in that test. */
#define PYRADIOMICS_ABSOLUTE_BELOW 1e-9

static const char *refdata;

/* ------------------------------------------------------------------ */
/* Small helpers                                                        */

/* Prints the reason to stderr and exits with status 1. */
static void die(const char *format, ...)
{
    va_list args;

    fputs("compliance: ", stderr);
    va_start(args, format);
    vfprintf(stderr, format, args);
    va_end(args);
    fputc('\n', stderr);
    exit(EXIT_FAILURE);
}

static void *checked_calloc(size_t count, size_t size)
{
    void *p = calloc(count, size);

    if (p == NULL)
        die("out of memory");
    return p;
}

/* Exits unless the parameter file exists, which it does in the top folder. */
static void check_params_file(const char *path)
{
    struct stat st;

    if (stat(path, &st) != 0)
        die("parameter file %s not found. Run the program from the top folder of the "
            "repository, as make compliance does", path);
}

/* Writes refdata/relative into buf, and exits when that file does not exist. */
static void data_path(char *buf, size_t size, const char *relative)
{
    struct stat st;

    if ((size_t)snprintf(buf, size, "%s/%s", refdata, relative) >= size)
        die("path too long: %s/%s", refdata, relative);
    if (stat(buf, &st) != 0)
        die("reference file %s not found; set REFDATA to the reference-data folder "
            "(make compliance REFDATA=/path/to/data)", buf);
}

/* Appends formatted text to the cell buffer (truncated at CELL_SIZE). */
static void cell_append(char *cell, const char *format, ...)
{
    size_t used = strlen(cell);
    va_list args;

    if (used + 1 >= CELL_SIZE)
        return;
    va_start(args, format);
    vsnprintf(cell + used, CELL_SIZE - used, format, args);
    va_end(args);
}

/*
 * Returns the tolerance of the IBSI checks in test_aggregation.c, test_glrlm.c
 * and the other suites. It is the published tolerance, widened to half a unit
 * of the third significant digit, because IBSI's tables round to 3
 * significant digits and give the digital phantom a tolerance of 0.
 */
static double ibsi_allowed(double reference, double published)
{
    double rounding = reference == 0.0
                          ? 5e-4
                          : 0.5 * pow(10.0, floor(log10(fabs(reference))) - 2.0);

    return fmax(published, rounding);
}

/* ------------------------------------------------------------------ */
/* IBSI reference tables                                                */

/* One row of an IBSI "reference value;tolerance;tag" file. */
typedef struct ibsi_row {
    char tag[96];
    int has_value; /* 0: the row has no value (no consensus) */
    double value;
    double tolerance;
} ibsi_row;

typedef struct ibsi_table {
    ibsi_row *rows;
    size_t count;
} ibsi_table;

/*
 * Reads every row into memory. This table must tell a row without a value
 * ("no consensus") from a missing row, which test/common's ibsi_lookup does
 * not do, and that function also reopens the file per tag.
 */
static void ibsi_table_read(const char *path, ibsi_table *table)
{
    char line[512];
    size_t capacity = 0;
    FILE *file = fopen(path, "r");

    memset(table, 0, sizeof *table);
    if (file == NULL)
        die("cannot open %s", path);
    while (fgets(line, sizeof line, file) != NULL) {
        char *first = strchr(line, ';');
        char *second = first ? strchr(first + 1, ';') : NULL;
        char *end;
        ibsi_row *row;

        if (second == NULL || strncmp(line, "reference value", 15) == 0)
            continue;
        second[1 + strcspn(second + 1, "\r\n")] = '\0';
        if (table->count == capacity) {
            capacity = capacity ? 2 * capacity : 512;
            row = realloc(table->rows, capacity * sizeof *table->rows);
            if (row == NULL)
                die("out of memory");
            table->rows = row;
        }
        row = &table->rows[table->count++];
        snprintf(row->tag, sizeof row->tag, "%s", second + 1);
        row->value = strtod(line, &end);
        row->has_value = end != line;
        row->tolerance = strtod(first + 1, NULL);
    }
    fclose(file);
    if (table->count == 0)
        die("%s has no reference rows", path);
}

/*
 * Returns the aggregation part of tag when tag is base or base_<aggregation>.
 * That is "" for the bare tag and the aggregation name otherwise. Returns
 * NULL when tag belongs to another feature.
 */
static const char *aggregation_of(const char *tag, const char *base)
{
    size_t length = strlen(base);

    if (strncmp(tag, base, length) != 0)
        return NULL;
    if (tag[length] == '\0')
        return "";
    if (tag[length] != '_')
        return NULL;
    for (size_t a = 0; a < N_AGGREGATIONS; a++)
        if (strcmp(tag + length + 1, aggregations[a]) == 0)
            return aggregations[a];
    return NULL;
}

/* ------------------------------------------------------------------ */
/* Extractions                                                          */

/* Features of one rad_extract run, or the reason it failed. */
typedef struct run {
    rad_features *features;
    int morph_skipped; /* 1 when the morph class was switched off for this run */
    char error[512];
} run;

/* Returns the index of the output of table feature i of class c with IBSI tag `tag`, or -1. */
static size_t find_output(const rad_features *features, ri_feature_class c, size_t i,
                          const char *tag)
{
    char prefix[160];
    size_t length;

    snprintf(prefix, sizeof prefix, "original_%s_%s", ri_class_output_name(c),
             ri_feature_output_name(c, i));
    length = strlen(prefix);
    for (size_t k = 0; k < rad_features_count(features); k++) {
        const char *name = rad_features_name(features, k);

        if (strncmp(name, prefix, length) != 0)
            continue;
        /* the output name is the prefix, or the prefix and an aggregation suffix */
        if (name[length] != '\0' && (name[length] != '_' ||
                                     aggregation_of(name + length, "") == NULL))
            continue;
        if (strcmp(rad_features_ibsi_tag(features, k), tag) == 0)
            return k;
    }
    return (size_t)-1;
}

/*
 * Runs rad_extract with a parameter file on an image and mask. Every shape
 * feature is switched on as well, so that its rows, which carry IBSI
 * morphology tags, are measured too. skip_morph switches the morph class off.
 */
static void run_ibsi(const char *params_file, const char *image_path, const char *mask_path,
                     int skip_morph, run *out)
{
    const ri_feature_table *shape = ri_feature_table_of(RI_CLASS_SHAPE);
    const char **shape_names = checked_calloc(shape->count + 1, sizeof *shape_names);
    rad_error *error = rad_error_create();
    rad_params *params = NULL;
    rad_volume *image = NULL, *mask = NULL;

    for (size_t i = 0; i < shape->count; i++)
        shape_names[i] = shape->defs[i].name;

    memset(out, 0, sizeof *out);
    out->morph_skipped = skip_morph;
    if (error == NULL)
        die("out of memory");
    if (rad_params_read(params_file, &params, error) != RAD_OK ||
        rad_params_enable_features(params, "shape", shape_names, 1, error) != RAD_OK ||
        (skip_morph && rad_params_enable_features(params, "morph", NULL, 0, error) != RAD_OK) ||
        rad_volume_read(image_path, &image, error) != RAD_OK ||
        rad_volume_read(mask_path, &mask, error) != RAD_OK ||
        rad_extract(params, image, mask, &out->features, error) != RAD_OK) {
        snprintf(out->error, sizeof out->error, "%s: %s", params_file,
                 rad_error_message(error));
        fprintf(stderr, "compliance: %s\n", out->error);
    }
    rad_volume_free(image);
    rad_volume_free(mask);
    rad_params_free(params);
    rad_error_free(error);
    free(shape_names);
}

/* ------------------------------------------------------------------ */
/* IBSI cells                                                           */

/* Comparison of one feature with the rows of one IBSI table. */
typedef struct ibsi_result {
    int rows;         /* reference rows of the feature, with or without a value */
    int with_value;   /* rows with a consensus value */
    int passed;
    int failed;
    int not_produced; /* rows with a value and no output of that tag */
    char failures[CELL_SIZE];
} ibsi_result;

static void compare_ibsi(const ibsi_table *table, const run *r, ri_feature_class c, size_t i,
                         ibsi_result *result)
{
    const char *base = ri_feature_table_of(c)->defs[i].ibsi_tag;

    memset(result, 0, sizeof *result);
    for (size_t k = 0; k < table->count; k++) {
        const ibsi_row *row = &table->rows[k];
        const char *aggregation = aggregation_of(row->tag, base);
        size_t index;
        double got, allowed;

        if (aggregation == NULL)
            continue;
        result->rows++;
        if (!row->has_value)
            continue;
        result->with_value++;
        index = r->features ? find_output(r->features, c, i, row->tag) : (size_t)-1;
        if (index == (size_t)-1) {
            result->not_produced++;
            continue;
        }
        got = rad_features_value(r->features, index);
        allowed = ibsi_allowed(row->value, row->tolerance);
        if (fabs(got - row->value) <= allowed) {
            result->passed++;
            continue;
        }
        result->failed++;
        cell_append(result->failures, "%s%s%s%.4g, IBSI %.4g ± %.2g",
                    result->failures[0] ? "; " : "", aggregation, aggregation[0] ? " " : "",
                    got, row->value, allowed);
    }
}

/* Cell of the digital phantom column: every aggregation with its verdict. */
static void phantom_cell(const ibsi_table *table, const run *r, ri_feature_class c, size_t i,
                         char *cell)
{
    ibsi_result result;

    cell[0] = '\0';
    if (ri_feature_table_of(c)->defs[i].ibsi_tag[0] == '\0') {
        cell_append(cell, "not in IBSI");
        return;
    }
    compare_ibsi(table, r, c, i, &result);
    if (result.rows == 0) {
        cell_append(cell, "no reference row");
        return;
    }
    if (result.with_value == 0) {
        cell_append(cell, "no consensus");
        return;
    }
    if (r->features == NULL) {
        cell_append(cell, "extraction failed");
        return;
    }
    if (result.not_produced == result.with_value) {
        cell_append(cell, "not produced");
        return;
    }
    if (result.failed == 0 && result.not_produced == 0) {
        if (result.with_value == 1)
            cell_append(cell, "pass");
        else
            cell_append(cell, "pass (%d/%d aggregations)", result.passed, result.with_value);
        return;
    }
    if (result.failed > 0 && ri_feature_known_difference(c, i) != NULL)
        cell_append(cell, "differs by design (see the known difference in features.md): %s",
                    result.failures);
    else if (result.failed > 0 && result.with_value == 1)
        cell_append(cell, "fail: %s", result.failures);
    else if (result.failed > 0)
        cell_append(cell, "fail, pass %d/%d: %s", result.passed, result.with_value,
                    result.failures);
    else
        cell_append(cell, "pass %d/%d", result.passed, result.with_value);
    if (result.not_produced > 0)
        cell_append(cell, "; %d not produced", result.not_produced);
}

/* Cell of the CT phantom column: one short verdict per configuration. */
static void configs_cell(const ibsi_table tables[N_CONFIGS], const run runs[N_CONFIGS],
                         ri_feature_class c, size_t i, char *cell)
{
    cell[0] = '\0';
    if (ri_feature_table_of(c)->defs[i].ibsi_tag[0] == '\0') {
        cell_append(cell, "not in IBSI");
        return;
    }
    for (int k = 0; k < N_CONFIGS; k++) {
        ibsi_result result;

        compare_ibsi(&tables[k], &runs[k], c, i, &result);
        cell_append(cell, "%s%c: ", k ? "<br>" : "", config_letters[k] - 'a' + 'A');
        if (result.rows == 0)
            cell_append(cell, "no reference row");
        else if (result.with_value == 0)
            cell_append(cell, "no consensus");
        else if (runs[k].features == NULL)
            cell_append(cell, "extraction failed");
        else if (c == RI_CLASS_MORPHOLOGY && runs[k].morph_skipped)
            cell_append(cell, "not measured");
        else if (result.not_produced == result.with_value)
            cell_append(cell, "not produced");
        else if (result.with_value == 1)
            cell_append(cell, result.failed ? "fail" : "pass");
        else if (result.failed > 0 || result.not_produced > 0)
            cell_append(cell, "%s %d/%d", result.failed ? "fail, pass" : "pass", result.passed,
                        result.with_value);
        else
            cell_append(cell, "pass");
        if (result.not_produced > 0 && result.not_produced < result.with_value)
            cell_append(cell, " (%d not produced)", result.not_produced);
    }
}

/* ------------------------------------------------------------------ */
/* pyradiomics baselines                                                */

/*
 * Copies the text of the CSV field at p into out. A field may be in double
 * quotes, with "" for a quote inside. Returns the position after the
 * field's comma, or NULL at the end of the line.
 */
static const char *csv_field(const char *p, char *out, size_t size)
{
    size_t n = 0;
    int quoted = *p == '"';

    if (quoted)
        p++;
    while (*p != '\0') {
        if (quoted && *p == '"' && p[1] == '"') {
            p++;
        } else if (quoted && *p == '"') {
            quoted = 0;
            p++;
            continue;
        } else if (!quoted && (*p == ',' || *p == '\n' || *p == '\r')) {
            break;
        }
        if (n + 1 < size)
            out[n++] = *p;
        p++;
    }
    out[n] = '\0';
    return *p == ',' ? p + 1 : NULL;
}

/*
 * Reads the text of cell (row, column) of a pyradiomics baseline file.
 * test_baseline_value in test/common reads numeric cells only, but the
 * settings row is text. Returns 1 when the cell is found.
 */
static int csv_text(const char *path, const char *row, const char *column, char *out,
                    size_t size)
{
    static char line[65536];
    char field[8192];
    int column_index = -1, found = 0;
    FILE *file = fopen(path, "r");

    if (file == NULL)
        return 0;
    if (fgets(line, sizeof line, file) != NULL) {
        const char *p = line;

        for (int k = 0; p != NULL; k++) {
            p = csv_field(p, field, sizeof field);
            if (strcmp(field, column) == 0)
                column_index = k;
        }
    }
    while (column_index >= 0 && !found && fgets(line, sizeof line, file) != NULL) {
        const char *p;

        if (strchr(line, '\n') == NULL && !feof(file))
            die("%s has a line longer than %zu bytes", path, sizeof line - 1);
        p = csv_field(line, field, sizeof field);
        if (strcmp(field, row) != 0)
            continue;
        for (int k = 1; p != NULL && k <= column_index; k++) {
            p = csv_field(p, out, size);
            found = k == column_index;
        }
    }
    fclose(file);
    return found;
}

static const char *skip_spaces(const char *p)
{
    while (*p == ' ')
        p++;
    return p;
}

/*
 * Reads one value of a Python dict literal at p into out as rad_params_set
 * text. A quoted string loses its quotes, a list of numbers becomes "a,b,c",
 * and a number, a word (True, None) or a nested dict is copied as written.
 * Returns the position after the value, or NULL on a syntax error.
 */
static const char *dict_value(const char *p, char *out, size_t size)
{
    const char *end;
    size_t n;

    p = skip_spaces(p);
    if (*p == '\'' || *p == '"') {
        end = strchr(p + 1, *p);
        if (end == NULL)
            return NULL;
        snprintf(out, size, "%.*s", (int)(end - p - 1), p + 1);
        return end + 1;
    }
    if (*p == '[' || *p == '{') {
        end = strchr(p, *p == '[' ? ']' : '}');
        if (end == NULL)
            return NULL;
        if (*p == '{') {
            snprintf(out, size, "%.*s", (int)(end - p + 1), p);
        } else {
            /* "[1, 2]" becomes "1,2" */
            n = 0;
            for (const char *q = p + 1; q < end && n + 1 < size; q++)
                if (*q != ' ')
                    out[n++] = *q;
            out[n] = '\0';
        }
        return end + 1;
    }
    n = strcspn(p, ",}");
    while (n > 0 && p[n - 1] == ' ')
        n--;
    if (n == 0)
        return NULL;
    snprintf(out, size, "%.*s", (int)n, p);
    return p + n;
}

/*
 * Calls apply(key, value) for each key of a dict literal such as
 * "{'binWidth': 25, 'distances': [1]}". Returns 0 when the text parses and
 * every call returns 0. Otherwise returns the first failure (-1 for a syntax
 * error).
 */
static int dict_each(const char *text, int (*apply)(const char *, const char *, void *),
                     void *user)
{
    const char *p = skip_spaces(text);
    char key[128], value[512];

    if (*p++ != '{')
        return -1;
    for (;;) {
        int status;

        p = skip_spaces(p);
        if (*p == '}')
            return 0;
        p = dict_value(p, key, sizeof key);
        if (p == NULL)
            return -1;
        p = skip_spaces(p);
        if (*p++ != ':')
            return -1;
        p = dict_value(p, value, sizeof value);
        if (p == NULL)
            return -1;
        status = apply(key, value, user);
        if (status != 0)
            return status;
        p = skip_spaces(p);
        if (*p == ',')
            p++;
        else if (*p != '}')
            return -1;
    }
}

typedef struct apply_context {
    rad_params *params;
    rad_error *error;
    char failure[512];
} apply_context;

static int apply_setting(const char *key, const char *value, void *user)
{
    apply_context *context = user;

    if (rad_params_set(context->params, key, value, context->error) == RAD_OK)
        return 0;
    snprintf(context->failure, sizeof context->failure, "setting %s = %s rejected: %s", key,
             value, rad_error_message(context->error));
    return 1;
}

static int apply_image_type(const char *key, const char *value, void *user)
{
    apply_context *context = user;

    (void)value;
    if (rad_params_enable_image_type(context->params, key, 1, context->error) == RAD_OK)
        return 0;
    snprintf(context->failure, sizeof context->failure, "image type %s rejected: %s", key,
             rad_error_message(context->error));
    return 1;
}

/* Largest difference of each feature of one class over the cases. */
typedef struct pyradiomics_result {
    int has_row[256];      /* 1 when at least one case has a numeric baseline cell */
    int compared[256];     /* cases compared */
    int missing[256];      /* cases with a baseline value and no output */
    double max_diff[256];  /* relative, absolute below PYRADIOMICS_ABSOLUTE_BELOW */
    int worst_case[256];   /* index into cases[] of max_diff */
    char error[1536];      /* first failed case, "" when all ran */
} pyradiomics_result;

/*
 * Builds the parameters of the original-image column of one case: the
 * "pyradiomics" preset, the column's settings and image types, and only
 * class c with the features that have a baseline value.
 */
static rad_params *baseline_params(const char *csv, const char *case_name, ri_feature_class c,
                                   const int *enabled, rad_error *error, char *failure,
                                   size_t failure_size)
{
    static const char *const classes[] = {"firstorder", "shape", "glcm", "glrlm",
                                          "glszm", "gldm", "ngtdm"};
    const ri_feature_table *table = ri_feature_table_of(c);
    const char **names = checked_calloc(table->count + 1, sizeof *names);
    char settings[8192], types[1024];
    apply_context context = {NULL, error, ""};
    size_t n = 0;

    if (!csv_text(csv, "diagnostics_Configuration_Settings", case_name, settings,
                  sizeof settings) ||
        !csv_text(csv, "diagnostics_Configuration_EnabledImageTypes", case_name, types,
                  sizeof types)) {
        snprintf(failure, failure_size, "%s: no settings rows for %s", csv, case_name);
        free(names);
        return NULL;
    }
    if (rad_params_create("pyradiomics", &context.params, error) != RAD_OK)
        die("rad_params_create: %s", rad_error_message(error));
    if (rad_params_enable_image_type(context.params, "Original", 0, error) != RAD_OK)
        die("rad_params_enable_image_type: %s", rad_error_message(error));
    for (size_t k = 0; k < sizeof classes / sizeof classes[0]; k++)
        if (rad_params_enable_features(context.params, classes[k], NULL, 0, error) != RAD_OK)
            die("rad_params_enable_features: %s", rad_error_message(error));
    for (size_t i = 0; i < table->count; i++)
        if (enabled[i])
            names[n++] = table->defs[i].name;
    if (dict_each(settings, apply_setting, &context) != 0 ||
        dict_each(types, apply_image_type, &context) != 0 ||
        rad_params_enable_features(context.params, table->class_name, names, 1, error) !=
            RAD_OK) {
        snprintf(failure, failure_size, "%s %s: %s", table->class_name, case_name,
                 context.failure[0] ? context.failure : rad_error_message(error));
        rad_params_free(context.params);
        context.params = NULL;
    }
    free(names);
    return context.params;
}

/* Runs the original-image column of every case of baseline_<class>.csv. */
static void run_pyradiomics(ri_feature_class c, pyradiomics_result *result)
{
    const ri_feature_table *table = ri_feature_table_of(c);
    char csv[1024], relative[128], path[1024];
    rad_error *error = rad_error_create();

    memset(result, 0, sizeof *result);
    if (error == NULL)
        die("out of memory");
    if (table->count > sizeof result->has_row / sizeof result->has_row[0])
        die("class %s has %zu features, more than this program holds", table->class_name,
            table->count);
    snprintf(relative, sizeof relative, "pyradiomics/data/baseline/baseline_%s.csv",
             table->class_name);
    data_path(csv, sizeof csv, relative);

    for (int k = 0; k < N_CASES; k++) {
        int enabled[256] = {0};
        rad_params *params;
        rad_volume *image = NULL, *mask = NULL;
        rad_features *features = NULL;
        char failure[1536] = "";

        for (size_t i = 0; i < table->count; i++) {
            char row[160];
            double want;

            snprintf(row, sizeof row, "original_%s_%s", table->class_name, table->defs[i].name);
            enabled[i] = test_baseline_value(csv, row, cases[k], &want);
            result->has_row[i] |= enabled[i];
        }
        params = baseline_params(csv, cases[k], c, enabled, error, failure, sizeof failure);
        if (params != NULL) {
            snprintf(relative, sizeof relative, "pyradiomics/data/%s_image.nrrd", cases[k]);
            data_path(path, sizeof path, relative);
            if (rad_volume_read(path, &image, error) != RAD_OK)
                die("%s", rad_error_message(error));
            snprintf(relative, sizeof relative, "pyradiomics/data/%s_label.nrrd", cases[k]);
            data_path(path, sizeof path, relative);
            if (rad_volume_read(path, &mask, error) != RAD_OK)
                die("%s", rad_error_message(error));
            if (rad_extract(params, image, mask, &features, error) != RAD_OK)
                snprintf(failure, sizeof failure, "%s %s: rad_extract failed: %s",
                         table->class_name, cases[k], rad_error_message(error));
        }
        if (failure[0] != '\0') {
            fprintf(stderr, "compliance: %s\n", failure);
            if (result->error[0] == '\0')
                snprintf(result->error, sizeof result->error, "%s", failure);
        }

        for (size_t i = 0; features != NULL && i < table->count; i++) {
            char row[160];
            double want, got, diff;
            size_t index;

            if (!enabled[i])
                continue;
            snprintf(row, sizeof row, "original_%s_%s", table->class_name, table->defs[i].name);
            test_baseline_value(csv, row, cases[k], &want);
            index = rad_features_find(features, row);
            if (index == (size_t)-1) {
                result->missing[i]++;
                continue;
            }
            got = rad_features_value(features, index);
            if (isnan(got) && isnan(want))
                diff = 0.0;
            else if (isnan(got) || isnan(want))
                diff = INFINITY;
            else if (fabs(want) > PYRADIOMICS_ABSOLUTE_BELOW)
                diff = fabs(got - want) / fabs(want);
            else
                diff = fabs(got - want);
            if (result->compared[i] == 0 || diff > result->max_diff[i]) {
                result->max_diff[i] = diff;
                result->worst_case[i] = k;
            }
            result->compared[i]++;
        }
        rad_features_free(features);
        rad_volume_free(image);
        rad_volume_free(mask);
        rad_params_free(params);
    }
    rad_error_free(error);
}

/* Writes x with one significant digit in the short form "3e-12" ("0", "inf"). */
static const char *short_exponent(double x, char text[32])
{
    char *e;

    if (x == 0.0 || !isfinite(x))
        return x == 0.0 ? "0" : "inf";
    snprintf(text, 32, "%.0e", x);
    e = strchr(text, 'e');
    if (e != NULL)
        snprintf(e, 32 - (size_t)(e - text), "e%d", atoi(e + 1));
    return text;
}

static void pyradiomics_cell(ri_feature_class c, size_t i, const pyradiomics_result *result,
                             char *cell)
{
    char text[32];

    cell[0] = '\0';
    if (ri_class_is_ibsi_only(c)) {
        cell_append(cell, "not in pyradiomics");
        return;
    }
    if (!result->has_row[i]) {
        const ri_feature_def *def = &ri_feature_table_of(c)->defs[i];

        cell_append(cell, "no baseline row");
        if (def->deprecated)
            cell_append(cell, " (deprecated)");
        else if (!def->default_on)
            cell_append(cell, " (not in pyradiomics)");
        return;
    }
    if (result->compared[i] == 0) {
        cell_append(cell, result->missing[i] ? "not produced" : "extraction failed");
        return;
    }
    cell_append(cell, "%s", short_exponent(result->max_diff[i], text));
    if (!(result->max_diff[i] <= PYRADIOMICS_TOLERANCE))
        cell_append(cell, " (%s)", cases[result->worst_case[i]]);
    if (result->missing[i] > 0)
        cell_append(cell, "; %d case(s) not produced", result->missing[i]);
    if (result->compared[i] + result->missing[i] < N_CASES)
        cell_append(cell, "; %d of %d cases compared", result->compared[i], N_CASES);
}

/* ------------------------------------------------------------------ */
/* Document                                                             */

/* Writes text with '|' escaped, for a Markdown table cell. */
static void put_cell(const char *text)
{
    for (const char *p = text; *p; p++) {
        if (*p == '|')
            putchar('\\');
        putchar(*p);
    }
}

typedef struct measurements {
    ibsi_table phantom_table;
    run phantom;
    ibsi_table config_tables[N_CONFIGS];
    run configs[N_CONFIGS];
    pyradiomics_result pyradiomics[RI_CLASS_COUNT];
    int ct_morph; /* 1 when the CT phantom runs include the morph class */
} measurements;

/* Overall outcome of one feature against one IBSI table, for the summary. */
typedef enum verdict {
    VERDICT_PASS,          /* every reference value with an output passes, none missing */
    VERDICT_FAIL,          /* at least one aggregation fails */
    VERDICT_BY_DESIGN,     /* fails, and the feature has a known difference */
    VERDICT_NOT_PRODUCED,  /* no failure, but a reference value has no output */
    VERDICT_NOT_MEASURED,  /* the class was switched off for the run */
    VERDICT_RUN_FAILED,    /* rad_extract failed for the run */
    VERDICT_NO_REFERENCE,  /* no IBSI tag, or no consensus value */
    VERDICT_COUNT
} verdict;

static const char *const verdict_names[VERDICT_COUNT] = {
    "pass", "fail", "differs by design", "not produced", "not measured", "extraction failed", "no reference value",
};

static verdict ibsi_verdict(const ibsi_table *table, const run *r, ri_feature_class c,
                            size_t i)
{
    ibsi_result result;

    if (ri_feature_table_of(c)->defs[i].ibsi_tag[0] == '\0')
        return VERDICT_NO_REFERENCE;
    compare_ibsi(table, r, c, i, &result);
    if (result.with_value == 0)
        return VERDICT_NO_REFERENCE;
    if (r->features == NULL)
        return VERDICT_RUN_FAILED;
    if (c == RI_CLASS_MORPHOLOGY && r->morph_skipped)
        return VERDICT_NOT_MEASURED;
    if (result.failed > 0)
        return ri_feature_known_difference(c, i) != NULL ? VERDICT_BY_DESIGN : VERDICT_FAIL;
    if (result.not_produced > 0)
        return VERDICT_NOT_PRODUCED;
    return VERDICT_PASS;
}

/* Writes one summary row: the number of features of each verdict for one run. */
static void write_summary_row(const char *label, const ibsi_table *table, const run *r)
{
    int counts[VERDICT_COUNT] = {0};

    for (size_t k = 0; k < sizeof class_order / sizeof class_order[0]; k++) {
        ri_feature_class c = class_order[k];

        for (size_t i = 0; i < ri_feature_table_of(c)->count; i++)
            counts[ibsi_verdict(table, r, c, i)]++;
    }
    printf("| %s |", label);
    for (int v = 0; v < VERDICT_COUNT; v++)
        printf(" %d |", counts[v]);
    printf("\n");
}

static void write_summary(const measurements *m)
{
    int total = 0, within = 0, above = 0, no_row = 0, ibsi_only = 0;
    char tolerance[32], label[64];

    printf("## Summary\n\n");
    printf("Features of the tables per outcome. A feature passes when every aggregation "
           "method with a reference value is output and passes; it fails when one fails, "
           "and differs by design when it fails and has a known difference (features.md).\n\n");
    printf("| run |");
    for (int v = 0; v < VERDICT_COUNT; v++)
        printf(" %s |", verdict_names[v]);
    printf("\n|---|");
    for (int v = 0; v < VERDICT_COUNT; v++)
        printf("---|");
    printf("\n");
    write_summary_row("IBSI digital phantom", &m->phantom_table, &m->phantom);
    for (int k = 0; k < N_CONFIGS; k++) {
        snprintf(label, sizeof label, "IBSI CT phantom, configuration %c",
                 config_letters[k] - 'a' + 'A');
        write_summary_row(label, &m->config_tables[k], &m->configs[k]);
    }

    for (size_t k = 0; k < sizeof class_order / sizeof class_order[0]; k++) {
        ri_feature_class c = class_order[k];
        const pyradiomics_result *result = &m->pyradiomics[c];

        for (size_t i = 0; i < ri_feature_table_of(c)->count; i++) {
            total++;
            if (ri_class_is_ibsi_only(c))
                ibsi_only++;
            else if (!result->has_row[i])
                no_row++;
            else if (result->compared[i] == N_CASES &&
                     result->max_diff[i] <= PYRADIOMICS_TOLERANCE)
                within++;
            else
                above++;
        }
    }
    printf("\npyradiomics baselines, %d features: %d within %s of all three cases, %d above "
           "it or not compared in every case, %d without a baseline value, %d not in "
           "pyradiomics.\n\n", total, within, short_exponent(PYRADIOMICS_TOLERANCE, tolerance),
           above, no_row, ibsi_only);
}

static void write_header(const measurements *m)
{
    char below[32], tolerance[32];

    printf("# Compliance table\n\n");
    printf("Generated by tools/compliance.c (`make compliance`, or `make compliance "
           "REFDATA=/path/to/data`); do not edit by hand. libradiomics %s. Every cell was "
           "measured in the run that wrote this file, through the public API: "
           "rad_params_read or rad_params_set, then rad_extract. The feature list and the "
           "IBSI tags come from the library's feature tables, as in "
           "[the feature reference](features.md).\n\n", rad_version_string());

    printf("## Data\n\n");
    printf("Paths are relative to the reference-data folder (REFDATA).\n\n");
    printf("- Digital phantom: image `ibsi_1_digital_phantom/nifti/image/phantom.nii.gz`, "
           "mask `ibsi_1_digital_phantom/nifti/mask/mask.nii.gz`, reference values "
           "`ibsi_1_reference_values/ibsi_1_dig_phantom.csv`, settings "
           "`examples/params/ibsi-1-digital-phantom.yaml` (every texture aggregation "
           "method through textureAggregation).\n");
    printf("- CT phantom, configurations A to E: image "
           "`ibsi_1_ct_radiomics_phantom/nifti/image/phantom.nii.gz`, mask "
           "`ibsi_1_ct_radiomics_phantom/nifti/mask/mask.nii.gz`, reference values "
           "`ibsi_1_reference_values/ibsi_1_chest_config_{a..e}.csv`, settings "
           "`examples/params/ibsi-1-config-{a..e}.yaml`.\n");
    printf("- pyradiomics: the columns brain1, brain2 and breast1 (original image) of "
           "`pyradiomics/data/baseline/baseline_<class>.csv`, with the images "
           "`pyradiomics/data/<case>_image.nrrd` and masks `pyradiomics/data/<case>_label.nrrd`. "
           "Each column's settings and image types are read from its rows "
           "diagnostics_Configuration_Settings and diagnostics_Configuration_EnabledImageTypes "
           "and passed to rad_params_set; only the file's class is enabled, with the features "
           "that have a baseline value.\n\n");
    printf("The parameter files leave pyradiomics' shape class off because IBSI morphology "
           "replaces it. The IBSI runs enable every shape feature, deprecated ones included, "
           "so that shape's rows are measured against the morphology references they share "
           "a tag with.\n\n");

    if (m->ct_morph)
        printf("The CT phantom runs include IBSI morphology.\n\n");
    else
        printf("The CT phantom runs leave out IBSI morphology (\"not measured\", "
               "`compliance --no-ct-morph`). Shape's rows, computed from the same mesh, are "
               "measured.\n\n");

    printf("## Tolerances and cells\n\n");
    printf("- IBSI: a value passes when |value - reference| <= max(published tolerance, half "
           "a unit of the third significant digit of the reference), the rule of the test "
           "suites: IBSI's tables round to 3 significant digits, and the digital phantom's "
           "tolerances are 0.\n");
    printf("- Digital phantom: \"pass (6/6 aggregations)\" when every aggregation method "
           "with a reference value passes; a failure lists each failing method with the "
           "value, the reference and the tolerance. \"no consensus\": IBSI's table has the "
           "rows but no value. \"not in IBSI\": the feature has no IBSI tag. \"not "
           "produced\": the reference has a value for an aggregation the run does not "
           "output.\n");
    printf("- Configurations A to E: pass, fail, or not produced, per configuration; where "
           "the configuration has several aggregation methods, \"fail, pass 1/2\" gives how "
           "many of them pass.\n");
    printf("- pyradiomics: the largest difference over the three cases, relative "
           "(|value - baseline| / |baseline|), absolute where |baseline| <= %s. The test "
           "suite accepts %s; a larger value names its case. The baseline files print 12 "
           "(shape) to 17 significant digits, so 1e-12 and below is agreement to the printed "
           "digits. brain1's "
           "baseline values of MeshVolume, SurfaceArea, SurfaceVolumeRatio and Sphericity "
           "were written by pyradiomics 2.0.1b1.post11 (row diagnostics_Versions_PyRadiomics). "
           "The test suites check them to 1e-3 only and ascribe the difference to a change in "
           "pyradiomics' marching-cubes table since then. \"no baseline row\": the "
           "baseline has no value for the feature (deprecated, or not in pyradiomics).\n\n",
           short_exponent(PYRADIOMICS_ABSOLUTE_BELOW, below),
           short_exponent(PYRADIOMICS_TOLERANCE, tolerance));

    printf("## Runs\n\n");
    printf("- Digital phantom: %s\n", m->phantom.features ? "extracted" : m->phantom.error);
    for (int k = 0; k < N_CONFIGS; k++)
        printf("- Configuration %c: %s\n", config_letters[k] - 'a' + 'A',
               m->configs[k].features ? "extracted" : m->configs[k].error);
    for (size_t k = 0; k < sizeof class_order / sizeof class_order[0]; k++) {
        ri_feature_class c = class_order[k];

        if (!ri_class_is_ibsi_only(c) && m->pyradiomics[c].error[0] != '\0')
            printf("- pyradiomics %s: %s\n", ri_class_output_name(c), m->pyradiomics[c].error);
    }
    printf("\n");
}

static void write_class(const measurements *m, ri_feature_class c)
{
    const ri_feature_table *table = ri_feature_table_of(c);
    char *cell = checked_calloc(CELL_SIZE, 1);

    printf("## %s\n\n", class_titles[c]);
    printf("| feature | IBSI tag | digital phantom | configs A-E | pyradiomics max rel. diff |\n");
    printf("|---|---|---|---|---|\n");
    for (size_t i = 0; i < table->count; i++) {
        const ri_feature_def *def = &table->defs[i];

        printf("| `%s` | ", ri_feature_output_name(c, i));
        if (def->ibsi_tag[0] != '\0')
            printf("`%s` | ", def->ibsi_tag);
        else
            printf("- | ");
        phantom_cell(&m->phantom_table, &m->phantom, c, i, cell);
        put_cell(cell);
        printf(" | ");
        configs_cell(m->config_tables, m->configs, c, i, cell);
        put_cell(cell);
        printf(" | ");
        pyradiomics_cell(c, i, &m->pyradiomics[c], cell);
        put_cell(cell);
        printf(" |\n");
    }
    printf("\n");
    free(cell);
}

int main(int argc, char **argv)
{
    measurements *m = checked_calloc(1, sizeof *m);
    char csv[1024], image[1024], mask[1024], relative[256], params[64];
    struct stat st;

    int ct_morph = 1, arg = 1;

    if (arg < argc && strcmp(argv[arg], "--no-ct-morph") == 0) {
        ct_morph = 0;
        arg++;
    }
    if (argc - arg > 1 || (arg < argc && argv[arg][0] == '-')) {
        fprintf(stderr, "usage: compliance [--no-ct-morph] [REFDATA] > docs/compliance.md\n");
        free(m);
        return 2;
    }
    m->ct_morph = ct_morph;
    refdata = arg < argc ? argv[arg] : getenv("REFDATA");
    if (refdata == NULL || refdata[0] == '\0')
        refdata = "../shared/data";
    if (stat(refdata, &st) != 0 || !S_ISDIR(st.st_mode))
        die("reference-data folder %s not found; set REFDATA or pass the folder", refdata);

    check_params_file("examples/params/ibsi-1-digital-phantom.yaml");
    for (int k = 0; k < N_CONFIGS; k++) {
        snprintf(params, sizeof params, "examples/params/ibsi-1-config-%c.yaml",
                 config_letters[k]);
        check_params_file(params);
    }

    data_path(csv, sizeof csv, "ibsi_1_reference_values/ibsi_1_dig_phantom.csv");
    data_path(image, sizeof image, "ibsi_1_digital_phantom/nifti/image/phantom.nii.gz");
    data_path(mask, sizeof mask, "ibsi_1_digital_phantom/nifti/mask/mask.nii.gz");
    ibsi_table_read(csv, &m->phantom_table);
    run_ibsi("examples/params/ibsi-1-digital-phantom.yaml", image, mask, 0, &m->phantom);

    data_path(image, sizeof image, "ibsi_1_ct_radiomics_phantom/nifti/image/phantom.nii.gz");
    data_path(mask, sizeof mask, "ibsi_1_ct_radiomics_phantom/nifti/mask/mask.nii.gz");
    for (int k = 0; k < N_CONFIGS; k++) {
        snprintf(relative, sizeof relative, "ibsi_1_reference_values/ibsi_1_chest_config_%c.csv",
                 config_letters[k]);
        data_path(csv, sizeof csv, relative);
        ibsi_table_read(csv, &m->config_tables[k]);
        snprintf(params, sizeof params, "examples/params/ibsi-1-config-%c.yaml",
                 config_letters[k]);
        run_ibsi(params, image, mask, !ct_morph, &m->configs[k]);
    }

    for (size_t k = 0; k < sizeof class_order / sizeof class_order[0]; k++)
        if (!ri_class_is_ibsi_only(class_order[k]))
            run_pyradiomics(class_order[k], &m->pyradiomics[class_order[k]]);

    write_header(m);
    write_summary(m);
    for (size_t k = 0; k < sizeof class_order / sizeof class_order[0]; k++)
        write_class(m, class_order[k]);

    rad_features_free(m->phantom.features);
    free(m->phantom_table.rows);
    for (int k = 0; k < N_CONFIGS; k++) {
        rad_features_free(m->configs[k].features);
        free(m->config_tables[k].rows);
    }
    free(m);
    return fflush(stdout) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
