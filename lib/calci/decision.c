/* decision.c - 2x2 tables of binary decisions and the rates derived from them. */
#include <math.h>

#include "internal.h"

void calci_confusion(const double *scores, const int *labels, size_t n, double threshold,
                     size_t *tp, size_t *fp, size_t *tn, size_t *fn)
{
    size_t counts[4] = {0, 0, 0, 0};  /* tp, fp, tn, fn */

    for (size_t i = 0; scores != NULL && labels != NULL && i < n; i++) {
        int called_positive;

        if ((labels[i] != 0 && labels[i] != 1) || isnan(scores[i]))
            continue;
        called_positive = scores[i] >= threshold;
        if (labels[i] == 1)
            counts[called_positive ? 0 : 3]++;
        else
            counts[called_positive ? 1 : 2]++;
    }

    if (tp)
        *tp = counts[0];
    if (fp)
        *fp = counts[1];
    if (tn)
        *tn = counts[2];
    if (fn)
        *fn = counts[3];
}

/* count / total, or NaN when total is 0. */
static double ratio(size_t count, size_t total)
{
    return total == 0 ? NAN : (double)count / (double)total;
}

/* Sensitivity TP/(TP+FN), specificity TN/(TN+FP), PPV TP/(TP+FP),
 * NPV TN/(TN+FN). */
void calci_diagnostic_rates(size_t tp, size_t fp, size_t tn, size_t fn, double out[4])
{
    if (out == NULL)
        return;
    out[0] = ratio(tp, tp + fn);
    out[1] = ratio(tn, tn + fp);
    out[2] = ratio(tp, tp + fp);
    out[3] = ratio(tn, tn + fn);
}
