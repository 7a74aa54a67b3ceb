/*
 * roc_bootstrap.c - stratified bootstrap of the AUC, following R's pROC 1.18
 * ci.auc(method = "bootstrap").
 *
 * A replicate draws n controls and then m cases with replacement from the
 * valid entries of each class (input order) and keeps the direction of the
 * full curve. Only the order of the scores matters for the AUC, so each
 * entry is reduced once to its score group, and a replicate costs
 * O(m + n + groups):
 *   2 m n AUC = sum over groups g of cases(g) * (2 controls_below(g) + controls(g))
 * with group counts taken over the resample (a tied pair counts one half).
 * The interval is R's type-7 quantile of the replicate AUCs.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* One valid entry while grouping: its score, class and index in its class. */
typedef struct ci_boot_entry {
    double score;
    int is_case;
    size_t index;
} ci_boot_entry;

static int compare_entries(const void *left, const void *right)
{
    double a = ((const ci_boot_entry *)left)->score, b = ((const ci_boot_entry *)right)->score;

    return (a > b) - (a < b);
}

static int compare_doubles(const void *left, const void *right)
{
    double a = *(const double *)left, b = *(const double *)right;

    return (a > b) - (a < b);
}

void ci_boot_sample_free(ci_boot_sample *sample)
{
    if (sample == NULL)
        return;
    free(sample->case_groups);
    free(sample->control_groups);
    free(sample->case_counts);
    free(sample->control_counts);
    memset(sample, 0, sizeof *sample);
}

calci_status ci_boot_sample_init(ci_boot_sample *sample, const double *scores, const int *labels,
                                 size_t n, calci_direction direction, calci_error *error)
{
    size_t valid = 0, m = 0, c = 0;
    ci_boot_entry *entries;

    memset(sample, 0, sizeof *sample);
    for (size_t i = 0; i < n; i++)
        valid += (labels[i] == 0 || labels[i] == 1) && !isnan(scores[i]);

    entries = malloc((valid ? valid : 1) * sizeof *entries);
    if (entries == NULL)
        return ci_fail(error, CALCI_ERR_NO_MEMORY, "roc bootstrap: out of memory for %zu scores",
                       valid);
    for (size_t i = 0; i < n; i++) {
        if ((labels[i] != 0 && labels[i] != 1) || isnan(scores[i]))
            continue;
        entries[m + c] = (ci_boot_entry){scores[i], labels[i], labels[i] ? m : c};
        if (labels[i])
            m++;
        else
            c++;
    }

    sample->n_cases = m;
    sample->n_controls = c;
    sample->case_groups = malloc((m ? m : 1) * sizeof *sample->case_groups);
    sample->control_groups = malloc((c ? c : 1) * sizeof *sample->control_groups);
    sample->case_counts = calloc(valid ? valid : 1, sizeof *sample->case_counts);
    sample->control_counts = calloc(valid ? valid : 1, sizeof *sample->control_counts);
    if (!sample->case_groups || !sample->control_groups || !sample->case_counts ||
        !sample->control_counts) {
        free(entries);
        ci_boot_sample_free(sample);
        return ci_fail(error, CALCI_ERR_NO_MEMORY, "roc bootstrap: out of memory for %zu scores",
                       valid);
    }

    /* Group ids ascend with the score; LOWER reverses them so that group 0
     * is always the control side. */
    qsort(entries, valid, sizeof *entries, compare_entries);
    for (size_t k = 0, group = 0; k < valid; k++) {
        if (k > 0 && entries[k].score != entries[k - 1].score)
            group++;
        if (entries[k].is_case)
            sample->case_groups[entries[k].index] = group;
        else
            sample->control_groups[entries[k].index] = group;
        sample->n_groups = group + 1;
    }
    if (direction == CALCI_DIRECTION_LOWER) {
        for (size_t i = 0; i < m; i++)
            sample->case_groups[i] = sample->n_groups - 1 - sample->case_groups[i];
        for (size_t j = 0; j < c; j++)
            sample->control_groups[j] = sample->n_groups - 1 - sample->control_groups[j];
    }
    free(entries);
    return CALCI_OK;
}

double ci_boot_sample_auc(ci_boot_sample *sample, const size_t *control_draws,
                          const size_t *case_draws)
{
    uint64_t twice_sum = 0, controls_below = 0;
    size_t groups = sample->n_groups;

    memset(sample->case_counts, 0, groups * sizeof *sample->case_counts);
    memset(sample->control_counts, 0, groups * sizeof *sample->control_counts);
    for (size_t k = 0; k < sample->n_controls; k++)
        sample->control_counts[sample->control_groups[control_draws[k]]]++;
    for (size_t k = 0; k < sample->n_cases; k++)
        sample->case_counts[sample->case_groups[case_draws[k]]]++;

    for (size_t g = 0; g < groups; g++) {
        twice_sum += sample->case_counts[g] * (2 * controls_below + sample->control_counts[g]);
        controls_below += sample->control_counts[g];
    }
    return (double)twice_sum / (2.0 * (double)sample->n_cases * (double)sample->n_controls);
}

void ci_boot_draw(ci_rng *rng, size_t *draws, size_t count)
{
    for (size_t k = 0; k < count; k++)
        draws[k] = (size_t)ci_rng_below(rng, (uint64_t)count);
}

/* R's quantile(type = 7) of sorted values: linear interpolation between the
 * order statistics around 1 + (count - 1) * probability (1-based), taking
 * the lower one alone when both are equal, as R does. */
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

calci_status calci_roc_ci_bootstrap(const double *scores, const int *labels, size_t n,
                                    calci_direction direction, double level,
                                    size_t replicates, uint64_t seed, double *lower,
                                    double *upper, calci_error *error)
{
    calci_roc *roc = NULL;
    ci_boot_sample sample;
    size_t *draws = NULL;
    double *aucs = NULL;
    calci_status status;
    ci_rng rng;

    if (lower == NULL || upper == NULL)
        return ci_fail(error, CALCI_ERR_ARGUMENT, "roc bootstrap: lower and upper must not be NULL");
    if (!(level > 0.0 && level < 1.0))
        return ci_fail(error, CALCI_ERR_ARGUMENT,
                       "roc bootstrap: level %g is invalid; expected a value in (0, 1)", level);
    if (replicates == 0 || replicates > SIZE_MAX / sizeof *aucs)
        return ci_fail(error, CALCI_ERR_ARGUMENT,
                       "roc bootstrap: %zu replicates is invalid; expected at least 1", replicates);

    status = calci_roc_create(scores, labels, n, direction, &roc, error);
    if (status != CALCI_OK)
        return status;
    status = ci_boot_sample_init(&sample, scores, labels, n, calci_roc_direction(roc), error);
    calci_roc_free(roc);
    if (status != CALCI_OK)
        return status;

    draws = malloc((sample.n_cases + sample.n_controls) * sizeof *draws);
    aucs = malloc(replicates * sizeof *aucs);
    if (draws == NULL || aucs == NULL) {
        free(draws);
        free(aucs);
        ci_boot_sample_free(&sample);
        return ci_fail(error, CALCI_ERR_NO_MEMORY,
                       "roc bootstrap: out of memory for %zu replicates", replicates);
    }

    /* Controls first, then cases, as pROC draws them. */
    ci_rng_seed(&rng, seed);
    for (size_t r = 0; r < replicates; r++) {
        ci_boot_draw(&rng, draws, sample.n_controls);
        ci_boot_draw(&rng, draws + sample.n_controls, sample.n_cases);
        aucs[r] = ci_boot_sample_auc(&sample, draws, draws + sample.n_controls);
    }

    qsort(aucs, replicates, sizeof *aucs, compare_doubles);
    *lower = quantile_type7(aucs, replicates, (1.0 - level) / 2.0);
    *upper = quantile_type7(aucs, replicates, 1.0 - (1.0 - level) / 2.0);

    free(draws);
    free(aucs);
    ci_boot_sample_free(&sample);
    return CALCI_OK;
}
