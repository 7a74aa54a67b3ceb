/*
 * proportion.c - confidence intervals of binomial proportions (Clopper-
 * Pearson as R's binom.test, Wilson with or without continuity correction
 * as R's prop.test) and of the rates of a 2x2 diagnostic table.
 */
#include <math.h>

#include <gsl/gsl_cdf.h>

#include "internal.h"

/*
 * Quantile of the Beta(a, b) distribution at probability q, by bisection on
 * GSL's CDF gsl_cdf_beta_P until the bracket stops shrinking (about 60
 * steps, to one unit in the last place).
 * NOTE: GSL 2.7's gsl_cdf_beta_Pinv fails to converge on ordinary inputs
 * (for example q = 0.975, a = 32, b = 969, the upper Clopper-Pearson bound
 * of 31 out of 1000) and then calls GSL's error handler, which aborts by
 * default, so it is not used here.
 */
static double beta_quantile(double q, double a, double b)
{
    double lo = 0.0, hi = 1.0;

    for (int step = 0; step < 200; step++) {
        double mid = lo + (hi - lo) / 2.0;

        if (mid <= lo || mid >= hi)
            break;
        if (gsl_cdf_beta_P(mid, a, b) < q)
            lo = mid;
        else
            hi = mid;
    }
    return lo + (hi - lo) / 2.0;
}

/* Clopper-Pearson with alpha = 1 - level:
 *   lower = Beta^-1(alpha / 2; x, n - x + 1), 0 when x = 0,
 *   upper = Beta^-1(1 - alpha / 2; x + 1, n - x), 1 when x = n. */
static void clopper_pearson(double x, double n, double level, double *lower, double *upper)
{
    double alpha = 1.0 - level;

    *lower = x == 0.0 ? 0.0 : beta_quantile(alpha / 2.0, x, n - x + 1.0);
    *upper = x == n ? 1.0 : beta_quantile(1.0 - alpha / 2.0, x + 1.0, n - x);
}

/*
 * Wilson score interval as R's prop.test for one proportion, p0 = 1/2:
 * with z the (1 + level) / 2 normal quantile, c = min(0.5, |x - n/2|) when
 * corrected (else 0) and p = x / n,
 *   bound(q) = (q + z^2/(2n) -/+ z sqrt(q (1 - q) / n + z^2 / (4 n^2))) / (1 + z^2 / n)
 * at q = p + c/n for the upper bound (1 when q >= 1) and q = p - c/n for the
 * lower bound (0 when q <= 0).
 */
static void wilson(double x, double n, double level, int corrected, double *lower,
                   double *upper)
{
    double z = gsl_cdf_ugaussian_Pinv((1.0 + level) / 2.0);
    double correction = corrected ? fmin(0.5, fabs(x - n * 0.5)) : 0.0;
    double estimate = x / n, z22n = z * z / (2.0 * n), q;

    q = estimate + correction / n;
    *upper = q >= 1.0 ? 1.0
                      : (q + z22n + z * sqrt(q * (1.0 - q) / n + z22n / (2.0 * n))) /
                            (1.0 + 2.0 * z22n);
    q = estimate - correction / n;
    *lower = q <= 0.0 ? 0.0
                      : (q + z22n - z * sqrt(q * (1.0 - q) / n + z22n / (2.0 * n))) /
                            (1.0 + 2.0 * z22n);
    *lower = fmax(*lower, 0.0);
    *upper = fmin(*upper, 1.0);
}

calci_status calci_proportion_ci(size_t successes, size_t trials, double level,
                                 calci_interval method, double *lower, double *upper,
                                 calci_error *error)
{
    double x = (double)successes, n = (double)trials;

    if (lower == NULL || upper == NULL)
        return ci_fail(error, CALCI_ERR_ARGUMENT, "proportion ci: lower and upper must not be NULL");
    if (trials == 0 || successes > trials)
        return ci_fail(error, CALCI_ERR_ARGUMENT,
                       "proportion ci: %zu successes out of %zu trials is invalid; expected "
                       "at least 1 trial and no more successes than trials",
                       successes, trials);
    if (!(level > 0.0 && level < 1.0))
        return ci_fail(error, CALCI_ERR_ARGUMENT,
                       "proportion ci: level %g is invalid; expected a value in (0, 1)", level);

    switch (method) {
    case CALCI_INTERVAL_CLOPPER_PEARSON:
        clopper_pearson(x, n, level, lower, upper);
        return CALCI_OK;
    case CALCI_INTERVAL_WILSON:
    case CALCI_INTERVAL_WILSON_CORRECTED:
        wilson(x, n, level, method == CALCI_INTERVAL_WILSON_CORRECTED, lower, upper);
        return CALCI_OK;
    }
    return ci_fail(error, CALCI_ERR_ARGUMENT,
                   "proportion ci: method %d is invalid; expected CLOPPER_PEARSON, WILSON or "
                   "WILSON_CORRECTED",
                   (int)method);
}

calci_status calci_diagnostic_rates_ci(size_t tp, size_t fp, size_t tn, size_t fn,
                                       double level, calci_interval method, double estimate[5],
                                       double lower[5], double upper[5], calci_error *error)
{
    const size_t successes[5] = {tp, tn, tp, tn, tp + tn};
    const size_t trials[5] = {tp + fn, tn + fp, tp + fp, tn + fn, tp + fp + tn + fn};
    double lo[5], hi[5], value[5];

    if (estimate == NULL || lower == NULL || upper == NULL)
        return ci_fail(error, CALCI_ERR_ARGUMENT,
                       "rates ci: estimate, lower and upper must not be NULL");

    if (!(level > 0.0 && level < 1.0))
        return ci_fail(error, CALCI_ERR_ARGUMENT,
                       "rates ci: level %g is invalid; expected a value in (0, 1)", level);
    if (method != CALCI_INTERVAL_CLOPPER_PEARSON && method != CALCI_INTERVAL_WILSON &&
        method != CALCI_INTERVAL_WILSON_CORRECTED)
        return ci_fail(error, CALCI_ERR_ARGUMENT,
                       "rates ci: method %d is invalid; expected CLOPPER_PEARSON, WILSON or "
                       "WILSON_CORRECTED",
                       (int)method);

    /* Compute all five before writing, so that outputs stay untouched on failure. */
    for (int k = 0; k < 5; k++) {
        if (trials[k] == 0) {
            value[k] = lo[k] = hi[k] = NAN;
            continue;
        }
        calci_status status = calci_proportion_ci(successes[k], trials[k], level, method,
                                                  &lo[k], &hi[k], error);
        if (status != CALCI_OK)
            return status;
        value[k] = (double)successes[k] / (double)trials[k];
    }
    for (int k = 0; k < 5; k++) {
        estimate[k] = value[k];
        lower[k] = lo[k];
        upper[k] = hi[k];
    }
    return CALCI_OK;
}
