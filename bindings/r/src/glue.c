/*
 * glue.c - external pointers, error conversion and argument checks shared
 * by the .Call entry points.
 */
#include <stdio.h>
#include <string.h>

#include "glue.h"

/* Tag symbol name of each glue_kind, in enum order. */
static const char *const kind_names[] = {
    "calci_error", "rad_error", "calci_roc", "calci_model", "calci_dataset",
    "calci_options", "rad_volume", "rad_params", "rad_features",
};

#define KIND_COUNT (sizeof kind_names / sizeof kind_names[0])

static void free_handle(glue_kind kind, void *handle)
{
    switch (kind) {
    case GLUE_CALCI_ERROR: calci_error_free(handle); break;
    case GLUE_RAD_ERROR: rad_error_free(handle); break;
    case GLUE_ROC: calci_roc_free(handle); break;
    case GLUE_MODEL: calci_model_free(handle); break;
    case GLUE_DATASET: calci_dataset_free(handle); break;
    case GLUE_OPTIONS: calci_options_free(handle); break;
    case GLUE_VOLUME: rad_volume_free(handle); break;
    case GLUE_PARAMS: rad_params_free(handle); break;
    case GLUE_FEATURES: rad_features_free(handle); break;
    }
}

/* Kind of an external pointer from its tag; -1 when the tag is foreign. */
static int pointer_kind(SEXP x)
{
    SEXP tag = R_ExternalPtrTag(x);
    if (TYPEOF(tag) != SYMSXP)
        return -1;
    const char *name = CHAR(PRINTNAME(tag));
    for (size_t k = 0; k < KIND_COUNT; k++)
        if (strcmp(name, kind_names[k]) == 0)
            return (int)k;
    return -1;
}

static void finalize(SEXP x)
{
    void *handle = R_ExternalPtrAddr(x);
    int kind = pointer_kind(x);
    if (handle == NULL || kind < 0)
        return;
    free_handle((glue_kind)kind, handle);
    R_ClearExternalPtr(x);
}

SEXP glue_wrap(void *handle, glue_kind kind)
{
    SEXP ptr = PROTECT(R_MakeExternalPtr(handle, Rf_install(kind_names[kind]), R_NilValue));
    R_RegisterCFinalizerEx(ptr, finalize, TRUE);
    UNPROTECT(1);
    return ptr;
}

void *glue_handle(SEXP x, glue_kind kind)
{
    if (TYPEOF(x) != EXTPTRSXP || pointer_kind(x) != (int)kind)
        Rf_error("expected an external pointer to a %s", kind_names[kind]);
    void *handle = R_ExternalPtrAddr(x);
    if (handle == NULL)
        Rf_error("the %s pointer is NULL: objects restored by readRDS or load hold no "
                 "library handle, so create them again", kind_names[kind]);
    return handle;
}

void glue_release(SEXP x)
{
    if (TYPEOF(x) == EXTPTRSXP)
        finalize(x);
}

SEXP glue_calci_error_new(calci_error **out)
{
    calci_error *error = calci_error_create();
    if (error == NULL)
        Rf_error("calci_error_create failed: out of memory");
    *out = error;
    return glue_wrap(error, GLUE_CALCI_ERROR);
}

SEXP glue_rad_error_new(rad_error **out)
{
    rad_error *error = rad_error_create();
    if (error == NULL)
        Rf_error("rad_error_create failed: out of memory");
    *out = error;
    return glue_wrap(error, GLUE_RAD_ERROR);
}

void glue_fail_calci(SEXP error_ptr, calci_status status, const char *context)
{
    char message[2048];
    const calci_error *error = R_ExternalPtrAddr(error_ptr);
    const char *detail = error != NULL ? calci_error_message(error) : "";
    if (detail == NULL || detail[0] == '\0')
        detail = calci_status_message(status);
    snprintf(message, sizeof message, "%s", detail);
    glue_release(error_ptr);
    Rf_error("%s: %s [%s]", context, message, calci_status_name(status));
}

void glue_fail_rad(SEXP error_ptr, rad_status status, const char *context)
{
    char message[2048];
    const rad_error *error = R_ExternalPtrAddr(error_ptr);
    const char *detail = error != NULL ? rad_error_message(error) : "";
    if (detail == NULL || detail[0] == '\0')
        detail = rad_status_message(status);
    snprintf(message, sizeof message, "%s", detail);
    glue_release(error_ptr);
    Rf_error("%s: %s [%s]", context, message, rad_status_name(status));
}

const char *glue_string(SEXP x, const char *name)
{
    if (TYPEOF(x) != STRSXP || XLENGTH(x) != 1 || STRING_ELT(x, 0) == NA_STRING)
        Rf_error("'%s' must be a single non-missing string", name);
    return Rf_translateChar(STRING_ELT(x, 0));
}

double glue_double(SEXP x, const char *name)
{
    if (TYPEOF(x) != REALSXP || XLENGTH(x) != 1)
        Rf_error("'%s' must be a single number", name);
    return REAL(x)[0];
}

SEXP C_versions(void)
{
    SEXP out = PROTECT(Rf_allocVector(STRSXP, 2));
    SEXP names = PROTECT(Rf_allocVector(STRSXP, 2));
    SET_STRING_ELT(out, 0, Rf_mkChar(calci_version_string()));
    SET_STRING_ELT(out, 1, Rf_mkChar(rad_version_string()));
    SET_STRING_ELT(names, 0, Rf_mkChar("calci"));
    SET_STRING_ELT(names, 1, Rf_mkChar("radiomics"));
    Rf_setAttrib(out, R_NamesSymbol, names);
    UNPROTECT(2);
    return out;
}

SEXP C_pointer_valid(SEXP x)
{
    return Rf_ScalarLogical(TYPEOF(x) == EXTPTRSXP && pointer_kind(x) >= 0 &&
                            R_ExternalPtrAddr(x) != NULL);
}

/* The cast through void (*)(void), the generic function pointer type, keeps
 * -Wcast-function-type quiet about R's DL_FUNC. */
#define ENTRY(name, n) {#name, (DL_FUNC)(void (*)(void))&name, n}

static const R_CallMethodDef call_methods[] = {
    ENTRY(C_versions, 0),
    ENTRY(C_pointer_valid, 1),
    ENTRY(C_roc_create, 3),
    ENTRY(C_roc_summary, 1),
    ENTRY(C_roc_ci, 2),
    ENTRY(C_roc_test, 3),
    ENTRY(C_roc_operating_thresholds, 3),
    ENTRY(C_volume_read, 1),
    ENTRY(C_volume_create, 4),
    ENTRY(C_volume_geometry, 1),
    ENTRY(C_volume_data, 1),
    ENTRY(C_volume_write, 2),
    ENTRY(C_box_mask, 4),
    ENTRY(C_extract, 3),
    ENTRY(C_model_fit, 6),
    ENTRY(C_model_summary, 1),
    ENTRY(C_model_predict, 3),
    ENTRY(C_model_save, 2),
    ENTRY(C_model_load, 1),
    {NULL, NULL, 0},
};

void R_init_calci(DllInfo *dll)
{
    R_registerRoutines(dll, NULL, call_methods, NULL, NULL);
    R_useDynamicSymbols(dll, FALSE);
    R_forceSymbols(dll, TRUE);
}
