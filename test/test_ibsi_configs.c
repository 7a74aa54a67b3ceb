/*
 * test_ibsi_configs.c - rad_extract on the IBSI 1 CT radiomics phantom with
 * the parameter files examples/params/ibsi-1-config-{a..e}.yaml, against
 * IBSI 1's reference values for configurations A-E.
 *
 * Every produced feature with an IBSI tag is looked up by that tag (texture
 * tags carry their aggregation suffix, e.g. cm_joint_max_3D_avg, szm_sze_3D)
 * and must lie within the published tolerance, widened where the reference
 * is rounded to 3 significant digits. A tag with no reference row is not a
 * failure. The reference rows that no produced feature covers are printed as
 * a NOTE line per family. The diagnostic rows (grid dimensions and ROI
 * statistics as read, after interpolation and after resegmentation) are
 * checked through ri_resample and ri_resegment with the same settings.
 * The unit cases check each pre-processing step on hand-computed values.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "families.h"
#include "testutil.h"

#ifndef EXAMPLE_PARAMS_DIR
#define EXAMPLE_PARAMS_DIR "examples/params"
#endif

#define MAX_ROWS 600

/* One row of an IBSI reference table. */
typedef struct reference_row {
    char tag[64];
    double value;
    double tolerance;
    int has_value; /* 0: no consensus value was published */
    int covered;   /* set when a produced feature or diagnostic matched the tag */
} reference_row;

typedef struct reference_table {
    reference_row rows[MAX_ROWS];
    size_t count;
} reference_table;

/* A feature whose difference from the reference is known, with the reason. */
typedef struct expected_difference {
    char config;
    const char *tag;
    const char *reason;
} expected_difference;

/*
 * Known differences, each with its reason. A listed tag that differs prints
 * an EXPECTED line instead of failing. The list is empty while every compared
 * value matches, and the sentinel row keeps the array valid C.
 */
static const expected_difference expected_differences[] = {
    {'\0', "", ""},
};

static const char *expected_reason(char config, const char *tag)
{
    for (size_t i = 0; i < sizeof expected_differences / sizeof expected_differences[0]; i++)
        if (expected_differences[i].config == config && config != '\0' &&
            strcmp(expected_differences[i].tag, tag) == 0)
            return expected_differences[i].reason;
    return NULL;
}

/* Reads a `;`-separated table with the header `reference value;tolerance;tag`. */
static int read_reference(const char *path, reference_table *table)
{
    char line[512];
    FILE *file = fopen(path, "r");

    if (file == NULL)
        return 0;
    table->count = 0;
    while (fgets(line, sizeof line, file) != NULL) {
        line[strcspn(line, "\r\n")] = '\0';
        char *first = strchr(line, ';');
        char *second = first ? strchr(first + 1, ';') : NULL;
        if (second == NULL || strcmp(second + 1, "tag") == 0)
            continue;
        ck_assert_uint_lt(table->count, MAX_ROWS);
        reference_row *row = &table->rows[table->count++];
        memset(row, 0, sizeof *row);
        snprintf(row->tag, sizeof row->tag, "%s", second + 1);
        char *end;
        row->value = strtod(line, &end);
        row->has_value = end != line;
        row->tolerance = strtod(first + 1, NULL);
    }
    fclose(file);
    return 1;
}

static reference_row *find_row(reference_table *table, const char *tag)
{
    for (size_t i = 0; i < table->count; i++)
        if (strcmp(table->rows[i].tag, tag) == 0)
            return &table->rows[i];
    return NULL;
}

/* Returns half a unit in the 3rd significant digit, the rounding of the published values. */
static double three_digit_tolerance(double value)
{
    if (value == 0.0)
        return 5e-4;
    return 0.5 * pow(10.0, floor(log10(fabs(value))) - 2.0);
}

/* Compares value with the row of tag, if any. Returns 1 on a mismatch not listed
 * as expected, and prints every mismatch. */
static int compare(reference_table *table, char config, const char *tag, double value,
                   int *compared)
{
    reference_row *row = find_row(table, tag);

    if (row == NULL)
        return 0;
    row->covered = 1;
    if (!row->has_value)
        return 0;
    double allowed = fmax(row->tolerance, three_digit_tolerance(row->value));
    (*compared)++;
    if (fabs(value - row->value) <= allowed)
        return 0;
    const char *reason = expected_reason(config, tag);
    printf("%s %c %s: got %.6g, IBSI %.6g +- %g%s%s\n", reason ? "EXPECTED" : "FAIL", config,
           tag, value, row->value, allowed, reason ? "; " : "", reason ? reason : "");
    return reason == NULL;
}

/* Prints one NOTE line per family prefix with the rows nothing covered. */
static void note_uncovered(const reference_table *table, char config)
{
    char families[64][16];
    size_t n_families = 0;

    for (size_t i = 0; i < table->count; i++) {
        if (table->rows[i].covered)
            continue;
        char family[16];
        snprintf(family, sizeof family, "%.*s", (int)strcspn(table->rows[i].tag, "_"),
                 table->rows[i].tag);
        size_t f = 0;
        while (f < n_families && strcmp(families[f], family) != 0)
            f++;
        if (f == n_families && n_families < 64)
            snprintf(families[n_families++], sizeof families[0], "%s", family);
    }
    for (size_t f = 0; f < n_families; f++) {
        size_t count = 0;
        char example[64] = "";
        for (size_t i = 0; i < table->count; i++) {
            const char *tag = table->rows[i].tag;
            if (table->rows[i].covered || strncmp(tag, families[f], strlen(families[f])) != 0 ||
                tag[strlen(families[f])] != '_')
                continue;
            if (count++ == 0)
                snprintf(example, sizeof example, "%s", tag);
        }
        printf("NOTE config %c: %zu %s_* reference rows not produced (e.g. %s)\n", config, count,
               families[f], example);
    }
}

/* Statistics of the image inside a 0/1 mask. */
static void masked_stats(const rad_volume *image, const rad_volume *mask, size_t *count,
                         double *mean, double *min, double *max)
{
    size_t n = ri_voxel_count(mask);
    double sum = 0;

    *count = 0;
    *min = INFINITY;
    *max = -INFINITY;
    for (size_t v = 0; v < n; v++) {
        if (mask->data[v] == 0)
            continue;
        double x = image->data[v];
        sum += x;
        *min = fmin(*min, x);
        *max = fmax(*max, x);
        (*count)++;
    }
    *mean = *count ? sum / (double)*count : NAN;
}

/* Bounding box extent of a 0/1 mask along each axis, in voxels. */
static void bounding_box(const rad_volume *mask, size_t extent[3])
{
    size_t lo[3] = {(size_t)-1, (size_t)-1, (size_t)-1}, hi[3] = {0, 0, 0}, v = 0;

    for (size_t k = 0; k < mask->size[2]; k++)
        for (size_t j = 0; j < mask->size[1]; j++)
            for (size_t i = 0; i < mask->size[0]; i++, v++) {
                if (mask->data[v] == 0)
                    continue;
                size_t ijk[3] = {i, j, k};
                for (int a = 0; a < 3; a++) {
                    lo[a] = ijk[a] < lo[a] ? ijk[a] : lo[a];
                    hi[a] = ijk[a] > hi[a] ? ijk[a] : hi[a];
                }
            }
    for (int a = 0; a < 3; a++)
        extent[a] = hi[a] >= lo[a] ? hi[a] - lo[a] + 1 : 0;
}

/* Size of the whole interpolated grid along axis a (the image's without resampling). */
static size_t size_of_grid(const ri_settings *s, const rad_volume *image, int a)
{
    size_t size[3];
    double first[3], step[3];

    if (!s->resample)
        return image->size[a];
    ri_resample_center_grid(image, s->resampled_spacing, size, first, step);
    return size[a];
}

/* The rows int_mask_*_<stage>_roi and morph_mask_*_<stage>_roi of one step:
 * voxel count, intensities and bounding box of the intensity mask, voxel count
 * and bounding box of the morphological mask. */
static int check_stage(reference_table *table, char config, const char *stage,
                       const rad_volume *image, const rad_volume *intensity_mask,
                       const rad_volume *morph_mask, int *compared)
{
    static const char axes[3] = {'x', 'y', 'z'};
    char tag[64];
    int failures = 0;
    size_t count, morph_count, extent[3], morph_extent[3];
    double mean, min, max, morph_mean, morph_min, morph_max;

    masked_stats(image, intensity_mask, &count, &mean, &min, &max);
    masked_stats(image, morph_mask, &morph_count, &morph_mean, &morph_min, &morph_max);
    snprintf(tag, sizeof tag, "int_mask_vox_count_%s_roi", stage);
    failures += compare(table, config, tag, (double)count, compared);
    snprintf(tag, sizeof tag, "morph_mask_vox_count_%s_roi", stage);
    failures += compare(table, config, tag, (double)morph_count, compared);
    snprintf(tag, sizeof tag, "int_mask_mean_int_%s_roi", stage);
    failures += compare(table, config, tag, mean, compared);
    snprintf(tag, sizeof tag, "int_mask_min_int_%s_roi", stage);
    failures += compare(table, config, tag, min, compared);
    snprintf(tag, sizeof tag, "int_mask_max_int_%s_roi", stage);
    failures += compare(table, config, tag, max, compared);
    bounding_box(intensity_mask, extent);
    bounding_box(morph_mask, morph_extent);
    for (int a = 0; a < 3; a++) {
        snprintf(tag, sizeof tag, "int_mask_bb_dim_%c_%s_roi", axes[a], stage);
        failures += compare(table, config, tag, (double)extent[a], compared);
        snprintf(tag, sizeof tag, "morph_mask_bb_dim_%c_%s_roi", axes[a], stage);
        failures += compare(table, config, tag, (double)morph_extent[a], compared);
    }
    return failures;
}

/* The diagnostic rows of the interpolation step. Returns the unexpected mismatches. */
static int check_interpolation(reference_table *table, char config, const ri_settings *s,
                               const rad_volume *image, const rad_volume *mask, int *compared)
{
    static const char axes[3] = {'x', 'y', 'z'};
    char tag[64];
    int failures = 0;

    if (s->resample && s->grid_alignment == RI_GRID_CENTER) {
        size_t size[3];
        double first[3], step[3];
        ri_resample_center_grid(image, s->resampled_spacing, size, first, step);
        for (int a = 0; a < 3; a++) {
            snprintf(tag, sizeof tag, "img_dim_%c_interp_img", axes[a]);
            failures += compare(table, config, tag, (double)size[a], compared);
            snprintf(tag, sizeof tag, "vox_dim_%c_interp_img", axes[a]);
            failures += compare(table, config, tag, step[a] * image->spacing[a], compared);
        }
    }

    ri_resample_options options = {
        .label = s->label,
        .interpolator = s->interpolator,
        .pad = 0,
        .alignment = s->grid_alignment,
        .mask_interpolator = s->mask_interpolator,
        .mask_threshold = s->mask_partial_volume,
        .round_intensities = s->round_intensities,
    };
    rad_volume *grid_image = NULL, *grid_mask = NULL;
    if (s->resample)
        memcpy(options.spacing, s->resampled_spacing, sizeof options.spacing);
    else
        memcpy(options.spacing, image->spacing, sizeof options.spacing);
    ck_assert_int_eq(ri_resample(image, mask, &options, &grid_image, &grid_mask, NULL), RAD_OK);

    size_t count;
    double mean, min, max;
    failures += check_stage(table, config, "interp", grid_image, grid_mask, grid_mask, compared);

    /* After resegmentation, the morphological mask is still the interpolated one. */
    if (s->n_resegment > 0 || s->resegment_outliers > 0) {
        rad_volume *resegmented = NULL;
        ck_assert_int_eq(ri_resegment(s, grid_image, grid_mask, &resegmented, NULL), RAD_OK);
        failures += check_stage(table, config, "reseg", grid_image, resegmented, grid_mask,
                                compared);
        for (int a = 0; a < 3; a++) {
            snprintf(tag, sizeof tag, "int_mask_dim_%c_reseg_roi", axes[a]);
            failures += compare(table, config, tag, (double)size_of_grid(s, image, a),
                                compared);
        }
        rad_volume_free(resegmented);
    }
    rad_volume_free(grid_image);
    rad_volume_free(grid_mask);

    /* The whole interpolated image: a pad beyond every axis's size. */
    options.pad = (int)(image->size[0] + image->size[1] + image->size[2]);
    ck_assert_int_eq(ri_resample(image, mask, &options, &grid_image, &grid_mask, NULL), RAD_OK);
    for (size_t w = 0; w < ri_voxel_count(grid_mask); w++)
        grid_mask->data[w] = 1;
    masked_stats(grid_image, grid_mask, &count, &mean, &min, &max);
    failures += compare(table, config, "mean_int_interp_img", mean, compared);
    failures += compare(table, config, "min_int_interp_img", min, compared);
    failures += compare(table, config, "max_int_interp_img", max, compared);
    for (int a = 0; a < 3; a++) {
        snprintf(tag, sizeof tag, "int_mask_dim_%c_interp_roi", axes[a]);
        failures += compare(table, config, tag, (double)grid_image->size[a], compared);
    }
    if (!s->resample)
        for (int a = 0; a < 3; a++) {
            snprintf(tag, sizeof tag, "img_dim_%c_interp_img", axes[a]);
            failures += compare(table, config, tag, (double)grid_image->size[a], compared);
            snprintf(tag, sizeof tag, "vox_dim_%c_interp_img", axes[a]);
            failures += compare(table, config, tag, grid_image->spacing[a], compared);
        }
    rad_volume_free(grid_image);
    rad_volume_free(grid_mask);
    return failures;
}

/* The diagnostic rows of the image and ROI as read. */
static int check_initial(reference_table *table, char config, const rad_volume *image,
                         const rad_volume *mask, int *compared)
{
    static const char axes[3] = {'x', 'y', 'z'};
    char tag[64];
    int failures = 0;
    size_t n = ri_voxel_count(image), count;
    double sum = 0, min = INFINITY, max = -INFINITY, mean;

    for (size_t v = 0; v < n; v++) {
        sum += image->data[v];
        min = fmin(min, image->data[v]);
        max = fmax(max, image->data[v]);
    }
    for (int a = 0; a < 3; a++) {
        snprintf(tag, sizeof tag, "img_dim_%c_init_img", axes[a]);
        failures += compare(table, config, tag, (double)image->size[a], compared);
        snprintf(tag, sizeof tag, "vox_dim_%c_init_img", axes[a]);
        failures += compare(table, config, tag, image->spacing[a], compared);
        snprintf(tag, sizeof tag, "int_mask_dim_%c_init_roi", axes[a]);
        failures += compare(table, config, tag, (double)mask->size[a], compared);
    }
    failures += compare(table, config, "mean_int_init_img", sum / (double)n, compared);
    failures += compare(table, config, "min_int_init_img", min, compared);
    failures += compare(table, config, "max_int_init_img", max, compared);
    size_t lo[3] = {(size_t)-1, (size_t)-1, (size_t)-1}, hi[3] = {0, 0, 0}, v = 0;
    for (size_t k = 0; k < mask->size[2]; k++)
        for (size_t j = 0; j < mask->size[1]; j++)
            for (size_t i = 0; i < mask->size[0]; i++, v++) {
                if (mask->data[v] == 0)
                    continue;
                size_t ijk[3] = {i, j, k};
                for (int a = 0; a < 3; a++) {
                    lo[a] = ijk[a] < lo[a] ? ijk[a] : lo[a];
                    hi[a] = ijk[a] > hi[a] ? ijk[a] : hi[a];
                }
            }
    for (int a = 0; a < 3; a++) {
        snprintf(tag, sizeof tag, "int_mask_bb_dim_%c_init_roi", axes[a]);
        failures += compare(table, config, tag, (double)(hi[a] - lo[a] + 1), compared);
        snprintf(tag, sizeof tag, "morph_mask_bb_dim_%c_init_roi", axes[a]);
        failures += compare(table, config, tag, (double)(hi[a] - lo[a] + 1), compared);
    }
    masked_stats(image, mask, &count, &mean, &min, &max);
    failures += compare(table, config, "int_mask_vox_count_init_roi", (double)count, compared);
    failures += compare(table, config, "morph_mask_vox_count_init_roi", (double)count, compared);
    failures += compare(table, config, "int_mask_mean_int_init_roi", mean, compared);
    failures += compare(table, config, "int_mask_min_int_init_roi", min, compared);
    failures += compare(table, config, "int_mask_max_int_init_roi", max, compared);
    return failures;
}

static void run_config(char config)
{
    char csv[1024], image_path[1024], mask_path[1024], yaml[256], relative[128];
    static reference_table table;
    rad_volume *image = NULL, *mask = NULL;
    rad_params *params = NULL;
    rad_features *features = NULL;
    rad_error *error = rad_error_create();
    int failures = 0, compared = 0;

    snprintf(relative, sizeof relative, "ibsi_1_reference_values/ibsi_1_chest_config_%c.csv",
             config);
    if (!test_refdata_path(csv, sizeof csv, relative, "IBSI CT phantom reference") ||
        !test_refdata_path(image_path, sizeof image_path,
                           "ibsi_1_ct_radiomics_phantom/nifti/image/phantom.nii.gz",
                           "IBSI CT phantom image") ||
        !test_refdata_path(mask_path, sizeof mask_path,
                           "ibsi_1_ct_radiomics_phantom/nifti/mask/mask.nii.gz",
                           "IBSI CT phantom mask")) {
        rad_error_free(error);
        return;
    }
    ck_assert_msg(read_reference(csv, &table), "cannot read %s", csv);
    snprintf(yaml, sizeof yaml, "%s/ibsi-1-config-%c.yaml", EXAMPLE_PARAMS_DIR, config);
    ck_assert_msg(rad_params_read(yaml, &params, error) == RAD_OK, "%s: %s", yaml,
                  rad_error_message(error));
    ck_assert_msg(rad_volume_read(image_path, &image, error) == RAD_OK, "%s",
                  rad_error_message(error));
    ck_assert_msg(rad_volume_read(mask_path, &mask, error) == RAD_OK, "%s",
                  rad_error_message(error));
    /* IBSI: the NIfTI phantom's values are rounded to integers before processing. */
    for (size_t v = 0; v < ri_voxel_count(image); v++)
        image->data[v] = round(image->data[v]);
    for (size_t v = 0; v < ri_voxel_count(mask); v++)
        mask->data[v] = round(mask->data[v]);

    failures += check_initial(&table, config, image, mask, &compared);
    failures += check_interpolation(&table, config, &params->s, image, mask, &compared);

    ck_assert_msg(rad_extract(params, image, mask, &features, error) == RAD_OK, "config %c: %s",
                  config, rad_error_message(error));
    for (size_t i = 0; i < rad_features_count(features); i++) {
        const char *tag = rad_features_ibsi_tag(features, i);
        if (tag == NULL || tag[0] == '\0')
            continue;
        failures += compare(&table, config, tag, rad_features_value(features, i), &compared);
    }
    note_uncovered(&table, config);
    printf("config %c: %d values compared, %d unexpected mismatches\n", config, compared,
           failures);
    /* Every row with a consensus value must be produced, so a feature that stops
     * being computed, or a tag that changes, fails here rather than passing unseen. */
    size_t missing = 0;
    for (size_t i = 0; i < table.count; i++)
        if (table.rows[i].has_value && !table.rows[i].covered) {
            printf("FAIL %c %s: IBSI has a value (%g) but no feature produced it\n", config,
                   table.rows[i].tag, table.rows[i].value);
            missing++;
        }
    ck_assert_msg(missing == 0, "config %c: %zu reference values not produced", config, missing);
    ck_assert_msg(failures == 0, "config %c: %d features differ from IBSI beyond tolerance",
                  config, failures);

    rad_features_free(features);
    rad_params_free(params);
    rad_volume_free(image);
    rad_volume_free(mask);
    rad_error_free(error);
}

/* ---- unit cases of the pre-processing steps ------------------------------ */

/*
 * IBSI 1's grid example: 4 voxels of 3 mm resampled to 2 mm with aligned grid
 * centres give n_b = ceil(4 x 3 / 2) = 6 voxels, the first at image index
 * (4 - 1 - (2 / 3)(6 - 1)) / 2 = -1/6, world origin
 * x_a + (3 (4 - 1) - 2 (6 - 1)) / 2 = x_a - 0.5 mm.
 */
START_TEST(center_grid_ibsi_example)
{
    size_t size[3] = {4, 4, 1}, grid_size[3];
    double spacing[3] = {3, 3, 1}, origin[3] = {10, 20, 30}, direction[9] = {1, 0, 0, 0, 1, 0,
                                                                            0, 0, 1};
    double target[3] = {2, 2, 0}, first[3], step[3];
    rad_volume *image, *mask, *out_image, *out_mask;

    ck_assert_int_eq(rad_volume_create(size, spacing, origin, direction, &image, NULL), RAD_OK);
    ck_assert_int_eq(rad_volume_create(size, spacing, origin, direction, &mask, NULL), RAD_OK);
    ri_resample_center_grid(image, target, grid_size, first, step);
    ck_assert_uint_eq(grid_size[0], 6);
    ck_assert_uint_eq(grid_size[1], 6);
    ck_assert_uint_eq(grid_size[2], 1);
    /* 1e-12: one division and one product */
    ck_assert_double_eq_tol(first[0], -1.0 / 6.0, 1e-12);
    ck_assert_double_eq_tol(step[0], 2.0 / 3.0, 1e-12);
    ck_assert_double_eq_tol(first[2], 0.0, 1e-12);
    ck_assert_double_eq_tol(step[2], 1.0, 1e-12);

    for (size_t v = 0; v < 16; v++)
        mask->data[v] = 1;
    ri_resample_options options = {.label = 1, .spacing = {2, 2, 0},
                                   .interpolator = RI_INTERP_LINEAR, .pad = 10,
                                   .alignment = RI_GRID_CENTER,
                                   .mask_interpolator = RI_INTERP_NEAREST,
                                   .mask_threshold = 0.5};
    ck_assert_int_eq(ri_resample(image, mask, &options, &out_image, &out_mask, NULL), RAD_OK);
    ck_assert_uint_eq(out_image->size[0], 6);
    ck_assert_double_eq_tol(out_image->origin[0], 9.5, 1e-12);
    ck_assert_double_eq_tol(out_image->origin[1], 19.5, 1e-12);
    ck_assert_double_eq_tol(out_image->spacing[0], 2.0, 1e-12);
    rad_volume_free(out_image);
    rad_volume_free(out_mask);
    rad_volume_free(image);
    rad_volume_free(mask);
}
END_TEST

/*
 * 4 voxels of 1 mm, mask 0 1 1 0, image 0 3 7 12, resampled to 0.5 mm with
 * centred grids, give 8 samples at image index -0.25, 0.25, ..., 3.25. Linear
 * mask values are 0, 0.25, 0.75, 1, 1, 0.75, 0.25, 0, with neighbours clamped
 * at the border. The partial-volume threshold 0.5 keeps samples 2-5, where
 * the image is 2.25, 4, 6 and 8.25, rounded to 2, 4, 6 and 8.
 */
START_TEST(linear_mask_and_rounding)
{
    size_t size[3] = {4, 1, 1};
    double spacing[3] = {1, 1, 1}, origin[3] = {0, 0, 0}, direction[9] = {1, 0, 0, 0, 1, 0, 0,
                                                                          0, 1};
    const double image_values[4] = {0, 3, 7, 12}, mask_values[4] = {0, 1, 1, 0};
    const double want_mask[8] = {0, 0, 1, 1, 1, 1, 0, 0};
    const double want_rounded[4] = {2, 4, 6, 8}, want_raw[4] = {2.25, 4, 6, 8.25};
    rad_volume *image, *mask, *out_image, *out_mask;

    ck_assert_int_eq(rad_volume_create(size, spacing, origin, direction, &image, NULL), RAD_OK);
    ck_assert_int_eq(rad_volume_create(size, spacing, origin, direction, &mask, NULL), RAD_OK);
    for (int v = 0; v < 4; v++) {
        image->data[v] = image_values[v];
        mask->data[v] = mask_values[v];
    }
    for (int rounding = 0; rounding <= 1; rounding++) {
        ri_resample_options options = {.label = 1, .spacing = {0.5, 0, 0},
                                       .interpolator = RI_INTERP_LINEAR, .pad = 10,
                                       .alignment = RI_GRID_CENTER,
                                       .mask_interpolator = RI_INTERP_LINEAR,
                                       .mask_threshold = 0.5, .round_intensities = rounding};
        ck_assert_int_eq(ri_resample(image, mask, &options, &out_image, &out_mask, NULL),
                         RAD_OK);
        ck_assert_uint_eq(out_mask->size[0], 8);
        for (int v = 0; v < 8; v++)
            ck_assert_msg(out_mask->data[v] == want_mask[v], "mask[%d] = %g, expected %g", v,
                          out_mask->data[v], want_mask[v]);
        for (int v = 0; v < 4; v++) {
            double want = rounding ? want_rounded[v] : want_raw[v];
            /* 1e-12: two products and a sum */
            ck_assert_msg(fabs(out_image->data[v + 2] - want) <= 1e-12,
                          "rounding %d: image[%d] = %.15g, expected %g", rounding, v + 2,
                          out_image->data[v + 2], want);
        }
        rad_volume_free(out_image);
        rad_volume_free(out_mask);
    }
    rad_volume_free(image);
    rad_volume_free(mask);
}
END_TEST

/* Runs ri_ivh on values {0, 1, 1, 3} with the given discretisation. */
static void ivh_case(ri_ivh_discretisation mode, int with_range, double out[7])
{
    const double values[4] = {0, 1, 1, 3};
    const uint8_t mask[4] = {1, 1, 1, 1};
    const int levels[4] = {1, 1, 1, 1};
    ri_roi roi = {.size = {4, 1, 1}, .spacing = {1, 1, 1}, .values = values, .mask = mask,
                  .levels = levels, .max_level = 1, .n_voxels = 4};
    ri_settings settings;

    memset(&settings, 0, sizeof settings);
    settings.bin_width = 1;
    settings.ivh_discretisation = mode;
    settings.ivh_bin_width = 2;
    settings.ivh_bin_count = 4;
    settings.resegment_mode = RI_RESEGMENT_ABSOLUTE;
    if (with_range) {
        settings.n_resegment = 2;
        settings.resegment_range[0] = 0;
        settings.resegment_range[1] = 4;
    }
    ck_assert_int_eq(ri_ivh(&roi, &settings, out, NULL), RAD_OK);
}

static void check_ivh(const char *name, const double got[7], const double want[7])
{
    for (int f = 0; f < 7; f++)
        /* 1e-12: sums of a few fractions */
        ck_assert_msg(fabs(got[f] - want[f]) <= 1e-12, "%s: %s = %.15g, expected %.15g", name,
                      ri_ivh_table.defs[f].ibsi_tag, got[f], want[f]);
}

/*
 * IVH of {0, 1, 1, 3} by IBSI's definitions, features in the order v10, v90,
 * i10, i90, v10 - v90, i10 - i90, auc.
 * - none, range [0, 4]: levels 0..4, nu = 1, 0.75, 0.25, 0.25, 0,
 *   gamma = k / 4: V10 = 0.75, V90 = 0, I10 = 4, I90 = 1,
 *   AUC = 0.25 x (1.75 + 1 + 0.5 + 0.25) / 2 = 0.4375.
 * - binWidth 2, range [0, 4]: bins 1, 1, 1, 2 at centres 1 and 3, G = [1, 3],
 *   nu = 1, 0.25: V10 = V90 = 0.25, I10 = 3 + 2 (no nu <= 0.1), I90 = 3,
 *   AUC = (1 + 0.25) / 2 = 0.625.
 * - binCount 4, ROI range [0, 3] (width 0.75): bins 1, 2, 2, 4, nu = 1,
 *   0.75, 0.25, 0.25, gamma = (k - 1) / 3: V10 = 0.75, V90 = 0.25,
 *   I10 = 4 + 1, I90 = 2, AUC = (1.75 + 1 + 0.5) / 6 = 0.541666...
 */
START_TEST(ivh_discretisations)
{
    double out[7];

    ivh_case(RI_IVH_NONE, 1, out);
    check_ivh("none", out, (const double[7]){0.75, 0, 4, 1, 0.75, 3, 0.4375});
    ivh_case(RI_IVH_BIN_WIDTH, 1, out);
    check_ivh("binWidth", out, (const double[7]){0.25, 0.25, 5, 3, 0, 2, 0.625});
    ivh_case(RI_IVH_BIN_COUNT, 0, out);
    check_ivh("binCount", out, (const double[7]){0.75, 0.25, 5, 2, 0.5, 3, 3.25 / 6.0});
}
END_TEST

/*
 * Range re-segmentation, then outlier filtering on what it kept: a 3 x 3 x 3
 * ROI of 25 zeros, one 100 and one 1000, range [-10, 500]. The range drops
 * 1000. The 26 left have mean 100 / 26 and population SD 19.2, so mean + 3 SD
 * = 61.5 drops 100 as well and the maximum is 0. Filtering before the range
 * (SD over all 27, mean + 3 SD = 608) would have kept 100.
 */
START_TEST(range_then_outliers)
{
    size_t size[3] = {5, 5, 5};
    double spacing[3] = {1, 1, 1}, origin[3] = {0, 0, 0}, direction[9] = {1, 0, 0, 0, 1, 0, 0,
                                                                          0, 1};
    rad_volume *image, *mask;
    rad_params *params;
    rad_features *features;
    rad_error *error = rad_error_create();

    ck_assert_int_eq(rad_volume_create(size, spacing, origin, direction, &image, NULL), RAD_OK);
    ck_assert_int_eq(rad_volume_create(size, spacing, origin, direction, &mask, NULL), RAD_OK);
    for (size_t k = 1; k < 4; k++)
        for (size_t j = 1; j < 4; j++)
            for (size_t i = 1; i < 4; i++)
                mask->data[ri_index(mask, i, j, k)] = 1;
    image->data[ri_index(image, 1, 1, 1)] = 100;
    image->data[ri_index(image, 3, 3, 3)] = 1000;
    ck_assert_int_eq(rad_params_create("pyradiomics", &params, error), RAD_OK);
    ck_assert_int_eq(rad_params_set(params, "resegmentRange", "-10,500", error), RAD_OK);
    ck_assert_int_eq(rad_params_set(params, "resegmentOutliers", "3", error), RAD_OK);
    ck_assert_msg(rad_extract(params, image, mask, &features, error) == RAD_OK, "%s",
                  rad_error_message(error));
    size_t i = rad_features_find(features, "original_firstorder_Maximum");
    ck_assert_uint_ne(i, (size_t)-1);
    ck_assert_double_eq(rad_features_value(features, i), 0.0);
    /* Shape keeps the mask before resegmentation: 27 voxels of 1 mm^3. */
    i = rad_features_find(features, "original_shape_VoxelVolume");
    ck_assert_uint_ne(i, (size_t)-1);
    ck_assert_double_eq(rad_features_value(features, i), 27.0);
    rad_features_free(features);

    /* Outlier filtering alone: SD over all 27 voxels keeps 100. */
    ck_assert_int_eq(rad_params_set(params, "resegmentRange", "none", error), RAD_OK);
    ck_assert_int_eq(rad_extract(params, image, mask, &features, error), RAD_OK);
    i = rad_features_find(features, "original_firstorder_Maximum");
    ck_assert_double_eq(rad_features_value(features, i), 100.0);
    rad_features_free(features);

    /* pyradiomics' resegmentMode sigma with [-3, 3] is the same filter. The
     * mean (1100 / 27) and SD (189) of all 27 voxels give [-526, 608]. */
    ck_assert_int_eq(rad_params_set(params, "resegmentOutliers", "none", error), RAD_OK);
    ck_assert_int_eq(rad_params_set(params, "resegmentRange", "-3,3", error), RAD_OK);
    ck_assert_int_eq(rad_params_set(params, "resegmentMode", "sigma", error), RAD_OK);
    ck_assert_int_eq(rad_extract(params, image, mask, &features, error), RAD_OK);
    i = rad_features_find(features, "original_firstorder_Maximum");
    ck_assert_double_eq(rad_features_value(features, i), 100.0);
    i = rad_features_find(features, "original_firstorder_Minimum");
    ck_assert_double_eq(rad_features_value(features, i), 0.0);
    rad_features_free(features);
    rad_params_free(params);
    rad_volume_free(image);
    rad_volume_free(mask);
    rad_error_free(error);
}
END_TEST

/*
 * With resegmentation, the ibsi preset on 1 and on 2 threads gives the same
 * features, so the morphological mask reaches GLDZM and morphology in the
 * parallel path too. The 6 x 6 x 6 ROI contains the ramp (i + 2j + 3k) mod 11
 * with three voxels of 50 that the range [0, 20] removes.
 */
START_TEST(two_masks_threads_agree)
{
    size_t size[3] = {8, 8, 8};
    double spacing[3] = {1, 1, 2}, origin[3] = {0, 0, 0}, direction[9] = {1, 0, 0, 0, 1, 0, 0,
                                                                          0, 1};
    rad_volume *image, *mask;
    rad_features *results[2];
    rad_error *error = rad_error_create();

    ck_assert_int_eq(rad_volume_create(size, spacing, origin, direction, &image, NULL), RAD_OK);
    ck_assert_int_eq(rad_volume_create(size, spacing, origin, direction, &mask, NULL), RAD_OK);
    for (size_t k = 1; k < 7; k++)
        for (size_t j = 1; j < 7; j++)
            for (size_t i = 1; i < 7; i++) {
                mask->data[ri_index(mask, i, j, k)] = 1;
                image->data[ri_index(image, i, j, k)] = (double)((i + 2 * j + 3 * k) % 11);
            }
    image->data[ri_index(image, 3, 3, 3)] = 50;
    image->data[ri_index(image, 1, 4, 2)] = 50;
    image->data[ri_index(image, 6, 6, 6)] = 50;
    for (int run = 0; run < 2; run++) {
        rad_params *params;
        ck_assert_int_eq(rad_params_create("ibsi", &params, error), RAD_OK);
        ck_assert_int_eq(rad_params_set(params, "binWidth", "2", error), RAD_OK);
        ck_assert_int_eq(rad_params_set(params, "resegmentRange", "0,20", error), RAD_OK);
        ck_assert_int_eq(rad_params_set(params, "threads", run ? "2" : "1", error), RAD_OK);
        ck_assert_msg(rad_extract(params, image, mask, &results[run], error) == RAD_OK, "%s",
                      rad_error_message(error));
        rad_params_free(params);
    }
    ck_assert_uint_eq(rad_features_count(results[0]), rad_features_count(results[1]));
    for (size_t f = 0; f < rad_features_count(results[0]); f++) {
        double a = rad_features_value(results[0], f), b = rad_features_value(results[1], f);
        ck_assert_str_eq(rad_features_name(results[0], f), rad_features_name(results[1], f));
        ck_assert_msg((isnan(a) && isnan(b)) || a == b, "%s: %.17g on 1 thread, %.17g on 2",
                      rad_features_name(results[0], f), a, b);
    }
    /* morph_vol_approx counts the 216 voxels of the morphological mask (2 mm^3 each). */
    size_t i = rad_features_find(results[0], "original_morph_vol_approx");
    ck_assert_uint_ne(i, (size_t)-1);
    ck_assert_double_eq(rad_features_value(results[0], i), 432.0);
    rad_features_free(results[0]);
    rad_features_free(results[1]);
    rad_volume_free(image);
    rad_volume_free(mask);
    rad_error_free(error);
}
END_TEST

/* Each new setting rejects an invalid value with RAD_ERR_PARAMETER, naming the key. */
START_TEST(settings_validation)
{
    static const char *const bad[][2] = {
        {"resampleGridAlignment", "middle"}, {"maskInterpolator", "sitkBSpline"},
        {"maskPartialVolume", "0"},          {"maskPartialVolume", "1.5"},
        {"resegmentOutliers", "-1"},         {"ivhDiscretisation", "bins"},
        {"ivhBinWidth", "0"},                {"ivhBinCount", "1"},
        {"roundIntensities", "maybe"},
    };
    static const char *const good[][2] = {
        {"resampleGridAlignment", "center"}, {"maskInterpolator", "sitkLinear"},
        {"maskPartialVolume", "0.5"},        {"resegmentOutliers", "3"},
        {"ivhDiscretisation", "binWidth"},   {"ivhBinWidth", "2.5"},
        {"ivhBinCount", "1000"},             {"roundIntensities", "true"},
    };
    rad_params *params;
    rad_error *error = rad_error_create();
    char buf[64];

    ck_assert_int_eq(rad_params_create("pyradiomics", &params, error), RAD_OK);
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        ck_assert_int_eq(rad_params_set(params, bad[k][0], bad[k][1], error), RAD_ERR_PARAMETER);
        ck_assert_msg(strstr(rad_error_message(error), bad[k][0]) != NULL, "%s",
                      rad_error_message(error));
    }
    for (size_t k = 0; k < sizeof good / sizeof good[0]; k++) {
        ck_assert_int_eq(rad_params_set(params, good[k][0], good[k][1], error), RAD_OK);
        ck_assert_int_eq(rad_params_get(params, good[k][0], buf, sizeof buf, error), RAD_OK);
        ck_assert_str_eq(buf, good[k][1]);
    }
    rad_params_free(params);
    rad_error_free(error);
}
END_TEST

START_TEST(config_a)
{
    run_config('a');
}
END_TEST

START_TEST(config_b)
{
    run_config('b');
}
END_TEST

START_TEST(config_c)
{
    run_config('c');
}
END_TEST

START_TEST(config_d)
{
    run_config('d');
}
END_TEST

START_TEST(config_e)
{
    run_config('e');
}
END_TEST

static Suite *ibsi_configs_suite(void)
{
    Suite *suite = suite_create("ibsi_configs");
    TCase *units = tcase_create("units");

    tcase_add_test(units, center_grid_ibsi_example);
    tcase_add_test(units, linear_mask_and_rounding);
    tcase_add_test(units, ivh_discretisations);
    tcase_add_test(units, range_then_outliers);
    tcase_add_test(units, settings_validation);
    tcase_add_test(units, two_masks_threads_agree);
    suite_add_tcase(suite, units);
    const TTest *tests[5] = {config_a, config_b, config_c, config_d, config_e};
    const char *names[5] = {"config_a", "config_b", "config_c", "config_d", "config_e"};

    /* One case per configuration, so that CK_RUN_CASE=config_c runs one. */
    for (int i = 0; i < 5; i++) {
        TCase *tc = tcase_create(names[i]);
        tcase_set_timeout(tc, 600);
        tcase_add_test(tc, tests[i]);
        suite_add_tcase(suite, tc);
    }
    return suite;
}

int main(void)
{
    /* Line buffering keeps the FAIL and NOTE lines of a failed forked test. */
    setvbuf(stdout, NULL, _IOLBF, 0);
    SRunner *runner = srunner_create(ibsi_configs_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
