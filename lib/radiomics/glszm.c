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
#include <pthread.h>
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
 * Number of bit masks of a voxel's 13 back neighbours (earlier in memory
 * order). Bit d of a mask is the neighbour back along ri_directions[d].
 */
#define BACK_MASKS (1u << RI_DIRECTIONS)
#define X_BACK_BIT (1u << 12) /* the voxel before along x, (1, 0, 0) */
#define NOT_A_VOXEL UINT32_MAX /* parent of a box cell outside the ROI */
#define SIZE_LANES 4           /* counters per zone while the sizes are counted */

/*
 * Returns one bit per connected group of the back neighbours in same, two
 * neighbours being connected when they are 26-neighbours of each other.
 * The group of the x predecessor is given by X_BACK_BIT. Neighbours of one
 * group have the voxel's level and touch, so they are in one zone already.
 */
static uint32_t group_representatives(uint32_t same, const uint32_t touching[RI_DIRECTIONS])
{
    uint32_t representatives = 0, remaining = same;

    while (remaining != 0) {
        int first = remaining & X_BACK_BIT ? 12 : __builtin_ctz(remaining);
        uint32_t group = 1u << first, frontier = group;

        while (frontier != 0) {
            int d = __builtin_ctz(frontier);
            uint32_t added = touching[d] & remaining & ~group;
            frontier = (frontier & (frontier - 1)) | added;
            group |= added;
        }
        representatives |= 1u << first;
        remaining &= ~group;
    }
    return representatives;
}

/* Fills touching[d]: the back neighbours that are 26-neighbours of back neighbour d. */
static void back_neighbour_adjacency(uint32_t touching[RI_DIRECTIONS])
{
    for (int d = 0; d < RI_DIRECTIONS; d++) {
        touching[d] = 0;
        for (int e = 0; e < RI_DIRECTIONS; e++) {
            int close = e != d;
            for (int axis = 0; axis < 3; axis++)
                close &= abs(ri_directions[d][axis] - ri_directions[e][axis]) <= 1;
            touching[d] |= (uint32_t)close << e;
        }
    }
}

/*
 * group_representatives of every mask, built once per process because it
 * depends on no ROI. Building it costs about 0.9 million instructions
 * (callgrind), about what one GLSZM of a 49^3-voxel ROI spent when each
 * GLSZM filled its own table on the fly.
 */
static uint16_t representatives_of_mask[BACK_MASKS];
static pthread_once_t representatives_once = PTHREAD_ONCE_INIT;

static void build_representatives(void)
{
    uint32_t touching[RI_DIRECTIONS];

    back_neighbour_adjacency(touching);
    for (uint32_t mask = 0; mask < BACK_MASKS; mask++)
        representatives_of_mask[mask] = (uint16_t)group_representatives(mask, touching);
}

/*
 * Labels the zones in one scan. Each ROI voxel is joined to those of its 13
 * back neighbours with the same level. Of the neighbours that touch
 * each other only one is joined, because the earlier voxels of one level
 * that touch are in one zone already. A root is the zone's first voxel in
 * memory order. Returns the number of zones, where zone k has grey level
 * zone_level[k] and zone_size[k] voxels. parent and zone_of have
 * grid->count entries, zone_level one per ROI voxel, zone_size
 * SIZE_LANES per ROI voxel and same size[0] + RI_INT4_LANES entries. None
 * needs to be zeroed.
 */
static size_t label_zones(const ri_level_grid *grid, uint32_t *parent, uint32_t *zone_of,
                          uint32_t *zone_level, uint32_t *zone_size, uint32_t *same)
{
    size_t back[RI_DIRECTIONS];
    for (int d = 0; d < RI_DIRECTIONS; d++)
        back[d] = (size_t)ri_grid_offset(grid, ri_directions[d]); /* > 0 for every direction */

    const int *cells = grid->cells;
    pthread_once(&representatives_once, build_representatives);

    size_t nx = grid->size[0] - 2;
    for (size_t z = 1; z + 1 < grid->size[2]; z++) {
        for (size_t y = 1; y + 1 < grid->size[1]; y++) {
            size_t first = 1 + y * (size_t)grid->stride[1] + z * (size_t)grid->stride[2];

            /* Bit d of same[x]: the neighbour back along direction d has the voxel's level. */
            for (size_t x = 0; x < nx; x += RI_INT4_LANES) {
                const int *block = cells + first + x;
                ri_int4 centre = ri_load_int4(block), bits = {0, 0, 0, 0};
#pragma GCC unroll 13
                for (int d = 0; d < RI_DIRECTIONS; d++)
                    bits |= (ri_load_int4(block - back[d]) == centre) & (1 << d);
                memcpy(same + x, &bits, sizeof bits);
            }

            for (size_t x = 0; x < nx; x++) {
                size_t p = first + x;
                if (cells[p] <= 0) {
                    parent[p] = NOT_A_VOXEL;
                    continue;
                }
                if (same[x] == 0) {
                    parent[p] = (uint32_t)p; /* the first voxel of a new zone */
                    continue;
                }
                uint32_t links = representatives_of_mask[same[x]];

                /* The x predecessor's parent is its root, set one step ago. */
                uint32_t root;
                if (links & X_BACK_BIT) {
                    root = parent[p - 1];
                    links &= ~X_BACK_BIT;
                } else {
                    root = find_root(parent, (uint32_t)(p - back[__builtin_ctz(links)]));
                    links &= links - 1;
                }
                while (links != 0) {
                    int d = __builtin_ctz(links);
                    links &= links - 1;
                    uint32_t other = find_root(parent, (uint32_t)(p - back[d]));
                    if (other < root) {
                        parent[root] = other;
                        root = other;
                    } else if (other > root) {
                        parent[other] = root;
                    }
                }
                parent[p] = root;
            }
        }
    }

    /*
     * A link always points to a smaller index, so in increasing order each
     * voxel's parent already points to its root when the voxel is reached,
     * and a root is reached before the other voxels of its zone. A root
     * opens zone k = n_zones (zone_of[root] = k, stored for roots only
     * because only roots are looked up), and later voxels add one to their
     * root's zone. Voxel p counts in lane p % 4 of the zone's
     * SIZE_LANES counters, so consecutive voxels of one zone update
     * different words instead of waiting for each other's store.

     */
    size_t n_zones = 0;
    for (size_t z = 1; z + 1 < grid->size[2]; z++) {
        for (size_t y = 1; y + 1 < grid->size[1]; y++) {
            size_t first = 1 + y * (size_t)grid->stride[1] + z * (size_t)grid->stride[2];
            for (size_t p = first; p < first + nx; p++) {
                if (cells[p] <= 0)
                    continue;
                uint32_t root = parent[parent[p]];
                parent[p] = root;
                uint32_t k;
                if (root == p) {
                    k = (uint32_t)n_zones++;
                    zone_of[p] = k;
                    zone_level[k] = (uint32_t)cells[p];
                    memset(zone_size + (size_t)k * SIZE_LANES, 0, SIZE_LANES * sizeof *zone_size);
                } else {
                    k = zone_of[root];
                }
                zone_size[(size_t)k * SIZE_LANES + p % SIZE_LANES]++;
            }
        }
    }

    /* Zone k's total goes to zone_size[k], which no later zone's lanes use. */
    for (size_t k = 0; k < n_zones; k++) {
        uint32_t total = 0;
        for (int lane = 0; lane < SIZE_LANES; lane++)
            total += zone_size[k * SIZE_LANES + (size_t)lane];
        zone_size[k] = total;
    }
    return n_zones;
}

/*
 * Fills m from the zones, where zone k has grey level level[k] and size[k]
 * voxels. m gets one column per distinct zone size, in increasing order. The
 * sizes present are marked in column_of_size, which spans 0..the largest zone size.
 */
static rad_status fill_matrix(const ri_level_grid *grid, const uint32_t *level,
                              const uint32_t *size, size_t n_zones, ri_size_matrix *m,
                              rad_error *error)
{
    uint32_t max_size = 0;
    for (size_t k = 0; k < n_zones; k++)
        max_size = size[k] > max_size ? size[k] : max_size;
    uint32_t *column_of_size = calloc((size_t)max_size + 1, sizeof *column_of_size);
    if (column_of_size == NULL)
        return ri_fail(error, RAD_ERR_NO_MEMORY, "glszm: no memory for %zu zone sizes",
                       (size_t)max_size + 1);
    for (size_t k = 0; k < n_zones; k++)
        column_of_size[size[k]] = 1;
    size_t n_cols = 0;
    for (size_t j = 1; j <= max_size; j++)
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
    for (size_t j = 1; j <= max_size; j++) {
        if (!column_of_size[j])
            continue;
        m->col_value[c] = (double)j;
        column_of_size[j] = (uint32_t)c++;
    }

    for (size_t k = 0; k < n_zones; k++) {
        size_t row = (size_t)grid->row_of_level[level[k]];
        m->counts[row * n_cols + column_of_size[size[k]]] += 1.0;
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
    status = ri_glszm_matrix_grid(grid, roi->n_voxels, m, error);
    if (status != RAD_OK)
        ri_level_grid_free(grid);
    return status;
}

rad_status ri_glszm_matrix_grid(const ri_level_grid *grid, size_t n_voxels, ri_size_matrix *m,
                                rad_error *error)
{
    rad_status status;

    memset(m, 0, sizeof *m);
    /* Voxel indices fit in uint32_t because a grid has at most RI_MAX_VOXELS cells. */
    uint32_t *parent = malloc(grid->count * sizeof *parent);
    uint32_t *zone_of = malloc(grid->count * sizeof *zone_of);
    uint32_t *zones = malloc((1 + SIZE_LANES) * n_voxels * sizeof *zones);
    uint32_t *same = malloc((grid->size[0] + RI_INT4_LANES) * sizeof *same);
    if (parent == NULL || zone_of == NULL || zones == NULL || same == NULL) {
        status = ri_fail(error, RAD_ERR_NO_MEMORY, "glszm: no memory for zones of %zu voxels",
                         n_voxels);
        goto done;
    }
    uint32_t *zone_level = zones, *zone_size = zones + n_voxels;
    size_t n_zones = label_zones(grid, parent, zone_of, zone_level, zone_size, same);
    status = fill_matrix(grid, zone_level, zone_size, n_zones, m, error);

done:
    free(parent);
    free(zone_of);
    free(zones);
    free(same);
    return status;
}

rad_status ri_glszm(const ri_roi *roi, const ri_settings *settings, double *out, rad_error *error)
{
    return ri_glszm_on_grid(roi, NULL, settings, out, error);
}

rad_status ri_glszm_on_grid(const ri_roi *roi, const ri_level_grid *shared,
                            const ri_settings *settings, double *out, rad_error *error)
{
    (void)settings; /* pyradiomics' GLSZM uses no texture setting besides the binning */
    if (out == NULL)
        return ri_fail(error, RAD_ERR_ARGUMENT, "glszm: out must not be NULL");

    ri_level_grid grid;
    ri_size_matrix m;
    rad_status status;

    memset(&grid, 0, sizeof grid); /* stays empty with a shared grid, so freeing it is a no-op */
    if (shared != NULL)
        status = ri_glszm_matrix_grid(shared, roi->n_voxels, &m, error);
    else
        status = ri_glszm_matrix(roi, &grid, &m, error);
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

/* Adds the GLSZM of one slice to merge. shared is NULL or the slice's level grid. */
static rad_status add_slice_matrix(const ri_roi *slice, const ri_level_grid *shared,
                                   const void *context, ri_size_merge *merge, rad_error *error)
{
    (void)context;
    ri_level_grid grid;
    ri_size_matrix m;
    rad_status status;

    memset(&grid, 0, sizeof grid); /* stays empty with a shared grid, so freeing it is a no-op */
    if (shared != NULL && shared->cells != NULL)
        status = ri_glszm_matrix_grid(shared, slice->n_voxels, &m, error);
    else
        status = ri_glszm_matrix(slice, &grid, &m, error);
    if (status != RAD_OK)
        return status;
    status = ri_size_merge_add(merge, &m, error);
    ri_size_matrix_free(&m);
    ri_level_grid_free(&grid);
    return status;
}

/* Calls ri_size_features with the signature of ri_size_features_fn. */

static void size_features(const ri_size_matrix *m, const ri_size_sums *sums, double n_voxels,
                          double *out)
{
    (void)m;
    ri_size_features(sums, n_voxels, out);
}

rad_status ri_glszm_aggregated(const ri_roi *roi, const ri_settings *settings,
                               ri_aggregation method, double *out, rad_error *error)
{
    return ri_glszm_aggregated_on_grids(roi, NULL, settings, method, out, error);
}

rad_status ri_glszm_aggregated_on_grids(const ri_roi *roi, const ri_texture_grids *grids,
                                        const ri_settings *settings, ri_aggregation method,
                                        double *out, rad_error *error)
{
    if (method == RI_AGG_3D_AVG || method == RI_AGG_3D_COMB)
        return ri_glszm_on_grid(roi, grids != NULL ? grids->volume : NULL, settings, out, error);
    if (out == NULL)
        return ri_fail(error, RAD_ERR_ARGUMENT, "glszm: out must not be NULL");
    ri_aggregation slices = method <= RI_AGG_2D_COMB ? RI_AGG_2D_AVG : RI_AGG_2_5D_AVG;
    return ri_size_aggregate_slices(roi, slices, grids != NULL ? grids->slices : NULL,
                                    add_slice_matrix, NULL, size_features,
                                    RI_SIZE_FEATURES, "glszm", out, error);
}
