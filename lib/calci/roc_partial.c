/*
 * roc_partial.c - partial AUC with McClish's correction and Youden's best
 * thresholds, read from the curve points as R's pROC 1.18 does.
 */
#include <math.h>
#include <stdlib.h>

#include "internal.h"

/*
 * pROC auc.roc with partial.auc = c(hi, lo): x is the focus rate and y the
 * other, both in ascending x (specificity ascends along the curve;
 * sensitivity descends, so that focus reads the points backwards).
 * Trapezoids join the points with lo <= x <= hi; a bound that is not a
 * point adds the trapezoid to the curve interpolated linearly at that bound,
 * from the nearest point outside the range. When no point lies inside, the
 * area is the range width times the mean of the curve interpolated at both
 * bounds.
 */
static double trapezoid_area(const double *x, const double *y, size_t count, double hi, double lo)
{
    size_t first = count, last = 0, above, below;
    double area = 0.0;

    for (size_t i = 0; i < count; i++)
        if (x[i] <= hi && x[i] >= lo) {
            if (first == count)
                first = i;
            last = i;
        }

    /* above: the first point with x >= hi, as R's match(FALSE, x < hi). */
    for (above = 0; above < count && x[above] < hi; above++)
        ;

    if (first == count) {
        size_t lower = above - 1;
        double span = x[above] - x[lower];
        double y_hi = y[above] + (x[above] - hi) / span * (y[lower] - y[above]);
        double y_lo = y[lower] - (lo - x[lower]) / span * (y[lower] - y[above]);

        return (y_hi + y_lo) / 2.0 * (hi - lo);
    }

    for (size_t i = first; i < last; i++)
        area += (y[i + 1] + y[i]) / 2.0 * (x[i + 1] - x[i]);

    if (x[last] != hi) {
        size_t inside = above - 1;
        double proportion = (hi - x[above]) / (x[inside] - x[above]);
        double y_at = y[above] + proportion * (y[inside] - y[above]);

        area += (hi - x[inside]) * (y[inside] + y_at) / 2.0;
    }
    if (x[first] != lo) {
        below = first - 1;
        double proportion = (x[first] - lo) / (x[first] - x[below]);
        double y_at = y[first] + proportion * (y[below] - y[first]);

        area += (x[first] - lo) * (y[first] + y_at) / 2.0;
    }
    return area;
}

calci_status calci_roc_partial_auc(const calci_roc *roc, calci_focus focus, double from,
                                   double to, int correct, double *auc, calci_error *error)
{
    size_t count;
    double *x, *y, hi = fmax(from, to), lo = fmin(from, to), area;

    if (roc == NULL || auc == NULL)
        return ci_fail(error, CALCI_ERR_ARGUMENT, "partial auc: roc and auc must not be NULL");
    if (focus != CALCI_FOCUS_SPECIFICITY && focus != CALCI_FOCUS_SENSITIVITY)
        return ci_fail(error, CALCI_ERR_ARGUMENT,
                       "partial auc: focus %d is invalid; expected SPECIFICITY or SENSITIVITY",
                       (int)focus);
    if (!(lo >= 0.0 && hi <= 1.0 && lo < hi))
        return ci_fail(error, CALCI_ERR_ARGUMENT,
                       "partial auc: range [%g, %g] is invalid; expected two different "
                       "bounds in [0, 1]",
                       from, to);

    count = calci_roc_points(roc);
    x = malloc(count * sizeof *x);
    y = malloc(count * sizeof *y);
    if (x == NULL || y == NULL) {
        free(x);
        free(y);
        return ci_fail(error, CALCI_ERR_NO_MEMORY, "partial auc: out of memory for %zu points",
                       count);
    }
    for (size_t i = 0; i < count; i++) {
        double se, sp;

        if (focus == CALCI_FOCUS_SPECIFICITY) {
            calci_roc_point(roc, i, NULL, &se, &sp);
            x[i] = sp;
            y[i] = se;
        } else {
            calci_roc_point(roc, count - 1 - i, NULL, &se, &sp);
            x[i] = se;
            y[i] = sp;
        }
    }
    area = trapezoid_area(x, y, count, hi, lo);
    free(x);
    free(y);

    /* McClish: the diagonal gives min, a perfect curve max. */
    if (correct) {
        double min = (2.0 - hi - lo) * (hi - lo) / 2.0, max = hi - lo;

        area = area < min ? NAN : (1.0 + (area - min) / (max - min)) / 2.0;
    }
    *auc = area;
    return CALCI_OK;
}

size_t calci_roc_youden_points(const calci_roc *roc, size_t *indices, size_t capacity)
{
    size_t count = calci_roc_points(roc), ties = 0;
    double best = -INFINITY;

    for (size_t i = 0; i < count; i++) {
        double se, sp;

        calci_roc_point(roc, i, NULL, &se, &sp);
        best = fmax(best, se + sp);
    }
    for (size_t i = 0; i < count; i++) {
        double se, sp;

        calci_roc_point(roc, i, NULL, &se, &sp);
        if (se + sp != best)
            continue;
        if (ties < capacity && indices != NULL)
            indices[ties] = i;
        ties++;
    }
    return ties;
}
