/*
 * study.c - `calci study`: the whole study on a manifest. Features for every
 * case, a patient-level split, logistic regression and linear SVM trained
 * with cross-validated feature selection, operating points fixed on the
 * training out-of-fold scores, test-set ROC statistics, DeLong comparisons
 * with the comparator columns, and the output folder.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

static const char study_usage[] =
    "usage: calci study MANIFEST --out DIR [options]\n"
    "\n"
    "  --out DIR            output folder (created if missing)\n"
    "  --preset NAME        extraction preset: yu2021 (default), pyradiomics or ibsi\n"
    "  --params FILE        pyradiomics YAML parameter file, used in place of --preset\n"
    "  --set KEY=VALUE      an extraction setting by its pyradiomics name (repeatable)\n"
    "  --threads N          cases extracted in parallel (default 1)\n"
    "  --seed N             seed of the patient split and the folds (default 1)\n"
    "  --train-fraction F   share of patients put in training when the manifest has no\n"
    "                       split column (default 0.7)\n"
    "  --option KEY=VALUE   a model option (C, pcc, select, k, k_max, k_rule, folds,\n"
    "                       sens_target, spec_target; see calci.h), for both models\n"
    "  --bootstrap N        bootstrap replicates of the ROC sensitivity bands, drawn with\n"
    "                       --seed (default 2000, as pROC's ci.se)\n"
    "  --quiet              no progress on stderr\n"
    "  --no-cache           extract every case again and skip DIR/.cache, the per-case\n"
    "                       cache that lets an interrupted study resume\n"
    "\n"
    "Writes DIR/features.csv, DIR/summary.json, DIR/lr.model, DIR/svm.model,\n"
    "DIR/roc_lr.csv, DIR/roc_svm.csv and DIR/report.html, and prints the test table.\n";

typedef struct study_args {
    const char *manifest_path;
    const char *out_dir;
    const char *preset;
    const char *params_path; /* --params, NULL when absent */
    char **settings;
    size_t n_settings;
    char **options;
    size_t n_options;
    int threads;
    unsigned long long seed;
    double train_fraction;
    size_t bootstrap;
    int quiet;
    int no_cache; /* --no-cache */
} study_args;

/* Parses the command line; returns 0, or EXIT_USAGE after a message. */
static int parse_args(int argc, char **argv, study_args *a)
{
    a->preset = "yu2021";
    a->threads = 1;
    a->seed = 1;
    a->train_fraction = 0.7;
    a->bootstrap = 2000;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        char *end;

        if (strcmp(arg, "--quiet") == 0) {
            a->quiet = 1;
            continue;
        }
        if (strcmp(arg, "--no-cache") == 0) {
            a->no_cache = 1;
            continue;
        }
        if (arg[0] != '-') {
            if (a->manifest_path != NULL) {
                cli_error("study: more than one manifest given (\"%s\")", arg);
                return EXIT_USAGE;
            }
            a->manifest_path = arg;
            continue;
        }
        if (value == NULL) {
            cli_error("study: option %s needs a value", arg);
            return EXIT_USAGE;
        }
        i++;
        if (strcmp(arg, "--out") == 0)
            a->out_dir = value;
        else if (strcmp(arg, "--preset") == 0)
            a->preset = value;
        else if (strcmp(arg, "--params") == 0)
            a->params_path = value;
        else if (strcmp(arg, "--set") == 0)
            a->settings[a->n_settings++] = (char *)value;
        else if (strcmp(arg, "--option") == 0)
            a->options[a->n_options++] = (char *)value;
        else if (strcmp(arg, "--threads") == 0) {
            a->threads = (int)strtol(value, &end, 10);
            if (end == value || *end != '\0' || a->threads < 1 || a->threads > 256) {
                cli_error("study: --threads \"%s\" is not a count in [1, 256]", value);
                return EXIT_USAGE;
            }
        } else if (strcmp(arg, "--seed") == 0) {
            a->seed = strtoull(value, &end, 10);
            if (end == value || *end != '\0') {
                cli_error("study: --seed \"%s\" is not a non-negative integer", value);
                return EXIT_USAGE;
            }
        } else if (strcmp(arg, "--bootstrap") == 0) {
            unsigned long long replicates = strtoull(value, &end, 10);
            if (end == value || *end != '\0' || value[0] == '-' || replicates < 2 ||
                replicates > 1000000) {
                cli_error("study: --bootstrap \"%s\" is not a count in [2, 1000000]", value);
                return EXIT_USAGE;
            }
            a->bootstrap = (size_t)replicates;
        } else if (strcmp(arg, "--train-fraction") == 0) {
            a->train_fraction = strtod(value, &end);
            if (end == value || *end != '\0' || !(a->train_fraction > 0) ||
                !(a->train_fraction < 1)) {
                cli_error("study: --train-fraction \"%s\" is not a number in (0, 1)", value);
                return EXIT_USAGE;
            }
        } else {
            cli_error("study: unknown option %s", arg);
            return EXIT_USAGE;
        }
    }
    if (a->manifest_path == NULL || a->out_dir == NULL) {
        cli_error("study: give a MANIFEST and --out DIR");
        return EXIT_USAGE;
    }
    return 0;
}

static char *join(const char *dir, const char *name)
{
    size_t len = strlen(dir) + strlen(name) + 2;
    char *path = malloc(len);

    if (path != NULL)
        snprintf(path, len, "%s/%s", dir, name);
    return path;
}

/* Builds the dataset from the manifest and the extracted features. */
static calci_dataset *build_dataset(const manifest *m, const extraction *x)
{
    calci_error *error = calci_error_create();
    calci_dataset *d = NULL;

    if (error == NULL ||
        calci_dataset_create(x->n_features, (const char *const *)x->names, m->n_comparators,
                             (const char *const *)m->comparator_names, &d,
                             error) != CALCI_OK) {
        cli_error("%s", error ? calci_error_message(error) : "out of memory");
        calci_error_free(error);
        return NULL;
    }
    for (size_t i = 0; i < m->n_cases; i++) {
        const manifest_case *c = &m->cases[i];
        if (calci_dataset_add(d, c->case_id, c->patient_id, c->label, c->split, c->group,
                              &x->values[i * x->n_features],
                              m->n_comparators ? &m->comparators[i * m->n_comparators] : NULL,
                              error) != CALCI_OK) {
            cli_error("%s line %zu: %s", m->path, c->line, calci_error_message(error));
            calci_dataset_free(d);
            calci_error_free(error);
            return NULL;
        }
    }
    calci_error_free(error);
    return d;
}

/* Rows of one split with a known label. */
static size_t rows_of_split(const calci_dataset *d, calci_split split, size_t *rows)
{
    size_t n = 0;

    for (size_t i = 0; i < calci_dataset_cases(d); i++)
        if (calci_dataset_split(d, i) == split && calci_dataset_label(d, i) >= 0)
            rows[n++] = i;
    return n;
}

/* 2x2 counts {TP, TN, FN, FP} on the comparator subset, for the model at
 * both operating points and, when every read is 0 or 1, for the reads. */
static void subset_counts(const model_result *r, const double *model_scores,
                          const double *reads, const int *labels, size_t n, comparison *c)
{
    size_t tp, fp, tn, fn;

    for (int k = 0; k < 2; k++) {
        calci_confusion(model_scores, labels, n, r->points[k].threshold, &tp, &fp, &tn, &fn);
        c->model_counts[k][0] = tp;
        c->model_counts[k][1] = tn;
        c->model_counts[k][2] = fn;
        c->model_counts[k][3] = fp;
    }
    c->comparator_binary = n > 0;
    for (size_t i = 0; i < n; i++)
        if (reads[i] != 0.0 && reads[i] != 1.0)
            c->comparator_binary = 0;
    if (c->comparator_binary) {
        calci_confusion(reads, labels, n, 0.5, &tp, &fp, &tn, &fn);
        c->comparator_counts[0] = tp;
        c->comparator_counts[1] = tn;
        c->comparator_counts[2] = fn;
        c->comparator_counts[3] = fp;
    }
}

static void compare_with(model_result *r, const calci_dataset *d, const size_t *test,
                         size_t n_test, size_t j, comparison *c)
{
    double *model_scores = malloc((n_test + 1) * sizeof(double));
    double *reads = malloc((n_test + 1) * sizeof(double));
    int *labels = malloc((n_test + 1) * sizeof(int));
    calci_roc *a = NULL, *b = NULL;
    size_t n = 0, positives = 0;

    c->comparator = strdup(calci_dataset_comparator_name(d, j));
    if (model_scores == NULL || reads == NULL || labels == NULL || c->comparator == NULL) {
        snprintf(c->reason, sizeof c->reason, "out of memory");
        goto done;
    }
    for (size_t t = 0; t < n_test; t++) {
        double read = calci_dataset_comparator(d, test[t], j);
        if (!isfinite(read))
            continue;
        model_scores[n] = r->scores[test[t]];
        reads[n] = read;
        labels[n] = calci_dataset_label(d, test[t]);
        positives += labels[n] == 1;
        n++;
    }
    c->n_cases = n;
    c->n_positive = positives;
    subset_counts(r, model_scores, reads, labels, n, c);
    if (positives == 0 || positives == n) {
        snprintf(c->reason, sizeof c->reason,
                 "the test cases with a %s read (%zu) do not include both classes",
                 c->comparator, n);
        goto done;
    }
    if (calci_roc_create(model_scores, labels, n, CALCI_DIRECTION_HIGHER, &a, NULL) !=
            CALCI_OK ||
        calci_roc_create(reads, labels, n, CALCI_DIRECTION_HIGHER, &b, NULL) != CALCI_OK ||
        calci_roc_test_delong(a, b, 0.95, &c->z, &c->p, &c->diff_lower, &c->diff_upper,
                              NULL) != CALCI_OK) {
        snprintf(c->reason, sizeof c->reason, "DeLong's test could not be computed");
        goto done;
    }
    c->auc_model = calci_roc_auc(a);
    c->auc_comparator = calci_roc_auc(b);
    if (!isfinite(c->p)) {
        snprintf(c->reason, sizeof c->reason,
                 "DeLong's variance needs at least 2 cases of each class (%zu positive, %zu "
                 "negative)",
                 positives, n - positives);
        goto done;
    }
    if (!isfinite(c->z)) {
        /* Both curves separate perfectly or are constant on this subset, so the
         * difference has zero variance: pROC reports Z = Inf, p < 2.2e-16. */
        snprintf(c->reason, sizeof c->reason,
                 "the AUC difference has zero variance on these %zu cases (AUC %.2f vs "
                 "%.2f), so DeLong's test is undefined",
                 n, c->auc_model, c->auc_comparator);
        goto done;
    }
    c->done = 1;

done:
    calci_roc_free(a);
    calci_roc_free(b);
    free(model_scores);
    free(reads);
    free(labels);
}

/* CV AUC of the same fit with z-score, Pearson filter and ranking fitted on
 * the whole training set before CV (FAE 0.2.5's workflow), to show its
 * optimism next to the correct estimate. NaN, with a message, on failure. */
static double study_compatible_cv_auc(const calci_options *options, const calci_dataset *d)
{
    calci_options *leaky = calci_options_copy(options);
    calci_error *error = calci_error_create();
    calci_model *m = NULL;
    double auc = NAN;

    if (leaky == NULL || error == NULL)
        cli_error("out of memory fitting the study-compatible model");
    else if (calci_options_set(leaky, "study_compatible", "true", error) != CALCI_OK ||
             calci_model_fit(leaky, d, NULL, 0, &m, error) != CALCI_OK)
        cli_error("study-compatible fit failed (leakage line left empty): %s",
                  calci_error_message(error));
    else
        auc = calci_model_cv_auc(m);
    calci_model_free(m);
    calci_options_free(leaky);
    calci_error_free(error);
    return auc;
}

/* Fills band with the bootstrap band of the sensitivity (pROC's ci.se);
 * on failure leaves NaN and prints a warning naming what. */
static void compute_band(const double *scores, const int *labels, size_t n,
                         const study_args *a, const char *what, roc_band *band)
{
    double specificities[BAND_POINTS];
    calci_error *error = calci_error_create();

    for (size_t s = 0; s < BAND_POINTS; s++) {
        specificities[s] = BAND_SPECIFICITY(s);
        band->lower[s] = band->upper[s] = NAN;
    }
    if (error == NULL ||
        calci_roc_ci_se_bootstrap(scores, labels, n, CALCI_DIRECTION_HIGHER, specificities,
                                  BAND_POINTS, 0.95, a->bootstrap, a->seed, band->lower, NULL,
                                  band->upper, error) != CALCI_OK)
        fprintf(stderr, "calci: warning: no sensitivity band for the %s: %s\n", what,
                error ? calci_error_message(error) : "out of memory");
    calci_error_free(error);
}

/* ROC curve, DeLong interval and band of the pooled out-of-fold scores of
 * the chosen k. Returns 0 or -1 after a message. */
static int evaluate_cv(model_result *r, const study_args *a, const calci_dataset *d)
{
    size_t n = calci_model_oof_count(r->model), t = 0;
    double *scores = malloc((n + 1) * sizeof *scores);
    int *labels = malloc((n + 1) * sizeof *labels);
    calci_error *error = calci_error_create();
    int status = -1;

    if (scores == NULL || labels == NULL || error == NULL) {
        cli_error("%s model: out of memory for the out-of-fold scores", r->title);
        goto done;
    }
    /* The out-of-fold scores follow the training rows calci_model_fit used
     * with rows = NULL: every case of the training split, in dataset order. */
    for (size_t i = 0; i < calci_dataset_cases(d) && t < n; i++)
        if (calci_dataset_split(d, i) == CALCI_SPLIT_TRAIN)
            labels[t++] = calci_dataset_label(d, i);
    if (t != n) {
        cli_error("%s model: %zu out-of-fold scores for %zu training cases", r->title, n, t);
        goto done;
    }
    if (calci_model_oof_scores(r->model, scores, n, error) != CALCI_OK ||
        calci_roc_create(scores, labels, n, CALCI_DIRECTION_HIGHER, &r->cv_roc, error) !=
            CALCI_OK) {
        cli_error("%s model: cross-validated ROC curve: %s", r->title,
                  calci_error_message(error));
        goto done;
    }
    calci_roc_ci_delong(r->cv_roc, 0.95, &r->cv_ci[0], &r->cv_ci[1]);
    compute_band(scores, labels, n, a, "cross-validated ROC curve", &r->cv_band);
    status = 0;

done:
    free(scores);
    free(labels);
    calci_error_free(error);
    return status;
}

/* Brier score, calibration intercept and slope and the reliability table of
 * the test scores; a step that fails leaves NaN and its reason. */
static void evaluate_calibration(calibration_result *c, const double *scores,
                                 const int *labels, size_t n)
{
    calci_error *error = calci_error_create();

    c->brier = c->intercept = c->slope = NAN;
    for (size_t g = 0; g < RELIABILITY_BINS; g++) {
        c->counts[g] = 0;
        c->mean_score[g] = c->observed[g] = NAN;
    }
    c->reason[0] = '\0';
    if (error == NULL) {
        snprintf(c->reason, sizeof c->reason, "out of memory");
        return;
    }
    if (calci_brier_score(scores, labels, n, &c->brier, error) != CALCI_OK ||
        calci_reliability_table(scores, labels, n, RELIABILITY_BINS, c->counts, c->mean_score,
                                c->observed, error) != CALCI_OK ||
        calci_calibration(scores, labels, n, &c->intercept, &c->slope, error) != CALCI_OK)
        snprintf(c->reason, sizeof c->reason, "%s", calci_error_message(error));
    calci_error_free(error);
}

/* Clopper-Pearson 95 % intervals of the four rates of p (R's binom.test);
 * NaN where a denominator is 0. */
static void rates_ci(operating_point *p)
{
    double estimate[5], lower[5], upper[5];

    for (int q = 0; q < 4; q++)
        p->lower[q] = p->upper[q] = NAN;
    if (calci_diagnostic_rates_ci(p->tp, p->fp, p->tn, p->fn, 0.95,
                                  CALCI_INTERVAL_CLOPPER_PEARSON, estimate, lower, upper,
                                  NULL) != CALCI_OK)
        return;
    for (int q = 0; q < 4; q++) {
        p->lower[q] = lower[q];
        p->upper[q] = upper[q];
    }
}

/* Applies every --option KEY=VALUE to options; prints the reason and
 * returns -1 on a malformed or rejected option. */
static int apply_options(calci_options *options, const study_args *a)
{
    calci_error *error = calci_error_create();
    int status = -1;

    if (error == NULL) {
        cli_error("out of memory");
        return -1;
    }
    for (size_t i = 0; i < a->n_options; i++) {
        char key[64];
        const char *eq = strchr(a->options[i], '=');
        size_t len = eq ? (size_t)(eq - a->options[i]) : 0;
        if (eq == NULL || len == 0 || len >= sizeof key) {
            cli_error("study: --option \"%s\": expected KEY=VALUE", a->options[i]);
            goto done;
        }
        memcpy(key, a->options[i], len);
        key[len] = '\0';
        if (calci_options_set(options, key, eq + 1, error) != CALCI_OK) {
            cli_error("study: --option %s: %s", a->options[i], calci_error_message(error));
            goto done;
        }
    }
    status = 0;

done:
    calci_error_free(error);
    return status;
}

/* Fits one classifier and evaluates it on the test rows. Returns 0 or -1. */
static int run_model(model_result *r, const study_args *a, const rad_params *params,
                     const calci_dataset *d, const size_t *test, size_t n_test)
{
    calci_error *error = calci_error_create();
    calci_options *options = NULL;
    double *scores = NULL;
    int *labels = NULL;
    size_t *train = NULL, n_train;
    char seed_text[32];
    int status = -1;

    if (error == NULL || calci_options_create(&options, error) != CALCI_OK)
        goto fail;
    snprintf(seed_text, sizeof seed_text, "%llu", a->seed);
    if (calci_options_set(options, "classifier", r->classifier, error) != CALCI_OK ||
        calci_options_set(options, "seed", seed_text, error) != CALCI_OK)
        goto fail;
    if (apply_options(options, a) != 0)
        goto done;

    /* Cases without a label may sit in the training split; they are scored but
     * not fitted. */
    train = malloc((calci_dataset_cases(d) + 1) * sizeof *train);
    if (train == NULL)
        goto fail;
    n_train = rows_of_split(d, CALCI_SPLIT_TRAIN, train);
    if (calci_model_fit(options, d, train, n_train, &r->model, error) != CALCI_OK)
        goto fail;
    if (params_to_model(params, a->preset, r->model) != 0) {
        cli_error("out of memory storing the extraction settings in the model");
        goto done;
    }
    r->scores = malloc(calci_dataset_cases(d) * sizeof *r->scores);
    if (r->scores == NULL ||
        calci_model_predict(r->model, d, NULL, 0, r->scores, NULL, error) != CALCI_OK)
        goto fail;
    r->cv_auc = calci_model_cv_auc(r->model);
    r->cv_auc_study_compatible = study_compatible_cv_auc(options, d);

    scores = malloc((n_test + 1) * sizeof *scores);
    labels = malloc((n_test + 1) * sizeof *labels);
    if (scores == NULL || labels == NULL)
        goto fail;
    for (size_t t = 0; t < n_test; t++) {
        scores[t] = r->scores[test[t]];
        labels[t] = calci_dataset_label(d, test[t]);
    }
    if (calci_roc_create(scores, labels, n_test, CALCI_DIRECTION_HIGHER, &r->test_roc,
                         error) != CALCI_OK)
        goto fail;
    r->test_auc = calci_roc_auc(r->test_roc);
    calci_roc_ci_delong(r->test_roc, 0.95, &r->test_ci[0], &r->test_ci[1]);
    r->test_positive = calci_roc_positives(r->test_roc);
    r->test_negative = calci_roc_negatives(r->test_roc);
    compute_band(scores, labels, n_test, a, "test ROC curve", &r->test_band);
    evaluate_calibration(&r->calibration, scores, labels, n_test);
    if (evaluate_cv(r, a, d) != 0)
        goto done;

    r->points[0].name = "high_sensitivity";
    r->points[0].threshold = calci_model_threshold_high_sensitivity(r->model);
    r->points[1].name = "high_specificity";
    r->points[1].threshold = calci_model_threshold_high_specificity(r->model);
    for (int k = 0; k < 2; k++) {
        operating_point *p = &r->points[k];
        calci_confusion(scores, labels, n_test, p->threshold, &p->tp, &p->fp, &p->tn, &p->fn);
        calci_diagnostic_rates(p->tp, p->fp, p->tn, p->fn, p->rates);
        rates_ci(p);
    }

    r->n_comparisons = calci_dataset_comparators(d);
    r->comparisons = calloc(r->n_comparisons + 1, sizeof *r->comparisons);
    if (r->comparisons == NULL)
        goto fail;
    for (size_t j = 0; j < r->n_comparisons; j++)
        compare_with(r, d, test, n_test, j, &r->comparisons[j]);
    status = 0;
    goto done;

fail:
    cli_error("%s model: %s", r->title,
              error && calci_error_status(error) != CALCI_OK ? calci_error_message(error)
                                                            : "out of memory");
done:
    free(train);
    free(scores);
    free(labels);
    calci_options_free(options);
    calci_error_free(error);
    return status;
}

static void free_result(model_result *r)
{
    calci_roc_free(r->cv_roc);
    for (size_t j = 0; j < r->n_comparisons; j++)
        free(r->comparisons[j].comparator);
    free(r->comparisons);
    free(r->scores);
    calci_roc_free(r->test_roc);
    calci_model_free(r->model);
}

/* ------------------------------------------------------------------ */
/* Outputs                                                              */

typedef struct summary_input {
    const study_args *args;
    const calci_dataset *d;
    const model_result *results;
    size_t n_results;
    int min_grey_levels;
    size_t n_features;
} summary_input;

static void write_split_counts(json_writer *w, const char *key, const calci_dataset *d,
                               calci_split split)
{
    size_t cases = 0, positive = 0, negative = 0;

    for (size_t i = 0; i < calci_dataset_cases(d); i++) {
        if (calci_dataset_split(d, i) != split)
            continue;
        cases++;
        positive += calci_dataset_label(d, i) == 1;
        negative += calci_dataset_label(d, i) == 0;
    }
    json_begin_object(w, key);
    json_integer(w, "cases", (long long)cases);
    json_integer(w, "positive", (long long)positive);
    json_integer(w, "negative", (long long)negative);
    json_end_object(w);
}

static void write_pair(json_writer *w, const char *key, double first, double second)
{
    json_begin_array(w, key);
    json_number(w, NULL, first);
    json_number(w, NULL, second);
    json_end_array(w);
}

static void write_band(json_writer *w, const roc_band *band, const study_args *a)
{
    json_begin_object(w, "sensitivity_band95");
    json_string(w, "method", "stratified bootstrap percentile (pROC ci.se)");
    json_integer(w, "replicates", (long long)a->bootstrap);
    json_integer(w, "seed", (long long)a->seed);
    json_begin_array(w, "specificity");
    for (size_t s = 0; s < BAND_POINTS; s++)
        json_number(w, NULL, BAND_SPECIFICITY(s));
    json_end_array(w);
    json_begin_array(w, "lower");
    for (size_t s = 0; s < BAND_POINTS; s++)
        json_number(w, NULL, band->lower[s]);
    json_end_array(w);
    json_begin_array(w, "upper");
    for (size_t s = 0; s < BAND_POINTS; s++)
        json_number(w, NULL, band->upper[s]);
    json_end_array(w);
    json_end_object(w);
}

static void write_calibration(json_writer *w, const calibration_result *c)
{
    json_begin_object(w, "calibration");
    json_number(w, "brier", c->brier);
    json_number(w, "intercept", c->intercept);
    json_number(w, "slope", c->slope);
    json_begin_array(w, "reliability");
    for (size_t g = 0; g < RELIABILITY_BINS; g++) {
        json_begin_object(w, NULL);
        json_integer(w, "cases", (long long)c->counts[g]);
        json_number(w, "mean_score", c->mean_score[g]);
        json_number(w, "observed", c->observed[g]);
        json_end_object(w);
    }
    json_end_array(w);
    if (c->reason[0] != '\0')
        json_string(w, "incomplete", c->reason);
    json_end_object(w);
}

static void write_counts(json_writer *w, const char *key, const size_t counts[4])
{
    json_begin_object(w, key);
    json_integer(w, "tp", (long long)counts[0]);
    json_integer(w, "tn", (long long)counts[1]);
    json_integer(w, "fn", (long long)counts[2]);
    json_integer(w, "fp", (long long)counts[3]);
    json_end_object(w);
}

static void write_model_summary(json_writer *w, const model_result *r, const study_args *a)
{
    const calci_model *m = r->model;

    json_begin_object(w, NULL);
    json_string(w, "classifier", r->classifier);
    json_begin_array(w, "features");
    for (size_t i = 0; i < calci_model_feature_count(m); i++) {
        json_begin_object(w, NULL);
        json_string(w, "name", calci_model_feature_name(m, i));
        json_number(w, "coefficient", calci_model_coefficient(m, i));
        json_end_object(w);
    }
    json_end_array(w);
    json_number(w, "intercept", calci_model_intercept(m));
    json_number(w, "cv_auc", r->cv_auc);
    json_begin_object(w, "cv_roc");
    json_string(w, "scores", "pooled out-of-fold scores of the chosen k");
    json_integer(w, "positive", (long long)calci_roc_positives(r->cv_roc));
    json_integer(w, "negative", (long long)calci_roc_negatives(r->cv_roc));
    json_number(w, "auc", calci_roc_auc(r->cv_roc));
    write_pair(w, "auc_ci95", r->cv_ci[0], r->cv_ci[1]);
    json_string(w, "ci_method", "DeLong");
    write_band(w, &r->cv_band, a);
    json_end_object(w);
    json_begin_object(w, "leakage");
    json_number(w, "cv_auc_correct", r->cv_auc);
    json_number(w, "cv_auc_study_compatible", r->cv_auc_study_compatible);
    json_end_object(w);
    json_begin_array(w, "cv_auc_by_k");
    for (size_t k = 1; k <= calci_model_cv_k_max(m); k++)
        json_number(w, NULL, calci_model_cv_auc_at(m, k));
    json_end_array(w);

    json_begin_object(w, "test");
    json_integer(w, "positive", (long long)r->test_positive);
    json_integer(w, "negative", (long long)r->test_negative);
    json_number(w, "auc", r->test_auc);
    json_begin_array(w, "auc_ci95");
    json_number(w, NULL, r->test_ci[0]);
    json_number(w, NULL, r->test_ci[1]);
    json_end_array(w);
    json_string(w, "ci_method", "DeLong");
    write_band(w, &r->test_band, a);
    write_calibration(w, &r->calibration);
    json_end_object(w);

    json_begin_array(w, "operating_points");
    for (int k = 0; k < 2; k++) {
        const operating_point *p = &r->points[k];
        json_begin_object(w, NULL);
        json_string(w, "name", p->name);
        json_string(w, "fixed_on", "training out-of-fold scores");
        json_number(w, "threshold", p->threshold);
        json_integer(w, "tp", (long long)p->tp);
        json_integer(w, "fp", (long long)p->fp);
        json_integer(w, "tn", (long long)p->tn);
        json_integer(w, "fn", (long long)p->fn);
        json_number(w, "sensitivity", p->rates[0]);
        json_number(w, "specificity", p->rates[1]);
        json_number(w, "ppv", p->rates[2]);
        json_number(w, "npv", p->rates[3]);
        json_string(w, "rate_ci_method", "Clopper-Pearson");
        write_pair(w, "sensitivity_ci95", p->lower[0], p->upper[0]);
        write_pair(w, "specificity_ci95", p->lower[1], p->upper[1]);
        write_pair(w, "ppv_ci95", p->lower[2], p->upper[2]);
        write_pair(w, "npv_ci95", p->lower[3], p->upper[3]);
        json_end_object(w);
    }
    json_end_array(w);

    json_begin_array(w, "comparisons");
    for (size_t j = 0; j < r->n_comparisons; j++) {
        const comparison *c = &r->comparisons[j];
        json_begin_object(w, NULL);
        json_string(w, "comparator", c->comparator);
        json_string(w, "method", "DeLong paired");
        json_integer(w, "cases", (long long)c->n_cases);
        json_integer(w, "positive", (long long)c->n_positive);
        json_begin_object(w, "counts");
        write_counts(w, "model_high_sensitivity", c->model_counts[0]);
        write_counts(w, "model_high_specificity", c->model_counts[1]);
        if (c->comparator_binary)
            write_counts(w, "comparator", c->comparator_counts);
        json_end_object(w);
        if (c->done) {
            json_number(w, "auc_model", c->auc_model);
            json_number(w, "auc_comparator", c->auc_comparator);
            json_number(w, "z", c->z);
            json_number(w, "p", c->p);
            json_begin_array(w, "difference_ci95");
            json_number(w, NULL, c->diff_lower);
            json_number(w, NULL, c->diff_upper);
            json_end_array(w);
        } else {
            json_string(w, "skipped", c->reason);
        }
        json_end_object(w);
    }
    json_end_array(w);
    json_end_object(w);
}

static int write_summary(FILE *file, void *user)
{
    const summary_input *s = user;
    json_writer w = {.file = file};

    json_begin_object(&w, NULL);
    json_string(&w, "program", "calci study");
    json_string(&w, "version", calci_version_string());
    json_string(&w, "manifest", s->args->manifest_path);
    json_integer(&w, "cases", (long long)calci_dataset_cases(s->d));
    write_split_counts(&w, "train", s->d, CALCI_SPLIT_TRAIN);
    write_split_counts(&w, "test", s->d, CALCI_SPLIT_TEST);
    json_begin_object(&w, "extraction");
    json_string(&w, "preset", s->args->preset);
    json_integer(&w, "features", (long long)s->n_features);
    json_integer(&w, "min_grey_levels", s->min_grey_levels);
    json_begin_array(&w, "warnings");
    if (s->min_grey_levels < 8) {
        char text[200];
        snprintf(text, sizeof text,
                 "discretisation left only %d grey levels in at least one ROI and image type; "
                 "texture features are degenerate",
                 s->min_grey_levels);
        json_string(&w, NULL, text);
    }
    json_end_array(&w);
    json_end_object(&w);
    json_begin_array(&w, "models");
    for (size_t m = 0; m < s->n_results; m++)
        write_model_summary(&w, &s->results[m], s->args);
    json_end_array(&w);
    json_end_object(&w);
    return 0;
}

static int write_roc_points(FILE *file, void *user)
{
    const calci_roc *roc = user;

    fputs("threshold,sensitivity,specificity\n", file);
    for (size_t i = 0; i < calci_roc_points(roc); i++) {
        double t, se, sp;
        calci_roc_point(roc, i, &t, &se, &sp);
        fprintf(file, "%.17g,%.17g,%.17g\n", t, se, sp);
    }
    return 0;
}

static int write_features(const calci_dataset *d, const char *path)
{
    calci_error *error = calci_error_create();
    int status = 0;

    if (error == NULL || calci_dataset_write_csv(d, path, error) != CALCI_OK) {
        cli_error("%s", error ? calci_error_message(error) : "out of memory");
        status = -1;
    }
    calci_error_free(error);
    return status;
}

static int save_model(const calci_model *model, const char *path)
{
    calci_error *error = calci_error_create();
    int status = 0;

    if (error == NULL || calci_model_save(model, path, error) != CALCI_OK) {
        cli_error("%s", error ? calci_error_message(error) : "out of memory");
        status = -1;
    }
    calci_error_free(error);
    return status;
}

static void print_table(const model_result *results, size_t n)
{
    printf("\nTest set (operating points fixed on training out-of-fold scores)\n");
    printf("%-20s %-5s %-11s %-17s %5s %5s %5s %5s %4s %4s %4s %4s\n", "model", "AUC",
           "95% CI", "operating point", "sens", "spec", "PPV", "NPV", "TP", "FP", "TN", "FN");
    for (size_t m = 0; m < n; m++) {
        const model_result *r = &results[m];
        for (int k = 0; k < 2; k++) {
            const operating_point *p = &r->points[k];
            char auc[16] = "", ci[32] = "";
            if (k == 0) {
                snprintf(auc, sizeof auc, "%.2f", r->test_auc);
                snprintf(ci, sizeof ci, "%.2f-%.2f", r->test_ci[0], r->test_ci[1]);
            }
            printf("%-20s %-5s %-11s %-17s %5.2f %5.2f %5.2f %5.2f %4zu %4zu %4zu %4zu\n",
                   k == 0 ? r->title : "", auc, ci,
                   k == 0 ? "high sensitivity" : "high specificity", p->rates[0], p->rates[1],
                   p->rates[2], p->rates[3], p->tp, p->fp, p->tn, p->fn);
        }
    }
    printf("(95%% CI of the AUC by DeLong's method)\n");
    for (size_t m = 0; m < n; m++)
        for (size_t j = 0; j < results[m].n_comparisons; j++) {
            const comparison *c = &results[m].comparisons[j];
            if (c->done)
                printf("%s vs %s: AUC %.2f vs %.2f on %zu test cases, DeLong p = %.3g\n",
                       results[m].title, c->comparator, c->auc_model, c->auc_comparator,
                       c->n_cases, c->p);
            else
                printf("%s vs %s: not compared, %s\n", results[m].title, c->comparator,
                       c->reason);
        }
}

static int write_outputs(const study_args *a, const calci_dataset *d, model_result *results,
                         size_t n_results, const extraction *x, int min_levels)
{
    summary_input summary = {a, d, results, n_results, min_levels, x->n_features};
    const char *names[] = {"summary.json", "report.html"};
    char *summary_path = join(a->out_dir, names[0]);
    char *report_path = join(a->out_dir, names[1]);
    int status = -1;

    if (summary_path == NULL || report_path == NULL) {
        cli_error("out of memory");
        goto done;
    }
    for (size_t m = 0; m < n_results; m++) {
        char name[32];
        char *path;
        snprintf(name, sizeof name, "%s.model", results[m].classifier);
        path = join(a->out_dir, name);
        if (path == NULL || save_model(results[m].model, path) != 0) {
            free(path);
            goto done;
        }
        free(path);
        snprintf(name, sizeof name, "roc_%s.csv", results[m].classifier);
        path = join(a->out_dir, name);
        if (path == NULL ||
            write_atomically(path, write_roc_points, results[m].test_roc) != 0) {
            free(path);
            goto done;
        }
        free(path);
    }
    if (write_atomically(summary_path, write_summary, &summary) != 0)
        goto done;
    if (report_write(report_path, a->manifest_path, d, results, n_results, min_levels,
                     a->bootstrap) != 0)
        goto done;
    status = 0;

done:
    free(summary_path);
    free(report_path);
    return status;
}

static int make_folder(const char *path)
{
    struct stat st;

    if (mkdir(path, 0777) == 0 || (errno == EEXIST && stat(path, &st) == 0 &&
                                   S_ISDIR(st.st_mode)))
        return 0;
    cli_error("cannot create the output folder %s: %s", path, strerror(errno));
    return -1;
}

/* Deletes the outputs of an earlier run in dir, so that a run that is
 * interrupted never leaves them next to newer ones. Returns 0 or -1. */
static int remove_outputs(const char *dir)
{
    static const char *const outputs[] = {"features.csv", "summary.json", "report.html",
                                          "lr.model",     "svm.model",    "roc_lr.csv",
                                          "roc_svm.csv",  NULL};

    for (const char *const *name = outputs; *name; name++) {
        char *path = join(dir, *name);
        if (path == NULL) {
            cli_error("out of memory");
            return -1;
        }
        if (unlink(path) != 0 && errno != ENOENT) {
            cli_error("cannot remove the earlier output %s: %s", path, strerror(errno));
            free(path);
            return -1;
        }
        free(path);
    }
    return 0;
}

/* Checks every --option before the extraction, which may take minutes. */
static int validate_options(const study_args *a)
{
    calci_error *error = calci_error_create();
    calci_options *options = NULL;
    int status = -1;

    if (error == NULL || calci_options_create(&options, error) != CALCI_OK) {
        cli_error("out of memory");
        goto done;
    }
    if (apply_options(options, a) != 0)
        goto done;
    status = 0;

done:
    calci_options_free(options);
    calci_error_free(error);
    return status;
}

/* Checks that training and test both have labelled cases of each class. */
static int check_classes(const study_args *a, const calci_dataset *d)
{
    size_t count[3][2] = {{0}};

    for (size_t i = 0; i < calci_dataset_cases(d); i++) {
        int label = calci_dataset_label(d, i);
        if (label >= 0)
            count[calci_dataset_split(d, i)][label]++;
    }
    if (count[CALCI_SPLIT_TRAIN][0] + count[CALCI_SPLIT_TRAIN][1] +
            count[CALCI_SPLIT_TEST][0] + count[CALCI_SPLIT_TEST][1] == 0) {
        cli_error("%s: no case has a label; the study needs a label column with 1 or 0",
                  a->manifest_path);
        return -1;
    }
    for (int side = CALCI_SPLIT_TRAIN; side <= CALCI_SPLIT_TEST; side++)
        if (count[side][0] == 0 || count[side][1] == 0) {
            cli_error("%s: the %s set has %zu positive and %zu negative labelled cases; each "
                      "set needs both classes (check the split column, or add patients)",
                      a->manifest_path, side == CALCI_SPLIT_TRAIN ? "training" : "test",
                      count[side][1], count[side][0]);
            return -1;
        }
    return 0;
}

int command_study(int argc, char **argv)
{
    study_args a = {0};
    manifest *m = NULL;
    rad_params *params = NULL;
    extraction *x = NULL;
    case_cache *cache = NULL;
    calci_dataset *d = NULL;
    calci_error *error = calci_error_create();
    model_result results[2] = {
        {.classifier = "lr", .title = "Logistic regression"},
        {.classifier = "svm", .title = "Linear SVM"},
    };
    size_t *test = NULL, n_test;
    char *features_path = NULL;
    int status = EXIT_INPUT, min_levels = 0;

    a.settings = calloc((size_t)argc + 1, sizeof(char *));
    a.options = calloc((size_t)argc + 1, sizeof(char *));
    if (a.settings == NULL || a.options == NULL || error == NULL) {
        cli_error("out of memory");
        goto done;
    }
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(study_usage, stdout);
            status = 0;
            goto done;
        }
    if (parse_args(argc, argv, &a) != 0) {
        fputs(study_usage, stderr);
        status = EXIT_USAGE;
        goto done;
    }

    if (validate_options(&a) != 0) {
        status = EXIT_USAGE;
        goto done;
    }
    if ((m = manifest_read(a.manifest_path)) == NULL || make_folder(a.out_dir) != 0)
        goto done;
    if ((params = params_from_options(a.preset, a.params_path, a.settings, a.n_settings)) == NULL)
        goto done;
    if (!cli_extraction_worker() && remove_outputs(a.out_dir) != 0)
        goto done;
    if (!a.no_cache && !cli_extraction_worker()) {
        char *cache_dir = join(a.out_dir, ".cache");
        cache = cache_dir ? case_cache_open(cache_dir, params, a.preset, a.params_path,
                                            a.settings, a.n_settings)
                          : NULL;
        free(cache_dir);
        if (cache == NULL)
            goto done;
    }
    if ((x = extract_manifest_cached(m, params, a.threads, !a.quiet, cache)) == NULL)
        goto done;
    for (size_t i = 0; i < x->n_cases; i++)
        if (i == 0 || x->grey_levels[i] < min_levels)
            min_levels = x->grey_levels[i];
    if (min_levels < 8)
        fprintf(stderr,
                "calci: warning: discretisation left only %d grey levels in at least one "
                "ROI; texture features are degenerate (see binWidth and normalizeScale)\n",
                min_levels);

    if ((d = build_dataset(m, x)) == NULL)
        goto done;
    if (calci_split_by_patient(d, a.train_fraction, a.seed, error) != CALCI_OK) {
        cli_error("%s", calci_error_message(error));
        goto done;
    }
    if (check_classes(&a, d) != 0)
        goto done;
    /* Written after the split, so that its split column records the test set. */
    features_path = join(a.out_dir, "features.csv");
    if (features_path == NULL || write_features(d, features_path) != 0)
        goto done;

    test = malloc((calci_dataset_cases(d) + 1) * sizeof *test);
    if (test == NULL) {
        cli_error("out of memory");
        goto done;
    }
    n_test = rows_of_split(d, CALCI_SPLIT_TEST, test);
    for (int r = 0; r < 2; r++) {
        if (!a.quiet)
            fprintf(stderr, "calci: training %s\n", results[r].title);
        if (run_model(&results[r], &a, params, d, test, n_test) != 0)
            goto done;
    }
    if (write_outputs(&a, d, results, 2, x, min_levels) != 0)
        goto done;
    print_table(results, 2);
    printf("\nWrote %s/features.csv, summary.json, lr.model, svm.model, roc_lr.csv, "
           "roc_svm.csv and report.html\n",
           a.out_dir);
    status = 0;

done:
    for (int r = 0; r < 2; r++)
        free_result(&results[r]);
    free(test);
    free(features_path);
    calci_dataset_free(d);
    extraction_free(x);
    case_cache_close(cache);
    rad_params_free(params);
    manifest_free(m);
    calci_error_free(error);
    free(a.settings);
    free(a.options);
    return status;
}
