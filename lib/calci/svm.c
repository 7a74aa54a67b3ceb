/*
 * svm.c - linear C-SVM (hinge loss, unpenalised bias) solved in the dual by
 * SMO, as libsvm and scikit-learn's SVC(kernel='linear', C) define it, and
 * Platt scaling of its decision values.
 *
 * Dual: min 0.5 a'Qa - e'a subject to y'a = 0, 0 <= a_i <= C_i, with
 * Q_ij = y_i y_j K_ij and K_ij = x_i.x_j. G = Qa - e is the gradient.
 * Working set (Fan, Chen and Lin 2005, libsvm's second-order selection):
 *   i = argmax { -y_t G_t : t in I_up },
 *   j = argmin { -b_t^2 / a_t : t in I_low, -y_t G_t < -y_i G_i },
 *   b_t = -y_i G_i + y_t G_t,  a_t = K_ii + K_tt - 2 K_it (1e-12 when <= 0),
 * with I_up = {y=+1, a<C} u {y=-1, a>0}, I_low = {y=+1, a>0} u {y=-1, a<C}.
 * Stop when max_{I_up} -y G - min_{I_low} -y G <= tol (libsvm's eps).
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model_internal.h"

#define TAU 1e-12

static int in_up(int y, double a, double c) { return y > 0 ? a < c : a > 0.0; }
static int in_low(int y, double a, double c) { return y > 0 ? a > 0.0 : a < c; }

/* libsvm's rho: mean of y_i G_i over free a_i, else the midpoint of the
 * interval the bounded a_i allow. A case with bound C_i = 0 (sample weight
 * 0) is left out, as scikit-learn's libsvm drops such cases before solving. */
static double compute_rho(const int *y, const double *alpha, const double *upper,
                          const double *grad, size_t n)
{
    double ub = INFINITY, lb = -INFINITY, sum_free = 0.0;
    size_t n_free = 0;

    for (size_t i = 0; i < n; i++) {
        double yg = y[i] * grad[i];
        if (!(upper[i] > 0.0))
            continue;
        if (alpha[i] >= upper[i]) {
            if (y[i] < 0)
                ub = fmin(ub, yg);
            else
                lb = fmax(lb, yg);
        } else if (alpha[i] <= 0.0) {
            if (y[i] > 0)
                ub = fmin(ub, yg);
            else
                lb = fmax(lb, yg);
        } else {
            n_free++;
            sum_free += yg;
        }
    }
    if (n_free > 0)
        return sum_free / (double)n_free;
    return (ub + lb) / 2.0;
}

calci_status ci_svm_solve_dual(const double *kernel, size_t n, const int *labels,
                               const double *weights, double C, double tol, int warm_start,
                               double *alpha, double *b, calci_error *error)
{
    if (!(C > 0.0) || !isfinite(C))
        return ci_fail(error, CALCI_ERR_ARGUMENT, "SVM: C = %g, expected > 0", C);
    if (n < 2)
        return ci_fail(error, CALCI_ERR_DATA, "SVM: %zu case(s), expected at least 2", n);

    int *y = malloc(n * sizeof *y);
    double *a = calloc(n, sizeof *a);
    double *grad = malloc(n * sizeof *grad);
    double *upper = malloc(n * sizeof *upper);
    if (y == NULL || a == NULL || grad == NULL || upper == NULL) {
        free(y);
        free(a);
        free(grad);
        free(upper);
        return ci_fail(error, CALCI_ERR_NO_MEMORY, "SVM: out of memory");
    }
    size_t n_pos = 0;
    for (size_t i = 0; i < n; i++) {
        y[i] = labels[i] == 1 ? 1 : -1;
        n_pos += y[i] > 0;
        grad[i] = -1.0;
        upper[i] = C * (weights ? weights[i] : 1.0);
        if (warm_start && alpha != NULL)
            a[i] = fmin(fmax(alpha[i], 0.0), upper[i]);
    }
    if (n_pos == 0 || n_pos == n) {
        free(y);
        free(a);
        free(grad);
        free(upper);
        return ci_fail(error, CALCI_ERR_DATA, "SVM: %zu positive and %zu negative cases, "
                       "expected both classes", n_pos, n - n_pos);
    }

    /* A warm start is feasible for any kernel when it satisfies y'a = 0 (the
     * caller passes a previous solution); G = Qa - e is rebuilt for this kernel. */
    if (warm_start && alpha != NULL) {
        double balance = 0.0, scale = 0.0;
        for (size_t i = 0; i < n; i++) {
            balance += y[i] * a[i];
            scale += a[i];
        }
        if (fabs(balance) > 1e-12 * (scale + 1.0))
            memset(a, 0, n * sizeof *a);
        for (size_t t = 0; t < n; t++)
            for (size_t i = 0; i < n; i++)
                if (a[i] != 0.0)
                    grad[t] += y[t] * y[i] * kernel[t * n + i] * a[i];
    }

    /* Same iteration cap as libsvm: max(10^7, 100 n). */
    size_t max_iter = n > SIZE_MAX / 100 ? SIZE_MAX : (100 * n > 10000000 ? 100 * n : 10000000);
    calci_status status = CALCI_ERR_NUMERIC;

    for (size_t iter = 0; iter < max_iter; iter++) {
        size_t i = SIZE_MAX, j = SIZE_MAX;
        double g_max = -INFINITY, g_min = INFINITY, best = INFINITY;

        for (size_t t = 0; t < n; t++)
            if (in_up(y[t], a[t], upper[t]) && -y[t] * grad[t] > g_max) {
                g_max = -y[t] * grad[t];
                i = t;
            }
        if (i == SIZE_MAX) {
            status = CALCI_OK;
            break;
        }
        const double *ki = kernel + i * n;
        for (size_t t = 0; t < n; t++) {
            if (!in_low(y[t], a[t], upper[t]))
                continue;
            double v = -y[t] * grad[t];
            if (v < g_min)
                g_min = v;
            if (v < g_max) {
                double bt = g_max - v;
                double at = ki[i] + kernel[t * n + t] - 2.0 * ki[t];
                if (at <= 0.0)
                    at = TAU;
                if (-bt * bt / at < best) {
                    best = -bt * bt / at;
                    j = t;
                }
            }
        }
        if (g_max - g_min <= tol || j == SIZE_MAX) {
            status = CALCI_OK;
            break;
        }

        /* Move a_i by y_i s and a_j by -y_j s, which keeps y'a fixed. The
         * objective along s has slope -(g_max + y_j G_j) and curvature a_ij. */
        const double *kj = kernel + j * n;
        double curvature = ki[i] + kj[j] - 2.0 * ki[j];
        if (curvature <= 0.0)
            curvature = TAU;
        double step = (g_max + y[j] * grad[j]) / curvature;
        double room_i = y[i] > 0 ? upper[i] - a[i] : a[i];
        double room_j = y[j] > 0 ? a[j] : upper[j] - a[j];
        int clip_i = 0, clip_j = 0;
        if (step >= room_i) {
            step = room_i;
            clip_i = 1;
        }
        if (step >= room_j) {
            step = room_j;
            clip_i = step == room_i;
            clip_j = 1;
        }

        a[i] += y[i] * step;
        a[j] -= y[j] * step;
        /* Land exactly on a bound when clipped, so that I_up / I_low see it. */
        if (clip_i)
            a[i] = y[i] > 0 ? upper[i] : 0.0;
        if (clip_j)
            a[j] = y[j] > 0 ? 0.0 : upper[j];

        for (size_t t = 0; t < n; t++)
            grad[t] += y[t] * step * (ki[t] - kj[t]);
    }

    if (status == CALCI_OK) {
        *b = -compute_rho(y, a, upper, grad, n);
        if (alpha)
            memcpy(alpha, a, n * sizeof *a);
    } else {
        ci_fail(error, CALCI_ERR_NUMERIC, "SVM: SMO did not converge in %zu iterations "
                "(%zu cases, C = %g)", max_iter, n, C);
    }
    free(y);
    free(a);
    free(grad);
    free(upper);
    return status;
}

calci_status ci_svm_fit(const double *x, size_t n, size_t p, size_t ld, const int *labels,
                        const double *weights, double C, double *w, double *b,
                        calci_error *error)
{
    if (n > SIZE_MAX / sizeof(double) / (n + 1))
        return ci_fail(error, CALCI_ERR_NO_MEMORY, "SVM: %zu cases is too many", n);
    double *kernel = malloc(n * n * sizeof *kernel + 1);
    double *alpha = malloc((n + 1) * sizeof *alpha);
    if (kernel == NULL || alpha == NULL) {
        free(kernel);
        free(alpha);
        return ci_fail(error, CALCI_ERR_NO_MEMORY, "SVM: out of memory");
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = i; j < n; j++) {
            double s = 0.0;
            for (size_t f = 0; f < p; f++)
                s += x[i * ld + f] * x[j * ld + f];
            kernel[i * n + j] = s;
            kernel[j * n + i] = s;
        }

    calci_status status = ci_svm_solve_dual(kernel, n, labels, weights, C, 1e-6, 0, alpha, b,
                                            error);
    if (status == CALCI_OK) {
        for (size_t f = 0; f < p; f++)
            w[f] = 0.0;
        for (size_t i = 0; i < n; i++) {
            double coef = labels[i] == 1 ? alpha[i] : -alpha[i];
            if (coef != 0.0)
                for (size_t f = 0; f < p; f++)
                    w[f] += coef * x[i * ld + f];
        }
    }
    free(kernel);
    free(alpha);
    return status;
}

double ci_platt_score(double f, double a, double b)
{
    double z = a * f + b;
    if (z >= 0.0) {
        double e = exp(-z);
        return e / (1.0 + e);
    }
    return 1.0 / (1.0 + exp(z));
}

/* Negative log-likelihood of targets t under P = 1 / (1 + exp(A f + B)). */
static double platt_nll(const double *f, const double *t, size_t n, double a, double b)
{
    double sum = 0.0;
    for (size_t i = 0; i < n; i++) {
        double z = a * f[i] + b;
        if (z >= 0.0)
            sum += t[i] * z + log1p(exp(-z));
        else
            sum += (t[i] - 1.0) * z + log1p(exp(z));
    }
    return sum;
}

calci_status ci_platt_fit(const double *f, const int *labels, size_t n, double *a, double *b,
                          calci_error *error)
{
    size_t n_pos = 0;
    for (size_t i = 0; i < n; i++)
        n_pos += labels[i] == 1;
    size_t n_neg = n - n_pos;
    if (n_pos == 0 || n_neg == 0)
        return ci_fail(error, CALCI_ERR_DATA, "Platt scaling: %zu positive and %zu negative "
                       "cases, expected both classes", n_pos, n_neg);

    double *t = malloc(n * sizeof *t);
    if (t == NULL)
        return ci_fail(error, CALCI_ERR_NO_MEMORY, "Platt scaling: out of memory");
    double hi = ((double)n_pos + 1.0) / ((double)n_pos + 2.0);
    double lo = 1.0 / ((double)n_neg + 2.0);
    for (size_t i = 0; i < n; i++)
        t[i] = labels[i] == 1 ? hi : lo;

    double A = 0.0, B = log(((double)n_neg + 1.0) / ((double)n_pos + 1.0));
    double value = platt_nll(f, t, n, A, B);
    for (int iter = 0; iter < 100; iter++) {
        /* Gradient and Hessian (plus 1e-12 on the diagonal) of the NLL. */
        double h11 = 1e-12, h22 = 1e-12, h21 = 0.0, g1 = 0.0, g2 = 0.0;
        for (size_t i = 0; i < n; i++) {
            double prob = ci_platt_score(f[i], A, B); /* P(y = 1) */
            double d2 = prob * (1.0 - prob);
            double d1 = t[i] - prob;
            h11 += f[i] * f[i] * d2;
            h22 += d2;
            h21 += f[i] * d2;
            g1 += f[i] * d1;
            g2 += d1;
        }
        if (fabs(g1) < 1e-5 && fabs(g2) < 1e-5)
            break;

        double det = h11 * h22 - h21 * h21;
        double dA = -(h22 * g1 - h21 * g2) / det;
        double dB = -(-h21 * g1 + h11 * g2) / det;
        double slope = g1 * dA + g2 * dB;
        double step = 1.0;
        while (step >= 1e-10) {
            double trial = platt_nll(f, t, n, A + step * dA, B + step * dB);
            if (trial < value + 1e-4 * step * slope) {
                A += step * dA;
                B += step * dB;
                value = trial;
                break;
            }
            step /= 2.0;
        }
        if (step < 1e-10)
            break; /* no further decrease: keep the current (A, B) */
    }
    free(t);
    *a = A;
    *b = B;
    return CALCI_OK;
}
