/*
 * test_model.c - grouped stratified folds, calci_model_fit end to end on a
 * synthetic cohort with known signal, predict, and the model file format.
 */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model_internal.h"
#include "testutil.h"

/* ---- deterministic test data (splitmix64, Box-Muller) ---- */

static uint64_t test_state;

static uint64_t next_u64(void)
{
    uint64_t z = (test_state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static double uniform01(void)
{
    return ((double)(next_u64() >> 11) + 0.5) / 9007199254740992.0;
}

static double normal01(void)
{
    return sqrt(-2.0 * log(uniform01())) * cos(6.283185307179586 * uniform01());
}

/*
 * Builds a synthetic cohort of n_pos positive and n_neg negative patients.
 * Every third patient has two cases. The p features are N(0, 1) noise, and
 * the features in signal[] get + shift in positive cases. All cases are
 * training cases.
 */
static calci_dataset *make_cohort(size_t n_pos, size_t n_neg, size_t p, const size_t *signal,
                                  size_t n_signal, double shift, uint64_t seed)
{
    char **names = malloc(p * sizeof *names);
    for (size_t j = 0; j < p; j++) {
        names[j] = malloc(16);
        snprintf(names[j], 16, "f%zu", j);
    }
    calci_dataset *d = NULL;
    ck_assert_int_eq(calci_dataset_create(p, (const char *const *)names, 0, NULL, &d, NULL),
                     CALCI_OK);

    for (size_t s = 0; s < n_signal; s++)
        ck_assert_uint_lt(signal[s], p);
    double *row = malloc(p * sizeof *row);
    test_state = seed;
    for (size_t k = 0; k < n_pos + n_neg; k++) {
        int label = k < n_pos ? 1 : 0;
        size_t cases = k % 3 == 0 ? 2 : 1;
        for (size_t c = 0; c < cases; c++) {
            char case_id[32], patient_id[32];
            snprintf(patient_id, sizeof patient_id, "P%zu", k);
            snprintf(case_id, sizeof case_id, "P%zu-%zu", k, c);
            for (size_t j = 0; j < p; j++)
                row[j] = normal01();
            for (size_t s = 0; s < n_signal; s++)
                row[signal[s]] += label ? shift : 0.0;
            ck_assert_int_eq(calci_dataset_add(d, case_id, patient_id, label, CALCI_SPLIT_TRAIN,
                                               NULL, row, NULL, NULL),
                             CALCI_OK);
        }
    }
    free(row);
    for (size_t j = 0; j < p; j++)
        free(names[j]);
    free(names);
    return d;
}

static calci_options *make_options(const char *classifier, const char *k_max)
{
    calci_options *o = NULL;
    ck_assert_int_eq(calci_options_create(&o, NULL), CALCI_OK);
    ck_assert_int_eq(calci_options_set(o, "classifier", classifier, NULL), CALCI_OK);
    ck_assert_int_eq(calci_options_set(o, "k_max", k_max, NULL), CALCI_OK);
    return o;
}

/* ---- folds ---- */

/*
 * Random patient structures (single-class patients with 1-4 cases, 10-40
 * patients per class): no patient in two folds, and per class the case
 * counts of any two folds differ by at most the largest patient's count.
 */
START_TEST(folds_grouped_and_balanced)
{
    test_state = 12345;
    for (int trial = 0; trial < 200; trial++) {
        size_t n_folds = 2 + next_u64() % 6;
        size_t n_pos_patients = n_folds + next_u64() % 30;
        size_t n_neg_patients = n_folds + next_u64() % 30;
        size_t n_patients = n_pos_patients + n_neg_patients;
        char **ids = malloc(n_patients * 4 * sizeof *ids);
        int *labels = malloc(n_patients * 4 * sizeof *labels);
        size_t *patient = malloc(n_patients * 4 * sizeof *patient);
        size_t n = 0, max_cases[2] = {0, 0};

        for (size_t k = 0; k < n_patients; k++) {
            size_t cases = 1 + next_u64() % 4;
            int label = k < n_pos_patients;
            if (cases > max_cases[label])
                max_cases[label] = cases;
            for (size_t c = 0; c < cases; c++) {
                ids[n] = malloc(16);
                snprintf(ids[n], 16, "p%zu", k);
                labels[n] = label;
                patient[n] = k;
                n++;
            }
        }
        /* Shuffle case order so that a patient's cases are not adjacent. */
        for (size_t i = n; i > 1; i--) {
            size_t j = next_u64() % i;
            char *ts = ids[i - 1];
            ids[i - 1] = ids[j];
            ids[j] = ts;
            int tl = labels[i - 1];
            labels[i - 1] = labels[j];
            labels[j] = tl;
            size_t tp = patient[i - 1];
            patient[i - 1] = patient[j];
            patient[j] = tp;
        }

        size_t *fold = malloc(n * sizeof *fold);
        size_t *fold_again = malloc(n * sizeof *fold_again);
        size_t *patient_fold = malloc(n_patients * sizeof *patient_fold);
        calci_error *error = calci_error_create();
        ck_assert_msg(ci_folds_assign((const char *const *)ids, labels, n, n_folds,
                                      (uint64_t)trial, fold, error) == CALCI_OK,
                      "%s", calci_error_message(error));
        ck_assert_int_eq(ci_folds_assign((const char *const *)ids, labels, n, n_folds,
                                         (uint64_t)trial, fold_again, NULL),
                         CALCI_OK);

        for (size_t k = 0; k < n_patients; k++)
            patient_fold[k] = SIZE_MAX;
        size_t count[8][2] = {{0}};
        for (size_t i = 0; i < n; i++) {
            ck_assert_uint_lt(fold[i], n_folds);
            ck_assert_uint_eq(fold[i], fold_again[i]); /* same seed, same folds */
            if (patient_fold[patient[i]] == SIZE_MAX)
                patient_fold[patient[i]] = fold[i];
            ck_assert_uint_eq(fold[i], patient_fold[patient[i]]);
            count[fold[i]][labels[i]]++;
        }
        for (int label = 0; label <= 1; label++) {
            size_t lo = SIZE_MAX, hi = 0;
            for (size_t f = 0; f < n_folds; f++) {
                lo = count[f][label] < lo ? count[f][label] : lo;
                hi = count[f][label] > hi ? count[f][label] : hi;
            }
            ck_assert_uint_ge(lo, 1);
            ck_assert_uint_le(hi - lo, max_cases[label]);
        }

        for (size_t i = 0; i < n; i++)
            free(ids[i]);
        free(ids);
        free(labels);
        free(patient);
        free(fold);
        free(fold_again);
        free(patient_fold);
        calci_error_free(error);
    }
}
END_TEST

START_TEST(folds_too_few_patients)
{
    const char *ids[] = {"a", "a", "b", "c", "d", "e"};
    int labels[] = {1, 1, 1, 0, 0, 0};
    size_t fold[6];
    calci_error *error = calci_error_create();

    /* Two positive patients (a, b) cannot fill three folds. */
    ck_assert_int_eq(ci_folds_assign(ids, labels, 6, 3, 1, fold, error), CALCI_ERR_DATA);
    ck_assert_ptr_nonnull(strstr(calci_error_message(error), "2 patients have a positive"));
    calci_error_free(error);
}
END_TEST

/* ---- end to end ---- */

/*
 * 40 positive and 40 negative patients (107 cases), 40 noise features;
 * features f3, f17 and f31 are shifted by 1.5 SD in positive cases. Each
 * signal feature alone has a population AUC of Phi(1.5 / sqrt 2) = 0.856,
 * the three together Phi(1.5 * sqrt(3) / sqrt(2)) = 0.967. Expected: the
 * chosen features include all three and the CV AUC is above 0.9.
 */
static void check_end_to_end(const char *classifier)
{
    const size_t signal[] = {3, 17, 31};
    calci_dataset *d = make_cohort(40, 40, 40, signal, 3, 1.5, 2024);
    calci_options *o = make_options(classifier, "10");
    calci_model *m = NULL;
    calci_error *error = calci_error_create();

    ck_assert_msg(calci_model_fit(o, d, NULL, 0, &m, error) == CALCI_OK, "%s",
                  calci_error_message(error));
    ck_assert_str_eq(calci_model_classifier(m), classifier);
    size_t k = calci_model_feature_count(m);
    int found[3] = {0, 0, 0};
    printf("%s: k = %zu, CV AUC = %.4f, features:", classifier, k, calci_model_cv_auc(m));
    for (size_t i = 0; i < k; i++) {
        const char *name = calci_model_feature_name(m, i);
        printf(" %s", name);
        found[0] |= strcmp(name, "f3") == 0;
        found[1] |= strcmp(name, "f17") == 0;
        found[2] |= strcmp(name, "f31") == 0;
    }
    printf("\n");
    ck_assert_msg(found[0] && found[1] && found[2], "signal features missing from the model");
    ck_assert_double_gt(calci_model_cv_auc(m), 0.9);
    ck_assert_uint_eq(calci_model_cv_k_max(m), 10);
    ck_assert_double_eq(calci_model_cv_auc_at(m, k), calci_model_cv_auc(m));
    for (size_t j = 1; j <= 10; j++)
        ck_assert_double_le(calci_model_cv_auc_at(m, j), calci_model_cv_auc(m));

    /* Thresholds lie on the probability scale. */
    double ts = calci_model_threshold_high_sensitivity(m);
    double tp = calci_model_threshold_high_specificity(m);
    ck_assert(ts >= 0.0 && ts <= 1.0);
    ck_assert(tp >= 0.0 && tp <= 1.0);
    ck_assert_double_le(ts, tp);

    calci_model_free(m);
    calci_options_free(o);
    calci_dataset_free(d);
    calci_error_free(error);
}

START_TEST(fit_finds_signal_lr) { check_end_to_end("lr"); }
END_TEST

START_TEST(fit_finds_signal_svm) { check_end_to_end("svm"); }
END_TEST

/* One-SE rule: the chosen k has a CV AUC within one SE of the best, so it
 * can only be smaller than or equal to the k of the max rule. */
START_TEST(fit_one_se_rule_not_larger)
{
    const size_t signal[] = {3, 17, 31};
    calci_dataset *d = make_cohort(40, 40, 40, signal, 3, 1.5, 2024);
    calci_options *o = make_options("lr", "10");
    calci_model *max_model = NULL, *se_model = NULL;

    ck_assert_int_eq(calci_model_fit(o, d, NULL, 0, &max_model, NULL), CALCI_OK);
    ck_assert_int_eq(calci_options_set(o, "k_rule", "1se", NULL), CALCI_OK);
    ck_assert_int_eq(calci_model_fit(o, d, NULL, 0, &se_model, NULL), CALCI_OK);
    ck_assert_uint_le(calci_model_feature_count(se_model), calci_model_feature_count(max_model));
    calci_model_free(max_model);
    calci_model_free(se_model);
    calci_options_free(o);
    calci_dataset_free(d);
}
END_TEST

START_TEST(fit_rejects_nan)
{
    const size_t signal[] = {0};
    calci_dataset *d = make_cohort(10, 10, 4, signal, 1, 1.0, 7);
    calci_options *o = make_options("lr", "3");
    calci_model *m = NULL;
    calci_error *error = calci_error_create();

    d->values[5 * d->n_features + 2] = NAN; /* case 5, feature f2 */
    ck_assert_int_eq(calci_model_fit(o, d, NULL, 0, &m, error), CALCI_ERR_DATA);
    ck_assert_ptr_null(m);
    ck_assert_ptr_nonnull(strstr(calci_error_message(error), "'f2'"));
    ck_assert_ptr_nonnull(strstr(calci_error_message(error), d->case_ids[5]));
    calci_options_free(o);
    calci_dataset_free(d);
    calci_error_free(error);
}
END_TEST

/* Several boxes per patient: every patient has a positive and a negative
 * case, so the negative cases of each fold come from mixed patients. */
START_TEST(folds_mixed_patients)
{
    const char *ids[] = {"a", "a", "b", "b", "c", "c", "d", "d", "e", "e", "f", "f"};
    int labels[] = {1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0};
    size_t fold[12];
    calci_error *error = calci_error_create();

    ck_assert_int_eq(ci_folds_assign(ids, labels, 12, 3, 1, fold, error), CALCI_OK);
    for (size_t f = 0; f < 3; f++) {
        size_t pos = 0, neg = 0;
        for (size_t i = 0; i < 12; i++) {
            pos += fold[i] == f && labels[i] == 1;
            neg += fold[i] == f && labels[i] == 0;
        }
        ck_assert_uint_eq(pos, 2);
        ck_assert_uint_eq(neg, 2);
    }
    for (size_t i = 0; i < 12; i += 2)
        ck_assert_uint_eq(fold[i], fold[i + 1]);
    calci_error_free(error);
}
END_TEST

START_TEST(predict_missing_feature)
{
    const size_t signal[] = {0, 1};
    calci_dataset *d = make_cohort(10, 10, 4, signal, 2, 2.0, 8);
    calci_options *o = make_options("lr", "3");
    calci_model *m = NULL;
    calci_error *error = calci_error_create();
    const char *other_names[] = {"g0", "g1", "g2", "g3"};
    calci_dataset *other = NULL;
    double row[] = {0, 0, 0, 0}, score;

    ck_assert_int_eq(calci_model_fit(o, d, NULL, 0, &m, NULL), CALCI_OK);
    ck_assert_int_eq(calci_dataset_create(4, other_names, 0, NULL, &other, NULL), CALCI_OK);
    ck_assert_int_eq(calci_dataset_add(other, "x", NULL, 1, CALCI_SPLIT_TEST, NULL, row, NULL,
                                       NULL),
                     CALCI_OK);
    ck_assert_int_eq(calci_model_predict(m, other, NULL, 0, &score, NULL, error),
                     CALCI_ERR_NOT_FOUND);
    ck_assert_ptr_nonnull(strstr(calci_error_message(error), calci_model_feature_name(m, 0)));
    calci_model_free(m);
    calci_options_free(o);
    calci_dataset_free(d);
    calci_dataset_free(other);
    calci_error_free(error);
}
END_TEST

/* ---- model file ---- */

static void check_round_trip(const char *classifier)
{
    const size_t signal[] = {3, 17, 31};
    calci_dataset *d = make_cohort(30, 30, 40, signal, 3, 1.0, 99);
    calci_options *o = make_options(classifier, "8");
    calci_model *m = NULL, *loaded = NULL;
    calci_error *error = calci_error_create();
    char path[512];
    size_t n = calci_dataset_cases(d);
    double *s1 = malloc(n * sizeof *s1), *s2 = malloc(n * sizeof *s2);
    double *f1 = malloc(n * sizeof *f1), *f2 = malloc(n * sizeof *f2);

    ck_assert_int_eq(calci_model_fit(o, d, NULL, 0, &m, NULL), CALCI_OK);
    ck_assert_int_eq(calci_model_set_info(m, "extraction.bin_width", "25", NULL), CALCI_OK);
    ck_assert_int_eq(calci_model_set_info(m, "note", "free text: a b  c", NULL), CALCI_OK);
    snprintf(path, sizeof path, "%s/model.txt", test_temp_dir());
    ck_assert_msg(calci_model_save(m, path, error) == CALCI_OK, "%s", calci_error_message(error));
    ck_assert_msg(calci_model_load(path, &loaded, error) == CALCI_OK, "%s",
                  calci_error_message(error));

    ck_assert_int_eq(calci_model_predict(m, d, NULL, 0, s1, f1, NULL), CALCI_OK);
    ck_assert_int_eq(calci_model_predict(loaded, d, NULL, 0, s2, f2, NULL), CALCI_OK);
    /* Bit-exact: %.17g round-trips every double. */
    ck_assert_int_eq(memcmp(s1, s2, n * sizeof *s1), 0);
    ck_assert_int_eq(memcmp(f1, f2, n * sizeof *f1), 0);

    ck_assert_str_eq(calci_model_classifier(loaded), classifier);
    ck_assert_uint_eq(calci_model_feature_count(loaded), calci_model_feature_count(m));
    for (size_t i = 0; i < calci_model_feature_count(m); i++)
        ck_assert_str_eq(calci_model_feature_name(loaded, i), calci_model_feature_name(m, i));
    ck_assert_double_eq(calci_model_cv_auc(loaded), calci_model_cv_auc(m));
    ck_assert_double_eq(calci_model_threshold_high_sensitivity(loaded),
                        calci_model_threshold_high_sensitivity(m));
    ck_assert_double_eq(calci_model_threshold_high_specificity(loaded),
                        calci_model_threshold_high_specificity(m));
    ck_assert_uint_eq(calci_model_cv_k_max(loaded), 8);
    for (size_t k = 1; k <= 8; k++) {
        double a = calci_model_cv_auc_at(m, k), b = calci_model_cv_auc_at(loaded, k);
        ck_assert(a == b || (isnan(a) && isnan(b)));
    }
    ck_assert_str_eq(calci_model_info(loaded, "extraction.bin_width"), "25");
    ck_assert_str_eq(calci_model_info(loaded, "note"), "free text: a b  c");
    ck_assert_ptr_null(calci_model_info(loaded, "absent"));

    calci_model_free(m);
    calci_model_free(loaded);
    calci_options_free(o);
    calci_dataset_free(d);
    calci_error_free(error);
    free(s1);
    free(s2);
    free(f1);
    free(f2);
}

START_TEST(file_round_trip_lr) { check_round_trip("lr"); }
END_TEST

START_TEST(file_round_trip_svm) { check_round_trip("svm"); }
END_TEST

static void write_text(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    ck_assert_ptr_nonnull(fp);
    fputs(text, fp);
    fclose(fp);
}

static const char *const valid_file = "calci-model 1\n"
                                      "classifier lr\n"
                                      "C 1\n"
                                      "intercept -0.5\n"
                                      "platt 0 0\n"
                                      "threshold_high_sensitivity 0.25\n"
                                      "threshold_high_specificity 0.75\n"
                                      "cv_auc 0.8\n"
                                      "cv_k_max 1\n"
                                      "cv_auc_k 1 0.8\n"
                                      "features 1\n"
                                      "feature 10 2 1.5 original_firstorder_Mean\n"
                                      "end\n";

/* A hand-written file: score of a case with value 12 is
 * logistic(-0.5 + 1.5 * (12 - 10) / 2) = logistic(1) = 0.7310585786300049. */
START_TEST(file_hand_written)
{
    char path[512];
    const char *names[] = {"original_firstorder_Mean"};
    double value = 12.0, score, decision;
    calci_dataset *d = NULL;
    calci_model *m = NULL;

    snprintf(path, sizeof path, "%s/hand.txt", test_temp_dir());
    write_text(path, valid_file);
    ck_assert_int_eq(calci_model_load(path, &m, NULL), CALCI_OK);
    ck_assert_int_eq(calci_dataset_create(1, names, 0, NULL, &d, NULL), CALCI_OK);
    ck_assert_int_eq(calci_dataset_add(d, "c1", NULL, -1, CALCI_SPLIT_TEST, NULL, &value, NULL,
                                       NULL),
                     CALCI_OK);
    ck_assert_int_eq(calci_model_predict(m, d, NULL, 0, &score, &decision, NULL), CALCI_OK);
    ck_assert_double_eq_tol(decision, 1.0, 1e-15);
    ck_assert_double_eq_tol(score, 0.7310585786300049, 1e-15);
    calci_model_free(m);
    calci_dataset_free(d);
}
END_TEST

START_TEST(file_damaged_names_line)
{
    char path[512];
    calci_model *m = NULL;
    calci_error *error = calci_error_create();
    char *text = strdup(valid_file);

    /* Line 4 ("intercept -0.5") damaged. */
    memcpy(strstr(text, "intercept -0.5"), "intercept -0,5", 14);
    snprintf(path, sizeof path, "%s/damaged.txt", test_temp_dir());
    write_text(path, text);
    ck_assert_int_eq(calci_model_load(path, &m, error), CALCI_ERR_FORMAT);
    ck_assert_ptr_null(m);
    ck_assert_msg(strstr(calci_error_message(error), "line 4") != NULL, "%s",
                  calci_error_message(error));

    /* Truncated before the end line. */
    char *cut = strstr(valid_file, "end\n");
    write_text(path, "");
    FILE *fp = fopen(path, "w");
    fwrite(valid_file, 1, (size_t)(cut - valid_file), fp);
    fclose(fp);
    ck_assert_int_eq(calci_model_load(path, &m, error), CALCI_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(calci_error_message(error), "line 13"));
    free(text);
    calci_error_free(error);
}
END_TEST

START_TEST(file_newer_version)
{
    char path[512];
    calci_model *m = NULL;
    calci_error *error = calci_error_create();

    snprintf(path, sizeof path, "%s/v2.txt", test_temp_dir());
    write_text(path, "calci-model 2\nclassifier lr\nsomething_new 1\nend\n");
    ck_assert_int_eq(calci_model_load(path, &m, error), CALCI_ERR_VERSION);
    ck_assert_ptr_null(m);
    ck_assert_ptr_nonnull(strstr(calci_error_message(error), "version 2"));
    calci_error_free(error);
}
END_TEST

/* Values a fit never writes are rejected with the line that holds them. */
START_TEST(file_rejects_non_finite_values)
{
    static const struct {
        const char *line;
        const char *expected;
    } cases[] = {
        {"intercept nan", "line 3"},
        {"intercept inf", "line 3"},
        {"C -1", "line 3"},
        {"threshold_high_sensitivity nan", "line 3"},
        {"platt nan 0", "line 3"},
    };

    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        char path[512], text[256];
        calci_model *m = NULL;
        calci_error *error = calci_error_create();

        snprintf(path, sizeof path, "%s/bad.txt", test_temp_dir());
        snprintf(text, sizeof text, "calci-model 1\nclassifier lr\n%s\n", cases[c].line);
        write_text(path, text);
        ck_assert_int_eq(calci_model_load(path, &m, error), CALCI_ERR_FORMAT);
        ck_assert_ptr_null(m);
        ck_assert_msg(strstr(calci_error_message(error), cases[c].expected) != NULL,
                      "%s: %s", cases[c].line, calci_error_message(error));
        calci_error_free(error);
    }
}
END_TEST

START_TEST(fit_finds_signal_lr_l1) { check_end_to_end("lr_l1"); }
END_TEST

/* Unpenalised LR with k = 3 (up to 10 features some folds of this cohort are
 * quasi-separated): the three shifted features and a CV AUC above 0.8 (the
 * L2 fits of this cohort reach 0.91 with 8 features). */
START_TEST(fit_finds_signal_lr_none)
{
    const size_t signal[] = {3, 17, 31};
    calci_dataset *d = make_cohort(40, 40, 40, signal, 3, 1.5, 2024);
    calci_options *o = make_options("lr_none", "10");
    calci_model *m = NULL;
    calci_error *error = calci_error_create();
    ck_assert_int_eq(calci_options_set(o, "k", "3", NULL), CALCI_OK);
    ck_assert_msg(calci_model_fit(o, d, NULL, 0, &m, error) == CALCI_OK, "%s",
                  calci_error_message(error));
    ck_assert_str_eq(calci_model_classifier(m), "lr_none");
    ck_assert_uint_eq(calci_model_feature_count(m), 3);
    for (size_t i = 0; i < 3; i++) {
        const char *name = calci_model_feature_name(m, i);
        ck_assert(strcmp(name, "f3") == 0 || strcmp(name, "f17") == 0 ||
                  strcmp(name, "f31") == 0);
    }
    ck_assert_double_gt(calci_model_cv_auc(m), 0.8);
    calci_model_free(m);
    calci_options_free(o);
    calci_dataset_free(d);
    calci_error_free(error);
}
END_TEST

/* Fits with one option changed from make_options("lr", "10") and returns the
 * model (the caller frees it). */
static calci_model *fit_with(calci_dataset *d, const char *key, const char *value,
                             const char *key2, const char *value2)
{
    calci_options *o = make_options("lr", "10");
    calci_model *m = NULL;
    calci_error *error = calci_error_create();
    ck_assert_int_eq(calci_options_set(o, key, value, NULL), CALCI_OK);
    if (key2 != NULL)
        ck_assert_int_eq(calci_options_set(o, key2, value2, NULL), CALCI_OK);
    ck_assert_msg(calci_model_fit(o, d, NULL, 0, &m, error) == CALCI_OK, "%s=%s: %s", key, value,
                  calci_error_message(error));
    calci_options_free(o);
    calci_error_free(error);
    return m;
}

/* ReliefF and ANOVA F rank the three shifted features of the cohort of
 * check_end_to_end first (each has a population AUC of 0.856, the 37 noise
 * features 0.5), so the chosen model contains all three. */
START_TEST(fit_select_relieff_anova)
{
    const size_t signal[] = {3, 17, 31};
    calci_dataset *d = make_cohort(40, 40, 40, signal, 3, 1.5, 2024);
    const char *methods[] = {"relieff", "anova"};
    for (int s = 0; s < 2; s++) {
        calci_model *m = fit_with(d, "select", methods[s], NULL, NULL);
        int found = 0;
        for (size_t i = 0; i < calci_model_feature_count(m); i++) {
            const char *name = calci_model_feature_name(m, i);
            found += strcmp(name, "f3") == 0 || strcmp(name, "f17") == 0 ||
                     strcmp(name, "f31") == 0;
        }
        printf("select %s: k = %zu, CV AUC = %.4f\n", methods[s], calci_model_feature_count(m),
               calci_model_cv_auc(m));
        ck_assert_int_eq(found, 3);
        ck_assert_double_gt(calci_model_cv_auc(m), 0.9);
        calci_model_free(m);
    }
    calci_dataset_free(d);
}
END_TEST

/* The out-of-fold scores are the ones the CV AUC pools: their AUC equals
 * calci_model_cv_auc (1e-15). */
START_TEST(fit_oof_scores_give_cv_auc)
{
    const size_t signal[] = {3, 11, 17};
    calci_dataset *d = make_cohort(30, 30, 20, signal, 3, 1.0, 77);
    calci_model *m = fit_with(d, "cv", "kfold", NULL, NULL);
    size_t n = calci_model_oof_count(m);
    ck_assert_uint_eq(n, calci_dataset_cases(d));
    double *oof = malloc(n * sizeof *oof);
    int *labels = malloc(n * sizeof *labels);
    ck_assert_int_eq(calci_model_oof_scores(m, oof, n, NULL), CALCI_OK);
    ck_assert_int_eq(calci_model_oof_scores(m, oof, n - 1, NULL), CALCI_ERR_ARGUMENT);
    for (size_t i = 0; i < n; i++)
        labels[i] = calci_dataset_label(d, i);
    calci_roc *roc = NULL;
    ck_assert_int_eq(calci_roc_create(oof, labels, n, CALCI_DIRECTION_HIGHER, &roc, NULL),
                     CALCI_OK);
    ck_assert_double_eq_tol(calci_roc_auc(roc), calci_model_cv_auc(m), 1e-15);
    ck_assert(isnan(calci_model_cv_auc_sd(m)));
    ck_assert(isnan(calci_model_cv_auc_nested(m)));
    calci_roc_free(roc);
    free(oof);
    free(labels);
    calci_model_free(m);
    calci_dataset_free(d);
}
END_TEST

/* Repeated CV: with 5 repeats the CV AUC is the mean of five pooled AUCs and
 * has a positive SD; repeats = 1 is plain k-fold with the same seed, so its
 * AUC equals the kfold fit's (1e-15). Leave-one-patient-out runs on patients
 * with one or two cases and finds the signal (AUC > 0.7: the pooled
 * leave-one-out AUC is biased low, because removing a case shifts the
 * training class balance, and so the intercept, against that case's class). */
START_TEST(fit_repeated_and_lopo)
{
    const size_t signal[] = {3, 11, 17};
    calci_dataset *d = make_cohort(30, 30, 20, signal, 3, 1.0, 77);
    calci_model *kfold = fit_with(d, "cv", "kfold", NULL, NULL);
    calci_model *once = fit_with(d, "cv", "repeated", "repeats", "1");
    calci_model *five = fit_with(d, "cv", "repeated", "repeats", "5");
    calci_model *lopo = fit_with(d, "cv", "lopo", NULL, NULL);
    calci_model *lopo_1se = fit_with(d, "cv", "lopo", "k_rule", "1se");

    printf("cv: kfold %.4f, repeated x5 %.4f (SD %.4f), lopo %.4f\n", calci_model_cv_auc(kfold),
           calci_model_cv_auc(five), calci_model_cv_auc_sd(five), calci_model_cv_auc(lopo));
    ck_assert_double_eq_tol(calci_model_cv_auc(once), calci_model_cv_auc(kfold), 1e-15);
    ck_assert(isnan(calci_model_cv_auc_sd(once)));
    ck_assert_double_gt(calci_model_cv_auc_sd(five), 0.0);
    ck_assert_double_lt(calci_model_cv_auc_sd(five), 0.2);
    ck_assert_double_gt(calci_model_cv_auc(lopo), 0.7);
    ck_assert_uint_le(calci_model_feature_count(lopo_1se), calci_model_feature_count(lopo));
    calci_model_free(kfold);
    calci_model_free(once);
    calci_model_free(five);
    calci_model_free(lopo);
    calci_model_free(lopo_1se);
    calci_dataset_free(d);
}
END_TEST

/*
 * Optimism of the FAE 0.2.5 workflow on pure noise (50 + 50 patients, 400
 * N(0, 1) features, no signal; the true AUC of any model is 0.5), with the
 * ANOVA F ranking, whose top features fit the labels' noise most. Selecting
 * features on all cases before CV lets the CV pick features that fit the
 * held-out cases' noise, so its CV AUC is far above 0.5; with the selection
 * inside the folds, and with nested CV, the estimate stays near 0.5.
 * Bounds (not tight): leaky > correct + 0.1, correct and nested < 0.7.
 */
START_TEST(fit_study_compatible_is_optimistic)
{
    calci_dataset *d = make_cohort(50, 50, 400, NULL, 0, 0.0, 99);
    calci_model *correct = fit_with(d, "cv", "nested", "select", "anova");
    calci_model *leaky = fit_with(d, "study_compatible", "true", "select", "anova");
    printf("noise: CV AUC correct %.4f, nested %.4f, study-compatible %.4f\n",
           calci_model_cv_auc(correct), calci_model_cv_auc_nested(correct),
           calci_model_cv_auc(leaky));
    ck_assert_double_gt(calci_model_cv_auc(leaky), calci_model_cv_auc(correct) + 0.1);
    ck_assert_double_lt(calci_model_cv_auc(correct), 0.7);
    ck_assert_double_lt(calci_model_cv_auc_nested(correct), 0.7);
    calci_model_free(correct);
    calci_model_free(leaky);
    calci_dataset_free(d);
}
END_TEST

/* Unpenalised LR on a cohort whose signal feature separates the classes
 * (shift 20 SD) fails with CALCI_ERR_DATA naming the separation. */
START_TEST(fit_lr_none_separation)
{
    const size_t signal[] = {0};
    calci_dataset *d = make_cohort(20, 20, 5, signal, 1, 20.0, 3);
    calci_options *o = make_options("lr_none", "3");
    calci_model *m = NULL;
    calci_error *error = calci_error_create();
    ck_assert_int_eq(calci_model_fit(o, d, NULL, 0, &m, error), CALCI_ERR_DATA);
    ck_assert_ptr_nonnull(strstr(calci_error_message(error), "separated"));
    ck_assert_ptr_null(m);
    calci_error_free(error);
    calci_options_free(o);
    calci_dataset_free(d);
}
END_TEST

/* ---- timing (printed, not asserted) ---- */

START_TEST(fit_timing_160x774)
{
    const size_t signal[] = {3, 17, 31, 100, 400};
    calci_dataset *d = make_cohort(60, 60, 774, signal, 5, 1.0, 5);
    const char *classifiers[] = {"lr", "svm", "lr_l1"};

    for (int c = 0; c < 3; c++) {
        calci_options *o = make_options(classifiers[c], "30");
        calci_model *m = NULL;
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        ck_assert_int_eq(calci_model_fit(o, d, NULL, 0, &m, NULL), CALCI_OK);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        printf("timing: %s, %zu cases x 774 features, 5 folds, k = 1..30: %.3f s\n",
               classifiers[c], calci_dataset_cases(d),
               (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec));
        calci_model_free(m);
        calci_options_free(o);
    }
    calci_dataset_free(d);
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("model");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, folds_grouped_and_balanced);
    tcase_add_test(tc, folds_too_few_patients);
    tcase_add_test(tc, folds_mixed_patients);
    tcase_add_test(tc, file_rejects_non_finite_values);
    tcase_add_test(tc, fit_finds_signal_lr);
    tcase_add_test(tc, fit_finds_signal_svm);
    tcase_add_test(tc, fit_one_se_rule_not_larger);
    tcase_add_test(tc, fit_rejects_nan);
    tcase_add_test(tc, predict_missing_feature);
    tcase_add_test(tc, file_round_trip_lr);
    tcase_add_test(tc, file_round_trip_svm);
    tcase_add_test(tc, file_hand_written);
    tcase_add_test(tc, file_damaged_names_line);
    tcase_add_test(tc, file_newer_version);
    tcase_add_test(tc, fit_finds_signal_lr_l1);
    tcase_add_test(tc, fit_finds_signal_lr_none);
    tcase_add_test(tc, fit_select_relieff_anova);
    tcase_add_test(tc, fit_oof_scores_give_cv_auc);
    tcase_add_test(tc, fit_repeated_and_lopo);
    tcase_add_test(tc, fit_study_compatible_is_optimistic);
    tcase_add_test(tc, fit_lr_none_separation);
    tcase_add_test(tc, fit_timing_160x774);
    suite_add_tcase(suite, tc);

    SRunner *runner = srunner_create(suite);
    srunner_set_fork_status(runner, CK_FORK);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
