/*
 * test_ibsi_families.c - IBSI intensity-histogram, statistical extras,
 * intensity-volume histogram and local intensity features against the IBSI 1
 * digital phantom reference values, a hand-computed case and slow twins.
 *
 * The phantom (5 x 4 x 4 voxels of 2 x 2 x 2 mm, intensities 1..6) is
 * discretised with bin width 1, so grey level = intensity.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "families.h"
#include "roi_case.h"
#include "testutil.h"

/* IBSI reference values have 3 significant digits and a published tolerance of 0. */
static double three_digit_tolerance(double value)
{
    if (value == 0.0)
        return 5e-4;
    return 0.5 * pow(10.0, floor(log10(fabs(value))) - 2.0);
}

static int load_phantom(roi_case *c, char *csv, size_t csv_size)
{
    if (!test_refdata_path(csv, csv_size, "ibsi_1_reference_values/ibsi_1_dig_phantom.csv",
                           "IBSI phantom reference"))
        return 0;
    int loaded = roi_case_load("ibsi_1_digital_phantom/nifti/image/phantom.nii.gz",
                               "ibsi_1_digital_phantom/nifti/mask/mask.nii.gz", 1.0, 1.0, c);
    if (loaded == 0)
        return 0;
    ck_assert_int_eq(loaded, 1);
    /* the NIfTI header gives 2 x 2 x 2 mm voxels */
    for (int a = 0; a < 3; a++)
        ck_assert_double_eq(c->roi.spacing[a], 2.0);
    return 1;
}

/* Compares each value of out with the IBSI row named by the table's tag (+ suffix). */
static void check_ibsi(const char *csv, const ri_feature_table *table, const double *out,
                       const char *suffix)
{
    int compared = 0;
    for (size_t f = 0; f < table->count; f++) {
        char tag[64];
        double want, tolerance;
        snprintf(tag, sizeof tag, "%s%s", table->defs[f].ibsi_tag, suffix);
        if (ibsi_lookup(csv, tag, &want, &tolerance) != 0) {
            printf("SKIP %s: no IBSI consensus value\n", tag);
            continue;
        }
        /* tolerance: the published one, widened to the rounding of 3 significant digits */
        double allowed = fmax(tolerance, three_digit_tolerance(want));
        ck_assert_msg(fabs(out[f] - want) <= allowed, "%s: got %.6g, IBSI %.6g +- %g", tag,
                      out[f], want, allowed);
        compared++;
    }
    ck_assert_int_gt(compared, 0);
}

START_TEST(phantom_intensity_histogram)
{
    char csv[1024];
    roi_case c;
    if (!load_phantom(&c, csv, sizeof csv))
        return;
    double out[32];
    ck_assert_uint_eq(ri_intensity_histogram_table.count, 23);
    ck_assert_int_eq(ri_intensity_histogram(&c.roi, NULL, out, NULL), RAD_OK);
    check_ibsi(csv, &ri_intensity_histogram_table, out, "");
    roi_case_free(&c);
}
END_TEST

START_TEST(phantom_statistics_extra)
{
    char csv[1024];
    roi_case c;
    if (!load_phantom(&c, csv, sizeof csv))
        return;
    double out[3];
    ck_assert_int_eq(ri_statistics_extra(&c.roi, NULL, out, NULL), RAD_OK);
    check_ibsi(csv, &ri_statistics_extra_table, out, "");
    roi_case_free(&c);
}
END_TEST

START_TEST(phantom_ivh)
{
    char csv[1024];
    roi_case c;
    if (!load_phantom(&c, csv, sizeof csv))
        return;
    double out[7];
    ri_settings settings;
    memset(&settings, 0, sizeof settings);
    settings.bin_width = 1.0;
    ck_assert_int_eq(ri_ivh(&c.roi, &settings, out, NULL), RAD_OK);
    check_ibsi(csv, &ri_ivh_table, out, "");
    roi_case_free(&c);
}
END_TEST

START_TEST(phantom_local_intensity)
{
    char csv[1024];
    roi_case c;
    if (!load_phantom(&c, csv, sizeof csv))
        return;
    /* the peaks read voxels outside the mask: the mask's bounding box must be the whole image */
    ck_assert_uint_eq(c.roi.size[0] * c.roi.size[1] * c.roi.size[2], 80);
    double out[2];
    ck_assert_int_eq(ri_local_intensity(&c.roi, NULL, out, NULL), RAD_OK);
    check_ibsi(csv, &ri_local_intensity_table, out, "");
    roi_case_free(&c);
}
END_TEST

/*
 * Hand case, levels {1, 1, 2, 4} (N_g = 4): mean 2, variance (1+1+0+4)/4 = 1.5,
 * median 1.5, mode 1, histogram H = [2 1 0 1], gradients [-1, -1, 0, 1]
 * (H2-H1, (H3-H1)/2, (H4-H2)/2, H4-H3): max 1 at level 4, min -1 at level 1.
 * p10 = 1 + 0.3 * 0 = 1, p90 = 2 + 0.7 * 2 = 3.4 (rank 0.9 * 3 = 2.7),
 * p25 = 1 (rank 0.75), p75 = 2.5 (rank 2.25): IQR 1.5, QCoD 1.5 / 3.5.
 * Entropy = -(0.5 log2 0.5 + 2 * 0.25 log2 0.25) = 1.5, uniformity 0.375.
 * IVH: nu = [1, 0.5, 0.25, 0.25], gamma = [0, 1/3, 2/3, 1]: V10 = 0.5,
 * V90 = 0.25, I10 = 5 (no nu <= 0.1: one bin above the top), I90 = 2.
 */
START_TEST(hand_case)
{
    size_t size[3] = {4, 1, 1};
    int levels[4] = {1, 1, 2, 4};
    roi_case c;
    ck_assert_int_eq(roi_case_from_levels(size, levels, &c), 0);
    double out[32];
    ck_assert_int_eq(ri_intensity_histogram(&c.roi, NULL, out, NULL), RAD_OK);
    const double want[23] = {2.0, 1.5, NAN, NAN, 1.5, 1.0, 1.0, 3.4, 4.0, 1.0, 1.5, 3.0, 1.0,
                             NAN, NAN, sqrt(1.5) / 2.0, 1.5 / 3.5, 1.5, 0.375, 1.0, 4.0, -1.0,
                             1.0};
    for (int f = 0; f < 23; f++)
        if (!isnan(want[f]))
            /* tolerance: 1e-12 absolute (exact arithmetic up to rounding) */
            ck_assert_msg(fabs(out[f] - want[f]) <= 1e-12, "%s: got %.15g, hand %.15g",
                          ri_intensity_histogram_table.defs[f].ibsi_tag, out[f], want[f]);
    double ivh[7];
    ck_assert_int_eq(ri_ivh(&c.roi, NULL, ivh, NULL), RAD_OK);
    ck_assert_double_eq_tol(ivh[0], 0.5, 1e-12);
    ck_assert_double_eq_tol(ivh[1], 0.25, 1e-12);
    ck_assert_double_eq_tol(ivh[2], 5.0, 1e-12);
    ck_assert_double_eq_tol(ivh[3], 2.0, 1e-12);
    roi_case_free(&c);
}
END_TEST

/* ---- slow twins -------------------------------------------------------- */

static void random_case(unsigned seed, roi_case *c)
{
    srand(seed);
    size_t size[3] = {1 + (size_t)(rand() % 9), 1 + (size_t)(rand() % 9), 1 + (size_t)(rand() % 6)};
    size_t n = size[0] * size[1] * size[2];
    int n_levels = 1 + rand() % 8, fill = 30 + rand() % 70;
    int *levels = calloc(n, sizeof *levels);
    ck_assert_ptr_nonnull(levels);
    for (size_t v = 0; v < n; v++)
        levels[v] = rand() % 100 < fill ? 1 + rand() % n_levels : 0;
    levels[rand() % n] = 1 + rand() % n_levels;
    ck_assert_int_eq(roi_case_from_levels(size, levels, c), 0);
    free(levels);
    /* distinct raw values outside the mask too, and anisotropic spacing */
    for (size_t v = 0; v < n; v++)
        if (!c->mask[v])
            c->values[v] = (double)(rand() % 7);
    c->roi.spacing[0] = 0.5 + (rand() % 4) * 0.5;
    c->roi.spacing[1] = 0.5 + (rand() % 4) * 0.5;
    c->roi.spacing[2] = 1.0 + (rand() % 4);
}

/* Percentile by definition: value at fractional rank q (n - 1) between order statistics. */
static double twin_percentile(const double *v, size_t n, double q)
{
    double rank = q * (double)(n - 1);
    size_t lo = (size_t)rank, hi = lo + 1 < n ? lo + 1 : lo;
    /* selection by counting: the k-th order statistic is the value with k smaller ones */
    double order[2];
    size_t want[2] = {lo, hi};
    for (int t = 0; t < 2; t++)
        for (size_t a = 0; a < n; a++) {
            size_t below = 0, equal = 0;
            for (size_t b = 0; b < n; b++) {
                below += v[b] < v[a];
                equal += v[b] == v[a];
            }
            if (below <= want[t] && want[t] < below + equal)
                order[t] = v[a];
        }
    return order[0] + (rank - (double)lo) * (order[1] - order[0]);
}

START_TEST(slow_twin_histogram)
{
    for (unsigned seed = 1; seed <= 200; seed++) {
        roi_case c;
        random_case(seed, &c);
        size_t n_box = c.roi.size[0] * c.roi.size[1] * c.roi.size[2], n = 0;
        double *v = malloc(c.roi.n_voxels * sizeof *v);
        ck_assert_ptr_nonnull(v);
        for (size_t k = 0; k < n_box; k++)
            if (c.mask[k])
                v[n++] = c.levels[k];
        double mean = 0.0, var = 0.0;
        for (size_t k = 0; k < n; k++)
            mean += v[k] / (double)n;
        for (size_t k = 0; k < n; k++)
            var += (v[k] - mean) * (v[k] - mean) / (double)n;
        double median = twin_percentile(v, n, 0.5), medad = 0.0;
        for (size_t k = 0; k < n; k++)
            medad += fabs(v[k] - median) / (double)n;
        double p25 = twin_percentile(v, n, 0.25), p75 = twin_percentile(v, n, 0.75);

        double out[32], extra[3], ivh[7];
        ck_assert_int_eq(ri_intensity_histogram(&c.roi, NULL, out, NULL), RAD_OK);
        ck_assert_int_eq(ri_statistics_extra(&c.roi, NULL, extra, NULL), RAD_OK);
        ck_assert_int_eq(ri_ivh(&c.roi, NULL, ivh, NULL), RAD_OK);
        /* tolerance: 1e-10 absolute (summation order only) */
        ck_assert_double_eq_tol(out[0], mean, 1e-10);
        ck_assert_double_eq_tol(out[1], var, 1e-10);
        ck_assert_double_eq_tol(out[4], median, 1e-10);
        ck_assert_double_eq_tol(out[6], twin_percentile(v, n, 0.1), 1e-10);
        ck_assert_double_eq_tol(out[7], twin_percentile(v, n, 0.9), 1e-10);
        ck_assert_double_eq_tol(out[10], p75 - p25, 1e-10);
        ck_assert_double_eq_tol(out[14], medad, 1e-10);
        ck_assert_double_eq_tol(extra[0], medad, 1e-10); /* values equal levels here */

        /* IVH by definition: nu_i = share of voxels with level >= i */
        int n_levels = c.roi.max_level;
        double v10 = NAN, i10 = n_levels + 1, i90 = n_levels + 1;
        for (int i = n_levels; i >= 1; i--) {
            size_t at_least = 0;
            for (size_t k = 0; k < n; k++)
                at_least += v[k] >= i;
            double nu = (double)at_least / (double)n;
            if (nu <= 0.1)
                i10 = i;
            if (nu <= 0.9)
                i90 = i;
            if (n_levels > 1 && (double)(i - 1) / (n_levels - 1) >= 0.1)
                v10 = nu;
        }
        /* x_i = floor(min) + i - 1 with w = 1, and the values are the levels here */
        double shift = twin_percentile(v, n, 0.0) - 1.0;
        ck_assert_double_eq_tol(ivh[2], i10 + shift, 1e-12);
        ck_assert_double_eq_tol(ivh[3], i90 + shift, 1e-12);
        if (n_levels > 1)
            ck_assert_double_eq_tol(ivh[0], v10, 1e-12);
        free(v);
        roi_case_free(&c);
    }
}
END_TEST

START_TEST(slow_twin_local_intensity)
{
    const double radius = cbrt(3.0 / (4.0 * M_PI)) * 10.0;
    for (unsigned seed = 1; seed <= 200; seed++) {
        roi_case c;
        random_case(seed, &c);
        const size_t *size = c.roi.size;
        const double *s = c.roi.spacing;
        double max_value = -INFINITY, local = -INFINITY, global = -INFINITY;
        size_t n_box = size[0] * size[1] * size[2];
        for (size_t a = 0; a < n_box; a++)
            if (c.mask[a] && c.values[a] > max_value)
                max_value = c.values[a];
        for (size_t a = 0; a < n_box; a++) {
            if (!c.mask[a])
                continue;
            double ax = (double)(a % size[0]) * s[0], ay = (double)(a / size[0] % size[1]) * s[1];
            double az = (double)(a / (size[0] * size[1])) * s[2], sum = 0.0;
            size_t count = 0;
            for (size_t b = 0; b < n_box; b++) {
                double dx = (double)(b % size[0]) * s[0] - ax;
                double dy = (double)(b / size[0] % size[1]) * s[1] - ay;
                double dz = (double)(b / (size[0] * size[1])) * s[2] - az;
                if (sqrt(dx * dx + dy * dy + dz * dz) <= radius + 1e-9) {
                    sum += c.values[b];
                    count++;
                }
            }
            double mean = sum / (double)count;
            if (mean > global)
                global = mean;
            if (c.values[a] == max_value && mean > local)
                local = mean;
        }
        double out[2];
        ck_assert_int_eq(ri_local_intensity(&c.roi, NULL, out, NULL), RAD_OK);
        /* tolerance: 1e-10 absolute (summation order only) */
        ck_assert_msg(fabs(out[0] - local) <= 1e-10, "seed %u local %g vs twin %g", seed, out[0],
                      local);
        ck_assert_msg(fabs(out[1] - global) <= 1e-10, "seed %u global %g vs twin %g", seed,
                      out[1], global);
        roi_case_free(&c);
    }
}
END_TEST

START_TEST(rejects_empty_roi)
{
    size_t size[3] = {2, 1, 1};
    int levels[2] = {0, 0};
    roi_case c;
    ck_assert_int_eq(roi_case_from_levels(size, levels, &c), 0);
    double out[32];
    ck_assert_int_eq(ri_intensity_histogram(&c.roi, NULL, out, NULL), RAD_ERR_ARGUMENT);
    ck_assert_int_eq(ri_statistics_extra(&c.roi, NULL, out, NULL), RAD_ERR_ARGUMENT);
    ck_assert_int_eq(ri_ivh(&c.roi, NULL, out, NULL), RAD_ERR_ARGUMENT);
    ck_assert_int_eq(ri_local_intensity(&c.roi, NULL, out, NULL), RAD_ERR_ARGUMENT);
    roi_case_free(&c);
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("ibsi_families");
    TCase *tc = tcase_create("ibsi_families");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, phantom_intensity_histogram);
    tcase_add_test(tc, phantom_statistics_extra);
    tcase_add_test(tc, phantom_ivh);
    tcase_add_test(tc, phantom_local_intensity);
    tcase_add_test(tc, hand_case);
    tcase_add_test(tc, slow_twin_histogram);
    tcase_add_test(tc, slow_twin_local_intensity);
    tcase_add_test(tc, rejects_empty_roi);
    suite_add_tcase(suite, tc);

    SRunner *runner = srunner_create(suite);
    srunner_set_fork_status(runner, CK_FORK);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
