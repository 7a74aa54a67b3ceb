/*
 * glue.h - helpers shared by the .Call entry points of the calci R package.
 *
 * Every library handle lives in an external pointer whose tag names its type
 * and whose finalizer frees it, so a handle is released even when an R error
 * unwinds the C stack. Entry points free their transient handles and the
 * error object themselves before they call Rf_error.
 */
#ifndef CALCI_R_GLUE_H
#define CALCI_R_GLUE_H

#define R_NO_REMAP
#include <R.h>
#include <Rinternals.h>

#include <calci.h>
#include <radiomics.h>

/* Handle types carried in the external pointer tag. */
typedef enum glue_kind {
    GLUE_CALCI_ERROR,
    GLUE_RAD_ERROR,
    GLUE_ROC,
    GLUE_MODEL,
    GLUE_DATASET,
    GLUE_OPTIONS,
    GLUE_VOLUME,
    GLUE_PARAMS,
    GLUE_FEATURES
} glue_kind;

/* Wraps handle (may be NULL) in a new external pointer with a finalizer.
 * The result is unprotected. */
SEXP glue_wrap(void *handle, glue_kind kind);
/* Returns the handle of x, raising an R error when x is not an external
 * pointer of this kind or was cleared (for example after saveRDS/readRDS). */
void *glue_handle(SEXP x, glue_kind kind);
/* Frees the handle of x now and clears the pointer; NULL-safe. */
void glue_release(SEXP x);

/* New error objects wrapped in external pointers (errors: out of memory). */
SEXP glue_calci_error_new(calci_error **out);
SEXP glue_rad_error_new(rad_error **out);

/* Copies the message and status name of the error in error_ptr, releases it
 * and raises an R error "context: message [STATUS_NAME]". Never returns. */
void glue_fail_calci(SEXP error_ptr, calci_status status, const char *context);
void glue_fail_rad(SEXP error_ptr, rad_status status, const char *context);

/* Argument readers that raise an R error naming the argument. */
const char *glue_string(SEXP x, const char *name);
double glue_double(SEXP x, const char *name);

/* .Call entry points. */
SEXP C_versions(void);
SEXP C_pointer_valid(SEXP x);

SEXP C_roc_create(SEXP scores, SEXP labels, SEXP direction);
SEXP C_roc_summary(SEXP roc);
SEXP C_roc_ci(SEXP roc, SEXP level);
SEXP C_roc_test(SEXP roc1, SEXP roc2, SEXP level);
SEXP C_roc_operating_thresholds(SEXP roc, SEXP sensitivity, SEXP specificity);

SEXP C_volume_read(SEXP path);
SEXP C_volume_create(SEXP data, SEXP spacing, SEXP origin, SEXP direction);
SEXP C_volume_geometry(SEXP volume);
SEXP C_volume_data(SEXP volume);
SEXP C_volume_write(SEXP volume, SEXP path);
SEXP C_box_mask(SEXP spec, SEXP image, SEXP center, SEXP size_mm);
SEXP C_extract(SEXP spec, SEXP image, SEXP mask);

SEXP C_model_fit(SEXP x, SEXP feature_names, SEXP labels, SEXP groups, SEXP option_keys,
                 SEXP option_values);
SEXP C_model_summary(SEXP model);
SEXP C_model_predict(SEXP model, SEXP x, SEXP feature_names);
SEXP C_model_save(SEXP model, SEXP path);
SEXP C_model_load(SEXP path);

#endif
