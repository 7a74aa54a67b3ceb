/*
 * test_fuzz_regressions.c - inputs found by the libFuzzer targets in fuzz/
 * that crashed, hung or leaked. Each test writes the input (reduced by hand
 * to the lines that matter) and checks that the parser rejects it with the
 * documented status and a message.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calci.h"
#include "radiomics.h"
#include "testutil.h"

static const char *write_file(const char *name, const void *data, size_t size)
{
    static char path[512];
    FILE *f;

    snprintf(path, sizeof path, "%s/%s", test_temp_dir(), name);
    f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, size, f), size);
    ck_assert_int_eq(fclose(f), 0);
    return path;
}

static const char *write_text(const char *name, const char *text)
{
    return write_file(name, text, strlen(text));
}

/* A detached NRRD header naming /dev/zero with a line skip hung, because
 * skipping lines of an endless file without newlines never ends. The reader
 * must reject a data file that is not a regular file; Check's timeout turns
 * a hang into a test error. */
START_TEST(nrrd_data_file_device)
{
    const char *path = write_text("zero.nhdr", "NRRD0004\ntype: uchar\ndimension: 3\n"
                                               "sizes: 2 2 2\nencoding: raw\nline skip: 1\n"
                                               "data file: /dev/zero\n\n");
    rad_error *error = rad_error_create();
    rad_volume *volume = NULL;

    ck_assert_int_eq(rad_volume_read(path, &volume, error), RAD_ERR_FORMAT);
    ck_assert_ptr_null(volume);
    ck_assert_ptr_nonnull(strstr(rad_error_message(error), "not a regular file"));
    rad_error_free(error);
}
END_TEST

/* A feature name with a carriage return inside loaded, but calci_model_save
 * rejects such a name, so the loaded model could not be saved again. The
 * loader must reject the line instead. */
START_TEST(model_feature_name_carriage_return)
{
    const char *path = write_text("cr.model", "calci-model 1\nclassifier lr\nintercept 0\n"
                                              "features 1\nfeature 10 2 1.5 first\rsecond\n"
                                              "end\n");
    calci_error *error = calci_error_create();
    calci_model *model = NULL;

    ck_assert_int_eq(calci_model_load(path, &model, error), CALCI_ERR_FORMAT);
    ck_assert_ptr_null(model);
    ck_assert_ptr_nonnull(strstr(calci_error_message(error), "line 5"));
    calci_error_free(error);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("fuzz_regressions");
    TCase *tc = tcase_create("fuzz_regressions");
    SRunner *runner;
    int failed;

    tcase_add_test(tc, nrrd_data_file_device);
    tcase_add_test(tc, model_feature_name_carriage_return);
    suite_add_tcase(s, tc);
    /* Fork mode is Check's default, and CK_FORK=no (make check-valgrind) turns it off. */
    runner = srunner_create(s);
    srunner_run_all(runner, CK_NORMAL);
    failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
