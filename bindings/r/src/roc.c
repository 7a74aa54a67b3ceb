/*
 * roc.c - ROC curves, DeLong intervals and DeLong's paired test.
 */
#include "glue.h"

/* direction: 0 auto, 1 higher (pROC "<"), 2 lower (pROC ">"); labels are
 * 1 (case), 0 (control) or -1 (skipped). */
SEXP C_roc_create(SEXP scores, SEXP labels, SEXP direction)
{
    if (TYPEOF(scores) != REALSXP || TYPEOF(labels) != INTSXP ||
        XLENGTH(scores) != XLENGTH(labels))
        Rf_error("'scores' (double) and 'labels' (integer) must have the same length");
    if (TYPEOF(direction) != INTSXP || XLENGTH(direction) != 1)
        Rf_error("'direction' must be a single integer");

    calci_error *error;
    SEXP error_ptr = PROTECT(glue_calci_error_new(&error));
    calci_roc *roc = NULL;
    calci_status status = calci_roc_create(REAL(scores), INTEGER(labels),
                                           (size_t)XLENGTH(scores),
                                           (calci_direction)INTEGER(direction)[0], &roc, error);
    if (status != CALCI_OK)
        glue_fail_calci(error_ptr, status, "calci_roc_create failed");
    glue_release(error_ptr);

    SEXP out = glue_wrap(roc, GLUE_ROC);
    UNPROTECT(1);
    return out;
}

/* list(auc, variance, direction, cases, controls, thresholds, sensitivities,
 * specificities). */
SEXP C_roc_summary(SEXP roc_ptr)
{
    const calci_roc *roc = glue_handle(roc_ptr, GLUE_ROC);
    size_t n_points = calci_roc_points(roc);
    static const char *names[] = {"auc", "variance", "direction", "cases", "controls",
                                  "thresholds", "sensitivities", "specificities", ""};
    SEXP out = PROTECT(Rf_mkNamed(VECSXP, names));
    SET_VECTOR_ELT(out, 0, Rf_ScalarReal(calci_roc_auc(roc)));
    SET_VECTOR_ELT(out, 1, Rf_ScalarReal(calci_roc_delong_variance(roc)));
    SET_VECTOR_ELT(out, 2, Rf_ScalarInteger((int)calci_roc_direction(roc)));
    SET_VECTOR_ELT(out, 3, Rf_ScalarReal((double)calci_roc_positives(roc)));
    SET_VECTOR_ELT(out, 4, Rf_ScalarReal((double)calci_roc_negatives(roc)));

    SEXP thresholds = Rf_allocVector(REALSXP, (R_xlen_t)n_points);
    SET_VECTOR_ELT(out, 5, thresholds);
    SEXP sensitivities = Rf_allocVector(REALSXP, (R_xlen_t)n_points);
    SET_VECTOR_ELT(out, 6, sensitivities);
    SEXP specificities = Rf_allocVector(REALSXP, (R_xlen_t)n_points);
    SET_VECTOR_ELT(out, 7, specificities);
    for (size_t i = 0; i < n_points; i++)
        calci_roc_point(roc, i, &REAL(thresholds)[i], &REAL(sensitivities)[i],
                        &REAL(specificities)[i]);
    UNPROTECT(1);
    return out;
}

SEXP C_roc_ci(SEXP roc_ptr, SEXP level)
{
    const calci_roc *roc = glue_handle(roc_ptr, GLUE_ROC);
    double confidence = glue_double(level, "conf.level");
    SEXP out = PROTECT(Rf_allocVector(REALSXP, 2));
    calci_roc_ci_delong(roc, confidence, &REAL(out)[0], &REAL(out)[1]);
    UNPROTECT(1);
    return out;
}

/* c(z, p, diff_lower, diff_upper) of DeLong's test of a against b. */
SEXP C_roc_test(SEXP roc1, SEXP roc2, SEXP level)
{
    const calci_roc *a = glue_handle(roc1, GLUE_ROC);
    const calci_roc *b = glue_handle(roc2, GLUE_ROC);
    double confidence = glue_double(level, "conf.level");

    SEXP out = PROTECT(Rf_allocVector(REALSXP, 4));
    calci_error *error;
    SEXP error_ptr = PROTECT(glue_calci_error_new(&error));
    double *values = REAL(out);
    calci_status status = calci_roc_test_delong(a, b, confidence, &values[0], &values[1],
                                                &values[2], &values[3], error);
    if (status != CALCI_OK)
        glue_fail_calci(error_ptr, status, "calci_roc_test_delong failed");
    glue_release(error_ptr);
    UNPROTECT(2);
    return out;
}

/* c(threshold for sensitivity >= target, threshold for specificity >= target). */
SEXP C_roc_operating_thresholds(SEXP roc_ptr, SEXP sensitivity, SEXP specificity)
{
    const calci_roc *roc = glue_handle(roc_ptr, GLUE_ROC);
    double sensitivity_target = glue_double(sensitivity, "sensitivity");
    double specificity_target = glue_double(specificity, "specificity");
    SEXP out = PROTECT(Rf_allocVector(REALSXP, 2));
    REAL(out)[0] = calci_roc_threshold_for_sensitivity(roc, sensitivity_target);
    REAL(out)[1] = calci_roc_threshold_for_specificity(roc, specificity_target);
    UNPROTECT(1);
    return out;
}
