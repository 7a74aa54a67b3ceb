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
 * IBSI 1 defines the same 16 features.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "texture.h"

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

/* One zone: the row of its grey level and its size in voxels. */
typedef struct zone {
    int row;
    size_t size;
} zone;

static int compare_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

/*
 * Labels the zones by flood fill with an explicit stack. Each ROI voxel is
 * marked in `seen` when pushed, so the stack never contains more than n_voxels
 * entries. Writes the zones into zones[] and returns their number.
 */
static size_t find_zones(const ri_level_grid *grid, size_t n_voxels, uint8_t *seen, size_t *stack,
                         zone *zones)
{
    ptrdiff_t offsets[RI_NEIGHBOURS];
    for (int n = 0; n < RI_NEIGHBOURS; n++)
        offsets[n] = ri_grid_offset(grid, ri_neighbours[n]);

    const int *cells = grid->cells;
    size_t n_zones = 0;
    for (size_t p = 0; p < grid->count; p++) {
        int level = cells[p];
        if (level <= 0 || seen[p])
            continue;
        size_t top = 0, size = 0;
        stack[top++] = p;
        seen[p] = 1;
        while (top > 0) {
            size_t q = stack[--top];
            size++;
            for (int n = 0; n < RI_NEIGHBOURS; n++) {
                size_t r = (size_t)((ptrdiff_t)q + offsets[n]);
                if (cells[r] == level && !seen[r] && top < n_voxels) {
                    seen[r] = 1;
                    stack[top++] = r;
                }
            }
        }
        zones[n_zones].row = grid->row_of_level[level];
        zones[n_zones].size = size;
        n_zones++;
    }
    return n_zones;
}

/* Fills m from the zones: one column per distinct zone size, increasing. */
static rad_status fill_matrix(const ri_level_grid *grid, const zone *zones, size_t n_zones,
                              ri_size_matrix *m, rad_error *error)
{
    size_t *sizes = malloc(n_zones * sizeof *sizes);
    if (sizes == NULL)
        return ri_fail(error, RAD_ERR_NO_MEMORY, "glszm: no memory for %zu zone sizes", n_zones);
    for (size_t z = 0; z < n_zones; z++)
        sizes[z] = zones[z].size;
    qsort(sizes, n_zones, sizeof *sizes, compare_size);
    size_t n_cols = 0;
    for (size_t z = 0; z < n_zones; z++)
        if (n_cols == 0 || sizes[n_cols - 1] != sizes[z])
            sizes[n_cols++] = sizes[z];

    m->n_rows = (size_t)grid->n_rows;
    m->n_cols = n_cols;
    m->row_level = grid->row_level;
    if (m->n_rows > RI_MAX_MATRIX_CELLS / n_cols) {
        free(sizes);
        return ri_fail(error, RAD_ERR_TOO_LARGE,
                       "glszm: %zu grey levels x %zu zone sizes exceeds %zu cells", m->n_rows,
                       n_cols, (size_t)RI_MAX_MATRIX_CELLS);
    }
    m->counts = calloc(m->n_rows * n_cols, sizeof *m->counts);
    m->col_value = malloc(n_cols * sizeof *m->col_value);
    if (m->counts == NULL || m->col_value == NULL) {
        free(sizes);
        ri_size_matrix_free(m);
        return ri_fail(error, RAD_ERR_NO_MEMORY, "glszm: no memory for a %zu x %zu matrix",
                       m->n_rows, n_cols);
    }
    for (size_t c = 0; c < n_cols; c++)
        m->col_value[c] = (double)sizes[c];

    for (size_t z = 0; z < n_zones; z++) {
        const size_t *found = bsearch(&zones[z].size, sizes, n_cols, sizeof *sizes, compare_size);
        m->counts[(size_t)zones[z].row * n_cols + (size_t)(found - sizes)] += 1.0;
    }
    free(sizes);
    return RAD_OK;
}

rad_status ri_glszm_matrix(const ri_roi *roi, ri_level_grid *grid, ri_size_matrix *m,
                           rad_error *error)
{
    memset(m, 0, sizeof *m);
    rad_status status = ri_level_grid_build(roi, grid, error);
    if (status != RAD_OK)
        return status;

    uint8_t *seen = calloc(grid->count, 1);
    size_t *stack = malloc(roi->n_voxels * sizeof *stack);
    zone *zones = malloc(roi->n_voxels * sizeof *zones);
    if (seen == NULL || stack == NULL || zones == NULL) {
        status = ri_fail(error, RAD_ERR_NO_MEMORY, "glszm: no memory for zones of %zu voxels",
                         roi->n_voxels);
    } else {
        size_t n_zones = find_zones(grid, roi->n_voxels, seen, stack, zones);
        status = fill_matrix(grid, zones, n_zones, m, error);
    }
    free(seen);
    free(stack);
    free(zones);
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
