/*
 * test_table.c - calci_table: CSV files as text cells (manifests).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calci.h"
#include "testutil.h"

static char *write_file(const char *name, const char *content)
{
    static char path[512];
    FILE *f;

    snprintf(path, sizeof path, "%s/%s", test_temp_dir(), name);
    f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    fputs(content, f);
    fclose(f);
    return path;
}

START_TEST(quoted_fields_and_bom)
{
    const char *path = write_file("m.csv", "\xEF\xBB\xBF" "case_id,image,note\r\n"
                                           "a1,\"dir, with comma/a.nii.gz\",\"say \"\"hi\"\"\"\r\n"
                                           "b2,b.nii.gz,\r\n");
    calci_table *t = NULL;

    ck_assert_int_eq(calci_table_read_csv(path, &t, NULL), CALCI_OK);
    ck_assert_uint_eq(calci_table_rows(t), 2);
    ck_assert_uint_eq(calci_table_columns(t), 3);
    ck_assert_str_eq(calci_table_column_name(t, 0), "case_id");
    ck_assert_uint_eq(calci_table_find_column(t, "image"), 1);
    ck_assert_uint_eq(calci_table_find_column(t, "mask"), (size_t)-1);
    ck_assert_str_eq(calci_table_cell(t, 0, 1), "dir, with comma/a.nii.gz");
    ck_assert_str_eq(calci_table_cell(t, 0, 2), "say \"hi\"");
    ck_assert_str_eq(calci_table_cell(t, 1, 2), "");
    ck_assert_uint_eq(calci_table_line(t, 1), 3);
    ck_assert_ptr_null(calci_table_cell(t, 2, 0));
    calci_table_free(t);
}
END_TEST

START_TEST(ragged_row_names_line)
{
    const char *path = write_file("bad.csv", "case_id,image\na,x\nb\n");
    calci_table *t = NULL;
    calci_error *e = calci_error_create();

    ck_assert_int_eq(calci_table_read_csv(path, &t, e), CALCI_ERR_FORMAT);
    ck_assert_ptr_null(t);
    ck_assert_ptr_nonnull(strstr(calci_error_message(e), "bad.csv"));
    ck_assert_ptr_nonnull(strstr(calci_error_message(e), "3"));
    calci_error_free(e);
}
END_TEST

START_TEST(missing_and_empty_files)
{
    calci_table *t = NULL;
    calci_error *e = calci_error_create();
    const char *empty = write_file("empty.csv", "");

    ck_assert_int_eq(calci_table_read_csv("/nonexistent/m.csv", &t, e), CALCI_ERR_IO);
    ck_assert_ptr_nonnull(strstr(calci_error_message(e), "/nonexistent/m.csv"));
    ck_assert_int_eq(calci_table_read_csv(empty, &t, e), CALCI_ERR_FORMAT);
    ck_assert_ptr_null(t);
    calci_error_free(e);
}
END_TEST

/* The simulated cohort's manifest: 111 boxes, 11 columns (its SOURCE.md). */
START_TEST(real_manifest)
{
    char path[512];
    calci_table *t = NULL;
    size_t label, positives = 0;

    if (!test_refdata_path(path, sizeof path, "calci_sim_on_sts/manifest.csv", "real manifest"))
        return;
    ck_assert_int_eq(calci_table_read_csv(path, &t, NULL), CALCI_OK);
    ck_assert_uint_eq(calci_table_rows(t), 111);
    ck_assert_uint_eq(calci_table_columns(t), 11);
    label = calci_table_find_column(t, "label");
    for (size_t i = 0; i < calci_table_rows(t); i++)
        positives += strcmp(calci_table_cell(t, i, label), "1") == 0;
    ck_assert_uint_eq(positives, 56);
    calci_table_free(t);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("table");
    TCase *tc = tcase_create("table");
    SRunner *runner;
    int failed;

    tcase_add_test(tc, quoted_fields_and_bom);
    tcase_add_test(tc, ragged_row_names_line);
    tcase_add_test(tc, missing_and_empty_files);
    tcase_add_test(tc, real_manifest);
    suite_add_tcase(s, tc);
    runner = srunner_create(s);
    srunner_run_all(runner, CK_NORMAL);
    failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
