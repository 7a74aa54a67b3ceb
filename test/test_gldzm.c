/*
 * test_gldzm.c - GLDZM kernel against the IBSI 1 digital phantom (dzm_*_3D),
 * a hand-computed 2-D case and a brute-force twin.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "families.h"
#include "roi_case.h"
#include "testutil.h"

#define N_FEATURES 16

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
    ck_assert_int_eq(ri_gldzm(&c.roi, NULL, out, NULL), RAD_OK);
    for (size_t f = 0; f < N_FEATURES; f++) {
        char tag[64];
        double want, tolerance;
        snprintf(tag, sizeof tag, "%s_3D", ri_gldzm_table.defs[f].ibsi_tag);
        ck_assert_msg(ibsi_lookup(csv, tag, &want, &tolerance) == 0, "%s missing", tag);
        /* tolerance: the published one, widened to the rounding of 3 significant digits */
        double allowed = fmax(tolerance, three_digit_tolerance(want));
        ck_assert_msg(fabs(out[f] - want) <= allowed, "%s: got %.6g, IBSI %.6g +- %g", tag, out[f],
                      want, allowed);
    }
    roi_case_free(&c);
}
END_TEST

/*
 * Hand case, 5 x 5 x 3 voxels of level 1 with a 3 x 3 block of level 2 in
 * the centre of the middle slice. The level-1 zone touches the box border:
 * distance 1. Every block voxel is one step from the padding above or below
 * (z = -1 or z = 3), so its distance is 2, and so is the zone's.
 * P: level 1 -> [1 0], level 2 -> [0 1].
 */
START_TEST(hand_case)
{
    size_t size[3] = {5, 5, 3};
    int levels[75];
    for (int v = 0; v < 75; v++) {
        int x = v % 5, y = v / 5 % 5, z = v / 25;
        levels[v] = (z == 1 && x >= 1 && x <= 3 && y >= 1 && y <= 3) ? 2 : 1;
    }
    roi_case c;
    ck_assert_int_eq(roi_case_from_levels(size, levels, &c), 0);
    double *P = NULL;
    size_t n_distances = 0;
    ck_assert_int_eq(ri_gldzm_matrix(&c.roi, &P, &n_distances, NULL), RAD_OK);
    ck_assert_uint_eq(n_distances, 2);
    ck_assert_double_eq(P[0], 1.0);
    ck_assert_double_eq(P[1], 0.0);
    ck_assert_double_eq(P[2], 0.0);
    ck_assert_double_eq(P[3], 1.0);
    free(P);
    roi_case_free(&c);
}
END_TEST

/* ---- slow twin ------------------------------------------------------- */

static void random_case(unsigned seed, roi_case *c)
{
    srand(seed);
    size_t size[3] = {1 + (size_t)(rand() % 10), 1 + (size_t)(rand() % 10), 1 + (size_t)(rand() % 8)};
    size_t n = size[0] * size[1] * size[2];
    int n_levels = 1 + rand() % 4, fill = 50 + rand() % 51;
    int *levels = calloc(n, sizeof *levels);
    ck_assert_ptr_nonnull(levels);
    for (size_t v = 0; v < n; v++)
        levels[v] = rand() % 100 < fill ? 1 + rand() % n_levels : 0;
    levels[rand() % n] = 1 + rand() % n_levels;
    ck_assert_int_eq(roi_case_from_levels(size, levels, c), 0);
    free(levels);
}

/*
 * Distance by brute force: 1 + the smallest city-block distance from the
 * voxel to a non-ROI voxel of the box or to a position just beyond the box.
 * Zones by repeated min-label propagation until nothing changes.
 */
static double *naive_gldzm(const roi_case *c, size_t *n_cols)
{
    const size_t *size = c->roi.size;
    long sx = (long)size[0], sy = (long)size[1], sz = (long)size[2];
    size_t n = size[0] * size[1] * size[2];
    long *distance = malloc(n * sizeof *distance);
    size_t *label = malloc(n * sizeof *label);
    ck_assert_ptr_nonnull(distance);
    ck_assert_ptr_nonnull(label);
    long largest = 1;
    for (size_t v = 0; v < n; v++) {
        label[v] = v;
        if (!c->mask[v])
            continue;
        long x = (long)(v % size[0]), y = (long)(v / size[0] % size[1]), z = (long)(v / (size[0] * size[1]));
        /* nearest position beyond the box */
        long best = x + 1;
        long beyond[5] = {sx - x, y + 1, sy - y, z + 1, sz - z};
        for (int k = 0; k < 5; k++)
            if (beyond[k] < best)
                best = beyond[k];
        for (size_t w = 0; w < n; w++) {
            if (c->mask[w])
                continue;
            long d = labs((long)(w % size[0]) - x) + labs((long)(w / size[0] % size[1]) - y) +
                     labs((long)(w / (size[0] * size[1])) - z);
            if (d < best)
                best = d;
        }
        distance[v] = best; /* steps to reach outside = 1 + steps to the last ROI voxel */
        if (best > largest)
            largest = best;
    }
    for (int changed = 1; changed;) {
        changed = 0;
        for (size_t v = 0; v < n; v++)
            for (size_t w = 0; w < n; w++) {
                if (!c->mask[v] || !c->mask[w] || c->levels[v] != c->levels[w])
                    continue;
                long dx = labs((long)(v % size[0]) - (long)(w % size[0]));
                long dy = labs((long)(v / size[0] % size[1]) - (long)(w / size[0] % size[1]));
                long dz = labs((long)(v / (size[0] * size[1])) - (long)(w / (size[0] * size[1])));
                if (dx <= 1 && dy <= 1 && dz <= 1 && label[w] < label[v]) {
                    label[v] = label[w];
                    changed = 1;
                }
            }
    }
    size_t cols = (size_t)largest;
    double *P = calloc((size_t)c->roi.max_level * cols, sizeof *P);
    ck_assert_ptr_nonnull(P);
    for (size_t root = 0; root < n; root++) {
        if (!c->mask[root] || label[root] != root)
            continue;
        long zone = largest;
        for (size_t v = 0; v < n; v++)
            if (c->mask[v] && label[v] == root && distance[v] < zone)
                zone = distance[v];
        P[(size_t)(c->levels[root] - 1) * cols + (size_t)(zone - 1)] += 1.0;
    }
    free(distance);
    free(label);
    *n_cols = cols;
    return P;
}

START_TEST(slow_twin_random_rois)
{
    for (unsigned seed = 1; seed <= 200; seed++) {
        roi_case c;
        random_case(seed, &c);
        size_t twin_cols = 0, n_cols = 0;
        double *want = naive_gldzm(&c, &twin_cols);
        double *P = NULL;
        ck_assert_int_eq(ri_gldzm_matrix(&c.roi, &P, &n_cols, NULL), RAD_OK);
        ck_assert_uint_eq(n_cols, twin_cols);
        for (size_t k = 0; k < (size_t)c.roi.max_level * n_cols; k++)
            ck_assert_msg(P[k] == want[k], "seed %u level %zu distance %zu: %g vs twin %g", seed,
                          k / n_cols + 1, k % n_cols + 1, P[k], want[k]);

        double col_value[64], features[N_FEATURES], twin[N_FEATURES];
        ck_assert_uint_le(n_cols, 64);
        for (size_t j = 0; j < n_cols; j++)
            col_value[j] = (double)(j + 1);
        naive_size_features(want, (size_t)c.roi.max_level, n_cols, col_value,
                            (double)c.roi.n_voxels, twin);
        ck_assert_int_eq(ri_gldzm(&c.roi, NULL, features, NULL), RAD_OK);
        for (int f = 0; f < N_FEATURES; f++)
            /* tolerance: 1e-10 relative, 1e-12 absolute (summation order only) */
            ck_assert_msg(close_enough(features[f], twin[f], 1e-10, 1e-12),
                          "seed %u %s: %.15g vs twin %.15g", seed, ri_gldzm_table.defs[f].ibsi_tag,
                          features[f], twin[f]);
        free(P);
        free(want);
        roi_case_free(&c);
    }
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("gldzm");
    TCase *tc = tcase_create("gldzm");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, ibsi_digital_phantom);
    tcase_add_test(tc, hand_case);
    tcase_add_test(tc, slow_twin_random_rois);
    suite_add_tcase(suite, tc);

    SRunner *runner = srunner_create(suite);
    srunner_set_fork_status(runner, CK_FORK);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
