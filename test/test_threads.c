/*
 * test_threads.c - the thread-safety contract of include/radiomics.h ("a
 * rad_params or rad_volume that no thread modifies may be shared by any
 * number of threads") and the same for calci datasets and options.
 *
 * Four threads extract the yu2021 features from one shared rad_params,
 * image and mask at once (a real CT box of calci_sim_on_sts when present,
 * else a synthetic volume), and four threads fit models on one shared
 * calci_dataset. Each result must equal a single-threaded run bit for bit
 * (memcmp of the doubles): the computation is deterministic, so any
 * difference is a data race. `make check-tsan` runs this suite under
 * ThreadSanitizer, which reports races that do not change the numbers.
 */
#include <check.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calci.h"
#include "radiomics.h"
#include "testutil.h"

enum { N_THREADS = 4 };

/* ------------------------------------------------------------------ */
/* Feature extraction                                                   */

typedef struct extract_job {
    const rad_params *params;
    const rad_volume *image, *mask;
    rad_features *features;
    rad_status status;
    char message[512];
} extract_job;

static void *extract_thread(void *arg)
{
    extract_job *job = arg;
    rad_error *e = rad_error_create();

    job->status = rad_extract(job->params, job->image, job->mask, &job->features, e);
    snprintf(job->message, sizeof job->message, "%s", e ? rad_error_message(e) : "no memory");
    rad_error_free(e);
    return NULL;
}

/* A 48 x 44 x 20 CT-like volume of 0.98 x 0.98 x 3.27 mm voxels: air, a
 * body ellipse of fat (-100 HU) with noise, a muscle core (50 HU), and a
 * cubic mask of 20 x 20 x 8 voxels across the fat and muscle. */
static void make_synthetic(rad_volume **image, rad_volume **mask)
{
    const size_t size[3] = {48, 44, 20};
    const double spacing[3] = {0.9766, 0.9766, 3.27}, origin[3] = {0, 0, 0};
    uint64_t state = 99;

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

/* Loads the first box of calci_sim_on_sts (image and 50 mm box mask) or,
 * when the data are absent, the synthetic volume. */
static void load_case(const rad_params *params, rad_volume **image, rad_volume **mask)
{
    char path[4096];
    /* Box centre and size of case STS_002_b1 in manifest.csv (RAS mm). */
    const double center[3] = {-28.320, -140.625, -501.510};
    rad_error *e = rad_error_create();

    if (!test_refdata_path(path, sizeof path, "calci_sim_on_sts/images/STS_002_b1.nii.gz",
                           "real CT box for the thread test (synthetic volume used)")) {
        make_synthetic(image, mask);
        rad_error_free(e);
        return;
    }
    ck_assert_msg(rad_volume_read(path, image, e) == RAD_OK, "%s", rad_error_message(e));
    ck_assert_msg(rad_box_mask(params, *image, center, 50, mask, e) == RAD_OK, "%s",
                  rad_error_message(e));
    rad_error_free(e);
}

static void assert_same_features(const rad_features *a, const rad_features *b, int thread)
{
    ck_assert_uint_eq(rad_features_count(a), rad_features_count(b));
    for (size_t i = 0; i < rad_features_count(a); i++) {
        double x = rad_features_value(a, i), y = rad_features_value(b, i);
        ck_assert_str_eq(rad_features_name(a, i), rad_features_name(b, i));
        ck_assert_msg(memcmp(&x, &y, sizeof x) == 0, "thread %d: %s = %.17g, alone %.17g",
                      thread, rad_features_name(a, i), y, x);
    }
}

START_TEST(extract_shared_inputs)
{
    rad_params *params = NULL;
    rad_volume *image = NULL, *mask = NULL;
    rad_features *alone = NULL;
    extract_job jobs[N_THREADS];
    pthread_t threads[N_THREADS];
    rad_error *e = rad_error_create();

    ck_assert_int_eq(rad_params_create("yu2021", &params, e), RAD_OK);
    load_case(params, &image, &mask);
    ck_assert_msg(rad_extract(params, image, mask, &alone, e) == RAD_OK, "%s",
                  rad_error_message(e));
    ck_assert_uint_eq(rad_features_count(alone), 774);

    for (int t = 0; t < N_THREADS; t++) {
        jobs[t] = (extract_job){params, image, mask, NULL, RAD_OK, ""};
        ck_assert_int_eq(pthread_create(&threads[t], NULL, extract_thread, &jobs[t]), 0);
    }
    for (int t = 0; t < N_THREADS; t++)
        ck_assert_int_eq(pthread_join(threads[t], NULL), 0);
    for (int t = 0; t < N_THREADS; t++) {
        ck_assert_msg(jobs[t].status == RAD_OK, "thread %d: %s", t, jobs[t].message);
        assert_same_features(alone, jobs[t].features, t);
        rad_features_free(jobs[t].features);
    }
    rad_features_free(alone);
    rad_volume_free(image);
    rad_volume_free(mask);
    rad_params_free(params);
    rad_error_free(e);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Model fitting                                                        */

enum { N_CASES = 80, N_FEATURES = 12 };

typedef struct fit_job {
    const calci_options *options;
    const calci_dataset *dataset;
    double scores[N_CASES];
    calci_status status;
    char message[512];
} fit_job;

static void *fit_thread(void *arg)
{
    fit_job *job = arg;
    calci_error *e = calci_error_create();
    calci_model *model = NULL;

    job->status = calci_model_fit(job->options, job->dataset, NULL, 0, &model, e);
    if (job->status == CALCI_OK)
        job->status = calci_model_predict(model, job->dataset, NULL, 0, job->scores, NULL, e);
    snprintf(job->message, sizeof job->message, "%s", e ? calci_error_message(e) : "no memory");
    calci_model_free(model);
    calci_error_free(e);
    return NULL;
}

/* 80 cases of 40 patients (two cases each), 12 features of which the first
 * three shift with the label, all in the training split. */
static calci_dataset *make_dataset(void)
{
    char names[N_FEATURES][16];
    const char *name_list[N_FEATURES];
    calci_dataset *d = NULL;
    uint64_t state = 2024;

    for (int j = 0; j < N_FEATURES; j++) {
        snprintf(names[j], sizeof names[j], "f%02d", j);
        name_list[j] = names[j];
    }
    ck_assert_int_eq(calci_dataset_create(N_FEATURES, name_list, 0, NULL, &d, NULL), CALCI_OK);
    for (int i = 0; i < N_CASES; i++) {
        char id[16], patient[16];
        double x[N_FEATURES];
        int label = (i / 2) % 2;
        for (int j = 0; j < N_FEATURES; j++) {
            state = state * 6364136223846793005ULL + 1442695040888963407ULL;
            x[j] = (double)(state >> 11) / 9007199254740992.0 + (j < 3 ? 0.6 * label : 0);
        }
        snprintf(id, sizeof id, "c%02d", i);
        snprintf(patient, sizeof patient, "p%02d", i / 2);
        ck_assert_int_eq(calci_dataset_add(d, id, patient, label, CALCI_SPLIT_TRAIN, NULL, x,
                                           NULL, NULL),
                         CALCI_OK);
    }
    return d;
}

START_TEST(fit_shared_dataset)
{
    const char *classifiers[2] = {"lr", "svm"};
    calci_dataset *d = make_dataset();
    calci_options *options[2] = {NULL, NULL};
    fit_job alone[2], jobs[N_THREADS];
    pthread_t threads[N_THREADS];

    for (int c = 0; c < 2; c++) {
        ck_assert_int_eq(calci_options_create(&options[c], NULL), CALCI_OK);
        ck_assert_int_eq(calci_options_set(options[c], "classifier", classifiers[c], NULL),
                         CALCI_OK);
        alone[c].options = options[c];
        alone[c].dataset = d;
        fit_thread(&alone[c]);
        ck_assert_msg(alone[c].status == CALCI_OK, "%s: %s", classifiers[c], alone[c].message);
    }

    /* Threads 0 and 2 fit "lr", 1 and 3 "svm", sharing the dataset and the
     * options of their classifier. */
    for (int t = 0; t < N_THREADS; t++) {
        jobs[t].options = options[t % 2];
        jobs[t].dataset = d;
        ck_assert_int_eq(pthread_create(&threads[t], NULL, fit_thread, &jobs[t]), 0);
    }
    for (int t = 0; t < N_THREADS; t++)
        ck_assert_int_eq(pthread_join(threads[t], NULL), 0);
    for (int t = 0; t < N_THREADS; t++) {
        ck_assert_msg(jobs[t].status == CALCI_OK, "thread %d: %s", t, jobs[t].message);
        ck_assert_msg(memcmp(jobs[t].scores, alone[t % 2].scores, sizeof jobs[t].scores) == 0,
                      "thread %d (%s): scores differ from the single-threaded fit", t,
                      classifiers[t % 2]);
    }
    calci_options_free(options[0]);
    calci_options_free(options[1]);
    calci_dataset_free(d);
}
END_TEST

static Suite *threads_suite(void)
{
    Suite *s = suite_create("threads");
    TCase *tc = tcase_create("shared");

    /* Under ThreadSanitizer the extraction runs about 10 times slower. */
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, extract_shared_inputs);
    tcase_add_test(tc, fit_shared_dataset);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *runner = srunner_create(threads_suite());
    int failed;

    srunner_set_fork_status(runner, CK_FORK);
    srunner_run_all(runner, CK_NORMAL);
    failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
