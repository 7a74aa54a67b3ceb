/*
 * calci.h - public interface of libcalci.
 *
 * libcalci turns a table of radiomics features into a diagnostic model and
 * the statistics a study reports. It splits cases by patient, fits z-score,
 * Pearson filter, feature ranking and a logistic-regression or linear-SVM
 * classifier with the feature count chosen by cross-validation grouped by
 * patient. It computes ROC curves, AUC with DeLong or bootstrap intervals,
 * operating points fixed on out-of-fold training scores, paired and unpaired
 * ROC tests, calibration and the tests of a cohort table.
 *
 * Conventions (as in radiomics.h): opaque handles with *_free accepting NULL;
 * every fallible call returns a calci_status and, when the caller passes a
 * calci_error, a message naming the file, column, row and value; outputs are
 * untouched on failure; no global mutable state; a fitted calci_model and a
 * calci_dataset that nobody modifies may be shared between threads; the
 * library never prints, aborts or exits.
 *
 * Labels are 1 (positive), 0 (negative) or -1 (unknown). Scores are "higher
 * means more likely positive" unless a call says otherwise.
 */
#ifndef CALCI_H
#define CALCI_H

#include <stddef.h>
#include <stdint.h>

#include "calci_export.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CALCI_VERSION_MAJOR 0
#define CALCI_VERSION_MINOR 1
#define CALCI_VERSION_PATCH 0
#define CALCI_VERSION_STRING "0.1.0"

CALCI_API int calci_version_major(void);
CALCI_API int calci_version_minor(void);
CALCI_API int calci_version_patch(void);
CALCI_API const char *calci_version_string(void);

/* Status codes. The numbers are part of the ABI and never change. */
typedef enum calci_status {
    CALCI_OK = 0,
    CALCI_ERR_ARGUMENT = 1,    /* NULL pointer, bad option, out-of-range index */
    CALCI_ERR_NO_MEMORY = 2,   /* an allocation failed */
    CALCI_ERR_IO = 3,          /* a file could not be opened, read or written */
    CALCI_ERR_FORMAT = 4,      /* a file is damaged or not in the expected format */
    CALCI_ERR_DATA = 5,        /* the data cannot support the request (one class only,
                                  a fold without positives, NaN feature values ...) */
    CALCI_ERR_NOT_FOUND = 6,   /* a required column or feature is missing */
    CALCI_ERR_NUMERIC = 7,     /* an iterative fit did not converge */
    CALCI_ERR_VERSION = 8,     /* a model file from a newer, incompatible version */
    CALCI_ERR_PARAMETER = 9    /* unknown option name or invalid option value */
} calci_status;

CALCI_API const char *calci_status_name(calci_status status);
CALCI_API const char *calci_status_message(calci_status status);

/* ------------------------------------------------------------------ */
/* Error details                                                        */

typedef struct calci_error calci_error;

CALCI_API calci_error *calci_error_create(void);
CALCI_API void calci_error_free(calci_error *error);
CALCI_API calci_status calci_error_status(const calci_error *error);
/* Message of the last failure ("" when none); owned by error. */
CALCI_API const char *calci_error_message(const calci_error *error);
CALCI_API void calci_error_clear(calci_error *error);

/* ------------------------------------------------------------------ */
/* Datasets                                                             */

typedef struct calci_dataset calci_dataset;

typedef enum calci_split {
    CALCI_SPLIT_NONE = 0,  /* not assigned yet */
    CALCI_SPLIT_TRAIN = 1,
    CALCI_SPLIT_TEST = 2
} calci_split;

/*
 * Creates an empty dataset with the given feature and comparator columns
 * (comparators: scores of other tests, such as a radiograph read, compared
 * with the model by DeLong's test). Names are copied.
 */
CALCI_API calci_status calci_dataset_create(size_t n_features, const char *const *feature_names,
                                            size_t n_comparators,
                                            const char *const *comparator_names,
                                            calci_dataset **out, calci_error *error);

/*
 * Appends a case. patient_id NULL or "" means the case id, and group may be
 * NULL. features points to n_features values and comparators to
 * n_comparators values (NaN for a missing read, or NULL when there are no
 * comparators).
 * Errors: CALCI_ERR_ARGUMENT for a duplicate or empty case id or a label
 * other than -1, 0, 1.
 */
CALCI_API calci_status calci_dataset_add(calci_dataset *dataset, const char *case_id,
                                         const char *patient_id, int label, calci_split split,
                                         const char *group, const double *features,
                                         const double *comparators, calci_error *error);

/*
 * Reads a CSV table with a header row. Columns case_id (or, when absent, the
 * first column), patient_id, label, split, group and cmp_* are recognised;
 * every other column is a feature and must hold numbers. Accepts a UTF-8
 * byte-order mark, CRLF line ends and quoted fields. Errors name the file,
 * line and column: CALCI_ERR_IO, CALCI_ERR_FORMAT, CALCI_ERR_DATA.
 */
CALCI_API calci_status calci_dataset_read_csv(const char *path, calci_dataset **out,
                                              calci_error *error);

/* Writes the dataset in the format calci_dataset_read_csv reads, through a
 * temporary file renamed into place. Numbers keep 17 significant digits. */
CALCI_API calci_status calci_dataset_write_csv(const calci_dataset *dataset, const char *path,
                                               calci_error *error);

CALCI_API void calci_dataset_free(calci_dataset *dataset);

CALCI_API size_t calci_dataset_cases(const calci_dataset *dataset);
CALCI_API size_t calci_dataset_features(const calci_dataset *dataset);
CALCI_API size_t calci_dataset_comparators(const calci_dataset *dataset);
/* Names and ids are owned by the dataset; NULL when an index is out of range. */
CALCI_API const char *calci_dataset_feature_name(const calci_dataset *dataset, size_t j);
CALCI_API const char *calci_dataset_comparator_name(const calci_dataset *dataset, size_t j);
CALCI_API const char *calci_dataset_case_id(const calci_dataset *dataset, size_t i);
CALCI_API const char *calci_dataset_patient_id(const calci_dataset *dataset, size_t i);
CALCI_API const char *calci_dataset_group(const calci_dataset *dataset, size_t i);
CALCI_API int calci_dataset_label(const calci_dataset *dataset, size_t i);
CALCI_API calci_split calci_dataset_split(const calci_dataset *dataset, size_t i);
CALCI_API double calci_dataset_value(const calci_dataset *dataset, size_t i, size_t j);
CALCI_API double calci_dataset_comparator(const calci_dataset *dataset, size_t i, size_t j);
CALCI_API calci_status calci_dataset_set_split(calci_dataset *dataset, size_t i,
                                               calci_split split, calci_error *error);

/*
 * Assigns every case whose split is CALCI_SPLIT_NONE by patient: patients
 * with at least one positive case are shuffled with the seed and the first
 * round(train_fraction * count) go to training; patients with only negative
 * cases are split the same way, separately. All cases of one patient get the
 * same split, and a patient that already has assigned cases keeps that side.
 * Errors: CALCI_ERR_ARGUMENT (fraction outside (0,1)), CALCI_ERR_DATA when a
 * patient already has cases on both sides.
 */
CALCI_API calci_status calci_split_by_patient(calci_dataset *dataset, double train_fraction,
                                              uint64_t seed, calci_error *error);

/* ------------------------------------------------------------------ */
/* Plain CSV tables                                                     */

typedef struct calci_table calci_table;

/*
 * Reads a CSV file with a header row into text cells, with the same rules
 * as calci_dataset_read_csv (byte-order mark, CRLF, quoted fields; the
 * delimiter is ',', ';' or a tab, detected from the header). Every row must
 * have as many fields as the header. Used for manifests and clinical tables.
 * Errors: CALCI_ERR_IO, CALCI_ERR_FORMAT naming the line.
 */
CALCI_API calci_status calci_table_read_csv(const char *path, calci_table **out,
                                            calci_error *error);
CALCI_API void calci_table_free(calci_table *table);
CALCI_API size_t calci_table_rows(const calci_table *table);
CALCI_API size_t calci_table_columns(const calci_table *table);
/* Header name of column j; NULL when out of range. */
CALCI_API const char *calci_table_column_name(const calci_table *table, size_t j);
/* Index of the column with this exact name, or (size_t)-1. */
CALCI_API size_t calci_table_find_column(const calci_table *table, const char *name);
/* Cell text of data row i (0 = first row after the header); NULL when out of range. */
CALCI_API const char *calci_table_cell(const calci_table *table, size_t i, size_t j);
/* Line number in the file where data row i starts (for messages). */
CALCI_API size_t calci_table_line(const calci_table *table, size_t i);

/* ------------------------------------------------------------------ */
/* Model options                                                        */

typedef struct calci_options calci_options;

/*
 * Creates options with these defaults, each settable by calci_options_set:
 *   classifier  lr      "lr" (L2 logistic regression), "lr_l1" (L1 logistic
 *                       regression, unpenalised intercept), "lr_none" (unpenalised
 *                       logistic regression; CALCI_ERR_DATA from calci_model_fit when
 *                       the classes are perfectly or quasi-perfectly separated) or
 *                       "svm" (linear SVM, Platt-scaled probabilities)
 *   C           1       inverse regularisation strength (> 0)
 *   pcc         0.99    Pearson filter threshold in (0,1], or "none"
 *   select      relief  "relief" (classic Relief ranking), "relieff" (ReliefF with
 *                       relieff_k nearest hits and misses), "anova" (ANOVA F, as
 *                       scikit-learn's f_classif) or "all"
 *   relieff_k   10      neighbours of each class in ReliefF (>= 1)
 *   k           auto    number of features kept, or "auto" (cross-validated)
 *   k_max       20      largest k tried by "auto"
 *   k_rule      max     "max" (best CV AUC) or "1se" (one-standard-error rule)
 *   folds       5       cross-validation folds, stratified and grouped by patient
 *   seed        1       seed for the fold assignment
 *   cv          kfold   "kfold" (one stratified grouped k-fold split), "repeated"
 *                       (repeats splits with seeds seed, seed + 1, ...; k chosen on
 *                       the mean pooled AUC), "lopo" (leave one patient out) or
 *                       "nested" (kfold, plus an outer k-fold around the whole fit
 *                       for calci_model_cv_auc_nested)
 *   repeats     10      repetitions of "repeated" (>= 1)
 *   study_compatible false  "true" fits z-score, Pearson filter and ranking on the
 *                       whole training set before cross-validation, as FAE 0.2.5
 *                       did: its CV AUC is optimistic and shows the leak
 *   sens_target 0.90    high-sensitivity operating point target
 *   spec_target 0.90    high-specificity operating point target
 */
CALCI_API calci_status calci_options_create(calci_options **out, calci_error *error);
CALCI_API calci_options *calci_options_copy(const calci_options *options);
CALCI_API void calci_options_free(calci_options *options);
/* Errors: CALCI_ERR_PARAMETER naming the key or the value and allowed range. */
CALCI_API calci_status calci_options_set(calci_options *options, const char *key,
                                         const char *value, calci_error *error);
CALCI_API calci_status calci_options_get(const calci_options *options, const char *key,
                                         char *buf, size_t buf_size, calci_error *error);

/* ------------------------------------------------------------------ */
/* Models                                                               */

typedef struct calci_model calci_model;

/*
 * Fits a model on the cases of dataset listed in rows (all cases with split
 * CALCI_SPLIT_TRAIN when rows is NULL): z-score, Pearson filter, Relief,
 * top-k and the classifier, with k chosen by cross-validation in which every
 * step is refitted inside each training fold and all cases of a patient stay
 * in one fold. The operating points are fixed on the pooled out-of-fold
 * scores of the chosen k.
 * Errors: CALCI_ERR_DATA (one class only, fewer patients of a class than
 * folds, NaN or infinite values), CALCI_ERR_NUMERIC, CALCI_ERR_NO_MEMORY.
 */
CALCI_API calci_status calci_model_fit(const calci_options *options,
                                       const calci_dataset *dataset, const size_t *rows,
                                       size_t n_rows, calci_model **out, calci_error *error);

/*
 * Fits a model as calci_model_fit does, with sample weights: weights[i] is
 * the weight of dataset row i (an array of calci_dataset_cases values, read
 * only at the training rows), finite and >= 0. NULL gives every case weight
 * 1 and the same model as calci_model_fit. The weights enter, in the final
 * fit and in the training part of every cross-validation fold:
 *   - the z-score, as scikit-learn's StandardScaler.fit(sample_weight):
 *     weighted mean and weighted population SD;
 *   - the classifier's loss: C sum_i w_i loss_i for "lr", "lr_l1" and
 *     "lr_none" (LogisticRegression.fit(sample_weight)); for "svm" the
 *     per-case bound C_i = C w_i, as libsvm's weighted version and SVC.fit
 *     (sample_weight) define it.
 * An integer weight therefore gives the same coefficients as repeating the
 * case that many times, and weight 0 the same as leaving it out. The Pearson
 * filter, Relief, ReliefF and ANOVA ranking, the SVM's Platt scaling, the
 * out-of-fold AUCs and the operating points stay unweighted, so a case with
 * weight 0 still takes part in them and may change which features are kept.
 * The fold assignment counts cases, not weights.
 * Errors: CALCI_ERR_ARGUMENT naming a negative, NaN or infinite weight;
 * CALCI_ERR_DATA when the cases with weight > 0 of the training set or of a
 * fold's training part lack a class; the errors of calci_model_fit.
 * Since 0.1.
 */
CALCI_API calci_status calci_model_fit_weighted(const calci_options *options,
                                                const calci_dataset *dataset,
                                                const size_t *rows, size_t n_rows,
                                                const double *weights, calci_model **out,
                                                calci_error *error);
CALCI_API void calci_model_free(calci_model *model);

/*
 * Scores the listed cases (all when rows is NULL): scores receives the
 * probability of the positive class; decision (may be NULL) the linear
 * decision value. Features are matched by name.
 * Errors: CALCI_ERR_NOT_FOUND naming a missing feature, CALCI_ERR_DATA.
 */
CALCI_API calci_status calci_model_predict(const calci_model *model,
                                           const calci_dataset *dataset, const size_t *rows,
                                           size_t n_rows, double *scores, double *decision,
                                           calci_error *error);

/* Saves the model as versioned text (format in docs/model-format.md),
 * through a temporary file renamed into place. */
CALCI_API calci_status calci_model_save(const calci_model *model, const char *path,
                                        calci_error *error);
/* Errors: CALCI_ERR_IO, CALCI_ERR_FORMAT naming the line, CALCI_ERR_VERSION. */
CALCI_API calci_status calci_model_load(const char *path, calci_model **out,
                                        calci_error *error);

/* "lr", "lr_l1", "lr_none" or "svm". */
CALCI_API const char *calci_model_classifier(const calci_model *model);
/* Number of selected features, their names, coefficients (on z-scored
 * values) and the intercept. */
CALCI_API size_t calci_model_feature_count(const calci_model *model);
CALCI_API const char *calci_model_feature_name(const calci_model *model, size_t i);
CALCI_API double calci_model_coefficient(const calci_model *model, size_t i);
CALCI_API double calci_model_intercept(const calci_model *model);
/* Pooled out-of-fold AUC of the chosen k (NaN for a loaded model without it). */
CALCI_API double calci_model_cv_auc(const calci_model *model);
/* CV AUC of k = 1 .. calci_model_cv_k_max(); NaN for k not evaluated. */
CALCI_API size_t calci_model_cv_k_max(const calci_model *model);
CALCI_API double calci_model_cv_auc_at(const calci_model *model, size_t k);
/* Sample SD over repetitions of the chosen k's pooled out-of-fold AUC with
 * cv = "repeated" (calci_model_cv_auc is then the mean); NaN otherwise and
 * for a loaded model. Since 0.1. */
CALCI_API double calci_model_cv_auc_sd(const calci_model *model);
/* Pooled outer-fold AUC of the whole fitting procedure, k chosen inside each
 * outer training part, with cv = "nested"; NaN otherwise and for a loaded
 * model. Since 0.1. */
CALCI_API double calci_model_cv_auc_nested(const calci_model *model);
/* Number of training cases with an out-of-fold score (the rows given to
 * calci_model_fit, in that order); 0 for a loaded model. Since 0.1. */
CALCI_API size_t calci_model_oof_count(const calci_model *model);
/*
 * Copies the pooled out-of-fold scores of the chosen k (the first repetition
 * with cv = "repeated"), on which the operating points were fixed, into
 * scores (n = calci_model_oof_count values, in training-row order).
 * Errors: CALCI_ERR_ARGUMENT (NULL or n differs), CALCI_ERR_DATA for a
 * loaded model. Since 0.1.
 */
CALCI_API calci_status calci_model_oof_scores(const calci_model *model, double *scores, size_t n,
                                              calci_error *error);
/* Operating-point thresholds on the score scale (a case is called positive
 * when score >= threshold). */
CALCI_API double calci_model_threshold_high_sensitivity(const calci_model *model);
CALCI_API double calci_model_threshold_high_specificity(const calci_model *model);
/* Free-text metadata carried in the model file (for example the extraction
 * parameters). The key is [A-Za-z0-9_.-]+, the value one line of text. */
CALCI_API calci_status calci_model_set_info(calci_model *model, const char *key,
                                            const char *value, calci_error *error);
/* Value of a metadata key, or NULL. */
CALCI_API const char *calci_model_info(const calci_model *model, const char *key);

/* ------------------------------------------------------------------ */
/* ROC analysis                                                         */

typedef struct calci_roc calci_roc;

typedef enum calci_direction {
    CALCI_DIRECTION_AUTO = 0,  /* pROC's rule: from the medians of both classes */
    CALCI_DIRECTION_HIGHER = 1, /* cases (positives) score higher: pROC's "<" */
    CALCI_DIRECTION_LOWER = 2   /* cases score lower: pROC's ">" */
} calci_direction;

/*
 * Builds the ROC curve of scores against labels. Entries with label -1 or a
 * NaN score are skipped, and the curve keeps no pointer to either array.
 * Errors: CALCI_ERR_DATA when either class is empty or more than 2^32 - 1
 * entries remain. CALCI_ERR_ARGUMENT for a NULL pointer, a label other than
 * -1, 0, 1 or an unknown direction.
 */
CALCI_API calci_status calci_roc_create(const double *scores, const int *labels, size_t n,
                                        calci_direction direction, calci_roc **out,
                                        calci_error *error);
CALCI_API void calci_roc_free(calci_roc *roc);
CALCI_API size_t calci_roc_positives(const calci_roc *roc);
CALCI_API size_t calci_roc_negatives(const calci_roc *roc);
/* The direction used (never CALCI_DIRECTION_AUTO). */
CALCI_API calci_direction calci_roc_direction(const calci_roc *roc);
/* Area under the curve; tied positive/negative pairs count one half. */
CALCI_API double calci_roc_auc(const calci_roc *roc);
/* DeLong's variance of the AUC (NaN when either class has one case). */
CALCI_API double calci_roc_delong_variance(const calci_roc *roc);
/* DeLong confidence interval at level (0.95), clipped to [0, 1]; NaN when
 * level is outside (0, 1) or the variance is NaN. */
CALCI_API void calci_roc_ci_delong(const calci_roc *roc, double level, double *lower,
                                   double *upper);
/* Curve points in pROC's order, from sensitivity 1 to sensitivity 0.
 * Thresholds are -Inf, +Inf and the midpoints between successive distinct
 * scores. With CALCI_DIRECTION_HIGHER a case is called positive when
 * score >= threshold and thresholds run from -Inf up to +Inf; with
 * CALCI_DIRECTION_LOWER a case is positive when score <= threshold and
 * thresholds run from +Inf down to -Inf. */
CALCI_API size_t calci_roc_points(const calci_roc *roc);
CALCI_API void calci_roc_point(const calci_roc *roc, size_t i, double *threshold,
                               double *sensitivity, double *specificity);

/*
 * Threshold with the best specificity among those with sensitivity >= target
 * (high-sensitivity point), or the best sensitivity among those with
 * specificity >= target (high-specificity point). Ties between thresholds
 * are broken towards the other rate, then the lower threshold. The result
 * may be -Inf or +Inf (every or no case called positive); it is NaN when
 * target is NaN or above 1. The threshold applies as in calci_roc_point:
 * for a CALCI_DIRECTION_LOWER curve a case is positive when score <= t, so
 * pass the negated scores and -t to calci_confusion.
 */
CALCI_API double calci_roc_threshold_for_sensitivity(const calci_roc *roc, double target);
CALCI_API double calci_roc_threshold_for_specificity(const calci_roc *roc, double target);

/*
 * DeLong's test for two paired ROC curves built on the same cases in the
 * same order: z statistic, two-sided p-value and the AUC difference (a - b)
 * with its confidence interval at level (not clipped). Each curve keeps its
 * own direction. z is 0 when the AUC difference and its standard error are
 * both 0, as in pROC. Any output pointer may be NULL. Errors:
 * CALCI_ERR_ARGUMENT when the curves differ in cases or level is outside
 * (0, 1).
 */
CALCI_API calci_status calci_roc_test_delong(const calci_roc *a, const calci_roc *b, double level,
                                             double *z, double *p, double *diff_lower,
                                             double *diff_upper, calci_error *error);

/*
 * Partial AUC over a range of specificity (CALCI_FOCUS_SPECIFICITY) or
 * sensitivity (CALCI_FOCUS_SENSITIVITY), as pROC 1.18's auc(partial.auc =
 * c(from, to), partial.auc.focus): the trapezoidal area of the curve points
 * whose focus rate lies in [min(from, to), max(from, to)], with the curve
 * interpolated linearly at each bound that is not a point. With correct set,
 * McClish's correction (pROC's partial.auc.correct) maps the area A to
 * (1 + (A - min) / (max - min)) / 2, where max = hi - lo is the area of a
 * perfect curve and min = (2 - hi - lo) (hi - lo) / 2 that of the diagonal;
 * a corrected area is NaN when A < min (pROC returns NA). Errors:
 * CALCI_ERR_ARGUMENT for a NULL roc or auc, an unknown focus, or bounds
 * outside [0, 1] or equal. Since 0.1.
 */
typedef enum calci_focus {
    CALCI_FOCUS_SPECIFICITY = 0,
    CALCI_FOCUS_SENSITIVITY = 1
} calci_focus;

CALCI_API calci_status calci_roc_partial_auc(const calci_roc *roc, calci_focus focus,
                                             double from, double to, int correct, double *auc,
                                             calci_error *error);

/*
 * Youden's best thresholds (pROC coords(x = "best", best.method = "youden")
 * with the default weights): the curve points whose sensitivity +
 * specificity, summed in double precision, equals the maximum. Writes up to
 * capacity point indices (for calci_roc_point) in curve order to indices,
 * which may be NULL when capacity is 0, and returns how many points tie at
 * the maximum (0 for a NULL roc). Since 0.1.
 */
CALCI_API size_t calci_roc_youden_points(const calci_roc *roc, size_t *indices,
                                         size_t capacity);

/*
 * Stratified bootstrap confidence interval of the AUC, as pROC 1.18's
 * ci.auc(method = "bootstrap", boot.stratified = TRUE): each of replicates
 * resamples (pROC's default is 2000) draws the controls, then the cases,
 * with replacement within their class from the valid entries in input order
 * (label 0 or 1 and a non-NaN score), keeps the direction of the full curve
 * (AUTO is resolved once on all entries) and computes the AUC; lower and
 * upper are R's type-7 quantiles of the replicate AUCs at (1 -/+ level) / 2.
 * The draws come from the library's xoshiro256** generator seeded with seed,
 * so the interval is reproducible on every platform but differs from R's.
 * lower and upper are untouched on failure. Errors: as calci_roc_create,
 * and CALCI_ERR_ARGUMENT when level is outside (0, 1), replicates is 0, or
 * lower or upper is NULL. Since 0.1.
 */
CALCI_API calci_status calci_roc_ci_bootstrap(const double *scores, const int *labels, size_t n,
                                              calci_direction direction, double level,
                                              size_t replicates, uint64_t seed, double *lower,
                                              double *upper, calci_error *error);

/*
 * Stratified bootstrap band of the sensitivity at fixed specificities, as
 * pROC 1.18's ci.se(specificities, boot.stratified = TRUE) (pROC's default
 * is 2000 replicates): each replicate draws controls then cases as
 * calci_roc_ci_bootstrap does (same generator, seed and order), keeps the
 * direction of the full curve, and reads the sensitivity of the resampled
 * curve at each specificities[s] as pROC's coords(input = "specificity"):
 * the highest sensitivity among points with exactly that specificity,
 * else linear interpolation between the neighbouring points. lower[s],
 * median[s] and upper[s] receive R's type-7 quantiles at (1 - level) / 2,
 * 0.5 and (1 + level) / 2; median may be NULL. The draws differ from R's,
 * so the band agrees with pROC's only within bootstrap error. Outputs are
 * untouched on failure. Errors: as calci_roc_create, CALCI_ERR_ARGUMENT for
 * a NULL array, no specificity, a specificity outside [0, 1], level
 * outside (0, 1) or 0 replicates, CALCI_ERR_NO_MEMORY. Since 0.1.
 */
CALCI_API calci_status calci_roc_ci_se_bootstrap(const double *scores, const int *labels,
                                                 size_t n, calci_direction direction,
                                                 const double *specificities,
                                                 size_t n_specificities, double level,
                                                 size_t replicates, uint64_t seed,
                                                 double *lower, double *median, double *upper,
                                                 calci_error *error);

/*
 * DeLong's test for two unpaired ROC curves (pROC 1.18 roc.test(method =
 * "delong", paired = FALSE)): t = (AUC_a - AUC_b) / sqrt(V_a + V_b) with
 * V the DeLong variances, Welch-type degrees of freedom
 * df = (V_a + V_b)^2 / (V_a^2 / (N_a - 1) + V_b^2 / (N_b - 1)) where N is
 * the number of entries of a curve, and the two-sided p-value of Student's
 * t with df degrees of freedom. pROC gives no confidence interval for this
 * test. Any output pointer may be NULL; outputs are NaN when a variance is
 * NaN (a class with one entry). Errors: CALCI_ERR_ARGUMENT for a NULL
 * curve. Since 0.1.
 */
CALCI_API calci_status calci_roc_test_delong_unpaired(const calci_roc *a, const calci_roc *b,
                                                      double *t, double *df, double *p,
                                                      calci_error *error);

/*
 * Bootstrap test for two ROC curves (pROC 1.18 roc.test(method =
 * "bootstrap", boot.stratified = TRUE)): D = (AUC_a - AUC_b) / sd, where sd
 * is the sample standard deviation of AUC_a - AUC_b over replicates
 * stratified resamples, and p = 2 Q(|D|) with Q the standard normal upper
 * tail. D is 0 when every difference and the AUC difference are 0, as in
 * pROC. Each curve keeps the direction of its full data (AUTO resolved on
 * all entries). Resamples draw as calci_roc_ci_bootstrap: controls then
 * cases of curve a; for a paired test the same draws index the entries of
 * curve b, otherwise curve b draws its own controls then cases. pROC gives
 * no confidence interval for this test.
 *
 * calci_roc_test_bootstrap_paired takes two scores of the same entries and
 * skips, for both curves, every entry where either score is NaN;
 * calci_roc_test_bootstrap_unpaired takes two separate samples. Any output
 * pointer may be NULL and outputs are untouched on failure. Errors: as
 * calci_roc_create for each sample, and CALCI_ERR_ARGUMENT when replicates
 * is below 2. Since 0.1.
 */
CALCI_API calci_status calci_roc_test_bootstrap_paired(const double *scores_a,
                                                       const double *scores_b,
                                                       const int *labels, size_t n,
                                                       calci_direction direction_a,
                                                       calci_direction direction_b,
                                                       size_t replicates, uint64_t seed,
                                                       double *d, double *p,
                                                       calci_error *error);
CALCI_API calci_status calci_roc_test_bootstrap_unpaired(
    const double *scores_a, const int *labels_a, size_t n_a, calci_direction direction_a,
    const double *scores_b, const int *labels_b, size_t n_b, calci_direction direction_b,
    size_t replicates, uint64_t seed, double *d, double *p, calci_error *error);

/* ------------------------------------------------------------------ */
/* Binary decisions                                                     */

/* Counts of the 2x2 table of decisions (score >= threshold is positive)
 * against labels; cases with label -1 or NaN score are skipped. */
CALCI_API void calci_confusion(const double *scores, const int *labels, size_t n,
                               double threshold, size_t *tp, size_t *fp, size_t *tn,
                               size_t *fn);
/* Sensitivity, specificity, PPV and NPV from a 2x2 table (NaN where the
 * denominator is zero), in that order in out[0..3]. */
CALCI_API void calci_diagnostic_rates(size_t tp, size_t fp, size_t tn, size_t fn,
                                      double out[4]);

/* ------------------------------------------------------------------ */
/* Proportion confidence intervals                                      */

typedef enum calci_interval {
    /* Clopper-Pearson exact interval from beta quantiles, as R's
     * binom.test: lower = Beta^-1(alpha/2; x, n - x + 1) (0 when x = 0),
     * upper = Beta^-1(1 - alpha/2; x + 1, n - x) (1 when x = n). */
    CALCI_INTERVAL_CLOPPER_PEARSON = 0,
    /* Wilson score interval without continuity correction, as R's
     * prop.test(x, n, correct = FALSE). */
    CALCI_INTERVAL_WILSON = 1,
    /* Wilson score interval with Yates' continuity correction, as R's
     * prop.test(x, n) (correct = TRUE, its default): the estimate moves by
     * c / n towards each bound with c = min(0.5, |x - n / 2|), so the
     * correction vanishes at x = n / 2 as in R. */
    CALCI_INTERVAL_WILSON_CORRECTED = 2
} calci_interval;

/*
 * Confidence interval at level (0.95) of a binomial proportion with
 * successes out of trials. Errors: CALCI_ERR_ARGUMENT when lower or upper
 * is NULL, trials is 0, successes > trials, level is outside (0, 1) or the
 * method is unknown; lower and upper are untouched on failure. Since 0.1.
 */
CALCI_API calci_status calci_proportion_ci(size_t successes, size_t trials, double level,
                                           calci_interval method, double *lower,
                                           double *upper, calci_error *error);

/*
 * Sensitivity TP/(TP+FN), specificity TN/(TN+FP), PPV TP/(TP+FP), NPV
 * TN/(TN+FN) and accuracy (TP+TN)/total, in that order in estimate[0..4],
 * with their confidence intervals by calci_proportion_ci in lower[0..4] and
 * upper[0..4]. A rate whose denominator is zero gets NaN in all three.
 * Errors: as calci_proportion_ci. Since 0.1.
 */
CALCI_API calci_status calci_diagnostic_rates_ci(size_t tp, size_t fp, size_t tn, size_t fn,
                                                 double level, calci_interval method,
                                                 double estimate[5], double lower[5],
                                                 double upper[5], calci_error *error);

/* ------------------------------------------------------------------ */
/* Tests of a cohort table (patient characteristics)                    */

/* Alternative hypothesis of a test, as R's alternative argument. For the
 * 2x2 Fisher test "greater" means an odds ratio above 1; for the
 * Mann-Whitney and t tests it means the first sample lies above the second. */
typedef enum calci_alternative {
    CALCI_TWO_SIDED = 0,
    CALCI_LESS = 1,
    CALCI_GREATER = 2
} calci_alternative;

/*
 * Pearson's chi-square test of independence on a rows x cols table of
 * counts (row-major, counts[i * cols + j]), as R 4.2's chisq.test(x,
 * correct): with expected counts E_ij = r_i c_j / n,
 *   X^2 = sum_ij (|O_ij - E_ij| - Y)^2 / E_ij,
 * where Y = min(0.5, min_ij |O_ij - E_ij|) (Yates' continuity correction)
 * for a 2x2 table with correct set and Y = 0 otherwise;
 * df = (rows - 1)(cols - 1) and p = P(chi^2_df > X^2). Any output pointer
 * may be NULL; outputs are untouched on failure. Errors: CALCI_ERR_ARGUMENT
 * for a NULL table or fewer than 2 rows or columns, CALCI_ERR_DATA when a
 * row or column sums to 0 (R returns NaN there). Since 0.1.
 */
CALCI_API calci_status calci_chisq_test(const size_t *counts, size_t rows, size_t cols,
                                        int correct, double *statistic, double *df, double *p,
                                        calci_error *error);

/*
 * Fisher's exact test on the 2x2 table [a b; c d], as R 4.2's fisher.test:
 * with x = a and the hypergeometric probabilities d(t) of the tables with
 * the same margins (t over the support of a), the two-sided p is the sum
 * of d(t) over the tables with d(t) <= d(x) (1 + 1e-7); "less" sums
 * t <= x and "greater" t >= x. odds_ratio (may be NULL) receives the
 * conditional maximum-likelihood estimate of the odds ratio: the t with
 * E[a] = x under the noncentral hypergeometric distribution, 0 when x is the
 * smallest value of the support and +Inf when it is the largest (R finds
 * the same root with uniroot's looser default tolerance, about 1e-4).
 * p and odds_ratio are untouched on failure. Errors: CALCI_ERR_ARGUMENT for
 * a NULL p or an unknown alternative, CALCI_ERR_DATA for an empty table.
 * Since 0.1.
 */
CALCI_API calci_status calci_fisher_test_2x2(size_t a, size_t b, size_t c, size_t d,
                                             calci_alternative alternative, double *p,
                                             double *odds_ratio, calci_error *error);

/* Largest number of tables that calci_fisher_test enumerates. */
#define CALCI_FISHER_MAX_TABLES 100000000

/*
 * Two-sided Fisher's exact test on a rows x cols table of counts
 * (row-major): the sum of the probabilities of all tables with the
 * observed margins that are no more likely than the observed one, with the
 * relative tolerance 1 + 3.45254e-7 of R's network algorithm (FEXACT). A
 * 2x2 table gives calci_fisher_test_2x2's two-sided p. This call
 * enumerates the tables, which suits the small tables of a cohort: it
 * stops with CALCI_ERR_DATA once it has visited CALCI_FISHER_MAX_TABLES
 * tables (a few seconds of work), where R's network algorithm may still
 * finish. p is untouched on failure. Errors: CALCI_ERR_ARGUMENT for a NULL
 * table or p or fewer than 2 rows or columns, CALCI_ERR_DATA for an empty
 * table or too many tables, CALCI_ERR_NO_MEMORY. Since 0.1.
 */
CALCI_API calci_status calci_fisher_test(const size_t *counts, size_t rows, size_t cols,
                                         double *p, calci_error *error);

/*
 * Mann-Whitney U test (Wilcoxon rank-sum) of x against y, as R 4.2's
 * wilcox.test(x, y, alternative, correct): NaN values are skipped; W is the
 * rank sum of x (average ranks for ties) minus nx (nx + 1) / 2. The p-value
 * is exact (the null distribution of W) when both samples have fewer than
 * 50 values and no value is tied; otherwise it uses the normal
 * approximation with variance
 *   nx ny / 12 ((nx + ny + 1) - sum_t (t^3 - t) / ((nx + ny)(nx + ny - 1)))
 * over the tie groups t, and, when correct is set, a continuity correction
 * of 0.5 towards the null. exact (may be NULL) receives 1 when the exact
 * p was used. Any output pointer may be NULL; outputs are untouched on
 * failure. Errors: CALCI_ERR_ARGUMENT for a NULL sample with a nonzero
 * size or an unknown alternative, CALCI_ERR_DATA when a sample has no
 * value or, for the normal approximation, when all values are tied (R
 * returns NaN there), CALCI_ERR_NO_MEMORY. Since 0.1.
 */
CALCI_API calci_status calci_mann_whitney_test(const double *x, size_t nx, const double *y,
                                               size_t ny, calci_alternative alternative,
                                               int correct, double *w, double *p, int *exact,
                                               calci_error *error);

/*
 * Welch's two-sample t test, as R 4.2's t.test(x, y, alternative): NaN
 * values are skipped; with sample means m, variances s^2 (denominator
 * n - 1) and v = s^2 / n for each sample,
 *   t = (m_x - m_y) / sqrt(v_x + v_y),
 *   df = (v_x + v_y)^2 / (v_x^2 / (n_x - 1) + v_y^2 / (n_y - 1)),
 * and p from Student's t with df degrees of freedom. Any output pointer may
 * be NULL; outputs are untouched on failure. Errors: CALCI_ERR_ARGUMENT for
 * a NULL sample with a nonzero size or an unknown alternative,
 * CALCI_ERR_DATA when a sample has fewer than 2 values or the standard
 * error is below 10 DBL_EPSILON max(|m_x|, |m_y|) (R: "data are
 * essentially constant"), or a value is infinite. Since 0.1.
 */
CALCI_API calci_status calci_welch_t_test(const double *x, size_t nx, const double *y,
                                          size_t ny, calci_alternative alternative, double *t,
                                          double *df, double *p, calci_error *error);

/* ------------------------------------------------------------------ */
/* Calibration                                                          */

/*
 * The calibration functions take predicted probabilities scores[0..n) and
 * labels[0..n) (1, 0 or -1), and skip entries with label -1 or a NaN score.
 * Errors: CALCI_ERR_ARGUMENT for NULL arrays, a score outside [0, 1] or a
 * label other than -1, 0, 1; CALCI_ERR_DATA when no entry (or, where
 * stated, not both classes) remains.
 */

/* Brier score: mean of (score - label)^2 over the valid entries. Since 0.1. */
CALCI_API calci_status calci_brier_score(const double *scores, const int *labels, size_t n,
                                         double *brier, calci_error *error);

/*
 * Logistic recalibration on the logit of the predicted probability,
 * lp = log(p / (1 - p)): slope is b of the maximum-likelihood fit
 * logit P(y = 1) = a + b lp (R: glm(y ~ lp, binomial)); intercept is the
 * calibration-in-the-large a of logit P(y = 1) = a + lp with the slope fixed
 * at 1 (R: glm(y ~ offset(lp), binomial)). A perfectly calibrated model has
 * intercept 0 and slope 1. Either output may be NULL. Errors, besides the
 * above: CALCI_ERR_DATA with a score of exactly 0 or 1 (infinite logit),
 * one class only, or equal scores for all entries (no slope);
 * CALCI_ERR_NUMERIC when the fit diverges (the logits separate the classes).
 * Since 0.1.
 */
CALCI_API calci_status calci_calibration(const double *scores, const int *labels, size_t n,
                                         double *intercept, double *slope, calci_error *error);

/*
 * Reliability table in n_bins groups of equal size by predicted probability
 * (n_bins = 10: deciles of risk): the valid entries are sorted by score
 * (ties by input position) and group g takes ranks [floor(g m / n_bins),
 * floor((g + 1) m / n_bins)) of the m entries, so tied scores may fall into
 * two groups. counts[g] receives the group size, mean_score[g] its mean
 * predicted probability and observed[g] its fraction of positives (NaN for
 * an empty group). Errors, besides the above: CALCI_ERR_ARGUMENT when
 * n_bins is 0 or an output is NULL. Since 0.1.
 */
CALCI_API calci_status calci_reliability_table(const double *scores, const int *labels, size_t n,
                                               size_t n_bins, size_t *counts,
                                               double *mean_score, double *observed,
                                               calci_error *error);

/*
 * Decision-curve net benefit (Vickers and Elkin 2006) at each threshold
 * probability t = thresholds[j] in (0, 1): a case is treated when its score
 * is >= t, and net_benefit[j] = TP / m - FP / m * t / (1 - t) over the m
 * valid entries. treat_all (may be NULL) receives the benefit of treating
 * everyone, prevalence - (1 - prevalence) t / (1 - t). Errors, besides the
 * above: CALCI_ERR_ARGUMENT for a threshold outside (0, 1). Since 0.1.
 */
CALCI_API calci_status calci_net_benefit(const double *scores, const int *labels, size_t n,
                                         const double *thresholds, size_t n_thresholds,
                                         double *net_benefit, double *treat_all,
                                         calci_error *error);

#ifdef __cplusplus
}
#endif

#endif /* CALCI_H */
