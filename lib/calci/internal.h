/*
 * internal.h - private declarations shared by the libcalci sources.
 * Never installed. Internal names start with ci_ / CI_.
 */
#ifndef CALCI_INTERNAL_H
#define CALCI_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "calci.h"

struct calci_error {
    calci_status status;
    char message[1024];
};

/* Records status and a printf-style message in error (which may be NULL)
 * and returns status, so that callers can write `return ci_fail(...)`. */
calci_status ci_fail(calci_error *error, calci_status status, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

struct calci_dataset {
    size_t n_cases;
    size_t capacity;          /* allocated rows */
    size_t n_features;
    char **feature_names;     /* n_features */
    size_t n_comparators;
    char **comparator_names;  /* n_comparators, without the "cmp_" prefix removed */
    char **case_ids;          /* n_cases */
    char **patient_ids;       /* n_cases; equal to the case id when not given */
    char **groups;            /* n_cases; "" when not given */
    int *labels;              /* n_cases; 1, 0 or -1 (unknown) */
    calci_split *splits;      /* n_cases */
    double *values;           /* n_cases x n_features, row-major */
    double *comparators;      /* n_cases x n_comparators, row-major; NaN when missing */
};

static inline double ci_value(const calci_dataset *d, size_t i, size_t j)
{
    return d->values[i * d->n_features + j];
}

/* Deterministic 64-bit generator (splitmix64 seeding xoshiro256**), so that
 * a seed gives the same split and folds on every platform. */
typedef struct ci_rng {
    uint64_t s[4];
} ci_rng;

void ci_rng_seed(ci_rng *rng, uint64_t seed);
uint64_t ci_rng_next(ci_rng *rng);
/* Uniform integer in [0, n). */
uint64_t ci_rng_below(ci_rng *rng, uint64_t n);
/* Fisher-Yates shuffle of n size_t values. */
void ci_rng_shuffle(ci_rng *rng, size_t *items, size_t n);

#endif /* CALCI_INTERNAL_H */
