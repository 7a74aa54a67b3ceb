/*
 * test_dataset.c - CSV reader (RFC 4180 with BOM, CRLF, quoting), number
 * parsing, calci_dataset_* and the CSV round trip.
 *
 * The expected values are the hand-written file contents below: every number
 * is compared exactly with the C literal of the same decimal text (strtod and
 * the compiler both round correctly). The real tables are checked against
 * the counts their SOURCE.md states.
 */
#include <check.h>
#include <dirent.h>
#include <float.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/calci/csv.h"
#include "../lib/calci/internal.h"
#include "testutil.h"

static calci_error *error;
static char dir[256];

static void setup(void)
{
    error = calci_error_create();
    ck_assert_ptr_nonnull(error);
    snprintf(dir, sizeof dir, "%s", test_temp_dir());
}

/* Removes the files of the temporary folder and the folder. */
static void teardown(void)
{
    DIR *dp = opendir(dir);
    struct dirent *entry;
    char path[1024];

    while (dp != NULL && (entry = readdir(dp)) != NULL) {
        if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, entry->d_name);
        remove(path);
    }
    if (dp != NULL)
        closedir(dp);
    remove(dir);
    calci_error_free(error);
}

/* Writes content to dir/name and returns the path (static buffer). */
static const char *write_file(const char *name, const char *content)
{
    static char path[512];
    FILE *fp;

    snprintf(path, sizeof path, "%s/%s", dir, name);
    fp = fopen(path, "wb");
    ck_assert_ptr_nonnull(fp);
    ck_assert_int_eq(fputs(content, fp) >= 0, 1);
    ck_assert_int_eq(fclose(fp), 0);
    return path;
}

static void assert_message_contains(const char *part)
{
    const char *message = calci_error_message(error);

    if (strstr(message, part) == NULL)
        ck_abort_msg("message \"%s\" does not contain \"%s\"", message, part);
}

/* Reads content as a dataset and expects status; returns the dataset on success. */
static calci_dataset *read_text(const char *name, const char *content, calci_status expected)
{
    calci_dataset *d = NULL;
    const char *path = write_file(name, content);

    ck_assert_int_eq(calci_dataset_read_csv(path, &d, error), expected);
    if (expected != CALCI_OK) {
        ck_assert_ptr_null(d);
        assert_message_contains(name);
    }
    return d;
}

/* ------------------------------------------------------------------ */
/* Number parsing                                                       */

START_TEST(parse_double_accepts_decimals)
{
    double x;

    ck_assert_int_eq(ci_parse_double("1", &x), CI_NUMBER_OK);
    ck_assert(x == 1.0);
    ck_assert_int_eq(ci_parse_double("-2.5", &x), CI_NUMBER_OK);
    ck_assert(x == -2.5);
    ck_assert_int_eq(ci_parse_double(".5", &x), CI_NUMBER_OK);
    ck_assert(x == 0.5);
    ck_assert_int_eq(ci_parse_double("5.", &x), CI_NUMBER_OK);
    ck_assert(x == 5.0);
    ck_assert_int_eq(ci_parse_double("+1e3", &x), CI_NUMBER_OK);
    ck_assert(x == 1000.0);
    ck_assert_int_eq(ci_parse_double("1.25E-2", &x), CI_NUMBER_OK);
    ck_assert(x == 0.0125);
    ck_assert_int_eq(ci_parse_double(" 7 ", &x), CI_NUMBER_OK);
    ck_assert(x == 7.0);
    ck_assert_int_eq(ci_parse_double("0.1", &x), CI_NUMBER_OK);
    ck_assert(x == 0.1);
    ck_assert_int_eq(ci_parse_double("-Inf", &x), CI_NUMBER_OK);
    ck_assert(isinf(x) && x < 0);
    ck_assert_int_eq(ci_parse_double("infinity", &x), CI_NUMBER_OK);
    ck_assert(isinf(x) && x > 0);
}
END_TEST

START_TEST(parse_double_missing_values)
{
    static const char *const missing[] = {"", "NA", "NaN", "nan", "  "};
    double x;

    for (size_t k = 0; k < sizeof missing / sizeof missing[0]; k++) {
        x = 0;
        ck_assert_int_eq(ci_parse_double(missing[k], &x), CI_NUMBER_MISSING);
        ck_assert(isnan(x));
    }
}
END_TEST

START_TEST(parse_double_rejects_garbage)
{
    static const char *const invalid[] = {"1.5x", "0x10", "1e", "e5", "--1", "1.2.3", "abc",
                                          ".", "+", "1 2", "1e+", "nanx", "1,5,3"};
    double x = 42;

    for (size_t k = 0; k < sizeof invalid / sizeof invalid[0]; k++)
        ck_assert_msg(ci_parse_double(invalid[k], &x) == CI_NUMBER_INVALID, "accepted \"%s\"",
                      invalid[k]);
    ck_assert(x == 42); /* untouched */
}
END_TEST

START_TEST(parse_double_decimal_comma)
{
    double x = 0;

    ck_assert_int_eq(ci_parse_double("1,5", &x), CI_NUMBER_DECIMAL_COMMA);
    ck_assert_int_eq(ci_parse_double("-0,25e1", &x), CI_NUMBER_DECIMAL_COMMA);
    ck_assert_int_eq(ci_parse_double_decimal_comma("1,5", &x), CI_NUMBER_OK);
    ck_assert(x == 1.5);
    ck_assert_int_eq(ci_parse_double_decimal_comma("2.75", &x), CI_NUMBER_OK);
    ck_assert(x == 2.75);
    ck_assert_int_eq(ci_parse_double_decimal_comma("1,5.2", &x), CI_NUMBER_INVALID);
}
END_TEST

START_TEST(format_double_round_trips)
{
    const double values[] = {0.1, 1.0 / 3.0, -0.0, 5e-324, DBL_MIN, DBL_MAX, 123456789012345678.0,
                             -2.5e-300, 0.30000000000000004};
    char text[CI_NUMBER_BUFSIZE];
    double back;

    for (size_t k = 0; k < sizeof values / sizeof values[0]; k++) {
        ci_format_double(values[k], text);
        ck_assert_int_eq(ci_parse_double(text, &back), CI_NUMBER_OK);
        ck_assert(memcmp(&back, &values[k], sizeof back) == 0);
    }
    ci_format_double(NAN, text);
    ck_assert_str_eq(text, "NaN");
    ci_format_double(-INFINITY, text);
    ck_assert_str_eq(text, "-Inf");
}
END_TEST

START_TEST(numbers_ignore_comma_locale)
{
    double x;
    char text[CI_NUMBER_BUFSIZE];

    if (setlocale(LC_NUMERIC, "de_DE.UTF-8") == NULL && setlocale(LC_NUMERIC, "de_DE") == NULL) {
        printf("SKIP numbers_ignore_comma_locale: no de_DE locale installed\n");
        return;
    }
    ck_assert_int_eq(ci_parse_double("2.5", &x), CI_NUMBER_OK);
    ck_assert(x == 2.5);
    ci_format_double(0.5, text);
    ck_assert_str_eq(text, "0.5");
    setlocale(LC_NUMERIC, "C");
}
END_TEST

/* ------------------------------------------------------------------ */
/* CSV reader                                                           */

START_TEST(reader_bom_crlf_quotes)
{
    calci_dataset *d = read_text(
        "quoted.csv",
        "\xEF\xBB\xBF" "case_id,patient_id,label,split,group,f1,f2\r\n"
        "c1,p1,1,train,\"group, \"\"A\"\"\",1.5,-2e-3\r\n"
        "c2,p1,0,,\"multi\r\nline\",0,.5\r\n"
        "\"c3\",,,test,,1E2,NaN\r\n",
        CALCI_OK);

    ck_assert_uint_eq(calci_dataset_cases(d), 3);
    ck_assert_uint_eq(calci_dataset_features(d), 2);
    ck_assert_str_eq(calci_dataset_feature_name(d, 0), "f1");
    ck_assert_str_eq(calci_dataset_feature_name(d, 1), "f2");
    ck_assert_str_eq(calci_dataset_case_id(d, 0), "c1");
    ck_assert_str_eq(calci_dataset_group(d, 0), "group, \"A\"");
    ck_assert_str_eq(calci_dataset_group(d, 1), "multi\r\nline");
    ck_assert_str_eq(calci_dataset_case_id(d, 2), "c3");
    ck_assert_str_eq(calci_dataset_patient_id(d, 1), "p1");
    ck_assert_str_eq(calci_dataset_patient_id(d, 2), "c3"); /* empty: the case id */
    ck_assert_int_eq(calci_dataset_label(d, 0), 1);
    ck_assert_int_eq(calci_dataset_label(d, 1), 0);
    ck_assert_int_eq(calci_dataset_label(d, 2), -1);
    ck_assert_int_eq(calci_dataset_split(d, 0), CALCI_SPLIT_TRAIN);
    ck_assert_int_eq(calci_dataset_split(d, 1), CALCI_SPLIT_NONE);
    ck_assert_int_eq(calci_dataset_split(d, 2), CALCI_SPLIT_TEST);
    ck_assert(calci_dataset_value(d, 0, 0) == 1.5);
    ck_assert(calci_dataset_value(d, 0, 1) == -2e-3);
    ck_assert(calci_dataset_value(d, 1, 0) == 0.0);
    ck_assert(calci_dataset_value(d, 1, 1) == 0.5);
    ck_assert(calci_dataset_value(d, 2, 0) == 100.0);
    ck_assert(isnan(calci_dataset_value(d, 2, 1)));
    calci_dataset_free(d);
}
END_TEST

START_TEST(reader_lf_no_final_newline)
{
    calci_dataset *d = read_text("lf.csv", "case_id,f1\na,1\n\nb,2", CALCI_OK);

    ck_assert_uint_eq(calci_dataset_cases(d), 2);
    ck_assert(calci_dataset_value(d, 1, 0) == 2.0);
    calci_dataset_free(d);
}
END_TEST

START_TEST(reader_rejects_bad_quoting)
{
    read_text("inner_quote.csv", "case_id,f1\na\"b,1\n", CALCI_ERR_FORMAT);
    assert_message_contains("line 2, column 1");
    assert_message_contains("quote inside an unquoted field");

    read_text("after_quote.csv", "case_id,f1\n\"a\"b,1\n", CALCI_ERR_FORMAT);
    assert_message_contains("line 2, column 1");
    assert_message_contains("after a closing quote");

    read_text("open_quote.csv", "case_id,f1\na,1\n\"b,2\n", CALCI_ERR_FORMAT);
    assert_message_contains("line 3, column 1");
    assert_message_contains("not closed");

    read_text("bare_cr.csv", "case_id,f1\ra,1\r", CALCI_ERR_FORMAT);
    assert_message_contains("carriage return");
}
END_TEST

START_TEST(reader_field_and_record_limits)
{
    const char *path = write_file("long.csv", "a,b\n0123456789,x\nshort,0123456789012345\n");
    ci_csv_reader *reader;
    const char *const *fields;
    size_t n;
    int has;

    /* Field limit 9 bytes: "0123456789" (10 bytes) on line 2 is rejected. */
    ck_assert_int_eq(ci_csv_open(path, 9, 1000, &reader, error), CALCI_OK);
    ck_assert_int_eq(ci_csv_read(reader, &has, &n, &fields, error), CALCI_OK);
    ck_assert_int_eq(has, 1);
    ck_assert_uint_eq(n, 2);
    ck_assert_int_eq(ci_csv_read(reader, &has, &n, &fields, error), CALCI_ERR_FORMAT);
    assert_message_contains("line 2, column 1: field longer than 9 bytes");
    ci_csv_close(reader);

    /* Record limit 20 bytes: line 3 has 23 bytes. */
    ck_assert_int_eq(ci_csv_open(path, 100, 20, &reader, error), CALCI_OK);
    ck_assert_int_eq(ci_csv_read(reader, &has, &n, &fields, error), CALCI_OK);
    ck_assert_int_eq(ci_csv_read(reader, &has, &n, &fields, error), CALCI_OK);
    ck_assert_str_eq(fields[0], "0123456789");
    ck_assert_int_eq(ci_csv_read(reader, &has, &n, &fields, error), CALCI_ERR_FORMAT);
    assert_message_contains("line 3: record longer than 20 bytes");
    ci_csv_close(reader);
}
END_TEST

START_TEST(reader_detects_delimiters)
{
    calci_dataset *d = read_text("semicolon.csv", "case_id;label;f1;f2\nc1;1;1,5;2.25\nc2;0;-0,5e1;3\n",
                                 CALCI_OK);

    ck_assert_uint_eq(calci_dataset_features(d), 2);
    ck_assert(calci_dataset_value(d, 0, 0) == 1.5);
    ck_assert(calci_dataset_value(d, 0, 1) == 2.25);
    ck_assert(calci_dataset_value(d, 1, 0) == -5.0);
    calci_dataset_free(d);

    d = read_text("tab.tsv", "case_id\tlabel\tf1\nc1\t1\t0.125\n", CALCI_OK);
    ck_assert_uint_eq(calci_dataset_features(d), 1);
    ck_assert(calci_dataset_value(d, 0, 0) == 0.125);
    calci_dataset_free(d);
}
END_TEST

START_TEST(reader_rejects_decimal_comma)
{
    read_text("comma.csv", "case_id,label,size\nc1,1,2.5\nc2,0,\"1,5\"\n", CALCI_ERR_FORMAT);
    assert_message_contains("line 3, column 3 (size)");
    assert_message_contains("\"1,5\" has a decimal comma");
    assert_message_contains("decimal point");
}
END_TEST

/* ------------------------------------------------------------------ */
/* Dataset columns and values                                           */

START_TEST(labels_accepted_forms)
{
    calci_dataset *d = read_text("labels.csv",
                                 "case_id,label\na,true\nb,False\nc,positive\nd,NEGATIVE\ne,\n"
                                 "f,NA\ng,1.0\nh,0\n",
                                 CALCI_OK);
    static const int expected[] = {1, 0, 1, 0, -1, -1, 1, 0};

    ck_assert_uint_eq(calci_dataset_cases(d), 8);
    ck_assert_uint_eq(calci_dataset_features(d), 0);
    for (size_t i = 0; i < 8; i++)
        ck_assert_int_eq(calci_dataset_label(d, i), expected[i]);
    calci_dataset_free(d);
}
END_TEST

START_TEST(labels_invalid_named)
{
    read_text("bad_label.csv", "case_id,label\na,1\nb,yes\n", CALCI_ERR_FORMAT);
    assert_message_contains("line 3");
    assert_message_contains("invalid label \"yes\"");

    read_text("bad_label2.csv", "case_id,label\na,2\n", CALCI_ERR_FORMAT);
    assert_message_contains("invalid label \"2\"");

    read_text("bad_split.csv", "case_id,split\na,validation\n", CALCI_ERR_FORMAT);
    assert_message_contains("line 2, column 2 (split)");
    assert_message_contains("\"validation\"");
}
END_TEST

START_TEST(duplicate_ids_name_both_lines)
{
    read_text("dup.csv", "case_id,f1\na,1\nb,2\na,3\n", CALCI_ERR_DATA);
    assert_message_contains("duplicate case id \"a\" on lines 2 and 4");

    /* With a quoted field spanning two lines, line numbers count physical lines. */
    read_text("dup2.csv", "case_id,group\na,\"x\ny\"\nb,\na,\n", CALCI_ERR_DATA);
    assert_message_contains("lines 2 and 5");
}
END_TEST

START_TEST(missing_columns_and_fields)
{
    calci_dataset *d;

    read_text("short_row.csv", "case_id,label,f1\na,1,2\nb,0\n", CALCI_ERR_FORMAT);
    assert_message_contains("line 3: 2 fields, but the header has 3");

    /* No case_id column: the first column is the case id; no label means unknown. */
    d = read_text("no_case_id.csv", "name,f1\nx,1\ny,2\n", CALCI_OK);
    ck_assert_uint_eq(calci_dataset_features(d), 1);
    ck_assert_str_eq(calci_dataset_feature_name(d, 0), "f1");
    ck_assert_str_eq(calci_dataset_case_id(d, 1), "y");
    ck_assert_str_eq(calci_dataset_patient_id(d, 1), "y");
    ck_assert_int_eq(calci_dataset_label(d, 0), -1);
    ck_assert_str_eq(calci_dataset_group(d, 0), "");
    calci_dataset_free(d);

    read_text("first_reserved.csv", "label,f1\n1,2\n", CALCI_ERR_FORMAT);
    assert_message_contains("no case_id column");

    read_text("empty.csv", "", CALCI_ERR_FORMAT);
    assert_message_contains("empty file");

    read_text("empty_name.csv", "case_id,,f2\na,1,2\n", CALCI_ERR_FORMAT);
    assert_message_contains("column 2: empty column name");

    read_text("twice.csv", "case_id,f1,f1\na,1,2\n", CALCI_ERR_FORMAT);
    assert_message_contains("\"f1\" appears in columns 2 and 3");

    read_text("empty_id.csv", "case_id,f1\n,1\n", CALCI_ERR_FORMAT);
    assert_message_contains("line 2: empty case id");

    d = read_text("header_only.csv", "case_id,label,f1\n", CALCI_OK);
    ck_assert_uint_eq(calci_dataset_cases(d), 0);
    ck_assert_uint_eq(calci_dataset_features(d), 1);
    calci_dataset_free(d);
}
END_TEST

START_TEST(missing_file_is_io_error)
{
    calci_dataset *d = NULL;
    char path[512];

    snprintf(path, sizeof path, "%s/absent.csv", dir);
    ck_assert_int_eq(calci_dataset_read_csv(path, &d, error), CALCI_ERR_IO);
    ck_assert_ptr_null(d);
    assert_message_contains(path);
}
END_TEST

START_TEST(non_numeric_value_named)
{
    read_text("text.csv", "case_id,f1,volume\na,1,2\nb,3,large\n", CALCI_ERR_FORMAT);
    assert_message_contains("line 3, column 3 (volume): \"large\" is not a number");
}
END_TEST

START_TEST(manifest_columns_ignored)
{
    calci_dataset *d = read_text(
        "manifest.csv",
        "case_id,patient_id,label,group,image,mask,label_value,box_x,box_y,box_z,box_size,"
        "cmp_reader,energy\n"
        "a,p,1,I,a.nii.gz,m.nii.gz,1,1.5,2,3,50,0.7,12.5\n"
        "b,p,0,III,b.nii.gz,m.nii.gz,1,1.5,2,3,50,,13\n",
        CALCI_OK);

    ck_assert_uint_eq(calci_dataset_features(d), 1);
    ck_assert_str_eq(calci_dataset_feature_name(d, 0), "energy");
    ck_assert_uint_eq(calci_dataset_comparators(d), 1);
    ck_assert_str_eq(calci_dataset_comparator_name(d, 0), "reader");
    ck_assert(calci_dataset_comparator(d, 0, 0) == 0.7);
    ck_assert(isnan(calci_dataset_comparator(d, 1, 0)));
    ck_assert(calci_dataset_value(d, 1, 0) == 13.0);
    ck_assert_str_eq(calci_dataset_group(d, 1), "III");
    calci_dataset_free(d);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Writing                                                              */

static void assert_same_double(double a, double b)
{
    if (isnan(a))
        ck_assert(isnan(b));
    else
        ck_assert(memcmp(&a, &b, sizeof a) == 0);
}

static int count_files(const char *folder)
{
    DIR *dp = opendir(folder);
    struct dirent *entry;
    int count = 0;

    ck_assert_ptr_nonnull(dp);
    while ((entry = readdir(dp)) != NULL)
        if (strcmp(entry->d_name, ".") != 0 && strcmp(entry->d_name, "..") != 0)
            count++;
    closedir(dp);
    return count;
}

static void round_trip(const char *file_name)
{
    const char *features[] = {"f,1", "f\"2\"", "tiny", "huge"};
    const char *comparators[] = {"reader 1"};
    const double rows[3][4] = {
        {0.1, 1.0 / 3.0, 5e-324, DBL_MAX},
        {-0.0, NAN, DBL_MIN, 123456789012345678.0},
        {INFINITY, -INFINITY, -2.5e-300, 0.30000000000000004},
    };
    const double cmp[3] = {0.7, NAN, -1e-17};
    calci_dataset *d, *back;
    char path[512];

    ck_assert_int_eq(calci_dataset_create(4, features, 1, comparators, &d, error), CALCI_OK);
    ck_assert_int_eq(calci_dataset_add(d, "id,1", "pat \"A\"", 1, CALCI_SPLIT_TRAIN, "g\nx",
                                       rows[0], &cmp[0], error), CALCI_OK);
    ck_assert_int_eq(calci_dataset_add(d, "id2", NULL, 0, CALCI_SPLIT_TEST, NULL, rows[1],
                                       &cmp[1], error), CALCI_OK);
    ck_assert_int_eq(calci_dataset_add(d, "ïd3", "pat \"A\"", -1, CALCI_SPLIT_NONE, "",
                                       rows[2], &cmp[2], error), CALCI_OK);

    snprintf(path, sizeof path, "%s/%s", dir, file_name);
    ck_assert_int_eq(calci_dataset_write_csv(d, path, error), CALCI_OK);
    ck_assert_int_eq(count_files(dir), 1); /* no temporary file left */
    ck_assert_int_eq(calci_dataset_read_csv(path, &back, error), CALCI_OK);

    ck_assert_uint_eq(calci_dataset_cases(back), 3);
    ck_assert_uint_eq(calci_dataset_features(back), 4);
    ck_assert_uint_eq(calci_dataset_comparators(back), 1);
    ck_assert_str_eq(calci_dataset_comparator_name(back, 0), "reader 1");
    for (size_t j = 0; j < 4; j++)
        ck_assert_str_eq(calci_dataset_feature_name(back, j), features[j]);
    for (size_t i = 0; i < 3; i++) {
        ck_assert_str_eq(calci_dataset_case_id(back, i), calci_dataset_case_id(d, i));
        ck_assert_str_eq(calci_dataset_patient_id(back, i), calci_dataset_patient_id(d, i));
        ck_assert_str_eq(calci_dataset_group(back, i), calci_dataset_group(d, i));
        ck_assert_int_eq(calci_dataset_label(back, i), calci_dataset_label(d, i));
        ck_assert_int_eq(calci_dataset_split(back, i), calci_dataset_split(d, i));
        for (size_t j = 0; j < 4; j++)
            assert_same_double(calci_dataset_value(back, i, j), rows[i][j]);
        assert_same_double(calci_dataset_comparator(back, i, 0), cmp[i]);
    }
    calci_dataset_free(back);

    /* Writing again replaces the file in place. */
    ck_assert_int_eq(calci_dataset_write_csv(d, path, error), CALCI_OK);
    ck_assert_int_eq(count_files(dir), 1);
    calci_dataset_free(d);
}

START_TEST(write_read_round_trip_exact)
{
    round_trip("table.csv");
}
END_TEST

START_TEST(non_ascii_path)
{
    round_trip("donn\xC3\xA9" "es_\xE6\x95\xB0\xE6\x8D\xAE.csv");
}
END_TEST

START_TEST(write_to_missing_folder_fails)
{
    const char *names[] = {"f"};
    calci_dataset *d;
    char path[512];

    ck_assert_int_eq(calci_dataset_create(1, names, 0, NULL, &d, error), CALCI_OK);
    snprintf(path, sizeof path, "%s/no/such/folder/out.csv", dir);
    ck_assert_int_eq(calci_dataset_write_csv(d, path, error), CALCI_ERR_IO);
    assert_message_contains("out.csv");
    calci_dataset_free(d);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Dataset API                                                          */

START_TEST(create_rejects_bad_names)
{
    const char *reserved[] = {"f1", "label"};
    const char *twice[] = {"a", "a"};
    const char *comparator[] = {"cmp_x"};
    const char *empty[] = {""};
    calci_dataset *d = NULL;

    ck_assert_int_eq(calci_dataset_create(2, reserved, 0, NULL, &d, error), CALCI_ERR_ARGUMENT);
    assert_message_contains("\"label\" is a reserved column name");
    ck_assert_int_eq(calci_dataset_create(2, twice, 0, NULL, &d, error), CALCI_ERR_ARGUMENT);
    assert_message_contains("\"a\" appears twice");
    ck_assert_int_eq(calci_dataset_create(1, comparator, 0, NULL, &d, error), CALCI_ERR_ARGUMENT);
    ck_assert_int_eq(calci_dataset_create(0, NULL, 1, empty, &d, error), CALCI_ERR_ARGUMENT);
    ck_assert_int_eq(calci_dataset_create(1, NULL, 0, NULL, &d, error), CALCI_ERR_ARGUMENT);
    ck_assert_ptr_null(d);
}
END_TEST

START_TEST(add_checks_and_accessors)
{
    const char *names[] = {"f"};
    double value = 2.5;
    calci_dataset *d;

    ck_assert_int_eq(calci_dataset_create(1, names, 0, NULL, &d, error), CALCI_OK);
    ck_assert_int_eq(calci_dataset_add(d, "a", "", 1, CALCI_SPLIT_NONE, NULL, &value, NULL, error),
                     CALCI_OK);
    ck_assert_int_eq(calci_dataset_add(d, "a", "p", 0, CALCI_SPLIT_NONE, NULL, &value, NULL, error),
                     CALCI_ERR_ARGUMENT);
    assert_message_contains("duplicate case id \"a\"");
    ck_assert_int_eq(calci_dataset_add(d, "", "p", 0, CALCI_SPLIT_NONE, NULL, &value, NULL, error),
                     CALCI_ERR_ARGUMENT);
    ck_assert_int_eq(calci_dataset_add(d, "b", "p", 2, CALCI_SPLIT_NONE, NULL, &value, NULL, error),
                     CALCI_ERR_ARGUMENT);
    ck_assert_int_eq(calci_dataset_add(d, "b", "p", 0, CALCI_SPLIT_NONE, NULL, NULL, NULL, error),
                     CALCI_ERR_ARGUMENT);
    ck_assert_uint_eq(calci_dataset_cases(d), 1);
    ck_assert_str_eq(calci_dataset_patient_id(d, 0), "a");

    ck_assert_ptr_null(calci_dataset_case_id(d, 1));
    ck_assert_ptr_null(calci_dataset_feature_name(d, 1));
    ck_assert_ptr_null(calci_dataset_comparator_name(d, 0));
    ck_assert(isnan(calci_dataset_value(d, 0, 1)));
    ck_assert(isnan(calci_dataset_comparator(d, 0, 0)));
    ck_assert_int_eq(calci_dataset_label(d, 5), -1);

    ck_assert_int_eq(calci_dataset_set_split(d, 0, CALCI_SPLIT_TEST, error), CALCI_OK);
    ck_assert_int_eq(calci_dataset_split(d, 0), CALCI_SPLIT_TEST);
    ck_assert_int_eq(calci_dataset_set_split(d, 1, CALCI_SPLIT_TEST, error), CALCI_ERR_ARGUMENT);
    ck_assert_int_eq(calci_dataset_set_split(d, 0, (calci_split)7, error), CALCI_ERR_ARGUMENT);
    calci_dataset_free(d);
    calci_dataset_free(NULL);
}
END_TEST

START_TEST(many_cases_grow_and_find_duplicates)
{
    const char *names[] = {"x"};
    calci_dataset *d;
    char id[32];

    ck_assert_int_eq(calci_dataset_create(1, names, 0, NULL, &d, error), CALCI_OK);
    for (int i = 0; i < 5000; i++) {
        double value = i;

        snprintf(id, sizeof id, "case%d", i);
        ck_assert_int_eq(calci_dataset_add(d, id, NULL, i % 2, CALCI_SPLIT_NONE, NULL, &value,
                                           NULL, error), CALCI_OK);
    }
    ck_assert_int_eq(calci_dataset_add(d, "case4321", NULL, 0, CALCI_SPLIT_NONE, NULL,
                                       (double[]){0}, NULL, error), CALCI_ERR_ARGUMENT);
    ck_assert(calci_dataset_value(d, 4999, 0) == 4999.0);
    calci_dataset_free(d);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Reference tables                                                     */

START_TEST(simulated_manifest_counts)
{
    /* Counts published with the simulated cohort: 111 boxes, 56 positive and
     * 30 patients. The comparator subset has 21 boxes. Radiograph: TP 8, FN 3,
     * TN 4, FP 6. Scintigraphy: TP 6, FN 5, TN 8, FP 2. */
    char path[1024];
    calci_dataset *d;
    size_t positives = 0, with_comparators = 0, patients = 0;
    size_t table[2][2][2] = {{{0}}}; /* [comparator][read][label] */

    if (!test_refdata_path(path, sizeof path, "calci_sim_on_sts/manifest.csv", "sim manifest"))
        return;
    ck_assert_int_eq(calci_dataset_read_csv(path, &d, error), CALCI_OK);
    ck_assert_uint_eq(calci_dataset_cases(d), 111);
    ck_assert_uint_eq(calci_dataset_features(d), 0);
    ck_assert_uint_eq(calci_dataset_comparators(d), 2);
    ck_assert_str_eq(calci_dataset_comparator_name(d, 0), "radiograph");
    ck_assert_str_eq(calci_dataset_comparator_name(d, 1), "scintigraphy");

    for (size_t i = 0; i < calci_dataset_cases(d); i++) {
        int new_patient = 1;
        int label = calci_dataset_label(d, i);

        positives += label == 1;
        for (size_t k = 0; k < i; k++)
            if (strcmp(calci_dataset_patient_id(d, k), calci_dataset_patient_id(d, i)) == 0)
                new_patient = 0;
        patients += new_patient;
        ck_assert_str_eq(calci_dataset_group(d, i), label == 1 ? "I" : "III");
        if (!isnan(calci_dataset_comparator(d, i, 0))) {
            with_comparators++;
            for (size_t c = 0; c < 2; c++)
                table[c][calci_dataset_comparator(d, i, c) == 1.0][label]++;
        }
    }
    ck_assert_uint_eq(positives, 56);
    ck_assert_uint_eq(patients, 30);
    ck_assert_uint_eq(with_comparators, 21);
    ck_assert_uint_eq(table[0][1][1], 8); /* radiograph TP */
    ck_assert_uint_eq(table[0][0][1], 3); /* FN */
    ck_assert_uint_eq(table[0][0][0], 4); /* TN */
    ck_assert_uint_eq(table[0][1][0], 6); /* FP */
    ck_assert_uint_eq(table[1][1][1], 6); /* scintigraphy TP */
    ck_assert_uint_eq(table[1][0][1], 5);
    ck_assert_uint_eq(table[1][0][0], 8);
    ck_assert_uint_eq(table[1][1][0], 2);
    calci_dataset_free(d);
}
END_TEST

START_TEST(asah_text_column_rejected)
{
    /* aSAH.csv (pROC): gos6 becomes the case id, and "outcome" contains
     * Good/Poor, which is not a number, from the first data line on. */
    char path[1024];
    calci_dataset *d = NULL;

    if (!test_refdata_path(path, sizeof path, "pROC_aSAH/aSAH.csv", "aSAH"))
        return;
    ck_assert_int_eq(calci_dataset_read_csv(path, &d, error), CALCI_ERR_FORMAT);
    ck_assert_ptr_null(d);
    assert_message_contains("aSAH.csv, line 2, column 2 (outcome): \"Good\" is not a number");
}
END_TEST

static Suite *dataset_suite(void)
{
    Suite *suite = suite_create("dataset");
    TCase *numbers = tcase_create("numbers");
    TCase *reader = tcase_create("reader");
    TCase *columns = tcase_create("columns");
    TCase *writing = tcase_create("writing");
    TCase *api = tcase_create("api");
    TCase *reference = tcase_create("reference");

    tcase_add_test(numbers, parse_double_accepts_decimals);
    tcase_add_test(numbers, parse_double_missing_values);
    tcase_add_test(numbers, parse_double_rejects_garbage);
    tcase_add_test(numbers, parse_double_decimal_comma);
    tcase_add_test(numbers, format_double_round_trips);
    tcase_add_test(numbers, numbers_ignore_comma_locale);

    tcase_add_checked_fixture(reader, setup, teardown);
    tcase_add_test(reader, reader_bom_crlf_quotes);
    tcase_add_test(reader, reader_lf_no_final_newline);
    tcase_add_test(reader, reader_rejects_bad_quoting);
    tcase_add_test(reader, reader_field_and_record_limits);
    tcase_add_test(reader, reader_detects_delimiters);
    tcase_add_test(reader, reader_rejects_decimal_comma);

    tcase_add_checked_fixture(columns, setup, teardown);
    tcase_add_test(columns, labels_accepted_forms);
    tcase_add_test(columns, labels_invalid_named);
    tcase_add_test(columns, duplicate_ids_name_both_lines);
    tcase_add_test(columns, missing_columns_and_fields);
    tcase_add_test(columns, missing_file_is_io_error);
    tcase_add_test(columns, non_numeric_value_named);
    tcase_add_test(columns, manifest_columns_ignored);

    tcase_add_checked_fixture(writing, setup, teardown);
    tcase_add_test(writing, write_read_round_trip_exact);
    tcase_add_test(writing, non_ascii_path);
    tcase_add_test(writing, write_to_missing_folder_fails);

    tcase_add_checked_fixture(api, setup, teardown);
    tcase_add_test(api, create_rejects_bad_names);
    tcase_add_test(api, add_checks_and_accessors);
    tcase_add_test(api, many_cases_grow_and_find_duplicates);

    tcase_add_checked_fixture(reference, setup, teardown);
    tcase_add_test(reference, simulated_manifest_counts);
    tcase_add_test(reference, asah_text_column_rejected);

    suite_add_tcase(suite, numbers);
    suite_add_tcase(suite, reader);
    suite_add_tcase(suite, columns);
    suite_add_tcase(suite, writing);
    suite_add_tcase(suite, api);
    suite_add_tcase(suite, reference);
    return suite;
}

int main(void)
{
    SRunner *runner = srunner_create(dataset_suite());
    int failed;

    srunner_set_fork_status(runner, CK_FORK);
    srunner_run_all(runner, CK_NORMAL);
    failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
