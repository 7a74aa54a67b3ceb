/* texture.c - level grid, direction tables and size-matrix sums for GLRLM, GLSZM and GLDM. */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "texture.h"

const int ri_directions[RI_DIRECTIONS][3] = {
    {1, 1, 1},  {0, 1, 1},  {-1, 1, 1},  {1, 0, 1},  {0, 0, 1},  {-1, 0, 1}, {1, -1, 1},
    {0, -1, 1}, {-1, -1, 1}, {1, 1, 0},  {0, 1, 0},  {-1, 1, 0}, {1, 0, 0},
};

const int ri_neighbours[RI_NEIGHBOURS][3] = {
    {1, 1, 1},    {0, 1, 1},    {-1, 1, 1},   {1, 0, 1},    {0, 0, 1},    {-1, 0, 1},
    {1, -1, 1},   {0, -1, 1},   {-1, -1, 1},  {1, 1, 0},    {0, 1, 0},    {-1, 1, 0},
    {1, 0, 0},    {-1, -1, -1}, {0, -1, -1},  {1, -1, -1},  {-1, 0, -1},  {0, 0, -1},
    {1, 0, -1},   {-1, 1, -1},  {0, 1, -1},   {1, 1, -1},   {-1, -1, 0},  {0, -1, 0},
    {1, -1, 0},   {-1, 0, 0},
};

void ri_level_grid_free(ri_level_grid *grid)
{
    if (grid == NULL)
        return;
    free(grid->cells);
    free(grid->row_of_level);
    free(grid->row_level);
    memset(grid, 0, sizeof *grid);
}

static rad_status check_roi(const ri_roi *roi, rad_error *error)
{
    if (roi == NULL || roi->mask == NULL || roi->levels == NULL)
        return ri_fail(error, RAD_ERR_ARGUMENT, "texture: roi, roi->mask and roi->levels must not be NULL");
    if (roi->n_voxels == 0)
        return ri_fail(error, RAD_ERR_EMPTY_ROI, "texture: the ROI has no voxel");
    if (roi->max_level < 1)
        return ri_fail(error, RAD_ERR_ARGUMENT, "texture: roi->max_level is %d, expected >= 1",
                       roi->max_level);
    for (int axis = 0; axis < 3; axis++) {
        if (roi->size[axis] == 0 || roi->size[axis] > RI_MAX_VOXELS)
            return ri_fail(error, RAD_ERR_ARGUMENT, "texture: roi->size[%d] is %zu, expected 1..%zu",
                           axis, roi->size[axis], (size_t)RI_MAX_VOXELS);
    }
    return RAD_OK;
}

/*
 * Sets the padding planes, the padding rows of the other planes and the
 * cells after the grid to -1. fill_cells sets the padding at the row ends.
 */
static void pad_cells(ri_level_grid *grid)
{
    size_t plane = (size_t)grid->stride[2], row = (size_t)grid->stride[1];
    size_t last_plane = (grid->size[2] - 1) * plane;

    /* 0xff bytes are -1 in two's complement. */
    memset(grid->cells, 0xff, plane * sizeof *grid->cells);
    memset(grid->cells + last_plane, 0xff, (plane + RI_INT4_LANES) * sizeof *grid->cells);
    for (size_t z = 1; z + 1 < grid->size[2]; z++) {
        memset(grid->cells + z * plane, 0xff, row * sizeof *grid->cells);
        memset(grid->cells + z * plane + plane - row, 0xff, row * sizeof *grid->cells);
    }
}

/* Copies the levels into the padded cells and records the ROI's bounding box and levels present. */
static rad_status fill_cells(const ri_roi *roi, ri_level_grid *grid, unsigned char *present,
                             rad_error *error)
{
    size_t lo[3] = {SIZE_MAX, SIZE_MAX, SIZE_MAX}, hi[3] = {0, 0, 0};
    size_t n_inside = 0, index = 0;
    const unsigned max_level = (unsigned)roi->max_level; /* local, so stores to row force no reload */

    for (size_t z = 0; z < roi->size[2]; z++)
        for (size_t y = 0; y < roi->size[1]; y++, index += roi->size[0]) {
            int *row = grid->cells + 1 + grid->stride[1] * (ptrdiff_t)(y + 1) +
                       grid->stride[2] * (ptrdiff_t)(z + 1);
            const uint8_t *mask = roi->mask + index;
            const int *levels = roi->levels + index;
            row[-1] = -1; /* the padding at both ends of the row */
            row[roi->size[0]] = -1;
            size_t row_lo = 0, row_hi = roi->size[0], row_count = 0;
            unsigned bad = 0;

            /*
             * Branch-free copy, where a voxel outside the mask gets level 0. GCC 12

             * at -O2 leaves the scalar loop unvectorised (mixed element widths
             * and a possible overlap of row and levels), so four voxels at a
             * time go through vector extensions. A lane of inside is -1 in
             * the ROI and 0 outside.
             */
            size_t x = 0;
            ri_int4 bad_lanes = {0, 0, 0, 0}, count_lanes = {0, 0, 0, 0};
            const ri_uint4 max_lanes = {max_level, max_level, max_level, max_level};
            for (; x + RI_INT4_LANES <= roi->size[0]; x += RI_INT4_LANES) {
                ri_uint8x4 mask_lanes;
                memcpy(&mask_lanes, mask + x, sizeof mask_lanes);
                ri_int4 inside = __builtin_convertvector(mask_lanes, ri_int4) != 0;
                ri_int4 level = ri_load_int4(levels + x) & inside;
                memcpy(row + x, &level, sizeof level);
                bad_lanes |= inside & ((ri_uint4)(level - 1) >= max_lanes);
                count_lanes -= inside;
            }
            for (int lane = 0; lane < RI_INT4_LANES; lane++) {
                bad |= (unsigned)bad_lanes[lane];
                row_count += (size_t)count_lanes[lane];
            }
            for (; x < roi->size[0]; x++) {
                int inside = mask[x] != 0;
                int level = levels[x] & -inside;
                row[x] = level;
                bad |= (unsigned)inside & ((unsigned)(level - 1) >= max_level);
                row_count += (size_t)inside;
            }
            if (bad) {
                for (size_t x = 0; x < roi->size[0]; x++)
                    if (mask[x] && (levels[x] < 1 || levels[x] > roi->max_level))
                        return ri_fail(error, RAD_ERR_ARGUMENT,
                                       "texture: grey level %d at voxel (%zu, %zu, %zu) is outside 1..%d",
                                       levels[x], x, y, z, roi->max_level);
            }
            if (row_count == 0)
                continue;
            /* present[0] is set by voxels outside the mask and is ignored by the caller. */
            for (size_t x = 0; x < roi->size[0]; x++)
                present[row[x]] = 1;
            while (!mask[row_lo])
                row_lo++;
            while (!mask[row_hi - 1])
                row_hi--;
            row_hi--;
            n_inside += row_count;
            size_t row_range[3][2] = {{row_lo, row_hi}, {y, y}, {z, z}};
            for (int axis = 0; axis < 3; axis++) {
                if (row_range[axis][0] < lo[axis])
                    lo[axis] = row_range[axis][0];
                if (row_range[axis][1] > hi[axis])
                    hi[axis] = row_range[axis][1];
            }
        }
    if (n_inside != roi->n_voxels)
        return ri_fail(error, RAD_ERR_ARGUMENT, "texture: the mask has %zu voxels but roi->n_voxels is %zu",
                       n_inside, roi->n_voxels);
    for (int axis = 0; axis < 3; axis++)
        grid->roi_extent[axis] = hi[axis] - lo[axis] + 1;
    return RAD_OK;
}

rad_status ri_level_grid_build(const ri_roi *roi, ri_level_grid *grid, rad_error *error)
{
    rad_status status = check_roi(roi, error);
    if (status != RAD_OK)
        return status;
    memset(grid, 0, sizeof *grid);
    grid->max_level = roi->max_level;

    grid->count = 1;
    for (int axis = 0; axis < 3; axis++) {
        grid->size[axis] = roi->size[axis] + 2;
        if (grid->count > RI_MAX_VOXELS / grid->size[axis])
            return ri_fail(error, RAD_ERR_TOO_LARGE, "texture: padded ROI box %zu x %zu x %zu is too large",
                           roi->size[0] + 2, roi->size[1] + 2, roi->size[2] + 2);
        grid->count *= grid->size[axis];
    }
    grid->stride[0] = 1;
    grid->stride[1] = (ptrdiff_t)grid->size[0];
    grid->stride[2] = (ptrdiff_t)(grid->size[0] * grid->size[1]);

    size_t n_levels = (size_t)roi->max_level + 1;
    unsigned char *present = calloc(n_levels, 1);
    /* RI_INT4_LANES cells of padding after the grid, for vector blocks that end past a row. */
    grid->cells = malloc((grid->count + RI_INT4_LANES) * sizeof *grid->cells);
    grid->row_of_level = malloc(n_levels * sizeof *grid->row_of_level);
    if (present == NULL || grid->cells == NULL || grid->row_of_level == NULL) {
        free(present);
        ri_level_grid_free(grid);
        return ri_fail(error, RAD_ERR_NO_MEMORY, "texture: no memory for a %zu-voxel level grid",
                       grid->count);
    }
    pad_cells(grid);

    status = fill_cells(roi, grid, present, error);
    if (status == RAD_OK) {
        for (size_t level = 1; level < n_levels; level++)
            grid->n_rows += present[level];
        grid->row_level = malloc((size_t)grid->n_rows * sizeof *grid->row_level);
        if (grid->row_level == NULL)
            status = ri_fail(error, RAD_ERR_NO_MEMORY, "texture: no memory for %d grey levels",
                             grid->n_rows);
    }
    if (status != RAD_OK) {
        free(present);
        ri_level_grid_free(grid);
        return status;
    }

    int row = 0;
    grid->row_of_level[0] = -1;
    for (size_t level = 1; level < n_levels; level++) {
        grid->row_of_level[level] = present[level] ? row : -1;
        if (present[level])
            grid->row_level[row++] = (double)level;
    }
    free(present);
    return RAD_OK;
}

void ri_size_matrix_free(ri_size_matrix *m)
{
    if (m == NULL)
        return;
    free(m->counts);
    free(m->col_value);
    memset(m, 0, sizeof *m);
}

rad_status ri_size_matrix_sums(const ri_size_matrix *m, ri_size_sums *s, rad_error *error)
{
    memset(s, 0, sizeof *s);
    double *col_totals = calloc(m->n_cols ? m->n_cols : 1, sizeof *col_totals);
    if (col_totals == NULL)
        return ri_fail(error, RAD_ERR_NO_MEMORY, "texture: no memory for %zu column totals", m->n_cols);

    /* First pass: every sum that needs no mean. */
    double sum_i = 0.0;
    for (size_t r = 0; r < m->n_rows; r++) {
        const double *counts = m->counts + r * m->n_cols;
        double i = m->row_level[r], i2 = i * i, row_total = 0.0;
        for (size_t c = 0; c < m->n_cols; c++) {
            double p = counts[c];
            if (p == 0.0)
                continue;
            double j = m->col_value[c], j2 = j * j;
            row_total += p;
            col_totals[c] += p;
            s->weighted_j += p * j;
            s->inv_j2 += p / j2;
            s->j2 += p * j2;
            s->inv_i2j2 += p / (i2 * j2);
            s->i2_inv_j2 += p * i2 / j2;
            s->j2_inv_i2 += p * j2 / i2;
            s->i2j2 += p * i2 * j2;
        }
        s->total += row_total;
        s->row_totals2 += row_total * row_total;
        s->inv_i2 += row_total / i2;
        s->i2 += row_total * i2;
        sum_i += row_total * i;
    }
    if (s->total <= 0.0) {
        free(col_totals);
        return RAD_OK;
    }

    /* Second pass: variances about the means, and the entropy. */
    double n = s->total, mean_i = sum_i / n, mean_j = s->weighted_j / n;
    const double eps = DBL_EPSILON;
    for (size_t r = 0; r < m->n_rows; r++) {
        const double *counts = m->counts + r * m->n_cols;
        double row_total = 0.0;
        for (size_t c = 0; c < m->n_cols; c++) {
            double p = counts[c] / n;
            if (p == 0.0)
                continue;
            row_total += counts[c];
            s->entropy -= p * log2(p + eps);
        }
        double d = m->row_level[r] - mean_i;
        s->variance_i += row_total / n * d * d;
    }
    for (size_t c = 0; c < m->n_cols; c++) {
        double d = m->col_value[c] - mean_j;
        s->col_totals2 += col_totals[c] * col_totals[c];
        s->variance_j += col_totals[c] / n * d * d;
    }
    free(col_totals);
    return RAD_OK;
}

void ri_size_features(const ri_size_sums *s, double n_voxels, double out[RI_SIZE_FEATURES])
{
    double n = s->total;

    out[0] = s->inv_j2 / n;            /* short run / small area emphasis */
    out[1] = s->j2 / n;                /* long run / large area emphasis */
    out[2] = s->row_totals2 / n;       /* grey level non-uniformity */
    out[3] = s->row_totals2 / (n * n); /* ... normalised */
    out[4] = s->col_totals2 / n;       /* run length / size zone non-uniformity */
    out[5] = s->col_totals2 / (n * n); /* ... normalised */
    out[6] = n / n_voxels;             /* run / zone percentage */
    out[7] = s->variance_i;
    out[8] = s->variance_j;
    out[9] = s->entropy;
    out[10] = s->inv_i2 / n;           /* low grey level emphasis */
    out[11] = s->i2 / n;               /* high grey level emphasis */
    out[12] = s->inv_i2j2 / n;         /* short/small, low grey level */
    out[13] = s->i2_inv_j2 / n;        /* short/small, high grey level */
    out[14] = s->j2_inv_i2 / n;        /* long/large, low grey level */
    out[15] = s->i2j2 / n;             /* long/large, high grey level */
}
