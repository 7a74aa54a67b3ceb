/*
 * ngtdm.c - neighbouring grey tone difference matrix features, as
 * pyradiomics and IBSI 1 (3-D, Chebyshev distance 1) compute them.
 *
 * For each ROI voxel of grey level i, A is the mean level of its ROI voxels
 * among the 26 neighbours (the centre excluded). Voxels without a ROI
 * neighbour are skipped. n_i counts the other voxels of level i,
 * s_i = sum |i - A| over them, N_vp = sum n_i, p_i = n_i / N_vp, and sums
 * run over the N_gp levels with p_i > 0:
 * - Coarseness = 1 / sum p_i s_i (1e6 when the sum is 0, as pyradiomics);
 * - Contrast = [sum_ij p_i p_j (i - j)^2 / (N_gp (N_gp - 1))] sum s_i / N_vp
 *   (0 when N_gp = 1);
 * - Busyness = sum p_i s_i / sum_ij |i p_i - j p_j| (0 when the denominator is 0);
 * - Complexity = sum_ij |i - j| (p_i s_i + p_j s_j) / (p_i + p_j) / N_vp;
 * - Strength = sum_ij (p_i + p_j) (i - j)^2 / sum s_i (0 when sum s_i = 0).
 * IBSI's 2-D NGTDM (textureAggregation 2D_*) uses the 8 in-plane neighbours
 * per axial slice and averages the features over the slices that have a
 * voxel with a neighbour. The 2.5-D NGTDM sums n_i and s_i over the slices.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "families.h"
#include "aggregation.h"

enum { NGT_COARSENESS, NGT_CONTRAST, NGT_BUSYNESS, NGT_COMPLEXITY, NGT_STRENGTH, NGT_COUNT };

static const ri_feature_def ngtdm_defs[NGT_COUNT] = {
    {"Coarseness", "ngt_coarseness", "QCDE", 1, 0, 1e6},
    {"Contrast", "ngt_contrast", "65HE", 1, 0, 0.0},
    {"Busyness", "ngt_busyness", "NQ30", 1, 0, 0.0},
    {"Complexity", "ngt_complexity", "HDEZ", 1, 0, 0.0},
    {"Strength", "ngt_strength", "1X9X", 1, 0, 0.0},
};

const ri_feature_table ri_ngtdm_table = {"ngtdm", ngtdm_defs, NGT_COUNT};

rad_status ri_ngtdm_matrix(const ri_roi *roi, double *count, double *sum, rad_error *error)
{
    ri_level_grid grid;
    rad_status status = ri_level_grid_build(roi, &grid, error);
    if (status != RAD_OK)
        return status;
    ptrdiff_t step[RI_NEIGHBOURS];
    for (int d = 0; d < RI_NEIGHBOURS; d++)
        step[d] = ri_grid_offset(&grid, ri_neighbours[d]);
    memset(count, 0, (size_t)roi->max_level * sizeof *count);
    memset(sum, 0, (size_t)roi->max_level * sizeof *sum);

    const int *cells = grid.cells;
    for (size_t p = 0; p < grid.count; p++) {
        int level = cells[p];
        if (level <= 0)
            continue;
        int neighbours = 0;
        long level_sum = 0;
        for (int d = 0; d < RI_NEIGHBOURS; d++) {
            int other = cells[(ptrdiff_t)p + step[d]];
            if (other > 0) {
                neighbours++;
                level_sum += other;
            }
        }
        if (neighbours == 0)
            continue;
        count[level - 1] += 1.0;
        sum[level - 1] += fabs((double)level - (double)level_sum / neighbours);
    }
    ri_level_grid_free(&grid);
    return RAD_OK;
}

static rad_status check_settings(const ri_settings *settings, rad_error *error)
{
    if (settings == NULL || settings->n_distances == 0)
        return RAD_OK;
    if (settings->n_distances > 1 || settings->distances[0] != 1)
        return ri_fail(error, RAD_ERR_UNSUPPORTED,
                       "NGTDM supports distance 1 only; got %d distances, the first %d",
                       settings->n_distances, settings->distances[0]);
    return RAD_OK;
}

/* Computes the 5 features from the matrix columns of the n present levels. */
static void ngtdm_features(const double *level, const double *p, const double *s, size_t n,
                           double n_vp, double *out)
{
    double ps = 0.0, s_total = 0.0;
    for (size_t a = 0; a < n; a++) {
        ps += p[a] * s[a];
        s_total += s[a];
    }
    double contrast = 0.0, busyness_den = 0.0, complexity = 0.0, strength = 0.0;
    for (size_t a = 0; a < n; a++)
        for (size_t b = 0; b < n; b++) {
            double d = level[a] - level[b];
            contrast += p[a] * p[b] * d * d;
            busyness_den += fabs(level[a] * p[a] - level[b] * p[b]);
            complexity += fabs(d) * (p[a] * s[a] + p[b] * s[b]) / (p[a] + p[b]);
            strength += (p[a] + p[b]) * d * d;
        }
    out[NGT_COARSENESS] = ps == 0.0 ? 1e6 : 1.0 / ps;
    out[NGT_CONTRAST] = n > 1 ? contrast / ((double)n * (double)(n - 1)) * s_total / n_vp : 0.0;
    out[NGT_BUSYNESS] = busyness_den == 0.0 ? 0.0 : ps / busyness_den;
    out[NGT_COMPLEXITY] = complexity / n_vp;
    out[NGT_STRENGTH] = s_total == 0.0 ? 0.0 : strength / s_total;
}

/*
 * Writes the features of the matrix columns count and sum (n_levels entries
 * each) to out, using scratch (3 x n_levels). Returns 0 when the matrix is
 * empty (no voxel has a ROI neighbour) and writes the degenerate values then.
 */
static int features_of_columns(const double *count, const double *sum, size_t n_levels,
                               double *scratch, double *out)
{
    double *level = scratch, *p = scratch + n_levels, *s = scratch + 2 * n_levels;
    double n_vp = 0.0;
    for (size_t i = 0; i < n_levels; i++)
        n_vp += count[i];
    if (n_vp == 0.0) {
        for (int f = 0; f < NGT_COUNT; f++)
            out[f] = ngtdm_defs[f].degenerate_value;
        return 0;
    }
    size_t n = 0;
    for (size_t i = 0; i < n_levels; i++)
        if (count[i] > 0.0) {
            level[n] = (double)(i + 1);
            p[n] = count[i] / n_vp;
            s[n] = sum[i];
            n++;
        }
    ngtdm_features(level, p, s, n, n_vp, out);
    return 1;
}

rad_status ri_ngtdm_aggregated(const ri_roi *roi, const ri_settings *settings,
                               ri_aggregation method, double *out, rad_error *error)
{
    if (method == RI_AGG_3D_AVG || method == RI_AGG_3D_COMB)
        return ri_ngtdm(roi, settings, out, error);
    rad_status status = check_settings(settings, error);
    if (status != RAD_OK)
        return status;
    if (roi == NULL || roi->max_level < 1)
        return ri_fail(error, RAD_ERR_ARGUMENT, "ROI is missing or not discretised");
    size_t n_levels = (size_t)roi->max_level;
    /* slice count and sum, merged count and sum, feature scratch */
    double *columns = calloc(7 * n_levels, sizeof *columns);
    if (columns == NULL)
        return ri_fail(error, RAD_ERR_NO_MEMORY, "out of memory for %zu NGTDM rows", n_levels);
    double *count = columns, *sum = columns + n_levels;
    double *merged_count = columns + 2 * n_levels, *merged_sum = columns + 3 * n_levels;
    double *scratch = columns + 4 * n_levels;
    int per_slice = method == RI_AGG_2D_AVG || method == RI_AGG_2D_COMB;
    ri_feature_mean mean;
    double values[NGT_COUNT];
    int n_used = 0;

    ri_feature_mean_init(&mean, NGT_COUNT);
    for (size_t z = 0; z < roi->size[2]; z++) {
        ri_roi slice;
        if (ri_roi_slice(roi, z, &slice) == 0)
            continue;
        status = ri_ngtdm_matrix(&slice, count, sum, error);
        if (status != RAD_OK)
            break;
        if (per_slice) {
            if (features_of_columns(count, sum, n_levels, scratch, values)) {
                ri_feature_mean_add(&mean, values);
                n_used++;
            }
            continue;
        }
        for (size_t i = 0; i < n_levels; i++) {
            merged_count[i] += count[i];
            merged_sum[i] += sum[i];
        }
    }
    if (status == RAD_OK && !per_slice) {
        /* an empty merged matrix gives the degenerate values, as the 3-D kernel does */
        features_of_columns(merged_count, merged_sum, n_levels, scratch, out);
        free(columns);
        return RAD_OK;
    }
    free(columns);
    if (status != RAD_OK)
        return status;
    if (n_used == 0) {
        /* no slice has a voxel with an in-plane ROI neighbour */
        for (int f = 0; f < NGT_COUNT; f++)
            out[f] = ngtdm_defs[f].degenerate_value;
        return RAD_OK;
    }
    ri_feature_mean_get(&mean, out);
    return RAD_OK;
}

rad_status ri_ngtdm(const ri_roi *roi, const ri_settings *settings, double *out, rad_error *error)
{
    rad_status status = check_settings(settings, error);
    if (status != RAD_OK)
        return status;
    if (roi == NULL || roi->max_level < 1)
        return ri_fail(error, RAD_ERR_ARGUMENT, "ROI is missing or not discretised");
    size_t n_levels = (size_t)roi->max_level;
    double *columns = malloc(5 * n_levels * sizeof *columns);
    if (columns == NULL)
        return ri_fail(error, RAD_ERR_NO_MEMORY, "out of memory for %zu NGTDM rows", n_levels);
    double *count = columns, *sum = columns + n_levels;
    double *level = columns + 2 * n_levels, *p = columns + 3 * n_levels, *s = columns + 4 * n_levels;
    status = ri_ngtdm_matrix(roi, count, sum, error);
    if (status != RAD_OK) {
        free(columns);
        return status;
    }

    double n_vp = 0.0;
    for (size_t i = 0; i < n_levels; i++)
        n_vp += count[i];
    if (n_vp == 0.0) {
        /* no voxel has a ROI neighbour: the matrix is empty, as for a single voxel */
        for (int f = 0; f < NGT_COUNT; f++)
            out[f] = ngtdm_defs[f].degenerate_value;
        free(columns);
        return RAD_OK;
    }
    size_t n = 0;
    for (size_t i = 0; i < n_levels; i++)
        if (count[i] > 0.0) {
            level[n] = (double)(i + 1);
            p[n] = count[i] / n_vp;
            s[n] = sum[i];
            n++;
        }
    ngtdm_features(level, p, s, n, n_vp, out);
    free(columns);
    return RAD_OK;
}
