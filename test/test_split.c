/*
 * test_split.c - calci_split_by_patient: patient-level assignment, the
 * training share per group, determinism, pre-assigned cases and errors.
 *
 * The exact assignment in split_matches_reference was computed independently
 * in Python (splitmix64 -> xoshiro256**, rejection-sampled bounded draws,
 * Fisher-Yates from the last item) from the rule stated in split.c.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/calci/internal.h"
#include "testutil.h"

static calci_error *error;

static void setup(void)
{
    error = calci_error_create();
    ck_assert_ptr_nonnull(error);
}

static void teardown(void)
{
    calci_error_free(error);
}

/* Patients A-D have one positive and one negative case; E-H two negatives. */
static calci_dataset *eight_patients(void)
{
    calci_dataset *d;
    char case_id[8];

    ck_assert_int_eq(calci_dataset_create(0, NULL, 0, NULL, &d, error), CALCI_OK);
    for (char p = 'A'; p <= 'H'; p++) {
        char patient[2] = {p, '\0'};

        for (int k = 0; k < 2; k++) {
            int label = p <= 'D' && k == 0 ? 1 : 0;

            snprintf(case_id, sizeof case_id, "%c%d", p, k);
            ck_assert_int_eq(calci_dataset_add(d, case_id, patient, label, CALCI_SPLIT_NONE, NULL,
                                               NULL, NULL, error), CALCI_OK);
        }
    }
    return d;
}

static calci_split split_of_patient(const calci_dataset *d, char patient)
{
    calci_split side = CALCI_SPLIT_NONE;

    for (size_t i = 0; i < calci_dataset_cases(d); i++) {
        if (calci_dataset_patient_id(d, i)[0] != patient)
            continue;
        if (side == CALCI_SPLIT_NONE)
            side = calci_dataset_split(d, i);
        ck_assert_int_eq(calci_dataset_split(d, i), side);
    }
    return side;
}

START_TEST(split_matches_reference)
{
    /* Seed 42, fraction 0.5: positives shuffle to D B | A C, negatives to
     * G E | H F (Python reference). */
    calci_dataset *d = eight_patients();

    ck_assert_int_eq(calci_split_by_patient(d, 0.5, 42, error), CALCI_OK);
    ck_assert_int_eq(split_of_patient(d, 'D'), CALCI_SPLIT_TRAIN);
    ck_assert_int_eq(split_of_patient(d, 'B'), CALCI_SPLIT_TRAIN);
    ck_assert_int_eq(split_of_patient(d, 'A'), CALCI_SPLIT_TEST);
    ck_assert_int_eq(split_of_patient(d, 'C'), CALCI_SPLIT_TEST);
    ck_assert_int_eq(split_of_patient(d, 'G'), CALCI_SPLIT_TRAIN);
    ck_assert_int_eq(split_of_patient(d, 'E'), CALCI_SPLIT_TRAIN);
    ck_assert_int_eq(split_of_patient(d, 'H'), CALCI_SPLIT_TEST);
    ck_assert_int_eq(split_of_patient(d, 'F'), CALCI_SPLIT_TEST);
    calci_dataset_free(d);
}
END_TEST

START_TEST(preassigned_patients_keep_side)
{
    /* A is fixed to test by one of its cases, E to train. Positives: target
     * round(0.5 * 4) = 2 training patients, none fixed, so two of B, C, D
     * train. Negatives: E counts towards the 2, so one of F, G, H trains. */
    calci_dataset *d = eight_patients();
    size_t train_pos = 0, train_neg = 0;

    ck_assert_int_eq(calci_dataset_set_split(d, 1, CALCI_SPLIT_TEST, error), CALCI_OK); /* A1 */
    ck_assert_int_eq(calci_dataset_set_split(d, 8, CALCI_SPLIT_TRAIN, error), CALCI_OK); /* E0 */
    ck_assert_int_eq(calci_split_by_patient(d, 0.5, 7, error), CALCI_OK);

    ck_assert_int_eq(split_of_patient(d, 'A'), CALCI_SPLIT_TEST);
    ck_assert_int_eq(split_of_patient(d, 'E'), CALCI_SPLIT_TRAIN);
    for (char p = 'B'; p <= 'D'; p++)
        train_pos += split_of_patient(d, p) == CALCI_SPLIT_TRAIN;
    for (char p = 'F'; p <= 'H'; p++)
        train_neg += split_of_patient(d, p) == CALCI_SPLIT_TRAIN;
    ck_assert_uint_eq(train_pos, 2);
    ck_assert_uint_eq(train_neg, 1);
    calci_dataset_free(d);
}
END_TEST

START_TEST(conflicting_patient_rejected)
{
    calci_dataset *d = eight_patients();

    ck_assert_int_eq(calci_dataset_set_split(d, 2, CALCI_SPLIT_TRAIN, error), CALCI_OK); /* B0 */
    ck_assert_int_eq(calci_dataset_set_split(d, 3, CALCI_SPLIT_TEST, error), CALCI_OK);  /* B1 */
    ck_assert_int_eq(calci_split_by_patient(d, 0.7, 1, error), CALCI_ERR_DATA);
    ck_assert_ptr_nonnull(strstr(calci_error_message(error), "patient \"B\""));
    ck_assert_ptr_nonnull(strstr(calci_error_message(error), "\"B0\" (train)"));
    ck_assert_ptr_nonnull(strstr(calci_error_message(error), "\"B1\" (test)"));
    /* Nothing else was assigned. */
    ck_assert_int_eq(calci_dataset_split(d, 0), CALCI_SPLIT_NONE);
    calci_dataset_free(d);
}
END_TEST

START_TEST(fraction_out_of_range)
{
    calci_dataset *d = eight_patients();

    ck_assert_int_eq(calci_split_by_patient(d, 0.0, 1, error), CALCI_ERR_ARGUMENT);
    ck_assert_int_eq(calci_split_by_patient(d, 1.0, 1, error), CALCI_ERR_ARGUMENT);
    ck_assert_int_eq(calci_split_by_patient(d, NAN, 1, error), CALCI_ERR_ARGUMENT);
    ck_assert_int_eq(calci_split_by_patient(NULL, 0.5, 1, error), CALCI_ERR_ARGUMENT);
    ck_assert_int_eq(calci_dataset_split(d, 0), CALCI_SPLIT_NONE);
    calci_dataset_free(d);
}
END_TEST

/* Checks the manifest split: every patient on one side, and
 * round(0.7 * count) training patients in each group. */
static void check_manifest_split(const calci_dataset *d)
{
    size_t n = calci_dataset_cases(d);
    size_t pos_total = 0, pos_train = 0, neg_total = 0, neg_train = 0;

    for (size_t i = 0; i < n; i++) {
        int first = 1, positive = 0;

        ck_assert_int_ne(calci_dataset_split(d, i), CALCI_SPLIT_NONE);
        for (size_t k = 0; k < n; k++) {
            if (strcmp(calci_dataset_patient_id(d, k), calci_dataset_patient_id(d, i)) != 0)
                continue;
            ck_assert_int_eq(calci_dataset_split(d, k), calci_dataset_split(d, i));
            first &= k >= i;
            positive |= calci_dataset_label(d, k) == 1;
        }
        if (!first)
            continue;
        if (positive) {
            pos_total++;
            pos_train += calci_dataset_split(d, i) == CALCI_SPLIT_TRAIN;
        } else {
            neg_total++;
            neg_train += calci_dataset_split(d, i) == CALCI_SPLIT_TRAIN;
        }
    }
    ck_assert_uint_eq(pos_total + neg_total, 30); /* the cohort has 30 patients */
    ck_assert_uint_eq(pos_train, (size_t)lround(0.7 * (double)pos_total));
    ck_assert_uint_eq(neg_train, (size_t)lround(0.7 * (double)neg_total));
}

START_TEST(manifest_split_by_patient)
{
    char path[1024];
    calci_dataset *a, *b, *c;
    int differs = 0;

    if (!test_refdata_path(path, sizeof path, "calci_sim_on_sts/manifest.csv", "sim manifest"))
        return;
    ck_assert_int_eq(calci_dataset_read_csv(path, &a, error), CALCI_OK);
    ck_assert_int_eq(calci_dataset_read_csv(path, &b, error), CALCI_OK);
    ck_assert_int_eq(calci_dataset_read_csv(path, &c, error), CALCI_OK);
    ck_assert_int_eq(calci_split_by_patient(a, 0.7, 2021, error), CALCI_OK);
    ck_assert_int_eq(calci_split_by_patient(b, 0.7, 2021, error), CALCI_OK);
    ck_assert_int_eq(calci_split_by_patient(c, 0.7, 2022, error), CALCI_OK);
    check_manifest_split(a);
    check_manifest_split(c);

    for (size_t i = 0; i < calci_dataset_cases(a); i++) {
        ck_assert_int_eq(calci_dataset_split(a, i), calci_dataset_split(b, i));
        differs |= calci_dataset_split(a, i) != calci_dataset_split(c, i);
    }
    /* Two seeds could give the same split of 30 patients, but with millions
     * of possible splits an equal result points at a seeding error. */
    ck_assert(differs);
    calci_dataset_free(a);
    calci_dataset_free(b);
    calci_dataset_free(c);
}
END_TEST

START_TEST(unknown_labels_split_with_negatives)
{
    calci_dataset *d;
    char id[8];

    ck_assert_int_eq(calci_dataset_create(0, NULL, 0, NULL, &d, error), CALCI_OK);
    for (int i = 0; i < 10; i++) {
        snprintf(id, sizeof id, "u%d", i);
        ck_assert_int_eq(calci_dataset_add(d, id, NULL, -1, CALCI_SPLIT_NONE, NULL, NULL, NULL,
                                           error), CALCI_OK);
    }
    ck_assert_int_eq(calci_split_by_patient(d, 0.7, 3, error), CALCI_OK);
    {
        size_t train = 0;

        for (size_t i = 0; i < 10; i++)
            train += calci_dataset_split(d, i) == CALCI_SPLIT_TRAIN;
        ck_assert_uint_eq(train, 7);
    }
    calci_dataset_free(d);
}
END_TEST

static Suite *split_suite(void)
{
    Suite *suite = suite_create("split");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, split_matches_reference);
    tcase_add_test(tc, preassigned_patients_keep_side);
    tcase_add_test(tc, conflicting_patient_rejected);
    tcase_add_test(tc, fraction_out_of_range);
    tcase_add_test(tc, manifest_split_by_patient);
    tcase_add_test(tc, unknown_labels_split_with_negatives);
    suite_add_tcase(suite, tc);
    return suite;
}

int main(void)
{
    SRunner *runner = srunner_create(split_suite());
    int failed;

    srunner_set_fork_status(runner, CK_FORK);
    srunner_run_all(runner, CK_NORMAL);
    failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
