/*
 * report.c - DIR/report.html of `calci study`: the test-set table in the
 * layout of Yu et al. 2021 (Table 3), the selected features with their
 * coefficients, the comparator tests and subsets (Table 4), and the
 * cross-validated and test ROC curves with bootstrap bands and the test
 * calibration plot, drawn as inline SVG.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

typedef struct report_input {
    const char *manifest_path;
    const calci_dataset *d;
    const model_result *results;
    size_t n_results;
    int min_grey_levels;
    size_t bootstrap_replicates;
} report_input;

static void html_text(FILE *f, const char *text)
{
    for (; *text; text++) {
        switch (*text) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        default: fputc(*text, f);
        }
    }
}

static void number(FILE *f, double value, int decimals)
{
    if (isfinite(value))
        fprintf(f, "%.*f", decimals, value);
    else
        fputs("&ndash;", f);
}

static void write_cohort(FILE *f, const calci_dataset *d)
{
    size_t count[3][2] = {{0}};

    for (size_t i = 0; i < calci_dataset_cases(d); i++) {
        int label = calci_dataset_label(d, i);
        if (label >= 0)
            count[calci_dataset_split(d, i)][label]++;
    }
    fputs("<h2>Cohort</h2>\n<table>\n<tr><th>set</th><th>positive</th><th>negative</th></tr>\n",
          f);
    fprintf(f, "<tr><td>training</td><td>%zu</td><td>%zu</td></tr>\n",
            count[CALCI_SPLIT_TRAIN][1], count[CALCI_SPLIT_TRAIN][0]);
    fprintf(f, "<tr><td>test</td><td>%zu</td><td>%zu</td></tr>\n</table>\n",
            count[CALCI_SPLIT_TEST][1], count[CALCI_SPLIT_TEST][0]);
    fputs("<p>Cases of one patient are all in training or all in test.</p>\n", f);
}

/* One cell "0.89 (0.52-1.00) 8/9": a rate, its Clopper-Pearson interval
 * and its counts. */
static void rate_cell(FILE *f, double rate, double lower, double upper, size_t numerator,
                      size_t denominator)
{
    fputs("<td>", f);
    number(f, rate, 2);
    fputs(" (", f);
    number(f, lower, 2);
    fputs("&ndash;", f);
    number(f, upper, 2);
    fprintf(f, ")<br>%zu/%zu</td>", numerator, denominator);
}

static void auc_with_ci(FILE *f, double auc, double lower, double upper)
{
    number(f, auc, 2);
    fputs(" (", f);
    number(f, lower, 2);
    fputs("&ndash;", f);
    number(f, upper, 2);
    fputs(")", f);
}

/* Table 3 of Yu et al. 2021: per model and operating point, the AUC and
 * the four rates with their intervals and counts. */
static void write_test_table(FILE *f, const model_result *results, size_t n)
{
    fputs("<h2>Test set</h2>\n"
          "<p>Operating points were fixed on the pooled out-of-fold scores of the training "
          "set before the test set was scored. AUC intervals are DeLong's 95% intervals; "
          "rates are given with their 95% Clopper-Pearson interval and counts n/N.</p>\n"
          "<table id=\"table3\">\n"
          "<tr><th>model</th><th>CV AUC (95% CI)</th><th>test AUC (95% CI)</th>"
          "<th>operating point</th><th>sensitivity</th><th>specificity</th><th>PPV</th>"
          "<th>NPV</th></tr>\n",
          f);
    for (size_t m = 0; m < n; m++) {
        const model_result *r = &results[m];
        for (int k = 0; k < 2; k++) {
            const operating_point *p = &r->points[k];
            fputs("<tr>", f);
            if (k == 0) {
                fprintf(f, "<td rowspan=2>%s</td><td rowspan=2>", r->title);
                auc_with_ci(f, r->cv_auc, r->cv_ci[0], r->cv_ci[1]);
                fputs("</td><td rowspan=2>", f);
                auc_with_ci(f, r->test_auc, r->test_ci[0], r->test_ci[1]);
                fputs("</td>", f);
            }
            fprintf(f, "<td>%s</td>", k == 0 ? "high sensitivity" : "high specificity");
            rate_cell(f, p->rates[0], p->lower[0], p->upper[0], p->tp, p->tp + p->fn);
            rate_cell(f, p->rates[1], p->lower[1], p->upper[1], p->tn, p->tn + p->fp);
            rate_cell(f, p->rates[2], p->lower[2], p->upper[2], p->tp, p->tp + p->fp);
            rate_cell(f, p->rates[3], p->lower[3], p->upper[3], p->tn, p->tn + p->fn);
            fputs("</tr>\n", f);
        }
    }
    fputs("</table>\n<p>Leakage: CV AUC with every step refitted inside the folds, and with "
          "z-score, Pearson filter and ranking fitted on the whole training set before CV "
          "(FAE 0.2.5's workflow, which leaks the held-out labels into the selection):",
          f);
    for (size_t m = 0; m < n; m++) {
        fprintf(f, " %s ", results[m].title);
        number(f, results[m].cv_auc, 3);
        fputs(" vs ", f);
        number(f, results[m].cv_auc_study_compatible, 3);
        fputs(m + 1 < n ? ";" : ".", f);
    }
    fputs("</p>\n", f);
    fputs("<h3>Counts at the operating points</h3>\n<table>\n"
          "<tr><th>model</th><th>operating point</th><th>threshold</th><th>TP</th><th>FP</th>"
          "<th>TN</th><th>FN</th></tr>\n",
          f);
    for (size_t m = 0; m < n; m++)
        for (int k = 0; k < 2; k++) {
            const operating_point *p = &results[m].points[k];
            fprintf(f, "<tr><td>%s</td><td>%s</td><td>", results[m].title,
                    k == 0 ? "high sensitivity" : "high specificity");
            number(f, p->threshold, 4);
            fprintf(f, "</td><td>%zu</td><td>%zu</td><td>%zu</td><td>%zu</td></tr>\n", p->tp,
                    p->fp, p->tn, p->fn);
        }
    fputs("</table>\n", f);
    for (size_t m = 0; m < n; m++)
        if (results[m].points[0].threshold > results[m].points[1].threshold)
            fprintf(f, "<p>%s: the high-sensitivity threshold is above the high-specificity "
                       "one. Both targets hold over a range of thresholds on the training "
                       "out-of-fold scores, and each point takes the end of that range that "
                       "favours the other rate, so on the test set the high-sensitivity point "
                       "can be the more specific one.</p>\n",
                    results[m].title);
}

/* One row of Table 4: counts {TP, TN, FN, FP}, sensitivity, specificity
 * and an AUC. */
static void subset_row(FILE *f, const char *label, const size_t counts[4], double auc)
{
    size_t tp = counts[0], tn = counts[1], fn = counts[2], fp = counts[3];

    fputs("<tr><td>", f);
    html_text(f, label);
    fprintf(f, "</td><td>%zu</td><td>%zu</td><td>%zu</td><td>%zu</td><td>", tp, tn, fn, fp);
    number(f, tp + fn ? (double)tp / (double)(tp + fn) : NAN, 2);
    fputs("</td><td>", f);
    number(f, tn + fp ? (double)tn / (double)(tn + fp) : NAN, 2);
    fputs("</td><td>", f);
    number(f, auc, 2);
    fputs("</td></tr>\n", f);
}

/* Table 4 of Yu et al. 2021: on the test cases that have a comparator read,
 * each model at both operating points next to the comparator. */
static void write_subset_tables(FILE *f, const model_result *results, size_t n)
{
    if (n == 0 || results[0].n_comparisons == 0)
        return;
    fputs("<h2>Comparator subsets</h2>\n<p>Test cases with a read of the other test; a read "
          "of 1 counts as positive. The AUC of a binary read is that of its two-point ROC "
          "curve.</p>\n",
          f);
    for (size_t j = 0; j < results[0].n_comparisons; j++) {
        const comparison *first = &results[0].comparisons[j];
        char label[200];

        fputs("<h3>", f);
        html_text(f, first->comparator);
        fprintf(f, ": %zu test cases, %zu positive</h3>\n<table class=\"table4\">\n"
                   "<tr><th>test</th><th>TP</th><th>TN</th><th>FN</th><th>FP</th>"
                   "<th>sensitivity</th><th>specificity</th><th>AUC</th></tr>\n",
                first->n_cases, first->n_positive);
        for (size_t m = 0; m < n; m++) {
            const comparison *c = &results[m].comparisons[j];
            for (int k = 0; k < 2; k++) {
                snprintf(label, sizeof label, "%s, %s", results[m].title,
                         k == 0 ? "high sensitivity" : "high specificity");
                subset_row(f, label, c->model_counts[k], c->done ? c->auc_model : NAN);
            }
        }
        if (first->comparator_binary) {
            subset_row(f, first->comparator, first->comparator_counts,
                       first->done ? first->auc_comparator : NAN);
        } else {
            fputs("<tr><td>", f);
            html_text(f, first->comparator);
            fputs("</td><td colspan=6>reads are not all 0 or 1, so no 2x2 table</td><td>", f);
            number(f, first->done ? first->auc_comparator : NAN, 2);
            fputs("</td></tr>\n", f);
        }
        fputs("</table>\n", f);
    }
}

static void write_features_table(FILE *f, const model_result *r)
{
    fprintf(f, "<h3>%s: %zu selected features</h3>\n<table>\n"
               "<tr><th>feature</th><th>coefficient (z-scored input)</th></tr>\n",
            r->title, calci_model_feature_count(r->model));
    for (size_t i = 0; i < calci_model_feature_count(r->model); i++) {
        fputs("<tr><td>", f);
        html_text(f, calci_model_feature_name(r->model, i));
        fputs("</td><td>", f);
        number(f, calci_model_coefficient(r->model, i), 4);
        fputs("</td></tr>\n", f);
    }
    fputs("<tr><td>intercept</td><td>", f);
    number(f, calci_model_intercept(r->model), 4);
    fputs("</td></tr>\n</table>\n", f);
}

static void write_comparisons(FILE *f, const model_result *results, size_t n)
{
    int any = 0;

    for (size_t m = 0; m < n; m++)
        any |= results[m].n_comparisons > 0;
    if (!any)
        return;
    fputs("<h2>Comparison with other tests</h2>\n<p>DeLong's test for paired ROC curves on "
          "the test cases that have the other test's read.</p>\n<table>\n"
          "<tr><th>model</th><th>comparator</th><th>cases</th><th>AUC model</th>"
          "<th>AUC comparator</th><th>z</th><th>p</th></tr>\n",
          f);
    for (size_t m = 0; m < n; m++)
        for (size_t j = 0; j < results[m].n_comparisons; j++) {
            const comparison *c = &results[m].comparisons[j];
            fprintf(f, "<tr><td>%s</td><td>", results[m].title);
            html_text(f, c->comparator);
            fprintf(f, "</td><td>%zu</td>", c->n_cases);
            if (!c->done) {
                fputs("<td colspan=4>", f);
                html_text(f, c->reason);
                fputs("</td></tr>\n", f);
                continue;
            }
            fputs("<td>", f);
            number(f, c->auc_model, 2);
            fputs("</td><td>", f);
            number(f, c->auc_comparator, 2);
            fputs("</td><td>", f);
            number(f, c->z, 2);
            fprintf(f, "</td><td>%.3g</td></tr>\n", c->p);
        }
    fputs("</table>\n", f);
}

static const char *const colours[] = {"#1f77b4", "#d62728", "#2ca02c"};
#define PLOT_SIZE 320.0
#define PLOT_MARGIN 44.0

/* Opens a square plot with axes from 0 to 1, the given labels and the
 * dashed diagonal. */
static void plot_begin(FILE *f, const char *id, const char *x_label, const char *y_label)
{
    const double size = PLOT_SIZE, margin = PLOT_MARGIN;

    fprintf(f, "<svg id=\"%s\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%g\" height=\"%g\" "
               "font-family=\"sans-serif\" font-size=\"12\">\n",
            id, size + 2 * margin + 230, size + 2 * margin);
    fprintf(f, "<rect x=\"%g\" y=\"%g\" width=\"%g\" height=\"%g\" fill=\"none\" "
               "stroke=\"#000\"/>\n",
            margin, margin, size, size);
    fprintf(f, "<line x1=\"%g\" y1=\"%g\" x2=\"%g\" y2=\"%g\" stroke=\"#aaa\" "
               "stroke-dasharray=\"4\"/>\n",
            margin, margin + size, margin + size, margin);
    for (int t = 0; t <= 4; t++) {
        double v = t / 4.0;
        fprintf(f, "<text x=\"%g\" y=\"%g\" text-anchor=\"middle\">%.2f</text>\n",
                margin + v * size, margin + size + 16, v);
        fprintf(f, "<text x=\"%g\" y=\"%g\" text-anchor=\"end\">%.2f</text>\n", margin - 4,
                margin + size - v * size + 4, v);
    }
    fprintf(f, "<text x=\"%g\" y=\"%g\" text-anchor=\"middle\">%s</text>\n",
            margin + size / 2, margin + size + 34, x_label);
    fprintf(f, "<text x=\"12\" y=\"%g\" transform=\"rotate(-90 12 %g)\" "
               "text-anchor=\"middle\">%s</text>\n",
            margin + size / 2, margin + size / 2, y_label);
}

/* Plot coordinates of the point (x, y) in [0, 1]^2. */
static void plot_point(FILE *f, double x, double y)
{
    fprintf(f, "%.2f,%.2f ", PLOT_MARGIN + x * PLOT_SIZE, PLOT_MARGIN + (1 - y) * PLOT_SIZE);
}

static void plot_legend(FILE *f, size_t row, size_t colour, const char *text)
{
    fprintf(f, "<text x=\"%g\" y=\"%g\" fill=\"%s\">", PLOT_MARGIN + PLOT_SIZE + 10,
            PLOT_MARGIN + 20 + 18.0 * (double)row, colours[colour % 3]);
    html_text(f, text);
    fputs("</text>\n", f);
}

/* ROC curves (x = 1 - specificity, y = sensitivity), each with its
 * bootstrap band of the sensitivity as a shaded polygon. */
static void write_roc_plot(FILE *f, const char *id, const char *heading, const char *scores,
                           const model_result *results, size_t n, int cross_validated,
                           size_t replicates)
{
    fprintf(f, "<h2>%s</h2>\n", heading);
    plot_begin(f, id, "1 - specificity", "sensitivity");
    for (size_t m = 0; m < n; m++) {
        const roc_band *band = cross_validated ? &results[m].cv_band : &results[m].test_band;
        int complete = 1;

        for (size_t s = 0; s < BAND_POINTS; s++)
            complete &= isfinite(band->lower[s]) && isfinite(band->upper[s]);
        if (!complete)
            continue;
        fprintf(f, "<polygon class=\"band\" fill=\"%s\" fill-opacity=\"0.15\" stroke=\"none\" "
                   "points=\"",
                colours[m % 3]);
        for (size_t s = 0; s < BAND_POINTS; s++)
            plot_point(f, 1 - BAND_SPECIFICITY(s), band->upper[s]);
        for (size_t s = BAND_POINTS; s-- > 0;)
            plot_point(f, 1 - BAND_SPECIFICITY(s), band->lower[s]);
        fputs("\"/>\n", f);
    }
    for (size_t m = 0; m < n; m++) {
        const calci_roc *roc = cross_validated ? results[m].cv_roc : results[m].test_roc;
        char legend[160];

        fprintf(f, "<polyline class=\"roc\" fill=\"none\" stroke-width=\"2\" stroke=\"%s\" "
                   "points=\"",
                colours[m % 3]);
        for (size_t i = 0; i < calci_roc_points(roc); i++) {
            double t, se, sp;
            calci_roc_point(roc, i, &t, &se, &sp);
            plot_point(f, 1 - sp, se);
        }
        fputs("\"/>\n", f);
        snprintf(legend, sizeof legend, "%s, AUC %.2f", results[m].title,
                 calci_roc_auc(roc));
        plot_legend(f, m, m, legend);
    }
    fputs("</svg>\n", f);
    fprintf(f, "<p class=\"caption\">%s. Shaded: 95%% band of the sensitivity at "
               "specificities 0, 0.05, &hellip;, 1 from %zu stratified bootstrap replicates "
               "(percentile, as pROC's ci.se).</p>\n",
            scores, replicates);
}

/* Reliability diagram of the test set: mean predicted probability against
 * the observed fraction of positives in groups of equal size. */
static void write_calibration_plot(FILE *f, const model_result *results, size_t n)
{
    fputs("<h2>Calibration (test set)</h2>\n", f);
    plot_begin(f, "calibration", "mean predicted probability", "observed fraction positive");
    for (size_t m = 0; m < n; m++) {
        const calibration_result *c = &results[m].calibration;
        fprintf(f, "<polyline class=\"reliability\" fill=\"none\" stroke-width=\"1.5\" "
                   "stroke=\"%s\" points=\"",
                colours[m % 3]);
        for (size_t g = 0; g < RELIABILITY_BINS; g++)
            if (c->counts[g] > 0)
                plot_point(f, c->mean_score[g], c->observed[g]);
        fputs("\"/>\n", f);
        for (size_t g = 0; g < RELIABILITY_BINS; g++)
            if (c->counts[g] > 0)
                fprintf(f, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"4\" fill=\"%s\"/>\n",
                        PLOT_MARGIN + c->mean_score[g] * PLOT_SIZE,
                        PLOT_MARGIN + (1 - c->observed[g]) * PLOT_SIZE, colours[m % 3]);
        plot_legend(f, m, m, results[m].title);
    }
    fprintf(f, "</svg>\n<p class=\"caption\">Test cases in %d groups of equal size by "
               "predicted probability; dashed: perfect calibration.",
            RELIABILITY_BINS);
    for (size_t m = 0; m < n; m++) {
        const calibration_result *c = &results[m].calibration;
        fprintf(f, " %s: Brier score ", results[m].title);
        number(f, c->brier, 3);
        fputs(", calibration intercept ", f);
        number(f, c->intercept, 2);
        fputs(", slope ", f);
        number(f, c->slope, 2);
        if (c->reason[0] != '\0') {
            fputs(" (incomplete: ", f);
            html_text(f, c->reason);
            fputs(")", f);
        }
        fputs(".", f);
    }
    fputs(" The intercept is the calibration-in-the-large with the slope fixed at 1, the "
          "slope that of a logistic fit on the logit of the predicted probability (ideal: 0 "
          "and 1).</p>\n",
          f);
}

static void write_cv_curve(FILE *f, const model_result *results, size_t n)
{
    fputs("<h2>Cross-validated AUC by number of features</h2>\n<table>\n<tr><th>k</th>", f);
    for (size_t m = 0; m < n; m++)
        fprintf(f, "<th>%s</th>", results[m].title);
    fputs("</tr>\n", f);
    size_t k_max = 0;
    for (size_t m = 0; m < n; m++)
        if (calci_model_cv_k_max(results[m].model) > k_max)
            k_max = calci_model_cv_k_max(results[m].model);
    for (size_t k = 1; k <= k_max; k++) {
        fprintf(f, "<tr><td>%zu</td>", k);
        for (size_t m = 0; m < n; m++) {
            fputs("<td>", f);
            number(f, calci_model_cv_auc_at(results[m].model, k), 3);
            fputs("</td>", f);
        }
        fputs("</tr>\n", f);
    }
    fputs("</table>\n", f);
}

static int write_report(FILE *f, void *user)
{
    const report_input *in = user;

    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<title>calci study report</title>\n<style>\n"
          "body { font-family: sans-serif; max-width: 80em; margin: 2em auto; padding: 0 1em; }\n"
          "table { border-collapse: collapse; margin: 1em 0; font-size: 0.9em; }\n"
          "td, th { border: 1px solid #bbb; padding: 0.25em 0.6em; text-align: right; }\n"
          "td:first-child { text-align: left; }\n"
          ".warning { color: #a00; }\n.caption { font-size: 90%; max-width: 45em; }\n"
          "#table3 td { white-space: nowrap; }\n</style>\n</head>\n<body>\n",
          f);
    fputs("<h1>Calciphylaxis CT radiomics study</h1>\n<p>Manifest: ", f);
    html_text(f, in->manifest_path);
    fprintf(f, "; %zu cases; libcalci %s.</p>\n", calci_dataset_cases(in->d),
            calci_version_string());
    if (in->min_grey_levels < 8)
        fprintf(f, "<p class=\"warning\">Warning: discretisation left only %d grey levels in "
                   "at least one ROI; texture features are degenerate.</p>\n",
                in->min_grey_levels);
    write_cohort(f, in->d);
    write_test_table(f, in->results, in->n_results);
    write_roc_plot(f, "roc-cv", "ROC curves (cross-validation, training set)",
                   "Pooled out-of-fold scores of the chosen number of features", in->results,
                   in->n_results, 1, in->bootstrap_replicates);
    write_roc_plot(f, "roc-test", "ROC curves (test set)", "Test-set scores", in->results,
                   in->n_results, 0, in->bootstrap_replicates);
    write_calibration_plot(f, in->results, in->n_results);
    write_comparisons(f, in->results, in->n_results);
    write_subset_tables(f, in->results, in->n_results);
    fputs("<h2>Models</h2>\n", f);
    for (size_t m = 0; m < in->n_results; m++)
        write_features_table(f, &in->results[m]);
    write_cv_curve(f, in->results, in->n_results);
    fputs("<p>Method: z-score, Pearson redundancy filter, Relief ranking and the top k "
          "features, each fitted inside every cross-validation training fold, folds grouped "
          "by patient; k chosen by the pooled out-of-fold AUC.</p>\n</body>\n</html>\n",
          f);
    return 0;
}

int report_write(const char *path, const char *manifest_path, const calci_dataset *dataset,
                 const model_result *results, size_t n_results, int min_grey_levels,
                 size_t bootstrap_replicates)
{
    report_input in = {manifest_path, dataset,         results,
                       n_results,     min_grey_levels, bootstrap_replicates};

    return write_atomically(path, write_report, &in);
}
