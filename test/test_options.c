/*
 * test_options.c - calci_options_*: defaults as documented in calci.h,
 * parsing of each key, rejection of unknown keys (with the closest key by
 * edit distance, worked out by hand in each test) and of invalid values.
 * Numeric comparisons are exact: each value is the double nearest to the
 * decimal text that was set.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/calci/internal.h"

static calci_options *options;
static calci_error *error;

static void setup(void)
{
    error = calci_error_create();
    ck_assert_ptr_nonnull(error);
    ck_assert_int_eq(calci_options_create(&options, error), CALCI_OK);
}

static void teardown(void)
{
    calci_options_free(options);
    calci_error_free(error);
}

static void assert_get(const char *key, const char *expected)
{
    char buf[64];

    ck_assert_int_eq(calci_options_get(options, key, buf, sizeof buf, error), CALCI_OK);
    ck_assert_str_eq(buf, expected);
}

START_TEST(defaults_match_header)
{
    assert_get("classifier", "lr");
    assert_get("C", "1");
    assert_get("pcc", "0.99");
    assert_get("select", "relief");
    assert_get("k", "auto");
    assert_get("k_max", "20");
    assert_get("k_rule", "max");
    assert_get("folds", "5");
    assert_get("seed", "1");
    assert_get("sens_target", "0.9");
    assert_get("spec_target", "0.9");

    ck_assert_int_eq(options->classifier, CI_CLASSIFIER_LR);
    ck_assert(options->C == 1.0);
    ck_assert_int_eq(options->pcc_enabled, 1);
    ck_assert(options->pcc == 0.99);
    ck_assert_int_eq(options->select, CI_SELECT_RELIEF);
    ck_assert_uint_eq(options->k, 0);
    ck_assert_uint_eq(options->k_max, 20);
    ck_assert_int_eq(options->k_rule, CI_K_RULE_MAX);
    ck_assert_uint_eq(options->folds, 5);
    ck_assert_uint_eq(options->seed, 1);
    ck_assert(options->sens_target == 0.90);
    ck_assert(options->spec_target == 0.90);
}
END_TEST

START_TEST(set_every_key)
{
    ck_assert_int_eq(calci_options_set(options, "classifier", "svm", error), CALCI_OK);
    ck_assert_int_eq(calci_options_set(options, "C", "0.25", error), CALCI_OK);
    ck_assert_int_eq(calci_options_set(options, "pcc", "0.999", error), CALCI_OK);
    ck_assert_int_eq(calci_options_set(options, "select", "all", error), CALCI_OK);
    ck_assert_int_eq(calci_options_set(options, "k", "7", error), CALCI_OK);
    ck_assert_int_eq(calci_options_set(options, "k_max", "30", error), CALCI_OK);
    ck_assert_int_eq(calci_options_set(options, "k_rule", "1se", error), CALCI_OK);
    ck_assert_int_eq(calci_options_set(options, "folds", "10", error), CALCI_OK);
    ck_assert_int_eq(calci_options_set(options, "seed", "18446744073709551615", error), CALCI_OK);
    ck_assert_int_eq(calci_options_set(options, "sens_target", "0.95", error), CALCI_OK);
    ck_assert_int_eq(calci_options_set(options, "spec_target", "1", error), CALCI_OK);

    ck_assert_int_eq(options->classifier, CI_CLASSIFIER_SVM);
    ck_assert(options->C == 0.25);
    ck_assert(options->pcc == 0.999);
    ck_assert_int_eq(options->select, CI_SELECT_ALL);
    ck_assert_uint_eq(options->k, 7);
    ck_assert_uint_eq(options->k_max, 30);
    ck_assert_int_eq(options->k_rule, CI_K_RULE_1SE);
    ck_assert_uint_eq(options->folds, 10);
    ck_assert_uint_eq(options->seed, UINT64_MAX);
    ck_assert(options->sens_target == 0.95);
    ck_assert(options->spec_target == 1.0);

    assert_get("classifier", "svm");
    assert_get("C", "0.25");
    assert_get("pcc", "0.999");
    assert_get("k", "7");
    assert_get("k_rule", "1se");
    assert_get("seed", "18446744073709551615");
    assert_get("sens_target", "0.95");
}
END_TEST

START_TEST(pcc_none_and_k_auto)
{
    ck_assert_int_eq(calci_options_set(options, "pcc", "none", error), CALCI_OK);
    ck_assert_int_eq(options->pcc_enabled, 0);
    assert_get("pcc", "none");
    ck_assert_int_eq(calci_options_set(options, "pcc", "0.9", error), CALCI_OK);
    ck_assert_int_eq(options->pcc_enabled, 1);
    ck_assert(options->pcc == 0.9);

    ck_assert_int_eq(calci_options_set(options, "k", "3", error), CALCI_OK);
    ck_assert_int_eq(calci_options_set(options, "k", "auto", error), CALCI_OK);
    ck_assert_uint_eq(options->k, 0);
}
END_TEST

START_TEST(unknown_key_names_closest)
{
    /* "kmax" -> "k_max": one insertion. */
    ck_assert_int_eq(calci_options_set(options, "kmax", "5", error), CALCI_ERR_PARAMETER);
    ck_assert_int_eq(calci_error_status(error), CALCI_ERR_PARAMETER);
    ck_assert_ptr_nonnull(strstr(calci_error_message(error), "\"kmax\""));
    ck_assert_ptr_nonnull(strstr(calci_error_message(error), "closest known option is \"k_max\""));

    /* "c" -> "C": distance 0 ignoring case, but keys are case-sensitive. */
    ck_assert_int_eq(calci_options_set(options, "c", "2", error), CALCI_ERR_PARAMETER);
    ck_assert_ptr_nonnull(strstr(calci_error_message(error), "closest known option is \"C\""));

    /* "sens_traget" -> "sens_target": two substitutions (r/a swapped). */
    ck_assert_int_eq(calci_options_get(options, "sens_traget", (char[16]){0}, 16, error),
                     CALCI_ERR_PARAMETER);
    ck_assert_ptr_nonnull(strstr(calci_error_message(error), "\"sens_target\""));

    /* "clasifier" -> "classifier": one insertion. */
    ck_assert_int_eq(calci_options_set(options, "clasifier", "lr", error), CALCI_ERR_PARAMETER);
    ck_assert_ptr_nonnull(strstr(calci_error_message(error), "\"classifier\""));
}
END_TEST

static void assert_rejected(const char *key, const char *value, const char *range)
{
    calci_options *before = calci_options_copy(options);

    ck_assert_ptr_nonnull(before);
    ck_assert_int_eq(calci_options_set(options, key, value, error), CALCI_ERR_PARAMETER);
    ck_assert_ptr_nonnull(strstr(calci_error_message(error), key));
    ck_assert_ptr_nonnull(strstr(calci_error_message(error), value));
    ck_assert_ptr_nonnull(strstr(calci_error_message(error), range));
    /* Options are unchanged on failure. */
    ck_assert(memcmp(before, options, sizeof *options) == 0);
    calci_options_free(before);
}

START_TEST(invalid_values_name_range)
{
    assert_rejected("classifier", "rf", "\"lr\" or \"svm\"");
    assert_rejected("C", "0", "> 0");
    assert_rejected("C", "-1", "> 0");
    assert_rejected("C", "inf", "> 0");
    assert_rejected("C", "1x", "> 0");
    assert_rejected("pcc", "1.5", "(0, 1]");
    assert_rejected("pcc", "0", "(0, 1]");
    assert_rejected("select", "lasso", "\"relief\" or \"all\"");
    assert_rejected("k", "0", "[1, 100000]");
    assert_rejected("k", "-3", "[1, 100000]");
    assert_rejected("k", "2.5", "[1, 100000]");
    assert_rejected("k_max", "0", "[1, 100000]");
    assert_rejected("k_rule", "min", "\"max\" or \"1se\"");
    assert_rejected("folds", "1", "[2, 100000]");
    assert_rejected("seed", "18446744073709551616", "18446744073709551615");
    assert_rejected("seed", "-1", "[0, ");
    assert_rejected("sens_target", "0", "(0, 1]");
    assert_rejected("spec_target", "1.01", "(0, 1]");
    assert_rejected("spec_target", "NaN", "(0, 1]");
    assert_rejected("C", "1,5", "> 0");
}
END_TEST

START_TEST(get_small_buffer)
{
    char buf[4];

    ck_assert_int_eq(calci_options_get(options, "classifier", buf, 3, error), CALCI_OK);
    ck_assert_str_eq(buf, "lr");
    ck_assert_int_eq(calci_options_get(options, "relief", buf, sizeof buf, error),
                     CALCI_ERR_PARAMETER);
    ck_assert_int_eq(calci_options_get(options, "select", buf, sizeof buf, error),
                     CALCI_ERR_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(calci_error_message(error), "7 bytes needed"));
}
END_TEST

START_TEST(copy_is_independent)
{
    calci_options *copy = calci_options_copy(options);

    ck_assert_ptr_nonnull(copy);
    ck_assert_int_eq(calci_options_set(copy, "C", "10", error), CALCI_OK);
    ck_assert(copy->C == 10.0);
    ck_assert(options->C == 1.0);
    calci_options_free(copy);
    ck_assert_ptr_null(calci_options_copy(NULL));
    calci_options_free(NULL);
}
END_TEST

START_TEST(null_arguments)
{
    ck_assert_int_eq(calci_options_create(NULL, error), CALCI_ERR_ARGUMENT);
    ck_assert_int_eq(calci_options_set(NULL, "C", "1", error), CALCI_ERR_ARGUMENT);
    ck_assert_int_eq(calci_options_set(options, NULL, "1", error), CALCI_ERR_ARGUMENT);
    ck_assert_int_eq(calci_options_set(options, "C", NULL, error), CALCI_ERR_ARGUMENT);
    ck_assert_int_eq(calci_options_set(options, "C", "2", NULL), CALCI_OK);
    ck_assert_int_eq(calci_options_set(options, "C", "x", NULL), CALCI_ERR_PARAMETER);
}
END_TEST

static Suite *options_suite(void)
{
    Suite *suite = suite_create("options");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, defaults_match_header);
    tcase_add_test(tc, set_every_key);
    tcase_add_test(tc, pcc_none_and_k_auto);
    tcase_add_test(tc, unknown_key_names_closest);
    tcase_add_test(tc, invalid_values_name_range);
    tcase_add_test(tc, get_small_buffer);
    tcase_add_test(tc, copy_is_independent);
    tcase_add_test(tc, null_arguments);
    suite_add_tcase(suite, tc);
    return suite;
}

int main(void)
{
    SRunner *runner = srunner_create(options_suite());
    int failed;

    srunner_set_fork_status(runner, CK_FORK);
    srunner_run_all(runner, CK_NORMAL);
    failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
