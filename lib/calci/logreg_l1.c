/*
 * logreg_l1.c - L1-penalised logistic regression with an unpenalised
 * intercept, by proximal Newton steps whose subproblem is solved by cyclic
 * coordinate descent (the newGLMNET scheme of Yuan, Ho and Lin 2012).
 *
 * Objective (scikit-learn's LogisticRegression(penalty='l1', C) with the
 * saga solver, whose intercept is not penalised):
 *   F(w, b) = ||w||_1 + C * sum_i s_i * log(1 + exp(-y_i f_i)),
 *   f_i = w.x_i + b, y_i in {-1, +1}.
 * With p_i = 1 / (1 + exp(-f_i)) and t_i = 1 for label 1, 0 for label 0, the
 * loss gradient is g_j = C sum_i s_i (p_i - t_i) x_ij (x_ib = 1) and the
 * Hessian C X' D X with D = diag(s_i p_i (1 - p_i)).
 * Each outer iteration minimises the quadratic model
 *   g'd + 0.5 d'Hd + ||w + d||_1
 * over the direction d by coordinate descent (soft-thresholding for w_j, a
 * plain Newton update for b), then takes the largest step 2^-m along d with
 * F(theta + t d) <= F(theta) + 0.01 t (g'd + ||w + d||_1 - ||w||_1).
 * It stops when the minimum-norm subgradient, max over
 *   |g_j + sign(w_j)| (w_j != 0),  max(|g_j| - 1, 0) (w_j = 0),  |g_b|,
 * is at most 1e-10 * (1 + C sum_i s_i).
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model_internal.h"

#define MAX_OUTER_ITERATIONS 500
#define MAX_INNER_PASSES 100
#define MAX_HALVINGS 60
/* Added to each diagonal Hessian entry so that a column whose weighted sum
 * of squares underflows still gets a finite coordinate step. */
#define DIAGONAL_SHIFT 1e-12

struct l1_problem {
    const double *x;
    size_t n, p, ld;
    const double *t;  /* 1 / 0 targets */
    const double *s;  /* sample weights */
    double C;
};

/* log(1 + exp(z)) without overflow. */
static double softplus(double z)
{
    return z > 0.0 ? z + log1p(exp(-z)) : log1p(exp(z));
}

/* F at theta = (w, b); f receives the decision values. */
static double l1_objective(const struct l1_problem *pr, const double *theta, double *f)
{
    double penalty = 0.0, loss = 0.0;
    for (size_t j = 0; j < pr->p; j++)
        penalty += fabs(theta[j]);
    for (size_t i = 0; i < pr->n; i++) {
        const double *xi = pr->x + i * pr->ld;
        double fi = theta[pr->p];
        for (size_t j = 0; j < pr->p; j++)
            fi += theta[j] * xi[j];
        f[i] = fi;
        /* -log P(observed label) = softplus(-f) for label 1, softplus(f) for 0. */
        loss += pr->s[i] * softplus(pr->t[i] > 0.5 ? -fi : fi);
    }
    return penalty + pr->C * loss;
}

/* Loss gradient g (p + 1 values), Hessian weights dw (n values) and the
 * diagonal hdiag (p + 1 values) at decision values f. Returns the largest
 * minimum-norm subgradient component. */
static double l1_derivatives(const struct l1_problem *pr, const double *theta, const double *f,
                             double *g, double *dw, double *hdiag)
{
    size_t p = pr->p;
    memset(g, 0, (p + 1) * sizeof *g);
    memset(hdiag, 0, (p + 1) * sizeof *hdiag);
    for (size_t i = 0; i < pr->n; i++) {
        const double *xi = pr->x + i * pr->ld;
        double prob = ci_logistic(f[i]);
        double gi = pr->C * pr->s[i] * (prob - pr->t[i]);
        dw[i] = pr->C * pr->s[i] * prob * (1.0 - prob);
        for (size_t j = 0; j < p; j++) {
            g[j] += gi * xi[j];
            hdiag[j] += dw[i] * xi[j] * xi[j];
        }
        g[p] += gi;
        hdiag[p] += dw[i];
    }

    double violation = fabs(g[p]);
    for (size_t j = 0; j < p; j++) {
        double v;
        if (theta[j] > 0.0)
            v = fabs(g[j] + 1.0);
        else if (theta[j] < 0.0)
            v = fabs(g[j] - 1.0);
        else
            v = fmax(fabs(g[j]) - 1.0, 0.0);
        if (v > violation)
            violation = v;
    }
    return violation;
}

/* Minimises the quadratic model over d by coordinate descent; u receives
 * X d + d_b (the change of the decision values along d). */
static void l1_direction(const struct l1_problem *pr, const double *theta, const double *g,
                         const double *dw, const double *hdiag, double *d, double *u)
{
    size_t p = pr->p, n = pr->n;
    memset(d, 0, (p + 1) * sizeof *d);
    memset(u, 0, n * sizeof *u);

    for (int pass = 0; pass < MAX_INNER_PASSES; pass++) {
        double largest_change = 0.0, largest_value = 0.0;
        for (size_t j = 0; j <= p; j++) {
            /* Gradient of the quadratic model in coordinate j: g_j + (H d)_j. */
            double grad = g[j];
            for (size_t i = 0; i < n; i++)
                grad += dw[i] * (j < p ? pr->x[i * pr->ld + j] : 1.0) * u[i];
            double h = hdiag[j] + DIAGONAL_SHIFT;
            double delta;
            if (j == p) {
                delta = -grad / h;
            } else {
                /* Soft-threshold the new coefficient v = w_j + d_j. */
                double v = theta[j] + d[j];
                double z = v - grad / h;
                double shrunk = fabs(z) > 1.0 / h ? z - copysign(1.0 / h, z) : 0.0;
                delta = shrunk - v;
            }
            if (delta == 0.0)
                continue;
            d[j] += delta;
            for (size_t i = 0; i < n; i++)
                u[i] += delta * (j < p ? pr->x[i * pr->ld + j] : 1.0);
            if (fabs(delta) > largest_change)
                largest_change = fabs(delta);
            if (fabs(theta[j] + d[j]) > largest_value)
                largest_value = fabs(theta[j] + d[j]);
        }
        if (largest_change <= 1e-12 * (1.0 + largest_value))
            break;
    }
}

calci_status ci_logreg_l1_fit(const double *x, size_t n, size_t p, size_t ld, const int *labels,
                              const double *weights, double C, double *w, double *b,
                              calci_error *error)
{
    if (!(C > 0.0) || !isfinite(C))
        return ci_fail(error, CALCI_ERR_ARGUMENT,
                       "L1 logistic regression: C = %g, expected > 0", C);
    if (n == 0)
        return ci_fail(error, CALCI_ERR_DATA, "L1 logistic regression: no cases");
    if (p > SIZE_MAX / 8 / sizeof(double) - 8 || n > SIZE_MAX / 8 / sizeof(double) - 8)
        return ci_fail(error, CALCI_ERR_NO_MEMORY,
                       "L1 logistic regression: %zu cases x %zu features is too large", n, p);

    size_t q = p + 1;
    double *buf = malloc((5 * q + 6 * n) * sizeof *buf);
    if (buf == NULL)
        return ci_fail(error, CALCI_ERR_NO_MEMORY, "L1 logistic regression: out of memory");
    double *theta = buf, *trial = theta + q, *g = trial + q, *hdiag = g + q, *d = hdiag + q;
    double *f = d + q, *f_trial = f + n, *dw = f_trial + n, *u = dw + n, *t = u + n, *s = t + n;

    double sample_total = 0.0;
    for (size_t i = 0; i < n; i++) {
        t[i] = labels[i] == 1 ? 1.0 : 0.0;
        s[i] = weights ? weights[i] : 1.0;
        sample_total += s[i];
    }
    struct l1_problem pr = {x, n, p, ld, t, s, C};
    double tol = 1e-10 * (1.0 + C * sample_total);
    calci_status status = CALCI_ERR_NUMERIC;

    memset(theta, 0, q * sizeof *theta);
    double value = l1_objective(&pr, theta, f);
    for (int iter = 0; iter < MAX_OUTER_ITERATIONS; iter++) {
        if (l1_derivatives(&pr, theta, f, g, dw, hdiag) <= tol) {
            status = CALCI_OK;
            break;
        }
        l1_direction(&pr, theta, g, dw, hdiag, d, u);

        /* Predicted decrease: g'd + ||w + d||_1 - ||w||_1 (negative). */
        double decrease = 0.0;
        for (size_t j = 0; j < q; j++)
            decrease += g[j] * d[j];
        for (size_t j = 0; j < p; j++)
            decrease += fabs(theta[j] + d[j]) - fabs(theta[j]);

        double step = 1.0, trial_value = value;
        double rounding = 64.0 * DBL_EPSILON * (fabs(value) + 1.0);
        int accepted = 0;
        for (int halving = 0; halving < MAX_HALVINGS; halving++, step *= 0.5) {
            for (size_t j = 0; j < q; j++)
                trial[j] = theta[j] + step * d[j];
            trial_value = l1_objective(&pr, trial, f_trial);
            /* Near the optimum the decrease falls below the rounding error of
             * the objective (a sum of n terms); a step within it is accepted. */
            if (trial_value <= value + 0.01 * step * decrease + rounding) {
                accepted = 1;
                break;
            }
        }
        if (!accepted) {
            /* No representable decrease: converged to rounding when close. */
            if (l1_derivatives(&pr, theta, f, g, dw, hdiag) <= 1e3 * tol)
                status = CALCI_OK;
            break;
        }
        memcpy(theta, trial, q * sizeof *theta);
        memcpy(f, f_trial, n * sizeof *f);
        value = trial_value;
    }

    if (status == CALCI_OK) {
        memcpy(w, theta, p * sizeof *w);
        *b = theta[p];
    } else {
        ci_fail(error, CALCI_ERR_NUMERIC,
                "L1 logistic regression did not converge (%zu cases, %zu features, C = %g)", n,
                p, C);
    }
    free(buf);
    return status;
}
