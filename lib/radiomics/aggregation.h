/*
 * aggregation.h - private helpers of the IBSI texture aggregation methods:
 * per-slice views of an ROI and the merging of size matrices (GLRLM, GLSZM,
 * GLDM, GLDZM) whose rows and columns differ from slice to slice.
 */
#ifndef RADIOMICS_AGGREGATION_H
#define RADIOMICS_AGGREGATION_H

#include <stddef.h>

#include "texture.h"

/*
 * Makes slice a view of the axial slice z of roi (size[2] = 1, same grey
 * levels and max_level) and returns its ROI voxel count. The slice borrows
 * roi's arrays. Kernels run on it see the 8 in-plane neighbours only, because
 * the level grid pads the slice with one empty layer above and below.
 */
size_t ri_roi_slice(const ri_roi *roi, size_t z, ri_roi *slice);

/* One non-zero cell of a size matrix: grey level, column value, count. */
typedef struct ri_size_cell {
    double level, column, count;
} ri_size_cell;

/* Cells of the size matrices of several slices or directions, summed on build. */
typedef struct ri_size_merge {
    ri_size_cell *cells;
    size_t count, capacity;
} ri_size_merge;

rad_status ri_size_merge_add_cell(ri_size_merge *merge, double level, double column,
                                  double count, rad_error *error);

/* Adds the non-zero cells of m. */
rad_status ri_size_merge_add(ri_size_merge *merge, const ri_size_matrix *m, rad_error *error);

/* Empties merge, keeping its memory. */
static inline void ri_size_merge_clear(ri_size_merge *merge)
{
    merge->count = 0;
}

void ri_size_merge_free(ri_size_merge *merge);

/*
 * Builds in m the sum of the merged cells, with one row per level and one
 * column per column value present (both increasing), and computes its sums.
 * An empty merge gives an empty m and sums->total = 0. The caller releases m
 * with ri_size_merge_matrix_free, also after a failure.
 */
rad_status ri_size_merge_build(const ri_size_merge *merge, ri_size_matrix *m,
                               ri_size_sums *sums, rad_error *error);
void ri_size_merge_matrix_free(ri_size_matrix *m);

/* Writes a class's features from one matrix and its sums. n_voxels is as in ri_size_features. */
typedef void (*ri_size_features_fn)(const ri_size_matrix *m, const ri_size_sums *sums,
                                    double n_voxels, double *out);

/*
 * Adds the matrix of one slice (an ROI with size[2] = 1) to merge. grid is
 * NULL or the level grid of the slice.
 */
typedef rad_status (*ri_slice_matrix_fn)(const ri_roi *slice, const ri_level_grid *grid,
                                         const void *context, ri_size_merge *merge,
                                         rad_error *error);

/*
 * Computes the 2-D and 2.5-D methods of a single-matrix class. RI_AGG_2D_AVG
 * averages the features of each slice's matrix (n_voxels of the slice) over
 * the slices with a non-empty matrix, skipping NaN values. RI_AGG_2_5D_AVG
 * computes the features of the sum of the slice matrices (n_voxels of the ROI).
 * Writes n_features values to out. Fails with RAD_ERR_EMPTY_ROI when every
 * matrix is empty.
 */
rad_status ri_size_aggregate_slices(const ri_roi *roi, ri_aggregation method,
                                    const ri_level_grid *slice_grids,
                                    ri_slice_matrix_fn add_slice, const void *context,
                                    ri_size_features_fn features, size_t n_features,
                                    const char *class_name, double *out, rad_error *error);

/*
 * Level grids of one ROI that the texture kernels of an image type share,
 * read-only. volume is NULL or the grid of the ROI. slices is NULL or one
 * grid per axial slice of ri_roi_slice, with cells NULL for a slice
 * without ROI voxels.
 */
typedef struct ri_texture_grids {
    const ri_level_grid *volume;
    const ri_level_grid *slices;
} ri_texture_grids;

/*
 * Builds in *slices (allocated, roi->size[2] grids) the level grid of each
 * axial slice of roi. Returns RAD_OK, or the first failure with *slices NULL.
 */
rad_status ri_slice_grids_build(const ri_roi *roi, ri_level_grid **slices, rad_error *error);
void ri_slice_grids_free(ri_level_grid *slices, size_t n_slices);

/* Running mean of feature vectors that skips NaN values (numpy.nanmean). */
typedef struct ri_feature_mean {
    double sum[64];
    int valid[64];
    size_t n_features;
} ri_feature_mean;

void ri_feature_mean_init(ri_feature_mean *mean, size_t n_features);
void ri_feature_mean_add(ri_feature_mean *mean, const double *values);
/* Writes the means (NaN where no value was valid) to out. */
void ri_feature_mean_get(const ri_feature_mean *mean, double *out);

/*
 * Computes ri_texture_aggregated with the shared grids of roi (or NULL for
 * none), which the GLRLM, GLSZM and GLDM kernels read in place of building their own.

 */
rad_status ri_texture_aggregated_on_grids(ri_feature_class c, const ri_roi *roi,
                                          const ri_texture_grids *grids,
                                          const ri_settings *settings, ri_aggregation a,
                                          double *out, rad_error *error);
rad_status ri_glrlm_aggregated_on_grids(const ri_roi *roi, const ri_texture_grids *grids,
                                        const ri_settings *settings, ri_aggregation method,
                                        double *out, rad_error *error);
rad_status ri_glszm_aggregated_on_grids(const ri_roi *roi, const ri_texture_grids *grids,
                                        const ri_settings *settings, ri_aggregation method,
                                        double *out, rad_error *error);
rad_status ri_gldm_aggregated_on_grids(const ri_roi *roi, const ri_texture_grids *grids,
                                       const ri_settings *settings, ri_aggregation method,
                                       double *out, rad_error *error);

/* Class kernels with an aggregation method (glcm.c, glrlm.c, ...). */
rad_status ri_glcm_aggregated(const ri_roi *roi, const ri_settings *settings,
                              ri_aggregation method, double *out, rad_error *error);
rad_status ri_glrlm_aggregated(const ri_roi *roi, const ri_settings *settings,
                               ri_aggregation method, double *out, rad_error *error);
rad_status ri_glszm_aggregated(const ri_roi *roi, const ri_settings *settings,
                               ri_aggregation method, double *out, rad_error *error);
rad_status ri_gldm_aggregated(const ri_roi *roi, const ri_settings *settings,
                              ri_aggregation method, double *out, rad_error *error);
rad_status ri_ngtdm_aggregated(const ri_roi *roi, const ri_settings *settings,
                               ri_aggregation method, double *out, rad_error *error);
rad_status ri_gldzm_aggregated(const ri_roi *roi, const ri_settings *settings,
                               ri_aggregation method, double *out, rad_error *error);

#endif /* RADIOMICS_AGGREGATION_H */
