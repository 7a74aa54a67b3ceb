/*
 * test_parallel.c - the "threads" setting of rad_extract, which computes the
 * image types and feature classes of one ROI on several threads.
 *
 * The reference is the single-threaded run of the same build: with threads
 * 2 and 4 the feature names, their order and every value must equal those of
 * threads = 1 bit for bit (memcmp of the doubles, tolerance 0), because the
 * kernels are the same and results are assembled by index. Errors and log
 * messages must also be those of the single-threaded run: same status, same
 * message, same order. `make check-tsan` runs this suite under
 * ThreadSanitizer.
 */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "radiomics.h"
#include "testutil.h"

static const int thread_counts[] = {2, 4};
#define N_THREAD_COUNTS (sizeof thread_counts / sizeof thread_counts[0])

/* A 48 x 44 x 20 CT-like volume of 0.98 x 0.98 x 3.27 mm voxels: air, a body
 * ellipse of fat (-100 HU) with noise and a muscle core (50 HU). The mask is
 * a cube of 20 x 20 x 8 voxels across the fat and muscle. */
static void make_synthetic(rad_volume **image, rad_volume **mask)
{
    const size_t size[3] = {48, 44, 20};
    const double spacing[3] = {0.9766, 0.9766, 3.27}, origin[3] = {0, 0, 0};
    uint64_t state = 7;

    ck_assert_int_eq(rad_volume_create(size, spacing, origin, NULL, image, NULL), RAD_OK);
    ck_assert_int_eq(rad_volume_create(size, spacing, origin, NULL, mask, NULL), RAD_OK);
    double *v = rad_volume_data_mutable(*image), *m = rad_volume_data_mutable(*mask);
    for (size_t k = 0; k < size[2]; k++)
        for (size_t j = 0; j < size[1]; j++)
            for (size_t i = 0; i < size[0]; i++) {
                size_t at = i + size[0] * (j + size[1] * k);
                double x = (i - 23.5) / 22.0, y = (j - 21.5) / 20.0, r = x * x + y * y;
                state = state * 6364136223846793005ULL + 1442695040888963407ULL;
                double noise = (double)((state >> 33) % 41) - 20;
                v[at] = r > 1 ? -1000 : (r < 0.3 ? 50 : -100) + noise;
                m[at] = i >= 14 && i < 34 && j >= 12 && j < 32 && k >= 6 && k < 14;
            }
}

/* Loads case STS_002_b1 of calci_sim_on_sts (a real CT box with the 50 mm
 * box mask), or the synthetic volume when the data are absent. */
static void load_real_case(const rad_params *params, rad_volume **image, rad_volume **mask)
{
    char path[4096];
    /* Box centre of case STS_002_b1 in manifest.csv (RAS mm). */
    const double center[3] = {-28.320, -140.625, -501.510};
    rad_error *e = rad_error_create();

    if (!test_refdata_path(path, sizeof path, "calci_sim_on_sts/images/STS_002_b1.nii.gz",
                           "real CT box for the parallel test (synthetic volume used)")) {
        make_synthetic(image, mask);
        rad_error_free(e);
        return;
    }
    ck_assert_msg(rad_volume_read(path, image, e) == RAD_OK, "%s", rad_error_message(e));
    ck_assert_msg(rad_box_mask(params, *image, center, 50, mask, e) == RAD_OK, "%s",
                  rad_error_message(e));
    rad_error_free(e);
}

static void set_threads(rad_params *params, int threads)
{
    char text[16];
    rad_error *e = rad_error_create();

    snprintf(text, sizeof text, "%d", threads);
    ck_assert_msg(rad_params_set(params, "threads", text, e) == RAD_OK, "%s",
                  rad_error_message(e));
    rad_error_free(e);
}

static rad_features *extract_with_threads(rad_params *params, const rad_volume *image,
                                          const rad_volume *mask, int threads)
{
    rad_features *features = NULL;
    rad_error *e = rad_error_create();

    set_threads(params, threads);
    ck_assert_msg(rad_extract(params, image, mask, &features, e) == RAD_OK, "threads %d: %s",
                  threads, rad_error_message(e));
    rad_error_free(e);
    return features;
}

/* Names in the same order and values identical bit for bit (tolerance 0). */
static void assert_identical(const rad_features *alone, const rad_features *parallel,
                             int threads)
{
    ck_assert_uint_eq(rad_features_count(parallel), rad_features_count(alone));
    ck_assert_int_eq(rad_features_min_grey_levels(parallel),
                     rad_features_min_grey_levels(alone));
    for (size_t i = 0; i < rad_features_count(alone); i++) {
        double x = rad_features_value(alone, i), y = rad_features_value(parallel, i);
        ck_assert_str_eq(rad_features_name(parallel, i), rad_features_name(alone, i));
        ck_assert_msg(memcmp(&x, &y, sizeof x) == 0, "threads %d: %s = %.17g, alone %.17g",
                      threads, rad_features_name(alone, i), y, x);
    }
}

START_TEST(threads_setting_range)
{
    rad_params *params = NULL;
    rad_error *e = rad_error_create();
    char buf[32];
    const char *rejected[] = {"0", "65", "-1", "2.5", "two", ""};

    ck_assert_int_eq(rad_params_create("yu2021", &params, e), RAD_OK);
    ck_assert_int_eq(rad_params_get(params, "threads", buf, sizeof buf, e), RAD_OK);
    ck_assert_str_eq(buf, "1");
    ck_assert_int_eq(rad_params_set(params, "threads", "64", e), RAD_OK);
    ck_assert_int_eq(rad_params_get(params, "threads", buf, sizeof buf, e), RAD_OK);
    ck_assert_str_eq(buf, "64");
    for (size_t i = 0; i < sizeof rejected / sizeof rejected[0]; i++) {
        ck_assert_int_eq(rad_params_set(params, "threads", rejected[i], e), RAD_ERR_PARAMETER);
        ck_assert_msg(strstr(rad_error_message(e), "threads") != NULL, "%s",
                      rad_error_message(e));
    }
    ck_assert_int_eq(rad_params_get(params, "threads", buf, sizeof buf, e), RAD_OK);
    ck_assert_str_eq(buf, "64");
    rad_params_free(params);
    rad_error_free(e);
}
END_TEST

/* The 774 yu2021 features (original + 8 coif1 bands, 5 classes) of a real CT box. */
START_TEST(yu2021_real_box_identical)
{
    rad_params *params = NULL;
    rad_volume *image = NULL, *mask = NULL;
    rad_features *alone;

    ck_assert_int_eq(rad_params_create("yu2021", &params, NULL), RAD_OK);
    load_real_case(params, &image, &mask);
    alone = extract_with_threads(params, image, mask, 1);
    ck_assert_uint_eq(rad_features_count(alone), 774);
    for (size_t t = 0; t < N_THREAD_COUNTS; t++) {
        rad_features *parallel = extract_with_threads(params, image, mask, thread_counts[t]);
        assert_identical(alone, parallel, thread_counts[t]);
        rad_features_free(parallel);
    }
    rad_features_free(alone);
    rad_volume_free(image);
    rad_volume_free(mask);
    rad_params_free(params);
}
END_TEST

/* Every class kind: shape and morphology (computed once, before the pool),
 * the texture classes, and local intensity (whose task crops its own wider
 * ROI), on the original image and the haar bands. */
START_TEST(all_classes_identical)
{
    static const char *const classes[] = {"firstorder", "shape", "glcm", "glrlm", "glszm",
                                          "gldm", "ngtdm", "ih", "stat", "ivh", "loc", "gldzm"};
    rad_params *params = NULL;
    rad_volume *image = NULL, *mask = NULL;
    rad_features *alone;
    rad_error *e = rad_error_create();

    ck_assert_int_eq(rad_params_create("pyradiomics", &params, e), RAD_OK);
    for (size_t c = 0; c < sizeof classes / sizeof classes[0]; c++)
        ck_assert_msg(rad_params_enable_features(params, classes[c], NULL, 1, e) == RAD_OK,
                      "%s", rad_error_message(e));
    ck_assert_int_eq(rad_params_enable_image_type(params, "Wavelet", 1, e), RAD_OK);
    ck_assert_int_eq(rad_params_set(params, "wavelet", "haar", e), RAD_OK);
    make_synthetic(&image, &mask);
    alone = extract_with_threads(params, image, mask, 1);
    ck_assert_uint_gt(rad_features_count(alone), 9 * 100);
    for (size_t t = 0; t < N_THREAD_COUNTS; t++) {
        rad_features *parallel = extract_with_threads(params, image, mask, thread_counts[t]);
        assert_identical(alone, parallel, thread_counts[t]);
        rad_features_free(parallel);
    }
    rad_features_free(alone);
    rad_volume_free(image);
    rad_volume_free(mask);
    rad_params_free(params);
    rad_error_free(e);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Errors and log messages                                              */

typedef struct extract_result {
    rad_status status;
    char message[1024];
} extract_result;

static extract_result extract_failing(rad_params *params, const rad_volume *image,
                                      const rad_volume *mask, int threads)
{
    extract_result result;
    rad_features *features = NULL;
    rad_error *e = rad_error_create();

    set_threads(params, threads);
    result.status = rad_extract(params, image, mask, &features, e);
    snprintf(result.message, sizeof result.message, "%s", rad_error_message(e));
    ck_assert_ptr_null(features);
    rad_error_free(e);
    return result;
}

/* Runs an extraction expected to fail with threads 1, 2 and 4; the status
 * and message must be the same, and the message must contain `expected`. */
static void assert_same_error(rad_params *params, const rad_volume *image,
                              const rad_volume *mask, const char *expected)
{
    extract_result alone = extract_failing(params, image, mask, 1);

    ck_assert_int_eq(alone.status, RAD_ERR_NOT_FINITE);
    ck_assert_msg(strstr(alone.message, expected) != NULL, "message \"%s\" lacks \"%s\"",
                  alone.message, expected);
    for (size_t t = 0; t < N_THREAD_COUNTS; t++) {
        extract_result parallel = extract_failing(params, image, mask, thread_counts[t]);
        ck_assert_int_eq(parallel.status, alone.status);
        ck_assert_str_eq(parallel.message, alone.message);
    }
}

/* pyradiomics preset with the coif1 bands and no normalisation, so that a
 * NaN reaches the image types unchanged. */
static rad_params *wavelet_params(void)
{
    rad_params *params = NULL;

    ck_assert_int_eq(rad_params_create("pyradiomics", &params, NULL), RAD_OK);
    ck_assert_int_eq(rad_params_enable_image_type(params, "Wavelet", 1, NULL), RAD_OK);
    return params;
}

/* A NaN inside the ROI: the first image type, "original", fails. */
START_TEST(nan_in_roi_same_error)
{
    rad_params *params = wavelet_params();
    rad_volume *image = NULL, *mask = NULL;

    make_synthetic(&image, &mask);
    /* Voxel (20, 20, 10) lies in the mask (14..33, 12..31, 6..13). */
    rad_volume_data_mutable(image)[20 + 48 * (20 + 44 * 10)] = NAN;
    assert_same_error(params, image, mask, "original image has a NaN");
    rad_volume_free(image);
    rad_volume_free(mask);
    rad_params_free(params);
}
END_TEST

/* A NaN just outside the ROI: the original image passes because only ROI
 * voxels are checked, but the wavelet filter spreads the NaN into the ROI of
 * every band. So the errors come from tasks after the first, and the one
 * reported must be that of the first band in pyradiomics' order. */
START_TEST(nan_near_roi_band_error)
{
    rad_params *params = wavelet_params();
    rad_volume *image = NULL, *mask = NULL;

    make_synthetic(&image, &mask);
    /* Voxel (13, 20, 10) is next to the mask's face at i = 14. */
    rad_volume_data_mutable(image)[13 + 48 * (20 + 44 * 10)] = NAN;
    assert_same_error(params, image, mask, "wavelet-LLH image has a NaN");
    rad_volume_free(image);
    rad_volume_free(mask);
    rad_params_free(params);
}
END_TEST

typedef struct log_record {
    char text[8192];
    size_t used;
} log_record;

static void record_log(rad_log_level level, const char *message, void *user)
{
    log_record *log = user;
    int n = snprintf(log->text + log->used, sizeof log->text - log->used, "%d %s\n",
                     (int)level, message);

    if (n > 0 && log->used + (size_t)n < sizeof log->text)
        log->used += (size_t)n;
}

/* binWidth 100 leaves fewer than 8 grey levels in the original image and the
 * bands, so the image types log warnings. Their order must not change. */
START_TEST(log_messages_same_order)
{
    rad_params *params = wavelet_params();
    rad_volume *image = NULL, *mask = NULL;
    log_record alone = {"", 0};

    make_synthetic(&image, &mask);
    ck_assert_int_eq(rad_params_set(params, "binWidth", "100", NULL), RAD_OK);
    rad_params_set_log(params, record_log, &alone);
    rad_features_free(extract_with_threads(params, image, mask, 1));
    ck_assert_msg(strstr(alone.text, "original: discretisation") != NULL, "%s", alone.text);
    ck_assert_msg(strstr(alone.text, "wavelet-LLL: discretisation") != NULL, "%s", alone.text);
    for (size_t t = 0; t < N_THREAD_COUNTS; t++) {
        log_record parallel = {"", 0};
        rad_params_set_log(params, record_log, &parallel);
        rad_features_free(extract_with_threads(params, image, mask, thread_counts[t]));
        ck_assert_str_eq(parallel.text, alone.text);
    }
    rad_volume_free(image);
    rad_volume_free(mask);
    rad_params_free(params);
}
END_TEST

static Suite *parallel_suite(void)
{
    Suite *s = suite_create("parallel");
    TCase *tc = tcase_create("parallel");

    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, threads_setting_range);
    tcase_add_test(tc, yu2021_real_box_identical);
    tcase_add_test(tc, all_classes_identical);
    tcase_add_test(tc, nan_in_roi_same_error);
    tcase_add_test(tc, nan_near_roi_band_error);
    tcase_add_test(tc, log_messages_same_order);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *runner = srunner_create(parallel_suite());
    int failed;

    srunner_set_fork_status(runner, CK_FORK);
    srunner_run_all(runner, CK_NORMAL);
    failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
