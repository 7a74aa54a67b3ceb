/*
 * split.c - train/test split by patient (calci_split_by_patient).
 *
 * Patients are numbered in order of first appearance. A patient is
 * "positive" when one of its cases has label 1; all others (negative or
 * unknown labels only) are split together as the negative group. In each
 * group the training count is round(train_fraction * patients in the group),
 * rounding halves away from zero. Patients that already have assigned cases
 * keep their side and count towards it; the unassigned ones are shuffled
 * (Fisher-Yates, xoshiro256** seeded with seed, positive group first) and
 * fill the remaining training places in shuffled order, the rest go to test.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

typedef struct patient {
    size_t first_case;     /* case that fixed side, or the first case */
    int positive;
    calci_split side;
} patient;

static uint64_t hash_string(const char *text)
{
    uint64_t h = UINT64_C(14695981039346656037);

    for (const unsigned char *p = (const unsigned char *)text; *p != '\0'; p++)
        h = (h ^ *p) * UINT64_C(1099511628211);
    return h;
}

/* Numbers the patients of d in order of first appearance and stores the
 * number of case i in case_patient[i]. Returns the patient count, or 0 when
 * out of memory (d has at least one case). */
static size_t number_patients(const calci_dataset *d, size_t *case_patient)
{
    size_t n_slots = 16, count = 0;
    size_t *slots, *owner;

    while (n_slots < 2 * d->n_cases)
        n_slots *= 2;
    slots = calloc(n_slots, sizeof *slots); /* patient number + 1, 0 when empty */
    owner = malloc(d->n_cases * sizeof *owner); /* first case of each patient */
    if (slots == NULL || owner == NULL) {
        free(slots);
        free(owner);
        return 0;
    }
    for (size_t i = 0; i < d->n_cases; i++) {
        size_t slot = (size_t)hash_string(d->patient_ids[i]) & (n_slots - 1);

        while (slots[slot] != 0 &&
               strcmp(d->patient_ids[owner[slots[slot] - 1]], d->patient_ids[i]) != 0)
            slot = (slot + 1) & (n_slots - 1);
        if (slots[slot] == 0) {
            owner[count] = i;
            slots[slot] = ++count;
        }
        case_patient[i] = slots[slot] - 1;
    }
    free(slots);
    free(owner);
    return count;
}

/* Fills patients[] from the cases; fails when a patient already has cases
 * on both sides. */
static calci_status collect_patients(const calci_dataset *d, const size_t *case_patient,
                                     patient *patients, size_t n_patients, calci_error *error)
{
    for (size_t p = 0; p < n_patients; p++)
        patients[p].first_case = (size_t)-1;
    for (size_t i = 0; i < d->n_cases; i++) {
        patient *pt = &patients[case_patient[i]];

        if (pt->first_case == (size_t)-1)
            pt->first_case = i;
        if (d->labels[i] == 1)
            pt->positive = 1;
        if (d->splits[i] == CALCI_SPLIT_NONE)
            continue;
        if (pt->side == CALCI_SPLIT_NONE) {
            pt->side = d->splits[i];
            pt->first_case = i;
        } else if (pt->side != d->splits[i]) {
            return ci_fail(error, CALCI_ERR_DATA,
                           "patient \"%s\" has cases in both training and test: \"%s\" (%s) "
                           "and \"%s\" (%s)",
                           d->patient_ids[i], d->case_ids[pt->first_case],
                           pt->side == CALCI_SPLIT_TRAIN ? "train" : "test", d->case_ids[i],
                           d->splits[i] == CALCI_SPLIT_TRAIN ? "train" : "test");
        }
    }
    return CALCI_OK;
}

/* Assigns the unassigned patients of one group (positive or not). */
static void split_group(patient *patients, size_t n_patients, int positive,
                        double train_fraction, ci_rng *rng, size_t *scratch)
{
    size_t total = 0, already_train = 0, n_free = 0, target, n_train;

    for (size_t p = 0; p < n_patients; p++) {
        if (patients[p].positive != positive)
            continue;
        total++;
        if (patients[p].side == CALCI_SPLIT_TRAIN)
            already_train++;
        else if (patients[p].side == CALCI_SPLIT_NONE)
            scratch[n_free++] = p;
    }

    target = (size_t)lround(train_fraction * (double)total);
    n_train = target > already_train ? target - already_train : 0;
    if (n_train > n_free)
        n_train = n_free;

    ci_rng_shuffle(rng, scratch, n_free);
    for (size_t k = 0; k < n_free; k++)
        patients[scratch[k]].side = k < n_train ? CALCI_SPLIT_TRAIN : CALCI_SPLIT_TEST;
}

calci_status calci_split_by_patient(calci_dataset *dataset, double train_fraction,
                                    uint64_t seed, calci_error *error)
{
    size_t *case_patient, *scratch, n_patients;
    patient *patients;
    calci_status status;
    ci_rng rng;

    if (dataset == NULL)
        return ci_fail(error, CALCI_ERR_ARGUMENT, "calci_split_by_patient: dataset is NULL");
    if (!(train_fraction > 0 && train_fraction < 1))
        return ci_fail(error, CALCI_ERR_ARGUMENT,
                       "training fraction %g is outside the open interval (0, 1)", train_fraction);
    if (dataset->n_cases == 0)
        return CALCI_OK;

    case_patient = malloc(dataset->n_cases * sizeof *case_patient);
    scratch = malloc(dataset->n_cases * sizeof *scratch);
    patients = calloc(dataset->n_cases, sizeof *patients);
    n_patients = case_patient && scratch && patients ? number_patients(dataset, case_patient) : 0;
    if (n_patients == 0) {
        free(case_patient);
        free(scratch);
        free(patients);
        return ci_fail(error, CALCI_ERR_NO_MEMORY, "out of memory splitting %zu cases",
                       dataset->n_cases);
    }

    status = collect_patients(dataset, case_patient, patients, n_patients, error);
    if (status == CALCI_OK) {
        ci_rng_seed(&rng, seed);
        split_group(patients, n_patients, 1, train_fraction, &rng, scratch);
        split_group(patients, n_patients, 0, train_fraction, &rng, scratch);
        for (size_t i = 0; i < dataset->n_cases; i++)
            if (dataset->splits[i] == CALCI_SPLIT_NONE)
                dataset->splits[i] = patients[case_patient[i]].side;
    }

    free(case_patient);
    free(scratch);
    free(patients);
    return status;
}
