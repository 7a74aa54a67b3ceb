/*
 * table1_cmd.c - `calci table1 CLINICAL.csv --group COL ...`: the
 * patient-characteristics table of a study (Table 1) comparing two groups.
 *
 * Continuous columns: median (Q1-Q3) per group, quantiles of R's default
 * type 7, and the two-sided Mann-Whitney p. Categorical columns: n (%) per
 * level and group (percent of the group's non-missing values) and the
 * chi-square p (Yates-corrected for 2x2, as R's chisq.test), or Fisher's
 * exact p when any expected count is below 5. Empty cells, "NA", "NaN" and
 * "." are missing and skipped for that column only.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char table1_usage[] =
    "usage: calci table1 CLINICAL.csv --group COL [--categorical COL ...]\n"
    "                    [--continuous COL ...] [--out FILE.csv] [--html FILE.html]\n"
    "\n"
    "  CLINICAL.csv        a CSV table with a header row, one row per patient\n"
    "  --group COL         column with exactly two groups to compare (rows with an\n"
    "                      empty group are skipped)\n"
    "  --categorical COL.. columns summarised as n (%) per level; p from the\n"
    "                      chi-square test, or Fisher's exact test when an expected\n"
    "                      count is below 5\n"
    "  --continuous COL..  numeric columns summarised as median (Q1-Q3); p from the\n"
    "                      Mann-Whitney U test\n"
    "  --out FILE.csv      the table as CSV (default: standard output)\n"
    "  --html FILE.html    the table as an HTML page\n";

/* One output row: variable name or "", level or summary label, a cell per
 * group, p (NaN when not tested) and the test's name. */
typedef struct table1_row {
    char *variable;
    char *level;
    char *cells[2];
    double p;
    const char *test;
} table1_row;

typedef struct table1 {
    const char *source;
    const char *group_column;
    char *groups[2];
    size_t group_sizes[2];
    size_t n_rows, capacity;
    table1_row *rows;
} table1;

static int is_missing(const char *text)
{
    return text == NULL || text[0] == '\0' || strcmp(text, "NA") == 0 ||
           strcmp(text, "NaN") == 0 || strcmp(text, ".") == 0;
}

static char *copy_text(const char *text)
{
    char *copy = malloc(strlen(text) + 1);
    if (copy)
        strcpy(copy, text);
    return copy;
}

static void table1_free(table1 *t)
{
    for (size_t i = 0; i < t->n_rows; i++) {
        free(t->rows[i].variable);
        free(t->rows[i].level);
        free(t->rows[i].cells[0]);
        free(t->rows[i].cells[1]);
    }
    free(t->rows);
    free(t->groups[0]);
    free(t->groups[1]);
}

/* Appends a row, copying the texts; returns -1 after a message when out of memory. */
static int add_row(table1 *t, const char *variable, const char *level, const char *cell0,
                   const char *cell1, double p, const char *test)
{
    table1_row *row;

    if (t->n_rows == t->capacity) {
        size_t capacity = t->capacity ? 2 * t->capacity : 16;
        table1_row *rows = realloc(t->rows, capacity * sizeof *rows);
        if (rows == NULL) {
            cli_error("table1: out of memory");
            return -1;
        }
        t->rows = rows;
        t->capacity = capacity;
    }
    row = &t->rows[t->n_rows];
    row->variable = copy_text(variable);
    row->level = copy_text(level);
    row->cells[0] = copy_text(cell0);
    row->cells[1] = copy_text(cell1);
    row->p = p;
    row->test = test;
    t->n_rows++;
    if (!row->variable || !row->level || !row->cells[0] || !row->cells[1]) {
        cli_error("table1: out of memory");
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* Groups                                                               */

/* Finds the two groups (sorted by strcmp) and assigns each row 0, 1 or -1
 * (empty group). Returns -1 after a message when there are not exactly two. */
static int find_groups(const calci_table *csv, size_t column, table1 *t, int *membership)
{
    const char *found[2] = {NULL, NULL};

    for (size_t i = 0; i < calci_table_rows(csv); i++) {
        const char *value = calci_table_cell(csv, i, column);
        if (is_missing(value) || (found[0] && strcmp(value, found[0]) == 0) ||
            (found[1] && strcmp(value, found[1]) == 0))
            continue;
        if (found[1] != NULL) {
            cli_error("table1: %s line %zu: group column \"%s\" has a third value \"%s\" "
                      "after \"%s\" and \"%s\"; expected exactly two groups",
                      t->source, calci_table_line(csv, i), t->group_column, value, found[0],
                      found[1]);
            return -1;
        }
        found[found[0] == NULL ? 0 : 1] = value;
    }
    if (found[1] == NULL) {
        cli_error("table1: %s: group column \"%s\" has %s; expected exactly two groups",
                  t->source, t->group_column, found[0] ? "one value only" : "no values");
        return -1;
    }
    if (strcmp(found[0], found[1]) > 0) {
        const char *swap = found[0];
        found[0] = found[1];
        found[1] = swap;
    }
    t->groups[0] = copy_text(found[0]);
    t->groups[1] = copy_text(found[1]);
    if (!t->groups[0] || !t->groups[1]) {
        cli_error("table1: out of memory");
        return -1;
    }
    for (size_t i = 0; i < calci_table_rows(csv); i++) {
        const char *value = calci_table_cell(csv, i, column);
        membership[i] = is_missing(value) ? -1 : strcmp(value, t->groups[0]) == 0 ? 0 : 1;
        if (membership[i] >= 0)
            t->group_sizes[membership[i]]++;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* Continuous columns                                                   */

static int compare_doubles(const void *a, const void *b)
{
    double u = *(const double *)a, v = *(const double *)b;
    return (u > v) - (u < v);
}

/* Quantile of R's type 7 on sorted values: h = (n - 1) q, linear between
 * the values at floor(h) and floor(h) + 1. */
static double quantile7(const double *sorted, size_t n, double q)
{
    double h = (double)(n - 1) * q;
    size_t low = (size_t)floor(h);
    double fraction = h - (double)low;

    if (low + 1 >= n)
        return sorted[n - 1];
    return sorted[low] + fraction * (sorted[low + 1] - sorted[low]);
}

static void format_median_iqr(char *buf, size_t size, double *values, size_t n)
{
    if (n == 0) {
        snprintf(buf, size, "-");
        return;
    }
    qsort(values, n, sizeof *values, compare_doubles);
    snprintf(buf, size, "%.1f (%.1f-%.1f)", quantile7(values, n, 0.5),
             quantile7(values, n, 0.25), quantile7(values, n, 0.75));
}

static int add_continuous(table1 *t, const calci_table *csv, const int *membership,
                          const char *name)
{
    size_t column = calci_table_find_column(csv, name), rows = calci_table_rows(csv);
    size_t counts[2] = {0, 0};
    double *values[2], p = NAN;
    char cells[2][96], level[64];
    int result = -1;

    if (column == (size_t)-1) {
        cli_error("table1: %s has no column \"%s\" (--continuous)", t->source, name);
        return -1;
    }
    values[0] = malloc((rows + 1) * sizeof *values[0]);
    values[1] = malloc((rows + 1) * sizeof *values[1]);
    if (!values[0] || !values[1]) {
        cli_error("table1: out of memory");
        goto done;
    }

    for (size_t i = 0; i < rows; i++) {
        const char *text = calci_table_cell(csv, i, column);
        char *end;
        double value;
        if (membership[i] < 0 || is_missing(text))
            continue;
        value = strtod(text, &end);
        if (end == text || *end != '\0' || !isfinite(value)) {
            cli_error("table1: %s line %zu: column \"%s\" has \"%s\"; expected a finite "
                      "number or an empty cell",
                      t->source, calci_table_line(csv, i), name, text);
            goto done;
        }
        values[membership[i]][counts[membership[i]]++] = value;
    }

    /* Mann-Whitney before sorting, so that R sees the values in file order
     * (the statistic does not depend on the order either way). */
    if (counts[0] > 0 && counts[1] > 0)
        calci_mann_whitney_test(values[0], counts[0], values[1], counts[1], CALCI_TWO_SIDED, 1,
                                NULL, &p, NULL, NULL);
    format_median_iqr(cells[0], sizeof cells[0], values[0], counts[0]);
    format_median_iqr(cells[1], sizeof cells[1], values[1], counts[1]);
    snprintf(level, sizeof level, "median (IQR)");
    result = add_row(t, name, level, cells[0], cells[1], p, isnan(p) ? "" : "Mann-Whitney U");

done:
    free(values[0]);
    free(values[1]);
    return result;
}

/* ------------------------------------------------------------------ */
/* Categorical columns                                                  */

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* p of the levels x 2 table: Fisher's exact test when an expected count is
 * below 5, else chi-square. Sets *test; NaN with no test for one level. */
static double categorical_p(const size_t *counts, size_t n_levels, const char **test)
{
    size_t group_totals[2] = {0, 0}, total;
    int small = 0;
    double p = NAN;

    *test = "";
    if (n_levels < 2)
        return NAN;
    for (size_t k = 0; k < n_levels; k++) {
        group_totals[0] += counts[2 * k];
        group_totals[1] += counts[2 * k + 1];
    }
    total = group_totals[0] + group_totals[1];
    for (size_t k = 0; k < n_levels; k++) {
        double level_total = (double)(counts[2 * k] + counts[2 * k + 1]);
        for (int g = 0; g < 2; g++)
            if (level_total * (double)group_totals[g] / (double)total < 5.0)
                small = 1;
    }
    if (small && calci_fisher_test(counts, n_levels, 2, &p, NULL) == CALCI_OK) {
        *test = "Fisher's exact";
        return p;
    }
    if (calci_chisq_test(counts, n_levels, 2, 1, NULL, NULL, &p, NULL) == CALCI_OK) {
        /* NOTE: a table over Fisher's enumeration limit gets chi-square here
         * even with small expected counts. */
        *test = "chi-square";
        return p;
    }
    return NAN;
}

static int add_categorical(table1 *t, const calci_table *csv, const int *membership,
                           const char *name)
{
    size_t column = calci_table_find_column(csv, name), rows = calci_table_rows(csv);
    const char **levels = NULL;
    size_t n_levels = 0, *counts = NULL, group_totals[2] = {0, 0};
    const char *test;
    double p;
    int result = -1;

    if (column == (size_t)-1) {
        cli_error("table1: %s has no column \"%s\" (--categorical)", t->source, name);
        return -1;
    }
    levels = malloc((rows + 1) * sizeof *levels);
    counts = calloc(2 * (rows + 1), sizeof *counts);
    if (!levels || !counts) {
        cli_error("table1: out of memory");
        goto done;
    }

    /* Distinct levels, sorted; then counts[2 k + g] for level k and group g. */
    for (size_t i = 0; i < rows; i++) {
        const char *text = calci_table_cell(csv, i, column);
        size_t k = 0;
        if (membership[i] < 0 || is_missing(text))
            continue;
        while (k < n_levels && strcmp(levels[k], text) != 0)
            k++;
        if (k == n_levels)
            levels[n_levels++] = text;
    }
    qsort(levels, n_levels, sizeof *levels, compare_strings);
    for (size_t i = 0; i < rows; i++) {
        const char *text = calci_table_cell(csv, i, column);
        const char **match;
        if (membership[i] < 0 || is_missing(text))
            continue;
        match = bsearch(&text, levels, n_levels, sizeof *levels, compare_strings);
        counts[2 * (size_t)(match - levels) + (size_t)membership[i]]++;
        group_totals[membership[i]]++;
    }

    p = categorical_p(counts, n_levels, &test);
    if (add_row(t, name, "n (%)", "", "", p, test) != 0)
        goto done;
    for (size_t k = 0; k < n_levels; k++) {
        char cells[2][64];
        for (int g = 0; g < 2; g++) {
            if (group_totals[g] == 0) {
                snprintf(cells[g], sizeof cells[g], "0 (-)");
                continue;
            }
            snprintf(cells[g], sizeof cells[g], "%zu (%.1f%%)", counts[2 * k + g],
                     100.0 * (double)counts[2 * k + g] / (double)group_totals[g]);
        }
        if (add_row(t, "", levels[k], cells[0], cells[1], NAN, "") != 0)
            goto done;
    }
    result = 0;

done:
    free(levels);
    free(counts);
    return result;
}

/* ------------------------------------------------------------------ */
/* Output                                                               */

static void write_csv_field(FILE *file, const char *text)
{
    if (strpbrk(text, ",\"\n") == NULL) {
        fputs(text, file);
        return;
    }
    fputc('"', file);
    for (const char *c = text; *c; c++) {
        if (*c == '"')
            fputc('"', file);
        fputc(*c, file);
    }
    fputc('"', file);
}

/* CSV: variable, level, one column per group headed "GROUP (n=N)", p with
 * 6 significant digits (empty when not tested), test. */
static int write_csv(FILE *file, void *user)
{
    const table1 *t = user;
    char header[256];

    fputs("variable,level,", file);
    for (int g = 0; g < 2; g++) {
        snprintf(header, sizeof header, "%s=%s (n=%zu)", t->group_column, t->groups[g],
                 t->group_sizes[g]);
        write_csv_field(file, header);
        fputc(',', file);
    }
    fputs("p,test\n", file);
    for (size_t i = 0; i < t->n_rows; i++) {
        const table1_row *row = &t->rows[i];
        write_csv_field(file, row->variable);
        fputc(',', file);
        write_csv_field(file, row->level);
        for (int g = 0; g < 2; g++) {
            fputc(',', file);
            write_csv_field(file, row->cells[g]);
        }
        fputc(',', file);
        if (!isnan(row->p))
            fprintf(file, "%.6g", row->p);
        fputc(',', file);
        write_csv_field(file, row->test);
        fputc('\n', file);
    }
    return 0;
}

static void write_html_text(FILE *file, const char *text)
{
    for (const char *c = text; *c; c++) {
        if (*c == '<')
            fputs("&lt;", file);
        else if (*c == '>')
            fputs("&gt;", file);
        else if (*c == '&')
            fputs("&amp;", file);
        else if (*c == '"')
            fputs("&quot;", file);
        else
            fputc(*c, file);
    }
}

/* HTML: the same rows, p shown with 3 decimals or as "<0.001". */
static int write_html(FILE *file, void *user)
{
    const table1 *t = user;

    fputs("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Table 1</title>\n"
          "<style>table{border-collapse:collapse}td,th{padding:2px 10px;text-align:left}"
          "thead th{border-bottom:1px solid #000}</style></head><body>\n<p>Source: ",
          file);
    write_html_text(file, t->source);
    fputs("</p>\n<table>\n<thead><tr><th>Variable</th>", file);
    for (int g = 0; g < 2; g++) {
        fputs("<th>", file);
        write_html_text(file, t->group_column);
        fputs(" = ", file);
        write_html_text(file, t->groups[g]);
        fprintf(file, " (n = %zu)</th>", t->group_sizes[g]);
    }
    fputs("<th>P</th><th>Test</th></tr></thead>\n<tbody>\n", file);
    for (size_t i = 0; i < t->n_rows; i++) {
        const table1_row *row = &t->rows[i];
        fputs("<tr><td>", file);
        if (row->variable[0] != '\0') {
            write_html_text(file, row->variable);
            fputs(", ", file);
        } else {
            fputs("&nbsp;&nbsp;", file);
        }
        write_html_text(file, row->level);
        for (int g = 0; g < 2; g++) {
            fputs("</td><td>", file);
            write_html_text(file, row->cells[g]);
        }
        fputs("</td><td>", file);
        if (!isnan(row->p)) {
            if (row->p < 0.001)
                fputs("&lt;0.001", file);
            else
                fprintf(file, "%.3f", row->p);
        }
        fputs("</td><td>", file);
        write_html_text(file, row->test);
        fputs("</td></tr>\n", file);
    }
    fputs("</tbody></table>\n</body></html>\n", file);
    return 0;
}

/* ------------------------------------------------------------------ */
/* Command                                                              */

typedef struct table1_args {
    const char *input, *group, *out, *html;
    char **categorical, **continuous;
    size_t n_categorical, n_continuous;
} table1_args;

/* Parses the command line into args (whose lists point into argv). Returns
 * 0, 1 after --help, or -1 after a usage message. */
static int parse_args(int argc, char **argv, table1_args *args)
{
    char ***list = NULL;
    size_t *count = NULL;

    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            fputs(table1_usage, stdout);
            return 1;
        }
        if ((strcmp(arg, "--group") == 0 || strcmp(arg, "--out") == 0 ||
             strcmp(arg, "--html") == 0) &&
            i + 1 < argc) {
            const char **target = arg[2] == 'g' ? &args->group
                                  : arg[2] == 'o' ? &args->out
                                                  : &args->html;
            *target = argv[++i];
            list = NULL;
        } else if (strcmp(arg, "--categorical") == 0 || strcmp(arg, "--continuous") == 0) {
            list = arg[4] == 't' ? &args->categorical : &args->continuous;
            count = arg[4] == 't' ? &args->n_categorical : &args->n_continuous;
        } else if (arg[0] == '-' && arg[1] == '-') {
            cli_error("table1: unknown option or missing value: %s", arg);
            return -1;
        } else if (list != NULL) {
            (*list)[(*count)++] = argv[i];
        } else if (args->input == NULL) {
            args->input = arg;
        } else {
            cli_error("table1: unexpected argument \"%s\"", arg);
            return -1;
        }
    }
    if (args->input == NULL || args->group == NULL) {
        cli_error("table1: %s is required", args->input == NULL ? "CLINICAL.csv" : "--group");
        return -1;
    }
    if (args->n_categorical + args->n_continuous == 0) {
        cli_error("table1: give at least one --categorical or --continuous column");
        return -1;
    }
    return 0;
}

static int run_table1(const table1_args *args)
{
    calci_error *error = calci_error_create();
    calci_table *csv = NULL;
    table1 t = {0};
    int *membership = NULL, status = EXIT_INPUT;
    size_t group_column;

    t.source = args->input;
    t.group_column = args->group;
    if (error == NULL || calci_table_read_csv(args->input, &csv, error) != CALCI_OK) {
        cli_error("%s", error ? calci_error_message(error) : "out of memory");
        goto done;
    }
    group_column = calci_table_find_column(csv, args->group);
    if (group_column == (size_t)-1) {
        cli_error("table1: %s has no column \"%s\" (--group)", args->input, args->group);
        goto done;
    }
    membership = malloc((calci_table_rows(csv) + 1) * sizeof *membership);
    if (membership == NULL) {
        cli_error("table1: out of memory");
        goto done;
    }
    if (find_groups(csv, group_column, &t, membership) != 0)
        goto done;

    for (size_t k = 0; k < args->n_continuous; k++)
        if (add_continuous(&t, csv, membership, args->continuous[k]) != 0)
            goto done;
    for (size_t k = 0; k < args->n_categorical; k++)
        if (add_categorical(&t, csv, membership, args->categorical[k]) != 0)
            goto done;

    if (args->out ? write_atomically(args->out, write_csv, &t) != 0
                  : (write_csv(stdout, &t), fflush(stdout) != 0))
        goto done;
    if (args->html && write_atomically(args->html, write_html, &t) != 0)
        goto done;
    status = 0;

done:
    table1_free(&t);
    free(membership);
    calci_table_free(csv);
    calci_error_free(error);
    return status;
}

int command_table1(int argc, char **argv)
{
    table1_args args = {0};
    int parsed, status;

    args.categorical = malloc((size_t)argc * sizeof *args.categorical);
    args.continuous = malloc((size_t)argc * sizeof *args.continuous);
    if (!args.categorical || !args.continuous) {
        cli_error("table1: out of memory");
        free(args.categorical);
        free(args.continuous);
        return EXIT_INPUT;
    }
    parsed = parse_args(argc, argv, &args);
    if (parsed != 0) {
        if (parsed < 0)
            fputs(table1_usage, stderr);
        status = parsed > 0 ? 0 : EXIT_USAGE;
    } else {
        status = run_table1(&args);
    }
    free(args.categorical);
    free(args.continuous);
    return status;
}
