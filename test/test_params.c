/*
 * test_params.c - extraction parameters: presets, settings by name and the
 * error messages for unknown keys and bad values.
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static size_t enabled_count(const rad_params *p, ri_feature_class c)
{
    size_t n = 0;

    for (size_t i = 0; i < ri_feature_table_of(c)->count; i++)
        n += p->s.enabled[c][i];
    return n;
}

/* The study's feature set: 774 = 9 images x 86 features, 86 = first-order 18
 * + GLCM 22 + GLRLM 16 + GLSZM 16 + GLDM 14 (Yu et al. 2021 and the
 * pyradiomics release of that time). */
START_TEST(yu2021_counts)
{
    rad_params *p = NULL;

    ck_assert_int_eq(rad_params_create("yu2021", &p, NULL), RAD_OK);
    ck_assert_uint_eq(enabled_count(p, RI_CLASS_FIRSTORDER), 18);
    ck_assert_uint_eq(enabled_count(p, RI_CLASS_GLCM), 22);
    ck_assert_uint_eq(enabled_count(p, RI_CLASS_GLRLM), 16);
    ck_assert_uint_eq(enabled_count(p, RI_CLASS_GLSZM), 16);
    ck_assert_uint_eq(enabled_count(p, RI_CLASS_GLDM), 14);
    for (int c = RI_CLASS_SHAPE; c < RI_CLASS_COUNT; c++)
        ck_assert_uint_eq(enabled_count(p, (ri_feature_class)c), 0);
    ck_assert_int_eq(p->s.wavelet_enabled, 1);
    ck_assert_int_eq(p->s.original_enabled, 1);
    ck_assert_int_eq(p->s.resample, 1);
    ck_assert_double_eq(p->s.resampled_spacing[0], 1.0);
    ck_assert_double_eq(p->s.remove_outliers, 3.0);
    ck_assert_str_eq(p->s.wavelet_name, "coif1");
    rad_params_free(p);
}
END_TEST

/* pyradiomics' defaults: today's 24 default-on GLCM features, bin width 25. */
START_TEST(pyradiomics_defaults)
{
    rad_params *p = NULL;
    char buf[64];

    ck_assert_int_eq(rad_params_create(NULL, &p, NULL), RAD_OK);
    ck_assert_uint_eq(enabled_count(p, RI_CLASS_GLCM), 24);
    ck_assert_int_eq(rad_params_get(p, "binWidth", buf, sizeof buf, NULL), RAD_OK);
    ck_assert_str_eq(buf, "25");
    ck_assert_int_eq(rad_params_get(p, "resampledPixelSpacing", buf, sizeof buf, NULL), RAD_OK);
    ck_assert_str_eq(buf, "none");
    ck_assert_int_eq(p->s.wavelet_enabled, 0);
    rad_params_free(p);
}
END_TEST

/* pyradiomics 3.x default-on counts: shape 14 (Compactness1, Compactness2 and
 * SphericalDisproportion deprecated), NGTDM 5; no IBSI-only class. */
START_TEST(pyradiomics_new_classes)
{
    rad_params *p = NULL;

    ck_assert_int_eq(rad_params_create("pyradiomics", &p, NULL), RAD_OK);
    ck_assert_uint_eq(enabled_count(p, RI_CLASS_SHAPE), 14);
    ck_assert_uint_eq(enabled_count(p, RI_CLASS_NGTDM), 5);
    for (int c = RI_CLASS_MORPHOLOGY; c < RI_CLASS_COUNT; c++)
        ck_assert_uint_eq(enabled_count(p, (ri_feature_class)c), 0);
    rad_params_free(p);
}
END_TEST

/* The ibsi preset: no pyradiomics shape, every IBSI-tagged feature of the
 * other classes, IBSI conventions on. */
START_TEST(ibsi_preset)
{
    rad_params *p = NULL;
    char buf[64];

    ck_assert_int_eq(rad_params_create("ibsi", &p, NULL), RAD_OK);
    ck_assert_uint_eq(enabled_count(p, RI_CLASS_SHAPE), 0);
    for (int c = 0; c < RI_CLASS_COUNT; c++) {
        const ri_feature_table *t = ri_feature_table_of((ri_feature_class)c);
        size_t tagged = 0;
        for (size_t i = 0; i < t->count; i++)
            tagged += t->defs[i].ibsi_tag[0] != '\0';
        if (c != RI_CLASS_SHAPE)
            ck_assert_uint_eq(enabled_count(p, (ri_feature_class)c), tagged);
    }
    ck_assert_int_eq(rad_params_get(p, "voxelArrayShift", buf, sizeof buf, NULL), RAD_OK);
    ck_assert_str_eq(buf, "0");
    ck_assert_int_eq(rad_params_get(p, "ibsiBinEdges", buf, sizeof buf, NULL), RAD_OK);
    ck_assert_str_eq(buf, "true");
    ck_assert_int_eq(rad_params_get(p, "excessKurtosis", buf, sizeof buf, NULL), RAD_OK);
    ck_assert_str_eq(buf, "true");
    rad_params_free(p);
}
END_TEST

/* IBSI-only classes: NULL enables all, names are the tag with or without prefix. */
START_TEST(ibsi_class_names)
{
    rad_params *p = NULL;
    rad_error *e = rad_error_create();
    const char *const names[] = {"p10", "ih_mean", NULL};

    ck_assert_int_eq(rad_params_create(NULL, &p, e), RAD_OK);
    ck_assert_int_eq(rad_params_enable_features(p, "ih", NULL, 1, e), RAD_OK);
    ck_assert_uint_eq(enabled_count(p, RI_CLASS_INTENSITY_HISTOGRAM),
                      ri_feature_table_of(RI_CLASS_INTENSITY_HISTOGRAM)->count);
    ck_assert_int_eq(rad_params_enable_features(p, "intensity_histogram", names, 1, e), RAD_OK);
    ck_assert_uint_eq(enabled_count(p, RI_CLASS_INTENSITY_HISTOGRAM), 2);
    ck_assert_int_eq(rad_params_enable_features(p, "gldzm", NULL, 1, e), RAD_OK);
    ck_assert_uint_eq(enabled_count(p, RI_CLASS_GLDZM), 16);
    ck_assert_int_eq(rad_params_enable_features(p, "morph", NULL, 1, e), RAD_OK);
    ck_assert_int_eq(rad_params_enable_features(p, "loc", NULL, 1, e), RAD_OK);
    ck_assert_uint_eq(enabled_count(p, RI_CLASS_LOCAL_INTENSITY), 2);
    ck_assert_int_eq(rad_params_enable_features(p, "ivh", NULL, 1, e), RAD_OK);
    ck_assert_int_eq(rad_params_enable_features(p, "stat", NULL, 1, e), RAD_OK);
    ck_assert_uint_eq(enabled_count(p, RI_CLASS_STATISTICS_EXTRA), 3);
    ck_assert_int_eq(rad_params_enable_features(p, "ngtdm", NULL, 0, e), RAD_OK);
    ck_assert_uint_eq(enabled_count(p, RI_CLASS_NGTDM), 0);
    rad_params_free(p);
    rad_error_free(e);
}
END_TEST

START_TEST(unknown_key_suggests)
{
    rad_params *p = NULL;
    rad_error *e = rad_error_create();

    ck_assert_int_eq(rad_params_create("yu2021", &p, e), RAD_OK);
    ck_assert_int_eq(rad_params_set(p, "binwidht", "10", e), RAD_ERR_PARAMETER);
    ck_assert_ptr_nonnull(strstr(rad_error_message(e), "\"binwidht\""));
    ck_assert_ptr_nonnull(strstr(rad_error_message(e), "\"binWidth\""));
    rad_params_free(p);
    rad_error_free(e);
}
END_TEST

START_TEST(bad_value_names_range)
{
    rad_params *p = NULL;
    rad_error *e = rad_error_create();

    ck_assert_int_eq(rad_params_create(NULL, &p, e), RAD_OK);
    ck_assert_int_eq(rad_params_set(p, "binWidth", "-3", e), RAD_ERR_PARAMETER);
    ck_assert_ptr_nonnull(strstr(rad_error_message(e), "\"-3\""));
    ck_assert_ptr_nonnull(strstr(rad_error_message(e), "> 0"));
    ck_assert_int_eq(rad_params_set(p, "interpolator", "cubic", e), RAD_ERR_PARAMETER);
    ck_assert_ptr_nonnull(strstr(rad_error_message(e), "sitkBSpline"));
    ck_assert_int_eq(rad_params_set(p, "resampledPixelSpacing", "1,1", e), RAD_ERR_PARAMETER);
    ck_assert_int_eq(rad_params_set(p, "binWidth", "12abc", e), RAD_ERR_PARAMETER);
    /* A failed set leaves the old value. */
    ck_assert_double_eq(p->s.bin_width, 25.0);
    rad_params_free(p);
    rad_error_free(e);
}
END_TEST

START_TEST(set_and_get_round_trip)
{
    rad_params *p = NULL, *copy;
    char buf[128];

    ck_assert_int_eq(rad_params_create(NULL, &p, NULL), RAD_OK);
    ck_assert_int_eq(rad_params_set(p, "resampledPixelSpacing", "[2, 2, 0]", NULL), RAD_OK);
    ck_assert_int_eq(rad_params_get(p, "resampledPixelSpacing", buf, sizeof buf, NULL), RAD_OK);
    ck_assert_str_eq(buf, "2,2,0");
    ck_assert_int_eq(rad_params_set(p, "removeOutliers", "none", NULL), RAD_OK);
    ck_assert_int_eq(rad_params_get(p, "removeOutliers", buf, sizeof buf, NULL), RAD_OK);
    ck_assert_str_eq(buf, "none");
    ck_assert_int_eq(rad_params_set(p, "distances", "1,2,3", NULL), RAD_OK);
    ck_assert_int_eq(rad_params_get(p, "distances", buf, sizeof buf, NULL), RAD_OK);
    ck_assert_str_eq(buf, "1,2,3");

    copy = rad_params_copy(p);
    ck_assert_ptr_nonnull(copy);
    ck_assert_int_eq(rad_params_set(p, "distances", "4", NULL), RAD_OK);
    ck_assert_int_eq(rad_params_get(copy, "distances", buf, sizeof buf, NULL), RAD_OK);
    ck_assert_str_eq(buf, "1,2,3");
    rad_params_free(copy);
    rad_params_free(p);
}
END_TEST

START_TEST(feature_selection_by_name)
{
    rad_params *p = NULL;
    rad_error *e = rad_error_create();
    const char *const names[] = {"Contrast", "JointEnergy", NULL};
    const char *const bad[] = {"Contrast", "Contrst", NULL};

    ck_assert_int_eq(rad_params_create(NULL, &p, e), RAD_OK);
    ck_assert_int_eq(rad_params_enable_features(p, "glcm", names, 1, e), RAD_OK);
    ck_assert_uint_eq(enabled_count(p, RI_CLASS_GLCM), 2);
    ck_assert_int_eq(rad_params_enable_features(p, "glcm", bad, 1, e), RAD_ERR_PARAMETER);
    ck_assert_ptr_nonnull(strstr(rad_error_message(e), "Contrst"));
    ck_assert_uint_eq(enabled_count(p, RI_CLASS_GLCM), 2);
    ck_assert_int_eq(rad_params_enable_features(p, "shap", NULL, 1, e), RAD_ERR_PARAMETER);
    ck_assert_int_eq(rad_params_enable_features(p, "shape", NULL, 1, e), RAD_OK);
    ck_assert_int_eq(rad_params_enable_image_type(p, "LoG", 1, e), RAD_ERR_PARAMETER);
    ck_assert_int_eq(rad_params_enable_features(p, "glcm", NULL, 0, e), RAD_OK);
    ck_assert_uint_eq(enabled_count(p, RI_CLASS_GLCM), 0);
    rad_params_free(p);
    rad_error_free(e);
}
END_TEST

START_TEST(unknown_preset)
{
    rad_params *p = NULL;
    rad_error *e = rad_error_create();

    ck_assert_int_eq(rad_params_create("yu2020", &p, e), RAD_ERR_PARAMETER);
    ck_assert_ptr_null(p);
    ck_assert_ptr_nonnull(strstr(rad_error_message(e), "yu2020"));
    rad_error_free(e);
}
END_TEST

START_TEST(status_names)
{
    ck_assert_str_eq(rad_status_name(RAD_OK), "RAD_OK");
    ck_assert_str_eq(rad_status_name(RAD_ERR_GEOMETRY), "RAD_ERR_GEOMETRY");
    ck_assert_str_eq(rad_status_name((rad_status)999), "RAD_STATUS_UNKNOWN");
    ck_assert_int_eq(RAD_ERR_OUTSIDE, 11);
    ck_assert_str_eq(rad_version_string(), RAD_VERSION_STRING);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("params");
    TCase *tc = tcase_create("params");
    SRunner *runner;
    int failed;

    tcase_add_test(tc, yu2021_counts);
    tcase_add_test(tc, pyradiomics_defaults);
    tcase_add_test(tc, pyradiomics_new_classes);
    tcase_add_test(tc, ibsi_preset);
    tcase_add_test(tc, ibsi_class_names);
    tcase_add_test(tc, unknown_key_suggests);
    tcase_add_test(tc, bad_value_names_range);
    tcase_add_test(tc, set_and_get_round_trip);
    tcase_add_test(tc, feature_selection_by_name);
    tcase_add_test(tc, unknown_preset);
    tcase_add_test(tc, status_names);
    suite_add_tcase(s, tc);
    runner = srunner_create(s);
    srunner_run_all(runner, CK_NORMAL);
    failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
