/*
 * test_cohort.c - tests of a patient-characteristics table: chi-square,
 * Fisher's exact test (2x2 and r x c), Mann-Whitney U and Welch's t test.
 *
 * References: base R (stats: chisq.test, fisher.test, wilcox.test, t.test)
 * run at test time through Rscript on the tables and samples below, skipped
 * when Rscript is missing; hand computations written out in comments.
 * Tolerances: p-values 1e-10 relative, statistics and df 1e-12 relative,
 * unless an assertion states otherwise.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "calci.h"
#include "cohort_tests.h"
#include "testutil.h"

#define P_TOL 1e-10
#define STAT_TOL 1e-12

/* Largest relative deviation from R seen by the running test, printed at its end. */
static double max_deviation;

static void note_deviation(double actual, double expected)
{
    if (actual != expected)
        max_deviation = fmax(max_deviation, fabs(actual - expected) / fabs(expected));
}

#define ASSERT_REL(actual, expected, tol)                                                     \
    note_deviation((actual), (expected));                                                     \
    ck_assert_msg(fabs((actual) - (expected)) <= (tol) * fabs(expected) ||                    \
                      (actual) == (expected),                                                 \
                  "%s = %.17g, expected %.17g (rel tol %g)", #actual, (double)(actual),       \
                  (double)(expected), (double)(tol))

/* ------------------------------------------------------------------ */
/* Cases shared with R                                                  */

typedef struct count_table {
    const char *name;
    size_t rows, cols;
    size_t counts[16]; /* row-major */
} count_table;

static const count_table tables[] = {
    {"tea", 2, 2, {3, 1, 1, 3}},                         /* tea tasting */
    {"zero_cell", 2, 2, {10, 0, 4, 6}},                  /* a zero cell */
    {"large_2x2", 2, 2, {45, 15, 20, 40}},               /* Yates min is 0.5 */
    {"small_yates", 2, 2, {5, 5, 5, 6}},                 /* |O - E| below 0.5 */
    {"two_by_three", 2, 3, {12, 5, 3, 6, 9, 10}},        /* 2x3 */
    {"three_by_three", 3, 3, {8, 3, 2, 4, 7, 5, 1, 4, 9}}, /* 3x3 */
    {"three_by_two_zero", 3, 2, {5, 0, 3, 4, 0, 6}},     /* zeros, 3x2 */
    {"three_by_four", 3, 4, {4, 2, 1, 3, 2, 5, 3, 1, 1, 2, 6, 4}},
};
#define N_TABLES (sizeof tables / sizeof tables[0])

typedef struct sample_pair {
    const char *name;
    size_t nx, ny;
    double x[64], y[64];
} sample_pair;

static sample_pair samples[5] = {
    /* wilcox.test's help-page data: ties in y, so the normal approximation. */
    {"help_page", 9, 9,
     {1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30},
     {0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29}},
    /* No ties, unequal sizes: exact. */
    {"no_ties", 7, 12,
     {12.1, 15.3, 9.8, 20.4, 17.7, 11.2, 14.9},
     {8.3, 10.1, 7.7, 13.5, 9.1, 6.4, 11.9, 5.2, 10.8, 12.6, 7.0, 9.5}},
    /* Many ties, unequal sizes, a NaN (R: NA) that both tests skip. */
    {"ties_nan", 9, 11,
     {1, 2, 2, 3, NAN, 3, 3, 4, 5},
     {2, 3, 4, 4, 5, 5, 6, 6, 7, 8, 8}},
    /* Both n >= 50 without ties: normal approximation; filled by fill_large. */
    {"large", 60, 55, {0}, {0}},
    /* x entirely above y: exact, the most extreme W. */
    {"separated", 4, 5, {10, 11, 12, 13}, {1, 2, 3, 4, 5}},
};
#define N_SAMPLES (sizeof samples / sizeof samples[0])

/* Distinct values that print exactly: x_i = (37 i mod 113) + 0.5,
 * y_j = (53 j mod 127) + 0.25, so no value of x equals one of y. */
static void fill_large(void)
{
    sample_pair *s = &samples[3];

    for (size_t i = 0; i < s->nx; i++)
        s->x[i] = (double)((37 * (i + 1)) % 113) + 0.5;
    for (size_t j = 0; j < s->ny; j++)
        s->y[j] = (double)((53 * (j + 1)) % 127) + 0.25;
}

static const char *const alternative_names[] = {"two.sided", "less", "greater"};

/* ------------------------------------------------------------------ */
/* Running R                                                            */

typedef struct reference_table {
    size_t count;
    char keys[512][64];
    double values[512];
} reference_table;

static double reference(const reference_table *table, const char *key)
{
    for (size_t i = 0; i < table->count; i++)
        if (strcmp(table->keys[i], key) == 0)
            return table->values[i];
    ck_abort_msg("R output has no value for %s", key);
    return NAN;
}

/* Writes "c(v1, v2, ...)" with NaN as NA and 17 significant digits. */
static void write_r_vector(FILE *file, const double *values, size_t n)
{
    fputs("c(", file);
    for (size_t i = 0; i < n; i++) {
        if (i)
            fputs(", ", file);
        if (isnan(values[i]))
            fputs("NA", file);
        else
            fprintf(file, "%.17g", values[i]);
    }
    fputs(")", file);
}

/* Writes the R script for every table and sample. Output lines are
 * "key value" with 17 significant digits. */
static void write_script(const char *path)
{
    FILE *file = fopen(path, "w");

    ck_assert_msg(file != NULL, "cannot create %s", path);
    fputs("out <- function(key, value) cat(key, sprintf('%.17g', unname(value)), '\\n')\n",
          file);
    for (size_t k = 0; k < N_TABLES; k++) {
        const count_table *t = &tables[k];
        fprintf(file, "x <- matrix(c(");
        for (size_t i = 0; i < t->rows * t->cols; i++)
            fprintf(file, "%s%zu", i ? ", " : "", t->counts[i]);
        fprintf(file, "), nrow = %zu, byrow = TRUE)\n", t->rows);
        fprintf(file,
                "r <- suppressWarnings(chisq.test(x))\n"
                "out('chisq_%s_stat', r$statistic); out('chisq_%s_df', r$parameter); "
                "out('chisq_%s_p', r$p.value)\n"
                "r <- suppressWarnings(chisq.test(x, correct = FALSE))\n"
                "out('chisq_plain_%s_stat', r$statistic); out('chisq_plain_%s_p', r$p.value)\n"
                "out('fisher_%s_p', fisher.test(x)$p.value)\n",
                t->name, t->name, t->name, t->name, t->name, t->name);
        if (t->rows == 2 && t->cols == 2)
            fprintf(file,
                    "out('fisher_%s_less', fisher.test(x, alternative = 'less')$p.value)\n"
                    "out('fisher_%s_greater', fisher.test(x, alternative = 'greater')$p.value)\n"
                    "out('fisher_%s_or', fisher.test(x)$estimate)\n",
                    t->name, t->name, t->name);
    }
    for (size_t k = 0; k < N_SAMPLES; k++) {
        const sample_pair *s = &samples[k];
        fputs("x <- ", file);
        write_r_vector(file, s->x, s->nx);
        fputs("\ny <- ", file);
        write_r_vector(file, s->y, s->ny);
        fputs("\n", file);
        for (int a = 0; a < 3; a++)
            fprintf(file,
                    "r <- suppressWarnings(wilcox.test(x, y, alternative = '%s'))\n"
                    "out('wilcox_%s_%d_w', r$statistic); out('wilcox_%s_%d_p', r$p.value)\n"
                    "r <- t.test(x, y, alternative = '%s')\n"
                    "out('t_%s_%d_t', r$statistic); out('t_%s_%d_df', r$parameter); "
                    "out('t_%s_%d_p', r$p.value)\n",
                    alternative_names[a], s->name, a, s->name, a, alternative_names[a], s->name,
                    a, s->name, a, s->name, a);
        fprintf(file,
                "r <- suppressWarnings(wilcox.test(x, y, correct = FALSE))\n"
                "out('wilcox_plain_%s_p', r$p.value)\n",
                s->name);
    }
    fclose(file);
}

/* Runs the script through Rscript and reads its output into table. Returns
 * 0 after printing a SKIP line when Rscript is missing. */
static int run_r(const char *what, reference_table *table)
{
    char dir[256], script[300], output[300], command[800], line[256], key[64], text[64];
    FILE *file;

    if (system("command -v Rscript > /dev/null 2>&1") != 0) {
        printf("SKIP %s: Rscript not installed (Debian package r-base-core)\n", what);
        return 0;
    }
    fill_large();
    snprintf(dir, sizeof dir, "%s", test_temp_dir());
    snprintf(script, sizeof script, "%s/ref.R", dir);
    snprintf(output, sizeof output, "%s/ref.out", dir);
    write_script(script);
    snprintf(command, sizeof command, "Rscript --vanilla '%s' > '%s' 2>&1", script, output);
    ck_assert_msg(system(command) == 0, "Rscript failed: %s", command);

    file = fopen(output, "r");
    ck_assert_msg(file != NULL, "cannot open %s", output);
    table->count = 0;
    while (fgets(line, sizeof line, file) && table->count < 512)
        if (sscanf(line, "%63s %63s", key, text) == 2) {
            strcpy(table->keys[table->count], key);
            table->values[table->count++] = strtod(text, NULL);
        }
    fclose(file);
    remove(script);
    remove(output);
    rmdir(dir);
    return 1;
}

static void key_of(char *key, size_t size, const char *prefix, const char *name,
                   const char *suffix)
{
    snprintf(key, size, "%s_%s_%s", prefix, name, suffix);
}

/* ------------------------------------------------------------------ */
/* Hand computations                                                    */

/*
 * Tea tasting, [3 1; 1 3], all margins 4, n = 8. The tables with these
 * margins have a = 0..4 with P(a) = C(4, a) C(4, 4 - a) / C(8, 4)
 * = {1, 16, 36, 16, 1} / 70. Two-sided: P(a) <= P(3) for a = 0, 1, 3, 4,
 * so p = 34 / 70 = 0.4857142857; greater: a >= 3, p = 17 / 70 = 0.2428571;
 * less: a <= 3, p = 69 / 70. The conditional MLE t of the odds ratio
 * solves E[a](t) = 3 with weights {1, 16 t, 36 t^2, 16 t^3, t^4}:
 * 16 t + 72 t^2 + 48 t^3 + 4 t^4 = 3 (1 + 16 t + 36 t^2 + 16 t^3 + t^4),
 * that is t^4 - 36 t^2 - 32 t - 3 = 0, whose positive root is found below
 * by Newton's method; [1 3; 3 1] has the reciprocal estimate.
 */
START_TEST(test_fisher_tea_by_hand)
{
    double p, odds, odds_mirror;

    ck_assert_int_eq(calci_fisher_test_2x2(3, 1, 1, 3, CALCI_TWO_SIDED, &p, &odds, NULL),
                     CALCI_OK);
    ASSERT_REL(p, 34.0 / 70.0, 1e-14);
    ck_assert_int_eq(calci_fisher_test_2x2(3, 1, 1, 3, CALCI_GREATER, &p, NULL, NULL), CALCI_OK);
    ASSERT_REL(p, 17.0 / 70.0, 1e-14);
    ck_assert_int_eq(calci_fisher_test_2x2(3, 1, 1, 3, CALCI_LESS, &p, NULL, NULL), CALCI_OK);
    ASSERT_REL(p, 69.0 / 70.0, 1e-14);
    ck_assert_int_eq(calci_fisher_test_2x2(1, 3, 3, 1, CALCI_TWO_SIDED, &p, &odds_mirror, NULL),
                     CALCI_OK);
    double root = 6.0;
    for (int i = 0; i < 50; i++)
        root -= (pow(root, 4) - 36 * root * root - 32 * root - 3) /
                (4 * pow(root, 3) - 72 * root - 32);
    ASSERT_REL(odds, root, 1e-12);
    ASSERT_REL(odds * odds_mirror, 1.0, 1e-12);
}
END_TEST

/*
 * Tea tasting chi-square: every expected count is 2 and |O - E| = 1.
 * Yates: Y = 0.5, X^2 = 4 (1 - 0.5)^2 / 2 = 0.5; plain: X^2 = 4 / 2 = 2;
 * df = 1. p = P(chi^2_1 > X^2) = erfc(sqrt(X^2 / 2)).
 */
START_TEST(test_chisq_tea_by_hand)
{
    const size_t counts[4] = {3, 1, 1, 3};
    double statistic, df, p;

    ck_assert_int_eq(calci_chisq_test(counts, 2, 2, 1, &statistic, &df, &p, NULL), CALCI_OK);
    ASSERT_REL(statistic, 0.5, 1e-15);
    ASSERT_REL(df, 1.0, 0.0);
    ASSERT_REL(p, erfc(sqrt(0.25)), 1e-13);
    ck_assert_int_eq(calci_chisq_test(counts, 2, 2, 0, &statistic, &df, &p, NULL), CALCI_OK);
    ASSERT_REL(statistic, 2.0, 1e-15);
    ASSERT_REL(p, erfc(1.0), 1e-13);
}
END_TEST

/*
 * Mann-Whitney, x = {3, 4}, y = {1, 2}: ranks of x are 3 and 4, so
 * W = 7 - 2 * 3 / 2 = 4 = nx ny. Under the null all C(4, 2) = 6 rank sets
 * of x are equally likely and W = 4 only for {3, 4}: greater p = 1/6,
 * two-sided p = 2/6, less p = 1.
 */
START_TEST(test_mann_whitney_by_hand)
{
    const double x[2] = {3, 4}, y[2] = {1, 2};
    double w, p;
    int exact;

    ck_assert_int_eq(
        calci_mann_whitney_test(x, 2, y, 2, CALCI_TWO_SIDED, 1, &w, &p, &exact, NULL), CALCI_OK);
    ASSERT_REL(w, 4.0, 0.0);
    ASSERT_REL(p, 1.0 / 3.0, 1e-15);
    ck_assert_int_eq(exact, 1);
    ck_assert_int_eq(calci_mann_whitney_test(x, 2, y, 2, CALCI_GREATER, 1, NULL, &p, NULL, NULL),
                     CALCI_OK);
    ASSERT_REL(p, 1.0 / 6.0, 1e-15);
    ck_assert_int_eq(calci_mann_whitney_test(x, 2, y, 2, CALCI_LESS, 1, NULL, &p, NULL, NULL),
                     CALCI_OK);
    ASSERT_REL(p, 1.0, 1e-15);
}
END_TEST

/*
 * Welch, x = {1, 2, 3}, y = {4, 6, 8}: means 2 and 6, variances 1 and 4,
 * v = 1/3 and 4/3, t = -4 / sqrt(5/3), df = (5/3)^2 / ((1/9) / 2 +
 * (16/9) / 2) = 50 / 17.
 */
START_TEST(test_welch_by_hand)
{
    const double x[3] = {1, 2, 3}, y[3] = {4, 6, 8};
    double t, df, p;

    ck_assert_int_eq(calci_welch_t_test(x, 3, y, 3, CALCI_TWO_SIDED, &t, &df, &p, NULL),
                     CALCI_OK);
    ASSERT_REL(t, -4.0 / sqrt(5.0 / 3.0), 1e-14);
    ASSERT_REL(df, 50.0 / 17.0, 1e-14);
    ck_assert(p > 0.0 && p < 0.1);
}
END_TEST

START_TEST(test_cohort_errors)
{
    const size_t counts[6] = {1, 2, 0, 0, 3, 4};
    const size_t empty[4] = {0, 0, 0, 0};
    const double one[1] = {1}, same[3] = {2, 2, 2};
    double p = 42, t = 42;
    calci_error *error = calci_error_create();

    ck_assert_int_eq(calci_chisq_test(counts, 1, 6, 1, NULL, NULL, &p, error),
                     CALCI_ERR_ARGUMENT);
    ck_assert_int_eq(calci_chisq_test(NULL, 2, 2, 1, NULL, NULL, &p, error), CALCI_ERR_ARGUMENT);
    /* Read as 3x2, the counts are {1 2; 0 0; 3 4}, whose row 2 sums to 0. */
    ck_assert_int_eq(calci_chisq_test(counts, 3, 2, 1, NULL, NULL, &p, error), CALCI_ERR_DATA);
    ck_assert_ptr_nonnull(strstr(calci_error_message(error), "row 2 sums to 0"));
    ck_assert_int_eq(calci_fisher_test(empty, 2, 2, &p, error), CALCI_ERR_DATA);
    ck_assert_int_eq(calci_fisher_test(counts, 3, 2, NULL, error), CALCI_ERR_ARGUMENT);
    ck_assert_int_eq(calci_fisher_test_2x2(1, 2, 3, 4, (calci_alternative)7, &p, NULL, error),
                     CALCI_ERR_ARGUMENT);
    ck_assert_int_eq(calci_mann_whitney_test(one, 1, NULL, 0, CALCI_TWO_SIDED, 1, NULL, &p,
                                             NULL, error),
                     CALCI_ERR_DATA);
    ck_assert_int_eq(calci_mann_whitney_test(same, 3, same, 3, CALCI_TWO_SIDED, 1, NULL, &p,
                                             NULL, error),
                     CALCI_ERR_DATA);
    ck_assert_int_eq(calci_welch_t_test(one, 1, same, 3, CALCI_TWO_SIDED, &t, NULL, &p, error),
                     CALCI_ERR_DATA);
    ck_assert_int_eq(calci_welch_t_test(same, 3, same, 3, CALCI_TWO_SIDED, &t, NULL, &p, error),
                     CALCI_ERR_DATA);
    ck_assert_ptr_nonnull(strstr(calci_error_message(error), "essentially constant"));
    /* Outputs stay untouched on failure. */
    ck_assert(p == 42 && t == 42);
    calci_error_free(error);
}
END_TEST

/* A 5 x 5 table with 250 counts has far more than 1000 tables with its
 * margins. The public limit, CALCI_FISHER_MAX_TABLES, takes seconds to reach
 * (minutes under valgrind), so the test lowers it. The 3 x 4 table of the R
 * cases finishes within 10^6 tables. */
START_TEST(test_fisher_table_limit)
{
    size_t counts[25];
    double p = 42;
    calci_error *error = calci_error_create();

    for (size_t k = 0; k < 25; k++)
        counts[k] = 10;
    ck_assert_int_eq(ci_fisher_test_limited(counts, 5, 5, 1000, &p, error), CALCI_ERR_DATA);
    ck_assert_ptr_nonnull(strstr(calci_error_message(error), "more than 1000 tables"));
    ck_assert(p == 42);
    ck_assert_int_eq(ci_fisher_test_limited(tables[7].counts, 3, 4, 1000000, &p, error),
                     CALCI_OK);
    ck_assert(p > 0.0 && p <= 1.0);
    calci_error_free(error);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Against R                                                            */

START_TEST(test_tables_match_r)
{
    static reference_table ref;
    char key[128];

    if (!run_r("cohort tables against R", &ref))
        return;
    for (size_t k = 0; k < N_TABLES; k++) {
        const count_table *t = &tables[k];
        double statistic, df, p;

        ck_assert_int_eq(calci_chisq_test(t->counts, t->rows, t->cols, 1, &statistic, &df, &p,
                                          NULL),
                         CALCI_OK);
        key_of(key, sizeof key, "chisq", t->name, "stat");
        ASSERT_REL(statistic, reference(&ref, key), STAT_TOL);
        key_of(key, sizeof key, "chisq", t->name, "df");
        ASSERT_REL(df, reference(&ref, key), 0.0);
        key_of(key, sizeof key, "chisq", t->name, "p");
        ASSERT_REL(p, reference(&ref, key), P_TOL);

        ck_assert_int_eq(calci_chisq_test(t->counts, t->rows, t->cols, 0, &statistic, NULL, &p,
                                          NULL),
                         CALCI_OK);
        key_of(key, sizeof key, "chisq_plain", t->name, "stat");
        ASSERT_REL(statistic, reference(&ref, key), STAT_TOL);
        key_of(key, sizeof key, "chisq_plain", t->name, "p");
        ASSERT_REL(p, reference(&ref, key), P_TOL);

        ck_assert_int_eq(calci_fisher_test(t->counts, t->rows, t->cols, &p, NULL), CALCI_OK);
        key_of(key, sizeof key, "fisher", t->name, "p");
        ASSERT_REL(p, reference(&ref, key), P_TOL);
    }
    printf("test_tables_match_r: max relative deviation from R %.3g\n", max_deviation);
}
END_TEST

START_TEST(test_fisher_2x2_match_r)
{
    static reference_table ref;
    char key[128];

    if (!run_r("Fisher 2x2 against R", &ref))
        return;
    for (size_t k = 0; k < N_TABLES; k++) {
        const count_table *t = &tables[k];
        const size_t *c = t->counts;
        double p, odds;

        if (t->rows != 2 || t->cols != 2)
            continue;
        ck_assert_int_eq(calci_fisher_test_2x2(c[0], c[1], c[2], c[3], CALCI_TWO_SIDED, &p,
                                               &odds, NULL),
                         CALCI_OK);
        key_of(key, sizeof key, "fisher", t->name, "p");
        ASSERT_REL(p, reference(&ref, key), P_TOL);
        /* R's estimate comes from uniroot with tolerance about 1.2e-4 on
         * the odds ratio scale (on [0, 1] or on its reciprocal). */
        key_of(key, sizeof key, "fisher", t->name, "or");
        ck_assert_msg(odds == reference(&ref, key) ||
                          fabs(odds - reference(&ref, key)) <= 1e-3 * reference(&ref, key),
                      "%s: odds ratio %.17g, R %.17g (rel tol 1e-3)", t->name, odds,
                      reference(&ref, key));
        ck_assert_int_eq(
            calci_fisher_test_2x2(c[0], c[1], c[2], c[3], CALCI_LESS, &p, NULL, NULL), CALCI_OK);
        key_of(key, sizeof key, "fisher", t->name, "less");
        ASSERT_REL(p, reference(&ref, key), P_TOL);
        ck_assert_int_eq(
            calci_fisher_test_2x2(c[0], c[1], c[2], c[3], CALCI_GREATER, &p, NULL, NULL),
            CALCI_OK);
        key_of(key, sizeof key, "fisher", t->name, "greater");
        ASSERT_REL(p, reference(&ref, key), P_TOL);
    }
    printf("test_fisher_2x2_match_r: max relative deviation from R %.3g\n", max_deviation);
}
END_TEST

START_TEST(test_samples_match_r)
{
    static reference_table ref;
    char key[128], suffix[16];

    if (!run_r("cohort samples against R", &ref))
        return;
    for (size_t k = 0; k < N_SAMPLES; k++) {
        const sample_pair *s = &samples[k];
        for (int a = 0; a < 3; a++) {
            double w, p, t, df;
            int exact;

            ck_assert_int_eq(calci_mann_whitney_test(s->x, s->nx, s->y, s->ny,
                                                     (calci_alternative)a, 1, &w, &p, &exact,
                                                     NULL),
                             CALCI_OK);
            snprintf(suffix, sizeof suffix, "%d_w", a);
            key_of(key, sizeof key, "wilcox", s->name, suffix);
            ASSERT_REL(w, reference(&ref, key), STAT_TOL);
            snprintf(suffix, sizeof suffix, "%d_p", a);
            key_of(key, sizeof key, "wilcox", s->name, suffix);
            ASSERT_REL(p, reference(&ref, key), P_TOL);

            ck_assert_int_eq(calci_welch_t_test(s->x, s->nx, s->y, s->ny, (calci_alternative)a,
                                                &t, &df, &p, NULL),
                             CALCI_OK);
            snprintf(suffix, sizeof suffix, "%d_t", a);
            key_of(key, sizeof key, "t", s->name, suffix);
            ASSERT_REL(t, reference(&ref, key), STAT_TOL);
            snprintf(suffix, sizeof suffix, "%d_df", a);
            key_of(key, sizeof key, "t", s->name, suffix);
            ASSERT_REL(df, reference(&ref, key), STAT_TOL);
            snprintf(suffix, sizeof suffix, "%d_p", a);
            key_of(key, sizeof key, "t", s->name, suffix);
            ASSERT_REL(p, reference(&ref, key), P_TOL);
        }
        {
            double p;
            ck_assert_int_eq(calci_mann_whitney_test(s->x, s->nx, s->y, s->ny, CALCI_TWO_SIDED,
                                                     0, NULL, &p, NULL, NULL),
                             CALCI_OK);
            key_of(key, sizeof key, "wilcox_plain", s->name, "p");
            ASSERT_REL(p, reference(&ref, key), P_TOL);
        }
    }
    printf("test_samples_match_r: max relative deviation from R %.3g\n", max_deviation);
}
END_TEST

/* Which samples take the exact p: R's rule, both n < 50 and no ties. */
START_TEST(test_mann_whitney_exact_rule)
{
    const int expected[N_SAMPLES] = {0, 1, 0, 0, 1};
    int exact;

    fill_large();
    for (size_t k = 0; k < N_SAMPLES; k++) {
        const sample_pair *s = &samples[k];
        ck_assert_int_eq(calci_mann_whitney_test(s->x, s->nx, s->y, s->ny, CALCI_TWO_SIDED, 1,
                                                 NULL, NULL, &exact, NULL),
                         CALCI_OK);
        ck_assert_msg(exact == expected[k], "%s: exact = %d, expected %d", s->name, exact,
                      expected[k]);
    }
}
END_TEST

static Suite *cohort_suite(void)
{
    Suite *suite = suite_create("cohort");
    TCase *hand = tcase_create("hand");
    TCase *r = tcase_create("R");

    tcase_add_test(hand, test_fisher_tea_by_hand);
    tcase_add_test(hand, test_chisq_tea_by_hand);
    tcase_add_test(hand, test_mann_whitney_by_hand);
    tcase_add_test(hand, test_welch_by_hand);
    tcase_add_test(hand, test_cohort_errors);
    tcase_add_test(hand, test_mann_whitney_exact_rule);
    tcase_set_timeout(hand, 120);
    tcase_add_test(hand, test_fisher_table_limit);
    suite_add_tcase(suite, hand);

    tcase_set_timeout(r, 120);
    tcase_add_test(r, test_tables_match_r);
    tcase_add_test(r, test_fisher_2x2_match_r);
    tcase_add_test(r, test_samples_match_r);
    suite_add_tcase(suite, r);
    return suite;
}

int main(void)
{
    SRunner *runner = srunner_create(cohort_suite());
    int failed;

    srunner_set_fork_status(runner, CK_FORK);
    srunner_run_all(runner, CK_NORMAL);
    failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? 0 : 1;
}
