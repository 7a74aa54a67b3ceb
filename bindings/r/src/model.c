/*
 * model.c - fitting, scoring, saving and loading calci models.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "glue.h"

static void check_matrix(SEXP x, SEXP feature_names, const char *name)
{
    SEXP dim = Rf_getAttrib(x, R_DimSymbol);
    if (TYPEOF(x) != REALSXP || TYPEOF(dim) != INTSXP || XLENGTH(dim) != 2)
        Rf_error("'%s' must be a double matrix", name);
    if (TYPEOF(feature_names) != STRSXP || XLENGTH(feature_names) != INTEGER(dim)[1])
        Rf_error("'%s' needs one feature name per column", name);
}

/*
 * Builds a dataset from the n x p column-major matrix x: case ids "1".."n",
 * the given labels (NULL: all -1) and patient ids (NULL: the case id), all
 * cases in the training split. Returns the wrapped handle, unprotected.
 */
static SEXP dataset_from_matrix(SEXP x, SEXP feature_names, const int *labels, SEXP groups,
                                SEXP error_ptr, calci_error *error, calci_dataset **out)
{
    SEXP dim = Rf_getAttrib(x, R_DimSymbol);
    size_t n = (size_t)INTEGER(dim)[0], p = (size_t)INTEGER(dim)[1];

    const char **names = (const char **)R_alloc(p > 0 ? p : 1, sizeof *names);
    for (size_t j = 0; j < p; j++)
        names[j] = Rf_translateChar(STRING_ELT(feature_names, (R_xlen_t)j));
    calci_dataset *dataset = NULL;
    calci_status status = calci_dataset_create(p, names, 0, NULL, &dataset, error);
    if (status != CALCI_OK)
        glue_fail_calci(error_ptr, status, "calci_dataset_create failed");
    SEXP dataset_ptr = PROTECT(glue_wrap(dataset, GLUE_DATASET));

    double *row = (double *)R_alloc(p > 0 ? p : 1, sizeof *row);
    const double *values = REAL(x);
    for (size_t i = 0; i < n; i++) {
        char case_id[32];
        snprintf(case_id, sizeof case_id, "%zu", i + 1);
        for (size_t j = 0; j < p; j++)
            row[j] = values[i + j * n];
        const char *patient = Rf_isNull(groups)
                                  ? NULL
                                  : Rf_translateChar(STRING_ELT(groups, (R_xlen_t)i));
        int label = labels != NULL ? labels[i] : -1;
        status = calci_dataset_add(dataset, case_id, patient, label, CALCI_SPLIT_TRAIN, NULL,
                                   row, NULL, error);
        if (status != CALCI_OK) {
            glue_release(dataset_ptr);
            glue_fail_calci(error_ptr, status, "calci_dataset_add failed");
        }
    }
    *out = dataset;
    UNPROTECT(1);
    return dataset_ptr;
}

SEXP C_model_fit(SEXP x, SEXP feature_names, SEXP labels, SEXP groups, SEXP option_keys,
                 SEXP option_values)
{
    check_matrix(x, feature_names, "x");
    R_xlen_t n = XLENGTH(x) == 0 ? 0 : INTEGER(Rf_getAttrib(x, R_DimSymbol))[0];
    if (TYPEOF(labels) != INTSXP || XLENGTH(labels) != n)
        Rf_error("'y' needs one label per row of 'x'");
    if (TYPEOF(groups) != STRSXP || XLENGTH(groups) != n)
        Rf_error("'groups' needs one patient id per row of 'x'");
    if (TYPEOF(option_keys) != STRSXP || TYPEOF(option_values) != STRSXP ||
        XLENGTH(option_keys) != XLENGTH(option_values))
        Rf_error("model options must be pairs of strings");

    calci_error *error;
    SEXP error_ptr = PROTECT(glue_calci_error_new(&error));
    calci_options *options = NULL;
    calci_status status = calci_options_create(&options, error);
    if (status != CALCI_OK)
        glue_fail_calci(error_ptr, status, "calci_options_create failed");
    SEXP options_ptr = PROTECT(glue_wrap(options, GLUE_OPTIONS));
    for (R_xlen_t i = 0; i < XLENGTH(option_keys); i++) {
        const char *key = Rf_translateChar(STRING_ELT(option_keys, i));
        status = calci_options_set(options, key, Rf_translateChar(STRING_ELT(option_values, i)),
                                   error);
        if (status != CALCI_OK) {
            char context[256];
            snprintf(context, sizeof context, "calci_options_set(\"%s\") failed", key);
            glue_release(options_ptr);
            glue_fail_calci(error_ptr, status, context);
        }
    }

    calci_dataset *dataset;
    SEXP dataset_ptr = PROTECT(dataset_from_matrix(x, feature_names, INTEGER(labels), groups,
                                                   error_ptr, error, &dataset));
    calci_model *model = NULL;
    status = calci_model_fit(options, dataset, NULL, 0, &model, error);
    glue_release(dataset_ptr);
    glue_release(options_ptr);
    if (status != CALCI_OK)
        glue_fail_calci(error_ptr, status, "calci_model_fit failed");
    SEXP out = glue_wrap(model, GLUE_MODEL);
    glue_release(error_ptr);
    UNPROTECT(3);
    return out;
}

/* list(classifier, features, coefficients, intercept, cv_auc, cv_auc_by_k,
 * threshold_high_sensitivity, threshold_high_specificity). */
SEXP C_model_summary(SEXP model_ptr)
{
    const calci_model *model = glue_handle(model_ptr, GLUE_MODEL);
    size_t p = calci_model_feature_count(model);
    size_t k_max = calci_model_cv_k_max(model);

    static const char *names[] = {"classifier", "features", "coefficients", "intercept",
                                  "cv_auc", "cv_auc_by_k", "threshold_high_sensitivity",
                                  "threshold_high_specificity", ""};
    SEXP out = PROTECT(Rf_mkNamed(VECSXP, names));
    const char *classifier = calci_model_classifier(model);
    SET_VECTOR_ELT(out, 0, Rf_mkString(classifier != NULL ? classifier : ""));
    SEXP features = Rf_allocVector(STRSXP, (R_xlen_t)p);
    SET_VECTOR_ELT(out, 1, features);
    SEXP coefficients = Rf_allocVector(REALSXP, (R_xlen_t)p);
    SET_VECTOR_ELT(out, 2, coefficients);
    for (size_t i = 0; i < p; i++) {
        const char *name = calci_model_feature_name(model, i);
        SET_STRING_ELT(features, (R_xlen_t)i, Rf_mkCharCE(name != NULL ? name : "", CE_UTF8));
        REAL(coefficients)[i] = calci_model_coefficient(model, i);
    }
    SET_VECTOR_ELT(out, 3, Rf_ScalarReal(calci_model_intercept(model)));
    SET_VECTOR_ELT(out, 4, Rf_ScalarReal(calci_model_cv_auc(model)));
    SEXP by_k = Rf_allocVector(REALSXP, (R_xlen_t)k_max);
    SET_VECTOR_ELT(out, 5, by_k);
    for (size_t k = 1; k <= k_max; k++)
        REAL(by_k)[k - 1] = calci_model_cv_auc_at(model, k);
    SET_VECTOR_ELT(out, 6, Rf_ScalarReal(calci_model_threshold_high_sensitivity(model)));
    SET_VECTOR_ELT(out, 7, Rf_ScalarReal(calci_model_threshold_high_specificity(model)));
    UNPROTECT(1);
    return out;
}

/* list(prob, decision) for the rows of x. */
SEXP C_model_predict(SEXP model_ptr, SEXP x, SEXP feature_names)
{
    const calci_model *model = glue_handle(model_ptr, GLUE_MODEL);
    check_matrix(x, feature_names, "newdata");
    R_xlen_t n = INTEGER(Rf_getAttrib(x, R_DimSymbol))[0];

    static const char *names[] = {"prob", "decision", ""};
    SEXP out = PROTECT(Rf_mkNamed(VECSXP, names));
    SEXP prob = Rf_allocVector(REALSXP, n);
    SET_VECTOR_ELT(out, 0, prob);
    SEXP decision = Rf_allocVector(REALSXP, n);
    SET_VECTOR_ELT(out, 1, decision);
    if (n == 0) {
        UNPROTECT(1);
        return out;
    }

    calci_error *error;
    SEXP error_ptr = PROTECT(glue_calci_error_new(&error));
    calci_dataset *dataset;
    SEXP dataset_ptr = PROTECT(dataset_from_matrix(x, feature_names, NULL, R_NilValue,
                                                   error_ptr, error, &dataset));
    calci_status status = calci_model_predict(model, dataset, NULL, 0, REAL(prob),
                                              REAL(decision), error);
    glue_release(dataset_ptr);
    if (status != CALCI_OK)
        glue_fail_calci(error_ptr, status, "calci_model_predict failed");
    glue_release(error_ptr);
    UNPROTECT(3);
    return out;
}

SEXP C_model_save(SEXP model_ptr, SEXP path)
{
    const calci_model *model = glue_handle(model_ptr, GLUE_MODEL);
    const char *file = glue_string(path, "path");
    calci_error *error;
    SEXP error_ptr = PROTECT(glue_calci_error_new(&error));
    calci_status status = calci_model_save(model, file, error);
    if (status != CALCI_OK)
        glue_fail_calci(error_ptr, status, "calci_model_save failed");
    glue_release(error_ptr);
    UNPROTECT(1);
    return R_NilValue;
}

SEXP C_model_load(SEXP path)
{
    const char *file = glue_string(path, "path");
    calci_error *error;
    SEXP error_ptr = PROTECT(glue_calci_error_new(&error));
    calci_model *model = NULL;
    calci_status status = calci_model_load(file, &model, error);
    if (status != CALCI_OK)
        glue_fail_calci(error_ptr, status, "calci_model_load failed");
    SEXP out = glue_wrap(model, GLUE_MODEL);
    glue_release(error_ptr);
    UNPROTECT(1);
    return out;
}
