/*
 * aggregation.c - the IBSI 1 texture aggregation methods shared by the
 * texture classes: slice views, merging of size matrices, averaging of
 * feature vectors, and the dispatch to the class kernels.
 *
 * IBSI 1 rules followed here:
 * - slices are axial (along z). 2-D and 2.5-D neighbourhoods are the 8
 *   in-plane neighbours, and distances to the ROI edge (GLDZM) are in-plane
 *   city-block distances;
 * - a slice without ROI voxels, and a slice or direction whose matrix is
 *   empty (a GLCM slice without a voxel pair), adds nothing to an average;
 * - merged matrices are sums of counts, normalised after merging.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "aggregation.h"
#include "families.h"

size_t ri_roi_slice(const ri_roi *roi, size_t z, ri_roi *slice)
{
    size_t plane = roi->size[0] * roi->size[1];

    *slice = *roi;
    slice->size[2] = 1;
    slice->values = roi->values != NULL ? roi->values + z * plane : NULL;
    slice->mask = roi->mask + z * plane;
    slice->levels = roi->levels + z * plane;
    slice->morph_mask = roi->morph_mask != NULL ? roi->morph_mask + z * plane : NULL;
    slice->n_voxels = 0;
    for (size_t v = 0; v < plane; v++)
        slice->n_voxels += slice->mask[v] != 0;
    return slice->n_voxels;
}

rad_status ri_size_merge_add_cell(ri_size_merge *merge, double level, double column,
                                  double count, rad_error *error)
{
    if (merge->count == merge->capacity) {
        size_t capacity = merge->capacity ? 2 * merge->capacity : 256;
        ri_size_cell *cells = realloc(merge->cells, capacity * sizeof *cells);
        if (cells == NULL)
            return ri_fail(error, RAD_ERR_NO_MEMORY,
                           "texture aggregation: no memory for %zu matrix cells", capacity);
        merge->cells = cells;
        merge->capacity = capacity;
    }
    merge->cells[merge->count++] = (ri_size_cell){level, column, count};
    return RAD_OK;
}

rad_status ri_size_merge_add(ri_size_merge *merge, const ri_size_matrix *m, rad_error *error)
{
    for (size_t r = 0; r < m->n_rows; r++)
        for (size_t c = 0; c < m->n_cols; c++) {
            double count = m->counts[r * m->n_cols + c];
            if (count == 0.0)
                continue;
            rad_status status =
                ri_size_merge_add_cell(merge, m->row_level[r], m->col_value[c], count, error);
            if (status != RAD_OK)
                return status;
        }
    return RAD_OK;
}

void ri_size_merge_free(ri_size_merge *merge)
{
    free(merge->cells);
    memset(merge, 0, sizeof *merge);
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Sorts values[0..n-1], removes duplicates and returns the number of distinct values. */

static size_t sort_unique(double *values, size_t n)
{
    size_t kept = 0;

    qsort(values, n, sizeof *values, compare_double);
    for (size_t i = 0; i < n; i++)
        if (kept == 0 || values[i] != values[kept - 1])
            values[kept++] = values[i];
    return kept;
}

static size_t index_of(const double *sorted, size_t n, double value)
{
    const double *found = bsearch(&value, sorted, n, sizeof *sorted, compare_double);
    return (size_t)(found - sorted);
}

rad_status ri_size_merge_build(const ri_size_merge *merge, ri_size_matrix *m,
                               ri_size_sums *sums, rad_error *error)
{
    size_t n = merge->count;

    memset(m, 0, sizeof *m);
    memset(sums, 0, sizeof *sums);
    if (n == 0)
        return RAD_OK;
    double *levels = malloc(n * sizeof *levels);
    double *columns = malloc(n * sizeof *columns);
    m->row_level = levels;
    m->col_value = columns;
    if (levels == NULL || columns == NULL)
        return ri_fail(error, RAD_ERR_NO_MEMORY,
                       "texture aggregation: no memory for %zu matrix cells", n);
    for (size_t i = 0; i < n; i++) {
        levels[i] = merge->cells[i].level;
        columns[i] = merge->cells[i].column;
    }
    m->n_rows = sort_unique(levels, n);
    m->n_cols = sort_unique(columns, n);
    if (m->n_rows > RI_MAX_MATRIX_CELLS / m->n_cols)
        return ri_fail(error, RAD_ERR_TOO_LARGE,
                       "texture aggregation: merged matrix of %zu grey levels x %zu columns "
                       "exceeds %zu cells", m->n_rows, m->n_cols, (size_t)RI_MAX_MATRIX_CELLS);
    m->counts = calloc(m->n_rows * m->n_cols, sizeof *m->counts);
    if (m->counts == NULL)
        return ri_fail(error, RAD_ERR_NO_MEMORY,
                       "texture aggregation: no memory for a %zu x %zu matrix", m->n_rows,
                       m->n_cols);
    for (size_t i = 0; i < n; i++) {
        const ri_size_cell *cell = &merge->cells[i];
        size_t r = index_of(levels, m->n_rows, cell->level);
        size_t c = index_of(columns, m->n_cols, cell->column);
        m->counts[r * m->n_cols + c] += cell->count;
    }
    return ri_size_matrix_sums(m, sums, error);
}

void ri_size_merge_matrix_free(ri_size_matrix *m)
{
    free((double *)m->row_level);
    ri_size_matrix_free(m);
}

void ri_feature_mean_init(ri_feature_mean *mean, size_t n_features)
{
    memset(mean, 0, sizeof *mean);
    mean->n_features = n_features;
}

void ri_feature_mean_add(ri_feature_mean *mean, const double *values)
{
    for (size_t f = 0; f < mean->n_features; f++) {
        if (isnan(values[f]))
            continue;
        mean->sum[f] += values[f];
        mean->valid[f]++;
    }
}

void ri_feature_mean_get(const ri_feature_mean *mean, double *out)
{
    for (size_t f = 0; f < mean->n_features; f++)
        out[f] = mean->valid[f] > 0 ? mean->sum[f] / mean->valid[f] : NAN;
}

rad_status ri_size_aggregate_slices(const ri_roi *roi, ri_aggregation method,
                                    const ri_level_grid *slice_grids,
                                    ri_slice_matrix_fn add_slice, const void *context,
                                    ri_size_features_fn features, size_t n_features,
                                    const char *class_name, double *out, rad_error *error)
{
    ri_size_merge merge = {0};
    ri_size_matrix m;
    ri_feature_mean mean;
    ri_size_sums sums;
    double values[64];
    int n_used = 0;
    rad_status status = RAD_OK;

    if (n_features > 64)
        return ri_fail(error, RAD_ERR_ARGUMENT, "%s: %zu features, at most 64 are supported",
                       class_name, n_features);
    ri_feature_mean_init(&mean, n_features);
    for (size_t z = 0; z < roi->size[2] && status == RAD_OK; z++) {
        ri_roi slice;
        if (ri_roi_slice(roi, z, &slice) == 0)
            continue;
        if (method == RI_AGG_2D_AVG)
            ri_size_merge_clear(&merge);
        status = add_slice(&slice, slice_grids != NULL ? &slice_grids[z] : NULL, context, &merge,
                           error);
        if (status != RAD_OK || method != RI_AGG_2D_AVG)
            continue;
        status = ri_size_merge_build(&merge, &m, &sums, error);
        if (status == RAD_OK && sums.total > 0) {
            features(&m, &sums, (double)slice.n_voxels, values);
            ri_feature_mean_add(&mean, values);
            n_used++;
        }
        ri_size_merge_matrix_free(&m);
    }
    if (status == RAD_OK && method != RI_AGG_2D_AVG) {
        status = ri_size_merge_build(&merge, &m, &sums, error);
        if (status == RAD_OK && sums.total > 0) {
            features(&m, &sums, (double)roi->n_voxels, values);
            ri_feature_mean_add(&mean, values);
            n_used++;
        }
        ri_size_merge_matrix_free(&m);
    }
    ri_size_merge_free(&merge);
    if (status != RAD_OK)
        return status;
    if (n_used == 0)
        return ri_fail(error, RAD_ERR_EMPTY_ROI, "%s: every slice matrix is empty (ROI of %zu voxels)",
                       class_name, roi->n_voxels);
    ri_feature_mean_get(&mean, out);
    return RAD_OK;
}

void ri_slice_grids_free(ri_level_grid *slices, size_t n_slices)
{
    if (slices == NULL)
        return;
    for (size_t z = 0; z < n_slices; z++)
        ri_level_grid_free(&slices[z]);
    free(slices);
}

rad_status ri_slice_grids_build(const ri_roi *roi, ri_level_grid **slices, rad_error *error)
{
    *slices = calloc(roi->size[2] ? roi->size[2] : 1, sizeof **slices);
    if (*slices == NULL)
        return ri_fail(error, RAD_ERR_NO_MEMORY,
                       "texture aggregation: no memory for %zu slice grids", roi->size[2]);
    for (size_t z = 0; z < roi->size[2]; z++) {
        ri_roi slice;
        if (ri_roi_slice(roi, z, &slice) == 0)
            continue;
        rad_status status = ri_level_grid_build(&slice, &(*slices)[z], error);
        if (status != RAD_OK) {
            ri_slice_grids_free(*slices, roi->size[2]);
            *slices = NULL;
            return status;
        }
    }
    return RAD_OK;
}

rad_status ri_texture_aggregated(ri_feature_class c, const ri_roi *roi,
                                 const ri_settings *settings, ri_aggregation a, double *out,
                                 rad_error *error)
{
    return ri_texture_aggregated_on_grids(c, roi, NULL, settings, a, out, error);
}

rad_status ri_texture_aggregated_on_grids(ri_feature_class c, const ri_roi *roi,
                                          const ri_texture_grids *grids,
                                          const ri_settings *settings, ri_aggregation a,
                                          double *out, rad_error *error)
{
    if ((unsigned)a >= RI_AGG_COUNT)
        return ri_fail(error, RAD_ERR_ARGUMENT, "texture aggregation method %d is invalid, "
                       "expected 0..%d", (int)a, RI_AGG_COUNT - 1);
    switch (c) {
    case RI_CLASS_GLCM: return ri_glcm_aggregated(roi, settings, a, out, error);
    case RI_CLASS_GLRLM: return ri_glrlm_aggregated_on_grids(roi, grids, settings, a, out, error);
    case RI_CLASS_GLSZM: return ri_glszm_aggregated_on_grids(roi, grids, settings, a, out, error);
    case RI_CLASS_GLDM: return ri_gldm_aggregated_on_grids(roi, grids, settings, a, out, error);
    case RI_CLASS_NGTDM: return ri_ngtdm_aggregated(roi, settings, a, out, error);
    case RI_CLASS_GLDZM: return ri_gldzm_aggregated(roi, settings, a, out, error);
    default:
        return ri_fail(error, RAD_ERR_ARGUMENT,
                       "class %d is not a texture class; textureAggregation applies to glcm, "
                       "glrlm, glszm, gldm, ngtdm and gldzm", (int)c);
    }
}
