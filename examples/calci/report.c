/*
 * report.c - DIR/report.html of `calci study`: the test-set table in the
 * layout of Yu et al. 2021 (Table 3), the selected features with their
 * coefficients, the comparator tests, and ROC curves drawn as inline SVG.
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

static void write_test_table(FILE *f, const model_result *results, size_t n)
{
    fputs("<h2>Test set</h2>\n"
          "<p>Operating points were fixed on the pooled out-of-fold scores of the training "
          "set before the test set was scored. The AUC interval is DeLong's 95% "
          "interval.</p>\n<table>\n"
          "<tr><th rowspan=2>model</th><th rowspan=2>CV AUC</th><th rowspan=2>test AUC "
          "(95% CI)</th><th colspan=4>high-sensitivity point</th>"
          "<th colspan=4>high-specificity point</th></tr>\n"
          "<tr><th>sens</th><th>spec</th><th>PPV</th><th>NPV</th>"
          "<th>sens</th><th>spec</th><th>PPV</th><th>NPV</th></tr>\n",
          f);
    for (size_t m = 0; m < n; m++) {
        const model_result *r = &results[m];
        fprintf(f, "<tr><td>%s</td><td>", r->title);
        number(f, r->cv_auc, 2);
        fputs("</td><td>", f);
        number(f, r->test_auc, 2);
        fputs(" (", f);
        number(f, r->test_ci[0], 2);
        fputs("&ndash;", f);
        number(f, r->test_ci[1], 2);
        fputs(")</td>", f);
        for (int k = 0; k < 2; k++)
            for (int q = 0; q < 4; q++) {
                fputs("<td>", f);
                number(f, r->points[k].rates[q], 2);
                fputs("</td>", f);
            }
        fputs("</tr>\n", f);
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

/* ROC curves of the test set: x = 1 - specificity, y = sensitivity. */
static void write_roc_svg(FILE *f, const model_result *results, size_t n)
{
    static const char *const colours[] = {"#1f77b4", "#d62728", "#2ca02c"};
    const double size = 320, margin = 40;

    fprintf(f, "<h2>ROC curves (test set)</h2>\n<svg xmlns=\"http://www.w3.org/2000/svg\" "
               "width=\"%g\" height=\"%g\" font-family=\"sans-serif\" font-size=\"12\">\n",
            size + 2 * margin + 160, size + 2 * margin);
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
    fprintf(f, "<text x=\"%g\" y=\"%g\" text-anchor=\"middle\">1 - specificity</text>\n",
            margin + size / 2, margin + size + 34);
    fprintf(f, "<text x=\"12\" y=\"%g\" transform=\"rotate(-90 12 %g)\" "
               "text-anchor=\"middle\">sensitivity</text>\n",
            margin + size / 2, margin + size / 2);

    for (size_t m = 0; m < n; m++) {
        const calci_roc *roc = results[m].test_roc;
        fprintf(f, "<polyline fill=\"none\" stroke-width=\"2\" stroke=\"%s\" points=\"",
                colours[m % 3]);
        for (size_t i = 0; i < calci_roc_points(roc); i++) {
            double t, se, sp;
            calci_roc_point(roc, i, &t, &se, &sp);
            fprintf(f, "%.2f,%.2f ", margin + (1 - sp) * size, margin + (1 - se) * size);
        }
        fputs("\"/>\n", f);
        fprintf(f, "<text x=\"%g\" y=\"%g\" fill=\"%s\">%s, AUC %.2f</text>\n",
                margin + size + 10, margin + 20 + 18.0 * (double)m, colours[m % 3],
                results[m].title, results[m].test_auc);
    }
    fputs("</svg>\n", f);
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
          "body { font-family: sans-serif; max-width: 60em; margin: 2em auto; }\n"
          "table { border-collapse: collapse; margin: 1em 0; }\n"
          "td, th { border: 1px solid #bbb; padding: 0.25em 0.6em; text-align: right; }\n"
          "td:first-child { text-align: left; }\n"
          ".warning { color: #a00; }\n</style>\n</head>\n<body>\n",
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
    write_roc_svg(f, in->results, in->n_results);
    write_comparisons(f, in->results, in->n_results);
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
                 const model_result *results, size_t n_results, int min_grey_levels)
{
    report_input in = {manifest_path, dataset, results, n_results, min_grey_levels};

    return write_atomically(path, write_report, &in);
}
