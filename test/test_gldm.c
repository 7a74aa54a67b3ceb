/*
 * test_gldm.c - GLDM kernel against pyradiomics' baselines and matrix, the
 * IBSI 1 digital phantom (NGLDM, alpha 0, distance 1), pyradiomics'
 * documented example and a brute-force twin.
 *
 * IBSI NGLDM and pyradiomics GLDM, alpha = 0, Chebyshev distance 1, 3-D:
 * | pyradiomics                          | IBSI            | same?                        |
 * |--------------------------------------|-----------------|------------------------------|
 * | SmallDependenceEmphasis              | ngl_lde         | yes                          |
 * | LargeDependenceEmphasis              | ngl_hde         | yes                          |
 * | GrayLevelNonUniformity               | ngl_glnu        | yes                          |
 * | GrayLevelNonUniformityNormalized     | ngl_glnu_norm   | yes (deprecated in pyrad.)   |
 * | DependenceNonUniformity(Normalized)  | ngl_dcnu(_norm) | yes                          |
 * | GrayLevelVariance, DependenceVariance| ngl_gl_var, ngl_dc_var | yes                   |
 * | DependenceEntropy                    | ngl_dc_entr     | pyradiomics adds 2^-52 to p  |
 * | DependencePercentage                 | ngl_dc_perc     | yes, always 1 (deprecated)   |
 * | Low/HighGrayLevelEmphasis            | ngl_lgce/hgce   | yes                          |
 * | (Small|Large)Dependence(Low|High)... | ngl_(l|h)d(l|h)ge | yes                        |
 * | (none)                               | ngl_dc_energy   | not in pyradiomics           |
 * Dependence counts the centre voxel in both (j = 1 + dependent neighbours).
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "roi_case.h"
#include "testutil.h"
#include "texture.h"

#define N_FEATURES 17
/* Index of DependenceCountEnergy (IBSI ngl_dc_energy), which pyradiomics lacks. */
#define ENERGY 16
#define N_COLUMNS 27

static const int doc_image[5][5] = {
    {5, 2, 5, 4, 4}, {3, 3, 3, 1, 3}, {2, 1, 1, 1, 3}, {4, 2, 2, 2, 3}, {3, 5, 3, 3, 2},
};

/* Index into naive_size_features' output of each GLDM table entry before ENERGY. */
static const int naive_index[ENERGY] = {0, 1, 2, 3, 4, 5, 7, 8, 9, 6, 10, 11, 12, 13, 14, 15};

START_TEST(table_layout)
{
    ck_assert_uint_eq(ri_gldm_table.count, N_FEATURES);
    ck_assert_str_eq(ri_gldm_table.class_name, "gldm");
    ck_assert_str_eq(ri_gldm_table.defs[0].name, "SmallDependenceEmphasis");
    ck_assert_str_eq(ri_gldm_table.defs[3].name, "GrayLevelNonUniformityNormalized");
    ck_assert_int_eq(ri_gldm_table.defs[3].deprecated, 1);
    ck_assert_str_eq(ri_gldm_table.defs[9].name, "DependencePercentage");
    ck_assert_int_eq(ri_gldm_table.defs[9].deprecated, 1);
    ck_assert_str_eq(ri_gldm_table.defs[ENERGY].ibsi_tag, "ngl_dc_energy");
    ck_assert_int_eq(ri_gldm_table.defs[ENERGY].default_on, 0);
    int enabled = 0;
    for (size_t f = 0; f < ri_gldm_table.count; f++)
        enabled += ri_gldm_table.defs[f].default_on;
    ck_assert_int_eq(enabled, 14);
}
END_TEST

/*
 * pyradiomics' GLDM docstring example (alpha 0, distance 1, 2-D). Row 1 by
 * hand: (1,3) has 2 dependent neighbours -> j = 3, (2,1) 1 -> 2, (2,2) 3 -> 4,
 * (2,3) 2 -> 3, so row 1 is [0 1 2 1].
 */
START_TEST(docstring_example)
{
    static const double expected[5][4] = {
        {0, 1, 2, 1}, {1, 2, 3, 0}, {1, 4, 4, 0}, {1, 2, 0, 0}, {3, 0, 0, 0},
    };
    size_t size[3] = {5, 5, 1};
    roi_case c;
    ck_assert_int_eq(roi_case_from_levels(size, &doc_image[0][0], &c), 0);
    ri_level_grid grid;
    ri_size_matrix m;
    ck_assert_int_eq(ri_gldm_matrix(&c.roi, 0.0, &grid, &m, NULL), RAD_OK);
    ck_assert_uint_eq(m.n_rows, 5);
    ck_assert_uint_eq(m.n_cols, N_COLUMNS);
    for (size_t i = 0; i < 5; i++)
        for (size_t j = 0; j < N_COLUMNS; j++)
            ck_assert_double_eq(m.counts[i * N_COLUMNS + j], j < 4 ? expected[i][j] : 0.0);
    ri_size_matrix_free(&m);
    ri_level_grid_free(&grid);
    roi_case_free(&c);
}
END_TEST

static void check_baseline(const char *case_name)
{
    char image[256], label[256], csv[1024];
    snprintf(image, sizeof image, "pyradiomics/data/%s_image.nrrd", case_name);
    snprintf(label, sizeof label, "pyradiomics/data/%s_label.nrrd", case_name);
    if (!test_refdata_path(csv, sizeof csv, "pyradiomics/data/baseline/baseline_gldm.csv",
                           "gldm baseline"))
        return;
    roi_case c;
    int loaded = roi_case_load(image, label, 1.0, 25.0, &c);
    if (loaded == 0)
        return;
    ck_assert_int_eq(loaded, 1);

    double out[N_FEATURES];
    rad_error *error = rad_error_create();
    ck_assert_msg(ri_gldm(&c.roi, NULL, out, error) == RAD_OK, "%s", rad_error_message(error));
    for (size_t f = 0; f < N_FEATURES; f++) {
        if (ri_gldm_table.defs[f].deprecated || f == ENERGY)
            continue; /* pyradiomics computes no value for these */
        char row[128];
        double want;
        snprintf(row, sizeof row, "original_gldm_%s", ri_gldm_table.defs[f].name);
        ck_assert_msg(csv_lookup(csv, row, case_name, &want) == 0, "%s missing", row);
        /* tolerance: 1e-5 relative, 1e-9 absolute near zero */
        ck_assert_msg(close_enough(out[f], want, 1e-5, 1e-9), "%s %s: got %.12g, pyradiomics %.12g",
                      case_name, row, out[f], want);
    }
    /* DependencePercentage is N_z / N_p = 1 exactly */
    ck_assert_double_eq(out[9], 1.0);
    rad_error_free(error);
    roi_case_free(&c);
}

START_TEST(baseline_brain1) { check_baseline("brain1"); }
END_TEST
START_TEST(baseline_brain2) { check_baseline("brain2"); }
END_TEST
START_TEST(baseline_breast1) { check_baseline("breast1"); }
END_TEST

/* brain1_gldm.npy: pyradiomics' matrix, (grey levels present, dependence values present). */
START_TEST(matrix_brain1)
{
    char path[1024];
    if (!test_refdata_path(path, sizeof path, "pyradiomics/data/baseline/brain1_gldm.npy",
                           "gldm matrix"))
        return;
    roi_case c;
    int loaded = roi_case_load("pyradiomics/data/brain1_image.nrrd",
                               "pyradiomics/data/brain1_label.nrrd", 1.0, 25.0, &c);
    if (loaded == 0)
        return;
    ck_assert_int_eq(loaded, 1);
    case_npy ref;
    ck_assert_int_eq(case_npy_read(path, &ref), 0);
    ck_assert_uint_eq(ref.ndim, 2);

    ri_level_grid grid;
    ri_size_matrix m;
    ck_assert_int_eq(ri_gldm_matrix(&c.roi, 0.0, &grid, &m, NULL), RAD_OK);
    ck_assert_uint_eq(m.n_rows, ref.shape[0]);
    size_t kept[N_COLUMNS], n_kept = 0;
    for (size_t j = 0; j < N_COLUMNS; j++) {
        double column = 0.0;
        for (size_t i = 0; i < m.n_rows; i++)
            column += m.counts[i * N_COLUMNS + j];
        if (column > 0.0)
            kept[n_kept++] = j;
    }
    ck_assert_uint_eq(n_kept, ref.shape[1]);
    for (size_t i = 0; i < m.n_rows; i++)
        for (size_t k = 0; k < n_kept; k++)
            ck_assert_msg(m.counts[i * N_COLUMNS + kept[k]] == ref.data[i * n_kept + k], /* exact */
                          "row %zu, dependence %zu: got %g, pyradiomics %g", i, kept[k] + 1,
                          m.counts[i * N_COLUMNS + kept[k]], ref.data[i * n_kept + k]);
    ri_size_matrix_free(&m);
    ri_level_grid_free(&grid);
    case_npy_free(&ref);
    roi_case_free(&c);
}
END_TEST

/* IBSI reference values have 3 significant digits and a published tolerance of 0. */
static double three_digit_tolerance(double value)
{
    if (value == 0.0)
        return 5e-4;
    return 0.5 * pow(10.0, floor(log10(fabs(value))) - 2.0);
}

START_TEST(ibsi_digital_phantom)
{
    char csv[1024];
    if (!test_refdata_path(csv, sizeof csv, "ibsi_1_reference_values/ibsi_1_dig_phantom.csv",
                           "IBSI phantom reference"))
        return;
    roi_case c;
    int loaded = roi_case_load("ibsi_1_digital_phantom/nifti/image/phantom.nii.gz",
                               "ibsi_1_digital_phantom/nifti/mask/mask.nii.gz", 1.0, 1.0, &c);
    if (loaded == 0)
        return;
    ck_assert_int_eq(loaded, 1);

    double out[N_FEATURES];
    ck_assert_int_eq(ri_gldm(&c.roi, NULL, out, NULL), RAD_OK);
    for (size_t f = 0; f < N_FEATURES; f++) {
        char tag[64];
        double want, tolerance;
        snprintf(tag, sizeof tag, "%s_3D", ri_gldm_table.defs[f].ibsi_tag);
        ck_assert_msg(ibsi_lookup(csv, tag, &want, &tolerance) == 0, "%s missing", tag);
        /* tolerance: the published one, widened to the rounding of 3 significant digits */
        double allowed = fmax(tolerance, three_digit_tolerance(want));
        ck_assert_msg(fabs(out[f] - want) <= allowed, "%s: got %.6g, IBSI %.6g +- %g", tag, out[f],
                      want, allowed);
    }
    roi_case_free(&c);
}
END_TEST

/* ---- slow twin ------------------------------------------------------- */

static int inside(const size_t size[3], long x, long y, long z)
{
    return x >= 0 && y >= 0 && z >= 0 && x < (long)size[0] && y < (long)size[1] &&
           z < (long)size[2];
}

/* Dependence by brute force over the 3 x 3 x 3 block around each ROI voxel. */
static void naive_dependence(const roi_case *c, double alpha, double *P)
{
    const size_t *size = c->roi.size;
    memset(P, 0, (size_t)c->roi.max_level * N_COLUMNS * sizeof *P);
    for (long z = 0; z < (long)size[2]; z++)
        for (long y = 0; y < (long)size[1]; y++)
            for (long x = 0; x < (long)size[0]; x++) {
                size_t v = (size_t)x + size[0] * ((size_t)y + size[1] * (size_t)z);
                if (!c->mask[v])
                    continue;
                int dependence = 0; /* the centre counts itself below (dx = dy = dz = 0) */
                for (int dz = -1; dz <= 1; dz++)
                    for (int dy = -1; dy <= 1; dy++)
                        for (int dx = -1; dx <= 1; dx++) {
                            if (!inside(size, x + dx, y + dy, z + dz))
                                continue;
                            size_t w = (size_t)(x + dx) +
                                       size[0] * ((size_t)(y + dy) + size[1] * (size_t)(z + dz));
                            if (c->mask[w] && abs(c->levels[w] - c->levels[v]) <= alpha)
                                dependence++;
                        }
                P[(size_t)(c->levels[v] - 1) * N_COLUMNS + (size_t)(dependence - 1)] += 1.0;
            }
}

/* Builds a small box with up to 6 levels for seeds up to 300, and
 * calls roi_case_random_shape for larger seeds. */
static void random_case(unsigned seed, roi_case *c)
{
    if (seed > 300) {
        ck_assert_int_eq(roi_case_random_shape(seed, c), 0);
        return;
    }
    srand(seed);
    size_t size[3] = {1 + (size_t)(rand() % 9), 1 + (size_t)(rand() % 9), 1 + (size_t)(rand() % 6)};
    size_t n = size[0] * size[1] * size[2];
    int n_levels = 1 + rand() % 6, fill = 30 + rand() % 70;
    int *levels = calloc(n, sizeof *levels);
    ck_assert_ptr_nonnull(levels);
    for (size_t v = 0; v < n; v++)
        levels[v] = rand() % 100 < fill ? 1 + rand() % n_levels : 0;
    levels[rand() % n] = 1 + rand() % n_levels; /* at least one ROI voxel */
    ck_assert_int_eq(roi_case_from_levels(size, levels, c), 0);
    free(levels);
}

START_TEST(slow_twin_random_rois)
{
    double col_value[N_COLUMNS];
    for (int j = 0; j < N_COLUMNS; j++)
        col_value[j] = j + 1;
    for (unsigned seed = 1; seed <= 1000; seed++) {
        roi_case c;
        random_case(seed, &c);
        double alpha = (double)(seed % 3); /* gldm_a 0, 1 and 2 */
        size_t n_levels = (size_t)c.roi.max_level;
        double *P = malloc(n_levels * N_COLUMNS * sizeof *P);
        ck_assert_ptr_nonnull(P);
        naive_dependence(&c, alpha, P);

        ri_level_grid grid;
        ri_size_matrix m;
        ck_assert_int_eq(ri_gldm_matrix(&c.roi, alpha, &grid, &m, NULL), RAD_OK);
        for (size_t level = 1; level <= n_levels; level++) {
            int row = grid.row_of_level[level];
            for (size_t j = 0; j < N_COLUMNS; j++) {
                double fast = row < 0 ? 0.0 : m.counts[(size_t)row * N_COLUMNS + j];
                /* Abort only on a mismatch, because Check logs every assert it runs. */
                if (fast != P[(level - 1) * N_COLUMNS + j])
                    ck_abort_msg("seed %u level %zu dependence %zu: %g vs twin %g", seed, level,
                                 j + 1, fast, P[(level - 1) * N_COLUMNS + j]);
            }
        }
        ri_size_matrix_free(&m);
        ri_level_grid_free(&grid);

        ri_settings settings;
        memset(&settings, 0, sizeof settings);
        settings.gldm_a = alpha;
        double want[N_FEATURES], out[N_FEATURES];
        naive_size_features(P, n_levels, N_COLUMNS, col_value, (double)c.roi.n_voxels, want);
        ck_assert_int_eq(ri_gldm(&c.roi, &settings, out, NULL), RAD_OK);
        double total = 0.0, energy = 0.0;
        for (size_t cell = 0; cell < n_levels * N_COLUMNS; cell++)
            total += P[cell];
        for (size_t cell = 0; cell < n_levels * N_COLUMNS; cell++)
            energy += (P[cell] / total) * (P[cell] / total);
        /* tolerance: 1e-10 relative, 1e-12 absolute (summation order only) */
        ck_assert_msg(close_enough(out[ENERGY], energy, 1e-10, 1e-12),
                      "seed %u energy: %.15g vs twin %.15g", seed, out[ENERGY], energy);
        for (int f = 0; f < ENERGY; f++)
            /* tolerance: 1e-10 relative, 1e-12 absolute (summation order only) */
            ck_assert_msg(close_enough(out[f], want[naive_index[f]], 1e-10, 1e-12),
                          "seed %u %s: %.15g vs twin %.15g", seed, ri_gldm_table.defs[f].name,
                          out[f], want[naive_index[f]]);
        free(P);
        roi_case_free(&c);
    }
}
END_TEST

/*
 * alpha = 0 with grey levels near the byte limit. Up to 254 levels the
 * kernel compares one byte per voxel, with padding 255, and from 255 levels
 * on it compares ints. Both paths must match the twin.
 */
START_TEST(slow_twin_levels_near_byte_limit)
{
    const int top_levels[] = {254, 255, 256, 300};

    for (size_t t = 0; t < sizeof top_levels / sizeof top_levels[0]; t++) {
        for (unsigned seed = 1; seed <= 20; seed++) {
            srand(seed);
            size_t size[3] = {1 + (size_t)(rand() % 23), 1 + (size_t)(rand() % 7),
                              1 + (size_t)(rand() % 5)};
            size_t n = size[0] * size[1] * size[2];
            int top = top_levels[t];
            const int choices[] = {1, 2, top - 1, top};
            int *levels = calloc(n, sizeof *levels);
            ck_assert_ptr_nonnull(levels);
            for (size_t v = 0; v < n; v++)
                levels[v] = rand() % 100 < 80 ? choices[rand() % 4] : 0;
            levels[rand() % n] = top; /* max_level is top */

            roi_case c;
            ck_assert_int_eq(roi_case_from_levels(size, levels, &c), 0);
            free(levels);
            ck_assert_int_eq(c.roi.max_level, top);
            double *P = malloc((size_t)top * N_COLUMNS * sizeof *P);
            ck_assert_ptr_nonnull(P);
            naive_dependence(&c, 0.0, P);

            ri_level_grid grid;
            ri_size_matrix m;
            ck_assert_int_eq(ri_gldm_matrix(&c.roi, 0.0, &grid, &m, NULL), RAD_OK);
            for (int level = 1; level <= top; level++) {
                int row = grid.row_of_level[level];
                for (size_t j = 0; j < N_COLUMNS; j++) {
                    double fast = row < 0 ? 0.0 : m.counts[(size_t)row * N_COLUMNS + j];
                    if (fast != P[(size_t)(level - 1) * N_COLUMNS + j])
                        ck_abort_msg("top %d seed %u level %d dependence %zu: %g vs twin %g",
                                     top, seed, level, j + 1, fast,
                                     P[(size_t)(level - 1) * N_COLUMNS + j]);
                }
            }
            ri_size_matrix_free(&m);
            ri_level_grid_free(&grid);
            free(P);
            roi_case_free(&c);
        }
    }
}
END_TEST

START_TEST(rejects_bad_settings)
{
    size_t size[3] = {2, 1, 1};
    int levels[2] = {1, 2};
    roi_case c;
    ck_assert_int_eq(roi_case_from_levels(size, levels, &c), 0);
    ri_settings settings;
    memset(&settings, 0, sizeof settings);
    double out[N_FEATURES];
    settings.gldm_a = -1.0;
    ck_assert_int_eq(ri_gldm(&c.roi, &settings, out, NULL), RAD_ERR_PARAMETER);
    settings.gldm_a = 0.0;
    settings.n_distances = 1;
    settings.distances[0] = 2;
    ck_assert_int_eq(ri_gldm(&c.roi, &settings, out, NULL), RAD_ERR_UNSUPPORTED);
    roi_case_free(&c);
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("gldm");
    TCase *tc = tcase_create("gldm");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, table_layout);
    tcase_add_test(tc, docstring_example);
    tcase_add_test(tc, baseline_brain1);
    tcase_add_test(tc, baseline_brain2);
    tcase_add_test(tc, baseline_breast1);
    tcase_add_test(tc, matrix_brain1);
    tcase_add_test(tc, ibsi_digital_phantom);
    tcase_add_test(tc, slow_twin_random_rois);
    tcase_add_test(tc, slow_twin_levels_near_byte_limit);
    tcase_add_test(tc, rejects_bad_settings);
    suite_add_tcase(suite, tc);

    SRunner *runner = srunner_create(suite);
    srunner_set_fork_status(runner, CK_FORK);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
