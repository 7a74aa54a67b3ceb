/*
 * model.c - calci_model_fit: z-score, Pearson filter, Relief ranking and the
 * classifier, with k chosen by cross-validation grouped by patient; predict
 * and the model accessors.
 *
 * Cross-validation: in each fold the whole pipeline (z-score, Pearson
 * filter, Relief) is fitted once on the fold's training part only. The
 * classifier is then fitted for every k on the top-k ranked features, so the
 * O(n^2 p) Relief step runs once per fold, not once per k. Out-of-fold
 * scores are pooled per k into one AUC (CALCI_DIRECTION_HIGHER).
 *
 * Options change this scheme: cv = "repeated" repeats the split with seeds
 * seed, seed + 1, ..., "lopo" uses one fold per patient, "nested" adds an
 * outer k-fold around the whole fit, and study_compatible ranks the
 * features once on all rows before CV (FAE 0.2.5's leak).
 *
 * Sample weights (calci_model_fit_weighted) reach the z-score and the
 * classifier of every fit, including each fold's training part. The filter,
 * the ranking, Platt scaling and the AUCs ignore them.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_internal.h"

/* Feature ranking fitted on one set of rows. */
struct ranking {
    double *mean;   /* p_all: z-score parameters of every column */
    double *sd;
    size_t *ranked; /* columns after the filters, best first */
    size_t n_ranked;
};

static void ranking_free(struct ranking *r)
{
    free(r->mean);
    free(r->sd);
    free(r->ranked);
    memset(r, 0, sizeof *r);
}

/*
 * Weighted z-score, as scikit-learn's StandardScaler.fit(sample_weight=s):
 * mean_j = sum_i s_i x_ij / S and sd_j = sqrt(sum_i s_i (x_ij - mean_j)^2 / S)
 * with S = sum_i s_i > 0. A column whose values are equal on every row with
 * s_i > 0 gets sd 1 and constant[j] = 1, as in ci_zscore_fit.
 */
static void zscore_fit_weighted(const double *x, size_t n, size_t p, const double *weights,
                                double *mean, double *sd, unsigned char *constant)
{
    size_t first = 0;
    double total = 0.0;
    while (first < n && !(weights[first] > 0.0))
        first++;
    for (size_t i = 0; i < n; i++)
        total += weights[i];

    for (size_t j = 0; j < p; j++) {
        double sum = 0.0, ss = 0.0;
        int all_equal = 1;
        for (size_t i = 0; i < n; i++) {
            sum += weights[i] * x[i * p + j];
            if (weights[i] > 0.0 && x[i * p + j] != x[first * p + j])
                all_equal = 0;
        }
        double m = total > 0.0 ? sum / total : 0.0;
        for (size_t i = 0; i < n; i++) {
            double d = x[i * p + j] - m;
            ss += weights[i] * d * d;
        }
        double s = total > 0.0 ? sqrt(ss / total) : 0.0;
        int is_constant = all_equal || !(s > 0.0);
        mean[j] = m;
        sd[j] = is_constant ? 1.0 : s;
        constant[j] = (unsigned char)is_constant;
    }
}

/*
 * Fits z-score, Pearson filter and Relief on x (n x p_all) and labels. Only
 * the z-score uses the sample weights (NULL means all 1), so a case with
 * weight 0 still takes part in the filter and the ranking.
 */
static calci_status rank_features(const calci_options *opt, const double *x, size_t n,
                                  size_t p_all, const int *labels, const double *weights,
                                  struct ranking *out, calci_error *error)
{
    calci_status status = CALCI_OK;
    unsigned char *constant = malloc(p_all + 1);
    double *z = malloc(n * p_all * sizeof *z + 1);
    size_t *candidates = malloc((p_all + 1) * sizeof *candidates);
    size_t *kept = malloc((p_all + 1) * sizeof *kept);
    size_t *order = malloc((p_all + 1) * sizeof *order);

    memset(out, 0, sizeof *out);
    out->mean = calloc(p_all + 1, sizeof *out->mean);
    out->sd = calloc(p_all + 1, sizeof *out->sd);
    out->ranked = malloc((p_all + 1) * sizeof *out->ranked);
    if (!constant || !z || !candidates || !kept || !order || !out->mean || !out->sd ||
        !out->ranked) {
        status = ci_fail(error, CALCI_ERR_NO_MEMORY, "model fit: out of memory");
        goto done;
    }

    if (weights == NULL)
        ci_zscore_fit(x, n, p_all, p_all, out->mean, out->sd, constant);
    else
        zscore_fit_weighted(x, n, p_all, weights, out->mean, out->sd, constant);
    ci_zscore_apply(x, n, p_all, p_all, out->mean, out->sd, z);
    size_t n_candidates = 0;
    for (size_t j = 0; j < p_all; j++)
        if (!constant[j])
            candidates[n_candidates++] = j;

    size_t n_kept = n_candidates;
    if (opt->pcc_enabled) {
        status = ci_pearson_filter(z, n, p_all, candidates, n_candidates, opt->pcc, kept, &n_kept,
                                   error);
        if (status != CALCI_OK)
            goto done;
    } else {
        memcpy(kept, candidates, n_candidates * sizeof *kept);
    }

    if (opt->select != CI_SELECT_ALL && n_kept > 0) {
        if (opt->select == CI_SELECT_RELIEF)
            status = ci_relief(z, n, p_all, labels, kept, n_kept, NULL, order, error);
        else if (opt->select == CI_SELECT_RELIEFF)
            status = ci_relieff(z, n, p_all, labels, kept, n_kept, opt->relieff_k, NULL, order,
                                error);
        else
            status = ci_anova_f(z, n, p_all, labels, kept, n_kept, NULL, order, error);
        if (status != CALCI_OK)
            goto done;
        for (size_t r = 0; r < n_kept; r++)
            out->ranked[r] = kept[order[r]];
    } else {
        memcpy(out->ranked, kept, n_kept * sizeof *kept);
    }
    out->n_ranked = n_kept;

done:
    if (status != CALCI_OK)
        ranking_free(out);
    free(constant);
    free(z);
    free(candidates);
    free(kept);
    free(order);
    return status;
}

/* Copies the z-scored top-k ranked columns of the listed rows into out (n_rows x k). */
static void gather_top(const double *x, size_t p_all, const size_t *row_list, size_t n_rows,
                       const struct ranking *r, size_t k, double *out)
{
    for (size_t i = 0; i < n_rows; i++) {
        const double *xi = x + row_list[i] * p_all;
        for (size_t c = 0; c < k; c++) {
            size_t j = r->ranked[c];
            out[i * k + c] = (xi[j] - r->mean[j]) / r->sd[j];
        }
    }
}

/* A fitted classifier on k z-scored features. */
struct fitted {
    double *w;
    double b;
    double platt_a, platt_b;
};

static double fitted_score(const calci_options *opt, const struct fitted *m, double f)
{
    return ci_classifier_is_lr(opt->classifier) ? ci_logistic(f)
                                                 : ci_platt_score(f, m->platt_a, m->platt_b);
}

/* Work space for the classifier fits of one fold (or of the final refit). */
struct fold_data {
    size_t n_train, n_test, k_cols;
    double *z_train;  /* n_train x k_cols */
    double *z_test;   /* n_test x k_cols */
    int *y_train;
    double *w_train;  /* n_train sample weights, or NULL for all 1 */
    double *kernel;   /* n_train^2, SVM only: kernel of the first k columns */
    double *alpha;    /* n_train */
    double *f_train;  /* n_train */
};

/* Fits the classifier on the first k of the fold's k_cols columns with the
 * sample weights fd->w_train (the SVM's box is C s_i, as libsvm's per-case
 * weights). For the SVM, kernel must already hold the kernel of those k
 * columns, and with warm_start SMO starts from the dual solution left in
 * fd->alpha by k - 1. Platt scaling stays unweighted. */
static calci_status fit_classifier(const calci_options *opt, struct fold_data *fd, size_t k,
                                   int warm_start, struct fitted *m, calci_error *error)
{
    size_t n = fd->n_train, ld = fd->k_cols;
    calci_status status;

    if (opt->classifier == CI_CLASSIFIER_LR)
        return ci_logreg_fit(fd->z_train, n, k, ld, fd->y_train, fd->w_train, opt->C, m->w,
                             &m->b, error);
    if (opt->classifier == CI_CLASSIFIER_LR_L1)
        return ci_logreg_l1_fit(fd->z_train, n, k, ld, fd->y_train, fd->w_train, opt->C, m->w,
                                &m->b, error);
    if (opt->classifier == CI_CLASSIFIER_LR_NONE)
        return ci_logreg_fit_unpenalised(fd->z_train, n, k, ld, fd->y_train, fd->w_train, m->w,
                                         &m->b, error);

    /* Stopping gap 1e-3, the default of libsvm and scikit-learn's SVC. */
    status = ci_svm_solve_dual(fd->kernel, n, fd->y_train, fd->w_train, opt->C, 1e-3,
                               warm_start, fd->alpha, &m->b, error);
    if (status != CALCI_OK)
        return status;
    for (size_t c = 0; c < k; c++)
        m->w[c] = 0.0;
    for (size_t i = 0; i < n; i++) {
        double coef = fd->y_train[i] == 1 ? fd->alpha[i] : -fd->alpha[i];
        if (coef != 0.0)
            for (size_t c = 0; c < k; c++)
                m->w[c] += coef * fd->z_train[i * ld + c];
    }
    /* Platt scaling on the training decision values (not libsvm's internal
     * 5-fold CV); the scores only rank cases and set thresholds. */
    for (size_t i = 0; i < n; i++) {
        double f = m->b;
        for (size_t c = 0; c < k; c++)
            f += m->w[c] * fd->z_train[i * ld + c];
        fd->f_train[i] = f;
    }
    return ci_platt_fit(fd->f_train, fd->y_train, n, &m->platt_a, &m->platt_b, error);
}

/* Adds column c of z_train to the linear kernel: K_ij += z_ic z_jc. */
static void kernel_add_column(struct fold_data *fd, size_t c)
{
    size_t n = fd->n_train, ld = fd->k_cols;
    for (size_t i = 0; i < n; i++) {
        double zi = fd->z_train[i * ld + c];
        for (size_t j = 0; j < n; j++)
            fd->kernel[i * n + j] += zi * fd->z_train[j * ld + c];
    }
}

static void fold_data_free(struct fold_data *fd)
{
    free(fd->z_train);
    free(fd->z_test);
    free(fd->y_train);
    free(fd->w_train);
    free(fd->kernel);
    free(fd->alpha);
    free(fd->f_train);
}

static calci_status fold_data_alloc(struct fold_data *fd, size_t n_train, size_t n_test,
                                    size_t k_cols, int weighted, calci_error *error)
{
    memset(fd, 0, sizeof *fd);
    fd->n_train = n_train;
    fd->n_test = n_test;
    fd->k_cols = k_cols;
    fd->z_train = malloc(n_train * k_cols * sizeof(double) + 1);
    fd->z_test = malloc(n_test * k_cols * sizeof(double) + 1);
    fd->y_train = malloc(n_train * sizeof(int) + 1);
    fd->kernel = calloc(n_train * n_train + 1, sizeof(double));
    fd->alpha = malloc(n_train * sizeof(double) + 1);
    fd->f_train = malloc(n_train * sizeof(double) + 1);
    fd->w_train = weighted ? malloc(n_train * sizeof(double) + 1) : NULL;
    if (!fd->z_train || !fd->z_test || !fd->y_train || !fd->kernel || !fd->alpha ||
        !fd->f_train || (weighted && !fd->w_train)) {
        fold_data_free(fd);
        return ci_fail(error, CALCI_ERR_NO_MEMORY, "model fit: out of memory");
    }
    return CALCI_OK;
}

/* Inputs of one fit: the training rows as a dense table. */
struct training {
    const calci_options *opt;
    size_t n, p_all;
    double *x;      /* n x p_all */
    int *labels;    /* n */
    double *weights; /* n sample weights, or NULL for all 1 */
    size_t k_first, k_last; /* range of k evaluated */
    const struct ranking *before_cv; /* study_compatible: ranking fitted on all n rows */
};

/*
 * Checks that the cases with weight > 0 include both classes, since a class
 * of total weight 0 leaves the classifier without a finite optimum. where
 * names the fit in the message.
 */
static calci_status check_class_weights(const int *labels, const double *weights, size_t n,
                                        const char *where, calci_error *error)
{
    if (weights == NULL)
        return CALCI_OK;
    double total[2] = {0.0, 0.0};
    for (size_t i = 0; i < n; i++)
        total[labels[i] == 1] += weights[i];
    if (!(total[1] > 0.0) || !(total[0] > 0.0))
        return ci_fail(error, CALCI_ERR_DATA,
                       "model fit: %s has total weight %g on the positive class and %g on "
                       "the negative class, expected both > 0",
                       where, total[1], total[0]);
    return CALCI_OK;
}

/*
 * Runs one fold: ranks features on the training part, then for every k in
 * [k_first, min(k_last, features left)] fits the classifier and writes the
 * held-out scores to oof[(k - 1) * n + case]. *k_reached receives the
 * largest k evaluated.
 */
static calci_status run_fold(const struct training *t, const size_t *fold_of_case, size_t fold,
                             double *oof, size_t *k_reached, calci_error *error)
{
    size_t n_train = 0, n_test = 0;
    size_t *train_rows = malloc((t->n + 1) * sizeof *train_rows);
    size_t *test_rows = malloc((t->n + 1) * sizeof *test_rows);
    int *train_labels = malloc((t->n + 1) * sizeof *train_labels);
    double *train_weights = t->weights ? malloc((t->n + 1) * sizeof *train_weights) : NULL;
    double *x_train = NULL;
    struct ranking r = {0};
    struct fold_data fd = {0};
    struct fitted m = {0};
    calci_status status = CALCI_OK;
    int have_fold_data = 0;

    if (!train_rows || !test_rows || !train_labels || (t->weights && !train_weights)) {
        status = ci_fail(error, CALCI_ERR_NO_MEMORY, "model fit: out of memory");
        goto done;
    }
    for (size_t i = 0; i < t->n; i++) {
        if (fold_of_case[i] == fold) {
            test_rows[n_test++] = i;
        } else {
            train_labels[n_train] = t->labels[i];
            if (train_weights)
                train_weights[n_train] = t->weights[i];
            train_rows[n_train++] = i;
        }
    }
    char where[64];
    snprintf(where, sizeof where, "the training part of cross-validation fold %zu", fold + 1);
    status = check_class_weights(train_labels, train_weights, n_train, where, error);
    if (status != CALCI_OK)
        goto done;
    /* study_compatible reuses the ranking fitted on all rows before CV (the
     * leak FAE 0.2.5 has); otherwise the fold's training part is ranked. */
    const struct ranking *rk = t->before_cv;
    if (rk == NULL) {
        x_train = malloc(n_train * t->p_all * sizeof *x_train + 1);
        if (x_train == NULL) {
            status = ci_fail(error, CALCI_ERR_NO_MEMORY, "model fit: out of memory");
            goto done;
        }
        for (size_t i = 0; i < n_train; i++)
            memcpy(x_train + i * t->p_all, t->x + train_rows[i] * t->p_all,
                   t->p_all * sizeof *x_train);
        status = rank_features(t->opt, x_train, n_train, t->p_all, train_labels, train_weights,
                               &r, error);
        if (status != CALCI_OK)
            goto done;
        rk = &r;
    }

    size_t k_cols = t->k_last < rk->n_ranked ? t->k_last : rk->n_ranked;
    *k_reached = k_cols;
    if (k_cols < t->k_first)
        goto done;

    status = fold_data_alloc(&fd, n_train, n_test, k_cols, train_weights != NULL, error);
    if (status != CALCI_OK)
        goto done;
    have_fold_data = 1;
    memcpy(fd.y_train, train_labels, n_train * sizeof *train_labels);
    if (train_weights)
        memcpy(fd.w_train, train_weights, n_train * sizeof *train_weights);
    gather_top(t->x, t->p_all, train_rows, n_train, rk, k_cols, fd.z_train);
    gather_top(t->x, t->p_all, test_rows, n_test, rk, k_cols, fd.z_test);
    m.w = malloc((k_cols + 1) * sizeof *m.w);
    if (m.w == NULL) {
        status = ci_fail(error, CALCI_ERR_NO_MEMORY, "model fit: out of memory");
        goto done;
    }

    for (size_t k = 1; k <= k_cols; k++) {
        if (t->opt->classifier == CI_CLASSIFIER_SVM)
            kernel_add_column(&fd, k - 1);
        if (k < t->k_first)
            continue;
        status = fit_classifier(t->opt, &fd, k, k > t->k_first, &m, error);
        if (status != CALCI_OK)
            goto done;
        for (size_t i = 0; i < n_test; i++) {
            double f = m.b;
            for (size_t c = 0; c < k; c++)
                f += m.w[c] * fd.z_test[i * k_cols + c];
            oof[(k - 1) * t->n + test_rows[i]] = fitted_score(t->opt, &m, f);
        }
    }

done:
    if (have_fold_data)
        fold_data_free(&fd);
    free(m.w);
    ranking_free(&r);
    free(x_train);
    free(train_rows);
    free(test_rows);
    free(train_labels);
    free(train_weights);
    return status;
}

/* AUC of the scores of the listed cases (all n when rows is NULL). */
static calci_status auc_of(const double *scores, const int *labels, size_t n, double *auc,
                           calci_error *error)
{
    calci_roc *roc = NULL;
    calci_status status = calci_roc_create(scores, labels, n, CALCI_DIRECTION_HIGHER, &roc,
                                           error);
    if (status != CALCI_OK)
        return status;
    *auc = calci_roc_auc(roc);
    calci_roc_free(roc);
    return CALCI_OK;
}

/* Picks k from the pooled AUCs: the best (ties: smaller k), or with the
 * one-SE rule the smallest k whose AUC is at least best - SE(best). SE is
 * the sample SD of the best k's per-fold AUCs divided by sqrt(folds). */
static size_t choose_k(const calci_options *opt, const double *auc_k, const double *fold_se,
                       size_t k_first, size_t k_last)
{
    size_t best = 0;
    for (size_t k = k_first; k <= k_last; k++)
        if (!isnan(auc_k[k - 1]) && (best == 0 || auc_k[k - 1] > auc_k[best - 1]))
            best = k;
    if (best == 0 || opt->k_rule != CI_K_RULE_1SE)
        return best;
    double floor_auc = auc_k[best - 1] - fold_se[best - 1];
    for (size_t k = k_first; k <= best; k++)
        if (!isnan(auc_k[k - 1]) && auc_k[k - 1] >= floor_auc)
            return k;
    return best;
}

/* Standard error of the per-fold AUCs of one k: sample SD / sqrt(folds). */
static calci_status fold_auc_se(const struct training *t, const size_t *fold_of_case,
                                size_t folds, const double *scores, double *se,
                                calci_error *error)
{
    double *s = malloc((t->n + 1) * sizeof *s);
    int *y = malloc((t->n + 1) * sizeof *y);
    double *auc = malloc(folds * sizeof *auc);
    calci_status status = CALCI_OK;

    if (!s || !y || !auc) {
        status = ci_fail(error, CALCI_ERR_NO_MEMORY, "model fit: out of memory");
        goto done;
    }
    for (size_t f = 0; f < folds && status == CALCI_OK; f++) {
        size_t m = 0;
        for (size_t i = 0; i < t->n; i++)
            if (fold_of_case[i] == f) {
                s[m] = scores[i];
                y[m++] = t->labels[i];
            }
        status = auc_of(s, y, m, &auc[f], error);
    }
    if (status == CALCI_OK) {
        double mean = 0.0, ss = 0.0;
        for (size_t f = 0; f < folds; f++)
            mean += auc[f] / (double)folds;
        for (size_t f = 0; f < folds; f++)
            ss += (auc[f] - mean) * (auc[f] - mean);
        *se = sqrt(ss / (double)(folds - 1)) / sqrt((double)folds);
    }
done:
    free(s);
    free(y);
    free(auc);
    return status;
}

/* Copies the training rows into t (dense table, labels and, unless weights
 * is NULL, sample weights), checking labels, values and weights. */
static calci_status load_training(const calci_dataset *d, const size_t *rows, size_t n_rows,
                                  const double *weights, struct training *t,
                                  size_t **row_list_out, calci_error *error)
{
    size_t n = 0, p = d->n_features;
    size_t *row_list = malloc((d->n_cases + n_rows + 1) * sizeof *row_list);

    if (row_list == NULL)
        return ci_fail(error, CALCI_ERR_NO_MEMORY, "model fit: out of memory");
    if (rows == NULL) {
        for (size_t i = 0; i < d->n_cases; i++)
            if (d->splits[i] == CALCI_SPLIT_TRAIN)
                row_list[n++] = i;
    } else {
        for (size_t r = 0; r < n_rows; r++) {
            if (rows[r] >= d->n_cases) {
                free(row_list);
                return ci_fail(error, CALCI_ERR_ARGUMENT,
                               "model fit: row %zu is out of range (the dataset has %zu cases)",
                               rows[r], d->n_cases);
            }
            row_list[n++] = rows[r];
        }
    }
    if (p == 0 || n == 0) {
        free(row_list);
        return ci_fail(error, CALCI_ERR_DATA,
                       "model fit: %zu training cases and %zu features, expected at least one "
                       "of each",
                       n, p);
    }
    if (p > SIZE_MAX / sizeof(double) / n) {
        free(row_list);
        return ci_fail(error, CALCI_ERR_NO_MEMORY, "model fit: %zu x %zu is too large", n, p);
    }

    t->n = n;
    t->p_all = p;
    t->x = malloc(n * p * sizeof *t->x);
    t->labels = malloc(n * sizeof *t->labels);
    t->weights = weights ? malloc(n * sizeof *t->weights) : NULL;
    if (t->x == NULL || t->labels == NULL || (weights && t->weights == NULL)) {
        free(row_list);
        return ci_fail(error, CALCI_ERR_NO_MEMORY, "model fit: out of memory");
    }
    for (size_t r = 0; r < n; r++) {
        size_t i = row_list[r];
        if (d->labels[i] != 0 && d->labels[i] != 1) {
            free(row_list);
            return ci_fail(error, CALCI_ERR_DATA,
                           "model fit: case '%s' has label %d, expected 0 or 1 in training rows",
                           d->case_ids[i], d->labels[i]);
        }
        t->labels[r] = d->labels[i];
        if (weights) {
            if (!isfinite(weights[i]) || weights[i] < 0.0) {
                free(row_list);
                return ci_fail(error, CALCI_ERR_ARGUMENT,
                               "model fit: weight of case '%s' (row %zu) is %g, expected a "
                               "finite value >= 0",
                               d->case_ids[i], i, weights[i]);
            }
            t->weights[r] = weights[i];
        }
        for (size_t j = 0; j < p; j++) {
            double v = ci_value(d, i, j);
            if (!isfinite(v)) {
                free(row_list);
                return ci_fail(error, CALCI_ERR_DATA,
                               "model fit: feature '%s' is %g in case '%s', expected a finite "
                               "value",
                               d->feature_names[j], v, d->case_ids[i]);
            }
            t->x[r * p + j] = v;
        }
    }
    calci_status status = check_class_weights(t->labels, t->weights, n, "the training set",
                                              error);
    if (status != CALCI_OK) {
        free(row_list);
        return status;
    }
    *row_list_out = row_list;
    return CALCI_OK;
}

/* Refits the pipeline on all training rows with k features and fills model. */
static calci_status final_fit(const struct training *t, const calci_dataset *d, size_t k,
                              calci_model *model, calci_error *error)
{
    struct ranking r = {0};
    struct fold_data fd = {0};
    struct fitted m = {0};
    size_t *all_rows = malloc((t->n + 1) * sizeof *all_rows);
    calci_status status;

    if (all_rows == NULL)
        return ci_fail(error, CALCI_ERR_NO_MEMORY, "model fit: out of memory");
    status = rank_features(t->opt, t->x, t->n, t->p_all, t->labels, t->weights, &r, error);
    if (status != CALCI_OK) {
        free(all_rows);
        return status;
    }
    if (r.n_ranked < k) {
        status = ci_fail(error, CALCI_ERR_DATA,
                         "model fit: %zu features left after the filters, expected at least "
                         "k = %zu",
                         r.n_ranked, k);
        goto done;
    }
    status = fold_data_alloc(&fd, t->n, 0, k, t->weights != NULL, error);
    if (status != CALCI_OK)
        goto done;
    for (size_t i = 0; i < t->n; i++)
        all_rows[i] = i;
    memcpy(fd.y_train, t->labels, t->n * sizeof *t->labels);
    if (t->weights)
        memcpy(fd.w_train, t->weights, t->n * sizeof *t->weights);
    gather_top(t->x, t->p_all, all_rows, t->n, &r, k, fd.z_train);
    if (t->opt->classifier == CI_CLASSIFIER_SVM)
        for (size_t c = 0; c < k; c++)
            kernel_add_column(&fd, c);

    m.w = model->coef;
    status = fit_classifier(t->opt, &fd, k, 0, &m, error);
    if (status != CALCI_OK)
        goto done_fd;

    model->intercept = m.b;
    model->platt_a = t->opt->classifier == CI_CLASSIFIER_SVM ? m.platt_a : 0.0;
    model->platt_b = t->opt->classifier == CI_CLASSIFIER_SVM ? m.platt_b : 0.0;
    for (size_t c = 0; c < k; c++) {
        size_t j = r.ranked[c];
        model->mean[c] = r.mean[j];
        model->sd[c] = r.sd[j];
        model->feature_names[c] = strdup(d->feature_names[j]);
        if (model->feature_names[c] == NULL) {
            status = ci_fail(error, CALCI_ERR_NO_MEMORY, "model fit: out of memory");
            goto done_fd;
        }
    }

done_fd:
    fold_data_free(&fd);
done:
    ranking_free(&r);
    free(all_rows);
    return status;
}

/* Standard error of a pooled AUC from DeLong's variance, for the one-SE
 * rule when folds hold single patients (leave-one-patient-out), where
 * per-fold AUCs do not exist. */
static calci_status delong_se(const struct training *t, const double *scores, double *se,
                              calci_error *error)
{
    calci_roc *roc = NULL;
    calci_status status = calci_roc_create(scores, t->labels, t->n, CALCI_DIRECTION_HIGHER,
                                           &roc, error);
    if (status != CALCI_OK)
        return status;
    *se = sqrt(calci_roc_delong_variance(roc));
    calci_roc_free(roc);
    return CALCI_OK;
}

/* Runs every fold of one fold assignment, writing pooled out-of-fold scores
 * to oof; *k_eval receives the smallest k that every fold reached. */
static calci_status run_folds(const struct training *t, const size_t *fold_of_case,
                              size_t n_folds, double *oof, size_t *k_eval, calci_error *error)
{
    *k_eval = t->k_last;
    for (size_t i = 0; i < t->k_last * t->n; i++)
        oof[i] = NAN;
    for (size_t f = 0; f < n_folds; f++) {
        size_t reached = 0;
        calci_status status = run_fold(t, fold_of_case, f, oof, &reached, error);
        if (status != CALCI_OK)
            return status;
        if (reached < *k_eval)
            *k_eval = reached;
    }
    if (*k_eval < t->k_first)
        return ci_fail(error, CALCI_ERR_DATA,
                       "model fit: a cross-validation fold has %zu features left after the "
                       "filters, expected at least k = %zu",
                       *k_eval, t->k_first);
    return CALCI_OK;
}

/* Fold assignment of repetition r: stratified grouped k-fold with seed
 * seed + r, or one fold per patient for leave-one-patient-out. */
static calci_status assign_folds(const struct training *t, const char *const *patients,
                                 size_t r, size_t *fold_of_case, size_t *n_folds,
                                 calci_error *error)
{
    if (t->opt->cv == CI_CV_LOPO)
        return ci_folds_by_patient(patients, t->n, fold_of_case, n_folds, error);
    *n_folds = t->opt->folds;
    return ci_folds_assign(patients, t->labels, t->n, t->opt->folds, t->opt->seed + r,
                           fold_of_case, error);
}

/* Result of cross-validating k over [k_first, k_last]. */
struct cv_result {
    double *oof;     /* k_last x n: pooled out-of-fold scores of the first repetition */
    double *auc_k;   /* k_last: mean over repetitions of the pooled AUC, NaN if not evaluated */
    double *auc_sd;  /* k_last: sample SD over repetitions (NaN with one repetition) */
    size_t chosen;   /* chosen k */
};

/*
 * Cross-validates k: one stratified grouped k-fold split ("kfold", "nested"),
 * "repeats" splits with seeds seed, seed + 1, ... ("repeated"), or one fold
 * per patient ("lopo"). Each repetition pools its out-of-fold scores into
 * one AUC per k; k is chosen on the mean over repetitions. The one-SE rule
 * uses the mean over repetitions of the per-fold SE, or DeLong's SE of the
 * pooled AUC for leave-one-patient-out.
 */
static calci_status cross_validate(const struct training *t, const char *const *patients,
                                   struct cv_result *cv, calci_error *error)
{
    size_t n = t->n, k_last = t->k_last, k_eval = k_last;
    size_t repeats = t->opt->cv == CI_CV_REPEATED ? t->opt->repeats : 1;
    size_t *fold_of_case = malloc((n + 1) * sizeof *fold_of_case);
    double *scratch = repeats > 1 ? malloc(k_last * n * sizeof *scratch) : NULL;
    double *sum = calloc(k_last, sizeof *sum), *sum_sq = calloc(k_last, sizeof *sum_sq);
    double *se_sum = calloc(k_last, sizeof *se_sum), *se = malloc(k_last * sizeof *se);
    calci_status status = CALCI_OK;

    if (!fold_of_case || (repeats > 1 && !scratch) || !sum || !sum_sq || !se_sum || !se) {
        status = ci_fail(error, CALCI_ERR_NO_MEMORY, "model fit: out of memory");
        goto done;
    }

    for (size_t r = 0; r < repeats && status == CALCI_OK; r++) {
        double *oof = r == 0 ? cv->oof : scratch;
        size_t n_folds = 0, reached = 0;
        status = assign_folds(t, patients, r, fold_of_case, &n_folds, error);
        if (status == CALCI_OK)
            status = run_folds(t, fold_of_case, n_folds, oof, &reached, error);
        if (reached < k_eval)
            k_eval = reached;
        for (size_t k = t->k_first; k <= k_eval && status == CALCI_OK; k++) {
            const double *scores = oof + (k - 1) * n;
            double auc = NAN, k_se = NAN;
            status = auc_of(scores, t->labels, n, &auc, error);
            if (status == CALCI_OK && t->opt->k_rule == CI_K_RULE_1SE)
                status = t->opt->cv == CI_CV_LOPO
                             ? delong_se(t, scores, &k_se, error)
                             : fold_auc_se(t, fold_of_case, n_folds, scores, &k_se, error);
            sum[k - 1] += auc;
            sum_sq[k - 1] += auc * auc;
            se_sum[k - 1] += k_se;
        }
    }
    if (status != CALCI_OK)
        goto done;

    for (size_t k = 1; k <= k_last; k++) {
        int evaluated = k >= t->k_first && k <= k_eval;
        double mean = sum[k - 1] / (double)repeats;
        double var = repeats > 1 ? (sum_sq[k - 1] - repeats * mean * mean) / (double)(repeats - 1)
                                 : NAN;
        cv->auc_k[k - 1] = evaluated ? mean : NAN;
        cv->auc_sd[k - 1] = evaluated && repeats > 1 ? sqrt(fmax(var, 0.0)) : NAN;
        se[k - 1] = evaluated ? se_sum[k - 1] / (double)repeats : NAN;
    }
    cv->chosen = choose_k(t->opt, cv->auc_k, se, t->k_first, k_eval);
    if (cv->chosen == 0)
        status = ci_fail(error, CALCI_ERR_DATA, "model fit: no k has a cross-validated AUC");

done:
    free(fold_of_case);
    free(scratch);
    free(sum);
    free(sum_sq);
    free(se_sum);
    free(se);
    return status;
}

/*
 * Nested cross-validation: the dataset rows of the fit (row_list) are split
 * into outer stratified grouped folds (folds, seed); in each outer fold the
 * whole fit, including the choice of k by an inner k-fold CV, runs on the
 * outer training part and scores the held-out part. The pooled outer AUC
 * estimates the performance of the whole procedure.
 */
static calci_status nested_auc(const struct training *t, const calci_dataset *d,
                               const size_t *row_list, const double *weights,
                               const char *const *patients, double *auc, calci_error *error)
{
    size_t n = t->n, n_folds = t->opt->folds;
    size_t *fold_of_case = malloc((n + 1) * sizeof *fold_of_case);
    size_t *train_rows = malloc((n + 1) * sizeof *train_rows);
    size_t *test_rows = malloc((n + 1) * sizeof *test_rows);
    size_t *test_pos = malloc((n + 1) * sizeof *test_pos);
    double *scores = malloc((n + 1) * sizeof *scores), *outer = malloc((n + 1) * sizeof *outer);
    calci_options *inner = calci_options_copy(t->opt);
    calci_status status = CALCI_OK;

    if (!fold_of_case || !train_rows || !test_rows || !test_pos || !scores || !outer || !inner) {
        status = ci_fail(error, CALCI_ERR_NO_MEMORY, "model fit: out of memory");
        goto done;
    }
    inner->cv = CI_CV_KFOLD;
    status = ci_folds_assign(patients, t->labels, n, n_folds, t->opt->seed, fold_of_case, error);

    for (size_t f = 0; f < n_folds && status == CALCI_OK; f++) {
        size_t n_train = 0, n_test = 0;
        calci_model *m = NULL;
        for (size_t i = 0; i < n; i++) {
            if (fold_of_case[i] == f) {
                test_pos[n_test] = i;
                test_rows[n_test++] = row_list[i];
            } else {
                train_rows[n_train++] = row_list[i];
            }
        }
        status = calci_model_fit_weighted(inner, d, train_rows, n_train, weights, &m, error);
        if (status == CALCI_OK)
            status = calci_model_predict(m, d, test_rows, n_test, scores, NULL, error);
        for (size_t r = 0; r < n_test && status == CALCI_OK; r++)
            outer[test_pos[r]] = scores[r];
        calci_model_free(m);
    }
    if (status == CALCI_OK)
        status = auc_of(outer, t->labels, n, auc, error);

done:
    calci_options_free(inner);
    free(fold_of_case);
    free(train_rows);
    free(test_rows);
    free(test_pos);
    free(scores);
    free(outer);
    return status;
}

calci_status calci_model_fit(const calci_options *options, const calci_dataset *dataset,
                             const size_t *rows, size_t n_rows, calci_model **out,
                             calci_error *error)
{
    if (options == NULL || dataset == NULL || out == NULL)
        return ci_fail(error, CALCI_ERR_ARGUMENT, "calci_model_fit: options, dataset and out "
                       "must not be NULL");
    return calci_model_fit_weighted(options, dataset, rows, n_rows, NULL, out, error);
}

calci_status calci_model_fit_weighted(const calci_options *options,
                                      const calci_dataset *dataset, const size_t *rows,
                                      size_t n_rows, const double *weights, calci_model **out,
                                      calci_error *error)
{
    if (options == NULL || dataset == NULL || out == NULL)
        return ci_fail(error, CALCI_ERR_ARGUMENT, "calci_model_fit_weighted: options, dataset "
                       "and out must not be NULL");

    struct training t = {0};
    struct ranking before_cv = {0};
    struct cv_result cv = {0};
    size_t *row_list = NULL, chosen = 0;
    const char **patients = NULL;
    calci_model *model = NULL;
    calci_roc *roc = NULL;

    t.opt = options;
    t.k_first = options->k > 0 ? options->k : 1;
    t.k_last = options->k > 0 ? options->k : options->k_max;
    calci_status status = load_training(dataset, rows, n_rows, weights, &t, &row_list, error);
    if (status != CALCI_OK)
        goto done;

    patients = malloc(t.n * sizeof *patients);
    if (t.k_last > SIZE_MAX / sizeof(double) / t.n) {
        status = ci_fail(error, CALCI_ERR_ARGUMENT, "model fit: k_max = %zu is too large",
                         t.k_last);
        goto done;
    }
    cv.oof = malloc(t.k_last * t.n * sizeof *cv.oof);
    if (patients == NULL || cv.oof == NULL) {
        status = ci_fail(error, CALCI_ERR_NO_MEMORY, "model fit: out of memory");
        goto done;
    }
    for (size_t r = 0; r < t.n; r++)
        patients[r] = dataset->patient_ids[row_list[r]];

    if (options->study_compatible) {
        status = rank_features(options, t.x, t.n, t.p_all, t.labels, t.weights, &before_cv,
                               error);
        if (status != CALCI_OK)
            goto done;
        t.before_cv = &before_cv;
    }

    status = ci_model_alloc(0, t.k_last, &model, error);
    if (status != CALCI_OK)
        goto done;
    cv.auc_k = model->cv_auc_k;
    cv.auc_sd = malloc(t.k_last * sizeof *cv.auc_sd);
    model->oof_scores = malloc(t.n * sizeof *model->oof_scores);
    if (cv.auc_sd == NULL || model->oof_scores == NULL) {
        status = ci_fail(error, CALCI_ERR_NO_MEMORY, "model fit: out of memory");
        goto done;
    }
    status = cross_validate(&t, patients, &cv, error);
    if (status != CALCI_OK)
        goto done;
    chosen = cv.chosen;

    /* Operating points from the pooled out-of-fold scores of the chosen k
     * (of the first repetition with "repeated"). */
    const double *chosen_oof = cv.oof + (chosen - 1) * t.n;
    status = calci_roc_create(chosen_oof, t.labels, t.n, CALCI_DIRECTION_HIGHER, &roc, error);
    if (status != CALCI_OK)
        goto done;
    model->cv_auc = model->cv_auc_k[chosen - 1];
    model->cv_auc_sd = cv.auc_sd[chosen - 1];
    model->threshold_sens = calci_roc_threshold_for_sensitivity(roc, options->sens_target);
    model->threshold_spec = calci_roc_threshold_for_specificity(roc, options->spec_target);
    memcpy(model->oof_scores, chosen_oof, t.n * sizeof *chosen_oof);
    model->n_oof = t.n;

    if (options->cv == CI_CV_NESTED) {
        status = nested_auc(&t, dataset, row_list, weights, patients, &model->cv_auc_nested,
                            error);
        if (status != CALCI_OK)
            goto done;
    }

    /* Refit on all training rows with the chosen k. */
    model->classifier = options->classifier;
    model->C = options->C;
    model->n_features = chosen;
    model->feature_names = calloc(chosen, sizeof *model->feature_names);
    model->mean = malloc(chosen * sizeof *model->mean);
    model->sd = malloc(chosen * sizeof *model->sd);
    model->coef = malloc(chosen * sizeof *model->coef);
    if (!model->feature_names || !model->mean || !model->sd || !model->coef) {
        status = ci_fail(error, CALCI_ERR_NO_MEMORY, "model fit: out of memory");
        goto done;
    }
    status = final_fit(&t, dataset, chosen, model, error);

done:
    if (status == CALCI_OK) {
        *out = model;
        model = NULL;
    }
    calci_model_free(model);
    calci_roc_free(roc);
    ranking_free(&before_cv);
    free(t.x);
    free(t.labels);
    free(t.weights);
    free(row_list);
    free(patients);
    free(cv.oof);
    free(cv.auc_sd);
    return status;
}

/* ---- model object ---- */

calci_status ci_model_alloc(size_t n_features, size_t cv_k_max, calci_model **out,
                            calci_error *error)
{
    calci_model *m = calloc(1, sizeof *m);
    if (m == NULL)
        return ci_fail(error, CALCI_ERR_NO_MEMORY, "model: out of memory");
    m->n_features = n_features;
    m->cv_k_max = cv_k_max;
    m->cv_auc = NAN;
    m->cv_auc_sd = NAN;
    m->cv_auc_nested = NAN;
    m->threshold_sens = NAN;
    m->threshold_spec = NAN;
    if (n_features > 0) {
        m->feature_names = calloc(n_features, sizeof *m->feature_names);
        m->mean = calloc(n_features, sizeof *m->mean);
        m->sd = calloc(n_features, sizeof *m->sd);
        m->coef = calloc(n_features, sizeof *m->coef);
    }
    m->cv_auc_k = malloc((cv_k_max + 1) * sizeof *m->cv_auc_k);
    if ((n_features > 0 && (!m->feature_names || !m->mean || !m->sd || !m->coef)) ||
        m->cv_auc_k == NULL) {
        calci_model_free(m);
        return ci_fail(error, CALCI_ERR_NO_MEMORY, "model: out of memory");
    }
    for (size_t k = 0; k < cv_k_max; k++)
        m->cv_auc_k[k] = NAN;
    *out = m;
    return CALCI_OK;
}

void calci_model_free(calci_model *model)
{
    if (model == NULL)
        return;
    if (model->feature_names)
        for (size_t i = 0; i < model->n_features; i++)
            free(model->feature_names[i]);
    free(model->feature_names);
    free(model->mean);
    free(model->sd);
    free(model->coef);
    free(model->cv_auc_k);
    free(model->oof_scores);
    for (size_t i = 0; i < model->n_info; i++) {
        free(model->info_keys[i]);
        free(model->info_values[i]);
    }
    free(model->info_keys);
    free(model->info_values);
    free(model);
}

void ci_model_score_row(const calci_model *model, const double *raw, double *score,
                        double *decision)
{
    double f = model->intercept;
    for (size_t c = 0; c < model->n_features; c++)
        f += model->coef[c] * ((raw[c] - model->mean[c]) / model->sd[c]);
    *decision = f;
    *score = ci_classifier_is_lr(model->classifier)
                 ? ci_logistic(f)
                 : ci_platt_score(f, model->platt_a, model->platt_b);
}

calci_status calci_model_predict(const calci_model *model, const calci_dataset *dataset,
                                 const size_t *rows, size_t n_rows, double *scores,
                                 double *decision, calci_error *error)
{
    if (model == NULL || dataset == NULL || scores == NULL)
        return ci_fail(error, CALCI_ERR_ARGUMENT,
                       "calci_model_predict: model, dataset and scores must not be NULL");
    size_t n = rows ? n_rows : dataset->n_cases;
    size_t *column = malloc((model->n_features + 1) * sizeof *column);
    double *raw = malloc((model->n_features + 1) * sizeof *raw);
    calci_status status = CALCI_OK;

    if (column == NULL || raw == NULL) {
        status = ci_fail(error, CALCI_ERR_NO_MEMORY, "predict: out of memory");
        goto done;
    }
    for (size_t c = 0; c < model->n_features; c++) {
        column[c] = SIZE_MAX;
        for (size_t j = 0; j < dataset->n_features && column[c] == SIZE_MAX; j++)
            if (strcmp(dataset->feature_names[j], model->feature_names[c]) == 0)
                column[c] = j;
        if (column[c] == SIZE_MAX) {
            status = ci_fail(error, CALCI_ERR_NOT_FOUND,
                             "predict: feature '%s' of the model is not in the dataset",
                             model->feature_names[c]);
            goto done;
        }
    }
    for (size_t r = 0; r < n; r++) {
        size_t i = rows ? rows[r] : r;
        if (i >= dataset->n_cases) {
            status = ci_fail(error, CALCI_ERR_ARGUMENT,
                             "predict: row %zu is out of range (the dataset has %zu cases)", i,
                             dataset->n_cases);
            goto done;
        }
        for (size_t c = 0; c < model->n_features; c++) {
            raw[c] = ci_value(dataset, i, column[c]);
            if (!isfinite(raw[c])) {
                status = ci_fail(error, CALCI_ERR_DATA,
                                 "predict: feature '%s' is %g in case '%s', expected a finite "
                                 "value",
                                 model->feature_names[c], raw[c], dataset->case_ids[i]);
                goto done;
            }
        }
    }
    /* Outputs are written only after every row passed the checks. */
    for (size_t r = 0; r < n; r++) {
        size_t i = rows ? rows[r] : r;
        double f;
        for (size_t c = 0; c < model->n_features; c++)
            raw[c] = ci_value(dataset, i, column[c]);
        ci_model_score_row(model, raw, &scores[r], &f);
        if (decision)
            decision[r] = f;
    }

done:
    free(column);
    free(raw);
    return status;
}

/* ---- accessors ---- */

const char *calci_model_classifier(const calci_model *model)
{
    if (model == NULL)
        return NULL;
    static const char *const names[] = {"lr", "svm", "lr_l1", "lr_none"};
    return names[model->classifier];
}

size_t calci_model_feature_count(const calci_model *model)
{
    return model ? model->n_features : 0;
}

const char *calci_model_feature_name(const calci_model *model, size_t i)
{
    return model && i < model->n_features ? model->feature_names[i] : NULL;
}

double calci_model_coefficient(const calci_model *model, size_t i)
{
    return model && i < model->n_features ? model->coef[i] : NAN;
}

double calci_model_intercept(const calci_model *model)
{
    return model ? model->intercept : NAN;
}

double calci_model_cv_auc(const calci_model *model)
{
    return model ? model->cv_auc : NAN;
}

size_t calci_model_cv_k_max(const calci_model *model)
{
    return model ? model->cv_k_max : 0;
}

double calci_model_cv_auc_at(const calci_model *model, size_t k)
{
    return model && k >= 1 && k <= model->cv_k_max ? model->cv_auc_k[k - 1] : NAN;
}

double calci_model_threshold_high_sensitivity(const calci_model *model)
{
    return model ? model->threshold_sens : NAN;
}

double calci_model_threshold_high_specificity(const calci_model *model)
{
    return model ? model->threshold_spec : NAN;
}

double calci_model_cv_auc_sd(const calci_model *model)
{
    return model ? model->cv_auc_sd : NAN;
}

double calci_model_cv_auc_nested(const calci_model *model)
{
    return model ? model->cv_auc_nested : NAN;
}

size_t calci_model_oof_count(const calci_model *model)
{
    return model ? model->n_oof : 0;
}

calci_status calci_model_oof_scores(const calci_model *model, double *scores, size_t n,
                                    calci_error *error)
{
    if (model == NULL || scores == NULL)
        return ci_fail(error, CALCI_ERR_ARGUMENT,
                       "calci_model_oof_scores: model and scores must not be NULL");
    if (model->n_oof == 0)
        return ci_fail(error, CALCI_ERR_DATA,
                       "calci_model_oof_scores: the model has no out-of-fold scores (a loaded "
                       "model does not keep them)");
    if (n != model->n_oof)
        return ci_fail(error, CALCI_ERR_ARGUMENT,
                       "calci_model_oof_scores: n = %zu, expected %zu (the training cases)", n,
                       model->n_oof);
    memcpy(scores, model->oof_scores, n * sizeof *scores);
    return CALCI_OK;
}
