/*
 * glszm.c - grey level size zone matrix features, as pyradiomics computes them.
 *
 * A zone is a maximal set of ROI voxels with the same grey level that are
 * connected through any of the 26 neighbours (pyradiomics' default in 3-D,
 * IBSI's "3D" GLSZM). P(i, j) counts the zones of grey level i and size j
 * voxels. Conventions:
 * - i is the discretised grey level (from 1; absent levels change nothing);
 * - N_z = sum P zones, N_p the ROI's voxel count, ZonePercentage = N_z / N_p;
 * - p = P / N_z; GrayLevelVariance and ZoneVariance use the marginals of p
 *   about their means; ZoneEntropy = -sum p log2(p + eps), eps = 2^-52.
 * IBSI 1 defines the same 16 features. Its 2-D GLSZM (textureAggregation
 * 2D_*) takes 8-connected zones per axial slice and averages the features
 * over slices. The 2.5-D GLSZM sums the slice matrices, and its
 * ZonePercentage divides by the ROI's voxel count.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aggregation.h"

static const ri_feature_def glszm_defs[] = {
    {"SmallAreaEmphasis", "szm_sze", "5QRC", 1, 0, NAN},
    {"LargeAreaEmphasis", "szm_lze", "48P8", 1, 0, NAN},
    {"GrayLevelNonUniformity", "szm_glnu", "JNSA", 1, 0, NAN},
    {"GrayLevelNonUniformityNormalized", "szm_glnu_norm", "Y1RO", 1, 0, 1.0},
    {"SizeZoneNonUniformity", "szm_zsnu", "4JP3", 1, 0, NAN},
    {"SizeZoneNonUniformityNormalized", "szm_zsnu_norm", "VB3A", 1, 0, NAN},
    {"ZonePercentage", "szm_z_perc", "P30P", 1, 0, NAN},
    {"GrayLevelVariance", "szm_gl_var", "BYLV", 1, 0, 0.0},
    {"ZoneVariance", "szm_zs_var", "3NSA", 1, 0, NAN},
    {"ZoneEntropy", "szm_zs_entr", "GU8N", 1, 0, NAN},
    {"LowGrayLevelZoneEmphasis", "szm_lgze", "XMSY", 1, 0, NAN},
    {"HighGrayLevelZoneEmphasis", "szm_hgze", "5GN9", 1, 0, NAN},
    {"SmallAreaLowGrayLevelEmphasis", "szm_szlge", "5RAI", 1, 0, NAN},
    {"SmallAreaHighGrayLevelEmphasis", "szm_szhge", "HW1V", 1, 0, NAN},
    {"LargeAreaLowGrayLevelEmphasis", "szm_lzlge", "YH51", 1, 0, NAN},
    {"LargeAreaHighGrayLevelEmphasis", "szm_lzhge", "J17V", 1, 0, NAN},
};

const ri_feature_table ri_glszm_table = {
    "glszm", glszm_defs, sizeof glszm_defs / sizeof glszm_defs[0],
};

/* Returns the root of p's tree, halving the path on the way. */
static inline uint32_t find_root(uint32_t *parent, uint32_t p)
{
    while (parent[p] != p) {
        parent[p] = parent[parent[p]];
        p = parent[p];
    }
    return p;
}

/*
 * Labels the zones by union-find in one scan: each ROI voxel is joined to
 * those of its 13 earlier neighbours (the 26-neighbourhood halves that come
 * first in memory order) with the same level. A root is the zone's first
 * voxel in memory order. Afterwards parent[p] of each ROI voxel is its root
 * and size[root] the zone's voxel count; returns the number of zones.
 */
static size_t label_zones(const ri_level_grid *grid, uint32_t *parent, uint32_t *size)
{
    ptrdiff_t back[RI_DIRECTIONS];
    for (int d = 0; d < RI_DIRECTIONS; d++)
        back[d] = ri_grid_offset(grid, ri_directions[d]); /* > 0 for every direction */

    const int *cells = grid->cells;
    size_t n_zones = 0;
    for (size_t p = 0; p < grid->count; p++) {
        int level = cells[p];
        if (level <= 0)
            continue;
        uint32_t root = (uint32_t)p;
        parent[p] = root;
        for (int d = 0; d < RI_DIRECTIONS; d++) {
            size_t q = p - (size_t)back[d];
            if (cells[q] != level)
                continue;
            uint32_t other = find_root(parent, (uint32_t)q);
            if (other == root)
                continue;
            /* Keep the smaller index as the root, so roots stay first voxels. */
            if (other < root) {
                parent[root] = other;
                root = other;
            } else {
                parent[other] = root;
            }
        }
    }

    for (size_t p = 0; p < grid->count; p++) {
        if (cells[p] <= 0)
            continue;
        uint32_t root = find_root(parent, (uint32_t)p);
        parent[p] = root;
        if (root == p) {
            size[p] = 0;
            n_zones++;
        }
        size[root]++;
    }
    return n_zones;
}

/*
 * Fills m from the labelled zones: one column per distinct zone size,
 * increasing, found by marking the sizes present in column_of_size.
 */
static rad_status fill_matrix(const ri_level_grid *grid, const uint32_t *parent,
                              const uint32_t *size, size_t n_voxels, ri_size_matrix *m,
                              rad_error *error)
{
    const int *cells = grid->cells;
    uint32_t *column_of_size = calloc(n_voxels + 1, sizeof *column_of_size);
    if (column_of_size == NULL)
        return ri_fail(error, RAD_ERR_NO_MEMORY, "glszm: no memory for %zu zone sizes", n_voxels);
    for (size_t p = 0; p < grid->count; p++)
        if (cells[p] > 0 && parent[p] == p)
            column_of_size[size[p]] = 1;
    size_t n_cols = 0;
    for (size_t j = 1; j <= n_voxels; j++)
        n_cols += column_of_size[j];

    m->n_rows = (size_t)grid->n_rows;
    m->n_cols = n_cols;
    m->row_level = grid->row_level;
    if (m->n_rows > RI_MAX_MATRIX_CELLS / n_cols) {
        free(column_of_size);
        return ri_fail(error, RAD_ERR_TOO_LARGE,
                       "glszm: %zu grey levels x %zu zone sizes exceeds %zu cells", m->n_rows,
                       n_cols, (size_t)RI_MAX_MATRIX_CELLS);
    }
    m->counts = calloc(m->n_rows * n_cols, sizeof *m->counts);
    m->col_value = malloc(n_cols * sizeof *m->col_value);
    if (m->counts == NULL || m->col_value == NULL) {
        free(column_of_size);
        ri_size_matrix_free(m);
        return ri_fail(error, RAD_ERR_NO_MEMORY, "glszm: no memory for a %zu x %zu matrix",
                       m->n_rows, n_cols);
    }
    size_t c = 0;
    for (size_t j = 1; j <= n_voxels; j++) {
        if (!column_of_size[j])
            continue;
        m->col_value[c] = (double)j;
        column_of_size[j] = (uint32_t)c++;
    }

    for (size_t p = 0; p < grid->count; p++) {
        if (cells[p] <= 0 || parent[p] != p)
            continue;
        size_t row = (size_t)grid->row_of_level[cells[p]];
        m->counts[row * n_cols + column_of_size[size[p]]] += 1.0;
    }
    free(column_of_size);
    return RAD_OK;
}

rad_status ri_glszm_matrix(const ri_roi *roi, ri_level_grid *grid, ri_size_matrix *m,
                           rad_error *error)
{
    memset(m, 0, sizeof *m);
    rad_status status = ri_level_grid_build(roi, grid, error);
    if (status != RAD_OK)
        return status;

    /* Voxel indices fit in uint32_t because a grid has at most RI_MAX_VOXELS cells. */
    uint32_t *parent = malloc(grid->count * sizeof *parent);
    uint32_t *size = malloc(grid->count * sizeof *size);
    if (parent == NULL || size == NULL) {
        status = ri_fail(error, RAD_ERR_NO_MEMORY, "glszm: no memory for zones of %zu voxels",
                         roi->n_voxels);
    } else {
        label_zones(grid, parent, size);
        status = fill_matrix(grid, parent, size, roi->n_voxels, m, error);
    }
    free(parent);
    free(size);
    if (status != RAD_OK)
        ri_level_grid_free(grid);
    return status;
}

rad_status ri_glszm(const ri_roi *roi, const ri_settings *settings, double *out, rad_error *error)
{
    (void)settings; /* pyradiomics' GLSZM uses no texture setting besides the binning */
    if (out == NULL)
        return ri_fail(error, RAD_ERR_ARGUMENT, "glszm: out must not be NULL");

    ri_level_grid grid;
    ri_size_matrix m;
    rad_status status = ri_glszm_matrix(roi, &grid, &m, error);
    if (status != RAD_OK)
        return status;

    ri_size_sums sums;
    status = ri_size_matrix_sums(&m, &sums, error);
    if (status == RAD_OK)
        ri_size_features(&sums, (double)roi->n_voxels, out);
    ri_size_matrix_free(&m);
    ri_level_grid_free(&grid);
    return status;
}

/* Adds the GLSZM of one slice to merge. */
static rad_status add_slice_matrix(const ri_roi *slice, const void *context,
                                   ri_size_merge *merge, rad_error *error)
{
    (void)context;
    ri_level_grid grid;
    ri_size_matrix m;
    rad_status status = ri_glszm_matrix(slice, &grid, &m, error);
    if (status != RAD_OK)
        return status;
    status = ri_size_merge_add(merge, &m, error);
    ri_size_matrix_free(&m);
    ri_level_grid_free(&grid);
    return status;
}

/* ri_size_features in the shape of ri_size_features_fn. */
static void size_features(const ri_size_matrix *m, const ri_size_sums *sums, double n_voxels,
                          double *out)
{
    (void)m;
    ri_size_features(sums, n_voxels, out);
}

rad_status ri_glszm_aggregated(const ri_roi *roi, const ri_settings *settings,
                               ri_aggregation method, double *out, rad_error *error)
{
    if (method == RI_AGG_3D_AVG || method == RI_AGG_3D_COMB)
        return ri_glszm(roi, settings, out, error);
    if (out == NULL)
        return ri_fail(error, RAD_ERR_ARGUMENT, "glszm: out must not be NULL");
    ri_aggregation slices = method <= RI_AGG_2D_COMB ? RI_AGG_2D_AVG : RI_AGG_2_5D_AVG;
    return ri_size_aggregate_slices(roi, slices, add_slice_matrix, NULL, size_features,
                                    RI_SIZE_FEATURES, "glszm", out, error);
}
