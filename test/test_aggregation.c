/*
 * test_aggregation.c - IBSI 1 texture aggregation methods (textureAggregation).
 *
 * Covers every GLCM, GLRLM, GLSZM, GLDZM, NGTDM and NGLDM row of the digital
 * phantom's reference table, the names and tags of the outputs and the
 * setting's checks. Also hand-built 2-D cases and cross-checks with
 * pyradiomics' force2D (2_5D_avg) and weightingNorm no_weighting (3D_comb).
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aggregation.h"
#include "families.h"
#include "radiomics.h"
#include "roi_case.h"
#include "testutil.h"

#define PHANTOM_PARAMS "examples/params/ibsi-1-digital-phantom.yaml"

/* IBSI reference values have 3 significant digits and a published tolerance of 0. */
static double three_digit_tolerance(double value)
{
    if (value == 0.0)
        return 5e-4;
    return 0.5 * pow(10.0, floor(log10(fabs(value))) - 2.0);
}

static int is_texture_tag(const char *tag)
{
    static const char *const prefixes[] = {"cm_", "rlm_", "szm_", "dzm_", "ngt_", "ngl_"};
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++)
        if (strncmp(tag, prefixes[i], strlen(prefixes[i])) == 0)
            return 1;
    return 0;
}

/* Extracts the phantom with the example parameter file, or prints a SKIP line and returns NULL. */
static rad_features *extract_phantom(char *csv, size_t csv_size)
{
    char image_path[1024], mask_path[1024];
    rad_error *e = rad_error_create();
    rad_volume *image = NULL, *mask = NULL;
    rad_params *params = NULL;
    rad_features *features = NULL;

    if (!test_refdata_path(csv, csv_size, "ibsi_1_reference_values/ibsi_1_dig_phantom.csv",
                           "IBSI phantom reference") ||
        !test_refdata_path(image_path, sizeof image_path,
                           "ibsi_1_digital_phantom/nifti/image/phantom.nii.gz", "IBSI phantom") ||
        !test_refdata_path(mask_path, sizeof mask_path,
                           "ibsi_1_digital_phantom/nifti/mask/mask.nii.gz", "IBSI phantom")) {
        rad_error_free(e);
        return NULL;
    }
    ck_assert_msg(rad_params_read(PHANTOM_PARAMS, &params, e) == RAD_OK, "%s",
                  rad_error_message(e));
    ck_assert_msg(rad_volume_read(image_path, &image, e) == RAD_OK, "%s", rad_error_message(e));
    ck_assert_msg(rad_volume_read(mask_path, &mask, e) == RAD_OK, "%s", rad_error_message(e));
    ck_assert_msg(rad_extract(params, image, mask, &features, e) == RAD_OK, "%s",
                  rad_error_message(e));
    rad_volume_free(image);
    rad_volume_free(mask);
    rad_params_free(params);
    rad_error_free(e);
    return features;
}

/* Returns the index of the feature with IBSI tag `tag`, or (size_t)-1 if none has it. */
static size_t find_tag(const rad_features *features, const char *tag)
{
    for (size_t i = 0; i < rad_features_count(features); i++)
        if (strcmp(rad_features_ibsi_tag(features, i), tag) == 0)
            return i;
    return (size_t)-1;
}

START_TEST(phantom_every_texture_row)
{
    char csv[1024];
    rad_features *features = extract_phantom(csv, sizeof csv);
    if (features == NULL)
        return;

    FILE *file = fopen(csv, "r");
    ck_assert_ptr_nonnull(file);
    char line[512];
    int compared = 0, failed = 0;
    while (fgets(line, sizeof line, file) != NULL) {
        char *tag = strrchr(line, ';');
        if (tag == NULL)
            continue;
        tag++;
        tag[strcspn(tag, "\r\n")] = '\0';
        if (!is_texture_tag(tag))
            continue;
        double want, tolerance;
        if (ibsi_lookup(csv, tag, &want, &tolerance) != 0) {
            printf("SKIP %s: no IBSI consensus value\n", tag);
            continue;
        }
        size_t i = find_tag(features, tag);
        if (i == (size_t)-1) {
            printf("FAIL %s: not in the output\n", tag);
            fflush(stdout);
            failed++;
            continue;
        }
        /* tolerance: the published one, widened to the rounding of 3 significant digits */
        double allowed = fmax(tolerance, three_digit_tolerance(want));
        double got = rad_features_value(features, i);
        if (!(fabs(got - want) <= allowed)) {
            printf("FAIL %s (%s): got %.6g, IBSI %.6g +- %g\n", tag,
                   rad_features_name(features, i), got, want, allowed);
            fflush(stdout);
            failed++;
        }
        compared++;
    }
    fclose(file);
    rad_features_free(features);
    ck_assert_int_eq(failed, 0);
    /* 6 x 41 GLCM and GLRLM rows, 3 x 54 single-matrix rows */
    ck_assert_int_eq(compared, 6 * 41 + 3 * 54);
}
END_TEST

START_TEST(phantom_threads_match_one_thread)
{
    char csv[1024], image_path[1024], mask_path[1024];
    if (!test_refdata_path(csv, sizeof csv, "ibsi_1_reference_values/ibsi_1_dig_phantom.csv",
                           "IBSI phantom reference") ||
        !test_refdata_path(image_path, sizeof image_path,
                           "ibsi_1_digital_phantom/nifti/image/phantom.nii.gz", "IBSI phantom") ||
        !test_refdata_path(mask_path, sizeof mask_path,
                           "ibsi_1_digital_phantom/nifti/mask/mask.nii.gz", "IBSI phantom"))
        return;
    rad_error *e = rad_error_create();
    rad_volume *image = NULL, *mask = NULL;
    rad_params *params = NULL;
    rad_features *one = NULL, *two = NULL;
    ck_assert_msg(rad_params_read(PHANTOM_PARAMS, &params, e) == RAD_OK, "%s",
                  rad_error_message(e));
    ck_assert_int_eq(rad_volume_read(image_path, &image, e), RAD_OK);
    ck_assert_int_eq(rad_volume_read(mask_path, &mask, e), RAD_OK);
    ck_assert_int_eq(rad_extract(params, image, mask, &one, e), RAD_OK);
    ck_assert_int_eq(rad_params_set(params, "threads", "2", e), RAD_OK);
    ck_assert_msg(rad_extract(params, image, mask, &two, e) == RAD_OK, "%s",
                  rad_error_message(e));
    ck_assert_uint_eq(rad_features_count(one), rad_features_count(two));
    for (size_t i = 0; i < rad_features_count(one); i++) {
        ck_assert_str_eq(rad_features_name(one, i), rad_features_name(two, i));
        ck_assert_str_eq(rad_features_ibsi_tag(one, i), rad_features_ibsi_tag(two, i));
        double a = rad_features_value(one, i), b = rad_features_value(two, i);
        ck_assert_msg(a == b || (isnan(a) && isnan(b)), "%s: %.17g vs %.17g",
                      rad_features_name(one, i), a, b);
    }
    rad_features_free(one);
    rad_features_free(two);
    rad_volume_free(image);
    rad_volume_free(mask);
    rad_params_free(params);
    rad_error_free(e);
}
END_TEST

START_TEST(phantom_names_have_suffixes)
{
    char csv[1024];
    rad_features *features = extract_phantom(csv, sizeof csv);
    if (features == NULL)
        return;
    size_t i = rad_features_find(features, "original_glcm_MaximumProbability_2D_comb");
    ck_assert_uint_ne(i, (size_t)-1);
    ck_assert_str_eq(rad_features_ibsi_tag(features, i), "cm_joint_max_2D_comb");
    i = rad_features_find(features, "original_glszm_SmallAreaEmphasis_2D");
    ck_assert_uint_ne(i, (size_t)-1);
    ck_assert_str_eq(rad_features_ibsi_tag(features, i), "szm_sze_2D");
    i = rad_features_find(features, "original_gldzm_sde_2_5D");
    ck_assert_uint_ne(i, (size_t)-1);
    ck_assert_str_eq(rad_features_ibsi_tag(features, i), "dzm_sde_2_5D");
    i = rad_features_find(features, "original_glrlm_RunPercentage_3D_avg");
    ck_assert_uint_ne(i, (size_t)-1);
    ck_assert_str_eq(rad_features_ibsi_tag(features, i), "rlm_r_perc_3D_avg");
    /* 3D_avg and 3D_comb give one _3D block for the single-matrix classes */
    int blocks = 0;
    for (size_t k = 0; k < rad_features_count(features); k++)
        blocks += strcmp(rad_features_ibsi_tag(features, k), "ngt_coarseness_3D") == 0;
    ck_assert_int_eq(blocks, 1);
    /* first-order names have no suffix */
    ck_assert_uint_ne(rad_features_find(features, "original_firstorder_Mean"), (size_t)-1);
    rad_features_free(features);
}
END_TEST

START_TEST(setting_round_trip)
{
    rad_error *e = rad_error_create();
    rad_params *params = NULL;
    char buf[256];

    ck_assert_int_eq(rad_params_create(NULL, &params, e), RAD_OK);
    ck_assert_int_eq(rad_params_get(params, "textureAggregation", buf, sizeof buf, e), RAD_OK);
    ck_assert_str_eq(buf, "3D_avg");
    ck_assert_int_eq(rad_params_set(params, "textureAggregation", "[2_5D_comb, 2D_avg]", e),
                     RAD_OK);
    ck_assert_int_eq(rad_params_get(params, "textureAggregation", buf, sizeof buf, e), RAD_OK);
    ck_assert_str_eq(buf, "2D_avg,2_5D_comb");
    rad_params_free(params);
    rad_error_free(e);
}
END_TEST

START_TEST(setting_rejects_unknown_value)
{
    rad_error *e = rad_error_create();
    rad_params *params = NULL;

    ck_assert_int_eq(rad_params_create(NULL, &params, e), RAD_OK);
    ck_assert_int_eq(rad_params_set(params, "textureAggregation", "3D_avg,2D_mean", e),
                     RAD_ERR_PARAMETER);
    const char *message = rad_error_message(e);
    ck_assert_ptr_nonnull(strstr(message, "textureAggregation"));
    ck_assert_ptr_nonnull(strstr(message, "2D_mean"));
    ck_assert_ptr_nonnull(strstr(message, "2_5D_comb"));
    ck_assert_int_eq(rad_params_set(params, "textureAggregation", "[]", e), RAD_ERR_PARAMETER);
    ck_assert_int_eq(rad_params_set(params, "textureAggregation", "[2D_avg, 3D_comb, 2D_avg]", e),
                     RAD_ERR_PARAMETER);
    ck_assert_ptr_nonnull(strstr(rad_error_message(e), "listed twice"));
    rad_params_free(params);
    rad_error_free(e);
}
END_TEST

/*
 * GLRLM 2D_comb by hand. Slice 0 is one voxel of level 1: each of the 4
 * in-plane directions has one run of length 1, so P(1, 1) = 4, SRE = LRE = 1
 * and RP = 4 / 4 = 1. Slice 1 is two voxels of level 2 along x: one run of
 * length 2 along x, and 2 runs of length 1 along each of the other 3
 * directions (which pyradiomics drops, IBSI keeps). So P(2, 1) = 6 and
 * P(2, 2) = 1, SRE = (6 + 1/4) / 7, LRE = (6 + 4) / 7, RP = 7 / (2 x 4).
 */
START_TEST(glrlm_2d_comb_by_hand)
{
    size_t size[3] = {2, 1, 2};
    int levels[4] = {1, 0, 2, 2};
    roi_case c;
    ck_assert_int_eq(roi_case_from_levels(size, levels, &c), 0);
    double out[RI_SIZE_FEATURES];
    rad_error *e = rad_error_create();
    ck_assert_msg(ri_glrlm_aggregated(&c.roi, NULL, RI_AGG_2D_COMB, out, e) == RAD_OK, "%s",
                  rad_error_message(e));
    /* tolerance: 1e-12 absolute (a few exact operations) */
    ck_assert_double_eq_tol(out[0], (1.0 + 6.25 / 7.0) / 2.0, 1e-12);
    ck_assert_double_eq_tol(out[1], (1.0 + 10.0 / 7.0) / 2.0, 1e-12);
    ck_assert_double_eq_tol(out[6], (1.0 + 7.0 / 8.0) / 2.0, 1e-12);
    rad_error_free(e);
    roi_case_free(&c);
}
END_TEST

/*
 * GLDZM 2D by hand on one 3 x 3 slice, centre level 2 in a ring of level 1.
 * The ring is one zone at distance 1 and the centre one zone at in-plane
 * distance 2, so SDE = (1/1 + 1/4) / 2. The 3-D matrix puts the centre at
 * distance 1 (the voxels above and below are outside the ROI), SDE = 1.
 */
START_TEST(gldzm_2d_in_plane_distance)
{
    size_t size[3] = {3, 3, 1};
    int levels[9] = {1, 1, 1, 1, 2, 1, 1, 1, 1};
    roi_case c;
    ck_assert_int_eq(roi_case_from_levels(size, levels, &c), 0);
    double out[RI_SIZE_FEATURES];
    ck_assert_int_eq(ri_gldzm_aggregated(&c.roi, NULL, RI_AGG_2D_AVG, out, NULL), RAD_OK);
    /* tolerance: 1e-12 absolute (a few exact operations) */
    ck_assert_double_eq_tol(out[0], 0.625, 1e-12);
    ck_assert_int_eq(ri_gldzm_aggregated(&c.roi, NULL, RI_AGG_3D_AVG, out, NULL), RAD_OK);
    ck_assert_double_eq_tol(out[0], 1.0, 1e-12);
    roi_case_free(&c);
}
END_TEST

/* A 14 x 12 x 6 volume of levels 1..6 (seeded LCG) with an ellipsoid mask. */
static void make_random_case(rad_volume **image, rad_volume **mask, rad_error *e)
{
    size_t size[3] = {14, 12, 6};
    double spacing[3] = {1, 1, 2}, origin[3] = {0, 0, 0};
    unsigned state = 12345u;

    ck_assert_int_eq(rad_volume_create(size, spacing, origin, NULL, image, e), RAD_OK);
    ck_assert_int_eq(rad_volume_create(size, spacing, origin, NULL, mask, e), RAD_OK);
    double *values = rad_volume_data_mutable(*image), *inside = rad_volume_data_mutable(*mask);
    for (size_t k = 0; k < size[2]; k++)
        for (size_t j = 0; j < size[1]; j++)
            for (size_t i = 0; i < size[0]; i++) {
                size_t v = i + size[0] * (j + size[1] * k);
                state = state * 1103515245u + 12345u;
                values[v] = (double)(1 + (state >> 16) % 6);
                double x = (i - 6.5) / 6.0, y = (j - 5.5) / 5.0, z = (k - 2.5) / 3.0;
                inside[v] = x * x + y * y + z * z <= 1.0;
            }
}

/*
 * Checks that each GLCM and GLRLM feature of reference (and with
 * single_matrix, each GLSZM, GLDM and NGTDM feature) equals the feature of
 * aggregated named with the suffix added. Returns the number compared.
 */
static int compare_with_suffix(const rad_features *reference, const rad_features *aggregated,
                               const char *directional_suffix, const char *single_suffix)
{
    static const char *const classes[] = {"glcm", "glrlm", "glszm", "gldm", "ngtdm"};
    int compared = 0;

    for (size_t i = 0; i < rad_features_count(reference); i++) {
        const char *name = rad_features_name(reference, i);
        const char *suffix = NULL;
        for (size_t c = 0; c < sizeof classes / sizeof classes[0]; c++) {
            char prefix[32];
            snprintf(prefix, sizeof prefix, "original_%s_", classes[c]);
            if (strncmp(name, prefix, strlen(prefix)) == 0)
                suffix = c < 2 ? directional_suffix : single_suffix;
        }
        if (suffix == NULL)
            continue;
        char wanted[192];
        snprintf(wanted, sizeof wanted, "%s%s", name, suffix);
        size_t k = rad_features_find(aggregated, wanted);
        ck_assert_msg(k != (size_t)-1, "%s missing", wanted);
        double a = rad_features_value(reference, i), b = rad_features_value(aggregated, k);
        /* tolerance: 1e-10 relative, 1e-12 absolute (summation order only) */
        ck_assert_msg(close_enough(b, a, 1e-10, 1e-12), "%s: %.15g, reference %.15g", wanted,
                      b, a);
        compared++;
    }
    return compared;
}

/* Extracts the random case twice: with key = value, then with textureAggregation = method. */
static void extract_pair(const char *key, const char *value, const char *method,
                         rad_features **reference, rad_features **aggregated)
{
    rad_error *e = rad_error_create();
    rad_volume *image = NULL, *mask = NULL;
    rad_params *params = NULL;

    make_random_case(&image, &mask, e);
    ck_assert_int_eq(rad_params_create("pyradiomics", &params, e), RAD_OK);
    ck_assert_int_eq(rad_params_set(params, "binWidth", "1", e), RAD_OK);
    ck_assert_int_eq(rad_params_set(params, key, value, e), RAD_OK);
    ck_assert_msg(rad_extract(params, image, mask, reference, e) == RAD_OK, "%s",
                  rad_error_message(e));
    rad_params_free(params);
    ck_assert_int_eq(rad_params_create("pyradiomics", &params, e), RAD_OK);
    ck_assert_int_eq(rad_params_set(params, "binWidth", "1", e), RAD_OK);
    ck_assert_int_eq(rad_params_set(params, "textureAggregation", method, e), RAD_OK);
    ck_assert_msg(rad_extract(params, image, mask, aggregated, e) == RAD_OK, "%s",
                  rad_error_message(e));
    rad_params_free(params);
    rad_volume_free(image);
    rad_volume_free(mask);
    rad_error_free(e);
}

/*
 * pyradiomics' force2D with the in-plane axis z computes one matrix over all
 * slices per in-plane direction, and for GLSZM, GLDM and NGTDM one matrix
 * over all slices with in-plane neighbours. These are IBSI's 2_5D_avg and
 * 2_5D. The two code paths must agree on an ROI where every in-plane
 * direction has adjacent voxels, so that pyradiomics drops none.
 */
START_TEST(force2d_equals_2_5d_avg)
{
    rad_features *forced = NULL, *aggregated = NULL;

    extract_pair("force2D", "true", "2_5D_avg", &forced, &aggregated);
    /* pyradiomics' default-on GLCM 24, GLRLM 16, GLSZM 16, GLDM 14, NGTDM 5 */
    ck_assert_int_eq(compare_with_suffix(forced, aggregated, "_2_5D_avg", "_2_5D"),
                     24 + 16 + 16 + 14 + 5);
    rad_features_free(forced);
    rad_features_free(aggregated);
}
END_TEST

/*
 * weightingNorm no_weighting sums the 13 direction matrices with weight 1
 * before the features, which is IBSI's 3D_comb for GLCM and GLRLM when
 * pyradiomics drops no direction.
 */
START_TEST(no_weighting_equals_3d_comb)
{
    rad_features *weighted = NULL, *aggregated = NULL;

    extract_pair("weightingNorm", "no_weighting", "3D_comb", &weighted, &aggregated);
    ck_assert_int_eq(compare_with_suffix(weighted, aggregated, "_3D_comb", "_3D"),
                     24 + 16 + 16 + 14 + 5);
    rad_features_free(weighted);
    rad_features_free(aggregated);
}
END_TEST

/* Extracts a small 2-slice case with params and returns the status. */
static rad_status extract_small(rad_params *params, rad_error *e)
{
    rad_volume *image = NULL, *mask = NULL;
    rad_features *features = NULL;
    size_t size[3] = {4, 4, 2};
    double spacing[3] = {1, 1, 1}, origin[3] = {0, 0, 0};
    ck_assert_msg(rad_volume_create(size, spacing, origin, NULL, &image, e) == RAD_OK, "%s",
                  rad_error_message(e));
    ck_assert_msg(rad_volume_create(size, spacing, origin, NULL, &mask, e) == RAD_OK, "%s",
                  rad_error_message(e));
    for (size_t v = 0; v < 32; v++) {
        rad_volume_data_mutable(image)[v] = (double)(v * 7 % 5);
        rad_volume_data_mutable(mask)[v] = 1;
    }
    rad_status status = rad_extract(params, image, mask, &features, e);
    rad_features_free(features);
    rad_volume_free(image);
    rad_volume_free(mask);
    return status;
}

START_TEST(contradictory_settings_rejected)
{
    rad_error *e = rad_error_create();
    rad_params *params = NULL;

    ck_assert_int_eq(rad_params_create(NULL, &params, e), RAD_OK);
    ck_assert_int_eq(rad_params_set(params, "textureAggregation", "2D_avg", e), RAD_OK);
    ck_assert_int_eq(rad_params_set(params, "force2D", "true", e), RAD_OK);
    ck_assert_int_eq(extract_small(params, e), RAD_ERR_PARAMETER);
    ck_assert_ptr_nonnull(strstr(rad_error_message(e), "force2D"));
    ck_assert_int_eq(rad_params_set(params, "force2D", "false", e), RAD_OK);
    ck_assert_int_eq(rad_params_set(params, "weightingNorm", "euclidean", e), RAD_OK);
    ck_assert_int_eq(extract_small(params, e), RAD_ERR_PARAMETER);
    ck_assert_ptr_nonnull(strstr(rad_error_message(e), "weightingNorm"));
    ck_assert_int_eq(rad_params_set(params, "weightingNorm", "none", e), RAD_OK);
    ck_assert_int_eq(extract_small(params, e), RAD_OK);
    rad_params_free(params);
    rad_error_free(e);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("aggregation");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, phantom_every_texture_row);
    tcase_add_test(tc, phantom_names_have_suffixes);
    tcase_add_test(tc, phantom_threads_match_one_thread);
    tcase_add_test(tc, glrlm_2d_comb_by_hand);
    tcase_add_test(tc, gldzm_2d_in_plane_distance);
    tcase_add_test(tc, force2d_equals_2_5d_avg);
    tcase_add_test(tc, no_weighting_equals_3d_comb);
    tcase_add_test(tc, setting_round_trip);
    tcase_add_test(tc, setting_rejects_unknown_value);
    tcase_add_test(tc, contradictory_settings_rejected);
    suite_add_tcase(s, tc);
    SRunner *runner = srunner_create(s);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
