/*
 * roc_tests.c - tests comparing two ROC curves beyond the paired DeLong test
 * of roc.c: DeLong's test for unpaired curves and the stratified bootstrap
 * test (paired and unpaired), following R's pROC 1.18 roc.test.
 */
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_cdf.h>

#include "internal.h"

/*
 * pROC delong.unpaired.test: with V = S10 / m + S01 / n the DeLong variance
 * of each curve and N = m + n its entry count,
 *   t = (AUC_a - AUC_b) / sqrt(V_a + V_b),
 *   df = (V_a + V_b)^2 / (V_a^2 / (N_a - 1) + V_b^2 / (N_b - 1)),
 *   p = 2 P(T_df > |t|).
 */
calci_status calci_roc_test_delong_unpaired(const calci_roc *a, const calci_roc *b, double *t,
                                            double *df, double *p, calci_error *error)
{
    double var_a, var_b, total_a, total_b, statistic, freedom;

    if (a == NULL || b == NULL)
        return ci_fail(error, CALCI_ERR_ARGUMENT,
                       "roc unpaired test: both curves must not be NULL");

    var_a = calci_roc_delong_variance(a);
    var_b = calci_roc_delong_variance(b);
    total_a = (double)(calci_roc_positives(a) + calci_roc_negatives(a));
    total_b = (double)(calci_roc_positives(b) + calci_roc_negatives(b));
    statistic = (calci_roc_auc(a) - calci_roc_auc(b)) / sqrt(var_a + var_b);
    freedom = (var_a + var_b) * (var_a + var_b) /
              (var_a * var_a / (total_a - 1.0) + var_b * var_b / (total_b - 1.0));

    if (t)
        *t = statistic;
    if (df)
        *df = freedom;
    if (p)
        *p = isnan(statistic) || isnan(freedom) ? NAN
                                                : 2.0 * gsl_cdf_tdist_Q(fabs(statistic), freedom);
    return CALCI_OK;
}

/* One side of a bootstrap test: the grouped sample, its full-data AUC and
 * room for one replicate's draws (controls first, then cases). */
typedef struct ci_test_side {
    ci_boot_sample sample;
    double auc;
    size_t *draws;
} ci_test_side;

static void side_free(ci_test_side *side)
{
    ci_boot_sample_free(&side->sample);
    free(side->draws);
    side->draws = NULL;
}

static calci_status side_init(ci_test_side *side, const double *scores, const int *labels,
                              size_t n, calci_direction direction, calci_error *error)
{
    calci_roc *roc = NULL;
    calci_status status = calci_roc_create(scores, labels, n, direction, &roc, error);

    side->draws = NULL;
    if (status != CALCI_OK) {
        ci_boot_sample_free(&side->sample);
        return status;
    }
    side->auc = calci_roc_auc(roc);
    status = ci_boot_sample_init(&side->sample, scores, labels, n, calci_roc_direction(roc),
                                 error);
    calci_roc_free(roc);
    if (status != CALCI_OK)
        return status;

    side->draws = malloc((side->sample.n_cases + side->sample.n_controls) * sizeof *side->draws);
    if (side->draws == NULL) {
        side_free(side);
        return ci_fail(error, CALCI_ERR_NO_MEMORY, "roc bootstrap test: out of memory");
    }
    return CALCI_OK;
}

static void side_draw(ci_test_side *side, ci_rng *rng)
{
    ci_boot_draw(rng, side->draws, side->sample.n_controls);
    ci_boot_draw(rng, side->draws + side->sample.n_controls, side->sample.n_cases);
}

static double side_auc(ci_test_side *side, const size_t *draws)
{
    return ci_boot_sample_auc(&side->sample, draws, draws + side->sample.n_controls);
}

/*
 * pROC bootstrap.test: D = (AUC_a - AUC_b) / sd(AUC*_a - AUC*_b) over the
 * replicates, sd with denominator R - 1; D = 0 when it is NaN, every
 * difference is 0 and the AUCs are equal; p = 2 Q(|D|). A paired test
 * indexes curve b with the draws of curve a.
 */
static calci_status run_test(ci_test_side *a, ci_test_side *b, int paired, size_t replicates,
                             uint64_t seed, double *d, double *p, calci_error *error)
{
    double *diffs = malloc(replicates * sizeof *diffs);
    double mean = 0.0, sum_squares = 0.0, statistic;
    int all_zero = 1;
    ci_rng rng;

    if (diffs == NULL)
        return ci_fail(error, CALCI_ERR_NO_MEMORY,
                       "roc bootstrap test: out of memory for %zu replicates", replicates);

    ci_rng_seed(&rng, seed);
    for (size_t r = 0; r < replicates; r++) {
        side_draw(a, &rng);
        if (!paired)
            side_draw(b, &rng);
        diffs[r] = side_auc(a, a->draws) - side_auc(b, paired ? a->draws : b->draws);
        mean += diffs[r];
        all_zero &= diffs[r] == 0.0;
    }
    mean /= (double)replicates;
    for (size_t r = 0; r < replicates; r++)
        sum_squares += (diffs[r] - mean) * (diffs[r] - mean);
    free(diffs);

    statistic = (a->auc - b->auc) / sqrt(sum_squares / (double)(replicates - 1));
    if (isnan(statistic) && all_zero && a->auc == b->auc)
        statistic = 0.0;
    if (d)
        *d = statistic;
    if (p)
        *p = 2.0 * gsl_cdf_ugaussian_Q(fabs(statistic));
    return CALCI_OK;
}

static calci_status check_replicates(size_t replicates, calci_error *error)
{
    if (replicates < 2 || replicates > SIZE_MAX / sizeof(double))
        return ci_fail(error, CALCI_ERR_ARGUMENT,
                       "roc bootstrap test: %zu replicates is invalid; expected at least 2 "
                       "(the statistic divides by their standard deviation)",
                       replicates);
    return CALCI_OK;
}

calci_status calci_roc_test_bootstrap_paired(const double *scores_a, const double *scores_b,
                                             const int *labels, size_t n,
                                             calci_direction direction_a,
                                             calci_direction direction_b, size_t replicates,
                                             uint64_t seed, double *d, double *p,
                                             calci_error *error)
{
    ci_test_side a = {0}, b = {0};
    int *common;
    calci_status status = check_replicates(replicates, error);

    if (status != CALCI_OK)
        return status;
    if (n > 0 && (scores_a == NULL || scores_b == NULL || labels == NULL))
        return ci_fail(error, CALCI_ERR_ARGUMENT,
                       "roc bootstrap test: scores and labels must not be NULL");

    /* Entries with either score NaN leave both curves, so that the draws
     * index the same entries on both sides. */
    common = malloc((n ? n : 1) * sizeof *common);
    if (common == NULL)
        return ci_fail(error, CALCI_ERR_NO_MEMORY, "roc bootstrap test: out of memory");
    for (size_t i = 0; i < n; i++)
        common[i] = isnan(scores_a[i]) || isnan(scores_b[i]) ? -1 : labels[i];

    status = side_init(&a, scores_a, common, n, direction_a, error);
    if (status == CALCI_OK)
        status = side_init(&b, scores_b, common, n, direction_b, error);
    if (status == CALCI_OK)
        status = run_test(&a, &b, 1, replicates, seed, d, p, error);
    side_free(&a);
    side_free(&b);
    free(common);
    return status;
}

calci_status calci_roc_test_bootstrap_unpaired(
    const double *scores_a, const int *labels_a, size_t n_a, calci_direction direction_a,
    const double *scores_b, const int *labels_b, size_t n_b, calci_direction direction_b,
    size_t replicates, uint64_t seed, double *d, double *p, calci_error *error)
{
    ci_test_side a = {0}, b = {0};
    calci_status status = check_replicates(replicates, error);

    if (status == CALCI_OK)
        status = side_init(&a, scores_a, labels_a, n_a, direction_a, error);
    if (status == CALCI_OK)
        status = side_init(&b, scores_b, labels_b, n_b, direction_b, error);
    if (status == CALCI_OK)
        status = run_test(&a, &b, 0, replicates, seed, d, p, error);
    side_free(&a);
    side_free(&b);
    return status;
}
