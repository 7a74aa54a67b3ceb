/*
 * train_cmd.c - `calci train` (fit a model on any CSV of numeric features)
 * and `calci evaluate` (discrimination and calibration of a saved model on a
 * labelled CSV).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char train_usage[] =
    "usage: calci train FILE --id COL --label COL [--positive V] --classifier lr|svm\n"
    "                   [--C X] [--pcc THRESHOLD|none] [--select relief|relieff|anova|all]\n"
    "                   [--k N|auto] --out MODEL\n"
    "\n"
    "  FILE          CSV with a header row; every column other than --id and --label\n"
    "                is a feature and must hold numbers in every row\n"
    "  --id COL      case id column; a patient_id column, when present, keeps each\n"
    "                patient's cases in one fold (otherwise each case is its own patient)\n"
    "  --label COL   outcome column\n"
    "  --positive V  label value of the positive class; every other value is negative\n"
    "                (default: the labels must be 0 or 1)\n"
    "  --classifier  lr (L2 logistic regression), lr_l1, lr_none or svm (linear SVM)\n"
    "  --C X         inverse regularisation strength (default 1)\n"
    "  --pcc T       Pearson redundancy threshold in (0, 1], or none (default 0.99)\n"
    "  --select M    feature ranking (default relief)\n"
    "  --k N|auto    features kept, or auto to choose by 5-fold CV AUC (default auto)\n"
    "  --out MODEL   model file to write\n";

static const char evaluate_usage[] =
    "usage: calci evaluate MODEL FILE --label COL [--positive V] [--json]\n"
    "\n"
    "  MODEL         a model file written by `calci train` or `calci study`\n"
    "  FILE          CSV with the model's feature columns and the label column\n"
    "  --label COL   outcome column\n"
    "  --positive V  label value of the positive class (default: labels 0 or 1)\n"
    "  --json        print JSON instead of text\n"
    "\n"
    "Prints the AUC with its DeLong 95% CI, sensitivity and specificity at the\n"
    "model's two operating points, the Brier score and the calibration intercept\n"
    "and slope.\n";

/* Parses a whole cell as a finite number. */
static int parse_cell(const char *text, double *out)
{
    char *end;
    if (text == NULL || text[0] == '\0')
        return 0;
    double value = strtod(text, &end);
    while (*end == ' ')
        end++;
    if (*end != '\0' || !isfinite(value))
        return 0;
    *out = value;
    return 1;
}

/* Label of one row: 1 / 0, or -2 after printing the reason. */
static int parse_label(const calci_table *t, size_t row, size_t column, const char *positive,
                       const char *path)
{
    const char *cell = calci_table_cell(t, row, column);
    if (cell == NULL || cell[0] == '\0') {
        cli_error("%s line %zu: the label column \"%s\" is empty", path,
                  calci_table_line(t, row), calci_table_column_name(t, column));
        return -2;
    }
    if (positive != NULL)
        return strcmp(cell, positive) == 0 ? 1 : 0;
    if (strcmp(cell, "1") == 0)
        return 1;
    if (strcmp(cell, "0") == 0)
        return 0;
    cli_error("%s line %zu: label \"%s\" in column \"%s\", expected 0 or 1 (or give "
              "--positive VALUE)",
              path, calci_table_line(t, row), cell, calci_table_column_name(t, column));
    return -2;
}

/* Finds a column by name, printing an error when it is missing. */
static size_t find_column(const calci_table *t, const char *name, const char *path)
{
    size_t j = calci_table_find_column(t, name);
    if (j == (size_t)-1)
        cli_error("%s: column \"%s\" not found", path, name);
    return j;
}

/* Columns of the layout `calci study` writes to features.csv that are not
 * features: the patient, split, group and comparator columns. */
static int is_metadata_column(const char *name)
{
    return strcmp(name, "patient_id") == 0 || strcmp(name, "split") == 0 ||
           strcmp(name, "group") == 0 || strncmp(name, "cmp_", 4) == 0;
}

/* Builds a training dataset: all columns except id, label and the metadata
 * columns of features.csv are features; a patient_id column groups the folds. */
static calci_dataset *training_dataset(const calci_table *t, const char *path, size_t id_col,
                                       size_t label_col, const char *positive)
{
    size_t n_cols = calci_table_columns(t), rows = calci_table_rows(t), p = 0;
    const char **names = malloc((n_cols + 1) * sizeof *names);
    size_t *cols = malloc((n_cols + 1) * sizeof *cols);
    double *values = malloc((n_cols + 1) * sizeof *values);
    calci_error *error = calci_error_create();
    calci_dataset *d = NULL;

    if (!names || !cols || !values || !error) {
        cli_error("out of memory");
        goto done;
    }
    size_t patient_col = calci_table_find_column(t, "patient_id");
    for (size_t j = 0; j < n_cols; j++)
        if (j != id_col && j != label_col && !is_metadata_column(calci_table_column_name(t, j))) {
            names[p] = calci_table_column_name(t, j);
            cols[p++] = j;
        }
    /* Reject a non-numeric column by name before building anything. */
    for (size_t c = 0; c < p; c++)
        for (size_t i = 0; i < rows; i++)
            if (!parse_cell(calci_table_cell(t, i, cols[c]), &values[0])) {
                cli_error("%s line %zu: column \"%s\" holds \"%s\", expected a number (every "
                          "column other than --id, --label, patient_id, split, group and cmp_* is a "
                          "feature); remove the "
                          "column or encode it as numbers",
                          path, calci_table_line(t, i), names[c], calci_table_cell(t, i, cols[c]));
                goto done;
            }
    if (calci_dataset_create(p, names, 0, NULL, &d, error) != CALCI_OK) {
        cli_error("%s: %s", path, calci_error_message(error));
        goto done;
    }
    for (size_t i = 0; i < rows; i++) {
        int label = parse_label(t, i, label_col, positive, path);
        if (label == -2)
            goto failed;
        for (size_t c = 0; c < p; c++)
            parse_cell(calci_table_cell(t, i, cols[c]), &values[c]);
        const char *patient =
            patient_col == (size_t)-1 ? NULL : calci_table_cell(t, i, patient_col);
        if (calci_dataset_add(d, calci_table_cell(t, i, id_col), patient, label, CALCI_SPLIT_TRAIN,
                              NULL, values, NULL, error) != CALCI_OK) {
            cli_error("%s line %zu: %s", path, calci_table_line(t, i),
                      calci_error_message(error));
            goto failed;
        }
    }
    goto done;

failed:
    calci_dataset_free(d);
    d = NULL;
done:
    free(names);
    free(cols);
    free(values);
    calci_error_free(error);
    return d;
}

/* Sets one option from the command line, printing the library's message on failure. */
static int set_option(calci_options *o, const char *key, const char *value)
{
    calci_error *error = calci_error_create();
    int ok = error != NULL && calci_options_set(o, key, value, error) == CALCI_OK;
    if (!ok)
        cli_error("train: %s", error ? calci_error_message(error) : "out of memory");
    calci_error_free(error);
    return ok;
}

int command_train(int argc, char **argv)
{
    const char *file = NULL, *id = NULL, *label = NULL, *positive = NULL, *out = NULL;
    const char *classifier = NULL;
    /* Option keys of calci_options_set given on the command line. */
    const char *keys[] = {"C", "pcc", "select", "k"};
    const char *values[4] = {NULL, NULL, NULL, NULL};

    for (int i = 1; i < argc; i++) {
        int has_value = i + 1 < argc;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(train_usage, stdout);
            return 0;
        }
        if (strcmp(argv[i], "--id") == 0 && has_value) {
            id = argv[++i];
        } else if (strcmp(argv[i], "--label") == 0 && has_value) {
            label = argv[++i];
        } else if (strcmp(argv[i], "--positive") == 0 && has_value) {
            positive = argv[++i];
        } else if (strcmp(argv[i], "--classifier") == 0 && has_value) {
            classifier = argv[++i];
        } else if (strcmp(argv[i], "--C") == 0 && has_value) {
            values[0] = argv[++i];
        } else if (strcmp(argv[i], "--pcc") == 0 && has_value) {
            values[1] = argv[++i];
        } else if (strcmp(argv[i], "--select") == 0 && has_value) {
            values[2] = argv[++i];
        } else if (strcmp(argv[i], "--k") == 0 && has_value) {
            values[3] = argv[++i];
        } else if (strcmp(argv[i], "--out") == 0 && has_value) {
            out = argv[++i];
        } else if (argv[i][0] == '-') {
            cli_error("train: unknown option %s (or its value is missing)", argv[i]);
            goto usage;
        } else if (file == NULL) {
            file = argv[i];
        } else {
            cli_error("train: unexpected argument \"%s\"", argv[i]);
            goto usage;
        }
    }
    if (file == NULL || id == NULL || label == NULL || classifier == NULL || out == NULL) {
        cli_error("train: give FILE, --id COL, --label COL, --classifier and --out MODEL");
        goto usage;
    }

    calci_error *error = calci_error_create();
    calci_options *options = NULL;
    calci_table *t = NULL;
    calci_dataset *d = NULL;
    calci_model *model = NULL;
    int status = EXIT_INPUT;
    size_t id_col, label_col;

    if (error == NULL || calci_options_create(&options, error) != CALCI_OK) {
        cli_error("out of memory");
        goto done;
    }
    if (!set_option(options, "classifier", classifier)) {
        status = EXIT_USAGE;
        goto done;
    }
    for (int k = 0; k < 4; k++)
        if (values[k] != NULL && !set_option(options, keys[k], values[k])) {
            status = EXIT_USAGE;
            goto done;
        }
    if (calci_table_read_csv(file, &t, error) != CALCI_OK) {
        cli_error("%s", calci_error_message(error));
        goto done;
    }
    if ((id_col = find_column(t, id, file)) == (size_t)-1 ||
        (label_col = find_column(t, label, file)) == (size_t)-1)
        goto done;
    if (id_col == label_col) {
        cli_error("train: --id and --label name the same column \"%s\"", id);
        goto done;
    }
    d = training_dataset(t, file, id_col, label_col, positive);
    if (d == NULL)
        goto done;
    if (calci_model_fit(options, d, NULL, 0, &model, error) != CALCI_OK) {
        cli_error("train: %s", calci_error_message(error));
        goto done;
    }
    if (calci_model_save(model, out, error) != CALCI_OK) {
        cli_error("%s", calci_error_message(error));
        goto done;
    }
    printf("%s: %s model with %zu features, cross-validated AUC %.4f\n", out,
           calci_model_classifier(model), calci_model_feature_count(model),
           calci_model_cv_auc(model));
    status = 0;

done:
    calci_model_free(model);
    calci_dataset_free(d);
    calci_table_free(t);
    calci_options_free(options);
    calci_error_free(error);
    return status;

usage:
    fputs(train_usage, stderr);
    return EXIT_USAGE;
}

/* ---- evaluate ---- */

/* Dataset with the model's features (matched by column name) and labels. */
static calci_dataset *evaluation_dataset(const calci_model *model, const calci_table *t,
                                         const char *path, size_t label_col,
                                         const char *positive)
{
    size_t p = calci_model_feature_count(model), rows = calci_table_rows(t);
    const char **names = malloc((p + 1) * sizeof *names);
    size_t *cols = malloc((p + 1) * sizeof *cols);
    double *values = malloc((p + 1) * sizeof *values);
    calci_error *error = calci_error_create();
    calci_dataset *d = NULL;

    if (!names || !cols || !values || !error) {
        cli_error("out of memory");
        goto done;
    }
    for (size_t c = 0; c < p; c++) {
        names[c] = calci_model_feature_name(model, c);
        cols[c] = find_column(t, names[c], path);
        if (cols[c] == (size_t)-1)
            goto done;
    }
    if (calci_dataset_create(p, names, 0, NULL, &d, error) != CALCI_OK) {
        cli_error("%s", calci_error_message(error));
        goto done;
    }
    for (size_t i = 0; i < rows; i++) {
        char case_id[32];
        int label = parse_label(t, i, label_col, positive, path);
        if (label == -2)
            goto failed;
        for (size_t c = 0; c < p; c++)
            if (!parse_cell(calci_table_cell(t, i, cols[c]), &values[c])) {
                cli_error("%s line %zu: column \"%s\" holds \"%s\", expected a number", path,
                          calci_table_line(t, i), names[c], calci_table_cell(t, i, cols[c]));
                goto failed;
            }
        snprintf(case_id, sizeof case_id, "row%zu", i + 1);
        if (calci_dataset_add(d, case_id, NULL, label, CALCI_SPLIT_TEST, NULL, values, NULL,
                              error) != CALCI_OK) {
            cli_error("%s line %zu: %s", path, calci_table_line(t, i), calci_error_message(error));
            goto failed;
        }
    }
    goto done;

failed:
    calci_dataset_free(d);
    d = NULL;
done:
    free(names);
    free(cols);
    free(values);
    calci_error_free(error);
    return d;
}

/* Metrics printed by evaluate; NaN where not computable. */
struct evaluation {
    size_t n_pos, n_neg;
    double auc, ci[2];
    double threshold[2], sensitivity[2], specificity[2];
    double brier, calibration_intercept, calibration_slope;
};

static void print_text(const struct evaluation *e)
{
    static const char *const names[] = {"high_sensitivity", "high_specificity"};
    printf("cases %zu positive, %zu negative\n", e->n_pos, e->n_neg);
    printf("auc %.4f (95%% CI %.4f to %.4f, DeLong)\n", e->auc, e->ci[0], e->ci[1]);
    for (int k = 0; k < 2; k++)
        printf("%s threshold %.6g: sensitivity %.4f, specificity %.4f\n", names[k],
               e->threshold[k], e->sensitivity[k], e->specificity[k]);
    printf("brier %.4f\n", e->brier);
    printf("calibration intercept %.4f, slope %.4f\n", e->calibration_intercept,
           e->calibration_slope);
}

static void print_json(const struct evaluation *e)
{
    static const char *const names[] = {"high_sensitivity", "high_specificity"};
    json_writer w = {.file = stdout};
    json_begin_object(&w, NULL);
    json_integer(&w, "positives", (long long)e->n_pos);
    json_integer(&w, "negatives", (long long)e->n_neg);
    json_number(&w, "auc", e->auc);
    json_number(&w, "auc_ci_lower", e->ci[0]);
    json_number(&w, "auc_ci_upper", e->ci[1]);
    json_begin_array(&w, "operating_points");
    for (int k = 0; k < 2; k++) {
        json_begin_object(&w, NULL);
        json_string(&w, "name", names[k]);
        json_number(&w, "threshold", e->threshold[k]);
        json_number(&w, "sensitivity", e->sensitivity[k]);
        json_number(&w, "specificity", e->specificity[k]);
        json_end_object(&w);
    }
    json_end_array(&w);
    json_number(&w, "brier", e->brier);
    json_number(&w, "calibration_intercept", e->calibration_intercept);
    json_number(&w, "calibration_slope", e->calibration_slope);
    json_end_object(&w);
    fputc('\n', stdout);
}

/* Fills e from the scores and labels; returns 0 or prints the reason. */
static int evaluate_scores(const calci_model *model, const double *scores, const int *labels,
                           size_t n, struct evaluation *e)
{
    calci_error *error = calci_error_create();
    calci_roc *roc = NULL;
    int result = -1;

    if (error == NULL) {
        cli_error("out of memory");
        return -1;
    }
    if (calci_roc_create(scores, labels, n, CALCI_DIRECTION_HIGHER, &roc, error) != CALCI_OK) {
        cli_error("evaluate: %s", calci_error_message(error));
        goto done;
    }
    e->n_pos = calci_roc_positives(roc);
    e->n_neg = calci_roc_negatives(roc);
    e->auc = calci_roc_auc(roc);
    calci_roc_ci_delong(roc, 0.95, &e->ci[0], &e->ci[1]);
    e->threshold[0] = calci_model_threshold_high_sensitivity(model);
    e->threshold[1] = calci_model_threshold_high_specificity(model);
    for (int k = 0; k < 2; k++) {
        size_t tp = 0, tn = 0;
        for (size_t i = 0; i < n; i++) {
            int called = scores[i] >= e->threshold[k];
            tp += labels[i] == 1 && called;
            tn += labels[i] == 0 && !called;
        }
        e->sensitivity[k] = (double)tp / (double)e->n_pos;
        e->specificity[k] = (double)tn / (double)e->n_neg;
    }
    if (calci_brier_score(scores, labels, n, &e->brier, error) != CALCI_OK) {
        cli_error("evaluate: %s", calci_error_message(error));
        goto done;
    }
    /* A score of exactly 0 or 1 (or a separating logit) leaves calibration NaN. */
    e->calibration_intercept = NAN;
    e->calibration_slope = NAN;
    if (calci_calibration(scores, labels, n, &e->calibration_intercept, &e->calibration_slope,
                          error) != CALCI_OK) {
        e->calibration_intercept = NAN;
        e->calibration_slope = NAN;
        fprintf(stderr, "calci: evaluate: calibration not computed: %s\n",
                calci_error_message(error));
    }
    result = 0;

done:
    calci_roc_free(roc);
    calci_error_free(error);
    return result;
}

int command_evaluate(int argc, char **argv)
{
    const char *model_path = NULL, *file = NULL, *label = NULL, *positive = NULL;
    int json = 0;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(evaluate_usage, stdout);
            return 0;
        }
        if (strcmp(argv[i], "--label") == 0 && i + 1 < argc) {
            label = argv[++i];
        } else if (strcmp(argv[i], "--positive") == 0 && i + 1 < argc) {
            positive = argv[++i];
        } else if (strcmp(argv[i], "--json") == 0) {
            json = 1;
        } else if (argv[i][0] == '-') {
            cli_error("evaluate: unknown option %s (or its value is missing)", argv[i]);
            goto usage;
        } else if (model_path == NULL) {
            model_path = argv[i];
        } else if (file == NULL) {
            file = argv[i];
        } else {
            cli_error("evaluate: unexpected argument \"%s\"", argv[i]);
            goto usage;
        }
    }
    if (model_path == NULL || file == NULL || label == NULL) {
        cli_error("evaluate: give MODEL, FILE and --label COL");
        goto usage;
    }

    calci_error *error = calci_error_create();
    calci_model *model = NULL;
    calci_table *t = NULL;
    calci_dataset *d = NULL;
    double *scores = NULL;
    int *labels = NULL, status = EXIT_INPUT;
    size_t label_col;
    struct evaluation e;

    if (error == NULL) {
        cli_error("out of memory");
        return EXIT_INPUT;
    }
    if (calci_model_load(model_path, &model, error) != CALCI_OK ||
        calci_table_read_csv(file, &t, error) != CALCI_OK) {
        cli_error("%s", calci_error_message(error));
        goto done;
    }
    if ((label_col = find_column(t, label, file)) == (size_t)-1)
        goto done;
    d = evaluation_dataset(model, t, file, label_col, positive);
    if (d == NULL)
        goto done;
    size_t n = calci_dataset_cases(d);
    scores = malloc((n + 1) * sizeof *scores);
    labels = malloc((n + 1) * sizeof *labels);
    if (scores == NULL || labels == NULL) {
        cli_error("out of memory");
        goto done;
    }
    if (calci_model_predict(model, d, NULL, 0, scores, NULL, error) != CALCI_OK) {
        cli_error("%s: %s", file, calci_error_message(error));
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        labels[i] = calci_dataset_label(d, i);
    if (evaluate_scores(model, scores, labels, n, &e) != 0)
        goto done;
    if (json)
        print_json(&e);
    else
        print_text(&e);
    status = 0;

done:
    free(scores);
    free(labels);
    calci_dataset_free(d);
    calci_table_free(t);
    calci_model_free(model);
    calci_error_free(error);
    return status;

usage:
    fputs(evaluate_usage, stderr);
    return EXIT_USAGE;
}
