/*
 * roc_ci_se.c - stratified bootstrap band of the sensitivity at fixed
 * specificities, following R's pROC 1.18 ci.se(boot.stratified = TRUE).
 *
 * A replicate draws the controls, then the cases, with the generator and
 * order of calci_roc_ci_bootstrap, and builds the empirical curve of the
 * resample from score-group counts. With groups numbered from the control
 * side, moving the threshold past group g adds controls(g) / n_controls to
 * the specificity and removes cases(g) / n_cases from the sensitivity. The
 * sensitivity at specificity x is read as pROC's coords(input =
 * "specificity") reads it: the first curve point (highest sensitivity)
 * whose specificity equals x, else linear interpolation between the two
 * points around x.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static int compare_doubles(const void *left, const void *right)
{
    double a = *(const double *)left, b = *(const double *)right;

    return (a > b) - (a < b);
}

/* R's quantile(type = 7) of sorted values, as in roc_bootstrap.c. */
static double quantile_type7(const double *sorted, size_t count, double probability)
{
    double index = (double)(count - 1) * probability;
    size_t lo = (size_t)floor(index);
    size_t hi = (size_t)ceil(index);
    double h = index - (double)lo;

    if (hi >= count)
        hi = count - 1;
    if (index > (double)lo && sorted[hi] != sorted[lo])
        return (1.0 - h) * sorted[lo] + h * sorted[hi];
    return sorted[lo];
}

/*
 * Curve of one resample into sp[0..points) and se[0..points) in pROC's order
 * (specificity rising from 0 to 1); returns the number of points. Groups
 * absent from the resample add no point.
 */
static size_t resample_curve(ci_boot_sample *sample, const size_t *control_draws,
                             const size_t *case_draws, double *sp, double *se)
{
    uint64_t controls_below = 0, cases_below = 0;
    double n_controls = (double)sample->n_controls, n_cases = (double)sample->n_cases;
    size_t points = 0;

    memset(sample->case_counts, 0, sample->n_groups * sizeof *sample->case_counts);
    memset(sample->control_counts, 0, sample->n_groups * sizeof *sample->control_counts);
    for (size_t k = 0; k < sample->n_controls; k++)
        sample->control_counts[sample->control_groups[control_draws[k]]]++;
    for (size_t k = 0; k < sample->n_cases; k++)
        sample->case_counts[sample->case_groups[case_draws[k]]]++;

    sp[points] = 0.0;
    se[points] = 1.0;
    points++;
    for (size_t g = 0; g < sample->n_groups; g++) {
        if (sample->control_counts[g] == 0 && sample->case_counts[g] == 0)
            continue;
        controls_below += sample->control_counts[g];
        cases_below += sample->case_counts[g];
        sp[points] = (double)controls_below / n_controls;
        se[points] = (double)(sample->n_cases - cases_below) / n_cases;
        points++;
    }
    return points;
}

/* Sensitivity at specificity x on a curve whose last point has sp = 1. */
static double sensitivity_at(const double *sp, const double *se, size_t points, double x)
{
    size_t next = 0;

    while (next < points && sp[next] < x)
        next++;
    if (next == points)
        next = points - 1;
    if (sp[next] == x || next == 0)
        return se[next];
    return se[next] + (sp[next] - x) / (sp[next] - sp[next - 1]) * (se[next - 1] - se[next]);
}

calci_status calci_roc_ci_se_bootstrap(const double *scores, const int *labels, size_t n,
                                       calci_direction direction, const double *specificities,
                                       size_t n_specificities, double level,
                                       size_t replicates, uint64_t seed, double *lower,
                                       double *median, double *upper, calci_error *error)
{
    calci_roc *roc = NULL;
    ci_boot_sample sample;
    size_t *draws = NULL;
    double *values = NULL, *sp = NULL, *se = NULL;
    calci_status status;
    ci_rng rng;

    if (specificities == NULL || lower == NULL || upper == NULL)
        return ci_fail(error, CALCI_ERR_ARGUMENT,
                       "roc se band: specificities, lower and upper must not be NULL");
    if (n_specificities == 0)
        return ci_fail(error, CALCI_ERR_ARGUMENT,
                       "roc se band: no specificity given; expected at least 1");
    for (size_t s = 0; s < n_specificities; s++)
        if (!(specificities[s] >= 0.0 && specificities[s] <= 1.0))
            return ci_fail(error, CALCI_ERR_ARGUMENT,
                           "roc se band: specificity %g (index %zu) is invalid; expected a "
                           "value in [0, 1]",
                           specificities[s], s);
    if (!(level > 0.0 && level < 1.0))
        return ci_fail(error, CALCI_ERR_ARGUMENT,
                       "roc se band: level %g is invalid; expected a value in (0, 1)", level);
    if (replicates == 0 || replicates > SIZE_MAX / sizeof *values / n_specificities)
        return ci_fail(error, CALCI_ERR_ARGUMENT,
                       "roc se band: %zu replicates for %zu specificities is invalid; expected "
                       "at least 1 and a table that fits in memory",
                       replicates, n_specificities);

    status = calci_roc_create(scores, labels, n, direction, &roc, error);
    if (status != CALCI_OK)
        return status;
    status = ci_boot_sample_init(&sample, scores, labels, n, calci_roc_direction(roc), error);
    calci_roc_free(roc);
    if (status != CALCI_OK)
        return status;

    /* values[s * replicates + r]: sensitivity of replicate r at specificity s. */
    draws = malloc((sample.n_cases + sample.n_controls) * sizeof *draws);
    values = malloc(n_specificities * replicates * sizeof *values);
    sp = malloc((sample.n_groups + 1) * sizeof *sp);
    se = malloc((sample.n_groups + 1) * sizeof *se);
    if (draws == NULL || values == NULL || sp == NULL || se == NULL) {
        status = ci_fail(error, CALCI_ERR_NO_MEMORY,
                         "roc se band: out of memory for %zu replicates x %zu specificities",
                         replicates, n_specificities);
        goto done;
    }

    ci_rng_seed(&rng, seed);
    for (size_t r = 0; r < replicates; r++) {
        size_t points;

        ci_boot_draw(&rng, draws, sample.n_controls);
        ci_boot_draw(&rng, draws + sample.n_controls, sample.n_cases);
        points = resample_curve(&sample, draws, draws + sample.n_controls, sp, se);
        for (size_t s = 0; s < n_specificities; s++)
            values[s * replicates + r] = sensitivity_at(sp, se, points, specificities[s]);
    }

    for (size_t s = 0; s < n_specificities; s++) {
        double *row = values + s * replicates;

        qsort(row, replicates, sizeof *row, compare_doubles);
        lower[s] = quantile_type7(row, replicates, (1.0 - level) / 2.0);
        upper[s] = quantile_type7(row, replicates, 1.0 - (1.0 - level) / 2.0);
        if (median != NULL)
            median[s] = quantile_type7(row, replicates, 0.5);
    }
    status = CALCI_OK;

done:
    free(draws);
    free(values);
    free(sp);
    free(se);
    ci_boot_sample_free(&sample);
    return status;
}
