/*
 * model_internal.h - private declarations of the model-fitting sources:
 * z-score (scale.c), Pearson filter and Relief (select.c), logistic
 * regression (logreg.c), linear SVM (svm.c), grouped folds (cv.c) and the
 * model object (model.c).
 *
 * Matrices are row-major with a leading dimension ld (elements between the
 * starts of two rows), so that a caller can pass a block of a wider table.
 * Labels in the fitting functions are 1 (positive) or 0 (negative).
 */
#ifndef CALCI_MODEL_INTERNAL_H
#define CALCI_MODEL_INTERNAL_H

#include <stddef.h>

#include "internal.h"

/* ---- scale.c ---- */

/*
 * Fits a z-score on the n rows of x: mean[j] and the population SD
 * sd[j] = sqrt(sum (x - mean)^2 / n). A column whose values are all equal
 * gets sd 1 and constant[j] = 1 (later steps drop it); others get 0.
 * Returns the number of constant columns.
 */
size_t ci_zscore_fit(const double *x, size_t n, size_t p, size_t ld, double *mean, double *sd,
                     unsigned char *constant);

/* Writes (x - mean) / sd for n rows of p columns into out (leading dimension p). */
void ci_zscore_apply(const double *x, size_t n, size_t p, size_t ld, const double *mean,
                     const double *sd, double *out);

/* ---- select.c ---- */

/*
 * Pearson redundancy filter as FAE 0.2.5 applies it: the candidate columns
 * cols[0..n_cols) are walked in order, and a column is kept unless |r| with
 * a column already kept exceeds threshold. Writes the kept column indices,
 * in order, to kept and their count to n_kept. A column with zero variance
 * has no correlation and is kept, so callers drop constant columns first.
 */
calci_status ci_pearson_filter(const double *x, size_t n, size_t ld, const size_t *cols,
                               size_t n_cols, double threshold, size_t *kept, size_t *n_kept,
                               calci_error *error);

/*
 * Classic Relief on the columns cols[0..n_cols) of x (n rows, labels 0/1).
 * Each column is divided by its Euclidean norm; for every case i in row order
 * the nearest hit h (same label) and nearest miss m (other label) by
 * Euclidean distance over those columns are found, the lower row index
 * winning a tie, and w_f += ((x_if - x_mf)^2 - (x_if - x_hf)^2) / n.
 * weights receives w (n_cols values, in the order of cols) and order the
 * positions 0..n_cols-1 sorted by |w| descending, the lower position winning
 * a tie. Either output may be NULL. Needs at least two cases of each class.
 */
calci_status ci_relief(const double *x, size_t n, size_t ld, const int *labels,
                       const size_t *cols, size_t n_cols, double *weights, size_t *order,
                       calci_error *error);

/*
 * ReliefF (Kononenko 1994) for two classes on the columns cols[0..n_cols) of
 * x (n rows, labels 0/1). Each column's difference is range-normalised,
 * diff_c(i, j) = |x_ic - x_jc| / (max_c - min_c) (0 for a constant column),
 * and the distance between cases is the sum of these over the columns
 * (Manhattan). For every case i the k_h = min(k, n_same - 1) nearest hits
 * H and k_m = min(k, n_other) nearest misses M are taken (the lower row index
 * winning a distance tie), and
 *   w_c = (1/n) sum_i [ sum_{m in M} diff_c(i, m) / k_m - sum_{h in H} diff_c(i, h) / k_h ].
 * With k <= both class sizes - 1 this is Kononenko's update divided by m k
 * (every case visited, two classes, so the prior factor is 1). weights
 * receives w and order the positions sorted by w descending (not by |w| as
 * in classic Relief), the lower position winning a tie. Either may be NULL.
 * Needs k >= 1 and at least two cases of each class.
 */
calci_status ci_relieff(const double *x, size_t n, size_t ld, const int *labels,
                        const size_t *cols, size_t n_cols, size_t k, double *weights,
                        size_t *order, calci_error *error);

/*
 * ANOVA F statistic of each column against the labels 0/1, as
 * scikit-learn's f_classif: F = (SSB / (g - 1)) / (SSW / (n - g)) with g = 2
 * groups, SSB = sum_g n_g (mean_g - mean)^2, SSW = sum within-group squared
 * deviations. A column constant within both groups but not overall gets
 * +inf; a constant column gets NaN (f_classif's values). f_values receives F
 * and order the positions sorted by F descending (NaN last, the lower
 * position winning a tie). Either may be NULL. Needs a case of each class
 * and at least three cases.
 */
calci_status ci_anova_f(const double *x, size_t n, size_t ld, const int *labels,
                        const size_t *cols, size_t n_cols, double *f_values, size_t *order,
                        calci_error *error);

/* ---- logreg.c ---- */

/*
 * L2-penalised logistic regression with an unpenalised intercept, as
 * scikit-learn's LogisticRegression(penalty='l2', C) defines it: minimises
 *   0.5 * ||w||^2 + C * sum_i s_i * log(1 + exp(-y_i * (w.x_i + b)))
 * with y_i = +1 for label 1 and -1 for label 0, and sample weights s_i
 * (all 1 when weights is NULL). Newton's method on the (p+1)x(p+1) system
 * (LAPACKE_dposv, falling back to dsysv) with a backtracking line search,
 * until the largest gradient component is below 1e-10 * (1 + C * sum s_i).
 * Writes w (p values) and b. Errors: CALCI_ERR_NUMERIC when Newton does not
 * converge in 200 iterations.
 */
calci_status ci_logreg_fit(const double *x, size_t n, size_t p, size_t ld, const int *labels,
                           const double *weights, double C, double *w, double *b,
                           calci_error *error);

/*
 * Unpenalised logistic regression (scikit-learn's penalty=None): minimises
 * sum_i s_i * log(1 + exp(-y_i (w.x_i + b))) by the same Newton iteration.
 * Errors: CALCI_ERR_DATA when the coefficients diverge because the classes
 * are perfectly or quasi-perfectly separated (the fit leaves a case with
 * margin y_i f_i > 25, or Newton does not converge).
 */
calci_status ci_logreg_fit_unpenalised(const double *x, size_t n, size_t p, size_t ld,
                                       const int *labels, const double *weights, double *w,
                                       double *b, calci_error *error);

/* ---- logreg_l1.c ---- */

/*
 * L1-penalised logistic regression with an unpenalised intercept, as
 * scikit-learn's LogisticRegression(penalty='l1', C, solver='saga') defines
 * it: minimises ||w||_1 + C * sum_i s_i * log(1 + exp(-y_i (w.x_i + b))) by
 * proximal Newton steps with coordinate descent (details in logreg_l1.c).
 * Errors: CALCI_ERR_NUMERIC when it does not converge in 500 iterations.
 */
calci_status ci_logreg_l1_fit(const double *x, size_t n, size_t p, size_t ld, const int *labels,
                              const double *weights, double C, double *w, double *b,
                              calci_error *error);

/* 1 / (1 + exp(-f)), without overflow for large |f|. */
double ci_logistic(double f);

/* ---- svm.c ---- */

/*
 * Linear C-SVM as libsvm (scikit-learn's SVC(kernel='linear', C)) defines
 * it. Solves the dual
 *   min 0.5 a'Qa - sum a_i,  Q_ij = y_i y_j K_ij,  0 <= a_i <= C s_i,  y'a = 0
 * by SMO with libsvm's second-order working-set selection, to the stopping
 * gap max violation <= tol, on the kernel matrix kernel (n x n, K_ij =
 * x_i.x_j, row-major). Writes the dual solution to alpha (may be NULL) and
 * the bias b = -rho, where rho is libsvm's (the mean of y_i G_i over free
 * a_i, else the midpoint of the feasible interval, leaving out cases with
 * C s_i = 0). With warm_start, SMO
 * starts from the alpha passed in (a solution for another kernel on the same
 * cases, clipped to the box; zero when it violates y'a = 0), else from 0.
 */
calci_status ci_svm_solve_dual(const double *kernel, size_t n, const int *labels,
                               const double *weights, double C, double tol, int warm_start,
                               double *alpha, double *b, calci_error *error);

/*
 * Linear SVM on x: builds the kernel, solves the dual with tol 1e-6 and
 * recovers w = sum_i a_i y_i x_i (p values) and b; f(x) = w.x + b.
 */
calci_status ci_svm_fit(const double *x, size_t n, size_t p, size_t ld, const int *labels,
                        const double *weights, double C, double *w, double *b,
                        calci_error *error);

/*
 * Platt scaling fitted on decision values f (labels 0/1): finds A, B
 * minimising the negative log-likelihood of P(y=1|f) = 1 / (1 + exp(A f + B))
 * against Platt's smoothed targets (N+ + 1)/(N+ + 2) and 1/(N- + 2), by
 * Newton's method with backtracking (Lin, Lin and Weng 2007). Unlike libsvm,
 * which fits on decision values from an internal 5-fold CV, this fits on
 * the values it is given.
 */
calci_status ci_platt_fit(const double *f, const int *labels, size_t n, double *a, double *b,
                          calci_error *error);

/* 1 / (1 + exp(a f + b)), without overflow. */
double ci_platt_score(double f, double a, double b);

/* ---- cv.c ---- */

/*
 * Assigns cases to n_folds folds, stratified and grouped by patient.
 * Patients are taken in order of first appearance, and a patient with any
 * positive case is positive. Positive patients, shuffled with seed, are dealt
 * one by one to the fold with the fewest positive cases so far (then fewest
 * cases, then lowest index). Negative patients, shuffled with the same
 * generator, go to the fold with the fewest negative cases. For single-class
 * patients this keeps the class counts of any two folds within the largest
 * patient's case count. Errors: CALCI_ERR_DATA when a class has fewer
 * patients than folds or a fold ends without a positive or a negative case.
 */
calci_status ci_folds_assign(const char *const *patient_ids, const int *labels, size_t n,
                             size_t n_folds, uint64_t seed, size_t *fold_of_case,
                             calci_error *error);

/*
 * Leave-one-patient-out folds: fold_of_case receives each case's patient
 * number (patients numbered 0, 1, ... in order of first appearance) and
 * n_folds the number of patients. Errors: CALCI_ERR_NO_MEMORY.
 */
calci_status ci_folds_by_patient(const char *const *patient_ids, size_t n, size_t *fold_of_case,
                                 size_t *n_folds, calci_error *error);

/* ---- model.c ---- */

struct calci_model {
    ci_classifier classifier;
    double C;
    size_t n_features;     /* selected features, in rank order */
    char **feature_names;  /* n_features */
    double *mean;          /* n_features: z-score mean */
    double *sd;            /* n_features: z-score population SD */
    double *coef;          /* n_features: coefficient on the z-scored value */
    double intercept;
    double platt_a;        /* SVM only: score = 1 / (1 + exp(platt_a f + platt_b)) */
    double platt_b;
    double cv_auc;         /* pooled out-of-fold AUC of the chosen k; NaN if unknown */
    size_t cv_k_max;       /* number of entries in cv_auc_k */
    double *cv_auc_k;      /* cv_auc_k[k-1]: pooled AUC with k features; NaN if not evaluated */
    double cv_auc_sd;      /* SD over repeats of the chosen k's pooled AUC ("repeated"), else NaN */
    double cv_auc_nested;  /* pooled outer-fold AUC of the whole fit ("nested"), else NaN */
    size_t n_oof;          /* training cases with an out-of-fold score; 0 for a loaded model */
    double *oof_scores;    /* n_oof: out-of-fold scores of the chosen k, in training-row order */
    double threshold_sens; /* high-sensitivity threshold on the score scale */
    double threshold_spec; /* high-specificity threshold on the score scale */
    size_t n_info;
    char **info_keys;
    char **info_values;
};

/* Allocates an empty model with n_features feature slots and cv_k_max AUC slots. */
calci_status ci_model_alloc(size_t n_features, size_t cv_k_max, calci_model **out,
                            calci_error *error);

/* Decision value and score of one row of z-scored inputs given as raw values. */
void ci_model_score_row(const calci_model *model, const double *raw, double *score,
                        double *decision);

#endif /* CALCI_MODEL_INTERNAL_H */
