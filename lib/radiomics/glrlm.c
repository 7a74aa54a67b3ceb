/*
 * glrlm.c - grey level run length matrix features, as pyradiomics computes them.
 *
 * P(i, j | d) counts the runs (maximal sets of consecutive ROI voxels with the
 * same grey level i along direction d) of length j. Conventions:
 * - the 13 directions of distance 1 in 3-D; each feature is computed per
 *   direction and the mean over the directions kept is returned (IBSI
 *   "3D_avg");
 * - a direction is dropped when it moves along an axis on which the ROI's
 *   bounding box is one voxel thick, or when no line along it contains two ROI
 *   voxels (pyradiomics' rule for flat ROIs);
 * - i is the discretised grey level (levels from 1; levels absent from the ROI
 *   are empty rows and change no feature); j runs from 1 to the largest extent
 *   of the ROI's bounding box;
 * - N_r(d) = sum P is the number of runs and N_p = sum j P(i, j | d) the number
 *   of voxels, so RunPercentage = N_r / N_p;
 * - p = P / N_r; GrayLevelVariance uses p(i) = sum_j p(i, j) and RunVariance
 *   p(j) = sum_i p(i, j), both about their means;
 * - RunEntropy = -sum p log2(p + eps), eps = 2^-52.
 * IBSI 1 defines the same 16 features with the same per-direction average.
 * Its other aggregation methods (textureAggregation) keep every direction,
 * a dropped one included, and merged matrices divide RunPercentage by
 * sum P j, which is the voxel count times the number of merged matrices.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aggregation.h"

static const ri_feature_def glrlm_defs[] = {
    {"ShortRunEmphasis", "rlm_sre", "22OV", 1, 0, NAN},
    {"LongRunEmphasis", "rlm_lre", "W4KF", 1, 0, NAN},
    {"GrayLevelNonUniformity", "rlm_glnu", "R5YN", 1, 0, NAN},
    {"GrayLevelNonUniformityNormalized", "rlm_glnu_norm", "OVBL", 1, 0, 1.0},
    {"RunLengthNonUniformity", "rlm_rlnu", "W92Y", 1, 0, NAN},
    {"RunLengthNonUniformityNormalized", "rlm_rlnu_norm", "IC23", 1, 0, NAN},
    {"RunPercentage", "rlm_r_perc", "9ZK5", 1, 0, NAN},
    {"GrayLevelVariance", "rlm_gl_var", "8CE5", 1, 0, 0.0},
    {"RunVariance", "rlm_rl_var", "SXLW", 1, 0, NAN},
    {"RunEntropy", "rlm_rl_entr", "HJ9O", 1, 0, NAN},
    {"LowGrayLevelRunEmphasis", "rlm_lgre", "V3SW", 1, 0, NAN},
    {"HighGrayLevelRunEmphasis", "rlm_hgre", "G3QZ", 1, 0, NAN},
    {"ShortRunLowGrayLevelEmphasis", "rlm_srlge", "HTZT", 1, 0, NAN},
    {"ShortRunHighGrayLevelEmphasis", "rlm_srhge", "GD3A", 1, 0, NAN},
    {"LongRunLowGrayLevelEmphasis", "rlm_lrlge", "IVPO", 1, 0, NAN},
    {"LongRunHighGrayLevelEmphasis", "rlm_lrhge", "3KUM", 1, 0, NAN},
};

const ri_feature_table ri_glrlm_table = {
    "glrlm", glrlm_defs, sizeof glrlm_defs / sizeof glrlm_defs[0],
};

void ri_glrlm_set_free(ri_glrlm_set *set)
{
    if (set == NULL)
        return;
    for (int d = 0; d < RI_DIRECTIONS; d++)
        ri_size_matrix_free(&set->matrices[d]);
    if (set->owns_grid)
        ri_level_grid_free(&set->grid);
    memset(&set->grid, 0, sizeof set->grid);
    set->owns_grid = 0;
}

/* Returns 1 when some line along step contains two ROI voxels, not necessarily adjacent. */
static int line_has_two_voxels(const ri_level_grid *grid, ptrdiff_t step)
{
    for (size_t p = 0; p < grid->count; p++) {
        if (grid->cells[p] <= 0)
            continue;
        for (ptrdiff_t q = (ptrdiff_t)p + step; grid->cells[q] >= 0; q += step)
            if (grid->cells[q] > 0)
                return 1;
    }
    return 0;
}

/*
 * Counts the runs of all 13 directions in one forward pass over the ROI box.
 *
 * Every direction's flat step is positive, so when voxel p is reached the
 * voxel p - step before it along each direction has been visited. A ROI
 * voxel's position in its run (1 for the first voxel) is then its
 * predecessor's position plus one when both have the same level, else 1,
 * which needs no branch. Except along x, the predecessor lies in an earlier
 * x row, so the positions of four consecutive voxels of a row are computed
 * at once with vectors. Along x, a scalar scan carries the position.
 *
 * Instead of the runs, positions[d] counts, per grey level row and position
 * k, the voxels at position k. That equals the number of runs of length
 * >= k, so runs of length exactly k are positions(k) - positions(k + 1).
 * Voxels outside the ROI count in the extra last row. A position row has
 * n_cols + 1 words because column 0 is unused.
 *
 * The position buffers store d * histogram_words + position, the offset of
 * the counter in the 13 histograms, so that each update adds only the
 * level's row_base and needs no per-direction offset in a register.
 */
typedef struct run_scratch {
    uint32_t *row_base;  /* [0..max_level] first word of the level's position row */
    int *planes;         /* per direction d, d * histogram_words + position in 2 z planes */
    size_t plane_size;   /* stride[2] + RI_INT4_LANES, because a vector block may pass the plane's end */
    int *x_positions;    /* positions along x of one row */
    uint32_t *positions; /* RI_DIRECTIONS histograms of (n_rows + 1) x (n_cols + 1) */
    size_t histogram_words;
} run_scratch;

/* The x direction, (1, 0, 0), is the last of ri_directions. */
#define X_DIRECTION (RI_DIRECTIONS - 1)

/*
 * Writes base + the positions along x of the nx voxels of the row starting
 * at cells[first].
 */
static void scan_x_positions(const int *cells, size_t first, size_t nx, int base, int *out)
{
    int position = 0;

    for (size_t x = 0; x < nx; x++) {
        int level = cells[first + x];
        int same = (level == cells[first + x - 1]) & (level > 0);
        position = (position & -same) + 1;
        out[x] = base + position;
    }
}

static void count_positions(const ri_level_grid *grid, const run_scratch *scratch)
{
    const int *cells = grid->cells;
    const size_t plane = (size_t)grid->stride[2], nx = grid->size[0] - 2;
    const size_t plane_size = scratch->plane_size, words = scratch->histogram_words;
    size_t step[RI_DIRECTIONS];
    ptrdiff_t in_plane_step[RI_DIRECTIONS]; /* negative when the step goes back in y */
    int *current[X_DIRECTION], *before[X_DIRECTION];
    /*
     * d * words. The matrix-size check in ri_glrlm_matrices bounds n_rows and
     * n_cols by 2^25 / 13 and their product too, so 13 words stay below 2^27.
     */
    int base[RI_DIRECTIONS];

    for (int d = 0; d < RI_DIRECTIONS; d++) {
        step[d] = (size_t)ri_grid_offset(grid, ri_directions[d]);
        in_plane_step[d] = (ptrdiff_t)step[d] - ri_directions[d][2] * (ptrdiff_t)plane;
        base[d] = d * (int)words;
    }

    for (size_t z = 1; z + 1 < grid->size[2]; z++) {
        /* Plane z - 1's positions are in buffer (z - 1) % 2, plane z's in z % 2. */
        for (int d = 0; d < X_DIRECTION; d++) {
            int *buffers = scratch->planes + (size_t)d * 2 * plane_size;
            current[d] = buffers + (z % 2) * plane_size;
            before[d] = ri_directions[d][2] != 0 ? buffers + ((z - 1) % 2) * plane_size
                                                 : current[d];
        }
        for (size_t y = 1; y + 1 < grid->size[1]; y++) {
            size_t in_plane = 1 + y * (size_t)grid->stride[1];
            size_t first = in_plane + z * plane;

            for (int d = 0; d < X_DIRECTION; d++) {
                const int *source = before[d] + ((ptrdiff_t)in_plane - in_plane_step[d]);
                int *target = current[d] + in_plane;
                const ri_int4 offset = {base[d], base[d], base[d], base[d]};

                /* The stored value is base[d] + position, so the mask applies to the position. */
                for (size_t x = 0; x < nx; x += RI_INT4_LANES) {
                    ri_int4 level = ri_load_int4(cells + first + x);
                    ri_int4 same = (ri_load_int4(cells + first + x - step[d]) == level) &
                                   (level > 0);
                    ri_int4 position = ((ri_load_int4(source + x) - offset) & same) + offset + 1;
                    memcpy(target + x, &position, sizeof position);
                }
            }
            scan_x_positions(cells, first, nx, base[X_DIRECTION], scratch->x_positions);

            for (size_t x = 0; x < nx; x++) {
                uint32_t *positions = scratch->positions + scratch->row_base[cells[first + x]];
#pragma GCC unroll 12
                for (int d = 0; d < X_DIRECTION; d++)
                    positions[(uint32_t)current[d][in_plane + x]]++;
                positions[(uint32_t)scratch->x_positions[x]]++;
            }
        }
    }
}

/* Converts the position counts of one direction into the run lengths of m. */
static void runs_from_positions(const uint32_t *positions, ri_size_matrix *m)
{
    size_t n_cols = m->n_cols;

    for (size_t r = 0; r < m->n_rows; r++) {
        const uint32_t *row = positions + r * (n_cols + 1);
        double *counts = m->counts + r * n_cols;

        for (size_t length = 1; length < n_cols; length++)
            counts[length - 1] = (double)(row[length] - row[length + 1]);
        counts[n_cols - 1] = (double)row[n_cols];
    }
}

static void run_scratch_free(run_scratch *scratch)
{
    free(scratch->row_base);
    free(scratch->planes);
    free(scratch->x_positions);
    free(scratch->positions);
}

static int run_scratch_alloc(const ri_level_grid *grid, int max_level, size_t n_cols,
                             run_scratch *scratch)
{
    size_t n_rows = (size_t)grid->n_rows;

    memset(scratch, 0, sizeof *scratch);
    scratch->plane_size = (size_t)grid->stride[2] + RI_INT4_LANES;
    scratch->histogram_words = (n_rows + 1) * (n_cols + 1);
    scratch->row_base = malloc(((size_t)max_level + 1) * sizeof *scratch->row_base);
    /* Zeroed because positions of padding cells are read, though masked out. */
    scratch->planes = calloc(scratch->plane_size * 2 * X_DIRECTION, sizeof *scratch->planes);
    scratch->x_positions = malloc(grid->size[0] * sizeof *scratch->x_positions);
    scratch->positions = calloc(scratch->histogram_words * RI_DIRECTIONS,
                                sizeof *scratch->positions);
    if (scratch->row_base == NULL || scratch->planes == NULL || scratch->x_positions == NULL ||
        scratch->positions == NULL) {
        run_scratch_free(scratch);
        return 0;
    }
    scratch->row_base[0] = (uint32_t)(n_rows * (n_cols + 1));
    for (int level = 1; level <= max_level; level++) {
        int row = grid->row_of_level[level];
        /* Absent levels never occur in the grid, so they share the outside row. */
        scratch->row_base[level] = (uint32_t)((row >= 0 ? (size_t)row : n_rows) * (n_cols + 1));
    }
    return 1;
}

static int direction_allowed(const ri_level_grid *grid, const int step[3])
{
    for (int axis = 0; axis < 3; axis++)
        if (step[axis] != 0 && grid->roi_extent[axis] < 2)
            return 0;
    return 1;
}

/* Returns 1 when two voxels of the same level are neighbours along the direction. */
static int has_run_of_two(const uint32_t *positions, size_t n_rows, size_t n_cols)
{
    for (size_t r = 0; r < n_rows; r++)
        if (n_cols >= 2 && positions[r * (n_cols + 1) + 2] > 0)
            return 1;
    return 0;
}

rad_status ri_glrlm_matrices(const ri_roi *roi, ri_glrlm_set *set, rad_error *error)
{
    ri_level_grid grid;

    memset(set, 0, sizeof *set);
    rad_status status = ri_level_grid_build(roi, &grid, error);
    if (status != RAD_OK)
        return status;
    status = ri_glrlm_matrices_grid(&grid, set, error);
    if (status != RAD_OK) {
        ri_level_grid_free(&grid);
        return status;
    }
    set->owns_grid = 1;
    return RAD_OK;
}

rad_status ri_glrlm_matrices_grid(const ri_level_grid *level_grid, ri_glrlm_set *set,
                                  rad_error *error)
{
    memset(set, 0, sizeof *set);
    set->grid = *level_grid;

    const ri_level_grid *grid = &set->grid;
    size_t n_cols = grid->roi_extent[0];
    for (int axis = 1; axis < 3; axis++)
        if (grid->roi_extent[axis] > n_cols)
            n_cols = grid->roi_extent[axis];
    size_t n_rows = (size_t)grid->n_rows;
    if (n_rows > RI_MAX_MATRIX_CELLS / RI_DIRECTIONS / n_cols) {
        ri_glrlm_set_free(set);
        return ri_fail(error, RAD_ERR_TOO_LARGE,
                       "glrlm: %zu grey levels x %zu run lengths x 13 directions exceeds %zu cells",
                       n_rows, n_cols, (size_t)RI_MAX_MATRIX_CELLS);
    }

    /*
     * Position counts fit in 32 bits because a grid has at most RI_MAX_VOXELS
     * cells. Histogram word indices fit too, because the check above bounds
     * n_rows x n_cols by RI_MAX_MATRIX_CELLS / 13.
     */
    run_scratch scratch;
    if (!run_scratch_alloc(grid, grid->max_level, n_cols, &scratch)) {
        ri_glrlm_set_free(set);
        return ri_fail(error, RAD_ERR_NO_MEMORY,
                       "glrlm: no memory for 13 run histograms of %zu x %zu", n_rows, n_cols);
    }
    count_positions(grid, &scratch);

    for (int d = 0; d < RI_DIRECTIONS; d++) {
        ri_size_matrix *m = &set->matrices[d];
        m->n_rows = n_rows;
        m->n_cols = n_cols;
        m->row_level = grid->row_level;
        m->counts = calloc(n_rows * n_cols, sizeof *m->counts);
        m->col_value = malloc(n_cols * sizeof *m->col_value);
        if (m->counts == NULL || m->col_value == NULL) {
            run_scratch_free(&scratch);
            ri_glrlm_set_free(set);
            return ri_fail(error, RAD_ERR_NO_MEMORY, "glrlm: no memory for a %zu x %zu matrix",
                           n_rows, n_cols);
        }
        for (size_t c = 0; c < n_cols; c++)
            m->col_value[c] = (double)(c + 1);

        if (!direction_allowed(grid, ri_directions[d]))
            continue;
        /* The direction is valid when some line along it has two ROI voxels.
         * A run of length 2 or more shows that without scanning the lines. */
        const uint32_t *positions = scratch.positions + (size_t)d * scratch.histogram_words;
        ptrdiff_t step = ri_grid_offset(grid, ri_directions[d]);
        if (has_run_of_two(positions, n_rows, n_cols) || line_has_two_voxels(grid, step)) {
            set->valid[d] = 1;
            runs_from_positions(positions, m);
        }
    }
    run_scratch_free(&scratch);
    return RAD_OK;
}

/*
 * weightingNorm: the valid directions' matrices summed with weight d (the
 * direction's norm in mm, or 1), one set of features from the sum. Run
 * percentage divides by sum P j of the summed matrix (pyradiomics 3.x's Np),
 * which is the voxel count times the sum of the weights.
 */
static rad_status weighted_features(const ri_roi *roi, const ri_settings *settings,
                                    ri_glrlm_set *set, double *out, rad_error *error)
{
    ri_size_matrix sum = set->matrices[0];
    size_t cells = sum.n_rows * sum.n_cols;
    ri_size_sums sums;
    int n_used = 0;
    rad_status status;

    sum.counts = calloc(cells ? cells : 1, sizeof *sum.counts);
    if (sum.counts == NULL)
        return ri_fail(error, RAD_ERR_NO_MEMORY, "glrlm: no memory for a %zu x %zu matrix",
                       sum.n_rows, sum.n_cols);
    for (int d = 0; d < RI_DIRECTIONS; d++) {
        if (!set->valid[d] || ri_step_excluded_2d(settings, ri_directions[d]))
            continue;
        double weight = ri_direction_weight(settings, roi->spacing, ri_directions[d], 0);
        for (size_t c = 0; c < cells; c++)
            sum.counts[c] += weight * set->matrices[d].counts[c];
        n_used++;
    }
    status = ri_size_matrix_sums(&sum, &sums, error);
    free(sum.counts);
    if (status != RAD_OK)
        return status;
    if (n_used == 0 || !(sums.total > 0))
        return ri_fail(error, RAD_ERR_EMPTY_ROI,
                       "glrlm: no direction has two ROI voxels on one line (ROI of %zu voxels)",
                       roi->n_voxels);
    ri_size_features(&sums, sums.weighted_j, out);
    return RAD_OK;
}

rad_status ri_glrlm(const ri_roi *roi, const ri_settings *settings, double *out, rad_error *error)
{
    return ri_glrlm_on_grid(roi, NULL, settings, out, error);
}

rad_status ri_glrlm_on_grid(const ri_roi *roi, const ri_level_grid *grid,
                            const ri_settings *settings, double *out, rad_error *error)
{
    if (out == NULL)
        return ri_fail(error, RAD_ERR_ARGUMENT, "glrlm: out must not be NULL");

    ri_glrlm_set set;
    rad_status status = grid != NULL ? ri_glrlm_matrices_grid(grid, &set, error)
                                     : ri_glrlm_matrices(roi, &set, error);
    if (status != RAD_OK)
        return status;

    /* NULL settings (kernel tests): pyradiomics' defaults. */
    if (settings != NULL && settings->weighting_norm != RI_WEIGHTING_NONE) {
        status = weighted_features(roi, settings, &set, out, error);
        ri_glrlm_set_free(&set);
        return status;
    }

    double mean[RI_SIZE_FEATURES] = {0};
    int n_used = 0;
    for (int d = 0; d < RI_DIRECTIONS && status == RAD_OK; d++) {
        /* force2D: pyradiomics keeps only the directions within a slice. */
        if (!set.valid[d] || ri_step_excluded_2d(settings, ri_directions[d]))
            continue;
        ri_size_sums sums;
        status = ri_size_matrix_sums(&set.matrices[d], &sums, error);
        if (status != RAD_OK || sums.total <= 0.0)
            continue;
        double values[RI_SIZE_FEATURES];
        ri_size_features(&sums, sums.weighted_j, values);
        for (int f = 0; f < RI_SIZE_FEATURES; f++)
            mean[f] += values[f];
        n_used++;
    }
    ri_glrlm_set_free(&set);
    if (status != RAD_OK)
        return status;
    if (n_used == 0)
        return ri_fail(error, RAD_ERR_EMPTY_ROI,
                       "glrlm: no direction has two ROI voxels on one line (ROI of %zu voxels)",
                       roi->n_voxels);

    for (int f = 0; f < RI_SIZE_FEATURES; f++)
        out[f] = mean[f] / n_used;
    return RAD_OK;
}

/* Number of the 13 directions that lie in an axial plane (dz = 0). */
#define IN_PLANE_DIRECTIONS 4

/*
 * Adds the runs along direction d of set to merge. A direction that
 * pyradiomics drops (valid[d] = 0) has no two ROI voxels adjacent along it,
 * so each ROI voxel is a run of length 1. Its matrix is then the grey-level
 * histogram in column 1, which IBSI counts.
 */
static rad_status add_direction(const ri_glrlm_set *set, int d, ri_size_merge *merge,
                                rad_error *error)
{
    if (set->valid[d])
        return ri_size_merge_add(merge, &set->matrices[d], error);

    const ri_level_grid *grid = &set->grid;
    double *histogram = calloc((size_t)grid->n_rows + 1, sizeof *histogram);
    if (histogram == NULL)
        return ri_fail(error, RAD_ERR_NO_MEMORY, "glrlm: no memory for %d grey levels",
                       grid->n_rows);
    for (size_t p = 0; p < grid->count; p++)
        if (grid->cells[p] > 0)
            histogram[grid->row_of_level[grid->cells[p]]] += 1.0;
    rad_status status = RAD_OK;
    for (int r = 0; r < grid->n_rows && status == RAD_OK; r++)
        if (histogram[r] > 0.0)
            status = ri_size_merge_add_cell(merge, grid->row_level[r], 1.0, histogram[r], error);
    free(histogram);
    return status;
}

/* Adds the features of the merged runs to mean when there is a run. */
static rad_status add_merged_features(const ri_size_merge *merge, ri_feature_mean *mean,
                                      int *n_used, rad_error *error)
{
    ri_size_matrix m;
    ri_size_sums sums;
    rad_status status = ri_size_merge_build(merge, &m, &sums, error);
    ri_size_merge_matrix_free(&m);
    if (status != RAD_OK || !(sums.total > 0))
        return status;
    double values[RI_SIZE_FEATURES];
    ri_size_features(&sums, sums.weighted_j, values);
    ri_feature_mean_add(mean, values);
    (*n_used)++;
    return RAD_OK;
}

/* Merges the 13 direction matrices of the volume (3D_comb). grid is NULL or roi's level grid. */
static rad_status merge_3d(const ri_roi *roi, const ri_level_grid *grid, ri_size_merge *merge,
                           rad_error *error)
{
    ri_glrlm_set set;
    rad_status status = grid != NULL ? ri_glrlm_matrices_grid(grid, &set, error)
                                     : ri_glrlm_matrices(roi, &set, error);
    if (status != RAD_OK)
        return status; /* ri_glrlm_matrices frees set on failure */
    for (int d = 0; d < RI_DIRECTIONS && status == RAD_OK; d++)
        status = add_direction(&set, d, merge, error);
    ri_glrlm_set_free(&set);
    return status;
}

/*
 * Runs the 2-D and 2.5-D methods over the axial slices and the 4 in-plane
 * directions. merge and by_direction[] are empty on entry. slice_grids is
 * NULL or the level grids of the slices.

 */
static rad_status aggregate_slices(const ri_roi *roi, const ri_level_grid *slice_grids,
                                   ri_aggregation method, ri_size_merge *merge,
                                   ri_size_merge by_direction[IN_PLANE_DIRECTIONS],
                                   ri_feature_mean *mean, int *n_used, rad_error *error)
{
    rad_status status = RAD_OK;

    for (size_t z = 0; z < roi->size[2] && status == RAD_OK; z++) {
        ri_roi slice;
        if (ri_roi_slice(roi, z, &slice) == 0)
            continue;
        ri_glrlm_set set;
        if (slice_grids != NULL && slice_grids[z].cells != NULL)
            status = ri_glrlm_matrices_grid(&slice_grids[z], &set, error);
        else
            status = ri_glrlm_matrices(&slice, &set, error);
        if (status != RAD_OK)
            return status;
        if (method == RI_AGG_2D_COMB)
            ri_size_merge_clear(merge);
        for (int d = 0, k = 0; d < RI_DIRECTIONS && status == RAD_OK; d++) {
            if (ri_directions[d][2] != 0)
                continue;
            if (method == RI_AGG_2D_AVG) {
                ri_size_merge_clear(merge);
                status = add_direction(&set, d, merge, error);
                if (status == RAD_OK)
                    status = add_merged_features(merge, mean, n_used, error);
            } else if (method == RI_AGG_2_5D_AVG) {
                status = add_direction(&set, d, &by_direction[k], error);
            } else {
                status = add_direction(&set, d, merge, error);
            }
            k++;
        }
        if (status == RAD_OK && method == RI_AGG_2D_COMB)
            status = add_merged_features(merge, mean, n_used, error);
        ri_glrlm_set_free(&set);
    }
    if (status == RAD_OK && method == RI_AGG_2_5D_COMB)
        status = add_merged_features(merge, mean, n_used, error);
    for (int k = 0; k < IN_PLANE_DIRECTIONS && status == RAD_OK && method == RI_AGG_2_5D_AVG; k++)
        status = add_merged_features(&by_direction[k], mean, n_used, error);
    return status;
}

rad_status ri_glrlm_aggregated(const ri_roi *roi, const ri_settings *settings,
                               ri_aggregation method, double *out, rad_error *error)
{
    return ri_glrlm_aggregated_on_grids(roi, NULL, settings, method, out, error);
}

rad_status ri_glrlm_aggregated_on_grids(const ri_roi *roi, const ri_texture_grids *grids,
                                        const ri_settings *settings, ri_aggregation method,
                                        double *out, rad_error *error)
{
    const ri_level_grid *volume = grids != NULL ? grids->volume : NULL;
    const ri_level_grid *slice_grids = grids != NULL ? grids->slices : NULL;

    if (method == RI_AGG_3D_AVG)
        return ri_glrlm_on_grid(roi, volume, settings, out, error);
    if (out == NULL)
        return ri_fail(error, RAD_ERR_ARGUMENT, "glrlm: out must not be NULL");

    ri_size_merge merge = {0};
    ri_size_merge by_direction[IN_PLANE_DIRECTIONS];
    ri_feature_mean mean;
    int n_used = 0;
    rad_status status;

    memset(by_direction, 0, sizeof by_direction);
    ri_feature_mean_init(&mean, RI_SIZE_FEATURES);
    if (method == RI_AGG_3D_COMB) {
        status = merge_3d(roi, volume, &merge, error);
        if (status == RAD_OK)
            status = add_merged_features(&merge, &mean, &n_used, error);
    } else {
        status = aggregate_slices(roi, slice_grids, method, &merge, by_direction, &mean, &n_used,
                                  error);
    }
    ri_size_merge_free(&merge);
    for (int k = 0; k < IN_PLANE_DIRECTIONS; k++)
        ri_size_merge_free(&by_direction[k]);
    if (status != RAD_OK)
        return status;
    if (n_used == 0)
        return ri_fail(error, RAD_ERR_EMPTY_ROI, "glrlm: the ROI of %zu voxels has no run",
                       roi->n_voxels);
    ri_feature_mean_get(&mean, out);
    return RAD_OK;
}
