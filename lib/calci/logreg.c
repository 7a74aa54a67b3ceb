/*
 * logreg.c - L2-penalised and unpenalised logistic regression by Newton's
 * method (IRLS). The unpenalised fit drops the 0.5 ||w||^2 term and uses C = 1.
 *
 * Objective (scikit-learn's LogisticRegression, penalty='l2', with the
 * intercept not penalised):
 *   L(w, b) = 0.5 * ||w||^2 + C * sum_i s_i * log(1 + exp(-y_i f_i)),
 *   f_i = w.x_i + b, y_i in {-1, +1}.
 * Gradient, with q_i = 1 / (1 + exp(y_i f_i)):
 *   dL/dw = w - C sum_i s_i y_i q_i x_i,   dL/db = -C sum_i s_i y_i q_i.
 * Hessian, with p_i = 1 / (1 + exp(-f_i)):
 *   H = diag(1, ..., 1, 0) + C sum_i s_i p_i (1 - p_i) [x_i; 1][x_i; 1]'.
 */
#include <float.h>
#include <lapacke.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model_internal.h"

#define MAX_NEWTON_ITERATIONS 200
#define MAX_HALVINGS 60

/*
 * Separation test of the unpenalised fit. When the classes are perfectly or
 * quasi-perfectly separated, the likelihood has no maximum. Newton's iterates
 * then grow along the separating direction until the gradient tolerance
 * 1e-13 (1 + sum s_i) stops them. By then the separated cases sit at
 * margins y_i f_i of about 30 + log(n). A finite maximum-likelihood fit practically
 * never puts a case beyond a margin of 25 (fitted probability of its
 * observed class above 1 - 1.4e-11), so a fit with such a case is rejected
 * as diverging.
 * NOTE: a heuristic, not a linear-programming separation check.
 */
#define SEPARATION_MARGIN 25.0

double ci_logistic(double f)
{
    if (f >= 0.0)
        return 1.0 / (1.0 + exp(-f));
    double e = exp(f);
    return e / (1.0 + e);
}

/* log(1 + exp(-m)) without overflow. */
static double log1p_exp_neg(double m)
{
    if (m > 0.0)
        return log1p(exp(-m));
    return -m + log1p(exp(m));
}

struct problem {
    const double *x;
    size_t n, p, ld;
    const double *y; /* +1 / -1 */
    const double *s; /* sample weights */
    double C;
    double ridge;    /* 1: 0.5 ||w||^2 penalty; 0: unpenalised */
};

/* theta = (w[0..p), b); f receives the n decision values. */
static double objective(const struct problem *pr, const double *theta, double *f)
{
    double penalty = 0.0, loss = 0.0;

    for (size_t j = 0; j < pr->p; j++)
        penalty += theta[j] * theta[j];
    for (size_t i = 0; i < pr->n; i++) {
        const double *xi = pr->x + i * pr->ld;
        double fi = theta[pr->p];
        for (size_t j = 0; j < pr->p; j++)
            fi += theta[j] * xi[j];
        f[i] = fi;
        loss += pr->s[i] * log1p_exp_neg(pr->y[i] * fi);
    }
    return 0.5 * pr->ridge * penalty + pr->C * loss;
}

/* Gradient g and Hessian h (q x q, q = p + 1, full symmetric) at theta with
 * decision values f. Returns max |g|. */
static double gradient_hessian(const struct problem *pr, const double *theta, const double *f,
                               double *g, double *h)
{
    size_t p = pr->p, q = p + 1;

    memset(h, 0, q * q * sizeof *h);
    for (size_t j = 0; j < p; j++) {
        g[j] = pr->ridge * theta[j];
        h[j * q + j] = pr->ridge;
    }
    g[p] = 0.0;

    for (size_t i = 0; i < pr->n; i++) {
        const double *xi = pr->x + i * pr->ld;
        double prob = ci_logistic(f[i]);
        double resid = pr->y[i] > 0 ? 1.0 - prob : -prob; /* y_i q_i */
        double gi = -pr->C * pr->s[i] * resid;
        double hi = pr->C * pr->s[i] * prob * (1.0 - prob);

        for (size_t j = 0; j < p; j++)
            g[j] += gi * xi[j];
        g[p] += gi;
        if (hi == 0.0)
            continue;
        for (size_t j = 0; j < p; j++) {
            double hj = hi * xi[j];
            double *row = h + j * q;
            for (size_t k = j; k < p; k++)
                row[k] += hj * xi[k];
            row[p] += hj;
        }
        h[p * q + p] += hi;
    }
    for (size_t j = 0; j < q; j++)
        for (size_t k = j + 1; k < q; k++)
            h[k * q + j] = h[j * q + k];

    double gmax = 0.0;
    for (size_t j = 0; j < q; j++)
        if (fabs(g[j]) > gmax)
            gmax = fabs(g[j]);
    return gmax;
}

/* Solves h d = g (h is destroyed). Returns 0 on success. */
static int solve_newton(double *h, double *d, const double *g, size_t q, double *h_copy,
                        lapack_int *ipiv)
{
    memcpy(h_copy, h, q * q * sizeof *h);
    memcpy(d, g, q * sizeof *d);
    if (LAPACKE_dposv(LAPACK_ROW_MAJOR, 'U', (lapack_int)q, 1, h, (lapack_int)q, d, 1) == 0)
        return 0;
    /* Not positive definite in floating point (for example all p_i(1-p_i)
     * underflowed, leaving the intercept row zero): symmetric indefinite solve. */
    memcpy(d, g, q * sizeof *d);
    return LAPACKE_dsysv(LAPACK_ROW_MAJOR, 'U', (lapack_int)q, 1, h_copy, (lapack_int)q, ipiv, d,
                         1) != 0;
}

/* Newton's method on the objective with penalty factor ridge (1 or 0). */
static calci_status newton_fit(const double *x, size_t n, size_t p, size_t ld,
                               const int *labels, const double *weights, double C, double ridge,
                               double *w, double *b, calci_error *error)
{
    size_t q = p + 1;

    if (!(C > 0.0) || !isfinite(C))
        return ci_fail(error, CALCI_ERR_ARGUMENT, "logistic regression: C = %g, expected > 0", C);
    if (n == 0)
        return ci_fail(error, CALCI_ERR_DATA, "logistic regression: no cases");
    if (q > (size_t)INT32_MAX / q || q * q > SIZE_MAX / 2 / sizeof(double))
        return ci_fail(error, CALCI_ERR_NO_MEMORY,
                       "logistic regression: %zu features is too many", p);

    double *buf = malloc((2 * q * q + 4 * q + 3 * n) * sizeof *buf);
    lapack_int *ipiv = malloc(q * sizeof *ipiv);
    if (buf == NULL || ipiv == NULL) {
        free(buf);
        free(ipiv);
        return ci_fail(error, CALCI_ERR_NO_MEMORY, "logistic regression: out of memory");
    }
    double *h = buf, *h_copy = h + q * q, *theta = h_copy + q * q, *trial = theta + q;
    double *g = trial + q, *d = g + q, *f = d + q, *f_trial = f + n, *y = f_trial + n;

    double sample_total = 0.0;
    double *s = NULL;
    if (weights == NULL) {
        s = malloc(n * sizeof *s);
        if (s == NULL) {
            free(buf);
            free(ipiv);
            return ci_fail(error, CALCI_ERR_NO_MEMORY, "logistic regression: out of memory");
        }
        for (size_t i = 0; i < n; i++)
            s[i] = 1.0;
    }
    const double *sw = weights ? weights : s;
    for (size_t i = 0; i < n; i++) {
        y[i] = labels[i] == 1 ? 1.0 : -1.0;
        sample_total += sw[i];
    }

    struct problem pr = {x, n, p, ld, y, sw, C, ridge};
    /* The unpenalised fit runs to a 1000 times tighter gradient, so that on
     * separated data it stops only with margins near 30 (see
     * SEPARATION_MARGIN). */
    double tol = (ridge == 0.0 ? 1e-13 : 1e-10) * (1.0 + C * sample_total);
    calci_status status = CALCI_ERR_NUMERIC;

    memset(theta, 0, q * sizeof *theta);
    double value = objective(&pr, theta, f);
    for (int iter = 0; iter < MAX_NEWTON_ITERATIONS; iter++) {
        double gmax = gradient_hessian(&pr, theta, f, g, h);
        if (gmax <= tol) {
            status = CALCI_OK;
            break;
        }
        if (solve_newton(h, d, g, q, h_copy, ipiv) != 0)
            break;

        /* Backtracking (Armijo) line search along -d. Near the optimum the
         * predicted decrease falls below the rounding error of the objective
         * (a sum of n terms), so a step within that error is accepted. */
        double slope = 0.0;
        for (size_t j = 0; j < q; j++)
            slope += g[j] * d[j];
        double t = 1.0, trial_value = value;
        double rounding = 64.0 * DBL_EPSILON * (fabs(value) + 1.0);
        int accepted = 0;
        for (int halving = 0; halving < MAX_HALVINGS; halving++, t *= 0.5) {
            for (size_t j = 0; j < q; j++)
                trial[j] = theta[j] - t * d[j];
            trial_value = objective(&pr, trial, f_trial);
            if (trial_value <= value - 1e-4 * t * slope + rounding) {
                accepted = 1;
                break;
            }
        }
        if (!accepted) {
            /* No decrease is representable any more: converged to rounding. */
            if (gmax <= 1e3 * tol)
                status = CALCI_OK;
            break;
        }
        memcpy(theta, trial, q * sizeof *theta);
        memcpy(f, f_trial, n * sizeof *f);
        value = trial_value;
    }

    if (ridge == 0.0) {
        size_t extreme = 0;
        /* A case of weight 0 does not enter the likelihood, so its margin
         * says nothing about separation. */
        for (size_t i = 0; i < n; i++)
            extreme += sw[i] > 0.0 && y[i] * f[i] > SEPARATION_MARGIN;
        if (status != CALCI_OK || extreme > 0) {
            status = ci_fail(error, CALCI_ERR_DATA,
                             "unpenalised logistic regression: the coefficients diverge (%zu of "
                             "%zu cases fitted with probability numerically 0 or 1): the classes "
                             "are perfectly or quasi-perfectly separated; use classifier lr or "
                             "lr_l1, or fewer features",
                             extreme, n);
        }
    }
    if (status == CALCI_OK) {
        memcpy(w, theta, p * sizeof *w);
        *b = theta[p];
    } else if (ridge != 0.0) {
        ci_fail(error, CALCI_ERR_NUMERIC,
                "logistic regression: Newton's method did not converge (%zu cases, %zu features, "
                "C = %g)",
                n, p, C);
    }
    free(s);
    free(buf);
    free(ipiv);
    return status;
}

calci_status ci_logreg_fit(const double *x, size_t n, size_t p, size_t ld, const int *labels,
                           const double *weights, double C, double *w, double *b,
                           calci_error *error)
{
    return newton_fit(x, n, p, ld, labels, weights, C, 1.0, w, b, error);
}

calci_status ci_logreg_fit_unpenalised(const double *x, size_t n, size_t p, size_t ld,
                                       const int *labels, const double *weights, double *w,
                                       double *b, calci_error *error)
{
    return newton_fit(x, n, p, ld, labels, weights, 1.0, 0.0, w, b, error);
}
