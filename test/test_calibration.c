/*
 * test_calibration.c - Brier score, reliability table and net benefit on
 * hand-computed examples, and the calibration intercept and slope against
 * R's glm (Rscript run at test time).
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calci.h"
#include "testutil.h"

/* Scores and labels shared by the hand examples; the entry with label -1 and
 * the NaN score are skipped, leaving 6 valid entries. */
static const double hand_scores[] = {0.1, 0.4, 0.35, 0.8, 0.5, 0.9, 0.7, NAN};
static const int hand_labels[] = {0, 0, 1, 1, -1, 1, 0, 1};

/* Brier = (0.01 + 0.16 + 0.4225 + 0.04 + 0.01 + 0.49) / 6 = 1.1325 / 6.
 * Tolerance 1e-15. */
START_TEST(brier_hand_example)
{
    double brier = 0.0;
    ck_assert_int_eq(calci_brier_score(hand_scores, hand_labels, 8, &brier, NULL), CALCI_OK);
    ck_assert_double_eq_tol(brier, 1.1325 / 6.0, 1e-15);
}
END_TEST

/* Sorted valid scores 0.1(0) 0.35(1) 0.4(0) 0.7(0) 0.8(1) 0.9(1); three
 * groups of two: means 0.225, 0.55, 0.85 and observed 0.5, 0, 1. With four
 * groups the ranks split at floor(g 6 / 4) = 0, 1, 3, 4, 6: sizes 1, 2, 1, 2.
 * Tolerance 1e-15. */
START_TEST(reliability_hand_example)
{
    size_t counts[4];
    double mean[4], observed[4];
    ck_assert_int_eq(calci_reliability_table(hand_scores, hand_labels, 8, 3, counts, mean,
                                             observed, NULL),
                     CALCI_OK);
    ck_assert_uint_eq(counts[0], 2);
    ck_assert_uint_eq(counts[1], 2);
    ck_assert_uint_eq(counts[2], 2);
    ck_assert_double_eq_tol(mean[0], 0.225, 1e-15);
    ck_assert_double_eq_tol(mean[1], 0.55, 1e-15);
    ck_assert_double_eq_tol(mean[2], 0.85, 1e-15);
    ck_assert_double_eq_tol(observed[0], 0.5, 1e-15);
    ck_assert_double_eq_tol(observed[1], 0.0, 1e-15);
    ck_assert_double_eq_tol(observed[2], 1.0, 1e-15);

    ck_assert_int_eq(calci_reliability_table(hand_scores, hand_labels, 8, 4, counts, mean,
                                             observed, NULL),
                     CALCI_OK);
    ck_assert_uint_eq(counts[0], 1);
    ck_assert_uint_eq(counts[1], 2);
    ck_assert_uint_eq(counts[2], 1);
    ck_assert_uint_eq(counts[3], 2);
    ck_assert_double_eq_tol(mean[1], 0.375, 1e-15);
}
END_TEST

/* Threshold 0.5: treated 0.8(1), 0.9(1), 0.7(0): TP 2, FP 1 of 6, so
 * NB = 2/6 - 1/6 * 1 = 1/6. Threshold 0.2: treated all but 0.1: TP 3, FP 2,
 * NB = 3/6 - 2/6 * 0.25 = 5/12. Treat all (prevalence 1/2): at 0.5,
 * 0.5 - 0.5 = 0; at 0.2, 0.5 - 0.5 * 0.25 = 0.375. Tolerance 1e-15. */
START_TEST(net_benefit_hand_example)
{
    double thresholds[] = {0.5, 0.2}, nb[2], all[2];
    ck_assert_int_eq(calci_net_benefit(hand_scores, hand_labels, 8, thresholds, 2, nb, all, NULL),
                     CALCI_OK);
    ck_assert_double_eq_tol(nb[0], 1.0 / 6.0, 1e-15);
    ck_assert_double_eq_tol(nb[1], 5.0 / 12.0, 1e-15);
    ck_assert_double_eq_tol(all[0], 0.0, 1e-15);
    ck_assert_double_eq_tol(all[1], 0.375, 1e-15);
}
END_TEST

START_TEST(calibration_rejects_bad_input)
{
    calci_error *error = calci_error_create();
    double slope, intercept, brier, thresholds[] = {1.0}, nb[1];
    double bad[] = {0.2, 1.5}, edge[] = {0.0, 0.5, 0.7};
    int labels[] = {0, 1, 1}, one_class[] = {1, 1, 1};

    ck_assert_int_eq(calci_brier_score(bad, labels, 2, &brier, error), CALCI_ERR_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(calci_error_message(error), "1.5"));
    ck_assert_int_eq(calci_calibration(edge, labels, 3, &intercept, &slope, error),
                     CALCI_ERR_DATA);
    ck_assert_ptr_nonnull(strstr(calci_error_message(error), "infinite logit"));
    ck_assert_int_eq(calci_calibration(edge + 1, one_class, 2, &intercept, &slope, error),
                     CALCI_ERR_DATA);
    ck_assert_int_eq(calci_net_benefit(edge, labels, 3, thresholds, 1, nb, NULL, error),
                     CALCI_ERR_ARGUMENT);
    calci_error_free(error);
}
END_TEST

/* A perfectly calibrated logit gives intercept 0 and slope 1 exactly when
 * the outcome frequencies match: scores 0.25 (1 of 4 positive) and 0.75
 * (3 of 4 positive). The likelihood equations then hold at a = 0, b = 1.
 * Tolerance 1e-10. */
START_TEST(calibration_perfect_hand_example)
{
    double scores[] = {0.25, 0.25, 0.25, 0.25, 0.75, 0.75, 0.75, 0.75};
    int labels[] = {1, 0, 0, 0, 1, 1, 1, 0};
    double intercept = 1.0, slope = 0.0;
    ck_assert_int_eq(calci_calibration(scores, labels, 8, &intercept, &slope, NULL), CALCI_OK);
    ck_assert_double_eq_tol(intercept, 0.0, 1e-10);
    ck_assert_double_eq_tol(slope, 1.0, 1e-10);
}
END_TEST

/* 40 deterministic probabilities p_i = (i + 0.5) / 40 squeezed towards 0.5
 * (so slope > 1 is expected) with labels from a fixed pattern; R fits
 * glm(y ~ lp, binomial) and glm(y ~ offset(lp), binomial) with epsilon 1e-14.
 * Tolerance 1e-8 absolute. */
START_TEST(calibration_matches_r_glm)
{
    if (system("command -v Rscript > /dev/null 2>&1") != 0) {
        printf("SKIP calibration vs R glm: Rscript is not installed\n");
        return;
    }
    enum { N = 40 };
    double scores[N];
    int labels[N];
    char path[512], command[1200];
    const char *dir = test_temp_dir();

    snprintf(path, sizeof path, "%s/calibration.csv", dir);
    FILE *csv = fopen(path, "w");
    ck_assert_ptr_nonnull(csv);
    fprintf(csv, "p,y\n");
    for (int i = 0; i < N; i++) {
        scores[i] = 0.3 + 0.4 * ((double)i + 0.5) / N;
        labels[i] = ((i * 7) % 10) < (i / 4) ? 1 : 0;
        fprintf(csv, "%.17g,%d\n", scores[i], labels[i]);
    }
    fclose(csv);
    snprintf(command, sizeof command,
             "Rscript -e 'd <- read.csv(\"%s\"); lp <- qlogis(d$p); "
             "c <- glm.control(epsilon = 1e-14, maxit = 100); "
             "s <- coef(glm(d$y ~ lp, family = binomial, control = c))[2]; "
             "a <- coef(glm(d$y ~ offset(lp), family = binomial, control = c))[1]; "
             "write(sprintf(\"%%.17g\", c(a, s)), \"%s/r.txt\")' > /dev/null 2>&1",
             path, dir);
    ck_assert_int_eq(system(command), 0);
    snprintf(path, sizeof path, "%s/r.txt", dir);
    FILE *r = fopen(path, "r");
    ck_assert_ptr_nonnull(r);
    double expected_intercept, expected_slope;
    ck_assert_int_eq(fscanf(r, "%lf %lf", &expected_intercept, &expected_slope), 2);
    fclose(r);

    double intercept = 0.0, slope = 0.0;
    ck_assert_int_eq(calci_calibration(scores, labels, N, &intercept, &slope, NULL), CALCI_OK);
    printf("calibration: intercept %.10f (R %.10f), slope %.10f (R %.10f)\n", intercept,
           expected_intercept, slope, expected_slope);
    ck_assert_double_eq_tol(intercept, expected_intercept, 1e-8);
    ck_assert_double_eq_tol(slope, expected_slope, 1e-8);
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("calibration");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, brier_hand_example);
    tcase_add_test(tc, reliability_hand_example);
    tcase_add_test(tc, net_benefit_hand_example);
    tcase_add_test(tc, calibration_rejects_bad_input);
    tcase_add_test(tc, calibration_perfect_hand_example);
    tcase_add_test(tc, calibration_matches_r_glm);
    suite_add_tcase(suite, tc);

    SRunner *runner = srunner_create(suite);
    srunner_set_fork_status(runner, CK_FORK);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
