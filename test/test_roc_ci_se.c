/*
 * test_roc_ci_se.c - calci_roc_ci_se_bootstrap, the bootstrap band of the
 * sensitivity at fixed specificities.
 *
 * References: hand computations on samples whose every resample gives the
 * same curve (written out in comments), and R's pROC 1.18 ci.se on pROC's
 * aSAH data run at test time through Rscript (skipped when Rscript or pROC
 * is missing). The bootstrap draws differ from R's, so that comparison has
 * a tolerance for the bootstrap error of both sides.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "calci.h"
#include "testutil.h"

#define ASSERT_CLOSE(actual, expected, tol)                                                   \
    ck_assert_msg(fabs((actual) - (expected)) <= (tol), "%s = %.17g, expected %.17g (tol %g)", \
                  #actual, (double)(actual), (double)(expected), (double)(tol))

static const double grid[] = {0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0};
#define GRID_SIZE (sizeof grid / sizeof grid[0])

/*
 * All scores tied: every resample has the curve (sp 0, se 1), (sp 1, se 0),
 * and pROC's coords interpolates linearly between them. So the sensitivity
 * at specificity x is 1 - x in every replicate and in all three quantiles.
 */
START_TEST(band_tied_scores_is_diagonal)
{
    double scores[8] = {0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5};
    int labels[8] = {0, 1, 0, 1, 0, 1, 1, 0};
    double lower[GRID_SIZE], median[GRID_SIZE], upper[GRID_SIZE];

    ck_assert_int_eq(calci_roc_ci_se_bootstrap(scores, labels, 8, CALCI_DIRECTION_HIGHER, grid,
                                               GRID_SIZE, 0.95, 200, 3, lower, median, upper,
                                               NULL),
                     CALCI_OK);
    for (size_t s = 0; s < GRID_SIZE; s++) {
        ASSERT_CLOSE(lower[s], 1.0 - grid[s], 1e-12);
        ASSERT_CLOSE(median[s], 1.0 - grid[s], 1e-12);
        ASSERT_CLOSE(upper[s], 1.0 - grid[s], 1e-12);
    }
}
END_TEST

/*
 * Separated classes: every resample keeps all cases above all controls, so
 * the curve reaches (sp 1, se 1) and the sensitivity is 1 at every
 * specificity, including 1 (the first point with sp = 1 has se = 1).
 * With CALCI_DIRECTION_LOWER and negated scores the band is the same.
 */
START_TEST(band_separated_classes_is_one)
{
    double scores[7] = {0.1, 0.9, 0.2, 0.8, 0.3, 0.95, 0.15};
    double negated[7];
    int labels[7] = {0, 1, 0, 1, 0, 1, 0};
    double lower[GRID_SIZE], upper[GRID_SIZE];

    ck_assert_int_eq(calci_roc_ci_se_bootstrap(scores, labels, 7, CALCI_DIRECTION_HIGHER, grid,
                                               GRID_SIZE, 0.95, 500, 11, lower, NULL, upper,
                                               NULL),
                     CALCI_OK);
    for (size_t s = 0; s < GRID_SIZE; s++) {
        ASSERT_CLOSE(lower[s], 1.0, 1e-15);
        ASSERT_CLOSE(upper[s], 1.0, 1e-15);
    }
    for (size_t i = 0; i < 7; i++)
        negated[i] = -scores[i];
    ck_assert_int_eq(calci_roc_ci_se_bootstrap(negated, labels, 7, CALCI_DIRECTION_LOWER, grid,
                                               GRID_SIZE, 0.95, 500, 11, lower, NULL, upper,
                                               NULL),
                     CALCI_OK);
    for (size_t s = 0; s < GRID_SIZE; s++)
        ASSERT_CLOSE(lower[s], 1.0, 1e-15);
}
END_TEST

START_TEST(band_rejects_bad_arguments)
{
    double scores[4] = {0.1, 0.2, 0.3, 0.4};
    int labels[4] = {0, 0, 1, 1};
    double bad[1] = {1.5}, lower[1] = {-7}, upper[1] = {-7};
    calci_error *error = calci_error_create();

    ck_assert_int_eq(calci_roc_ci_se_bootstrap(scores, labels, 4, CALCI_DIRECTION_HIGHER, bad, 1,
                                               0.95, 10, 1, lower, NULL, upper, error),
                     CALCI_ERR_ARGUMENT);
    ck_assert_msg(strstr(calci_error_message(error), "1.5") != NULL, "message: %s",
                  calci_error_message(error));
    ck_assert_int_eq(calci_roc_ci_se_bootstrap(scores, labels, 4, CALCI_DIRECTION_HIGHER, grid,
                                               1, 1.0, 10, 1, lower, NULL, upper, error),
                     CALCI_ERR_ARGUMENT);
    ck_assert_int_eq(calci_roc_ci_se_bootstrap(scores, labels, 4, CALCI_DIRECTION_HIGHER, grid,
                                               1, 0.95, 0, 1, lower, NULL, upper, error),
                     CALCI_ERR_ARGUMENT);
    labels[2] = 0;
    labels[3] = 0;
    ck_assert_int_eq(calci_roc_ci_se_bootstrap(scores, labels, 4, CALCI_DIRECTION_HIGHER, grid,
                                               1, 0.95, 10, 1, lower, NULL, upper, error),
                     CALCI_ERR_DATA);
    /* Outputs untouched on failure. */
    ck_assert(lower[0] == -7 && upper[0] == -7);
    calci_error_free(error);
}
END_TEST

/*
 * pROC 1.18 ci.se(roc(outcome ~ s100b, aSAH), specificities = seq(0, 1,
 * 0.1), boot.n = 4000) against 20000 of our replicates. The two bands come
 * from different random draws, so each quantile may differ by bootstrap
 * error plus one step of the sensitivity (1/41, the data have 41 cases):
 * tolerance 0.07 per bound.
 */
static const char asah_script[] =
    "args <- commandArgs(TRUE)\n"
    "if (!suppressMessages(requireNamespace('pROC', quietly = TRUE))) { cat('NOPROC\\n'); quit() }\n"
    "suppressMessages(library(pROC))\n"
    "data(aSAH)\n"
    "write.csv(data.frame(label = as.integer(aSAH$outcome == 'Poor'), score = aSAH$s100b),\n"
    "          args[1], row.names = FALSE)\n"
    "set.seed(42)\n"
    "r <- roc(aSAH$outcome, aSAH$s100b, levels = c('Good', 'Poor'), direction = '<', quiet = TRUE)\n"
    "ci <- ci.se(r, specificities = seq(0, 1, 0.1), boot.n = 4000, progress = 'none')\n"
    "for (i in 1:11) cat(sprintf('%.17g %.17g %.17g\\n', ci[i, 1], ci[i, 2], ci[i, 3]))\n";

START_TEST(band_matches_proc_ci_se_on_asah)
{
    char dir[256], data_path[300], script_path[300], out_path[300], command[1200], line[256];
    double scores[200], lower[GRID_SIZE], median[GRID_SIZE], upper[GRID_SIZE];
    double r_lower[GRID_SIZE], r_median[GRID_SIZE], r_upper[GRID_SIZE];
    int labels[200];
    size_t n = 0, rows = 0;
    FILE *file;

    if (system("command -v Rscript > /dev/null 2>&1") != 0) {
        printf("SKIP se band against pROC: Rscript not installed (Debian package r-base-core)\n");
        return;
    }
    snprintf(dir, sizeof dir, "%s", test_temp_dir());
    snprintf(data_path, sizeof data_path, "%s/asah.csv", dir);
    snprintf(script_path, sizeof script_path, "%s/ci_se.R", dir);
    snprintf(out_path, sizeof out_path, "%s/ci_se.out", dir);
    file = fopen(script_path, "w");
    ck_assert(file != NULL);
    fputs(asah_script, file);
    fclose(file);
    snprintf(command, sizeof command, "Rscript --vanilla '%s' '%s' > '%s' 2> /dev/null",
             script_path, data_path, out_path);
    ck_assert_msg(system(command) == 0, "Rscript failed: %s", command);

    file = fopen(out_path, "r");
    ck_assert(file != NULL);
    while (fgets(line, sizeof line, file)) {
        if (strncmp(line, "NOPROC", 6) == 0)
            break;
        if (rows < GRID_SIZE &&
            sscanf(line, "%lf %lf %lf", &r_lower[rows], &r_median[rows], &r_upper[rows]) == 3)
            rows++;
    }
    fclose(file);
    if (rows == 0) {
        printf("SKIP se band against pROC: R package pROC not installed (Debian package "
               "r-cran-proc)\n");
    } else {
        ck_assert_uint_eq(rows, GRID_SIZE);
        file = fopen(data_path, "r");
        ck_assert(file != NULL);
        ck_assert(fgets(line, sizeof line, file) != NULL); /* header */
        while (n < 200 && fgets(line, sizeof line, file))
            if (sscanf(line, "%d,%lf", &labels[n], &scores[n]) == 2)
                n++;
        fclose(file);
        ck_assert_uint_eq(n, 113); /* aSAH has 113 patients */

        ck_assert_int_eq(calci_roc_ci_se_bootstrap(scores, labels, n, CALCI_DIRECTION_HIGHER,
                                                   grid, GRID_SIZE, 0.95, 20000, 42, lower,
                                                   median, upper, NULL),
                         CALCI_OK);
        for (size_t s = 0; s < GRID_SIZE; s++) {
            ASSERT_CLOSE(lower[s], r_lower[s], 0.07);
            ASSERT_CLOSE(median[s], r_median[s], 0.07);
            ASSERT_CLOSE(upper[s], r_upper[s], 0.07);
        }
    }
    remove(data_path);
    remove(script_path);
    remove(out_path);
    rmdir(dir);
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("roc_ci_se");
    TCase *tc = tcase_create("core");
    SRunner *runner;
    int failed;

    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, band_tied_scores_is_diagonal);
    tcase_add_test(tc, band_separated_classes_is_one);
    tcase_add_test(tc, band_rejects_bad_arguments);
    tcase_add_test(tc, band_matches_proc_ci_se_on_asah);
    suite_add_tcase(suite, tc);
    runner = srunner_create(suite);
    srunner_set_fork_status(runner, CK_FORK);
    srunner_run_all(runner, CK_NORMAL);
    failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? 0 : 1;
}
