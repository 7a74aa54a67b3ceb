/* cv.c - cross-validation folds, stratified and grouped by patient, and
 * leave-one-patient-out folds. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model_internal.h"

struct id_entry {
    const char *id;
    size_t case_index;
};

static int compare_id(const void *pa, const void *pb)
{
    const struct id_entry *a = pa, *b = pb;
    int c = strcmp(a->id, b->id);
    if (c != 0)
        return c;
    return (a->case_index > b->case_index) - (a->case_index < b->case_index);
}

/* Numbers patients 0, 1, ... in order of first appearance; patient_of_case
 * receives each case's patient number. Returns the number of patients, or
 * SIZE_MAX when out of memory. */
static size_t number_patients(const char *const *patient_ids, size_t n, size_t *patient_of_case)
{
    struct id_entry *entries = malloc((n + 1) * sizeof *entries);
    size_t *first_case = malloc((n + 1) * sizeof *first_case);
    if (entries == NULL || first_case == NULL) {
        free(entries);
        free(first_case);
        return SIZE_MAX;
    }
    for (size_t i = 0; i < n; i++) {
        entries[i].id = patient_ids[i];
        entries[i].case_index = i;
    }
    qsort(entries, n, sizeof *entries, compare_id);

    /* first_case[i]: first case with the same id as case i (sorted runs). */
    for (size_t r = 0; r < n; r++) {
        size_t first = r > 0 && strcmp(entries[r].id, entries[r - 1].id) == 0
                           ? first_case[entries[r - 1].case_index]
                           : entries[r].case_index;
        first_case[entries[r].case_index] = first;
    }

    size_t count = 0;
    for (size_t i = 0; i < n; i++)
        patient_of_case[i] = first_case[i] == i ? count++ : patient_of_case[first_case[i]];
    free(entries);
    free(first_case);
    return count;
}

/* Deals the patients listed in order[0..m) to the fold with the fewest cases
 * of class `label` so far (then fewest cases, then lowest index). */
static void deal_patients(const size_t *order, size_t m, const size_t *class_count,
                          const size_t *total_count, int label, size_t n_folds, size_t *fold_pos,
                          size_t *fold_neg, size_t *patient_fold)
{
    for (size_t r = 0; r < m; r++) {
        size_t patient = order[r], best = 0;
        for (size_t f = 1; f < n_folds; f++) {
            size_t load_f = label == 1 ? fold_pos[f] : fold_neg[f];
            size_t load_b = label == 1 ? fold_pos[best] : fold_neg[best];
            if (load_f < load_b ||
                (load_f == load_b && fold_pos[f] + fold_neg[f] < fold_pos[best] + fold_neg[best]))
                best = f;
        }
        patient_fold[patient] = best;
        if (label == 1) {
            fold_pos[best] += class_count[patient];
            fold_neg[best] += total_count[patient] - class_count[patient];
        } else {
            fold_neg[best] += total_count[patient];
        }
    }
}

calci_status ci_folds_assign(const char *const *patient_ids, const int *labels, size_t n,
                             size_t n_folds, uint64_t seed, size_t *fold_of_case,
                             calci_error *error)
{
    if (n_folds < 2)
        return ci_fail(error, CALCI_ERR_ARGUMENT, "folds = %zu, expected at least 2", n_folds);

    size_t *patient_of_case = malloc((n + 1) * sizeof *patient_of_case);
    size_t *pos_count = calloc(n + 1, sizeof *pos_count);
    size_t *total_count = calloc(n + 1, sizeof *total_count);
    size_t *order = malloc((n + 1) * sizeof *order);
    size_t *patient_fold = malloc((n + 1) * sizeof *patient_fold);
    size_t *fold_pos = calloc(n_folds, sizeof *fold_pos);
    size_t *fold_neg = calloc(n_folds, sizeof *fold_neg);
    calci_status status = CALCI_OK;
    size_t n_patients = SIZE_MAX;

    if (patient_of_case && pos_count && total_count && order && patient_fold && fold_pos &&
        fold_neg)
        n_patients = number_patients(patient_ids, n, patient_of_case);
    if (n_patients == SIZE_MAX) {
        status = ci_fail(error, CALCI_ERR_NO_MEMORY, "folds: out of memory");
        goto done;
    }

    for (size_t i = 0; i < n; i++) {
        total_count[patient_of_case[i]]++;
        pos_count[patient_of_case[i]] += labels[i] == 1;
    }

    /* Positive patients first (in order[0..n_pos)), then negative ones. */
    size_t n_pos = 0;
    for (size_t k = 0; k < n_patients; k++)
        if (pos_count[k] > 0)
            order[n_pos++] = k;
    size_t n_neg = n_pos;
    for (size_t k = 0; k < n_patients; k++)
        if (pos_count[k] == 0)
            order[n_neg++] = k;
    n_neg -= n_pos;

    /* Every fold needs a positive case, so at least one positive patient per
     * fold; negative cases may come from patients who also have positive
     * ones (several boxes per patient), so the negative side is checked on
     * the dealt folds below. */
    if (n_pos < n_folds) {
        status = ci_fail(error, CALCI_ERR_DATA,
                         "folds: %zu patients have a positive case, expected at least %zu "
                         "(the number of folds)",
                         n_pos, n_folds);
        goto done;
    }

    ci_rng rng;
    ci_rng_seed(&rng, seed);
    ci_rng_shuffle(&rng, order, n_pos);
    ci_rng_shuffle(&rng, order + n_pos, n_neg);
    deal_patients(order, n_pos, pos_count, total_count, 1, n_folds, fold_pos, fold_neg,
                  patient_fold);
    deal_patients(order + n_pos, n_neg, pos_count, total_count, 0, n_folds, fold_pos, fold_neg,
                  patient_fold);

    for (size_t f = 0; f < n_folds; f++)
        if (fold_pos[f] == 0 || fold_neg[f] == 0) {
            status = ci_fail(error, CALCI_ERR_DATA,
                             "folds: fold %zu has %zu positive and %zu negative cases, expected "
                             "both classes",
                             f + 1, fold_pos[f], fold_neg[f]);
            goto done;
        }
    for (size_t i = 0; i < n; i++)
        fold_of_case[i] = patient_fold[patient_of_case[i]];

done:
    free(patient_of_case);
    free(pos_count);
    free(total_count);
    free(order);
    free(patient_fold);
    free(fold_pos);
    free(fold_neg);
    return status;
}

calci_status ci_folds_by_patient(const char *const *patient_ids, size_t n, size_t *fold_of_case,
                                 size_t *n_folds, calci_error *error)
{
    size_t count = number_patients(patient_ids, n, fold_of_case);
    if (count == SIZE_MAX)
        return ci_fail(error, CALCI_ERR_NO_MEMORY, "folds: out of memory");
    *n_folds = count;
    return CALCI_OK;
}
