/*
 * test_roc.c - ROC curve, AUC, DeLong variance, CI and paired test, operating
 * points and 2x2 rates.
 *
 * References: hand computations written out below, and R's pROC run at test
 * time through Rscript on pROC's aSAH data and on random data with many ties
 * (skipped when Rscript or pROC is missing). The counts and rates come from
 * Yu et al., Quant Imaging Med Surg 2021;11:4617-4626: a test set of 18
 * positive and 20 negative lesions and a comparator subset of 14 and 11.
 */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "calci.h"
#include "testutil.h"

#define ASSERT_CLOSE(actual, expected, tol)                                                   \
    ck_assert_msg(fabs((actual) - (expected)) <= (tol), "%s = %.17g, expected %.17g (tol %g)", \
                  #actual, (double)(actual), (double)(expected), (double)(tol))

/* Relative tolerance, with an absolute floor of tol near zero. */
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
/* Hand-worked examples                                                 */

/*
 * Controls y = {0.2, 0.4, 0.6}, cases x = {0.4, 0.6, 0.8} (m = n = 3).
 * Pair scores psi(x, y) = 1 if x > y, 1/2 if x = y, 0 otherwise:
 *   x = 0.4: 1 + 1/2 + 0 = 3/2;  x = 0.6: 1 + 1 + 1/2 = 5/2;  x = 0.8: 3.
 *   AUC = (3/2 + 5/2 + 3) / 9 = 7/9.
 * Placements V10(x) = row sums / n = {1/2, 5/6, 1};
 *            V01(y) = column sums / m: y = 0.2: 3/3, y = 0.4: 5/2 / 3 = 5/6,
 *            y = 0.6: 3/2 / 3 = 1/2, so V01 = {1, 5/6, 1/2}.
 * Deviations from 7/9 are {-5/18, 1/18, 4/18} in both lists, squares sum to
 * 42/324, so S10 = S01 = 42/324 / 2 = 7/108 and
 * Var = S10/3 + S01/3 = 7/162.
 * Curve: distinct scores 0.2 0.4 0.6 0.8 give thresholds -Inf 0.3 0.5 0.7
 * +Inf; sensitivity (cases >= t) 1 1 2/3 1/3 0; specificity (controls < t)
 * 0 1/3 2/3 1 1.
 */
static const double tied_scores[6] = {0.2, 0.4, 0.6, 0.4, 0.6, 0.8};
static const int tied_labels[6] = {0, 0, 0, 1, 1, 1};

START_TEST(test_tied_three_by_three)
{
    calci_roc *roc = make_roc(tied_scores, tied_labels, 6, CALCI_DIRECTION_AUTO);
    const double thresholds[5] = {-INFINITY, 0.3, 0.5, 0.7, INFINITY};
    const double sens[5] = {1, 1, 2.0 / 3, 1.0 / 3, 0};
    const double spec[5] = {0, 1.0 / 3, 2.0 / 3, 1, 1};

    ck_assert_int_eq(calci_roc_direction(roc), CALCI_DIRECTION_HIGHER);
    ck_assert_uint_eq(calci_roc_positives(roc), 3);
    ck_assert_uint_eq(calci_roc_negatives(roc), 3);
    ASSERT_CLOSE(calci_roc_auc(roc), 7.0 / 9.0, 1e-15);
    ASSERT_CLOSE(calci_roc_delong_variance(roc), 7.0 / 162.0, 1e-15);

    ck_assert_uint_eq(calci_roc_points(roc), 5);
    for (size_t i = 0; i < 5; i++) {
        double t, se, sp;

        calci_roc_point(roc, i, &t, &se, &sp);
        ck_assert_msg(t == thresholds[i] || fabs(t - thresholds[i]) <= 1e-15,
                      "threshold %zu = %g, expected %g", i, t, thresholds[i]);
        ASSERT_CLOSE(se, sens[i], 1e-15);
        ASSERT_CLOSE(sp, spec[i], 1e-15);
    }
    calci_roc_free(roc);
}
END_TEST

/* CI by hand: 7/9 -/+ 1.959963984540054 * sqrt(7/162) (R: qnorm(0.975))
 * = 0.7778 -/+ 0.4074, so the upper bound is clipped to 1. */
START_TEST(test_tied_ci_clipped)
{
    calci_roc *roc = make_roc(tied_scores, tied_labels, 6, CALCI_DIRECTION_AUTO);
    double lower, upper, half = 1.959963984540054 * sqrt(7.0 / 162.0);

    calci_roc_ci_delong(roc, 0.95, &lower, &upper);
    ASSERT_CLOSE(lower, 7.0 / 9.0 - half, 1e-12);
    ASSERT_CLOSE(upper, 1.0, 0.0);

    calci_roc_ci_delong(roc, 1.5, &lower, &upper);
    ck_assert(isnan(lower) && isnan(upper));
    calci_roc_free(roc);
}
END_TEST

/*
 * Operating points on the example above: sensitivity >= 0.9 is met at -Inf
 * (spec 0) and 0.3 (spec 1/3), so 0.3; sensitivity >= 0.6 adds 0.5 (spec
 * 2/3). Specificity >= 0.9 is met at 0.7 (sens 1/3) and +Inf (sens 0), so 0.7.
 */
START_TEST(test_operating_points)
{
    calci_roc *roc = make_roc(tied_scores, tied_labels, 6, CALCI_DIRECTION_AUTO);

    ASSERT_CLOSE(calci_roc_threshold_for_sensitivity(roc, 0.9), 0.3, 1e-15);
    ASSERT_CLOSE(calci_roc_threshold_for_sensitivity(roc, 0.6), 0.5, 1e-15);
    ASSERT_CLOSE(calci_roc_threshold_for_sensitivity(roc, 0.0), 0.7, 1e-15);
    ASSERT_CLOSE(calci_roc_threshold_for_specificity(roc, 0.9), 0.7, 1e-15);
    ASSERT_CLOSE(calci_roc_threshold_for_specificity(roc, 0.5), 0.5, 1e-15);
    ASSERT_CLOSE(calci_roc_threshold_for_sensitivity(roc, 1.0), 0.3, 1e-15);
    ck_assert(isnan(calci_roc_threshold_for_sensitivity(roc, 1.1)));
    ck_assert(isnan(calci_roc_threshold_for_specificity(roc, NAN)));
    calci_roc_free(roc);
}
END_TEST

/*
 * Negated scores: controls {-0.2, -0.4, -0.6} now lie above cases
 * {-0.4, -0.6, -0.8}, medians -0.4 > -0.6, so AUTO picks LOWER and the AUC
 * and variance are those of the original example. As in pROC 1.18 the
 * thresholds descend: +Inf -0.3 -0.5 -0.7 -Inf; sensitivity (cases <= t)
 * 1 1 2/3 1/3 0, specificity (controls > t) 0 1/3 2/3 1 1.
 * Forcing HIGHER on the negated scores gives 1 - 7/9 = 2/9.
 */
START_TEST(test_direction_lower)
{
    double negated[6];
    calci_roc *roc, *forced;
    const double thresholds[5] = {INFINITY, -0.3, -0.5, -0.7, -INFINITY};
    const double sens[5] = {1, 1, 2.0 / 3, 1.0 / 3, 0};
    const double spec[5] = {0, 1.0 / 3, 2.0 / 3, 1, 1};

    for (int i = 0; i < 6; i++)
        negated[i] = -tied_scores[i];
    roc = make_roc(negated, tied_labels, 6, CALCI_DIRECTION_AUTO);
    ck_assert_int_eq(calci_roc_direction(roc), CALCI_DIRECTION_LOWER);
    ASSERT_CLOSE(calci_roc_auc(roc), 7.0 / 9.0, 1e-15);
    ASSERT_CLOSE(calci_roc_delong_variance(roc), 7.0 / 162.0, 1e-15);
    for (size_t i = 0; i < 5; i++) {
        double t, se, sp;

        calci_roc_point(roc, i, &t, &se, &sp);
        ck_assert_msg(t == thresholds[i] || fabs(t - thresholds[i]) <= 1e-15,
                      "threshold %zu = %g, expected %g", i, t, thresholds[i]);
        ASSERT_CLOSE(se, sens[i], 1e-15);
        ASSERT_CLOSE(sp, spec[i], 1e-15);
    }
    /* Specificity >= 0.9 (controls > t) is met at -Inf (sens 0) and -0.7
     * (sens 1/3); sensitivity >= 0.9 at -0.3 (spec 1/3) and +Inf (spec 0). */
    ASSERT_CLOSE(calci_roc_threshold_for_specificity(roc, 0.9), -0.7, 1e-15);
    ASSERT_CLOSE(calci_roc_threshold_for_sensitivity(roc, 0.9), -0.3, 1e-15);

    forced = make_roc(negated, tied_labels, 6, CALCI_DIRECTION_HIGHER);
    ASSERT_CLOSE(calci_roc_auc(forced), 2.0 / 9.0, 1e-15);
    calci_roc_free(forced);
    calci_roc_free(roc);
}
END_TEST

/* Perfect separation: every case outranks every control, all placements
 * are 1, AUC 1, variance 0, CI [1, 1]. */
START_TEST(test_perfect_separation)
{
    const double scores[6] = {1, 2, 3, 4, 5, 6};
    const int labels[6] = {0, 0, 0, 1, 1, 1};
    calci_roc *roc = make_roc(scores, labels, 6, CALCI_DIRECTION_AUTO);
    double lower, upper;

    ASSERT_CLOSE(calci_roc_auc(roc), 1.0, 0.0);
    ASSERT_CLOSE(calci_roc_delong_variance(roc), 0.0, 0.0);
    calci_roc_ci_delong(roc, 0.95, &lower, &upper);
    ASSERT_CLOSE(lower, 1.0, 0.0);
    ASSERT_CLOSE(upper, 1.0, 0.0);
    /* Threshold 3.5 keeps sensitivity 1 with specificity 1. */
    ASSERT_CLOSE(calci_roc_threshold_for_sensitivity(roc, 0.9), 3.5, 0.0);
    calci_roc_free(roc);
}
END_TEST

/* All scores tied: each pair counts 1/2, AUC 1/2, all placements 1/2,
 * variance 0; the curve has only the -Inf and +Inf points. */
START_TEST(test_all_ties)
{
    const double scores[6] = {0.5, 0.5, 0.5, 0.5, 0.5, 0.5};
    const int labels[6] = {1, 0, 1, 0, 1, 0};
    calci_roc *roc = make_roc(scores, labels, 6, CALCI_DIRECTION_AUTO);

    ck_assert_int_eq(calci_roc_direction(roc), CALCI_DIRECTION_HIGHER);
    ASSERT_CLOSE(calci_roc_auc(roc), 0.5, 0.0);
    ASSERT_CLOSE(calci_roc_delong_variance(roc), 0.0, 0.0);
    ck_assert_uint_eq(calci_roc_points(roc), 2);
    calci_roc_free(roc);
}
END_TEST

/* Entries with label -1 or a NaN score are skipped: the result equals the
 * 3 x 3 example. */
START_TEST(test_skips_unknown_and_nan)
{
    const double scores[8] = {0.2, 0.4, 9.0, 0.6, 0.4, NAN, 0.6, 0.8};
    const int labels[8] = {0, 0, -1, 0, 1, 1, 1, 1};
    calci_roc *roc = make_roc(scores, labels, 8, CALCI_DIRECTION_AUTO);

    ck_assert_uint_eq(calci_roc_positives(roc), 3);
    ck_assert_uint_eq(calci_roc_negatives(roc), 3);
    ASSERT_CLOSE(calci_roc_auc(roc), 7.0 / 9.0, 1e-15);
    ASSERT_CLOSE(calci_roc_delong_variance(roc), 7.0 / 162.0, 1e-15);
    calci_roc_free(roc);
}
END_TEST

START_TEST(test_create_errors)
{
    const double scores[4] = {1, 2, 3, 4};
    const int one_class[4] = {1, 1, -1, 1};
    const int bad_label[4] = {1, 0, 2, 0};
    calci_roc *roc = NULL;
    calci_error *error = calci_error_create();

    ck_assert_int_eq(calci_roc_create(scores, one_class, 4, CALCI_DIRECTION_AUTO, &roc, error),
                     CALCI_ERR_DATA);
    ck_assert_ptr_null(roc);
    ck_assert_ptr_nonnull(strstr(calci_error_message(error), "0 negative"));
    ck_assert_int_eq(calci_roc_create(scores, bad_label, 4, CALCI_DIRECTION_AUTO, &roc, error),
                     CALCI_ERR_ARGUMENT);
    ck_assert_int_eq(calci_roc_create(scores, bad_label, 4, (calci_direction)7, &roc, error),
                     CALCI_ERR_ARGUMENT);
    ck_assert_int_eq(calci_roc_create(NULL, bad_label, 4, CALCI_DIRECTION_AUTO, &roc, error),
                     CALCI_ERR_ARGUMENT);
    ck_assert_ptr_null(roc);
    calci_error_free(error);
}
END_TEST

/* One case: the sample variance of one placement is undefined, so the
 * variance and CI are NaN (pROC returns NA). */
START_TEST(test_single_case_variance)
{
    const double scores[4] = {1, 2, 3, 4};
    const int labels[4] = {0, 0, 0, 1};
    calci_roc *roc = make_roc(scores, labels, 4, CALCI_DIRECTION_AUTO);
    double lower, upper;

    ASSERT_CLOSE(calci_roc_auc(roc), 1.0, 0.0);
    ck_assert(isnan(calci_roc_delong_variance(roc)));
    calci_roc_ci_delong(roc, 0.95, &lower, &upper);
    ck_assert(isnan(lower) && isnan(upper));
    calci_roc_free(roc);
}
END_TEST

/*
 * Paired test by hand. Curve a: the 3 x 3 example. Curve b: same labels,
 * scores {0.1, 0.2, 0.3, 0.4, 0.5, 0.6} (perfect, AUC 1, all placements 1,
 * so every covariance term with b is 0 and Var_b = 0).
 *   d = 7/9 - 1 = -2/9, sd = sqrt(7/162), z = -(2/9) / sqrt(7/162)
 *   = -sqrt(8/7) = -1.0690449676496976, p = 2 Q(sqrt(8/7))
 *   (R 4.2: 2 * pnorm(-sqrt(8/7)) = 0.28504940740261264).
 */
START_TEST(test_paired_by_hand)
{
    const double perfect[6] = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6};
    calci_roc *a = make_roc(tied_scores, tied_labels, 6, CALCI_DIRECTION_AUTO);
    calci_roc *b = make_roc(perfect, tied_labels, 6, CALCI_DIRECTION_AUTO);
    double z, p, lower, upper, sd = sqrt(7.0 / 162.0);

    ck_assert_int_eq(calci_roc_test_delong(a, b, 0.95, &z, &p, &lower, &upper, NULL), CALCI_OK);
    ASSERT_CLOSE(z, -sqrt(8.0 / 7.0), 1e-14);
    ASSERT_CLOSE(p, 0.28504940740261264, 1e-14);
    ASSERT_CLOSE(lower, -2.0 / 9.0 - 1.959963984540054 * sd, 1e-12);
    ASSERT_CLOSE(upper, -2.0 / 9.0 + 1.959963984540054 * sd, 1e-12);

    /* Identical curves: d = 0 and sd = 0, pROC reports z = 0 and p = 1. */
    ck_assert_int_eq(calci_roc_test_delong(a, a, 0.95, &z, &p, NULL, NULL, NULL), CALCI_OK);
    ASSERT_CLOSE(z, 0.0, 0.0);
    ASSERT_CLOSE(p, 1.0, 0.0);
    calci_roc_free(a);
    calci_roc_free(b);
}
END_TEST

START_TEST(test_paired_rejects_other_cases)
{
    const double scores[6] = {0.1, 0.2, NAN, 0.4, 0.5, 0.6};
    calci_roc *a = make_roc(tied_scores, tied_labels, 6, CALCI_DIRECTION_AUTO);
    calci_roc *b = make_roc(scores, tied_labels, 6, CALCI_DIRECTION_AUTO);
    calci_error *error = calci_error_create();
    double z = 42.0;

    ck_assert_int_eq(calci_roc_test_delong(a, b, 0.95, &z, NULL, NULL, NULL, error),
                     CALCI_ERR_ARGUMENT);
    ASSERT_CLOSE(z, 42.0, 0.0);
    ck_assert_int_eq(calci_roc_test_delong(a, a, 0.0, &z, NULL, NULL, NULL, error),
                     CALCI_ERR_ARGUMENT);
    calci_error_free(error);
    calci_roc_free(a);
    calci_roc_free(b);
}
END_TEST

/* DeLong's psi(x, y) for a case score x and a control score y. */
static double pair_score(double x, double y)
{
    if (x > y)
        return 1.0;
    if (x == y)
        return 0.5;
    return 0.0;
}

/*
 * Slow twin: AUC and DeLong variance from the O(m n) pair scores psi
 * (DeLong 1988, eq. for V10 and V01) on random data with many ties; the
 * fast sort-based code must agree to 1e-12.
 */
START_TEST(test_matches_pairwise_definition)
{
    enum { N = 400 };
    double scores[N], v10[N], v01[N];
    int labels[N];
    size_t m = 0, n = 0;
    double auc = 0, s10 = 0, s01 = 0;

    for (int i = 0; i < N; i++) {
        labels[i] = uniform() < 0.4;
        scores[i] = floor(uniform() * 6 + labels[i] * 1.5);
    }
    for (int i = 0; i < N; i++) {
        if (labels[i] != 1)
            continue;
        double row = 0;
        for (int j = 0; j < N; j++)
            if (labels[j] == 0)
                row += pair_score(scores[i], scores[j]);
        v10[m++] = row;
    }
    for (int j = 0; j < N; j++) {
        if (labels[j] != 0)
            continue;
        double column = 0;
        for (int i = 0; i < N; i++)
            if (labels[i] == 1)
                column += pair_score(scores[i], scores[j]);
        v01[n++] = column;
    }
    for (size_t i = 0; i < m; i++) {
        v10[i] /= (double)n;
        auc += v10[i] / (double)m;
    }
    for (size_t j = 0; j < n; j++)
        v01[j] /= (double)m;
    for (size_t i = 0; i < m; i++)
        s10 += (v10[i] - auc) * (v10[i] - auc) / (double)(m - 1);
    for (size_t j = 0; j < n; j++)
        s01 += (v01[j] - auc) * (v01[j] - auc) / (double)(n - 1);

    calci_roc *roc = make_roc(scores, labels, N, CALCI_DIRECTION_HIGHER);
    ASSERT_CLOSE(calci_roc_auc(roc), auc, 1e-12);
    ASSERT_CLOSE(calci_roc_delong_variance(roc), s10 / (double)m + s01 / (double)n, 1e-12);
    calci_roc_free(roc);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Published counts (Yu et al. 2021)                                    */

/* Whether value rounds to the published two-decimal figure. The 1e-12
 * slack admits exact halves such as 14/16 = 0.875 -> 0.88. */
static int rounds_to(double value, double published)
{
    return fabs(value - published) <= 0.005 + 1e-12;
}

/* Scores realising a 2x2 table: called-positive reads are 1, others 0. */
static size_t build_reads(size_t tp, size_t fp, size_t tn, size_t fn, double *scores, int *labels)
{
    size_t k = 0;

    for (size_t i = 0; i < tp; i++, k++)
        scores[k] = 1, labels[k] = 1;
    for (size_t i = 0; i < fn; i++, k++)
        scores[k] = 0, labels[k] = 1;
    for (size_t i = 0; i < tn; i++, k++)
        scores[k] = 0, labels[k] = 0;
    for (size_t i = 0; i < fp; i++, k++)
        scores[k] = 1, labels[k] = 0;
    return k;
}

typedef struct published_row {
    const char *name;
    size_t tp, tn, fn, fp;
    double sens, spec, auc; /* auc < 0: not published for a binary read */
} published_row;

/*
 * Comparator subset (14 positive, 11 negative lesions). For a binary read
 * the AUC is (sens + spec) / 2: the exact rational
 * (2 TP TN + TP FP + FN TN) / (2 m n) equals (TP/m + TN/n) / 2, so the two
 * doubles agree to one rounding (1e-15).
 */
START_TEST(test_published_subset)
{
    const published_row rows[] = {
        {"LR high-sensitivity", 13, 9, 1, 2, 0.93, 0.82, -1},
        {"LR high-specificity", 12, 11, 2, 0, 0.86, 1.00, -1},
        {"SVM high-sensitivity", 13, 8, 1, 3, 0.93, 0.73, -1},
        {"SVM high-specificity", 12, 10, 2, 1, 0.86, 0.91, -1},
        {"plain radiograph", 10, 4, 4, 7, 0.71, 0.36, 0.54},
        {"bone scintigraphy", 7, 9, 7, 2, 0.50, 0.82, 0.66},
    };

    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
        const published_row *row = &rows[r];
        double scores[64], rates[4];
        int labels[64];
        size_t tp, fp, tn, fn;
        size_t n = build_reads(row->tp, row->fp, row->tn, row->fn, scores, labels);

        ck_assert_uint_eq(row->tp + row->fn, 14);
        ck_assert_uint_eq(row->tn + row->fp, 11);
        calci_confusion(scores, labels, n, 0.5, &tp, &fp, &tn, &fn);
        ck_assert_uint_eq(tp, row->tp);
        ck_assert_uint_eq(fp, row->fp);
        ck_assert_uint_eq(tn, row->tn);
        ck_assert_uint_eq(fn, row->fn);

        calci_diagnostic_rates(tp, fp, tn, fn, rates);
        ck_assert_msg(rounds_to(rates[0], row->sens), "%s sens %g", row->name, rates[0]);
        ck_assert_msg(rounds_to(rates[1], row->spec), "%s spec %g", row->name, rates[1]);

        calci_roc *roc = make_roc(scores, labels, n, CALCI_DIRECTION_HIGHER);
        double auc = calci_roc_auc(roc);
        double exact = (double)(2 * tp * tn + tp * fp + fn * tn) / (2.0 * 14 * 11);

        ck_assert_msg(auc == exact, "%s AUC %.17g, exact %.17g", row->name, auc, exact);
        ASSERT_CLOSE(auc, (rates[0] + rates[1]) / 2, 1e-15);
        if (row->auc >= 0)
            ck_assert_msg(rounds_to(auc, row->auc), "%s AUC %g", row->name, auc);
        calci_roc_free(roc);
    }
}
END_TEST

/* Finds the unique (TP, TN) with 18 positives and 20 negatives whose
 * sensitivity and specificity round to the published pair. */
static void derive_counts(double sens, double spec, size_t *tp, size_t *tn)
{
    int found = 0;

    for (size_t a = 0; a <= 18; a++)
        for (size_t b = 0; b <= 20; b++)
            if (rounds_to(a / 18.0, sens) && rounds_to(b / 20.0, spec)) {
                *tp = a;
                *tn = b;
                found++;
            }
    ck_assert_int_eq(found, 1);
}

/*
 * Test set (18 positives, 20 negatives). Derived counts:
 *   SVM high-sensitivity 0.89/0.80/0.80/0.89: TP 16, TN 16 (FN 2, FP 4);
 *   SVM high-specificity 0.78/0.90/0.88/0.82: TP 14, TN 18, PPV 14/16 = 0.875;
 *   LR high-sensitivity  0.89/0.85/0.84/0.90: TP 16, TN 17, PPV 16/19;
 *   LR high-specificity  0.78/1.00/1.00/0.83: TP 14, TN 20.
 * LR high-sensitivity NPV is 17/19 = 0.8947, which rounds to 0.89, not the
 * published 0.90 (only rounding twice, 0.8947 -> 0.895 -> 0.90, gives it);
 * no other count pair fits the published sensitivity and specificity, so
 * that figure is checked to 0.01.
 */
START_TEST(test_published_test_set)
{
    const struct {
        const char *name;
        double sens, spec, ppv, npv, npv_tolerance;
        size_t tp, tn;
    } rows[] = {
        {"SVM high-sensitivity", 0.89, 0.80, 0.80, 0.89, 0.005, 16, 16},
        {"SVM high-specificity", 0.78, 0.90, 0.88, 0.82, 0.005, 14, 18},
        {"LR high-sensitivity", 0.89, 0.85, 0.84, 0.90, 0.01, 16, 17},
        {"LR high-specificity", 0.78, 1.00, 1.00, 0.83, 0.005, 14, 20},
    };

    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
        size_t tp = 0, tn = 0, fp, fn, counts[4];
        double scores[38], rates[4];
        int labels[38];

        derive_counts(rows[r].sens, rows[r].spec, &tp, &tn);
        ck_assert_uint_eq(tp, rows[r].tp);
        ck_assert_uint_eq(tn, rows[r].tn);
        fn = 18 - tp;
        fp = 20 - tn;

        size_t n = build_reads(tp, fp, tn, fn, scores, labels);
        calci_confusion(scores, labels, n, 0.5, &counts[0], &counts[1], &counts[2], &counts[3]);
        ck_assert_uint_eq(counts[0], tp);
        ck_assert_uint_eq(counts[1], fp);
        ck_assert_uint_eq(counts[2], tn);
        ck_assert_uint_eq(counts[3], fn);

        calci_diagnostic_rates(tp, fp, tn, fn, rates);
        ck_assert_msg(rounds_to(rates[0], rows[r].sens), "%s sens %g", rows[r].name, rates[0]);
        ck_assert_msg(rounds_to(rates[1], rows[r].spec), "%s spec %g", rows[r].name, rates[1]);
        ck_assert_msg(rounds_to(rates[2], rows[r].ppv), "%s PPV %g", rows[r].name, rates[2]);
        ck_assert_msg(fabs(rates[3] - rows[r].npv) <= rows[r].npv_tolerance + 1e-12,
                      "%s NPV %g", rows[r].name, rates[3]);
    }
}
END_TEST

/* The SVM high-sensitivity point of the test set: TP 16, FN 2, TN 16, FP 4
 * gives 16/18, 16/20, 16/20, 16/18 exactly. */
START_TEST(test_rates_exact)
{
    double rates[4];

    calci_diagnostic_rates(16, 4, 16, 2, rates);
    ASSERT_CLOSE(rates[0], 16.0 / 18.0, 0.0);
    ASSERT_CLOSE(rates[1], 16.0 / 20.0, 0.0);
    ASSERT_CLOSE(rates[2], 16.0 / 20.0, 0.0);
    ASSERT_CLOSE(rates[3], 16.0 / 18.0, 0.0);

    /* No predicted positives: PPV has a zero denominator. */
    calci_diagnostic_rates(0, 0, 5, 3, rates);
    ASSERT_CLOSE(rates[0], 0.0, 0.0);
    ck_assert(isnan(rates[2]));
    ASSERT_CLOSE(rates[3], 5.0 / 8.0, 0.0);
}
END_TEST

/* calci_confusion: score >= threshold is positive; label -1 and NaN are
 * skipped. */
START_TEST(test_confusion_counts)
{
    const double scores[7] = {0.9, 0.5, 0.2, 0.5, 0.1, NAN, 0.7};
    const int labels[7] = {1, 1, 1, 0, 0, 1, -1};
    size_t tp, fp, tn, fn;

    calci_confusion(scores, labels, 7, 0.5, &tp, &fp, &tn, &fn);
    ck_assert_uint_eq(tp, 2);
    ck_assert_uint_eq(fn, 1);
    ck_assert_uint_eq(fp, 1);
    ck_assert_uint_eq(tn, 1);
}
END_TEST

/* ------------------------------------------------------------------ */
/* R's pROC run at test time                                            */

typedef struct reference_table {
    size_t count;
    char keys[4096][48];
    double values[4096];
} reference_table;

static double reference(const reference_table *table, const char *key)
{
    for (size_t i = 0; i < table->count; i++)
        if (strcmp(table->keys[i], key) == 0)
            return table->values[i];
    ck_abort_msg("pROC output has no value for %s", key);
    return NAN;
}

/* pROC's output lines are "key value". Returns 0 when pROC is missing. */
static int read_reference(const char *path, reference_table *table)
{
    FILE *file = fopen(path, "r");
    char line[256], key[48];
    double value;

    ck_assert_msg(file != NULL, "cannot open %s", path);
    table->count = 0;
    while (fgets(line, sizeof line, file)) {
        if (strncmp(line, "NOPROC", 6) == 0) {
            fclose(file);
            return 0;
        }
        if (sscanf(line, "%47s %lf", key, &value) != 2 || table->count == 4096)
            continue;
        strcpy(table->keys[table->count], key);
        table->values[table->count++] = value;
    }
    fclose(file);
    return 1;
}

typedef struct marker_data {
    size_t n;
    int labels[512];
    double scores[4][512];
} marker_data;

/* Reads the outcome and the wfns, s100b, ndka columns of aSAH.csv (written
 * by R's write.csv: quoted factors, header first). Poor is label 1. */
static void read_asah(const char *path, marker_data *data)
{
    FILE *file = fopen(path, "r");
    char line[512];

    ck_assert_msg(file != NULL, "cannot open %s", path);
    data->n = 0;
    ck_assert(fgets(line, sizeof line, file) != NULL);
    while (fgets(line, sizeof line, file) && data->n < 512) {
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

/* Random data with many ties: a on 7 levels, b correlated with a, c on 3
 * levels with controls higher (direction ">"), d on 2 levels. */
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

static void write_data(const char *path, const marker_data *data, size_t markers)
{
    FILE *file = fopen(path, "w");

    ck_assert_msg(file != NULL, "cannot write %s", path);
    fprintf(file, "label");
    for (size_t k = 0; k < markers; k++)
        fprintf(file, ",m%zu", k);
    fprintf(file, "\n");
    for (size_t i = 0; i < data->n; i++) {
        fprintf(file, "%d", data->labels[i]);
        for (size_t k = 0; k < markers; k++)
            fprintf(file, ",%.17g", data->scores[k][i]);
        fprintf(file, "\n");
    }
    fclose(file);
}

/* R script: for each marker m<k> of the CSV, the curve with direction
 * "auto", its AUC, DeLong variance and 95 % CI, direction and coordinates;
 * for each pair, roc.test(method = "delong", paired = TRUE). */
static const char r_script[] =
    "if (!requireNamespace('pROC', quietly = TRUE)) { cat('NOPROC\\n'); quit(status = 0) }\n"
    "suppressMessages(library(pROC))\n"
    "args <- commandArgs(trailingOnly = TRUE)\n"
    "d <- read.csv(args[1])\n"
    "out <- function(key, x) cat(key, sprintf('%.17g', x), '\\n')\n"
    "markers <- setdiff(names(d), 'label')\n"
    "curves <- list()\n"
    "for (k in markers) {\n"
    "  r <- roc(d$label, d[[k]], levels = c(0, 1), direction = 'auto', quiet = TRUE)\n"
    "  curves[[k]] <- r\n"
    "  ci <- ci.auc(r, conf.level = 0.95, method = 'delong')\n"
    "  out(paste0(k, '.auc'), as.numeric(auc(r)))\n"
    "  out(paste0(k, '.var'), var(r, method = 'delong'))\n"
    "  out(paste0(k, '.lo'), ci[1])\n"
    "  out(paste0(k, '.hi'), ci[3])\n"
    "  out(paste0(k, '.dir'), ifelse(r$direction == '<', 1, 2))\n"
    "  out(paste0(k, '.points'), length(r$thresholds))\n"
    "  for (i in seq_along(r$thresholds)) {\n"
    "    out(paste0(k, '.t', i - 1), r$thresholds[i])\n"
    "    out(paste0(k, '.se', i - 1), r$sensitivities[i])\n"
    "    out(paste0(k, '.sp', i - 1), r$specificities[i])\n"
    "  }\n"
    "}\n"
    "for (a in markers) for (b in markers) if (a < b) {\n"
    "  t <- suppressWarnings(roc.test(curves[[a]], curves[[b]], method = 'delong',\n"
    "                                 paired = TRUE, conf.level = 0.95))\n"
    "  key <- paste0(a, '_', b)\n"
    "  out(paste0(key, '.z'), t$statistic)\n"
    "  out(paste0(key, '.p'), t$p.value)\n"
    "  out(paste0(key, '.lo'), t$conf.int[1])\n"
    "  out(paste0(key, '.hi'), t$conf.int[2])\n"
    "}\n";

static void track(double *worst, double deviation)
{
    if (deviation > *worst)
        *worst = deviation;
}

/*
 * Runs pROC on the data (markers m0 .. m<markers-1>) and compares: AUC to
 * 1e-12 absolute, DeLong variance to 1e-9 relative, CI bounds to 1e-9
 * absolute, curve points exactly up to 1e-12, paired z to 1e-9 relative,
 * p-value to 1e-9 relative and the difference CI to 1e-9 absolute.
 * Returns the number of values compared (0 when skipped).
 */
static size_t compare_with_proc(const char *data_name, const marker_data *data, size_t markers)
{
    static reference_table table;
    char dir[256], data_path[300], script_path[300], out_path[300], command[1200];
    calci_roc *curves[4];
    size_t compared = 0;
    double worst_auc = 0, worst_var = 0, worst_ci = 0, worst_z = 0, worst_p = 0;
    FILE *file;

    if (system("command -v Rscript > /dev/null 2>&1") != 0) {
        printf("SKIP pROC %s: Rscript not installed (Debian package r-cran-proc)\n", data_name);
        return 0;
    }
    snprintf(dir, sizeof dir, "%s", test_temp_dir());
    snprintf(data_path, sizeof data_path, "%s/data.csv", dir);
    snprintf(script_path, sizeof script_path, "%s/proc.R", dir);
    snprintf(out_path, sizeof out_path, "%s/proc.out", dir);
    write_data(data_path, data, markers);
    file = fopen(script_path, "w");
    ck_assert(file != NULL);
    fputs(r_script, file);
    fclose(file);
    snprintf(command, sizeof command, "Rscript --vanilla '%s' '%s' > '%s' 2> /dev/null",
             script_path, data_path, out_path);
    ck_assert_msg(system(command) == 0, "Rscript failed: %s", command);
    int have_proc = read_reference(out_path, &table);
    remove(data_path);
    remove(script_path);
    remove(out_path);
    rmdir(dir);
    if (!have_proc) {
        printf("SKIP pROC %s: R package pROC not installed (Debian package r-cran-proc)\n",
               data_name);
        return 0;
    }

    for (size_t k = 0; k < markers; k++) {
        char key[80];
        double lower, upper;

        curves[k] = make_roc(data->scores[k], data->labels, data->n, CALCI_DIRECTION_AUTO);
#define REF(suffix) (snprintf(key, sizeof key, "m%zu.%s", k, suffix), reference(&table, key))
        ck_assert_int_eq(calci_roc_direction(curves[k]), (int)REF("dir"));
        ASSERT_CLOSE(calci_roc_auc(curves[k]), REF("auc"), 1e-12);
        ASSERT_REL(calci_roc_delong_variance(curves[k]), REF("var"), 1e-9);
        calci_roc_ci_delong(curves[k], 0.95, &lower, &upper);
        ASSERT_CLOSE(lower, REF("lo"), 1e-9);
        ASSERT_CLOSE(upper, REF("hi"), 1e-9);
        track(&worst_auc, fabs(calci_roc_auc(curves[k]) - REF("auc")));
        track(&worst_var, fabs(calci_roc_delong_variance(curves[k]) / REF("var") - 1));
        track(&worst_ci, fabs(lower - REF("lo")));
        track(&worst_ci, fabs(upper - REF("hi")));
        compared += 5;

        ck_assert_uint_eq(calci_roc_points(curves[k]), (size_t)REF("points"));
        for (size_t i = 0; i < calci_roc_points(curves[k]); i++) {
            double t, se, sp, expected;
            char suffix[32];

            calci_roc_point(curves[k], i, &t, &se, &sp);
            snprintf(suffix, sizeof suffix, "t%zu", i);
            expected = REF(suffix);
            ck_assert_msg(t == expected || fabs(t - expected) <= 1e-12 * fabs(expected),
                          "m%zu threshold %zu = %.17g, pROC %.17g", k, i, t, expected);
            snprintf(suffix, sizeof suffix, "se%zu", i);
            ASSERT_CLOSE(se, REF(suffix), 1e-12);
            snprintf(suffix, sizeof suffix, "sp%zu", i);
            ASSERT_CLOSE(sp, REF(suffix), 1e-12);
            compared += 3;
        }
#undef REF
    }

    for (size_t a = 0; a < markers; a++)
        for (size_t b = a + 1; b < markers; b++) {
            char key[80];
            double z, p, lower, upper;

            ck_assert_int_eq(
                calci_roc_test_delong(curves[a], curves[b], 0.95, &z, &p, &lower, &upper, NULL),
                CALCI_OK);
#define REF(suffix) \
    (snprintf(key, sizeof key, "m%zu_m%zu.%s", a, b, suffix), reference(&table, key))
            ASSERT_REL(z, REF("z"), 1e-9);
            ck_assert_msg(fabs(p - REF("p")) <= 1e-9 * REF("p") + 1e-300,
                          "m%zu vs m%zu p = %.17g, pROC %.17g", a, b, p, REF("p"));
            ASSERT_CLOSE(lower, REF("lo"), 1e-9);
            ASSERT_CLOSE(upper, REF("hi"), 1e-9);
            track(&worst_z, fabs(z - REF("z")) / fmax(1.0, fabs(REF("z"))));
            track(&worst_p, fabs(p / REF("p") - 1));
            track(&worst_ci, fabs(lower - REF("lo")));
            track(&worst_ci, fabs(upper - REF("hi")));
            compared += 4;
#undef REF
        }

    size_t lower_curves = 0;

    for (size_t k = 0; k < markers; k++) {
        lower_curves += calci_roc_direction(curves[k]) == CALCI_DIRECTION_LOWER;
        calci_roc_free(curves[k]);
    }
    printf("INFO pROC %s (%zu of %zu curves with direction >): max |dAUC| %.1e, "
           "max rel dVar %.1e, max |dCI| %.1e, max rel dz %.1e, max rel dp %.1e\n",
           data_name, lower_curves, markers, worst_auc, worst_var, worst_ci, worst_z, worst_p);
    return compared;
}

/* aSAH markers: m0 = wfns, m1 = s100b, m2 = ndka (pROC's own example data). */
START_TEST(test_proc_asah)
{
    static marker_data data;
    char path[512];
    size_t compared;

    if (!test_refdata_path(path, sizeof path, "pROC_aSAH/aSAH.csv", "pROC aSAH"))
        return;
    read_asah(path, &data);
    compared = compare_with_proc("aSAH", &data, 3);
    if (compared > 0)
        printf("INFO pROC aSAH: %zu values agree\n", compared);
}
END_TEST

START_TEST(test_proc_random_ties)
{
    static marker_data data;
    size_t compared;

    rng_state = 20210617;
    make_tied_data(&data, 300);
    compared = compare_with_proc("random ties n=300", &data, 4);
    make_tied_data(&data, 17);
    compared += compare_with_proc("random ties n=17", &data, 4);
    if (compared > 0)
        printf("INFO pROC random ties: %zu values agree\n", compared);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Performance                                                          */

static double seconds_now(void)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + 1e-9 * (double)now.tv_nsec;
}

/* Two curves and the paired test for n = 100000: prints the time; the
 * only assertion is a sanity check of the result, because timings under
 * valgrind or sanitizers differ by orders of magnitude. */
START_TEST(test_delong_speed)
{
    enum { N = 100000 };
    double *a = malloc(N * sizeof *a), *b = malloc(N * sizeof *b), z, p;
    int *labels = malloc(N * sizeof *labels);

    ck_assert(a && b && labels);
    rng_state = 12345;
    for (size_t i = 0; i < N; i++) {
        labels[i] = uniform() < 0.4;
        a[i] = round(1000 * (uniform() + 0.3 * labels[i])) / 1000;
        b[i] = a[i] + uniform() - 0.5;
    }

    double start = seconds_now();
    calci_roc *ra = make_roc(a, labels, N, CALCI_DIRECTION_AUTO);
    calci_roc *rb = make_roc(b, labels, N, CALCI_DIRECTION_AUTO);
    ck_assert_int_eq(calci_roc_test_delong(ra, rb, 0.95, &z, &p, NULL, NULL, NULL), CALCI_OK);
    double elapsed = seconds_now() - start;

    printf("INFO DeLong paired, n = %d: %.1f ms (two curves and the test)\n", N,
           1000 * elapsed);
    ck_assert(isfinite(z) && p >= 0 && p <= 1);
    calci_roc_free(ra);
    calci_roc_free(rb);
    free(a);
    free(b);
    free(labels);
}
END_TEST

static Suite *roc_suite(void)
{
    Suite *suite = suite_create("roc");
    TCase *hand = tcase_create("hand");
    TCase *published = tcase_create("published");
    TCase *proc = tcase_create("pROC");
    TCase *speed = tcase_create("speed");

    tcase_add_test(hand, test_tied_three_by_three);
    tcase_add_test(hand, test_tied_ci_clipped);
    tcase_add_test(hand, test_operating_points);
    tcase_add_test(hand, test_direction_lower);
    tcase_add_test(hand, test_perfect_separation);
    tcase_add_test(hand, test_all_ties);
    tcase_add_test(hand, test_skips_unknown_and_nan);
    tcase_add_test(hand, test_create_errors);
    tcase_add_test(hand, test_single_case_variance);
    tcase_add_test(hand, test_paired_by_hand);
    tcase_add_test(hand, test_paired_rejects_other_cases);
    tcase_add_test(hand, test_matches_pairwise_definition);
    suite_add_tcase(suite, hand);

    tcase_add_test(published, test_published_subset);
    tcase_add_test(published, test_published_test_set);
    tcase_add_test(published, test_rates_exact);
    tcase_add_test(published, test_confusion_counts);
    suite_add_tcase(suite, published);

    tcase_set_timeout(proc, 120);
    tcase_add_test(proc, test_proc_asah);
    tcase_add_test(proc, test_proc_random_ties);
    suite_add_tcase(suite, proc);

    tcase_set_timeout(speed, 60);
    tcase_add_test(speed, test_delong_speed);
    suite_add_tcase(suite, speed);
    return suite;
}

int main(void)
{
    SRunner *runner = srunner_create(roc_suite());
    int failed;

    srunner_set_fork_status(runner, CK_FORK);
    srunner_run_all(runner, CK_NORMAL);
    failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? 0 : 1;
}
