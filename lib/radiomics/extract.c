/*
 * extract.c - the extraction pipeline behind rad_extract, in pyradiomics'
 * order: geometry check, normalisation of the whole image, resampling (or
 * cropping) to the ROI, filters, then per image type the crop to the ROI's
 * bounding box, discretisation and the enabled feature classes.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct rad_features {
    size_t count;
    size_t capacity;
    char **names;
    double *values;
    int min_grey_levels;
};

typedef rad_status (*kernel_fn)(const ri_roi *, const ri_settings *, double *, rad_error *);

static const kernel_fn kernels[RI_CLASS_COUNT] = {
    [RI_CLASS_FIRSTORDER] = ri_firstorder,
    [RI_CLASS_GLCM] = ri_glcm,
    [RI_CLASS_GLRLM] = ri_glrlm,
    [RI_CLASS_GLSZM] = ri_glszm,
    [RI_CLASS_GLDM] = ri_gldm,
};

static rad_status features_push(rad_features *f, const char *image_type,
                                const char *class_name, const char *name, double value,
                                rad_error *error)
{
    char buf[160];

    if (f->count == f->capacity) {
        size_t cap = f->capacity ? 2 * f->capacity : 256;
        char **names = realloc(f->names, cap * sizeof *names);
        if (names == NULL)
            return ri_fail(error, RAD_ERR_NO_MEMORY, "out of memory storing features");
        f->names = names;
        double *values = realloc(f->values, cap * sizeof *values);
        if (values == NULL)
            return ri_fail(error, RAD_ERR_NO_MEMORY, "out of memory storing features");
        f->values = values;
        f->capacity = cap;
    }
    snprintf(buf, sizeof buf, "%s_%s_%s", image_type, class_name, name);
    f->names[f->count] = strdup(buf);
    if (f->names[f->count] == NULL)
        return ri_fail(error, RAD_ERR_NO_MEMORY, "out of memory storing features");
    f->values[f->count++] = value;
    return RAD_OK;
}

void rad_features_free(rad_features *features)
{
    if (features == NULL)
        return;
    for (size_t i = 0; i < features->count; i++)
        free(features->names[i]);
    free(features->names);
    free(features->values);
    free(features);
}

size_t rad_features_count(const rad_features *features)
{
    return features ? features->count : 0;
}

const char *rad_features_name(const rad_features *features, size_t i)
{
    return features && i < features->count ? features->names[i] : NULL;
}

double rad_features_value(const rad_features *features, size_t i)
{
    return features && i < features->count ? features->values[i] : NAN;
}

size_t rad_features_find(const rad_features *features, const char *name)
{
    if (features == NULL || name == NULL)
        return (size_t)-1;
    for (size_t i = 0; i < features->count; i++)
        if (strcmp(features->names[i], name) == 0)
            return i;
    return (size_t)-1;
}

int rad_features_min_grey_levels(const rad_features *features)
{
    return features ? features->min_grey_levels : 0;
}

/* ------------------------------------------------------------------ */

static int any_class_enabled(const ri_settings *s)
{
    for (int c = 0; c < RI_CLASS_COUNT; c++) {
        size_t n = ri_feature_table_of((ri_feature_class)c)->count;
        for (size_t i = 0; i < n; i++)
            if (s->enabled[c][i])
                return 1;
    }
    return 0;
}

/* Counts the ROI voxels and the dimensions along which the ROI extends. */
static void roi_extent(const rad_volume *mask, size_t *count, int *dimensions)
{
    size_t lo[3] = {(size_t)-1, (size_t)-1, (size_t)-1}, hi[3] = {0, 0, 0};
    size_t n = 0;

    for (size_t k = 0; k < mask->size[2]; k++)
        for (size_t j = 0; j < mask->size[1]; j++)
            for (size_t i = 0; i < mask->size[0]; i++) {
                if (mask->data[ri_index(mask, i, j, k)] == 0)
                    continue;
                size_t ijk[3] = {i, j, k};
                for (int a = 0; a < 3; a++) {
                    if (ijk[a] < lo[a])
                        lo[a] = ijk[a];
                    if (ijk[a] > hi[a])
                        hi[a] = ijk[a];
                }
                n++;
            }
    *count = n;
    *dimensions = 0;
    for (int a = 0; n > 0 && a < 3; a++)
        *dimensions += hi[a] > lo[a];
}

/*
 * Computes the enabled classes on one image type. image and mask are the
 * pre-processed volumes on one grid; mask is 0/1.
 */
static rad_status extract_image_type(const rad_params *params, const char *image_type,
                                     const rad_volume *image, const rad_volume *mask,
                                     rad_features *features, rad_error *error)
{
    const ri_settings *s = &params->s;
    rad_volume *crop_image = NULL, *crop_mask = NULL;
    uint8_t *inside = NULL;
    int *levels = NULL;
    double *out = NULL;
    rad_status status;
    size_t n;
    int n_present = 0;
    ri_roi roi;

    status = ri_crop_to_mask(image, mask, 1.0, 0, &crop_image, &crop_mask, error);
    if (status != RAD_OK)
        return status;

    n = ri_voxel_count(crop_image);
    inside = malloc(n);
    levels = malloc(n * sizeof *levels);
    out = malloc(64 * sizeof *out);
    if (inside == NULL || levels == NULL || out == NULL) {
        status = ri_fail(error, RAD_ERR_NO_MEMORY, "out of memory extracting %s", image_type);
        goto done;
    }

    memset(&roi, 0, sizeof roi);
    for (size_t v = 0; v < n; v++) {
        inside[v] = crop_mask->data[v] != 0;
        if (inside[v] && !isfinite(crop_image->data[v])) {
            status = ri_fail(error, RAD_ERR_NOT_FINITE,
                             "%s image has a NaN or infinite value inside the ROI", image_type);
            goto done;
        }
        roi.n_voxels += inside[v];
    }
    memcpy(roi.size, crop_image->size, sizeof roi.size);
    memcpy(roi.spacing, crop_image->spacing, sizeof roi.spacing);
    roi.values = crop_image->data;
    roi.mask = inside;
    ri_discretize_bin_width(crop_image->data, inside, n, s->bin_width, levels, &roi.max_level,
                            &n_present);
    roi.levels = levels;

    if (features->min_grey_levels == 0 || n_present < features->min_grey_levels)
        features->min_grey_levels = n_present;
    if (n_present < 8)
        ri_log(params, RAD_LOG_WARNING,
               "%s: discretisation with bin width %g leaves %d grey level%s in the ROI; "
               "texture features are degenerate (check normalizeScale and binWidth)",
               image_type, s->bin_width, n_present, n_present == 1 ? "" : "s");

    for (int c = 0; c < RI_CLASS_COUNT; c++) {
        const ri_feature_table *table = ri_feature_table_of((ri_feature_class)c);
        int wanted = 0;

        for (size_t i = 0; i < table->count; i++)
            wanted |= s->enabled[c][i];
        if (!wanted)
            continue;
        if (table->count > 64) {
            status = ri_fail(error, RAD_ERR_ARGUMENT, "feature table %s too large",
                             table->class_name);
            goto done;
        }
        for (size_t i = 0; i < table->count; i++)
            out[i] = NAN;
        status = kernels[c](&roi, s, out, error);
        if (status != RAD_OK)
            goto done;
        for (size_t i = 0; i < table->count; i++) {
            if (!s->enabled[c][i])
                continue;
            status = features_push(features, image_type, table->class_name,
                                   table->defs[i].name, out[i], error);
            if (status != RAD_OK)
                goto done;
        }
    }
    status = RAD_OK;

done:
    free(out);
    free(levels);
    free(inside);
    rad_volume_free(crop_image);
    rad_volume_free(crop_mask);
    return status;
}

/* Resamples, or crops, image and label mask onto the grid features use. */
static rad_status prepare_grid(const rad_params *params, const rad_volume *image,
                               const rad_volume *mask, rad_volume **image_out,
                               rad_volume **mask_out, rad_error *error)
{
    const ri_settings *s = &params->s;

    if (s->resample)
        return ri_resample_pyradiomics(image, mask, s->label, s->resampled_spacing,
                                       s->interpolator, s->pad_distance, image_out, mask_out,
                                       error);
    if (s->pre_crop || !s->wavelet_enabled)
        return ri_crop_to_mask(image, mask, s->label, s->pad_distance, image_out, mask_out,
                               error);
    /* pyradiomics filters the whole image when it neither resamples nor pre-crops. */
    return ri_crop_to_mask(image, mask, s->label, (int)(image->size[0] + image->size[1] +
                                                        image->size[2]),
                           image_out, mask_out, error);
}

static rad_status check_roi(const rad_params *params, const rad_volume *mask, rad_error *error)
{
    const ri_settings *s = &params->s;
    size_t count;
    int dimensions;

    roi_extent(mask, &count, &dimensions);
    if (count == 0)
        return ri_fail(error, RAD_ERR_EMPTY_ROI,
                       "the mask has no voxel with label %g after pre-processing", s->label);
    if (dimensions < s->minimum_roi_dimensions)
        return ri_fail(error, RAD_ERR_EMPTY_ROI,
                       "the ROI extends in %d dimension%s; minimumROIDimensions is %d",
                       dimensions, dimensions == 1 ? "" : "s", s->minimum_roi_dimensions);
    if (s->minimum_roi_size > 0 && count < (size_t)s->minimum_roi_size)
        return ri_fail(error, RAD_ERR_EMPTY_ROI,
                       "the ROI has %zu voxels; minimumROISize is %d", count,
                       s->minimum_roi_size);
    return RAD_OK;
}

static int mask_has_label(const rad_volume *mask, double label)
{
    size_t n = ri_voxel_count(mask);

    for (size_t v = 0; v < n; v++)
        if (mask->data[v] == label)
            return 1;
    return 0;
}

rad_status rad_extract(const rad_params *params, const rad_volume *image,
                       const rad_volume *mask, rad_features **out, rad_error *error)
{
    const ri_settings *s;
    rad_volume *work = NULL, *grid_image = NULL, *grid_mask = NULL;
    rad_volume *bands[RI_WAVELET_BANDS] = {NULL};
    char band_names[RI_WAVELET_BANDS][32];
    rad_features *features = NULL;
    rad_status status;

    if (params == NULL || image == NULL || mask == NULL || out == NULL)
        return ri_fail(error, RAD_ERR_ARGUMENT, "rad_extract: NULL argument");
    s = &params->s;
    if (!any_class_enabled(s) || (!s->original_enabled && !s->wavelet_enabled))
        return ri_fail(error, RAD_ERR_PARAMETER, "no feature class or image type is enabled");

    status = rad_check_geometry(image, mask, s->geometry_tolerance, error);
    if (status != RAD_OK)
        return status;
    if (!mask_has_label(mask, s->label))
        return ri_fail(error, RAD_ERR_EMPTY_ROI,
                       "the mask has no voxel with label %g (set the label setting to the "
                       "value the mask uses)",
                       s->label);

    features = calloc(1, sizeof *features);
    if (features == NULL)
        return ri_fail(error, RAD_ERR_NO_MEMORY, "out of memory extracting features");

    if (s->normalize) {
        status = ri_volume_like(image, &work, error);
        if (status != RAD_OK)
            goto fail;
        memcpy(work->data, image->data, ri_voxel_count(image) * sizeof *work->data);
        status = ri_normalize(work, s->normalize_scale, s->remove_outliers, error);
        if (status != RAD_OK)
            goto fail;
    }

    status = prepare_grid(params, work ? work : image, mask, &grid_image, &grid_mask, error);
    if (status != RAD_OK)
        goto fail;
    /* The filters need only the resampled grid, so the normalised whole image is freed here. */
    rad_volume_free(work);
    work = NULL;
    status = check_roi(params, grid_mask, error);
    if (status != RAD_OK)
        goto fail;

    if (s->original_enabled) {
        status = extract_image_type(params, "original", grid_image, grid_mask, features, error);
        if (status != RAD_OK)
            goto fail;
    }
    if (s->wavelet_enabled) {
        status = ri_wavelet(grid_image, s->wavelet_name, s->wavelet_level, bands, band_names,
                            error);
        if (status != RAD_OK)
            goto fail;
        for (int b = 0; b < RI_WAVELET_BANDS; b++) {
            status = extract_image_type(params, band_names[b], bands[b], grid_mask, features,
                                        error);
            if (status != RAD_OK)
                goto fail;
        }
    }

    for (int b = 0; b < RI_WAVELET_BANDS; b++)
        rad_volume_free(bands[b]);
    rad_volume_free(work);
    rad_volume_free(grid_image);
    rad_volume_free(grid_mask);
    *out = features;
    return RAD_OK;

fail:
    for (int b = 0; b < RI_WAVELET_BANDS; b++)
        rad_volume_free(bands[b]);
    rad_volume_free(work);
    rad_volume_free(grid_image);
    rad_volume_free(grid_mask);
    rad_features_free(features);
    return status;
}
