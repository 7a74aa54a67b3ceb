/* scale.c - z-score fitted on training rows and applied to any rows. */
#include <math.h>

#include "model_internal.h"

size_t ci_zscore_fit(const double *x, size_t n, size_t p, size_t ld, double *mean, double *sd,
                     unsigned char *constant)
{
    size_t n_constant = 0;

    for (size_t j = 0; j < p; j++) {
        double sum = 0.0;
        int all_equal = 1;

        for (size_t i = 0; i < n; i++) {
            sum += x[i * ld + j];
            if (x[i * ld + j] != x[j])
                all_equal = 0;
        }
        mean[j] = n > 0 ? sum / (double)n : 0.0;

        /* Two-pass population variance: sum (x - mean)^2 / n. */
        double ss = 0.0;
        for (size_t i = 0; i < n; i++) {
            double d = x[i * ld + j] - mean[j];
            ss += d * d;
        }
        sd[j] = n > 0 ? sqrt(ss / (double)n) : 0.0;

        if (all_equal || !(sd[j] > 0.0)) {
            sd[j] = 1.0;
            constant[j] = 1;
            n_constant++;
        } else {
            constant[j] = 0;
        }
    }
    return n_constant;
}

void ci_zscore_apply(const double *x, size_t n, size_t p, size_t ld, const double *mean,
                     const double *sd, double *out)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < p; j++)
            out[i * p + j] = (x[i * ld + j] - mean[j]) / sd[j];
}
