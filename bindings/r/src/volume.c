/*
 * volume.c - CT volumes, box masks and feature extraction (libradiomics).
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "glue.h"

static SEXP list_element(SEXP list, const char *name)
{
    SEXP names = Rf_getAttrib(list, R_NamesSymbol);
    for (R_xlen_t i = 0; i < XLENGTH(list); i++)
        if (strcmp(CHAR(STRING_ELT(names, i)), name) == 0)
            return VECTOR_ELT(list, i);
    Rf_error("parameter specification lacks the element '%s'", name);
    return R_NilValue; /* not reached */
}

/* Raises "context(key) failed: ..." after releasing params_ptr. */
static void fail_setting(SEXP params_ptr, SEXP error_ptr, rad_status status,
                         const char *call, const char *key)
{
    char context[256];
    snprintf(context, sizeof context, "%s(\"%s\") failed", call, key);
    glue_release(params_ptr);
    glue_fail_rad(error_ptr, status, context);
}

/*
 * Builds rad_params from the list made by the R function calci_params:
 * preset (string or NULL), setting_keys/setting_values (character),
 * image_types (character) with image_enabled (logical), and feature_classes
 * (character) with feature_names (list of character or NULL) and
 * feature_enabled (logical). Returns the wrapped handle, unprotected.
 */
static SEXP params_from_spec(SEXP spec, SEXP error_ptr, rad_error *error, rad_params **out)
{
    if (TYPEOF(spec) != VECSXP)
        Rf_error("'params' must be built by calci_params()");
    SEXP preset = list_element(spec, "preset");
    SEXP keys = list_element(spec, "setting_keys");
    SEXP values = list_element(spec, "setting_values");
    SEXP image_types = list_element(spec, "image_types");
    SEXP image_enabled = list_element(spec, "image_enabled");
    SEXP classes = list_element(spec, "feature_classes");
    SEXP class_names = list_element(spec, "feature_names");
    SEXP class_enabled = list_element(spec, "feature_enabled");

    const char *preset_name = Rf_isNull(preset) ? NULL : glue_string(preset, "preset");
    rad_params *params = NULL;
    rad_status status = rad_params_create(preset_name, &params, error);
    if (status != RAD_OK)
        glue_fail_rad(error_ptr, status, "rad_params_create failed");
    SEXP params_ptr = PROTECT(glue_wrap(params, GLUE_PARAMS));

    for (R_xlen_t i = 0; i < XLENGTH(keys); i++) {
        const char *key = Rf_translateChar(STRING_ELT(keys, i));
        const char *value = Rf_translateChar(STRING_ELT(values, i));
        status = rad_params_set(params, key, value, error);
        if (status != RAD_OK)
            fail_setting(params_ptr, error_ptr, status, "rad_params_set", key);
    }

    for (R_xlen_t i = 0; i < XLENGTH(image_types); i++) {
        const char *type = Rf_translateChar(STRING_ELT(image_types, i));
        status = rad_params_enable_image_type(params, type, LOGICAL(image_enabled)[i], error);
        if (status != RAD_OK)
            fail_setting(params_ptr, error_ptr, status, "rad_params_enable_image_type", type);
    }

    for (R_xlen_t i = 0; i < XLENGTH(classes); i++) {
        const char *feature_class = Rf_translateChar(STRING_ELT(classes, i));
        SEXP names = VECTOR_ELT(class_names, i);
        const char **list = NULL;
        if (!Rf_isNull(names)) {
            R_xlen_t n = XLENGTH(names);
            list = (const char **)R_alloc((size_t)n + 1, sizeof *list);
            for (R_xlen_t j = 0; j < n; j++)
                list[j] = Rf_translateChar(STRING_ELT(names, j));
            list[n] = NULL;
        }
        status = rad_params_enable_features(params, feature_class, list,
                                            LOGICAL(class_enabled)[i], error);
        if (status != RAD_OK)
            fail_setting(params_ptr, error_ptr, status, "rad_params_enable_features",
                         feature_class);
    }

    *out = params;
    UNPROTECT(1);
    return params_ptr;
}

SEXP C_volume_read(SEXP path)
{
    const char *file = glue_string(path, "path");
    rad_error *error;
    SEXP error_ptr = PROTECT(glue_rad_error_new(&error));
    rad_volume *volume = NULL;
    rad_status status = rad_volume_read(file, &volume, error);
    if (status != RAD_OK)
        glue_fail_rad(error_ptr, status, "rad_volume_read failed");
    SEXP out = glue_wrap(volume, GLUE_VOLUME);
    glue_release(error_ptr);
    UNPROTECT(1);
    return out;
}

/* data: double array with dim c(nx, ny, nz) (x fastest, as the library). */
SEXP C_volume_create(SEXP data, SEXP spacing, SEXP origin, SEXP direction)
{
    SEXP dim = Rf_getAttrib(data, R_DimSymbol);
    if (TYPEOF(data) != REALSXP || TYPEOF(dim) != INTSXP || XLENGTH(dim) != 3)
        Rf_error("'data' must be a 3-D double array");
    if (TYPEOF(spacing) != REALSXP || XLENGTH(spacing) != 3 || TYPEOF(origin) != REALSXP ||
        XLENGTH(origin) != 3 || TYPEOF(direction) != REALSXP || XLENGTH(direction) != 9)
        Rf_error("'spacing' and 'origin' must be 3 numbers and 'direction' 9 numbers");

    size_t size[3];
    for (int d = 0; d < 3; d++)
        size[d] = (size_t)INTEGER(dim)[d];
    rad_error *error;
    SEXP error_ptr = PROTECT(glue_rad_error_new(&error));
    rad_volume *volume = NULL;
    rad_status status = rad_volume_create(size, REAL(spacing), REAL(origin), REAL(direction),
                                          &volume, error);
    if (status != RAD_OK)
        glue_fail_rad(error_ptr, status, "rad_volume_create failed");
    SEXP out = PROTECT(glue_wrap(volume, GLUE_VOLUME));
    glue_release(error_ptr);

    memcpy(rad_volume_data_mutable(volume), REAL(data), (size_t)XLENGTH(data) * sizeof(double));
    UNPROTECT(2);
    return out;
}

/* list(size, spacing, origin, direction) with direction a row-major 3x3
 * matrix returned as an R matrix. */
SEXP C_volume_geometry(SEXP volume_ptr)
{
    const rad_volume *volume = glue_handle(volume_ptr, GLUE_VOLUME);
    size_t size[3];
    double spacing[3], origin[3], direction[9];
    rad_volume_size(volume, size);
    rad_volume_spacing(volume, spacing);
    rad_volume_origin(volume, origin);
    rad_volume_direction(volume, direction);

    static const char *names[] = {"size", "spacing", "origin", "direction", ""};
    SEXP out = PROTECT(Rf_mkNamed(VECSXP, names));
    SEXP size_r = Rf_allocVector(REALSXP, 3);
    SET_VECTOR_ELT(out, 0, size_r);
    SEXP spacing_r = Rf_allocVector(REALSXP, 3);
    SET_VECTOR_ELT(out, 1, spacing_r);
    SEXP origin_r = Rf_allocVector(REALSXP, 3);
    SET_VECTOR_ELT(out, 2, origin_r);
    SEXP direction_r = Rf_allocMatrix(REALSXP, 3, 3);
    SET_VECTOR_ELT(out, 3, direction_r);
    for (int d = 0; d < 3; d++) {
        REAL(size_r)[d] = (double)size[d];
        REAL(spacing_r)[d] = spacing[d];
        REAL(origin_r)[d] = origin[d];
    }
    /* Row-major C matrix to column-major R matrix. */
    for (int row = 0; row < 3; row++)
        for (int col = 0; col < 3; col++)
            REAL(direction_r)[row + 3 * col] = direction[3 * row + col];
    UNPROTECT(1);
    return out;
}

SEXP C_volume_data(SEXP volume_ptr)
{
    const rad_volume *volume = glue_handle(volume_ptr, GLUE_VOLUME);
    size_t size[3];
    rad_volume_size(volume, size);
    for (int d = 0; d < 3; d++)
        if (size[d] > (size_t)INT_MAX)
            Rf_error("volume dimension %d has %zu voxels, more than an R array allows", d + 1,
                     size[d]);
    SEXP out = PROTECT(Rf_alloc3DArray(REALSXP, (int)size[0], (int)size[1], (int)size[2]));
    memcpy(REAL(out), rad_volume_data(volume), (size_t)XLENGTH(out) * sizeof(double));
    UNPROTECT(1);
    return out;
}

SEXP C_volume_write(SEXP volume_ptr, SEXP path)
{
    const rad_volume *volume = glue_handle(volume_ptr, GLUE_VOLUME);
    const char *file = glue_string(path, "path");
    rad_error *error;
    SEXP error_ptr = PROTECT(glue_rad_error_new(&error));
    rad_status status = rad_volume_write(volume, file, error);
    if (status != RAD_OK)
        glue_fail_rad(error_ptr, status, "rad_volume_write failed");
    glue_release(error_ptr);
    UNPROTECT(1);
    return R_NilValue;
}

SEXP C_box_mask(SEXP spec, SEXP image_ptr, SEXP center, SEXP size_mm)
{
    const rad_volume *image = glue_handle(image_ptr, GLUE_VOLUME);
    if (TYPEOF(center) != REALSXP || XLENGTH(center) != 3)
        Rf_error("'center' must be 3 numbers (RAS mm)");
    double edge = glue_double(size_mm, "size_mm");

    rad_error *error;
    SEXP error_ptr = PROTECT(glue_rad_error_new(&error));
    rad_params *params;
    SEXP params_ptr = PROTECT(params_from_spec(spec, error_ptr, error, &params));
    rad_volume *mask = NULL;
    rad_status status = rad_box_mask(params, image, REAL(center), edge, &mask, error);
    glue_release(params_ptr);
    if (status != RAD_OK)
        glue_fail_rad(error_ptr, status, "rad_box_mask failed");
    SEXP out = glue_wrap(mask, GLUE_VOLUME);
    glue_release(error_ptr);
    UNPROTECT(2);
    return out;
}

/* Named double vector of feature values, with the attribute
 * "min_grey_levels". */
SEXP C_extract(SEXP spec, SEXP image_ptr, SEXP mask_ptr)
{
    const rad_volume *image = glue_handle(image_ptr, GLUE_VOLUME);
    const rad_volume *mask = glue_handle(mask_ptr, GLUE_VOLUME);

    rad_error *error;
    SEXP error_ptr = PROTECT(glue_rad_error_new(&error));
    rad_params *params;
    SEXP params_ptr = PROTECT(params_from_spec(spec, error_ptr, error, &params));
    rad_features *features = NULL;
    rad_status status = rad_extract(params, image, mask, &features, error);
    glue_release(params_ptr);
    if (status != RAD_OK)
        glue_fail_rad(error_ptr, status, "rad_extract failed");
    SEXP features_ptr = PROTECT(glue_wrap(features, GLUE_FEATURES));
    glue_release(error_ptr);

    size_t n = rad_features_count(features);
    SEXP out = PROTECT(Rf_allocVector(REALSXP, (R_xlen_t)n));
    SEXP names = PROTECT(Rf_allocVector(STRSXP, (R_xlen_t)n));
    for (size_t i = 0; i < n; i++) {
        REAL(out)[i] = rad_features_value(features, i);
        SET_STRING_ELT(names, (R_xlen_t)i, Rf_mkCharCE(rad_features_name(features, i), CE_UTF8));
    }
    Rf_setAttrib(out, R_NamesSymbol, names);
    Rf_setAttrib(out, Rf_install("min_grey_levels"),
                 Rf_ScalarInteger(rad_features_min_grey_levels(features)));
    glue_release(features_ptr);
    UNPROTECT(5);
    return out;
}
