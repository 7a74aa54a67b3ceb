/*
 * cohort_tests.h - private declarations of cohort_tests.c, for the tests.
 */
#ifndef CALCI_COHORT_TESTS_H
#define CALCI_COHORT_TESTS_H

#include <stdint.h>

#include "calci.h"

/* calci_fisher_test with the enumeration stopped after max_tables tables
 * (calci_fisher_test passes CALCI_FISHER_MAX_TABLES). */
calci_status ci_fisher_test_limited(const size_t *counts, size_t rows, size_t cols,
                                    uint64_t max_tables, double *p, calci_error *error);

#endif /* CALCI_COHORT_TESTS_H */
