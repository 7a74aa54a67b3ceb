/*
 * test_pyradiomics_baselines.c - every column of brain1, brain2 and breast1
 * in pyradiomics' baseline CSV files (firstorder, glcm, glrlm, glszm, gldm,
 * ngtdm, shape), plain and variant (_normalization, _resampling,
 * _resegmentation, _2d, _FBN, _flatRegion, _combined), through rad_extract.
 *
 * Each column's settings come from its row diagnostics_Configuration_Settings
 * (a Python dict literal), passed key by key to rad_params_set; its image
 * types from diagnostics_Configuration_EnabledImageTypes. Only that file's
 * class is enabled, with the feature names of the file's rows. Tolerance:
 * |got - baseline| <= max(1e-5 |baseline|, 1e-9), because the CSV prints
 * about 12 significant digits and values near zero carry rounding noise.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "radiomics.h"
#include "testutil.h"

#define MAX_COLUMNS 64
#define MAX_ROWS 128
#define MAX_SETTINGS 40

/* A baseline CSV file held in memory: cells[row][column], row 0 is the header. */
typedef struct csv_table {
    char *cells[MAX_ROWS][MAX_COLUMNS];
    int n_rows;
    int n_columns;
} csv_table;

static void csv_free(csv_table *t)
{
    for (int r = 0; r < t->n_rows; r++)
        for (int c = 0; c < MAX_COLUMNS; c++)
            free(t->cells[r][c]);
    memset(t, 0, sizeof *t);
}

/* Reads a CSV file with double-quoted fields ("" is a quote inside one). */
static int csv_read(const char *path, csv_table *t)
{
    FILE *file = fopen(path, "r");
    char field[8192];
    size_t used = 0;
    int ch, quoted = 0, column = 0;

    memset(t, 0, sizeof *t);
    if (file == NULL)
        return 0;
    while ((ch = fgetc(file)) != EOF) {
        if (quoted) {
            if (ch == '"') {
                int next = fgetc(file);
                if (next == '"') {
                    ch = '"';
                } else {
                    quoted = 0;
                    if (next != EOF)
                        ungetc(next, file);
                    continue;
                }
            }
        } else if (ch == '"') {
            quoted = 1;
            continue;
        } else if (ch == ',' || ch == '\n') {
            field[used] = '\0';
            if (t->n_rows < MAX_ROWS && column < MAX_COLUMNS)
                t->cells[t->n_rows][column] = strdup(field);
            used = 0;
            column++;
            if (ch == '\n') {
                if (column > t->n_columns)
                    t->n_columns = column > MAX_COLUMNS ? MAX_COLUMNS : column;
                column = 0;
                t->n_rows++;
            }
            continue;
        } else if (ch == '\r') {
            continue;
        }
        if (used + 1 < sizeof field)
            field[used++] = (char)ch;
    }
    fclose(file);
    if (t->n_rows > MAX_ROWS)
        t->n_rows = MAX_ROWS;
    return t->n_rows > 1;
}

static const char *csv_cell(const csv_table *t, const char *row, int column)
{
    for (int r = 1; r < t->n_rows; r++)
        if (t->cells[r][0] != NULL && strcmp(t->cells[r][0], row) == 0)
            return t->cells[r][column];
    return NULL;
}

/* One key of a settings dict, with its value as rad_params_set text. */
typedef struct setting {
    char key[64];
    char value[256];
} setting;

static const char *skip_space(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

/* Parses a quoted Python string at p into out; returns the position after it. */
static const char *parse_string(const char *p, char *out, size_t size)
{
    char quote = *p++;
    size_t n = 0;

    while (*p && *p != quote) {
        if (n + 1 < size)
            out[n++] = *p;
        p++;
    }
    out[n] = '\0';
    return *p == quote ? p + 1 : NULL;
}

/*
 * Parses one value (string, number, True/False, None, or a list of numbers)
 * into text: strings and words as they are, lists as "a,b,c". Returns the
 * position after the value, or NULL on a syntax error.
 */
static const char *parse_value(const char *p, char *out, size_t size)
{
    size_t n = 0;

    p = skip_space(p);
    if (*p == '\'' || *p == '"')
        return parse_string(p, out, size);
    if (*p == '[') {
        p++;
        out[0] = '\0';
        while (1) {
            char item[64];
            p = skip_space(p);
            if (*p == ']')
                return p + 1;
            p = parse_value(p, item, sizeof item);
            if (p == NULL)
                return NULL;
            n += (size_t)snprintf(out + n, size > n ? size - n : 0, n ? ",%s" : "%s", item);
            p = skip_space(p);
            if (*p == ',')
                p++;
            else if (*p != ']')
                return NULL;
        }
    }
    /* A number or a word (True, False, None) runs to the next , } or ]. */
    while (*p && *p != ',' && *p != '}' && *p != ']') {
        if (n + 1 < size)
            out[n++] = *p;
        p++;
    }
    while (n > 0 && out[n - 1] == ' ')
        n--;
    out[n] = '\0';
    return n > 0 ? p : NULL;
}

/*
 * Parses a dict literal {'key': value, ...}; a nested dict value (image type
 * settings) is kept as its text. Returns the number of keys, or -1.
 */
static int parse_dict(const char *text, setting *settings, int max)
{
    const char *p = skip_space(text);
    int n = 0;

    if (*p++ != '{')
        return -1;
    while (1) {
        p = skip_space(p);
        if (*p == '}')
            return n;
        if (n == max || (*p != '\'' && *p != '"'))
            return -1;
        p = parse_string(p, settings[n].key, sizeof settings[n].key);
        if (p == NULL)
            return -1;
        p = skip_space(p);
        if (*p++ != ':')
            return -1;
        p = skip_space(p);
        if (*p == '{') {
            const char *end = strchr(p, '}');
            if (end == NULL)
                return -1;
            snprintf(settings[n].value, sizeof settings[n].value, "%.*s", (int)(end - p + 1), p);
            p = end + 1;
        } else {
            p = parse_value(p, settings[n].value, sizeof settings[n].value);
            if (p == NULL)
                return -1;
        }
        n++;
        p = skip_space(p);
        if (*p == ',')
            p++;
        else if (*p != '}')
            return -1;
    }
}

/* Result of one column. */
typedef struct column_result {
    int compared, failed, skipped;
    double max_deviation; /* relative, or absolute below 1e-9 */
    char worst[128];
} column_result;

/* brain1's 4 mesh features come from an older pyradiomics build (see below). */
static int is_old_mesh_value(const char *case_column, const char *feature)
{
    static const char *const mesh[] = {"MeshVolume", "SurfaceArea", "SurfaceVolumeRatio",
                                       "Sphericity"};

    if (strcmp(case_column, "brain1") != 0)
        return 0;
    for (size_t i = 0; i < sizeof mesh / sizeof mesh[0]; i++)
        if (strcmp(feature, mesh[i]) == 0)
            return 1;
    return 0;
}

/*
 * Runs one column: settings, class, extraction and comparison. Returns 0 and
 * prints the reason when the column could not run (an unsupported key, a
 * failed extraction), which counts as a failure.
 */
static int run_column(const csv_table *t, int column, const char *feature_class,
                      const char *data_dir, const char *case_name, column_result *result)
{
    const char *name = t->cells[0][column];
    const char *settings_text = csv_cell(t, "diagnostics_Configuration_Settings", column);
    const char *types_text = csv_cell(t, "diagnostics_Configuration_EnabledImageTypes", column);
    static const char *const classes[] = {"firstorder", "shape", "glcm", "glrlm",
                                          "glszm", "gldm", "ngtdm"};
    setting settings[MAX_SETTINGS], types[8];
    const char *feature_names[MAX_ROWS + 1];
    char prefix[64], unsupported[2048] = "", path[2048];
    rad_params *params = NULL;
    rad_volume *image = NULL, *mask = NULL;
    rad_features *features = NULL;
    rad_error *error = rad_error_create();
    int n_settings, n_types, n_names = 0, ok = 0;

    memset(result, 0, sizeof *result);
    ck_assert_ptr_nonnull(error);
    if (settings_text == NULL || types_text == NULL) {
        printf("FAIL %s %s: settings or image type row missing\n", feature_class, name);
        goto done;
    }
    n_settings = parse_dict(settings_text, settings, MAX_SETTINGS);
    n_types = parse_dict(types_text, types, 8);
    if (n_settings < 0 || n_types < 0) {
        printf("FAIL %s %s: cannot parse settings %s / %s\n", feature_class, name, settings_text,
               types_text);
        goto done;
    }

    ck_assert_int_eq(rad_params_create("pyradiomics", &params, error), RAD_OK);
    for (int i = 0; i < n_settings; i++) {
        if (rad_params_set(params, settings[i].key, settings[i].value, error) != RAD_OK) {
            size_t used = strlen(unsupported);
            snprintf(unsupported + used, sizeof unsupported - used, "%s%.63s=%.255s (%.300s)",
                     used ? "; " : "", settings[i].key, settings[i].value,
                     rad_error_message(error));
        }
    }
    if (unsupported[0] != '\0') {
        printf("FAIL %s %s: unsupported settings: %s\n", feature_class, name, unsupported);
        goto done;
    }
    ck_assert_int_eq(rad_params_enable_image_type(params, "Original", 0, error), RAD_OK);
    for (int i = 0; i < n_types; i++) {
        if (rad_params_enable_image_type(params, types[i].key, 1, error) != RAD_OK) {
            printf("FAIL %s %s: unsupported image type %s: %s\n", feature_class, name,
                   types[i].key, rad_error_message(error));
            goto done;
        }
    }

    /* Exactly this file's class, with the features its rows list. */
    snprintf(prefix, sizeof prefix, "original_%s_", feature_class);
    for (int r = 1; r < t->n_rows; r++)
        if (t->cells[r][0] && strncmp(t->cells[r][0], prefix, strlen(prefix)) == 0)
            feature_names[n_names++] = t->cells[r][0] + strlen(prefix);
    feature_names[n_names] = NULL;
    for (size_t c = 0; c < sizeof classes / sizeof classes[0]; c++)
        ck_assert_int_eq(rad_params_enable_features(params, classes[c], NULL, 0, error), RAD_OK);
    if (rad_params_enable_features(params, feature_class, feature_names, 1, error) != RAD_OK) {
        printf("FAIL %s %s: %s\n", feature_class, name, rad_error_message(error));
        goto done;
    }

    snprintf(path, sizeof path, "%s/%s_image.nrrd", data_dir, case_name);
    ck_assert_msg(rad_volume_read(path, &image, error) == RAD_OK, "%s", rad_error_message(error));
    snprintf(path, sizeof path, "%s/%s_label.nrrd", data_dir, case_name);
    ck_assert_msg(rad_volume_read(path, &mask, error) == RAD_OK, "%s", rad_error_message(error));
    if (rad_extract(params, image, mask, &features, error) != RAD_OK) {
        printf("FAIL %s %s: rad_extract failed: %s\n", feature_class, name,
               rad_error_message(error));
        goto done;
    }

    for (int k = 0; k < n_names; k++) {
        char full[160];
        const char *cell;
        double want, got, deviation;
        size_t index;

        snprintf(full, sizeof full, "%s%s", prefix, feature_names[k]);
        cell = csv_cell(t, full, column);
        if (cell == NULL || cell[0] == '\0')
            continue;
        if (strcmp(feature_class, "shape") == 0 && is_old_mesh_value(name, feature_names[k])) {
            printf("SKIP %s %s %s: brain1's mesh values come from pyradiomics 2.0.1b1.post11, "
                   "whose marching-cubes table differs from the current one (test_morphology "
                   "checks them to 1e-3)\n", feature_class, name, feature_names[k]);
            result->skipped++;
            continue;
        }
        want = strtod(cell, NULL);
        index = rad_features_find(features, full);
        got = index == (size_t)-1 ? NAN : rad_features_value(features, index);
        deviation = fabs(want) > 1e-9 ? fabs(got - want) / fabs(want) : fabs(got - want);
        if (isnan(got) && isnan(want))
            deviation = 0;
        else if (isnan(got) || isnan(want))
            deviation = INFINITY;
        result->compared++;
        if (!(deviation <= 1e-5) && !(fabs(got - want) <= 1e-9)) {
            result->failed++;
            printf("  %s %s %s: got %.12g, baseline %.12g\n", feature_class, name,
                   feature_names[k], got, want);
        }
        if (!(deviation <= result->max_deviation)) {
            result->max_deviation = deviation;
            snprintf(result->worst, sizeof result->worst, "%s", feature_names[k]);
        }
    }
    ok = 1;

done:
    rad_features_free(features);
    rad_volume_free(image);
    rad_volume_free(mask);
    rad_params_free(params);
    rad_error_free(error);
    return ok;
}

/* Runs every brain1, brain2 and breast1 column of baseline_<feature_class>.csv. */
static void check_file(const char *feature_class)
{
    static const char *const cases[] = {"brain1", "brain2", "breast1"};
    char data_dir[1024], csv_path[1024], relative[128];
    csv_table *t = calloc(1, sizeof *t);
    int n_columns = 0, n_failed = 0;

    ck_assert_ptr_nonnull(t);
    snprintf(relative, sizeof relative, "pyradiomics/data/baseline/baseline_%s.csv",
             feature_class);
    if (!test_refdata_path(data_dir, sizeof data_dir, "pyradiomics/data", "pyradiomics images") ||
        !test_refdata_path(csv_path, sizeof csv_path, relative, "pyradiomics baseline")) {
        free(t);
        return;
    }
    ck_assert_msg(csv_read(csv_path, t), "cannot read %s", csv_path);

    for (int c = 1; c < t->n_columns; c++) {
        const char *name = t->cells[0][c];
        const char *case_name = NULL;
        column_result result;

        for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
            size_t length = strlen(cases[k]);
            if (name && strncmp(name, cases[k], length) == 0 &&
                (name[length] == '\0' || name[length] == '_'))
                case_name = cases[k];
        }
        if (case_name == NULL)
            continue;
        n_columns++;
        if (!run_column(t, c, feature_class, data_dir, case_name, &result)) {
            n_failed++;
            continue;
        }
        printf("%s %-8s %-24s %2d compared, %2d failed, %d skipped, max deviation %.3g (%s)\n",
               result.failed ? "FAIL" : "PASS", feature_class, name, result.compared,
               result.failed, result.skipped, result.max_deviation,
               result.worst[0] ? result.worst : "-");
        n_failed += result.failed > 0 || result.compared == 0;
    }
    csv_free(t);
    free(t);
    fflush(stdout); /* a failed assertion ends the forked test without flushing */
    ck_assert_msg(n_columns > 0, "no brain1, brain2 or breast1 column in %s", csv_path);
    ck_assert_msg(n_failed == 0, "%d of %d columns of %s differ from the baseline", n_failed,
                  n_columns, csv_path);
}

START_TEST(baseline_firstorder) { check_file("firstorder"); }
END_TEST

START_TEST(baseline_glcm) { check_file("glcm"); }
END_TEST

START_TEST(baseline_glrlm) { check_file("glrlm"); }
END_TEST

START_TEST(baseline_glszm) { check_file("glszm"); }
END_TEST

START_TEST(baseline_gldm) { check_file("gldm"); }
END_TEST

START_TEST(baseline_ngtdm) { check_file("ngtdm"); }
END_TEST

START_TEST(baseline_shape) { check_file("shape"); }
END_TEST

/* Keys pyradiomics names but this library does not take must fail loudly. */
START_TEST(settings_unknown_key_rejected)
{
    rad_params *params = NULL;
    rad_error *error = rad_error_create();

    ck_assert_int_eq(rad_params_create("pyradiomics", &params, error), RAD_OK);
    ck_assert_int_eq(rad_params_set(params, "resegmentRange", "[1, 2, 3]", error),
                     RAD_ERR_PARAMETER);
    ck_assert_int_eq(rad_params_set(params, "resegmentMode", "percent", error),
                     RAD_ERR_PARAMETER);
    ck_assert_int_eq(rad_params_set(params, "weightingNorm", "chebyshev", error),
                     RAD_ERR_PARAMETER);
    ck_assert_int_eq(rad_params_set(params, "force2Ddimension", "3", error), RAD_ERR_PARAMETER);
    ck_assert_int_eq(rad_params_set(params, "binCount", "0", error), RAD_ERR_PARAMETER);
    ck_assert_int_eq(rad_params_set(params, "kernelRadius", "1", error), RAD_ERR_PARAMETER);
    rad_params_free(params);
    rad_error_free(error);
}
END_TEST

/* Value of one feature of brain1 under settings key=value pairs (NULL-terminated). */
static double brain1_value(const char *const *settings, const char *feature_class,
                           const char *feature)
{
    static const char *const classes[] = {"firstorder", "shape", "glcm", "glrlm",
                                          "glszm", "gldm", "ngtdm"};
    char data_dir[1024], path[2048];
    rad_params *params = NULL;
    rad_volume *image = NULL, *mask = NULL;
    rad_features *features = NULL;
    rad_error *error = rad_error_create();
    double value;

    ck_assert(test_refdata_path(data_dir, sizeof data_dir, "pyradiomics/data", "brain1"));
    ck_assert_int_eq(rad_params_create("pyradiomics", &params, error), RAD_OK);
    for (const char *const *kv = settings; *kv; kv += 2)
        ck_assert_msg(rad_params_set(params, kv[0], kv[1], error) == RAD_OK, "%s",
                      rad_error_message(error));
    for (size_t c = 0; c < sizeof classes / sizeof classes[0]; c++)
        ck_assert_int_eq(rad_params_enable_features(params, classes[c], NULL,
                                                    strcmp(classes[c], feature_class) == 0,
                                                    error),
                         RAD_OK);
    snprintf(path, sizeof path, "%s/brain1_image.nrrd", data_dir);
    ck_assert_int_eq(rad_volume_read(path, &image, error), RAD_OK);
    snprintf(path, sizeof path, "%s/brain1_label.nrrd", data_dir);
    ck_assert_int_eq(rad_volume_read(path, &mask, error), RAD_OK);
    ck_assert_msg(rad_extract(params, image, mask, &features, error) == RAD_OK, "%s",
                  rad_error_message(error));
    snprintf(path, sizeof path, "original_%s_%s", feature_class, feature);
    ck_assert_uint_ne(rad_features_find(features, path), (size_t)-1);
    value = rad_features_value(features, rad_features_find(features, path));
    rad_features_free(features);
    rad_volume_free(image);
    rad_volume_free(mask);
    rad_params_free(params);
    rad_error_free(error);
    return value;
}

/*
 * Absolute resegmentation keeps the intensities in [600, 1000] (brain1's ROI
 * spans 468..1266 per its baseline Minimum and Maximum, so both thresholds cut).
 * Shape keeps the whole mask unless resegmentShape is set: VoxelVolume is
 * 4137 voxels x 0.78125^2 x 6.5 mm^3 = 16412.65 mm^3 (baseline value).
 */
START_TEST(resegment_absolute_range)
{
    char data_dir[1024];
    const char *const range[] = {"resegmentRange", "[1000, 600]", NULL};
    const char *const range_shape[] = {"resegmentRange", "[1000, 600]", "resegmentShape",
                                       "True", NULL};

    if (!test_refdata_path(data_dir, sizeof data_dir, "pyradiomics/data", "brain1"))
        return;
    /* tolerance: exact, thresholds select voxels and do not change values */
    ck_assert_double_ge(brain1_value(range, "firstorder", "Minimum"), 600);
    ck_assert_double_le(brain1_value(range, "firstorder", "Maximum"), 1000);
    /* tolerance: 1e-6 mm^3 */
    ck_assert_double_eq_tol(brain1_value(range, "shape", "VoxelVolume"),
                            4137 * 0.78125 * 0.78125 * 6.5, 1e-6);
    ck_assert_double_lt(brain1_value(range_shape, "shape", "VoxelVolume"),
                        4137 * 0.78125 * 0.78125 * 6.5 - 1);
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("pyradiomics_baselines");
    TCase *tc = tcase_create("columns");
    SRunner *runner;
    int failed;

    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, settings_unknown_key_rejected);
    tcase_add_test(tc, resegment_absolute_range);
    tcase_add_test(tc, baseline_firstorder);
    tcase_add_test(tc, baseline_glcm);
    tcase_add_test(tc, baseline_glrlm);
    tcase_add_test(tc, baseline_glszm);
    tcase_add_test(tc, baseline_gldm);
    tcase_add_test(tc, baseline_ngtdm);
    tcase_add_test(tc, baseline_shape);
    suite_add_tcase(suite, tc);
    runner = srunner_create(suite);
    srunner_set_fork_status(runner, CK_FORK);
    srunner_run_all(runner, CK_NORMAL);
    failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
