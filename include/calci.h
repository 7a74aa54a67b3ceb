/*
 * calci.h - public interface of libcalci.
 *
 * libcalci turns a table of radiomics features into a diagnostic model and
 * the statistics a study reports: patient-level train/test split, z-score,
 * Pearson redundancy filter, Relief ranking, logistic regression and linear
 * SVM with the feature count chosen by cross-validation grouped by patient,
 * ROC curves, AUC with DeLong confidence intervals, operating points fixed on
 * out-of-fold training scores, and DeLong's test for paired ROC curves.
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
 * Appends a case. patient_id NULL or "" means the case id; group may be NULL.
 * features holds n_features values and comparators n_comparators values (NaN
 * for a missing comparator; comparators may be NULL when there are none).
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
 *   classifier  lr      "lr" (L2 logistic regression) or "svm" (linear SVM)
 *   C           1       inverse regularisation strength (> 0)
 *   pcc         0.99    Pearson filter threshold in (0,1], or "none"
 *   select      relief  "relief" (classic Relief ranking) or "all"
 *   k           auto    number of features kept, or "auto" (cross-validated)
 *   k_max       20      largest k tried by "auto"
 *   k_rule      max     "max" (best CV AUC) or "1se" (one-standard-error rule)
 *   folds       5       cross-validation folds, stratified and grouped by patient
 *   seed        1       seed for the fold assignment
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

/* "lr" or "svm". */
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

#ifdef __cplusplus
}
#endif

#endif /* CALCI_H */
