/*
 * test_roc_extra.c - bootstrap CI of the AUC, partial AUC, Youden's
 * threshold, unpaired DeLong and bootstrap tests, proportion intervals.
 *
 * References: R run at test time through Rscript (pROC 1.18 for the ROC
 * statistics, base R's binom.test and prop.test for the proportions), on
 * pROC's aSAH data and on random data with many ties, skipped when Rscript
 * or pROC is missing; slow direct implementations of the same bootstrap
 * resampling written below; hand computations in comments.
 */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_cdf.h>

#include "calci.h"
#include "../lib/calci/internal.h"
#include "testutil.h"

#define ASSERT_CLOSE(actual, expected, tol)                                                   \
    ck_assert_msg(fabs((actual) - (expected)) <= (tol), "%s = %.17g, expected %.17g (tol %g)", \
                  #actual, (double)(actual), (double)(expected), (double)(tol))

#define ASSERT_REL(actual, expected, tol)                                                     \
    ck_assert_msg(fabs((actual) - (expected)) <= (tol) * fmax(1.0, fabs(expected)),          \
                  "%s = %.17g, expected %.17g (rel tol %g)", #actual, (double)(actual),       \
                  (double)(expected), (double)(tol))

static calci_roc *make_roc(const double *scores, const int *labels, size_t n,
                           calci_direction direction)
{
    calci_roc *roc = NULL;
    calci_error *error = calci_error_create();
    calci_status status = calci_roc_create(scores, labels, n, direction, &roc, error);

    ck_assert_msg(status == CALCI_OK, "calci_roc_create: %s", calci_error_message(error));
    calci_error_free(error);
    return roc;
}

/* Deterministic generator for test data (xorshift64*). */
static uint64_t rng_state = 88172645463325252ULL;

static double uniform(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (double)((rng_state * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

/* ------------------------------------------------------------------ */
/* Reference tables from R                                              */

typedef struct reference_table {
    size_t count;
    char keys[8192][48];
    double values[8192];
} reference_table;

static double reference(const reference_table *table, const char *key)
{
    for (size_t i = 0; i < table->count; i++)
        if (strcmp(table->keys[i], key) == 0)
            return table->values[i];
    ck_abort_msg("R output has no value for %s", key);
    return NAN;
}

/* R's output lines are "key value" (NA reads as NaN). Returns 0 when the
 * script printed NOPROC. */
static int read_reference(const char *path, reference_table *table)
{
    FILE *file = fopen(path, "r");
    char line[256], key[48], text[64];

    ck_assert_msg(file != NULL, "cannot open %s", path);
    table->count = 0;
    while (fgets(line, sizeof line, file)) {
        if (strncmp(line, "NOPROC", 6) == 0) {
            fclose(file);
            return 0;
        }
        if (sscanf(line, "%47s %63s", key, text) != 2 || table->count == 8192)
            continue;
        strcpy(table->keys[table->count], key);
        table->values[table->count++] = strcmp(text, "NA") == 0 ? NAN : strtod(text, NULL);
    }
    fclose(file);
    return 1;
}

/*
 * Writes script and (when data_writer is set) data.csv to a temporary
 * folder, runs Rscript on them with the extra arguments and reads the
 * output into table. Returns 0 after printing a SKIP line when Rscript or
 * pROC is missing.
 */
static int run_r(const char *what, const char *script, void (*data_writer)(const char *, void *),
                 void *data, const char *extra_args, reference_table *table)
{
    char dir[256], data_path[300], script_path[300], out_path[300], command[1400];
    FILE *file;
    int found;

    if (system("command -v Rscript > /dev/null 2>&1") != 0) {
        printf("SKIP %s: Rscript not installed (Debian package r-base-core)\n", what);
        return 0;
    }
    snprintf(dir, sizeof dir, "%s", test_temp_dir());
    snprintf(data_path, sizeof data_path, "%s/data.csv", dir);
    snprintf(script_path, sizeof script_path, "%s/ref.R", dir);
    snprintf(out_path, sizeof out_path, "%s/ref.out", dir);
    if (data_writer)
        data_writer(data_path, data);
    file = fopen(script_path, "w");
    ck_assert(file != NULL);
    fputs(script, file);
    fclose(file);
    snprintf(command, sizeof command, "Rscript --vanilla '%s' '%s' %s > '%s' 2> /dev/null",
             script_path, data_path, extra_args ? extra_args : "", out_path);
    ck_assert_msg(system(command) == 0, "Rscript failed: %s", command);
    found = read_reference(out_path, table);
    remove(data_path);
    remove(script_path);
    remove(out_path);
    rmdir(dir);
    if (!found)
        printf("SKIP %s: R package pROC not installed (Debian package r-cran-proc)\n", what);
    return found;
}

/* ------------------------------------------------------------------ */
/* Proportion intervals                                                 */

/*
 * Hand check of Clopper-Pearson at the edges: x = 0 gives lower 0 and
 * upper = 1 - (alpha/2)^(1/n) (the Beta(1, n) quantile 1 - (1 - q)^(1/n)
 * at q = 1 - alpha/2); x = n mirrors it. n = 10, alpha = 0.05:
 * 1 - 0.025^(0.1) = 0.30849710781876083 (R: binom.test(0, 10)$conf.int).
 */
START_TEST(test_clopper_pearson_edges)
{
    double lower, upper;

    ck_assert_int_eq(calci_proportion_ci(0, 10, 0.95, CALCI_INTERVAL_CLOPPER_PEARSON, &lower,
                                         &upper, NULL),
                     CALCI_OK);
    ASSERT_CLOSE(lower, 0.0, 0.0);
    ASSERT_CLOSE(upper, 1.0 - pow(0.025, 0.1), 1e-12);
    ck_assert_int_eq(calci_proportion_ci(10, 10, 0.95, CALCI_INTERVAL_CLOPPER_PEARSON, &lower,
                                         &upper, NULL),
                     CALCI_OK);
    ASSERT_CLOSE(lower, pow(0.025, 0.1), 1e-12);
    ASSERT_CLOSE(upper, 1.0, 0.0);
}
END_TEST

/*
 * Hand check of Wilson without correction, x = 8, n = 10, z = qnorm(0.975):
 * (p + z^2/(2n) -/+ z sqrt(p(1-p)/n + z^2/(4n^2))) / (1 + z^2/n).
 */
START_TEST(test_wilson_by_hand)
{
    double z = 1.959963984540054, p = 0.8, n = 10, lower, upper;
    double centre = p + z * z / (2 * n), half = z * sqrt(p * (1 - p) / n + z * z / (4 * n * n));

    ck_assert_int_eq(
        calci_proportion_ci(8, 10, 0.95, CALCI_INTERVAL_WILSON, &lower, &upper, NULL), CALCI_OK);
    ASSERT_CLOSE(lower, (centre - half) / (1 + z * z / n), 1e-14);
    ASSERT_CLOSE(upper, (centre + half) / (1 + z * z / n), 1e-14);
}
END_TEST

START_TEST(test_proportion_errors)
{
    double lower = 42, upper = 42, estimate[5], lo[5], hi[5];
    calci_error *error = calci_error_create();

    ck_assert_int_eq(calci_proportion_ci(3, 2, 0.95, CALCI_INTERVAL_WILSON, &lower, &upper, error),
                     CALCI_ERR_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(calci_error_message(error), "3 successes out of 2"));
    ck_assert_int_eq(calci_proportion_ci(0, 0, 0.95, CALCI_INTERVAL_WILSON, &lower, &upper, error),
                     CALCI_ERR_ARGUMENT);
    ck_assert_int_eq(calci_proportion_ci(1, 2, 1.0, CALCI_INTERVAL_WILSON, &lower, &upper, error),
                     CALCI_ERR_ARGUMENT);
    ck_assert_int_eq(
        calci_proportion_ci(1, 2, 0.95, (calci_interval)9, &lower, &upper, error),
        CALCI_ERR_ARGUMENT);
    ASSERT_CLOSE(lower, 42.0, 0.0);
    ASSERT_CLOSE(upper, 42.0, 0.0);
    ck_assert_int_eq(calci_diagnostic_rates_ci(1, 0, 0, 0, 0.0, CALCI_INTERVAL_WILSON, estimate,
                                               lo, hi, error),
                     CALCI_ERR_ARGUMENT);

    /* No predicted positives: PPV (denominator TP + FP = 0) is NaN. */
    ck_assert_int_eq(calci_diagnostic_rates_ci(0, 0, 5, 3, 0.95, CALCI_INTERVAL_WILSON, estimate,
                                               lo, hi, error),
                     CALCI_OK);
    ck_assert(isnan(estimate[2]) && isnan(lo[2]) && isnan(hi[2]));
    ASSERT_CLOSE(estimate[3], 5.0 / 8.0, 0.0);
    ASSERT_CLOSE(estimate[4], 5.0 / 8.0, 0.0);
    calci_error_free(error);
}
END_TEST

/* binom.test and prop.test (correct = TRUE and FALSE) for every x of
 * n in {1, 2, 7, 10, 18, 20, 38, 101, 1000} (x sampled for n = 1000). */
static const char r_proportion_script[] =
    "ns <- c(1, 2, 7, 10, 18, 20, 38, 101, 1000)\n"
    "out <- function(key, x) cat(key, sprintf('%.17g', x), '\\n')\n"
    "for (n in ns) for (x in unique(c(0:min(n, 40), n - 0:3, floor(n / 2)))) {\n"
    "  if (x < 0 || x > n) next\n"
    "  for (level in c(0.95, 0.9)) {\n"
    "    key <- sprintf('%d_%d_%d', x, n, round(level * 100))\n"
    "    b <- binom.test(x, n, conf.level = level)$conf.int\n"
    "    w <- suppressWarnings(prop.test(x, n, conf.level = level, correct = FALSE))$conf.int\n"
    "    c <- suppressWarnings(prop.test(x, n, conf.level = level, correct = TRUE))$conf.int\n"
    "    out(paste0(key, '.cp.lo'), b[1]); out(paste0(key, '.cp.hi'), b[2])\n"
    "    out(paste0(key, '.w.lo'), w[1]); out(paste0(key, '.w.hi'), w[2])\n"
    "    out(paste0(key, '.wc.lo'), c[1]); out(paste0(key, '.wc.hi'), c[2])\n"
    "  }\n"
    "}\n";

/* Every interval bound to 1e-10 absolute against R (base R 4.2). */
START_TEST(test_proportions_match_r)
{
    static reference_table table;
    const size_t ns[] = {1, 2, 7, 10, 18, 20, 38, 101, 1000};
    const char *names[3] = {"cp", "w", "wc"};
    const calci_interval methods[3] = {CALCI_INTERVAL_CLOPPER_PEARSON, CALCI_INTERVAL_WILSON,
                                       CALCI_INTERVAL_WILSON_CORRECTED};
    double worst[3] = {0, 0, 0};
    size_t compared = 0;

    if (!run_r("R binom.test/prop.test", r_proportion_script, NULL, NULL, NULL, &table))
        return;
    for (size_t k = 0; k < sizeof ns / sizeof ns[0]; k++) {
        size_t n = ns[k];

        for (size_t x = 0; x <= n; x++) {
            if (!(x <= 40 || x + 3 >= n || x == n / 2))
                continue;
            for (int l = 0; l < 2; l++) {
                double level = l == 0 ? 0.95 : 0.9;

                for (int m = 0; m < 3; m++) {
                    char key[64];
                    double lower, upper, ref_lo, ref_hi;

                    ck_assert_int_eq(calci_proportion_ci(x, n, level, methods[m], &lower,
                                                         &upper, NULL),
                                     CALCI_OK);
                    snprintf(key, sizeof key, "%zu_%zu_%d.%s.lo", x, n, l == 0 ? 95 : 90,
                             names[m]);
                    ref_lo = reference(&table, key);
                    snprintf(key, sizeof key, "%zu_%zu_%d.%s.hi", x, n, l == 0 ? 95 : 90,
                             names[m]);
                    ref_hi = reference(&table, key);
                    ck_assert_msg(fabs(lower - ref_lo) <= 1e-10,
                                  "%s x=%zu n=%zu level %g lower %.17g, R %.17g", names[m], x,
                                  n, level, lower, ref_lo);
                    ck_assert_msg(fabs(upper - ref_hi) <= 1e-10,
                                  "%s x=%zu n=%zu level %g upper %.17g, R %.17g", names[m], x,
                                  n, level, upper, ref_hi);
                    worst[m] = fmax(worst[m], fmax(fabs(lower - ref_lo), fabs(upper - ref_hi)));
                    compared += 2;
                }
            }
        }
    }
    printf("INFO R proportions: %zu bounds, max |d| Clopper-Pearson %.1e, Wilson %.1e, "
           "Wilson corrected %.1e\n",
           compared, worst[0], worst[1], worst[2]);
}
END_TEST

/* The five rates of the SVM high-sensitivity test-set table (TP 16, FP 4,
 * TN 16, FN 2) against binom.test and prop.test on each fraction. */
static const char r_rates_script[] =
    "out <- function(key, x) cat(key, sprintf('%.17g', x), '\\n')\n"
    "x <- c(16, 16, 16, 16, 32); n <- c(18, 20, 20, 18, 38)\n"
    "for (k in 1:5) {\n"
    "  out(paste0(k - 1, '.cp.lo'), binom.test(x[k], n[k])$conf.int[1])\n"
    "  out(paste0(k - 1, '.cp.hi'), binom.test(x[k], n[k])$conf.int[2])\n"
    "  out(paste0(k - 1, '.wc.lo'), prop.test(x[k], n[k])$conf.int[1])\n"
    "  out(paste0(k - 1, '.wc.hi'), prop.test(x[k], n[k])$conf.int[2])\n"
    "}\n";

START_TEST(test_rates_ci_match_r)
{
    static reference_table table;
    double estimate[5], lower[5], upper[5];
    const double expected[5] = {16.0 / 18, 16.0 / 20, 16.0 / 20, 16.0 / 18, 32.0 / 38};

    if (!run_r("R rates intervals", r_rates_script, NULL, NULL, NULL, &table))
        return;
    ck_assert_int_eq(calci_diagnostic_rates_ci(16, 4, 16, 2, 0.95,
                                               CALCI_INTERVAL_CLOPPER_PEARSON, estimate, lower,
                                               upper, NULL),
                     CALCI_OK);
    for (int k = 0; k < 5; k++) {
        char key[32];

        ASSERT_CLOSE(estimate[k], expected[k], 0.0);
        snprintf(key, sizeof key, "%d.cp.lo", k);
        ASSERT_CLOSE(lower[k], reference(&table, key), 1e-10);
        snprintf(key, sizeof key, "%d.cp.hi", k);
        ASSERT_CLOSE(upper[k], reference(&table, key), 1e-10);
    }
    ck_assert_int_eq(calci_diagnostic_rates_ci(16, 4, 16, 2, 0.95,
                                               CALCI_INTERVAL_WILSON_CORRECTED, estimate, lower,
                                               upper, NULL),
                     CALCI_OK);
    for (int k = 0; k < 5; k++) {
        char key[32];

        snprintf(key, sizeof key, "%d.wc.lo", k);
        ASSERT_CLOSE(lower[k], reference(&table, key), 1e-10);
        snprintf(key, sizeof key, "%d.wc.hi", k);
        ASSERT_CLOSE(upper[k], reference(&table, key), 1e-10);
    }
}
END_TEST

/* ------------------------------------------------------------------ */
/* Partial AUC and Youden by hand                                       */

/*
 * The 3 x 3 example of test_roc.c: controls {0.2, 0.4, 0.6}, cases
 * {0.4, 0.6, 0.8}; points (sp, se) = (0, 1) (1/3, 1) (2/3, 2/3) (1, 1/3)
 * (1, 0). Specificity range [2/3, 1]: the trapezoid from (2/3, 2/3) to
 * (1, 1/3), then the vertical step at sp 1 adds nothing:
 * (1/3) (2/3 + 1/3) / 2 = 1/6. McClish: min = (2 - 1 - 2/3)(1/3)/2 = 1/18,
 * max = 1/3, corrected = (1 + (1/6 - 1/18) / (1/3 - 1/18)) / 2 = 0.7.
 * Specificity range [0.5, 1]: y interpolated at sp 0.5 between (1/3, 1) and
 * (2/3, 2/3) is 5/6, so 1/6 + (2/3 - 1/2)(5/6 + 2/3)/2 = 1/6 + 1/8 = 7/24.
 * Youden: se + sp = 1, 4/3, 4/3, 4/3, 1, so points 1, 2 and 3 tie; in
 * double precision 1 + 1/3, 2/3 + 2/3 and 1/3 + 1 all round to the same
 * value.
 */
static const double tied_scores[6] = {0.2, 0.4, 0.6, 0.4, 0.6, 0.8};
static const int tied_labels[6] = {0, 0, 0, 1, 1, 1};

START_TEST(test_partial_by_hand)
{
    calci_roc *roc = make_roc(tied_scores, tied_labels, 6, CALCI_DIRECTION_AUTO);
    double auc;

    ck_assert_int_eq(calci_roc_partial_auc(roc, CALCI_FOCUS_SPECIFICITY, 1, 2.0 / 3, 0, &auc,
                                           NULL),
                     CALCI_OK);
    ASSERT_CLOSE(auc, 1.0 / 6, 1e-15);
    ck_assert_int_eq(calci_roc_partial_auc(roc, CALCI_FOCUS_SPECIFICITY, 1, 2.0 / 3, 1, &auc,
                                           NULL),
                     CALCI_OK);
    ASSERT_CLOSE(auc, 0.7, 1e-15);
    ck_assert_int_eq(calci_roc_partial_auc(roc, CALCI_FOCUS_SPECIFICITY, 0.5, 1, 0, &auc, NULL),
                     CALCI_OK);
    ASSERT_CLOSE(auc, 7.0 / 24, 1e-15);
    /* The full range is the AUC 7/9. */
    ck_assert_int_eq(calci_roc_partial_auc(roc, CALCI_FOCUS_SENSITIVITY, 0, 1, 0, &auc, NULL),
                     CALCI_OK);
    ASSERT_CLOSE(auc, 7.0 / 9, 1e-15);
    calci_roc_free(roc);
}
END_TEST

START_TEST(test_partial_errors)
{
    calci_roc *roc = make_roc(tied_scores, tied_labels, 6, CALCI_DIRECTION_AUTO);
    calci_error *error = calci_error_create();
    double auc = 42;

    ck_assert_int_eq(calci_roc_partial_auc(roc, CALCI_FOCUS_SPECIFICITY, 0.8, 0.8, 0, &auc,
                                           error),
                     CALCI_ERR_ARGUMENT);
    ck_assert_int_eq(calci_roc_partial_auc(roc, CALCI_FOCUS_SPECIFICITY, 1.2, 0.8, 0, &auc,
                                           error),
                     CALCI_ERR_ARGUMENT);
    ck_assert_int_eq(calci_roc_partial_auc(roc, (calci_focus)5, 1, 0.8, 0, &auc, error),
                     CALCI_ERR_ARGUMENT);
    ck_assert_int_eq(calci_roc_partial_auc(NULL, CALCI_FOCUS_SPECIFICITY, 1, 0.8, 0, &auc,
                                           error),
                     CALCI_ERR_ARGUMENT);
    ASSERT_CLOSE(auc, 42.0, 0.0);
    calci_error_free(error);
    calci_roc_free(roc);
}
END_TEST

START_TEST(test_youden_by_hand)
{
    calci_roc *roc = make_roc(tied_scores, tied_labels, 6, CALCI_DIRECTION_AUTO);
    size_t indices[5];
    double t;

    ck_assert_uint_eq(calci_roc_youden_points(roc, indices, 5), 3);
    ck_assert_uint_eq(indices[0], 1);
    ck_assert_uint_eq(indices[1], 2);
    ck_assert_uint_eq(indices[2], 3);
    calci_roc_point(roc, indices[0], &t, NULL, NULL);
    ASSERT_CLOSE(t, 0.3, 1e-15);
    ck_assert_uint_eq(calci_roc_youden_points(roc, NULL, 0), 3);
    ck_assert_uint_eq(calci_roc_youden_points(NULL, NULL, 0), 0);
    calci_roc_free(roc);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Unpaired DeLong by hand                                              */

/*
 * Curve a: the 3 x 3 example, AUC 7/9, Var 7/162, N 6. Curve b: perfect on
 * 4 entries (AUC 1, Var 0, N 4). t = (7/9 - 1) / sqrt(7/162) =
 * -sqrt(8/7); df = (7/162)^2 / ((7/162)^2 / 5) = 5; p = 2 P(T_5 > sqrt(8/7))
 * (R 4.2: 2 * pt(-sqrt(8/7), 5) = 0.33392041200068828).
 */
START_TEST(test_unpaired_by_hand)
{
    const double perfect[4] = {1, 2, 3, 4};
    const int labels[4] = {0, 0, 1, 1};
    calci_roc *a = make_roc(tied_scores, tied_labels, 6, CALCI_DIRECTION_AUTO);
    calci_roc *b = make_roc(perfect, labels, 4, CALCI_DIRECTION_AUTO);
    double t, df, p;

    ck_assert_int_eq(calci_roc_test_delong_unpaired(a, b, &t, &df, &p, NULL), CALCI_OK);
    ASSERT_CLOSE(t, -sqrt(8.0 / 7.0), 1e-14);
    ASSERT_CLOSE(df, 5.0, 1e-13);
    ASSERT_CLOSE(p, 0.33392041200068828, 1e-12);
    ck_assert_int_eq(calci_roc_test_delong_unpaired(a, NULL, &t, &df, &p, NULL),
                     CALCI_ERR_ARGUMENT);
    calci_roc_free(a);
    calci_roc_free(b);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Bootstrap: slow direct twins                                         */

/* psi(x, y) for case score x, control score y under a direction. */
static double pair_score(double x, double y, calci_direction direction)
{
    if (direction == CALCI_DIRECTION_LOWER) {
        double swap = x;
        x = y;
        y = swap;
    }
    return x > y ? 1.0 : x == y ? 0.5 : 0.0;
}

/* Valid entries of one sample split by class, in input order. */
typedef struct split_sample {
    size_t m, n;
    double cases[600], controls[600];
    calci_direction direction;
} split_sample;

static void split(const double *scores, const int *labels, size_t count, split_sample *s,
                  calci_direction direction)
{
    calci_roc *roc = make_roc(scores, labels, count, direction);

    s->direction = calci_roc_direction(roc);
    calci_roc_free(roc);
    s->m = s->n = 0;
    for (size_t i = 0; i < count; i++) {
        if (labels[i] == -1 || isnan(scores[i]))
            continue;
        if (labels[i] == 1)
            s->cases[s->m++] = scores[i];
        else
            s->controls[s->n++] = scores[i];
    }
}

/* Draws one resample the documented way (controls, then cases) and returns
 * its AUC from all m x n pairs. When reuse is set, the draws come from
 * reuse instead of the generator (the paired test). */
static double slow_resample_auc(const split_sample *s, ci_rng *rng, size_t *draws,
                                const size_t *reuse)
{
    double sum = 0;

    for (size_t k = 0; k < s->n + s->m; k++) {
        if (reuse)
            draws[k] = reuse[k];
        else
            draws[k] = (size_t)ci_rng_below(rng, k < s->n ? s->n : s->m);
    }
    for (size_t i = 0; i < s->m; i++)
        for (size_t j = 0; j < s->n; j++)
            sum += pair_score(s->cases[draws[s->n + i]], s->controls[draws[j]], s->direction);
    return sum / ((double)s->m * (double)s->n);
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

/* R's quantile type 7, written from its 1-based definition. */
static double slow_quantile(double *values, size_t count, double probability)
{
    double index = 1 + (double)(count - 1) * probability;
    size_t lo = (size_t)floor(index), hi = (size_t)ceil(index);

    qsort(values, count, sizeof *values, compare_doubles);
    if (values[hi - 1] == values[lo - 1])
        return values[lo - 1];
    return (1 - (index - lo)) * values[lo - 1] + (index - lo) * values[hi - 1];
}

static void slow_ci(const split_sample *s, size_t replicates, uint64_t seed, double level,
                    double *lower, double *upper)
{
    double *aucs = malloc(replicates * sizeof *aucs);
    size_t draws[1200];
    ci_rng rng;

    ck_assert(aucs != NULL);
    ci_rng_seed(&rng, seed);
    for (size_t r = 0; r < replicates; r++)
        aucs[r] = slow_resample_auc(s, &rng, draws, NULL);
    *lower = slow_quantile(aucs, replicates, (1 - level) / 2);
    *upper = slow_quantile(aucs, replicates, 1 - (1 - level) / 2);
    free(aucs);
}

/* Full-data AUC from all pairs. */
static double slow_auc(const split_sample *s)
{
    double sum = 0;

    for (size_t i = 0; i < s->m; i++)
        for (size_t j = 0; j < s->n; j++)
            sum += pair_score(s->cases[i], s->controls[j], s->direction);
    return sum / ((double)s->m * (double)s->n);
}

static void slow_test(const split_sample *a, const split_sample *b, int paired,
                      size_t replicates, uint64_t seed, double *d)
{
    double *diffs = malloc(replicates * sizeof *diffs), mean = 0, ss = 0;
    size_t draws_a[1200], draws_b[1200];
    ci_rng rng;

    ck_assert(diffs != NULL);
    ci_rng_seed(&rng, seed);
    for (size_t r = 0; r < replicates; r++) {
        double auc_a = slow_resample_auc(a, &rng, draws_a, NULL);
        double auc_b = slow_resample_auc(b, &rng, draws_b, paired ? draws_a : NULL);

        diffs[r] = auc_a - auc_b;
        mean += diffs[r];
    }
    mean /= (double)replicates;
    for (size_t r = 0; r < replicates; r++)
        ss += (diffs[r] - mean) * (diffs[r] - mean);
    *d = (slow_auc(a) - slow_auc(b)) / sqrt(ss / (double)(replicates - 1));
    free(diffs);
}

typedef struct marker_data {
    size_t n;
    int labels[600];
    double scores[4][600];
} marker_data;

/* Random data with many ties: m0 on 7 levels, m1 correlated with m0, m2 on
 * 3 levels with controls higher (direction ">"), m3 on 2 levels. */
static void make_tied_data(marker_data *data, size_t n)
{
    data->n = n;
    for (size_t i = 0; i < n; i++) {
        int label = uniform() < 0.45;
        double a = floor(uniform() * 6 + label * 1.2);

        data->labels[i] = label;
        data->scores[0][i] = a;
        data->scores[1][i] = floor(a / 2 + uniform() * 3);
        data->scores[2][i] = floor(uniform() * 2.4 - label * 0.8);
        data->scores[3][i] = uniform() < 0.3 + 0.3 * label ? 1 : 0;
    }
}

/* The fast grouped bootstrap must equal the slow pairwise one exactly
 * (both compute the exact rational AUC of each resample, rounded once). */
START_TEST(test_bootstrap_ci_matches_slow)
{
    static marker_data data;
    static split_sample s;

    rng_state = 77;
    make_tied_data(&data, 150);
    data.scores[0][3] = NAN;
    data.labels[5] = -1;
    for (int k = 0; k < 4; k++) {
        double lower, upper, slow_lower, slow_upper;

        split(data.scores[k], data.labels, data.n, &s, CALCI_DIRECTION_AUTO);
        ck_assert_int_eq(calci_roc_ci_bootstrap(data.scores[k], data.labels, data.n,
                                                CALCI_DIRECTION_AUTO, 0.95, 501, 11 + k, &lower,
                                                &upper, NULL),
                         CALCI_OK);
        slow_ci(&s, 501, 11 + k, 0.95, &slow_lower, &slow_upper);
        ASSERT_CLOSE(lower, slow_lower, 0.0);
        ASSERT_CLOSE(upper, slow_upper, 0.0);
        ck_assert(lower <= upper);
    }
}
END_TEST

START_TEST(test_bootstrap_tests_match_slow)
{
    static marker_data data, other;
    static split_sample a, b, c;
    double d, p, slow_d;

    rng_state = 99;
    make_tied_data(&data, 120);
    make_tied_data(&other, 70);
    split(data.scores[0], data.labels, data.n, &a, CALCI_DIRECTION_AUTO);
    split(data.scores[2], data.labels, data.n, &b, CALCI_DIRECTION_AUTO);
    split(other.scores[1], other.labels, other.n, &c, CALCI_DIRECTION_AUTO);

    ck_assert_int_eq(calci_roc_test_bootstrap_paired(data.scores[0], data.scores[2], data.labels,
                                                     data.n, CALCI_DIRECTION_AUTO,
                                                     CALCI_DIRECTION_AUTO, 300, 5, &d, &p, NULL),
                     CALCI_OK);
    slow_test(&a, &b, 1, 300, 5, &slow_d);
    ASSERT_REL(d, slow_d, 1e-12);
    ASSERT_CLOSE(p, 2 * gsl_cdf_ugaussian_Q(fabs(slow_d)), 1e-12);

    ck_assert_int_eq(calci_roc_test_bootstrap_unpaired(
                         data.scores[0], data.labels, data.n, CALCI_DIRECTION_AUTO,
                         other.scores[1], other.labels, other.n, CALCI_DIRECTION_AUTO, 300, 6,
                         &d, &p, NULL),
                     CALCI_OK);
    slow_test(&a, &c, 0, 300, 6, &slow_d);
    ASSERT_REL(d, slow_d, 1e-12);

    /* A curve against itself, paired: every difference is 0, D = 0, p = 1. */
    ck_assert_int_eq(calci_roc_test_bootstrap_paired(data.scores[0], data.scores[0], data.labels,
                                                     data.n, CALCI_DIRECTION_AUTO,
                                                     CALCI_DIRECTION_AUTO, 50, 5, &d, &p, NULL),
                     CALCI_OK);
    ASSERT_CLOSE(d, 0.0, 0.0);
    ASSERT_CLOSE(p, 1.0, 0.0);
}
END_TEST

START_TEST(test_bootstrap_errors)
{
    calci_error *error = calci_error_create();
    const int one_class[6] = {1, 1, 1, 1, 1, 1};
    double lower = 42, upper = 42, d = 42;

    ck_assert_int_eq(calci_roc_ci_bootstrap(tied_scores, tied_labels, 6, CALCI_DIRECTION_AUTO,
                                            0.95, 0, 1, &lower, &upper, error),
                     CALCI_ERR_ARGUMENT);
    ck_assert_int_eq(calci_roc_ci_bootstrap(tied_scores, tied_labels, 6, CALCI_DIRECTION_AUTO,
                                            1.0, 10, 1, &lower, &upper, error),
                     CALCI_ERR_ARGUMENT);
    ck_assert_int_eq(calci_roc_ci_bootstrap(tied_scores, one_class, 6, CALCI_DIRECTION_AUTO,
                                            0.95, 10, 1, &lower, &upper, error),
                     CALCI_ERR_DATA);
    ck_assert_int_eq(calci_roc_test_bootstrap_paired(tied_scores, tied_scores, tied_labels, 6,
                                                     CALCI_DIRECTION_AUTO, CALCI_DIRECTION_AUTO,
                                                     1, 1, &d, NULL, error),
                     CALCI_ERR_ARGUMENT);
    ck_assert_int_eq(calci_roc_test_bootstrap_unpaired(
                         tied_scores, tied_labels, 6, CALCI_DIRECTION_AUTO, tied_scores,
                         one_class, 6, CALCI_DIRECTION_AUTO, 10, 1, &d, NULL, error),
                     CALCI_ERR_DATA);
    ASSERT_CLOSE(lower, 42.0, 0.0);
    ASSERT_CLOSE(upper, 42.0, 0.0);
    ASSERT_CLOSE(d, 42.0, 0.0);
    calci_error_free(error);
}
END_TEST

/* ------------------------------------------------------------------ */
/* pROC at test time                                                    */

static void read_asah(const char *path, marker_data *data)
{
    FILE *file = fopen(path, "r");
    char line[512];

    ck_assert_msg(file != NULL, "cannot open %s", path);
    data->n = 0;
    ck_assert(fgets(line, sizeof line, file) != NULL);
    while (fgets(line, sizeof line, file) && data->n < 600) {
        char *fields[7], *cursor = line;
        int count = 0;

        for (char *token; count < 7 && (token = strsep(&cursor, ",\r\n")) != NULL;) {
            if (*token == '"') {
                token++;
                token[strcspn(token, "\"")] = '\0';
            }
            fields[count++] = token;
        }
        ck_assert_int_eq(count, 7);
        data->labels[data->n] = strcmp(fields[1], "Poor") == 0;
        data->scores[0][data->n] = strtod(fields[4], NULL);
        data->scores[1][data->n] = strtod(fields[5], NULL);
        data->scores[2][data->n] = strtod(fields[6], NULL);
        data->n++;
    }
    fclose(file);
    ck_assert_uint_eq(data->n, 113);
}

typedef struct data_job {
    const marker_data *data;
    size_t markers;
} data_job;

static void write_data(const char *path, void *user)
{
    const data_job *job = user;
    FILE *file = fopen(path, "w");

    ck_assert_msg(file != NULL, "cannot write %s", path);
    fprintf(file, "label");
    for (size_t k = 0; k < job->markers; k++)
        fprintf(file, ",m%zu", k);
    fprintf(file, "\n");
    for (size_t i = 0; i < job->data->n; i++) {
        fprintf(file, "%d", job->data->labels[i]);
        for (size_t k = 0; k < job->markers; k++)
            fprintf(file, ",%.17g", job->data->scores[k][i]);
        fprintf(file, "\n");
    }
    fclose(file);
}

/* Partial AUC ranges: {from, to} with focus s (specificity) or e. */
static const struct {
    double from, to;
    char focus;
} ranges[] = {
    {1, 0.8, 's'}, {0.9, 0.6, 's'}, {0.55, 0.5, 's'}, {1, 0, 's'}, {0.3, 0.1, 's'},
    {1, 0.9, 'e'}, {0.8, 0.5, 'e'}, {0.97, 0.96, 'e'}, {0.5, 0, 'e'},
};
enum { N_RANGES = sizeof ranges / sizeof ranges[0] };

/*
 * pROC on markers m0..: partial AUC for each range (plain and corrected),
 * Youden's best points, and DeLong's unpaired test for each pair, both on
 * the same rows and with curve b on the first two thirds of the rows only.
 */
static const char r_roc_script[] =
    "if (!requireNamespace('pROC', quietly = TRUE)) { cat('NOPROC\\n'); quit(status = 0) }\n"
    "suppressMessages(library(pROC))\n"
    "args <- commandArgs(trailingOnly = TRUE)\n"
    "d <- read.csv(args[1])\n"
    "out <- function(key, x) cat(key, if (is.na(x)) 'NA' else sprintf('%.17g', x), '\\n')\n"
    "ranges <- list(c(1, 0.8, 's'), c(0.9, 0.6, 's'), c(0.55, 0.5, 's'), c(1, 0, 's'),\n"
    "  c(0.3, 0.1, 's'), c(1, 0.9, 'e'), c(0.8, 0.5, 'e'), c(0.97, 0.96, 'e'), c(0.5, 0, 'e'))\n"
    "markers <- setdiff(names(d), 'label')\n"
    "part <- seq_len(floor(2 * nrow(d) / 3))\n"
    "curves <- list(); halves <- list()\n"
    "for (k in markers) {\n"
    "  r <- roc(d$label, d[[k]], levels = c(0, 1), direction = 'auto', quiet = TRUE)\n"
    "  curves[[k]] <- r\n"
    "  halves[[k]] <- roc(d$label[part], d[[k]][part], levels = c(0, 1),\n"
    "                     direction = 'auto', quiet = TRUE)\n"
    "  for (i in seq_along(ranges)) {\n"
    "    g <- ranges[[i]]\n"
    "    focus <- if (g[3] == 's') 'specificity' else 'sensitivity'\n"
    "    for (cr in c(FALSE, TRUE)) {\n"
    "      a <- suppressWarnings(auc(r, partial.auc = as.numeric(g[1:2]),\n"
    "                                partial.auc.focus = focus, partial.auc.correct = cr))\n"
    "      out(sprintf('%s.pauc%d.%d', k, i - 1, as.integer(cr)), as.numeric(a))\n"
    "    }\n"
    "  }\n"
    "  b <- coords(r, 'best', best.method = 'youden', ret = c('threshold', 'sensitivity',\n"
    "              'specificity'), transpose = FALSE)\n"
    "  out(paste0(k, '.youden.n'), nrow(b))\n"
    "  for (i in seq_len(nrow(b))) {\n"
    "    out(sprintf('%s.youden.t%d', k, i - 1), b$threshold[i])\n"
    "    out(sprintf('%s.youden.se%d', k, i - 1), b$sensitivity[i])\n"
    "    out(sprintf('%s.youden.sp%d', k, i - 1), b$specificity[i])\n"
    "  }\n"
    "}\n"
    "for (a in markers) for (b in markers) if (a != b) {\n"
    "  t <- suppressWarnings(roc.test(curves[[a]], curves[[b]], method = 'delong',\n"
    "                                 paired = FALSE))\n"
    "  key <- paste0(a, '_', b)\n"
    "  out(paste0(key, '.t'), t$statistic); out(paste0(key, '.df'), t$parameter)\n"
    "  out(paste0(key, '.p'), t$p.value)\n"
    "  t <- suppressWarnings(roc.test(curves[[a]], halves[[b]], method = 'delong',\n"
    "                                 paired = FALSE))\n"
    "  out(paste0(key, '.ht'), t$statistic); out(paste0(key, '.hdf'), t$parameter)\n"
    "  out(paste0(key, '.hp'), t$p.value)\n"
    "}\n";

static void track(double *worst, double deviation)
{
    if (deviation > *worst)
        *worst = deviation;
}

/*
 * Compares with pROC: partial AUC (plain and corrected) to 1e-9 absolute
 * (NaN where pROC gives NA), Youden points exactly up to 1e-12, unpaired
 * t, df and p to 1e-9 relative.
 */
static void compare_with_proc(const char *name, const marker_data *data, size_t markers)
{
    static reference_table table;
    data_job job = {data, markers};
    calci_roc *curves[4], *halves[4];
    size_t part = 2 * data->n / 3, compared = 0;
    double worst_pauc = 0, worst_test = 0;
    char what[128];

    snprintf(what, sizeof what, "pROC %s", name);
    if (!run_r(what, r_roc_script, write_data, &job, NULL, &table))
        return;

    for (size_t k = 0; k < markers; k++) {
        char key[80];
        size_t best[64], ties;

        curves[k] = make_roc(data->scores[k], data->labels, data->n, CALCI_DIRECTION_AUTO);
        halves[k] = make_roc(data->scores[k], data->labels, part, CALCI_DIRECTION_AUTO);
        for (size_t r = 0; r < N_RANGES; r++)
            for (int correct = 0; correct < 2; correct++) {
                double auc, expected;
                calci_focus focus =
                    ranges[r].focus == 's' ? CALCI_FOCUS_SPECIFICITY : CALCI_FOCUS_SENSITIVITY;

                ck_assert_int_eq(calci_roc_partial_auc(curves[k], focus, ranges[r].from,
                                                       ranges[r].to, correct, &auc, NULL),
                                 CALCI_OK);
                snprintf(key, sizeof key, "m%zu.pauc%zu.%d", k, r, correct);
                expected = reference(&table, key);
                if (isnan(expected)) {
                    ck_assert_msg(isnan(auc), "%s m%zu range %zu: %g, pROC NA", name, k, r, auc);
                } else {
                    ck_assert_msg(fabs(auc - expected) <= 1e-9,
                                  "%s m%zu range %zu correct %d: %.17g, pROC %.17g", name, k, r,
                                  correct, auc, expected);
                    track(&worst_pauc, fabs(auc - expected));
                }
                compared++;
            }

        snprintf(key, sizeof key, "m%zu.youden.n", k);
        ties = calci_roc_youden_points(curves[k], best, 64);
        ck_assert_uint_eq(ties, (size_t)reference(&table, key));
        for (size_t i = 0; i < ties && i < 64; i++) {
            double t, se, sp, expected;

            calci_roc_point(curves[k], best[i], &t, &se, &sp);
            snprintf(key, sizeof key, "m%zu.youden.t%zu", k, i);
            expected = reference(&table, key);
            ck_assert_msg(t == expected || fabs(t - expected) <= 1e-12 * fabs(expected),
                          "%s m%zu Youden threshold %zu: %.17g, pROC %.17g", name, k, i, t,
                          expected);
            snprintf(key, sizeof key, "m%zu.youden.se%zu", k, i);
            ASSERT_CLOSE(se, reference(&table, key), 1e-12);
            snprintf(key, sizeof key, "m%zu.youden.sp%zu", k, i);
            ASSERT_CLOSE(sp, reference(&table, key), 1e-12);
            compared += 3;
        }
    }

    for (size_t a = 0; a < markers; a++)
        for (size_t b = 0; b < markers; b++) {
            char key[80];
            double t, df, p;

            if (a == b)
                continue;
#define REF(suffix) \
    (snprintf(key, sizeof key, "m%zu_m%zu.%s", a, b, suffix), reference(&table, key))
            ck_assert_int_eq(calci_roc_test_delong_unpaired(curves[a], curves[b], &t, &df, &p,
                                                            NULL),
                             CALCI_OK);
            ASSERT_REL(t, REF("t"), 1e-9);
            ASSERT_REL(df, REF("df"), 1e-9);
            ck_assert_msg(fabs(p - REF("p")) <= 1e-9 * REF("p"), "m%zu vs m%zu p %.17g, pROC %.17g",
                          a, b, p, REF("p"));
            track(&worst_test, fabs(t - REF("t")) / fmax(1, fabs(REF("t"))));
            track(&worst_test, fabs(p / REF("p") - 1));

            ck_assert_int_eq(calci_roc_test_delong_unpaired(curves[a], halves[b], &t, &df, &p,
                                                            NULL),
                             CALCI_OK);
            ASSERT_REL(t, REF("ht"), 1e-9);
            ASSERT_REL(df, REF("hdf"), 1e-9);
            ck_assert_msg(fabs(p - REF("hp")) <= 1e-9 * REF("hp"),
                          "m%zu vs m%zu (part) p %.17g, pROC %.17g", a, b, p, REF("hp"));
            track(&worst_test, fabs(df / REF("hdf") - 1));
            compared += 6;
#undef REF
        }

    for (size_t k = 0; k < markers; k++) {
        calci_roc_free(curves[k]);
        calci_roc_free(halves[k]);
    }
    printf("INFO pROC %s: %zu values agree; max |d pAUC| %.1e, max rel d(t, df, p) %.1e\n",
           name, compared, worst_pauc, worst_test);
}

START_TEST(test_proc_asah)
{
    static marker_data data;
    char path[512];

    if (!test_refdata_path(path, sizeof path, "pROC_aSAH/aSAH.csv", "pROC aSAH"))
        return;
    read_asah(path, &data);
    compare_with_proc("aSAH", &data, 3);
}
END_TEST

START_TEST(test_proc_random_ties)
{
    static marker_data data;

    rng_state = 20210617;
    make_tied_data(&data, 300);
    compare_with_proc("random ties n=300", &data, 4);
    make_tied_data(&data, 23);
    compare_with_proc("random ties n=23", &data, 4);
}
END_TEST

/*
 * pROC's bootstrap with B replicates (args[2]) on m0 and m1: the percentile
 * CI of each, and D of the paired and unpaired bootstrap tests.
 */
static const char r_boot_script[] =
    "if (!requireNamespace('pROC', quietly = TRUE)) { cat('NOPROC\\n'); quit(status = 0) }\n"
    "suppressMessages(library(pROC))\n"
    "args <- commandArgs(trailingOnly = TRUE)\n"
    "d <- read.csv(args[1]); B <- as.integer(args[2])\n"
    "out <- function(key, x) cat(key, sprintf('%.17g', x), '\\n')\n"
    "r0 <- roc(d$label, d$m0, levels = c(0, 1), direction = 'auto', quiet = TRUE)\n"
    "r1 <- roc(d$label, d$m1, levels = c(0, 1), direction = 'auto', quiet = TRUE)\n"
    "set.seed(1)\n"
    "ci0 <- ci.auc(r0, method = 'bootstrap', boot.n = B, progress = 'none')\n"
    "ci1 <- ci.auc(r1, method = 'bootstrap', boot.n = B, progress = 'none')\n"
    "out('m0.lo', ci0[1]); out('m0.hi', ci0[3]); out('m1.lo', ci1[1]); out('m1.hi', ci1[3])\n"
    "t <- roc.test(r0, r1, method = 'bootstrap', boot.n = B, paired = TRUE, progress = 'none')\n"
    "out('paired.D', t$statistic)\n"
    "t <- roc.test(r0, r1, method = 'bootstrap', boot.n = B, paired = FALSE,\n"
    "              progress = 'none')\n"
    "out('unpaired.D', t$statistic)\n";

/*
 * Monte-Carlo tolerance of a percentile bound: the q-quantile of B draws
 * has standard error sqrt(q (1 - q) / B) / f, with f the density at the
 * quantile, taken as normal with the DeLong standard deviation s:
 * f = phi(z_q) / s. Two independent runs differ by sqrt(2) of that; the
 * test allows 6 standard errors (a false alarm about once in 5 x 10^8).
 */
static double quantile_tolerance(double s, double q, size_t replicates)
{
    double z = gsl_cdf_ugaussian_Pinv(q);
    double density = exp(-z * z / 2) / sqrt(2 * M_PI) / s;

    return 6 * sqrt(2.0) * sqrt(q * (1 - q) / (double)replicates) / density;
}

static void compare_bootstrap(const char *name, const marker_data *data)
{
    enum { B = 10000 };
    static reference_table table;
    data_job job = {data, 2};
    double ci_worst = 0, d_worst = 0;
    char what[128];

    snprintf(what, sizeof what, "pROC bootstrap %s", name);
    if (!run_r(what, r_boot_script, write_data, &job, "10000", &table))
        return;

    for (int k = 0; k < 2; k++) {
        char key[32];
        double lower, upper, tolerance;
        calci_roc *roc = make_roc(data->scores[k], data->labels, data->n, CALCI_DIRECTION_AUTO);

        ck_assert_int_eq(calci_roc_ci_bootstrap(data->scores[k], data->labels, data->n,
                                                CALCI_DIRECTION_AUTO, 0.95, B, 3 + k, &lower,
                                                &upper, NULL),
                         CALCI_OK);
        tolerance = quantile_tolerance(sqrt(calci_roc_delong_variance(roc)), 0.025, B);
        snprintf(key, sizeof key, "m%d.lo", k);
        ASSERT_CLOSE(lower, reference(&table, key), tolerance);
        track(&ci_worst, fabs(lower - reference(&table, key)) / tolerance);
        snprintf(key, sizeof key, "m%d.hi", k);
        ASSERT_CLOSE(upper, reference(&table, key), tolerance);
        track(&ci_worst, fabs(upper - reference(&table, key)) / tolerance);
        calci_roc_free(roc);
    }

    /*
     * D = diff / sd: the sample sd of B differences has relative standard
     * error about 1 / sqrt(2 (B - 1)), so two runs differ in D by a relative
     * sqrt(2) / sqrt(2 B) = 1 / sqrt(B) standard errors; 6 of them allowed.
     */
    double d, tolerance = 6.0 / sqrt((double)B);

    ck_assert_int_eq(calci_roc_test_bootstrap_paired(data->scores[0], data->scores[1],
                                                     data->labels, data->n, CALCI_DIRECTION_AUTO,
                                                     CALCI_DIRECTION_AUTO, B, 8, &d, NULL, NULL),
                     CALCI_OK);
    ASSERT_REL(d, reference(&table, "paired.D"), tolerance * fabs(reference(&table, "paired.D")));
    track(&d_worst, fabs(d / reference(&table, "paired.D") - 1));
    ck_assert_int_eq(calci_roc_test_bootstrap_unpaired(
                         data->scores[0], data->labels, data->n, CALCI_DIRECTION_AUTO,
                         data->scores[1], data->labels, data->n, CALCI_DIRECTION_AUTO, B, 9, &d,
                         NULL, NULL),
                     CALCI_OK);
    ASSERT_REL(d, reference(&table, "unpaired.D"),
               tolerance * fabs(reference(&table, "unpaired.D")));
    track(&d_worst, fabs(d / reference(&table, "unpaired.D") - 1));
    printf("INFO pROC bootstrap %s (B = %d): CI bounds within %.2f of their tolerance, "
           "max rel dD %.1e (tolerance %.1e)\n",
           name, B, ci_worst, d_worst, tolerance);
}

/* aSAH m0 = s100b, m1 = ndka. */
START_TEST(test_proc_bootstrap_asah)
{
    static marker_data data, pair;
    char path[512];

    if (!test_refdata_path(path, sizeof path, "pROC_aSAH/aSAH.csv", "pROC aSAH"))
        return;
    read_asah(path, &data);
    pair.n = data.n;
    memcpy(pair.labels, data.labels, sizeof pair.labels);
    memcpy(pair.scores[0], data.scores[1], sizeof pair.scores[0]);
    memcpy(pair.scores[1], data.scores[2], sizeof pair.scores[1]);
    compare_bootstrap("aSAH", &pair);
}
END_TEST

START_TEST(test_proc_bootstrap_random_ties)
{
    static marker_data data;

    rng_state = 4242;
    make_tied_data(&data, 200);
    compare_bootstrap("random ties n=200", &data);
}
END_TEST

static Suite *roc_extra_suite(void)
{
    Suite *suite = suite_create("roc_extra");
    TCase *hand = tcase_create("hand");
    TCase *slow = tcase_create("slow twin");
    TCase *r = tcase_create("R");

    tcase_add_test(hand, test_clopper_pearson_edges);
    tcase_add_test(hand, test_wilson_by_hand);
    tcase_add_test(hand, test_proportion_errors);
    tcase_add_test(hand, test_partial_by_hand);
    tcase_add_test(hand, test_partial_errors);
    tcase_add_test(hand, test_youden_by_hand);
    tcase_add_test(hand, test_unpaired_by_hand);
    suite_add_tcase(suite, hand);

    tcase_set_timeout(slow, 120);
    tcase_add_test(slow, test_bootstrap_ci_matches_slow);
    tcase_add_test(slow, test_bootstrap_tests_match_slow);
    tcase_add_test(slow, test_bootstrap_errors);
    suite_add_tcase(suite, slow);

    tcase_set_timeout(r, 300);
    tcase_add_test(r, test_proportions_match_r);
    tcase_add_test(r, test_rates_ci_match_r);
    tcase_add_test(r, test_proc_asah);
    tcase_add_test(r, test_proc_random_ties);
    tcase_add_test(r, test_proc_bootstrap_asah);
    tcase_add_test(r, test_proc_bootstrap_random_ties);
    suite_add_tcase(suite, r);
    return suite;
}

int main(void)
{
    SRunner *runner = srunner_create(roc_extra_suite());
    int failed;

    srunner_set_fork_status(runner, CK_FORK);
    srunner_run_all(runner, CK_NORMAL);
    failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? 0 : 1;
}
