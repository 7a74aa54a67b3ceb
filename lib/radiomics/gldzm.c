/*
 * gldzm.c - IBSI grey level distance zone matrix features (dzm_*, 3-D).
 *
 * Zones are as in the GLSZM: maximal 26-connected sets of ROI voxels with the
 * same grey level. The distance of a voxel is 1 plus its city-block
 * (6-connected) distance to the nearest voxel outside the ROI, cells beyond
 * the ROI box counting as outside, so voxels on the ROI edge have distance 1.
 * The distances use roi->morph_mask when set (IBSI's morphological mask, not
 * re-segmented), else the ROI mask.
 * A zone's distance is the minimum over its voxels, and P(i, d) counts the
 * zones of grey level i (from 1) and distance d. The features are the GLSZM
 * formulas with the zone size replaced by d, N_z = sum P and
 * z_perc = N_z / N_v. Entropy adds eps = 2^-52 to p inside log2 as the other
 * size-matrix kernels do, which IBSI does not (a change below 1e-13).
 * IBSI's 2-D GLDZM (textureAggregation 2D_*) takes 8-connected zones per
 * axial slice with in-plane (4-connected) city-block distances, and averages
 * the features over slices. The 2.5-D GLDZM sums the slice matrices.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "families.h"
#include "aggregation.h"

/* Order of ri_size_features' output. */
static const ri_feature_def gldzm_defs[RI_SIZE_FEATURES] = {
    {"", "dzm_sde", "0GBI", 0, 0, NAN},
    {"", "dzm_lde", "MB4I", 0, 0, NAN},
    {"", "dzm_glnu", "VFT7", 0, 0, NAN},
    {"", "dzm_glnu_norm", "7HP3", 0, 0, 1.0},
    {"", "dzm_zdnu", "V294", 0, 0, NAN},
    {"", "dzm_zdnu_norm", "IATH", 0, 0, NAN},
    {"", "dzm_z_perc", "VIWW", 0, 0, NAN},
    {"", "dzm_gl_var", "QK93", 0, 0, 0.0},
    {"", "dzm_zd_var", "7WT1", 0, 0, NAN},
    {"", "dzm_zd_entr", "GBDU", 0, 0, NAN},
    {"", "dzm_lgze", "S1RA", 0, 0, NAN},
    {"", "dzm_hgze", "K26C", 0, 0, NAN},
    {"", "dzm_sdlge", "RUVG", 0, 0, NAN},
    {"", "dzm_sdhge", "DKNJ", 0, 0, NAN},
    {"", "dzm_ldlge", "A7WM", 0, 0, NAN},
    {"", "dzm_ldhge", "KLTH", 0, 0, NAN},
};

const ri_feature_table ri_gldzm_table = {"gldzm", gldzm_defs, RI_SIZE_FEATURES};

/* The 6 face neighbours as (dx, dy, dz), of which the first 4 are in-plane. */
static const int face_steps[6][3] = {
    {1, 0, 0}, {-1, 0, 0}, {0, 1, 0}, {0, -1, 0}, {0, 0, 1}, {0, 0, -1},
};

/*
 * Writes into distance[] (grid cells) the city-block distance of each ROI
 * cell to the nearest non-ROI cell, by breadth-first search from all non-ROI
 * cells at once. queue has grid->count entries. n_faces is 6 (3-D) or 4
 * (in-plane distances of a one-slice grid). Returns the largest distance.
 */
static int edge_distances(const ri_level_grid *grid, int n_faces, int *distance, size_t *queue)
{
    ptrdiff_t step[6];
    for (int d = 0; d < n_faces; d++)
        step[d] = ri_grid_offset(grid, face_steps[d]);
    size_t head = 0, tail = 0;
    for (size_t p = 0; p < grid->count; p++) {
        if (grid->cells[p] > 0) {
            distance[p] = -1;
        } else {
            distance[p] = 0;
            if (grid->cells[p] == 0)
                queue[tail++] = p; /* padding cells border the box only: no need to queue */
        }
    }
    /* ROI cells next to the padding have distance 1 too: seed them directly */
    for (size_t p = 0; p < grid->count; p++) {
        if (grid->cells[p] <= 0)
            continue;
        for (int d = 0; d < n_faces; d++)
            if (grid->cells[(ptrdiff_t)p + step[d]] < 0) {
                distance[p] = 1;
                queue[tail++] = p;
                break;
            }
    }
    int largest = 0;
    while (head < tail) {
        size_t p = queue[head++];
        for (int d = 0; d < n_faces; d++) {
            ptrdiff_t q = (ptrdiff_t)p + step[d];
            if (grid->cells[q] <= 0 || distance[q] >= 0)
                continue;
            distance[q] = distance[p] + 1;
            if (distance[q] > largest)
                largest = distance[q];
            queue[tail++] = (size_t)q;
        }
    }
    return largest > 0 ? largest : 1;
}

/*
 * Computes edge_distances on the morphological mask. On the cells of grid
 * (built from roi), distance[] receives the distances computed on a grid of
 * the same box whose ROI is roi->morph_mask. *largest is the largest distance
 * over the intensity mask's cells, which sets the number of GLDZM columns.
 */
static rad_status morph_distances(const ri_roi *roi, const ri_level_grid *grid, int n_faces,
                                  int *distance, size_t *queue, size_t *largest,
                                  rad_error *error)
{
    size_t n_box = roi->size[0] * roi->size[1] * roi->size[2];
    int *ones = malloc(n_box * sizeof *ones);
    if (ones == NULL)
        return ri_fail(error, RAD_ERR_NO_MEMORY, "out of memory for a %zu-voxel mask", n_box);
    ri_roi morph = *roi;
    morph.mask = roi->morph_mask;
    morph.morph_mask = NULL;
    morph.levels = ones;
    morph.max_level = 1;
    morph.n_voxels = 0;
    for (size_t v = 0; v < n_box; v++) {
        ones[v] = roi->morph_mask[v] != 0;
        morph.n_voxels += (size_t)ones[v];
    }
    ri_level_grid morph_grid;
    rad_status status = ri_level_grid_build(&morph, &morph_grid, error);
    free(ones);
    if (status != RAD_OK)
        return status;
    if (morph_grid.count != grid->count) {
        ri_level_grid_free(&morph_grid);
        return ri_fail(error, RAD_ERR_ARGUMENT,
                       "morphological mask grid has %zu cells, the ROI grid %zu",
                       morph_grid.count, grid->count);
    }
    edge_distances(&morph_grid, n_faces, distance, queue);
    ri_level_grid_free(&morph_grid);
    *largest = 0;
    for (size_t p = 0; p < grid->count; p++) {
        if (grid->cells[p] <= 0)
            continue;
        if (distance[p] < 1)
            distance[p] = 1; /* an intensity-mask voxel outside the morphological mask */
        if ((size_t)distance[p] > *largest)
            *largest = (size_t)distance[p];
    }
    return RAD_OK;
}

/* Computes ri_gldzm_matrix with n_faces face neighbours for the distances (see edge_distances). */
static rad_status gldzm_matrix(const ri_roi *roi, int n_faces, double **counts,
                               size_t *n_distances, rad_error *error)
{
    ri_level_grid grid;
    rad_status status = ri_level_grid_build(roi, &grid, error);
    if (status != RAD_OK)
        return status;
    int *distance = malloc(grid.count * sizeof *distance);
    size_t *queue = malloc(grid.count * sizeof *queue);
    if (distance == NULL || queue == NULL) {
        free(distance);
        free(queue);
        ri_level_grid_free(&grid);
        return ri_fail(error, RAD_ERR_NO_MEMORY, "out of memory for a %zu-cell distance map",
                       grid.count);
    }
    size_t n_cols = 0;
    if (roi->morph_mask != NULL) {
        status = morph_distances(roi, &grid, n_faces, distance, queue, &n_cols, error);
        if (status != RAD_OK) {
            free(distance);
            free(queue);
            ri_level_grid_free(&grid);
            return status;
        }
    } else {
        n_cols = (size_t)edge_distances(&grid, n_faces, distance, queue);
    }
    size_t n_levels = (size_t)roi->max_level;
    if (n_levels * n_cols > RI_MAX_MATRIX_CELLS) {
        free(distance);
        free(queue);
        ri_level_grid_free(&grid);
        return ri_fail(error, RAD_ERR_TOO_LARGE,
                       "GLDZM of %zu grey levels x %zu distances exceeds %zu cells", n_levels,
                       n_cols, (size_t)RI_MAX_MATRIX_CELLS);
    }
    double *P = calloc(n_levels * n_cols, sizeof *P);
    if (P == NULL) {
        free(distance);
        free(queue);
        ri_level_grid_free(&grid);
        return ri_fail(error, RAD_ERR_NO_MEMORY, "out of memory for a %zu x %zu GLDZM",
                       n_levels, n_cols);
    }

    /* flood-fill each zone with queue as a stack; a visited cell's level is negated */
    ptrdiff_t step[RI_NEIGHBOURS];
    for (int d = 0; d < RI_NEIGHBOURS; d++)
        step[d] = ri_grid_offset(&grid, ri_neighbours[d]);
    int *cells = grid.cells;
    for (size_t p = 0; p < grid.count; p++) {
        int level = cells[p];
        if (level <= 0)
            continue;
        int zone_distance = distance[p];
        size_t top = 0;
        cells[p] = -level;
        queue[top++] = p;
        while (top > 0) {
            size_t q = queue[--top];
            if (distance[q] < zone_distance)
                zone_distance = distance[q];
            for (int d = 0; d < RI_NEIGHBOURS; d++) {
                size_t r = (size_t)((ptrdiff_t)q + step[d]);
                if (cells[r] == level) {
                    cells[r] = -level;
                    queue[top++] = r;
                }
            }
        }
        P[(size_t)(level - 1) * n_cols + (size_t)(zone_distance - 1)] += 1.0;
    }
    free(distance);
    free(queue);
    ri_level_grid_free(&grid);
    *counts = P;
    *n_distances = n_cols;
    return RAD_OK;
}

rad_status ri_gldzm_matrix(const ri_roi *roi, double **counts, size_t *n_distances,
                           rad_error *error)
{
    return gldzm_matrix(roi, 6, counts, n_distances, error);
}

rad_status ri_gldzm(const ri_roi *roi, const ri_settings *settings, double *out, rad_error *error)
{
    (void)settings; /* the zone linkage is fixed at 26 neighbours */
    double *P = NULL;
    size_t n_cols = 0;
    rad_status status = ri_gldzm_matrix(roi, &P, &n_cols, error);
    if (status != RAD_OK)
        return status;

    size_t n_levels = (size_t)roi->max_level;
    ri_size_matrix m = {0};
    double *row_level = malloc(n_levels * sizeof *row_level);
    m.col_value = malloc(n_cols * sizeof *m.col_value);
    if (row_level == NULL || m.col_value == NULL) {
        free(row_level);
        free(m.col_value);
        free(P);
        return ri_fail(error, RAD_ERR_NO_MEMORY, "out of memory for GLDZM axes");
    }
    /* compact the rows of present levels in place */
    size_t n_rows = 0;
    for (size_t i = 0; i < n_levels; i++) {
        double row_total = 0.0;
        for (size_t c = 0; c < n_cols; c++)
            row_total += P[i * n_cols + c];
        if (row_total == 0.0)
            continue;
        if (n_rows != i)
            memmove(P + n_rows * n_cols, P + i * n_cols, n_cols * sizeof *P);
        row_level[n_rows++] = (double)(i + 1);
    }
    for (size_t c = 0; c < n_cols; c++)
        m.col_value[c] = (double)(c + 1);
    m.n_rows = n_rows;
    m.n_cols = n_cols;
    m.counts = P;
    m.row_level = row_level;

    ri_size_sums sums;
    status = ri_size_matrix_sums(&m, &sums, error);
    if (status == RAD_OK)
        ri_size_features(&sums, (double)roi->n_voxels, out);
    free(row_level);
    free(m.col_value);
    free(P);
    return status;
}

/* Adds the 2-D GLDZM of one slice to merge. */
static rad_status add_slice_matrix(const ri_roi *slice, const ri_level_grid *grid,
                                   const void *context, ri_size_merge *merge, rad_error *error)
{
    (void)grid; /* always NULL, because gldzm_matrix builds its own level grid */
    (void)context;
    double *P = NULL;
    size_t n_cols = 0;
    rad_status status = gldzm_matrix(slice, 4, &P, &n_cols, error);
    if (status != RAD_OK)
        return status;
    for (size_t i = 0; i < (size_t)slice->max_level && status == RAD_OK; i++)
        for (size_t c = 0; c < n_cols && status == RAD_OK; c++)
            if (P[i * n_cols + c] != 0.0)
                status = ri_size_merge_add_cell(merge, (double)(i + 1), (double)(c + 1),
                                                P[i * n_cols + c], error);
    free(P);
    return status;
}

/* Calls ri_size_features with the signature of ri_size_features_fn. */

static void size_features(const ri_size_matrix *m, const ri_size_sums *sums, double n_voxels,
                          double *out)
{
    (void)m;
    ri_size_features(sums, n_voxels, out);
}

rad_status ri_gldzm_aggregated(const ri_roi *roi, const ri_settings *settings,
                               ri_aggregation method, double *out, rad_error *error)
{
    if (method == RI_AGG_3D_AVG || method == RI_AGG_3D_COMB)
        return ri_gldzm(roi, settings, out, error);
    ri_aggregation slices = method <= RI_AGG_2D_COMB ? RI_AGG_2D_AVG : RI_AGG_2_5D_AVG;
    return ri_size_aggregate_slices(roi, slices, NULL, add_slice_matrix, NULL, size_features,
                                    RI_SIZE_FEATURES, "gldzm", out, error);
}
