/*
 * test_yaml.c - rad_params_read: the example parameter files, error
 * messages with line numbers and key hints, and a round trip from YAML text
 * to rad_params_get. Expected values are the ones written in the YAML text.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "testutil.h"

#ifndef EXAMPLE_PARAMS_DIR
#define EXAMPLE_PARAMS_DIR "examples/params"
#endif

static size_t enabled_count(const rad_params *p, ri_feature_class c)
{
    size_t n = 0;

    for (size_t i = 0; i < ri_feature_table_of(c)->count; i++)
        n += p->s.enabled[c][i];
    return n;
}

/* Writes text to a new file in a temporary folder and returns its path. */
static const char *write_yaml(const char *text)
{
    static char path[1024];
    FILE *file;

    snprintf(path, sizeof path, "%s/params.yaml", test_temp_dir());
    file = fopen(path, "w");
    ck_assert_ptr_nonnull(file);
    fputs(text, file);
    fclose(file);
    return path;
}

static rad_params *read_example(const char *name)
{
    char path[512];
    rad_params *p = NULL;
    rad_error *e = rad_error_create();

    snprintf(path, sizeof path, "%s/%s", EXAMPLE_PARAMS_DIR, name);
    ck_assert_msg(rad_params_read(path, &p, e) == RAD_OK, "%s: %s", name, rad_error_message(e));
    rad_error_free(e);
    return p;
}

static void assert_setting(const rad_params *p, const char *key, const char *expected)
{
    char buf[128];

    ck_assert_int_eq(rad_params_get(p, key, buf, sizeof buf, NULL), RAD_OK);
    ck_assert_msg(strcmp(buf, expected) == 0, "%s is \"%s\", expected \"%s\"", key, buf,
                  expected);
}

/* yu2021.yaml spells out the yu2021 preset: same settings and features. */
START_TEST(yu2021_file_equals_preset)
{
    static const char *const keys[] = {"binWidth", "resampledPixelSpacing", "interpolator",
                                       "normalize", "normalizeScale", "removeOutliers",
                                       "voxelArrayShift", "label", "wavelet", "level"};
    rad_params *file = read_example("yu2021.yaml"), *preset = NULL;
    char a[128], b[128];

    ck_assert_int_eq(rad_params_create("yu2021", &preset, NULL), RAD_OK);
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
        ck_assert_int_eq(rad_params_get(file, keys[k], a, sizeof a, NULL), RAD_OK);
        ck_assert_int_eq(rad_params_get(preset, keys[k], b, sizeof b, NULL), RAD_OK);
        ck_assert_msg(strcmp(a, b) == 0, "%s: file %s, preset %s", keys[k], a, b);
    }
    for (int c = 0; c < RI_CLASS_COUNT; c++)
        ck_assert_mem_eq(file->s.enabled[c], preset->s.enabled[c],
                         ri_feature_table_of((ri_feature_class)c)->count);
    ck_assert_int_eq(file->s.original_enabled, 1);
    ck_assert_int_eq(file->s.wavelet_enabled, 1);
    rad_params_free(file);
    rad_params_free(preset);
}
END_TEST

START_TEST(ct_example_file)
{
    rad_params *p = read_example("pyradiomics-ct-example.yaml");

    assert_setting(p, "binWidth", "25");
    assert_setting(p, "resampledPixelSpacing", "1,1,1");
    assert_setting(p, "padDistance", "10");
    assert_setting(p, "voxelArrayShift", "1000");
    assert_setting(p, "interpolator", "sitkBSpline");
    ck_assert_uint_eq(enabled_count(p, RI_CLASS_SHAPE), 14);
    ck_assert_uint_eq(enabled_count(p, RI_CLASS_GLCM), 22);
    ck_assert_uint_eq(enabled_count(p, RI_CLASS_FIRSTORDER), 18);
    ck_assert_uint_eq(enabled_count(p, RI_CLASS_NGTDM), 0);
    ck_assert_int_eq(p->s.wavelet_enabled, 1);
    rad_params_free(p);
}
END_TEST

START_TEST(ibsi_files)
{
    static const char *const names[] = {
        "ibsi-1-digital-phantom.yaml", "ibsi-1-config-a.yaml", "ibsi-1-config-b.yaml",
        "ibsi-1-config-c.yaml",        "ibsi-1-config-d.yaml", "ibsi-1-config-e.yaml",
    };

    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        rad_params *p = read_example(names[k]);
        assert_setting(p, "ibsiBinEdges", "true");
        assert_setting(p, "excessKurtosis", "true");
        assert_setting(p, "voxelArrayShift", "0");
        ck_assert_uint_eq(enabled_count(p, RI_CLASS_GLDZM), 16);
        ck_assert_uint_eq(enabled_count(p, RI_CLASS_LOCAL_INTENSITY), 2);
        ck_assert_uint_eq(enabled_count(p, RI_CLASS_SHAPE), 0);
        ck_assert_int_eq(p->s.wavelet_enabled, 0);
        rad_params_free(p);
    }
    rad_params *phantom = read_example("ibsi-1-digital-phantom.yaml");
    assert_setting(phantom, "binWidth", "1");
    assert_setting(phantom, "resampledPixelSpacing", "none");
    rad_params_free(phantom);
    rad_params *c = read_example("ibsi-1-config-c.yaml");
    assert_setting(c, "resampledPixelSpacing", "2,2,2");
    assert_setting(c, "interpolator", "sitkLinear");
    rad_params_free(c);
    rad_params *e = read_example("ibsi-1-config-e.yaml");
    assert_setting(e, "interpolator", "sitkBSpline");
    rad_params_free(e);
}
END_TEST

/* Every setting written in the YAML text comes back from rad_params_get. */
START_TEST(round_trip)
{
    const char *path = write_yaml("---\n"
                                  "# comment line\n"
                                  "setting:\n"
                                  "  binWidth: 12.5   # trailing comment\n"
                                  "  resampledPixelSpacing: [0.5, 0.75, 3]\n"
                                  "  interpolator: 'sitkLinear'\n"
                                  "  padDistance: 7\n"
                                  "  normalize: True\n"
                                  "  normalizeScale: 500\n"
                                  "  removeOutliers: 2.5\n"
                                  "  voxelArrayShift: 1000\n"
                                  "  label: 2\n"
                                  "  geometryTolerance: 0.0001\n"
                                  "  minimumROIDimensions: 3\n"
                                  "  minimumROISize: 50\n"
                                  "  distances:\n"
                                  "  - 1\n"
                                  "  - 2\n"
                                  "  gldm_a: 1\n"
                                  "  symmetricalGLCM: false\n"
                                  "  weightingNorm:\n"
                                  "  additionalInfo: true\n"
                                  "imageType:\n"
                                  "  Original: {}\n"
                                  "  Wavelet: {wavelet: \"db2\", level: 2}\n"
                                  "featureClass:\n"
                                  "  glcm: [Contrast, JointEnergy]\n"
                                  "  ih:\n"
                                  "    - p10\n"
                                  "    - ih_mean\n"
                                  "  shape: []\n");
    rad_params *p = NULL;
    rad_error *e = rad_error_create();

    ck_assert_msg(rad_params_read(path, &p, e) == RAD_OK, "%s", rad_error_message(e));
    assert_setting(p, "binWidth", "12.5");
    assert_setting(p, "resampledPixelSpacing", "0.5,0.75,3");
    assert_setting(p, "interpolator", "sitkLinear");
    assert_setting(p, "padDistance", "7");
    assert_setting(p, "normalize", "true");
    assert_setting(p, "normalizeScale", "500");
    assert_setting(p, "removeOutliers", "2.5");
    assert_setting(p, "voxelArrayShift", "1000");
    assert_setting(p, "label", "2");
    assert_setting(p, "geometryTolerance", "0.0001");
    assert_setting(p, "minimumROIDimensions", "3");
    assert_setting(p, "minimumROISize", "50");
    assert_setting(p, "distances", "1,2");
    assert_setting(p, "gldm_a", "1");
    assert_setting(p, "symmetricalGLCM", "false");
    assert_setting(p, "wavelet", "db2");
    assert_setting(p, "level", "2");
    ck_assert_int_eq(p->s.original_enabled, 1);
    ck_assert_int_eq(p->s.wavelet_enabled, 1);
    ck_assert_uint_eq(enabled_count(p, RI_CLASS_GLCM), 2);
    ck_assert_uint_eq(enabled_count(p, RI_CLASS_INTENSITY_HISTOGRAM), 2);
    ck_assert_uint_eq(enabled_count(p, RI_CLASS_SHAPE), 14);
    ck_assert_uint_eq(enabled_count(p, RI_CLASS_FIRSTORDER), 0);
    ck_assert_uint_eq(enabled_count(p, RI_CLASS_NGTDM), 0);
    rad_params_free(p);
    rad_error_free(e);
}
END_TEST

/* An empty file gives the pyradiomics preset. */
START_TEST(empty_file_is_preset)
{
    rad_params *p = NULL;

    ck_assert_int_eq(rad_params_read(write_yaml("# nothing\n\n"), &p, NULL), RAD_OK);
    assert_setting(p, "binWidth", "25");
    ck_assert_uint_eq(enabled_count(p, RI_CLASS_GLCM), 24);
    rad_params_free(p);
}
END_TEST

/* Reads text, expects status and a message containing "<path>:<line>:" and
 * each of the given fragments. */
static void expect_failure(const char *text, rad_status status, int line, const char *fragment1,
                           const char *fragment2)
{
    const char *path = write_yaml(text);
    rad_params *p = NULL;
    rad_error *e = rad_error_create();
    char where[1100];

    ck_assert_int_eq(rad_params_read(path, &p, e), status);
    ck_assert_ptr_null(p);
    snprintf(where, sizeof where, "%s:%d:", path, line);
    ck_assert_msg(strstr(rad_error_message(e), where) != NULL, "message \"%s\" lacks \"%s\"",
                  rad_error_message(e), where);
    if (fragment1)
        ck_assert_msg(strstr(rad_error_message(e), fragment1) != NULL,
                      "message \"%s\" lacks \"%s\"", rad_error_message(e), fragment1);
    if (fragment2)
        ck_assert_msg(strstr(rad_error_message(e), fragment2) != NULL,
                      "message \"%s\" lacks \"%s\"", rad_error_message(e), fragment2);
    rad_error_free(e);
}

START_TEST(unknown_setting_suggests)
{
    expect_failure("setting:\n  label: 1\n  binWidht: 10\n", RAD_ERR_PARAMETER, 3, "\"binWidht\"",
                   "\"binWidth\"");
    expect_failure("imageType:\n  Original: {}\nfeatureClas:\n  glcm:\n", RAD_ERR_PARAMETER, 3,
                   "\"featureClas\"", "\"featureClass\"");
    expect_failure("featureClass:\n  glmc:\n", RAD_ERR_PARAMETER, 2, "\"glmc\"", "\"glcm\"");
    expect_failure("imageType:\n  Orignal: {}\n", RAD_ERR_PARAMETER, 2, "\"Orignal\"",
                   "\"Original\"");
}
END_TEST

START_TEST(syntax_errors_name_line)
{
    expect_failure("setting:\n  label: 1\n\tbinWidth: 10\n", RAD_ERR_FORMAT, 3, "tab", NULL);
    expect_failure("setting:\n  binWidth: &w 10\n", RAD_ERR_FORMAT, 2, "anchors", NULL);
    expect_failure("setting:\n  binWidth: 10\n  binWidth: 5\n", RAD_ERR_FORMAT, 3, "duplicate",
                   NULL);
    expect_failure("setting:\n  binWidth: 10\n     label: 1\n", RAD_ERR_FORMAT, 3,
                   "indentation", NULL);
    expect_failure("setting:\n  resampledPixelSpacing: [1, 1, 1\n", RAD_ERR_FORMAT, 2, "]",
                   NULL);
    expect_failure("setting:\n  interpolator: 'sitkLinear\n", RAD_ERR_FORMAT, 2, "quoted",
                   NULL);
    expect_failure("setting\n", RAD_ERR_FORMAT, 1, "key: value", NULL);
}
END_TEST

/* Settings of pyradiomics' variant baselines go through to rad_params_set. */
START_TEST(variant_settings_reach_params)
{
    const char *path = write_yaml("setting:\n"
                                  "  binCount: 32\n"
                                  "  resegmentRange: [-1000, 400]\n"
                                  "  resegmentMode: absolute\n"
                                  "  force2D: true\n"
                                  "  force2Ddimension: 0\n"
                                  "  enableCExtensions: true\n");
    rad_params *p = NULL;
    rad_error *e = rad_error_create();

    ck_assert_msg(rad_params_read(path, &p, e) == RAD_OK, "%s", rad_error_message(e));
    assert_setting(p, "binCount", "32");
    assert_setting(p, "force2D", "true");
    assert_setting(p, "resegmentMode", "absolute");
    rad_params_free(p);
    rad_error_free(e);
}
END_TEST

START_TEST(unsupported_and_bad_values)
{
    expect_failure("imageType:\n  Original: {}\n  LoG:\n    sigma: [1.0, 2.0]\n",
                   RAD_ERR_UNSUPPORTED, 3, "LoG", NULL);
    expect_failure("setting:\n  force2D: maybe\n", RAD_ERR_PARAMETER, 2, "force2D", NULL);
    expect_failure("setting:\n  resegmentRange: [400, -1000, 3]\n", RAD_ERR_PARAMETER, 2,
                   "resegmentRange", NULL);
    expect_failure("voxelSetting:\n  kernelRadius: 2\n", RAD_ERR_UNSUPPORTED, 1, "voxel", NULL);
    expect_failure("setting:\n  binWidth: -3\n", RAD_ERR_PARAMETER, 2, "\"-3\"", "> 0");
    expect_failure("featureClass:\n  glcm: [Contrst]\n", RAD_ERR_PARAMETER, 2, "Contrst", NULL);
    expect_failure("imageType:\n  Wavelet: {binWidth: 10}\n", RAD_ERR_UNSUPPORTED, 2,
                   "binWidth", NULL);
}
END_TEST

START_TEST(missing_file)
{
    rad_params *p = NULL;
    rad_error *e = rad_error_create();

    ck_assert_int_eq(rad_params_read("/nonexistent/params.yaml", &p, e), RAD_ERR_IO);
    ck_assert_ptr_nonnull(strstr(rad_error_message(e), "/nonexistent/params.yaml"));
    ck_assert_ptr_null(p);
    rad_error_free(e);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("yaml");
    TCase *tc = tcase_create("yaml");
    SRunner *runner;
    int failed;

    tcase_add_test(tc, yu2021_file_equals_preset);
    tcase_add_test(tc, ct_example_file);
    tcase_add_test(tc, ibsi_files);
    tcase_add_test(tc, round_trip);
    tcase_add_test(tc, empty_file_is_preset);
    tcase_add_test(tc, unknown_setting_suggests);
    tcase_add_test(tc, syntax_errors_name_line);
    tcase_add_test(tc, unsupported_and_bad_values);
    tcase_add_test(tc, variant_settings_reach_params);
    tcase_add_test(tc, missing_file);
    suite_add_tcase(s, tc);
    runner = srunner_create(s);
    srunner_set_fork_status(runner, CK_FORK);
    srunner_run_all(runner, CK_NORMAL);
    failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
