/*
 * calibration.c - calibration of predicted probabilities: Brier score,
 * logistic recalibration (calibration intercept and slope), reliability
 * table and decision-curve net benefit.
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "model_internal.h"

#define MAX_NEWTON_ITERATIONS 100
#define MAX_HALVINGS 60

/* Valid entries (label 0/1, non-NaN score) copied out of the inputs. */
struct valid_entries {
    size_t m, n_pos;
    double *score;
    int *label;
    size_t *position; /* index in the input */
};

static void valid_free(struct valid_entries *v)
{
    free(v->score);
    free(v->label);
    free(v->position);
}

/* Checks the inputs and collects the valid entries; what names the caller. */
static calci_status collect_valid(const char *what, const double *scores, const int *labels,
                                  size_t n, struct valid_entries *v, calci_error *error)
{
    v->m = v->n_pos = 0;
    v->score = NULL;
    v->label = NULL;
    v->position = NULL;
    if (scores == NULL || labels == NULL)
        return ci_fail(error, CALCI_ERR_ARGUMENT, "%s: scores and labels must not be NULL",
                       what);
    for (size_t i = 0; i < n; i++) {
        if (labels[i] != -1 && labels[i] != 0 && labels[i] != 1)
            return ci_fail(error, CALCI_ERR_ARGUMENT,
                           "%s: label %d at position %zu, expected -1, 0 or 1", what, labels[i],
                           i);
        if (!isnan(scores[i]) && !(scores[i] >= 0.0 && scores[i] <= 1.0))
            return ci_fail(error, CALCI_ERR_ARGUMENT,
                           "%s: score %g at position %zu, expected a probability in [0, 1]",
                           what, scores[i], i);
    }
    v->score = malloc((n + 1) * sizeof *v->score);
    v->label = malloc((n + 1) * sizeof *v->label);
    v->position = malloc((n + 1) * sizeof *v->position);
    if (!v->score || !v->label || !v->position) {
        valid_free(v);
        return ci_fail(error, CALCI_ERR_NO_MEMORY, "%s: out of memory", what);
    }
    for (size_t i = 0; i < n; i++) {
        if (labels[i] == -1 || isnan(scores[i]))
            continue;
        v->score[v->m] = scores[i];
        v->label[v->m] = labels[i];
        v->position[v->m] = i;
        v->n_pos += labels[i] == 1;
        v->m++;
    }
    if (v->m == 0) {
        valid_free(v);
        return ci_fail(error, CALCI_ERR_DATA,
                       "%s: no entry with label 0 or 1 and a score (of %zu)", what, n);
    }
    return CALCI_OK;
}

calci_status calci_brier_score(const double *scores, const int *labels, size_t n, double *brier,
                               calci_error *error)
{
    struct valid_entries v;
    if (brier == NULL)
        return ci_fail(error, CALCI_ERR_ARGUMENT, "Brier score: brier must not be NULL");
    calci_status status = collect_valid("Brier score", scores, labels, n, &v, error);
    if (status != CALCI_OK)
        return status;
    double sum = 0.0;
    for (size_t i = 0; i < v.m; i++) {
        double d = v.score[i] - (double)v.label[i];
        sum += d * d;
    }
    *brier = sum / (double)v.m;
    valid_free(&v);
    return CALCI_OK;
}

/* log(1 + exp(z)) without overflow. */
static double softplus(double z)
{
    return z > 0.0 ? z + log1p(exp(-z)) : log1p(exp(z));
}

/* Negative log-likelihood of logit P(y = 1) = a + b lp_i. */
static double recalibration_nll(const double *lp, const int *y, size_t m, double a, double b)
{
    double sum = 0.0;
    for (size_t i = 0; i < m; i++) {
        double eta = a + b * lp[i];
        sum += softplus(eta) - (y[i] == 1 ? eta : 0.0);
    }
    return sum;
}

/*
 * Maximum-likelihood fit of logit P(y = 1) = a + b lp by Newton's method
 * with backtracking; with fixed_slope the slope stays at *b and only a is
 * fitted (the offset model). Stops when the largest gradient component is
 * below 1e-12 (1 + m).
 */
static calci_status fit_recalibration(const double *lp, const int *y, size_t m, int fixed_slope,
                                      double *a_out, double *b_out, calci_error *error)
{
    double a = 0.0, b = *b_out;
    double value = recalibration_nll(lp, y, m, a, b);
    double tol = 1e-12 * (1.0 + (double)m);

    for (int iter = 0; iter < MAX_NEWTON_ITERATIONS; iter++) {
        double ga = 0.0, gb = 0.0, haa = 0.0, hab = 0.0, hbb = 0.0;
        for (size_t i = 0; i < m; i++) {
            double prob = ci_logistic(a + b * lp[i]);
            double r = prob - (y[i] == 1 ? 1.0 : 0.0);
            double w = prob * (1.0 - prob);
            ga += r;
            gb += r * lp[i];
            haa += w;
            hab += w * lp[i];
            hbb += w * lp[i] * lp[i];
        }
        if (fabs(ga) <= tol && (fixed_slope || fabs(gb) <= tol)) {
            *a_out = a;
            *b_out = b;
            return CALCI_OK;
        }

        double da, db = 0.0;
        if (fixed_slope) {
            da = haa > 0.0 ? ga / haa : 0.0;
        } else {
            double det = haa * hbb - hab * hab;
            if (!(det > 0.0))
                break;
            da = (hbb * ga - hab * gb) / det;
            db = (haa * gb - hab * ga) / det;
        }
        double slope = ga * da + gb * db, step = 1.0;
        int accepted = 0;
        for (int halving = 0; halving < MAX_HALVINGS; halving++, step *= 0.5) {
            double trial = recalibration_nll(lp, y, m, a - step * da, b - step * db);
            if (trial <= value - 1e-4 * step * slope + 64.0 * DBL_EPSILON * (value + 1.0)) {
                a -= step * da;
                b -= step * db;
                value = trial;
                accepted = 1;
                break;
            }
        }
        if (!accepted)
            break;
    }
    return ci_fail(error, CALCI_ERR_NUMERIC,
                   "calibration: the logistic recalibration did not converge (%zu entries); the "
                   "logits may separate the classes",
                   m);
}

calci_status calci_calibration(const double *scores, const int *labels, size_t n,
                               double *intercept, double *slope, calci_error *error)
{
    struct valid_entries v;
    calci_status status = collect_valid("calibration", scores, labels, n, &v, error);
    if (status != CALCI_OK)
        return status;

    if (v.n_pos == 0 || v.n_pos == v.m) {
        status = ci_fail(error, CALCI_ERR_DATA,
                         "calibration: %zu positive and %zu negative entries, expected both "
                         "classes",
                         v.n_pos, v.m - v.n_pos);
        goto done;
    }
    int all_equal = 1;
    for (size_t i = 0; i < v.m; i++) {
        double p = v.score[i];
        if (p == 0.0 || p == 1.0) {
            status = ci_fail(error, CALCI_ERR_DATA,
                             "calibration: score %g at position %zu has an infinite logit, "
                             "expected a probability strictly between 0 and 1",
                             p, v.position[i]);
            goto done;
        }
        v.score[i] = log(p) - log1p(-p); /* lp = logit(p), in place */
        all_equal &= v.score[i] == v.score[0];
    }
    if (all_equal && slope != NULL) {
        status = ci_fail(error, CALCI_ERR_DATA,
                         "calibration: all %zu scores are equal, so the slope is undefined", v.m);
        goto done;
    }

    double a = 0.0, b = 1.0;
    if (intercept != NULL) {
        status = fit_recalibration(v.score, v.label, v.m, 1, &a, &b, error);
        if (status != CALCI_OK)
            goto done;
    }
    double a2 = 0.0, b2 = 1.0;
    if (slope != NULL) {
        status = fit_recalibration(v.score, v.label, v.m, 0, &a2, &b2, error);
        if (status != CALCI_OK)
            goto done;
    }
    if (intercept != NULL)
        *intercept = a;
    if (slope != NULL)
        *slope = b2;

done:
    valid_free(&v);
    return status;
}

struct ranked_score {
    double score;
    size_t position;
    int label;
};

static int compare_score(const void *pa, const void *pb)
{
    const struct ranked_score *a = pa, *b = pb;
    if (a->score < b->score)
        return -1;
    if (a->score > b->score)
        return 1;
    return (a->position > b->position) - (a->position < b->position);
}

calci_status calci_reliability_table(const double *scores, const int *labels, size_t n,
                                     size_t n_bins, size_t *counts, double *mean_score,
                                     double *observed, calci_error *error)
{
    if (n_bins == 0 || counts == NULL || mean_score == NULL || observed == NULL)
        return ci_fail(error, CALCI_ERR_ARGUMENT,
                       "reliability table: n_bins must be at least 1 and the outputs not NULL");
    struct valid_entries v;
    calci_status status = collect_valid("reliability table", scores, labels, n, &v, error);
    if (status != CALCI_OK)
        return status;
    struct ranked_score *sorted = malloc(v.m * sizeof *sorted);
    if (sorted == NULL) {
        valid_free(&v);
        return ci_fail(error, CALCI_ERR_NO_MEMORY, "reliability table: out of memory");
    }
    for (size_t i = 0; i < v.m; i++) {
        sorted[i].score = v.score[i];
        sorted[i].position = v.position[i];
        sorted[i].label = v.label[i];
    }
    qsort(sorted, v.m, sizeof *sorted, compare_score);

    for (size_t g = 0; g < n_bins; g++) {
        /* Ranks [floor(g m / bins), floor((g + 1) m / bins)), without overflow. */
        size_t lo = (size_t)((double)g * (double)v.m / (double)n_bins);
        size_t hi = (size_t)((double)(g + 1) * (double)v.m / (double)n_bins);
        if (hi > v.m)
            hi = v.m;
        double sum = 0.0, positives = 0.0;
        for (size_t r = lo; r < hi; r++) {
            sum += sorted[r].score;
            positives += sorted[r].label == 1;
        }
        counts[g] = hi - lo;
        mean_score[g] = hi > lo ? sum / (double)(hi - lo) : NAN;
        observed[g] = hi > lo ? positives / (double)(hi - lo) : NAN;
    }
    free(sorted);
    valid_free(&v);
    return CALCI_OK;
}

calci_status calci_net_benefit(const double *scores, const int *labels, size_t n,
                               const double *thresholds, size_t n_thresholds,
                               double *net_benefit, double *treat_all, calci_error *error)
{
    if (thresholds == NULL || net_benefit == NULL)
        return ci_fail(error, CALCI_ERR_ARGUMENT,
                       "net benefit: thresholds and net_benefit must not be NULL");
    for (size_t j = 0; j < n_thresholds; j++)
        if (!(thresholds[j] > 0.0 && thresholds[j] < 1.0))
            return ci_fail(error, CALCI_ERR_ARGUMENT,
                           "net benefit: threshold %g at position %zu, expected a probability "
                           "in (0, 1)",
                           thresholds[j], j);
    struct valid_entries v;
    calci_status status = collect_valid("net benefit", scores, labels, n, &v, error);
    if (status != CALCI_OK)
        return status;

    double m = (double)v.m, prevalence = (double)v.n_pos / m;
    for (size_t j = 0; j < n_thresholds; j++) {
        double t = thresholds[j], odds = t / (1.0 - t);
        size_t tp = 0, fp = 0;
        for (size_t i = 0; i < v.m; i++)
            if (v.score[i] >= t) {
                tp += v.label[i] == 1;
                fp += v.label[i] == 0;
            }
        net_benefit[j] = (double)tp / m - (double)fp / m * odds;
        if (treat_all != NULL)
            treat_all[j] = prevalence - (1.0 - prevalence) * odds;
    }
    valid_free(&v);
    return CALCI_OK;
}
