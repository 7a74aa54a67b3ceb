/*
 * roc.c - ROC curve, AUC, DeLong variance and confidence interval, DeLong's
 * test for paired curves and operating points, following R's pROC 1.18.
 *
 * Conventions (as pROC):
 * - Controls are label 0, cases label 1. Direction "auto" compares medians:
 *   LOWER (pROC ">") when median(controls) > median(cases), else HIGHER
 *   (pROC "<"). R's median is the mean of the two middle values.
 * - Thresholds are -Inf, the midpoints of successive distinct scores and
 *   +Inf. HIGHER calls a case positive when score >= t and lists thresholds
 *   ascending; LOWER calls it positive when score <= t and lists them
 *   descending, so both curves start at sensitivity 1.
 * - Placement values (DeLong et al. 1988), computed from one sort of the
 *   pooled scores as in Sun & Xu 2014:
 *     V10(x_i) = (#controls ranked below x_i + #tied controls / 2) / n
 *     V01(y_j) = (#cases ranked above y_j + #tied cases / 2) / m
 *   where m = cases, n = controls, and "below" means on the control side of
 *   the direction. AUC = mean V10 = mean V01 (tied pairs count one half).
 * - Var(AUC) = S10 / m + S01 / n with S10, S01 the sample variances
 *   (denominator m - 1, n - 1) of V10 and V01.
 */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "internal.h"

struct calci_roc {
    calci_direction direction;    /* HIGHER or LOWER, never AUTO */
    size_t n_cases;               /* m: label 1 */
    size_t n_controls;            /* n: label 0 */
    size_t *case_rows;            /* input index of each case, in input order */
    size_t *control_rows;         /* input index of each control, in input order */
    double *case_placements;      /* V10, in the order of case_rows */
    double *control_placements;   /* V01, in the order of control_rows */
    double auc;
    double variance;              /* DeLong; NaN when m or n is 1 */
    size_t n_points;              /* distinct scores + 1 */
    double *thresholds;           /* in curve order, sensitivity 1 first */
    double *sensitivities;
    double *specificities;
};

/* One valid observation: its sort key (see score_key), its score and its
 * slot (case i -> i, control j -> m + j). */
typedef struct ci_scored {
    uint64_t key;
    double score;
    size_t slot;
} ci_scored;

/* Maps a non-NaN double to an unsigned integer of the same order: positive
 * numbers get the sign bit set, negative numbers have all bits flipped.
 * -0.0 sorts just below +0.0, which compare equal and so share a group. */
static uint64_t score_key(double score)
{
    uint64_t bits;

    memcpy(&bits, &score, sizeof bits);
    return (bits >> 63) ? ~bits : bits | (UINT64_C(1) << 63);
}

/*
 * Sorts by key with a least-significant-digit radix sort (8 passes of 8
 * bits, a pass skipped when all keys share its digit), linear in count.
 * buffer has room for count entries.
 */
static void sort_scored(ci_scored *items, ci_scored *buffer, size_t count)
{
    ci_scored *from = items, *to = buffer;

    for (int shift = 0; shift < 64; shift += 8) {
        size_t offsets[256] = {0};

        for (size_t i = 0; i < count; i++)
            offsets[(from[i].key >> shift) & 0xff]++;
        if (offsets[(from[0].key >> shift) & 0xff] == count)
            continue;
        for (size_t d = 0, sum = 0; d < 256; d++) {
            size_t bucket = offsets[d];

            offsets[d] = sum;
            sum += bucket;
        }
        for (size_t i = 0; i < count; i++)
            to[offsets[(from[i].key >> shift) & 0xff]++] = from[i];

        ci_scored *swap = from;
        from = to;
        to = swap;
    }
    if (from != items)
        memcpy(items, from, count * sizeof *items);
}

void calci_roc_free(calci_roc *roc)
{
    if (roc == NULL)
        return;
    free(roc->case_rows);
    free(roc->control_rows);
    free(roc->case_placements);
    free(roc->control_placements);
    free(roc->thresholds);
    free(roc->sensitivities);
    free(roc->specificities);
    free(roc);
}

/* R's median of one class (the mean of the two middle values for an even
 * count), read from the sorted observations. */
static double class_median(const ci_scored *sorted, size_t total, size_t m, int want_case,
                           size_t count)
{
    size_t lo = (count - 1) / 2, hi = count / 2, seen = 0;
    double lo_value = NAN;

    for (size_t k = 0; k < total; k++) {
        int is_case = sorted[k].slot < m;

        if (is_case != want_case)
            continue;
        if (seen == lo)
            lo_value = sorted[k].score;
        if (seen == hi)
            return lo_value / 2 + sorted[k].score / 2;
        seen++;
    }
    return lo_value;
}

/* Midpoint of two successive distinct scores a < b. When rounding puts the
 * midpoint on a score, the threshold moves to the score that keeps the
 * decision between a and b: b for HIGHER (score >= t), a for LOWER. */
static double threshold_between(double a, double b, calci_direction direction)
{
    double mid = (a + b) / 2;

    if (!isfinite(mid) && isfinite(a) && isfinite(b))
        mid = a / 2 + b / 2;
    if (direction == CALCI_DIRECTION_HIGHER && mid <= a)
        mid = b;
    if (direction == CALCI_DIRECTION_LOWER && mid >= b)
        mid = a;
    return mid;
}

static calci_status collect(const double *scores, const int *labels, size_t n, calci_roc *roc,
                            calci_error *error)
{
    size_t m = 0, c = 0;

    for (size_t i = 0; i < n; i++) {
        if (labels[i] != -1 && labels[i] != 0 && labels[i] != 1)
            return ci_fail(error, CALCI_ERR_ARGUMENT,
                           "roc: label %d at index %zu is invalid; expected 1, 0 or -1",
                           labels[i], i);
        if (labels[i] == -1 || isnan(scores[i]))
            continue;
        if (labels[i] == 1)
            m++;
        else
            c++;
    }
    if (m == 0 || c == 0)
        return ci_fail(error, CALCI_ERR_DATA,
                       "roc: %zu positive and %zu negative cases with a score; "
                       "both classes need at least one",
                       m, c);

    roc->n_cases = m;
    roc->n_controls = c;
    roc->case_rows = malloc(m * sizeof *roc->case_rows);
    roc->control_rows = malloc(c * sizeof *roc->control_rows);
    roc->case_placements = malloc(m * sizeof *roc->case_placements);
    roc->control_placements = malloc(c * sizeof *roc->control_placements);
    if (!roc->case_rows || !roc->control_rows || !roc->case_placements ||
        !roc->control_placements)
        return ci_fail(error, CALCI_ERR_NO_MEMORY, "roc: out of memory for %zu cases", m + c);

    m = c = 0;
    for (size_t i = 0; i < n; i++) {
        if (labels[i] == -1 || isnan(scores[i]))
            continue;
        if (labels[i] == 1)
            roc->case_rows[m++] = i;
        else
            roc->control_rows[c++] = i;
    }
    return CALCI_OK;
}

/* Reverses the point order, so that a LOWER curve lists thresholds from
 * +Inf down to -Inf and, like pROC, starts at sensitivity 1. */
static void reverse_points(calci_roc *roc)
{
    for (size_t i = 0, j = roc->n_points - 1; i < j; i++, j--) {
        double t = roc->thresholds[i], se = roc->sensitivities[i], sp = roc->specificities[i];

        roc->thresholds[i] = roc->thresholds[j];
        roc->sensitivities[i] = roc->sensitivities[j];
        roc->specificities[i] = roc->specificities[j];
        roc->thresholds[j] = t;
        roc->sensitivities[j] = se;
        roc->specificities[j] = sp;
    }
}

/*
 * Walks the sorted observations group by group (a group shares one score)
 * and fills the placement values, the AUC and the curve points.
 */
static calci_status walk_groups(const ci_scored *sorted, calci_roc *roc, calci_error *error)
{
    size_t m = roc->n_cases, n = roc->n_controls, total = m + n;
    size_t groups = 1, cases_below = 0, controls_below = 0, point = 0;
    uint64_t twice_auc_sum = 0;  /* sum over cases of 2 * n * V10 (an integer) */
    int higher = roc->direction == CALCI_DIRECTION_HIGHER;

    for (size_t k = 1; k < total; k++)
        groups += sorted[k].score != sorted[k - 1].score;

    roc->n_points = groups + 1;
    roc->thresholds = malloc(roc->n_points * sizeof *roc->thresholds);
    roc->sensitivities = malloc(roc->n_points * sizeof *roc->sensitivities);
    roc->specificities = malloc(roc->n_points * sizeof *roc->specificities);
    if (!roc->thresholds || !roc->sensitivities || !roc->specificities)
        return ci_fail(error, CALCI_ERR_NO_MEMORY, "roc: out of memory for %zu curve points",
                       roc->n_points);

    for (size_t start = 0; start < total;) {
        size_t end = start, tied_cases = 0, tied_controls = 0;

        while (end < total && sorted[end].score == sorted[start].score) {
            tied_cases += sorted[end].slot < m;
            end++;
        }
        tied_controls = (end - start) - tied_cases;

        /* Point before this group: threshold below its score. */
        roc->thresholds[point] =
            start == 0 ? -INFINITY
                       : threshold_between(sorted[start - 1].score, sorted[start].score,
                                           roc->direction);
        roc->sensitivities[point] =
            higher ? (double)(m - cases_below) / m : (double)cases_below / m;
        roc->specificities[point] =
            higher ? (double)controls_below / n : (double)(n - controls_below) / n;
        point++;

        /* Controls on the negative side of a case: below it for HIGHER,
         * above it for LOWER; cases on the positive side of a control. */
        size_t controls_outranked = higher ? controls_below : n - controls_below - tied_controls;
        size_t cases_outranking = higher ? m - cases_below - tied_cases : cases_below;
        uint64_t twice_case = 2 * (uint64_t)controls_outranked + tied_controls;
        uint64_t twice_control = 2 * (uint64_t)cases_outranking + tied_cases;

        for (size_t k = start; k < end; k++) {
            size_t slot = sorted[k].slot;

            if (slot < m) {
                roc->case_placements[slot] = (double)twice_case / (2.0 * (double)n);
                twice_auc_sum += twice_case;
            } else {
                roc->control_placements[slot - m] = (double)twice_control / (2.0 * (double)m);
            }
        }

        cases_below += tied_cases;
        controls_below += tied_controls;
        start = end;
    }

    roc->thresholds[point] = INFINITY;
    roc->sensitivities[point] = higher ? 0.0 : 1.0;
    roc->specificities[point] = higher ? 1.0 : 0.0;

    roc->auc = (double)twice_auc_sum / (2.0 * (double)m * (double)n);
    if (!higher)
        reverse_points(roc);
    return CALCI_OK;
}

/* Sample variance of values around a given mean (denominator count - 1). */
static double sample_variance(const double *values, size_t count, double mean)
{
    double sum = 0.0;

    if (count < 2)
        return NAN;
    for (size_t i = 0; i < count; i++)
        sum += (values[i] - mean) * (values[i] - mean);
    return sum / (double)(count - 1);
}

/* Sample covariance of two paired value lists around their means. */
static double sample_covariance(const double *a, double mean_a, const double *b, double mean_b,
                        size_t count)
{
    double sum = 0.0;

    if (count < 2)
        return NAN;
    for (size_t i = 0; i < count; i++)
        sum += (a[i] - mean_a) * (b[i] - mean_b);
    return sum / (double)(count - 1);
}

calci_status calci_roc_create(const double *scores, const int *labels, size_t n,
                              calci_direction direction, calci_roc **out, calci_error *error)
{
    calci_roc *roc;
    ci_scored *sorted;
    calci_status status;
    size_t m, total;

    if (out == NULL || (n > 0 && (scores == NULL || labels == NULL)))
        return ci_fail(error, CALCI_ERR_ARGUMENT, "roc: scores, labels and out must not be NULL");
    if (direction != CALCI_DIRECTION_AUTO && direction != CALCI_DIRECTION_HIGHER &&
        direction != CALCI_DIRECTION_LOWER)
        return ci_fail(error, CALCI_ERR_ARGUMENT,
                       "roc: direction %d is invalid; expected AUTO, HIGHER or LOWER",
                       (int)direction);

    roc = calloc(1, sizeof *roc);
    if (roc == NULL)
        return ci_fail(error, CALCI_ERR_NO_MEMORY, "roc: out of memory");
    status = collect(scores, labels, n, roc, error);
    if (status != CALCI_OK) {
        calci_roc_free(roc);
        return status;
    }

    m = roc->n_cases;
    total = m + roc->n_controls;
    if (total > UINT32_MAX) {
        calci_roc_free(roc);
        return ci_fail(error, CALCI_ERR_DATA,
                       "roc: %zu scored cases exceed the limit of %" PRIu32
                       " (the exact pair count needs 64 bits)",
                       total, UINT32_MAX);
    }
    sorted = malloc(2 * total * sizeof *sorted);
    if (sorted == NULL) {
        calci_roc_free(roc);
        return ci_fail(error, CALCI_ERR_NO_MEMORY, "roc: out of memory for %zu scores", total);
    }
    for (size_t i = 0; i < m; i++) {
        double score = scores[roc->case_rows[i]];

        sorted[i] = (ci_scored){score_key(score), score, i};
    }
    for (size_t j = 0; j < roc->n_controls; j++) {
        double score = scores[roc->control_rows[j]];

        sorted[m + j] = (ci_scored){score_key(score), score, m + j};
    }
    sort_scored(sorted, sorted + total, total);

    if (direction == CALCI_DIRECTION_AUTO) {
        double case_median = class_median(sorted, total, m, 1, m);
        double control_median = class_median(sorted, total, m, 0, roc->n_controls);

        direction = control_median > case_median ? CALCI_DIRECTION_LOWER
                                                 : CALCI_DIRECTION_HIGHER;
    }
    roc->direction = direction;

    status = walk_groups(sorted, roc, error);
    free(sorted);
    if (status != CALCI_OK) {
        calci_roc_free(roc);
        return status;
    }

    roc->variance = sample_variance(roc->case_placements, m, roc->auc) / (double)m +
                    sample_variance(roc->control_placements, roc->n_controls, roc->auc) /
                        (double)roc->n_controls;
    *out = roc;
    return CALCI_OK;
}

size_t calci_roc_positives(const calci_roc *roc)
{
    return roc ? roc->n_cases : 0;
}

size_t calci_roc_negatives(const calci_roc *roc)
{
    return roc ? roc->n_controls : 0;
}

calci_direction calci_roc_direction(const calci_roc *roc)
{
    return roc ? roc->direction : CALCI_DIRECTION_AUTO;
}

double calci_roc_auc(const calci_roc *roc)
{
    return roc ? roc->auc : NAN;
}

double calci_roc_delong_variance(const calci_roc *roc)
{
    return roc ? roc->variance : NAN;
}

/* Two-sided standard normal quantile z with P(|Z| <= z) = level, or NaN
 * when level is outside (0, 1). */
static double two_sided_quantile(double level)
{
    if (!(level > 0.0 && level < 1.0))
        return NAN;
    return gsl_cdf_ugaussian_Pinv(1.0 - (1.0 - level) / 2.0);
}

/* pROC ci.auc(method = "delong"): AUC -/+ z * sqrt(Var), clipped to [0, 1]. */
void calci_roc_ci_delong(const calci_roc *roc, double level, double *lower, double *upper)
{
    double z = two_sided_quantile(level), half, lo = NAN, hi = NAN;

    if (roc != NULL && !isnan(z)) {
        half = z * sqrt(roc->variance);
        lo = fmax(0.0, roc->auc - half);
        hi = fmin(1.0, roc->auc + half);
        if (isnan(half))
            lo = hi = NAN;
    }
    if (lower)
        *lower = lo;
    if (upper)
        *upper = hi;
}

size_t calci_roc_points(const calci_roc *roc)
{
    return roc ? roc->n_points : 0;
}

void calci_roc_point(const calci_roc *roc, size_t i, double *threshold, double *sensitivity,
                     double *specificity)
{
    int valid = roc != NULL && i < roc->n_points;

    if (threshold)
        *threshold = valid ? roc->thresholds[i] : NAN;
    if (sensitivity)
        *sensitivity = valid ? roc->sensitivities[i] : NAN;
    if (specificity)
        *specificity = valid ? roc->specificities[i] : NAN;
}

/*
 * Best point for one rate: among points whose `floor_rate` is >= target, the
 * one with the highest `best_rate`, then the highest `floor_rate`, then the
 * lowest threshold. Two thresholds never share both rates, because each
 * step of the curve moves at least one observation across.
 */
static double best_threshold(const calci_roc *roc, const double *floor_rate,
                             const double *best_rate, double target)
{
    size_t chosen = SIZE_MAX;

    if (roc == NULL || isnan(target))
        return NAN;
    for (size_t i = 0; i < roc->n_points; i++) {
        if (floor_rate[i] < target)
            continue;
        if (chosen == SIZE_MAX || best_rate[i] > best_rate[chosen] ||
            (best_rate[i] == best_rate[chosen] && floor_rate[i] > floor_rate[chosen]) ||
            (best_rate[i] == best_rate[chosen] && floor_rate[i] == floor_rate[chosen] &&
             roc->thresholds[i] < roc->thresholds[chosen]))
            chosen = i;
    }
    return chosen == SIZE_MAX ? NAN : roc->thresholds[chosen];
}

double calci_roc_threshold_for_sensitivity(const calci_roc *roc, double target)
{
    if (roc == NULL)
        return NAN;
    return best_threshold(roc, roc->sensitivities, roc->specificities, target);
}

double calci_roc_threshold_for_specificity(const calci_roc *roc, double target)
{
    if (roc == NULL)
        return NAN;
    return best_threshold(roc, roc->specificities, roc->sensitivities, target);
}

/* Whether two curves were built from the same valid entries of the input. */
static int same_cases(const calci_roc *a, const calci_roc *b)
{
    return a->n_cases == b->n_cases && a->n_controls == b->n_controls &&
           memcmp(a->case_rows, b->case_rows, a->n_cases * sizeof *a->case_rows) == 0 &&
           memcmp(a->control_rows, b->control_rows,
                  a->n_controls * sizeof *a->control_rows) == 0;
}

/*
 * pROC roc.test(method = "delong", paired = TRUE):
 *   Cov(AUC_a, AUC_b) = S10_ab / m + S01_ab / n  (sample covariances of the
 *   placement values of the same case or control under both curves),
 *   sd = sqrt(Var_a + Var_b - 2 Cov), z = (AUC_a - AUC_b) / sd,
 *   p = 2 Q(|z|), difference CI = AUC_a - AUC_b -/+ q * sd (not clipped).
 * sd is NaN when m or n is 1, or when rounding makes the variance of the
 * difference negative.
 */
calci_status calci_roc_test_delong(const calci_roc *a, const calci_roc *b, double level,
                                   double *z, double *p, double *diff_lower,
                                   double *diff_upper, calci_error *error)
{
    double q = two_sided_quantile(level), covariance, sd, diff, statistic;

    if (a == NULL || b == NULL)
        return ci_fail(error, CALCI_ERR_ARGUMENT, "roc test: both curves must not be NULL");
    if (isnan(q))
        return ci_fail(error, CALCI_ERR_ARGUMENT,
                       "roc test: level %g is invalid; expected a value in (0, 1)", level);
    if (!same_cases(a, b))
        return ci_fail(error, CALCI_ERR_ARGUMENT,
                       "roc test: the curves differ in cases (%zu/%zu positives, %zu/%zu "
                       "negatives, or other entries skipped); a paired test needs the same "
                       "cases in the same order",
                       a->n_cases, b->n_cases, a->n_controls, b->n_controls);

    covariance = sample_covariance(a->case_placements, a->auc, b->case_placements, b->auc,
                           a->n_cases) / (double)a->n_cases +
                 sample_covariance(a->control_placements, a->auc, b->control_placements, b->auc,
                           a->n_controls) / (double)a->n_controls;
    sd = sqrt(a->variance + b->variance - 2.0 * covariance);
    diff = a->auc - b->auc;
    statistic = diff / sd;
    if (diff == 0.0 && sd == 0.0)
        statistic = 0.0;  /* identical curves: pROC reports z = 0, p = 1 */

    if (z)
        *z = statistic;
    if (p)
        *p = 2.0 * gsl_cdf_ugaussian_Q(fabs(statistic));
    if (diff_lower)
        *diff_lower = diff - q * sd;
    if (diff_upper)
        *diff_upper = diff + q * sd;
    return CALCI_OK;
}
