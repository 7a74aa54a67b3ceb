/*
 * test_glszm.c - GLSZM kernel against pyradiomics' baselines and matrix, the
 * IBSI 1 digital phantom, pyradiomics' documented example and a slow twin.
 *
 * IBSI 1 ("3D" GLSZM, 26-connected zones) and pyradiomics define all 16
 * features alike; the only difference:
 * | feature     | pyradiomics                   | IBSI                       |
 * |-------------|-------------------------------|----------------------------|
 * | ZoneEntropy | -sum p log2(p + 2^-52)        | -sum p log2 p (no epsilon) |
 * which does not change the phantom's value at IBSI's 3 significant digits.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "roi_case.h"
#include "testutil.h"
#include "texture.h"

#define N_FEATURES 16

static const int doc_image[5][5] = {
    {5, 2, 5, 4, 4}, {3, 3, 3, 1, 3}, {2, 1, 1, 1, 3}, {4, 2, 2, 2, 3}, {3, 5, 3, 3, 2},
};

START_TEST(table_layout)
{
    ck_assert_uint_eq(ri_glszm_table.count, N_FEATURES);
    ck_assert_str_eq(ri_glszm_table.class_name, "glszm");
    ck_assert_str_eq(ri_glszm_table.defs[0].name, "SmallAreaEmphasis");
    ck_assert_str_eq(ri_glszm_table.defs[9].name, "ZoneEntropy");
    ck_assert_str_eq(ri_glszm_table.defs[15].name, "LargeAreaHighGrayLevelEmphasis");
    for (size_t f = 0; f < ri_glszm_table.count; f++)
        ck_assert_int_eq(strncmp(ri_glszm_table.defs[f].ibsi_tag, "szm_", 4), 0);
}
END_TEST

/*
 * pyradiomics' GLSZM docstring example, 8-connected in 2-D. Checked by hand:
 * level 1: {(1,3),(2,1),(2,2),(2,3)} size 4; level 2: {(0,1)} size 1 and
 * {(2,0),(3,1),(3,2),(3,3),(4,4)} size 5 (diagonal links); level 3: {(4,0)} 1,
 * {(1,0),(1,1),(1,2)} 3, {(1,4),(2,4),(3,4),(4,3),(4,2)} 5; level 4:
 * {(0,3),(0,4)} 2 and {(3,0)} 1; level 5: three zones of size 1.
 */
START_TEST(docstring_example)
{
    static const double expected[5][5] = {
        {0, 0, 0, 1, 0}, {1, 0, 0, 0, 1}, {1, 0, 1, 0, 1}, {1, 1, 0, 0, 0}, {3, 0, 0, 0, 0},
    };
    size_t size[3] = {5, 5, 1};
    roi_case c;
    ck_assert_int_eq(roi_case_from_levels(size, &doc_image[0][0], &c), 0);
    ri_level_grid grid;
    ri_size_matrix m;
    ck_assert_int_eq(ri_glszm_matrix(&c.roi, &grid, &m, NULL), RAD_OK);
    ck_assert_uint_eq(m.n_rows, 5);
    /* distinct sizes 1..5 are all present */
    ck_assert_uint_eq(m.n_cols, 5);
    for (size_t i = 0; i < 5; i++)
        for (size_t j = 0; j < 5; j++) {
            ck_assert_double_eq(m.col_value[j], (double)(j + 1));
            ck_assert_double_eq(m.counts[i * 5 + j], expected[i][j]); /* exact counts */
        }
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
    if (!test_refdata_path(csv, sizeof csv, "pyradiomics/data/baseline/baseline_glszm.csv",
                           "glszm baseline"))
        return;
    roi_case c;
    int loaded = roi_case_load(image, label, 1.0, 25.0, &c);
    if (loaded == 0)
        return;
    ck_assert_int_eq(loaded, 1);

    double out[N_FEATURES];
    rad_error *error = rad_error_create();
    ck_assert_msg(ri_glszm(&c.roi, NULL, out, error) == RAD_OK, "%s", rad_error_message(error));
    for (size_t f = 0; f < N_FEATURES; f++) {
        char row[128];
        double want;
        snprintf(row, sizeof row, "original_glszm_%s", ri_glszm_table.defs[f].name);
        ck_assert_msg(csv_lookup(csv, row, case_name, &want) == 0, "%s missing", row);
        /* tolerance: 1e-5 relative, 1e-9 absolute near zero */
        ck_assert_msg(close_enough(out[f], want, 1e-5, 1e-9), "%s %s: got %.12g, pyradiomics %.12g",
                      case_name, row, out[f], want);
    }
    rad_error_free(error);
    roi_case_free(&c);
}

START_TEST(baseline_brain1) { check_baseline("brain1"); }
END_TEST
START_TEST(baseline_brain2) { check_baseline("brain2"); }
END_TEST
START_TEST(baseline_breast1) { check_baseline("breast1"); }
END_TEST

/* brain1_glszm.npy: pyradiomics' matrix, (grey levels present, zone sizes present). */
START_TEST(matrix_brain1)
{
    char path[1024];
    if (!test_refdata_path(path, sizeof path, "pyradiomics/data/baseline/brain1_glszm.npy",
                           "glszm matrix"))
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
    ck_assert_int_eq(ri_glszm_matrix(&c.roi, &grid, &m, NULL), RAD_OK);
    ck_assert_uint_eq(m.n_rows, ref.shape[0]);
    ck_assert_uint_eq(m.n_cols, ref.shape[1]);
    for (size_t i = 0; i < m.n_rows; i++)
        for (size_t j = 0; j < m.n_cols; j++)
            ck_assert_msg(m.counts[i * m.n_cols + j] == ref.data[i * m.n_cols + j], /* exact */
                          "row %zu, size %g: got %g, pyradiomics %g", i, m.col_value[j],
                          m.counts[i * m.n_cols + j], ref.data[i * m.n_cols + j]);
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
    ck_assert_int_eq(ri_glszm(&c.roi, NULL, out, NULL), RAD_OK);
    for (size_t f = 0; f < N_FEATURES; f++) {
        char tag[64];
        double want, tolerance;
        snprintf(tag, sizeof tag, "%s_3D", ri_glszm_table.defs[f].ibsi_tag);
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

/*
 * Zones by repeated relabelling: every ROI voxel starts with its own index as
 * label, then takes the smallest label of its 26 same-level neighbours until
 * no label changes. P is max_level x n_voxels (sizes 1..n_voxels).
 */
static void naive_zones(const roi_case *c, double *P)
{
    const size_t *size = c->roi.size;
    size_t n = size[0] * size[1] * size[2], n_voxels = c->roi.n_voxels;
    size_t *label = malloc(n * sizeof *label), *count = calloc(n, sizeof *count);
    ck_assert_ptr_nonnull(label);
    ck_assert_ptr_nonnull(count);
    for (size_t v = 0; v < n; v++)
        label[v] = v;
    for (int changed = 1; changed;) {
        changed = 0;
        for (long z = 0; z < (long)size[2]; z++)
            for (long y = 0; y < (long)size[1]; y++)
                for (long x = 0; x < (long)size[0]; x++) {
                    size_t v = (size_t)x + size[0] * ((size_t)y + size[1] * (size_t)z);
                    if (!c->mask[v])
                        continue;
                    for (int dz = -1; dz <= 1; dz++)
                        for (int dy = -1; dy <= 1; dy++)
                            for (int dx = -1; dx <= 1; dx++) {
                                if (!inside(size, x + dx, y + dy, z + dz))
                                    continue;
                                size_t w = (size_t)(x + dx) +
                                           size[0] * ((size_t)(y + dy) + size[1] * (size_t)(z + dz));
                                if (c->mask[w] && c->levels[w] == c->levels[v] &&
                                    label[w] < label[v]) {
                                    label[v] = label[w];
                                    changed = 1;
                                }
                            }
                }
    }
    memset(P, 0, (size_t)c->roi.max_level * n_voxels * sizeof *P);
    for (size_t v = 0; v < n; v++)
        if (c->mask[v])
            count[label[v]]++;
    for (size_t v = 0; v < n; v++)
        if (count[v] > 0)
            P[(size_t)(c->levels[v] - 1) * n_voxels + (count[v] - 1)] += 1.0;
    free(label);
    free(count);
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
    for (unsigned seed = 1; seed <= 1000; seed++) {
        roi_case c;
        random_case(seed, &c);
        size_t n_voxels = c.roi.n_voxels, n_levels = (size_t)c.roi.max_level;
        double *P = malloc(n_levels * n_voxels * sizeof *P);
        double *col_value = malloc(n_voxels * sizeof *col_value);
        ck_assert_ptr_nonnull(P);
        ck_assert_ptr_nonnull(col_value);
        for (size_t j = 0; j < n_voxels; j++)
            col_value[j] = (double)(j + 1);
        naive_zones(&c, P);

        ri_level_grid grid;
        ri_size_matrix m;
        ck_assert_int_eq(ri_glszm_matrix(&c.roi, &grid, &m, NULL), RAD_OK);
        /* Expand the fast matrix (present levels x distinct sizes) to the twin's layout. */
        double *fast = calloc(n_levels * n_voxels, sizeof *fast);
        ck_assert_ptr_nonnull(fast);
        for (size_t r = 0; r < m.n_rows; r++)
            for (size_t k = 0; k < m.n_cols; k++)
                fast[((size_t)m.row_level[r] - 1) * n_voxels + (size_t)m.col_value[k] - 1] +=
                    m.counts[r * m.n_cols + k];
        for (size_t e = 0; e < n_levels * n_voxels; e++)
            /* Abort only on a mismatch, because Check logs every assert it runs. */
            if (fast[e] != P[e])
                ck_abort_msg("seed %u level %zu size %zu: %g vs twin %g", seed, e / n_voxels + 1,
                             e % n_voxels + 1, fast[e], P[e]);
        ri_size_matrix_free(&m);
        ri_level_grid_free(&grid);

        double want[N_FEATURES], out[N_FEATURES];
        naive_size_features(P, n_levels, n_voxels, col_value, (double)n_voxels, want);
        ck_assert_int_eq(ri_glszm(&c.roi, NULL, out, NULL), RAD_OK);
        for (int f = 0; f < N_FEATURES; f++)
            /* tolerance: 1e-10 relative, 1e-12 absolute (summation order only) */
            ck_assert_msg(close_enough(out[f], want[f], 1e-10, 1e-12),
                          "seed %u %s: %.15g vs twin %.15g", seed, ri_glszm_table.defs[f].name,
                          out[f], want[f]);
        free(fast);
        free(P);
        free(col_value);
        roi_case_free(&c);
    }
}
END_TEST

/* A solid 40^3 cube is one zone; the flood fill must not recurse. */
START_TEST(large_single_zone)
{
    size_t size[3] = {40, 40, 40}, n = 40 * 40 * 40;
    int *levels = malloc(n * sizeof *levels);
    ck_assert_ptr_nonnull(levels);
    for (size_t v = 0; v < n; v++)
        levels[v] = 1;
    roi_case c;
    ck_assert_int_eq(roi_case_from_levels(size, levels, &c), 0);
    free(levels);
    double out[N_FEATURES];
    ck_assert_int_eq(ri_glszm(&c.roi, NULL, out, NULL), RAD_OK);
    /* one zone of 64000 voxels: SAE = 1 / 64000^2, ZP = 1 / 64000, GLNN = 1 (exact up to 1e-15) */
    ck_assert_double_eq_tol(out[0], 1.0 / (64000.0 * 64000.0), 1e-20);
    ck_assert_double_eq_tol(out[6], 1.0 / 64000.0, 1e-15);
    ck_assert_double_eq_tol(out[3], 1.0, 1e-15);
    ck_assert_double_eq_tol(out[7], 0.0, 1e-15);
    roi_case_free(&c);
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("glszm");
    TCase *tc = tcase_create("glszm");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, table_layout);
    tcase_add_test(tc, docstring_example);
    tcase_add_test(tc, baseline_brain1);
    tcase_add_test(tc, baseline_brain2);
    tcase_add_test(tc, baseline_breast1);
    tcase_add_test(tc, matrix_brain1);
    tcase_add_test(tc, ibsi_digital_phantom);
    tcase_add_test(tc, slow_twin_random_rois);
    tcase_add_test(tc, large_single_zone);
    suite_add_tcase(suite, tc);

    SRunner *runner = srunner_create(suite);
    srunner_set_fork_status(runner, CK_FORK);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
