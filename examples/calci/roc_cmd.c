/*
 * roc_cmd.c - `calci roc FILE --label COL --score COL ...`: ROC AUC with a
 * DeLong or bootstrap confidence interval for each score column of a CSV,
 * and a test for every pair of scores (pROC 1.18's ci.auc and roc.test).
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char roc_usage[] =
    "usage: calci roc FILE --label COL [--positive VALUE] --score COL [--score COL ...]\n"
    "                 [--unpaired] [--ci delong|bootstrap] [--test delong|bootstrap]\n"
    "                 [--boot-n N] [--seed N] [--json]\n"
    "\n"
    "  FILE              CSV with a header row (',', ';' or tab separated)\n"
    "  --label COL       outcome column; rows with an empty or NA label are skipped\n"
    "  --positive VALUE  label value of the positive class (default \"1\"); every other\n"
    "                    value is negative, and at most two values may occur\n"
    "  --score COL       score column, higher or lower for positives (direction chosen\n"
    "                    from the class medians, as pROC); repeat for several scores.\n"
    "                    Rows where any listed score is empty or NA are skipped\n"
    "  --unpaired        compare scores as independent samples (default: paired)\n"
    "  --ci METHOD       95% AUC interval: delong (default) or bootstrap (stratified,\n"
    "                    percentile)\n"
    "  --test METHOD     test of each pair of scores: delong (default) or bootstrap\n"
    "  --boot-n N        bootstrap replicates (default 2000)\n"
    "  --seed N          bootstrap seed (default 1)\n"
    "  --json            print JSON instead of text\n";

typedef struct roc_args {
    const char *path;
    const char *label;
    const char *positive;
    const char **scores;
    size_t n_scores;
    int unpaired;
    int ci_bootstrap;
    int test_bootstrap;
    size_t boot_n;
    uint64_t seed;
    int json;
} roc_args;

/* Parses an unsigned decimal number; returns 0 on success. */
static int parse_count(const char *text, uint64_t *out)
{
    char *end;
    unsigned long long value;

    if (text == NULL || *text == '\0' || *text == '-')
        return -1;
    errno = 0;
    value = strtoull(text, &end, 10);
    if (errno != 0 || *end != '\0')
        return -1;
    *out = value;
    return 0;
}

static int parse_method(const char *option, const char *value, int *bootstrap)
{
    if (value != NULL && strcmp(value, "delong") == 0) {
        *bootstrap = 0;
        return 0;
    }
    if (value != NULL && strcmp(value, "bootstrap") == 0) {
        *bootstrap = 1;
        return 0;
    }
    cli_error("roc: %s \"%s\" is invalid; expected delong or bootstrap", option,
              value ? value : "");
    return -1;
}

/* Returns 0, or prints the reason and returns EXIT_USAGE. */
static int parse_args(int argc, char **argv, roc_args *a)
{
    a->positive = "1";
    a->boot_n = 2000;
    a->seed = 1;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        uint64_t number;

        if (strcmp(arg, "--unpaired") == 0) {
            a->unpaired = 1;
            continue;
        }
        if (strcmp(arg, "--json") == 0) {
            a->json = 1;
            continue;
        }
        if (arg[0] != '-') {
            if (a->path != NULL) {
                cli_error("roc: unexpected argument \"%s\"; give one FILE", arg);
                return EXIT_USAGE;
            }
            a->path = arg;
            continue;
        }
        if (strcmp(arg, "--label") != 0 && strcmp(arg, "--positive") != 0 &&
            strcmp(arg, "--score") != 0 && strcmp(arg, "--ci") != 0 &&
            strcmp(arg, "--test") != 0 && strcmp(arg, "--boot-n") != 0 &&
            strcmp(arg, "--seed") != 0) {
            cli_error("roc: unknown option \"%s\"", arg);
            return EXIT_USAGE;
        }
        if (value == NULL) {
            cli_error("roc: option %s needs a value", arg);
            return EXIT_USAGE;
        }
        i++;
        if (strcmp(arg, "--label") == 0) {
            a->label = value;
        } else if (strcmp(arg, "--positive") == 0) {
            a->positive = value;
        } else if (strcmp(arg, "--score") == 0) {
            a->scores[a->n_scores++] = value;
        } else if (strcmp(arg, "--ci") == 0) {
            if (parse_method("--ci", value, &a->ci_bootstrap) != 0)
                return EXIT_USAGE;
        } else if (strcmp(arg, "--test") == 0) {
            if (parse_method("--test", value, &a->test_bootstrap) != 0)
                return EXIT_USAGE;
        } else if (strcmp(arg, "--boot-n") == 0) {
            if (parse_count(value, &number) != 0 || number < 2 || number > 100000000) {
                cli_error("roc: --boot-n \"%s\" is invalid; expected an integer from 2 to "
                          "100000000", value);
                return EXIT_USAGE;
            }
            a->boot_n = (size_t)number;
        } else if (strcmp(arg, "--seed") == 0) {
            if (parse_count(value, &a->seed) != 0) {
                cli_error("roc: --seed \"%s\" is invalid; expected a non-negative integer",
                          value);
                return EXIT_USAGE;
            }
        }
    }
    if (a->path == NULL || a->label == NULL || a->n_scores == 0) {
        cli_error("roc: FILE, --label and at least one --score are required");
        return EXIT_USAGE;
    }
    return 0;
}

static int is_missing(const char *cell)
{
    return cell[0] == '\0' || strcmp(cell, "NA") == 0;
}

/* Column index of name, or prints the reason and returns (size_t)-1. */
static size_t find_column(const calci_table *table, const char *path, const char *name)
{
    size_t column = calci_table_find_column(table, name);

    if (column == (size_t)-1)
        cli_error("roc: %s has no column \"%s\"", path, name);
    return column;
}

/* Reads labels (1, 0, or -1 for skipped rows) and the score columns
 * (column-major, n_rows each). Returns 0 or prints the reason. */
static int read_columns(const calci_table *table, const roc_args *a, int *labels,
                        double *scores)
{
    size_t rows = calci_table_rows(table), label_column;
    const char *values[2] = {NULL, NULL};
    size_t positives = 0;

    label_column = find_column(table, a->path, a->label);
    if (label_column == (size_t)-1)
        return -1;

    for (size_t i = 0; i < rows; i++) {
        const char *cell = calci_table_cell(table, i, label_column);

        if (is_missing(cell)) {
            labels[i] = -1;
            continue;
        }
        labels[i] = strcmp(cell, a->positive) == 0;
        positives += labels[i];
        if (values[0] == NULL || strcmp(cell, values[0]) == 0) {
            values[0] = cell;
        } else if (values[1] == NULL || strcmp(cell, values[1]) == 0) {
            values[1] = cell;
        } else {
            cli_error("roc: %s line %zu: column \"%s\" has a third value \"%s\" besides "
                      "\"%s\" and \"%s\"; expected two classes",
                      a->path, calci_table_line(table, i), a->label, cell, values[0],
                      values[1]);
            return -1;
        }
    }
    if (positives == 0) {
        cli_error("roc: %s: column \"%s\" has no row with the positive value \"%s\" "
                  "(values seen: \"%s\", \"%s\"); set it with --positive",
                  a->path, a->label, a->positive, values[0] ? values[0] : "",
                  values[1] ? values[1] : "");
        return -1;
    }

    for (size_t k = 0; k < a->n_scores; k++) {
        size_t column = find_column(table, a->path, a->scores[k]);

        if (column == (size_t)-1)
            return -1;
        for (size_t i = 0; i < rows; i++) {
            const char *cell = calci_table_cell(table, i, column);
            char *end;

            if (is_missing(cell)) {
                scores[k * rows + i] = NAN;
                continue;
            }
            errno = 0;
            scores[k * rows + i] = strtod(cell, &end);
            if (errno == ERANGE || *end != '\0' || end == cell || isnan(scores[k * rows + i])) {
                cli_error("roc: %s line %zu: column \"%s\" has \"%s\"; expected a number",
                          a->path, calci_table_line(table, i), a->scores[k], cell);
                return -1;
            }
        }
    }

    /* Complete cases: a row missing any score leaves every curve, so that
     * paired tests compare the same rows. */
    for (size_t i = 0; i < rows; i++)
        for (size_t k = 0; k < a->n_scores; k++)
            if (isnan(scores[k * rows + i]))
                labels[i] = -1;
    return 0;
}

/* Results for one score column. */
typedef struct curve_result {
    calci_roc *roc;
    double lower, upper;
} curve_result;

/* Results for one pair of score columns. */
typedef struct test_result {
    size_t a, b;
    double statistic, p;
} test_result;

static int fail_with(calci_error *error, const char *context)
{
    cli_error("roc: %s: %s", context, calci_error_message(error));
    return -1;
}

static int compute_curves(const roc_args *a, const int *labels, const double *scores,
                          size_t rows, curve_result *curves, calci_error *error)
{
    for (size_t k = 0; k < a->n_scores; k++) {
        const double *column = scores + k * rows;

        if (calci_roc_create(column, labels, rows, CALCI_DIRECTION_AUTO, &curves[k].roc,
                             error) != CALCI_OK)
            return fail_with(error, a->scores[k]);
        if (!a->ci_bootstrap) {
            calci_roc_ci_delong(curves[k].roc, 0.95, &curves[k].lower, &curves[k].upper);
            continue;
        }
        if (calci_roc_ci_bootstrap(column, labels, rows, CALCI_DIRECTION_AUTO, 0.95, a->boot_n,
                                   a->seed, &curves[k].lower, &curves[k].upper,
                                   error) != CALCI_OK)
            return fail_with(error, a->scores[k]);
    }
    return 0;
}

static int compute_test(const roc_args *a, const int *labels, const double *scores,
                        size_t rows, const curve_result *curves, test_result *test,
                        calci_error *error)
{
    const double *x = scores + test->a * rows, *y = scores + test->b * rows;
    const calci_roc *ra = curves[test->a].roc, *rb = curves[test->b].roc;
    calci_status status;

    if (a->test_bootstrap && a->unpaired)
        status = calci_roc_test_bootstrap_unpaired(x, labels, rows, calci_roc_direction(ra), y,
                                                   labels, rows, calci_roc_direction(rb),
                                                   a->boot_n, a->seed, &test->statistic,
                                                   &test->p, error);
    else if (a->test_bootstrap)
        status = calci_roc_test_bootstrap_paired(x, y, labels, rows, calci_roc_direction(ra),
                                                 calci_roc_direction(rb), a->boot_n, a->seed,
                                                 &test->statistic, &test->p, error);
    else if (a->unpaired)
        status = calci_roc_test_delong_unpaired(ra, rb, &test->statistic, NULL, &test->p,
                                                error);
    else
        status = calci_roc_test_delong(ra, rb, 0.95, &test->statistic, &test->p, NULL, NULL,
                                       error);
    if (status != CALCI_OK)
        return fail_with(error, "test");
    return 0;
}

static void print_text(const roc_args *a, const curve_result *curves, const test_result *tests,
                       size_t n_tests)
{
    printf("score auc ci_low ci_high\n");
    for (size_t k = 0; k < a->n_scores; k++)
        printf("%s %.17g %.17g %.17g\n", a->scores[k], calci_roc_auc(curves[k].roc),
               curves[k].lower, curves[k].upper);
    if (n_tests == 0)
        return;
    printf("\na b method paired statistic p\n");
    for (size_t t = 0; t < n_tests; t++)
        printf("%s %s %s %s %.17g %.17g\n", a->scores[tests[t].a], a->scores[tests[t].b],
               a->test_bootstrap ? "bootstrap" : "delong", a->unpaired ? "false" : "true",
               tests[t].statistic, tests[t].p);
}

static void print_json(const roc_args *a, const curve_result *curves, const test_result *tests,
                       size_t n_tests)
{
    json_writer w = {stdout, 0, {0}};

    json_begin_object(&w, NULL);
    json_begin_array(&w, "curves");
    for (size_t k = 0; k < a->n_scores; k++) {
        json_begin_object(&w, NULL);
        json_string(&w, "score", a->scores[k]);
        json_number(&w, "auc", calci_roc_auc(curves[k].roc));
        json_begin_array(&w, "ci");
        json_number(&w, NULL, curves[k].lower);
        json_number(&w, NULL, curves[k].upper);
        json_end_array(&w);
        json_string(&w, "ci_method", a->ci_bootstrap ? "bootstrap" : "delong");
        json_end_object(&w);
    }
    json_end_array(&w);
    json_begin_array(&w, "tests");
    for (size_t t = 0; t < n_tests; t++) {
        json_begin_object(&w, NULL);
        json_string(&w, "a", a->scores[tests[t].a]);
        json_string(&w, "b", a->scores[tests[t].b]);
        json_string(&w, "method", a->test_bootstrap ? "bootstrap" : "delong");
        json_bool(&w, "paired", !a->unpaired);
        json_number(&w, "statistic", tests[t].statistic);
        json_number(&w, "p", tests[t].p);
        json_end_object(&w);
    }
    json_end_array(&w);
    json_end_object(&w);
}

static int run(const roc_args *a, const calci_table *table, calci_error *error)
{
    size_t rows = calci_table_rows(table), n_tests = a->n_scores * (a->n_scores - 1) / 2;
    int *labels = malloc((rows ? rows : 1) * sizeof *labels);
    double *scores = malloc((rows ? rows : 1) * a->n_scores * sizeof *scores);
    curve_result *curves = calloc(a->n_scores, sizeof *curves);
    test_result *tests = calloc(n_tests ? n_tests : 1, sizeof *tests);
    int failed = -1;

    if (!labels || !scores || !curves || !tests) {
        cli_error("roc: out of memory for %zu rows", rows);
        goto done;
    }
    if (read_columns(table, a, labels, scores) != 0 ||
        compute_curves(a, labels, scores, rows, curves, error) != 0)
        goto done;
    for (size_t i = 0, t = 0; i < a->n_scores; i++)
        for (size_t j = i + 1; j < a->n_scores; j++, t++) {
            tests[t].a = i;
            tests[t].b = j;
            if (compute_test(a, labels, scores, rows, curves, &tests[t], error) != 0)
                goto done;
        }

    if (a->json)
        print_json(a, curves, tests, n_tests);
    else
        print_text(a, curves, tests, n_tests);
    failed = 0;

done:
    for (size_t k = 0; curves && k < a->n_scores; k++)
        calci_roc_free(curves[k].roc);
    free(labels);
    free(scores);
    free(curves);
    free(tests);
    return failed;
}

int command_roc(int argc, char **argv)
{
    roc_args a = {0};
    calci_table *table = NULL;
    calci_error *error;
    int status;

    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(roc_usage, stdout);
            return 0;
        }
    a.scores = calloc((size_t)argc, sizeof *a.scores);
    if (a.scores == NULL) {
        cli_error("roc: out of memory");
        return EXIT_INPUT;
    }
    status = parse_args(argc, argv, &a);
    if (status != 0) {
        fputs(roc_usage, stderr);
        free(a.scores);
        return status;
    }

    error = calci_error_create();
    if (error == NULL) {
        cli_error("roc: out of memory");
        free(a.scores);
        return EXIT_INPUT;
    }
    status = 0;
    if (calci_table_read_csv(a.path, &table, error) != CALCI_OK) {
        cli_error("roc: %s", calci_error_message(error));
        status = EXIT_INPUT;
    } else if (run(&a, table, error) != 0) {
        status = EXIT_INPUT;
    }
    calci_table_free(table);
    calci_error_free(error);
    free(a.scores);
    return status;
}
