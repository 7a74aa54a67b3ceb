/*
 * test_ngtdm.c - NGTDM kernel against pyradiomics' baselines and matrix, the
 * IBSI 1 digital phantom (ngt_*_3D, distance 1) and a brute-force twin.
 *
 * pyradiomics and IBSI agree on the 5 features: Coarseness (ngt_coarseness),
 * Contrast (ngt_contrast), Busyness (ngt_busyness), Complexity
 * (ngt_complexity), Strength (ngt_strength). pyradiomics returns 1e6 for
 * Coarseness when sum p_i s_i = 0, where IBSI leaves it undefined.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "families.h"
#include "roi_case.h"
#include "testutil.h"

#define N_FEATURES 5

START_TEST(table_layout)
{
    ck_assert_uint_eq(ri_ngtdm_table.count, N_FEATURES);
    ck_assert_str_eq(ri_ngtdm_table.class_name, "ngtdm");
    ck_assert_str_eq(ri_ngtdm_table.defs[0].name, "Coarseness");
    ck_assert_str_eq(ri_ngtdm_table.defs[4].name, "Strength");
}
END_TEST

static void check_baseline(const char *case_name)
{
    char image[256], label[256], csv[1024];
    snprintf(image, sizeof image, "pyradiomics/data/%s_image.nrrd", case_name);
    snprintf(label, sizeof label, "pyradiomics/data/%s_label.nrrd", case_name);
    if (!test_refdata_path(csv, sizeof csv, "pyradiomics/data/baseline/baseline_ngtdm.csv",
                           "ngtdm baseline"))
        return;
    roi_case c;
    int loaded = roi_case_load(image, label, 1.0, 25.0, &c);
    if (loaded == 0)
        return;
    ck_assert_int_eq(loaded, 1);
    double out[N_FEATURES];
    rad_error *error = rad_error_create();
    ck_assert_msg(ri_ngtdm(&c.roi, NULL, out, error) == RAD_OK, "%s", rad_error_message(error));
    for (size_t f = 0; f < N_FEATURES; f++) {
        char row[128];
        double want;
        snprintf(row, sizeof row, "original_ngtdm_%s", ri_ngtdm_table.defs[f].name);
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

/* brain1_ngtdm.npy: pyradiomics' matrix, one row per grey level present: (n_i, s_i, i). */
START_TEST(matrix_brain1)
{
    char path[1024];
    if (!test_refdata_path(path, sizeof path, "pyradiomics/data/baseline/brain1_ngtdm.npy",
                           "ngtdm matrix"))
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
    ck_assert_uint_eq(ref.shape[1], 3);

    size_t n_levels = (size_t)c.roi.max_level;
    double *count = malloc(n_levels * sizeof *count), *sum = malloc(n_levels * sizeof *sum);
    ck_assert_ptr_nonnull(count);
    ck_assert_ptr_nonnull(sum);
    ck_assert_int_eq(ri_ngtdm_matrix(&c.roi, count, sum, NULL), RAD_OK);
    size_t row = 0;
    for (size_t i = 0; i < n_levels; i++) {
        if (count[i] == 0.0)
            continue;
        ck_assert_uint_lt(row, ref.shape[0]);
        ck_assert_double_eq(ref.data[row * 3 + 2], (double)(i + 1));
        ck_assert_double_eq(count[i], ref.data[row * 3]); /* exact count */
        /* tolerance: 1e-9 relative (sum of fractions in another order) */
        ck_assert_msg(close_enough(sum[i], ref.data[row * 3 + 1], 1e-9, 1e-12),
                      "level %zu: s_i %.12g, pyradiomics %.12g", i + 1, sum[i],
                      ref.data[row * 3 + 1]);
        row++;
    }
    ck_assert_uint_eq(row, ref.shape[0]);
    free(count);
    free(sum);
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
    ck_assert_int_eq(ri_ngtdm(&c.roi, NULL, out, NULL), RAD_OK);
    for (size_t f = 0; f < N_FEATURES; f++) {
        char tag[64];
        double want, tolerance;
        snprintf(tag, sizeof tag, "%s_3D", ri_ngtdm_table.defs[f].ibsi_tag);
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

static void random_case(unsigned seed, roi_case *c)
{
    srand(seed);
    size_t size[3] = {1 + (size_t)(rand() % 9), 1 + (size_t)(rand() % 9), 1 + (size_t)(rand() % 6)};
    size_t n = size[0] * size[1] * size[2];
    int n_levels = 1 + rand() % 6, fill = 30 + rand() % 70;
    int *levels = calloc(n, sizeof *levels);
    ck_assert_ptr_nonnull(levels);
    for (size_t v = 0; v < n; v++)
        levels[v] = rand() % 100 < fill ? 1 + rand() % n_levels : 0;
    levels[rand() % n] = 1 + rand() % n_levels;
    ck_assert_int_eq(roi_case_from_levels(size, levels, c), 0);
    free(levels);
}

/* The features straight from the definitions, looping over all level pairs 1..Ng. */
static void naive_ngtdm(const roi_case *c, double out[N_FEATURES])
{
    const size_t *size = c->roi.size;
    int ng = c->roi.max_level;
    double n[64] = {0}, s[64] = {0};
    for (long z = 0; z < (long)size[2]; z++)
        for (long y = 0; y < (long)size[1]; y++)
            for (long x = 0; x < (long)size[0]; x++) {
                size_t v = (size_t)x + size[0] * ((size_t)y + size[1] * (size_t)z);
                if (!c->mask[v])
                    continue;
                double total = 0.0;
                int count = 0;
                for (long dz = -1; dz <= 1; dz++)
                    for (long dy = -1; dy <= 1; dy++)
                        for (long dx = -1; dx <= 1; dx++) {
                            long X = x + dx, Y = y + dy, Z = z + dz;
                            if ((dx == 0 && dy == 0 && dz == 0) || X < 0 || Y < 0 || Z < 0 ||
                                X >= (long)size[0] || Y >= (long)size[1] || Z >= (long)size[2])
                                continue;
                            size_t w = (size_t)X + size[0] * ((size_t)Y + size[1] * (size_t)Z);
                            if (c->mask[w]) {
                                total += c->levels[w];
                                count++;
                            }
                        }
                if (count == 0)
                    continue;
                n[c->levels[v]] += 1.0;
                s[c->levels[v]] += fabs(c->levels[v] - total / count);
            }
    double nv = 0.0, s_all = 0.0, ps = 0.0, p[64] = {0};
    int ngp = 0;
    for (int i = 1; i <= ng; i++)
        nv += n[i];
    for (int i = 1; i <= ng; i++) {
        p[i] = nv > 0.0 ? n[i] / nv : 0.0;
        ngp += p[i] > 0.0;
        s_all += s[i];
        ps += p[i] * s[i];
    }
    double contrast = 0.0, den = 0.0, complexity = 0.0, strength = 0.0;
    for (int i = 1; i <= ng; i++)
        for (int j = 1; j <= ng; j++) {
            if (p[i] == 0.0 || p[j] == 0.0)
                continue;
            contrast += p[i] * p[j] * (i - j) * (i - j);
            den += fabs(i * p[i] - j * p[j]);
            complexity += abs(i - j) * (p[i] * s[i] + p[j] * s[j]) / (p[i] + p[j]);
            strength += (p[i] + p[j]) * (i - j) * (i - j);
        }
    out[0] = ps > 0.0 ? 1.0 / ps : 1e6;
    out[1] = ngp > 1 ? contrast / (ngp * (ngp - 1.0)) * s_all / nv : 0.0;
    out[2] = den > 0.0 ? ps / den : 0.0;
    out[3] = nv > 0.0 ? complexity / nv : 0.0;
    out[4] = s_all > 0.0 ? strength / s_all : 0.0;
}

START_TEST(slow_twin_random_rois)
{
    for (unsigned seed = 1; seed <= 300; seed++) {
        roi_case c;
        random_case(seed, &c);
        double want[N_FEATURES], out[N_FEATURES];
        naive_ngtdm(&c, want);
        ck_assert_int_eq(ri_ngtdm(&c.roi, NULL, out, NULL), RAD_OK);
        for (int f = 0; f < N_FEATURES; f++)
            /* tolerance: 1e-10 relative, 1e-12 absolute (summation order only) */
            ck_assert_msg(close_enough(out[f], want[f], 1e-10, 1e-12),
                          "seed %u %s: %.15g vs twin %.15g", seed, ri_ngtdm_table.defs[f].name,
                          out[f], want[f]);
        roi_case_free(&c);
    }
}
END_TEST

START_TEST(rejects_other_distance)
{
    size_t size[3] = {2, 1, 1};
    int levels[2] = {1, 2};
    roi_case c;
    ck_assert_int_eq(roi_case_from_levels(size, levels, &c), 0);
    ri_settings settings;
    memset(&settings, 0, sizeof settings);
    settings.n_distances = 1;
    settings.distances[0] = 2;
    double out[N_FEATURES];
    ck_assert_int_eq(ri_ngtdm(&c.roi, &settings, out, NULL), RAD_ERR_UNSUPPORTED);
    roi_case_free(&c);
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("ngtdm");
    TCase *tc = tcase_create("ngtdm");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, table_layout);
    tcase_add_test(tc, baseline_brain1);
    tcase_add_test(tc, baseline_brain2);
    tcase_add_test(tc, baseline_breast1);
    tcase_add_test(tc, matrix_brain1);
    tcase_add_test(tc, ibsi_digital_phantom);
    tcase_add_test(tc, slow_twin_random_rois);
    tcase_add_test(tc, rejects_other_distance);
    suite_add_tcase(suite, tc);

    SRunner *runner = srunner_create(suite);
    srunner_set_fork_status(runner, CK_FORK);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
