/*
 * test_firstorder.c - discretisation and first-order features against the
 * pyradiomics baselines, the IBSI 1 digital phantom and hand computations.
 *
 * IBSI and pyradiomics differ on these first-order features:
 *   feature        pyradiomics                 IBSI                  tested as
 *   Energy, RMS    sum (x + voxelArrayShift)^2  no shift              shift 0
 *   Kurtosis       m4 / m2^2                    m4 / m2^2 - 3         Kurtosis - 3
 *   TotalEnergy    Energy * voxel volume        no counterpart        baseline only
 *   medad, cov,    not computed                 defined               not tested
 *   qcod
 *   Entropy,       histogram of the binned      intensity histogram   bin width 1 on
 *   Uniformity     levels                       (ih_*)                grey levels 1..6
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "baseline.h"
#include "internal.h"
#include "testutil.h"

static size_t feature_index(const char *name)
{
    for (size_t i = 0; i < ri_firstorder_table.count; i++)
        if (strcmp(ri_firstorder_table.defs[i].name, name) == 0)
            return i;
    ck_abort_msg("no first-order feature %s", name);
    return 0;
}

static ri_settings settings_with_shift(double shift)
{
    ri_settings s;

    memset(&s, 0, sizeof s);
    s.bin_width = 25.0;
    s.voxel_array_shift = shift;
    s.symmetrical_glcm = 1;
    s.distances[0] = 1;
    s.n_distances = 1;
    return s;
}

/* Builds an uncropped ROI over values[0..n-1] (an n x 1 x 1 box, all inside). */
static ri_roi line_roi(const double *values, uint8_t *mask, int *levels, size_t n,
                       double bin_width)
{
    ri_roi roi;
    int n_present;

    memset(&roi, 0, sizeof roi);
    for (size_t i = 0; i < n; i++)
        mask[i] = 1;
    roi.size[0] = n;
    roi.size[1] = roi.size[2] = 1;
    roi.spacing[0] = roi.spacing[1] = roi.spacing[2] = 1.0;
    roi.values = values;
    roi.mask = mask;
    roi.levels = levels;
    roi.n_voxels = n;
    ri_discretize_bin_width(values, mask, n, bin_width, levels, &roi.max_level, &n_present);
    return roi;
}

/* Edges on multiples of W from floor(min / W) * W, half-open bins. */
START_TEST(bin_width_edges_hand)
{
    /* W = 25, min 54: edges 50, 75, 100, ...; 75 opens bin 2; 166 is in [150, 175). */
    const double values[] = {54.0, 74.9, 75.0, 166.0, 150.0};
    const int expected[] = {1, 1, 2, 5, 5};
    uint8_t mask[5] = {1, 1, 1, 1, 1};
    int levels[5], max_level, n_present;

    ri_discretize_bin_width(values, mask, 5, 25.0, levels, &max_level, &n_present);
    for (int i = 0; i < 5; i++)
        ck_assert_int_eq(levels[i], expected[i]);
    ck_assert_int_eq(max_level, 5);
    ck_assert_int_eq(n_present, 3);
}
END_TEST

START_TEST(bin_width_maximum_on_edge)
{
    /* The maximum 50 equals an edge: numpy.digitize puts it in [50, 75), level 3. */
    const double values[] = {0.0, 50.0, 10.0};
    uint8_t mask[3] = {1, 1, 0};
    int levels[3], max_level, n_present;

    ri_discretize_bin_width(values, mask, 3, 25.0, levels, &max_level, &n_present);
    ck_assert_int_eq(levels[0], 1);
    ck_assert_int_eq(levels[1], 3);
    ck_assert_int_eq(levels[2], 0);
    ck_assert_int_eq(max_level, 3);
    ck_assert_int_eq(n_present, 2);
}
END_TEST

START_TEST(bin_width_negative_and_flat)
{
    /* min -1.3, W 0.5: Python's -1.3 % 0.5 = 0.2, low = -1.5; 0.2 -> floor(1.7 / 0.5) + 1 = 4. */
    const double values[] = {-1.3, 0.2, -1.0};
    const double flat[] = {7.0, 7.0, 7.0};
    uint8_t mask[3] = {1, 1, 1};
    int levels[3], max_level, n_present;

    ri_discretize_bin_width(values, mask, 3, 0.5, levels, &max_level, &n_present);
    ck_assert_int_eq(levels[0], 1);
    ck_assert_int_eq(levels[1], 4);
    ck_assert_int_eq(levels[2], 2);

    ri_discretize_bin_width(flat, mask, 3, 25.0, levels, &max_level, &n_present);
    ck_assert_int_eq(levels[0], 1);
    ck_assert_int_eq(max_level, 1);
    ck_assert_int_eq(n_present, 1);
}
END_TEST

START_TEST(bin_count_edges_hand)
{
    /* Nb = 2 over [0, 4]: edges 0, 2, 4 + 1; 2 opens bin 2; the maximum is in bin 2. */
    const double values[] = {0.0, 1.0, 2.0, 3.0, 4.0};
    const int expected[] = {1, 1, 2, 2, 2};
    const double flat[] = {3.0, 3.0, 3.0, 3.0, 3.0};
    uint8_t mask[5] = {1, 1, 1, 1, 1};
    int levels[5], max_level, n_present;

    ri_discretize_bin_count(values, mask, 5, 2, levels, &max_level, &n_present);
    for (int i = 0; i < 5; i++)
        ck_assert_int_eq(levels[i], expected[i]);
    ck_assert_int_eq(max_level, 2);

    /* Flat ROI, numpy edges 2.5 .. 3.5: Nb = 1 gives level 1, Nb = 2 level 2. */
    ri_discretize_bin_count(flat, mask, 5, 1, levels, &max_level, &n_present);
    ck_assert_int_eq(levels[0], 1);
    ri_discretize_bin_count(flat, mask, 5, 2, levels, &max_level, &n_present);
    ck_assert_int_eq(levels[0], 2);
}
END_TEST

/* Hand computation on {1, 2, 3, 4}; numpy.percentile linear: p10 = 1 + 0.3 = 1.3. */
START_TEST(firstorder_hand_values)
{
    const double values[] = {4.0, 1.0, 3.0, 2.0};
    uint8_t mask[4];
    int levels[4];
    ri_roi roi = line_roi(values, mask, levels, 4, 1.0);
    ri_settings s = settings_with_shift(1.0);
    double out[32];

    ck_assert_int_eq(ri_firstorder(&roi, &s, out, NULL), RAD_OK);
    /* tolerance 1e-12 absolute for each */
    ck_assert_double_eq_tol(out[feature_index("10Percentile")], 1.3, 1e-12);
    ck_assert_double_eq_tol(out[feature_index("90Percentile")], 3.7, 1e-12);
    ck_assert_double_eq_tol(out[feature_index("Median")], 2.5, 1e-12);
    ck_assert_double_eq_tol(out[feature_index("InterquartileRange")], 3.25 - 1.75, 1e-12);
    /* Energy with shift 1: 4 + 9 + 16 + 25 = 54. */
    ck_assert_double_eq_tol(out[feature_index("Energy")], 54.0, 1e-12);
    ck_assert_double_eq_tol(out[feature_index("RootMeanSquared")], sqrt(54.0 / 4.0), 1e-12);
    /* Population variance 1.25, MAD 1, four levels of p = 1/4: entropy 2, uniformity 1/4. */
    ck_assert_double_eq_tol(out[feature_index("Variance")], 1.25, 1e-12);
    ck_assert_double_eq_tol(out[feature_index("StandardDeviation")], sqrt(1.25), 1e-12);
    ck_assert_double_eq_tol(out[feature_index("MeanAbsoluteDeviation")], 1.0, 1e-12);
    ck_assert_double_eq_tol(out[feature_index("Entropy")], 2.0, 1e-12);
    ck_assert_double_eq_tol(out[feature_index("Uniformity")], 0.25, 1e-12);
    /* Symmetric: skewness 0; kurtosis m4 / m2^2 = 2.5625 / 1.5625 = 1.64. */
    ck_assert_double_eq_tol(out[feature_index("Skewness")], 0.0, 1e-12);
    ck_assert_double_eq_tol(out[feature_index("Kurtosis")], 1.64, 1e-12);
    /* Robust MAD over {2, 3} (within [1.3, 3.7]) = 0.5. */
    ck_assert_double_eq_tol(out[feature_index("RobustMeanAbsoluteDeviation")], 0.5, 1e-12);
}
END_TEST

START_TEST(firstorder_flat_region)
{
    const double values[] = {5.0, 5.0, 5.0, 5.0, 5.0};
    uint8_t mask[5];
    int levels[5];
    ri_roi roi = line_roi(values, mask, levels, 5, 25.0);
    ri_settings s = settings_with_shift(0.0);
    double out[32];

    ck_assert_int_eq(ri_firstorder(&roi, &s, out, NULL), RAD_OK);
    /* pyradiomics' documented flat-region values; tolerance 1e-12 absolute. */
    ck_assert_double_eq_tol(out[feature_index("Skewness")], 0.0, 1e-12);
    ck_assert_double_eq_tol(out[feature_index("Kurtosis")], 0.0, 1e-12);
    ck_assert_double_eq_tol(out[feature_index("Variance")], 0.0, 1e-12);
    ck_assert_double_eq_tol(out[feature_index("Entropy")], 0.0, 1e-12);
    ck_assert_double_eq_tol(out[feature_index("Uniformity")], 1.0, 1e-12);
}
END_TEST

START_TEST(firstorder_empty_roi_rejected)
{
    const double values[] = {1.0};
    uint8_t mask[1] = {0};
    int levels[1] = {0};
    ri_roi roi;
    ri_settings s = settings_with_shift(0.0);
    double out[32];

    memset(&roi, 0, sizeof roi);
    roi.size[0] = roi.size[1] = roi.size[2] = 1;
    roi.values = values;
    roi.mask = mask;
    roi.levels = levels;
    ck_assert_int_eq(ri_firstorder(&roi, &s, out, NULL), RAD_ERR_EMPTY_ROI);
}
END_TEST

START_TEST(firstorder_table_order)
{
    /* pyradiomics' order of RadiomicsFirstOrder features (2.x, 3.x). */
    const char *names[] = {"Energy", "TotalEnergy", "Entropy", "Minimum", "10Percentile",
                           "90Percentile", "Maximum", "Mean", "Median", "InterquartileRange",
                           "Range", "MeanAbsoluteDeviation", "RobustMeanAbsoluteDeviation",
                           "RootMeanSquared", "StandardDeviation", "Skewness", "Kurtosis",
                           "Variance", "Uniformity"};
    size_t default_on = 0;

    ck_assert_uint_eq(ri_firstorder_table.count, 19);
    for (size_t i = 0; i < 19; i++) {
        ck_assert_str_eq(ri_firstorder_table.defs[i].name, names[i]);
        default_on += (size_t)ri_firstorder_table.defs[i].default_on;
    }
    ck_assert_uint_eq(default_on, 18);
}
END_TEST

/* Compares every first-order feature of the baseline column `case_name`. */
static void check_pyradiomics_case(const char *case_name)
{
    char dir[1024], image[1200], mask[1200], csv[1200];
    ri_settings s = settings_with_shift(2000.0);
    test_roi roi;
    double out[32];
    int compared = 0;

    if (!test_refdata_path(dir, sizeof dir, "pyradiomics/data", "pyradiomics firstorder"))
        return;
    snprintf(image, sizeof image, "%s/%s_image.nrrd", dir, case_name);
    snprintf(mask, sizeof mask, "%s/%s_label.nrrd", dir, case_name);
    snprintf(csv, sizeof csv, "%s/baseline/baseline_firstorder.csv", dir);
    ck_assert_msg(test_roi_load(image, mask, 1.0, 25.0, &roi), "cannot load %s", case_name);
    ck_assert_int_eq(ri_firstorder(&roi.roi, &s, out, NULL), RAD_OK);

    for (size_t i = 0; i < ri_firstorder_table.count; i++) {
        char row[128];
        double expected;

        snprintf(row, sizeof row, "original_firstorder_%s", ri_firstorder_table.defs[i].name);
        if (!test_baseline_value(csv, row, case_name, &expected))
            continue;
        /* tolerance: 1e-5 relative, or 1e-9 absolute near zero */
        ck_assert_msg(fabs(out[i] - expected) <= fmax(1e-5 * fabs(expected), 1e-9),
                      "%s %s: got %.12g, pyradiomics %.12g", case_name, row, out[i], expected);
        compared++;
    }
    ck_assert_int_eq(compared, 18);
    test_roi_free(&roi);
}

START_TEST(pyradiomics_brain1) { check_pyradiomics_case("brain1"); }
END_TEST
START_TEST(pyradiomics_brain2) { check_pyradiomics_case("brain2"); }
END_TEST
START_TEST(pyradiomics_breast1) { check_pyradiomics_case("breast1"); }
END_TEST

START_TEST(ibsi_digital_phantom)
{
    static const struct {
        const char *tag;
        const char *name;
        double offset; /* IBSI value = pyradiomics value + offset */
    } pairs[] = {
        {"stat_mean", "Mean", 0.0}, {"stat_var", "Variance", 0.0},
        {"stat_skew", "Skewness", 0.0}, {"stat_kurt", "Kurtosis", -3.0},
        {"stat_median", "Median", 0.0}, {"stat_min", "Minimum", 0.0},
        {"stat_p10", "10Percentile", 0.0}, {"stat_p90", "90Percentile", 0.0},
        {"stat_max", "Maximum", 0.0}, {"stat_iqr", "InterquartileRange", 0.0},
        {"stat_range", "Range", 0.0}, {"stat_mad", "MeanAbsoluteDeviation", 0.0},
        {"stat_rmad", "RobustMeanAbsoluteDeviation", 0.0}, {"stat_energy", "Energy", 0.0},
        {"stat_rms", "RootMeanSquared", 0.0}, {"ih_entropy", "Entropy", 0.0},
        {"ih_uniformity", "Uniformity", 0.0},
    };
    char image[1024], mask[1024], csv[1024];
    ri_settings s = settings_with_shift(0.0);
    test_roi roi;
    double out[32];

    if (!test_refdata_path(image, sizeof image, "ibsi_1_digital_phantom/nifti/image/phantom.nii.gz",
                           "IBSI digital phantom") ||
        !test_refdata_path(mask, sizeof mask, "ibsi_1_digital_phantom/nifti/mask/mask.nii.gz",
                           "IBSI digital phantom") ||
        !test_refdata_path(csv, sizeof csv, "ibsi_1_reference_values/ibsi_1_dig_phantom.csv",
                           "IBSI reference values"))
        return;
    /* Grey levels 1..6 already: bin width 1 keeps level = value. */
    ck_assert(test_roi_load(image, mask, 1.0, 1.0, &roi));
    ck_assert_uint_eq(roi.roi.n_voxels, 74);
    ck_assert_int_eq(ri_firstorder(&roi.roi, &s, out, NULL), RAD_OK);

    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        double expected, tolerance;
        double got = out[feature_index(pairs[i].name)] + pairs[i].offset;

        ck_assert_msg(test_ibsi_reference(csv, pairs[i].tag, &expected, &tolerance),
                      "no IBSI reference for %s", pairs[i].tag);
        /* tolerance: published, or half a unit of the last printed digit when 0 */
        ck_assert_msg(fabs(got - expected) <= tolerance, "%s: got %.6g, IBSI %g +- %g",
                      pairs[i].tag, got, expected, tolerance);
    }
    test_roi_free(&roi);
}
END_TEST

static Suite *firstorder_suite(void)
{
    Suite *suite = suite_create("firstorder");
    TCase *hand = tcase_create("hand");
    TCase *reference = tcase_create("reference");

    tcase_add_test(hand, bin_width_edges_hand);
    tcase_add_test(hand, bin_width_maximum_on_edge);
    tcase_add_test(hand, bin_width_negative_and_flat);
    tcase_add_test(hand, bin_count_edges_hand);
    tcase_add_test(hand, firstorder_hand_values);
    tcase_add_test(hand, firstorder_flat_region);
    tcase_add_test(hand, firstorder_empty_roi_rejected);
    tcase_add_test(hand, firstorder_table_order);
    suite_add_tcase(suite, hand);

    tcase_set_timeout(reference, 60);
    tcase_add_test(reference, pyradiomics_brain1);
    tcase_add_test(reference, pyradiomics_brain2);
    tcase_add_test(reference, pyradiomics_breast1);
    tcase_add_test(reference, ibsi_digital_phantom);
    suite_add_tcase(suite, reference);
    return suite;
}

int main(void)
{
    SRunner *runner = srunner_create(firstorder_suite());
    int failed;

    srunner_set_fork_status(runner, CK_FORK);
    srunner_run_all(runner, CK_NORMAL);
    failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? 0 : 1;
}
