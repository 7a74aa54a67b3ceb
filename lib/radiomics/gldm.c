/*
 * gldm.c - grey level dependence matrix features, as pyradiomics computes them.
 *
 * Each ROI voxel of grey level i contributes one count to P(i, j). Its
 * dependence j is 1 (the voxel itself) plus the number of its 26 neighbours
 * (Chebyshev distance 1) inside the ROI whose level differs from i by at most
 * alpha, which is pyradiomics' gldm_a (default 0). So N_z = sum P = N_p, the
 * voxel count.
 * Conventions: i is the discretised grey level (from 1); p = P / N_z;
 * GrayLevelVariance and DependenceVariance use the marginals of p about their
 * means; DependenceEntropy = -sum p log2(p + eps), eps = 2^-52.
 *
 * IBSI 1 calls this the NGLDM. With alpha = 0 and distance 1 its "3D"
 * features are the same. Its 2-D matrix counts the 8 in-plane neighbours per
 * axial slice, and its 2.5-D matrix is the sum of the slice matrices. The
 * IBSI names differ:
 * SmallDependenceEmphasis = ngl_lde, LargeDependenceEmphasis = ngl_hde,
 * LowGrayLevelEmphasis = ngl_lgce, HighGrayLevelEmphasis = ngl_hgce,
 * (Small|Large)Dependence(Low|High)GrayLevelEmphasis = ngl_(l|h)d(l|h)ge.
 * IBSI's ngl_dc_energy (sum p^2) has no pyradiomics counterpart. It is
 * DependenceCountEnergy here, off by default.
 * The deprecated GrayLevelNonUniformityNormalized (equal to first-order
 * Uniformity) and DependencePercentage (always 1) are computed all the same.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "aggregation.h"

#define GLDM_COLUMNS (RI_NEIGHBOURS + 1)
#define HISTOGRAM_LANES 4
#define BYTE_LANES 16 /* voxels per SSE2 comparison of byte levels */

static const ri_feature_def gldm_defs[] = {
    {"SmallDependenceEmphasis", "ngl_lde", "SODN", 1, 0, NAN},
    {"LargeDependenceEmphasis", "ngl_hde", "IMOQ", 1, 0, NAN},
    {"GrayLevelNonUniformity", "ngl_glnu", "FP8K", 1, 0, NAN},
    {"GrayLevelNonUniformityNormalized", "ngl_glnu_norm", "5SPA", 0, 1, 1.0},
    {"DependenceNonUniformity", "ngl_dcnu", "Z87G", 1, 0, NAN},
    {"DependenceNonUniformityNormalized", "ngl_dcnu_norm", "OKJI", 1, 0, NAN},
    {"GrayLevelVariance", "ngl_gl_var", "1PFV", 1, 0, 0.0},
    {"DependenceVariance", "ngl_dc_var", "DNX2", 1, 0, NAN},
    {"DependenceEntropy", "ngl_dc_entr", "FCBV", 1, 0, NAN},
    {"DependencePercentage", "ngl_dc_perc", "6XV8", 0, 1, 1.0},
    {"LowGrayLevelEmphasis", "ngl_lgce", "TL9H", 1, 0, NAN},
    {"HighGrayLevelEmphasis", "ngl_hgce", "OAE7", 1, 0, NAN},
    {"SmallDependenceLowGrayLevelEmphasis", "ngl_ldlge", "EQ3F", 1, 0, NAN},
    {"SmallDependenceHighGrayLevelEmphasis", "ngl_ldhge", "JA6D", 1, 0, NAN},
    {"LargeDependenceLowGrayLevelEmphasis", "ngl_hdlge", "NBZI", 1, 0, NAN},
    {"LargeDependenceHighGrayLevelEmphasis", "ngl_hdhge", "9QMG", 1, 0, NAN},
    /* IBSI only (not in pyradiomics), so off unless requested by name */
    {"DependenceCountEnergy", "ngl_dc_energy", "CAS9", 0, 0, 1.0},
};

const ri_feature_table ri_gldm_table = {
    "gldm", gldm_defs, sizeof gldm_defs / sizeof gldm_defs[0],
};

static rad_status check_alpha(double alpha, rad_error *error)
{
    if (!(alpha >= 0.0) || isinf(alpha))
        return ri_fail(error, RAD_ERR_PARAMETER, "gldm: gldm_a is %g, expected a finite value >= 0",
                       alpha);
    return RAD_OK;
}

rad_status ri_gldm_matrix(const ri_roi *roi, double alpha, ri_level_grid *grid,
                          ri_size_matrix *m, rad_error *error)
{
    memset(m, 0, sizeof *m);
    memset(grid, 0, sizeof *grid);
    rad_status status = check_alpha(alpha, error);
    if (status != RAD_OK)
        return status;
    status = ri_level_grid_build(roi, grid, error);
    if (status != RAD_OK)
        return status;
    status = ri_gldm_matrix_grid(grid, alpha, m, error);
    if (status != RAD_OK)
        ri_level_grid_free(grid);
    return status;
}

#if defined(__SSE2__)
/*
 * Returns a copy of grid->cells with one byte per cell, or NULL when the
 * levels do not fit (max_level > 254) or allocation fails. The byte keeps the
 * low 8 bits, so padding (-1) becomes 255, which no level of the copy equals,
 * and 0 stays 0. BYTE_LANES cells of 255 follow the grid, so that a block
 * of BYTE_LANES voxels and its neighbours stay inside the copy.
 */
static uint8_t *byte_levels(const ri_level_grid *grid)
{
    if (grid->max_level > 254)
        return NULL;
    uint8_t *bytes = malloc(grid->count + BYTE_LANES);
    if (bytes == NULL)
        return NULL;

    const __m128i low_byte = _mm_set1_epi32(0xFF);
    size_t i = 0;
    for (; i + BYTE_LANES <= grid->count; i += BYTE_LANES) {
        __m128i part[4];
        for (int j = 0; j < 4; j++)
            part[j] = _mm_and_si128(
                _mm_loadu_si128((const __m128i *)(grid->cells + i + 4 * (size_t)j)), low_byte);
        /* Values 0..255 pass both packs unchanged. */
        __m128i words = _mm_packs_epi32(part[0], part[1]);
        __m128i more_words = _mm_packs_epi32(part[2], part[3]);
        _mm_storeu_si128((__m128i *)(bytes + i), _mm_packus_epi16(words, more_words));
    }
    for (; i < grid->count; i++)
        bytes[i] = (uint8_t)(grid->cells[i] & 0xFF);
    memset(bytes + grid->count, 0xFF, BYTE_LANES);
    return bytes;
}

/*
 * Writes the alpha = 0 dependence of the nx voxels of one x row, starting at
 * row in the byte copy, BYTE_LANES voxels at a time. dependence needs nx +
 * BYTE_LANES entries. A count is at most 27, so it fits in a byte.
 */
static void byte_dependences(const uint8_t *row, size_t nx, const ptrdiff_t *offsets,
                             int *dependence)
{
    const __m128i zero = _mm_setzero_si128();

    for (size_t x = 0; x < nx; x += BYTE_LANES) {
        __m128i centre = _mm_loadu_si128((const __m128i *)(row + x));
        __m128i count = _mm_set1_epi8(1);
#pragma GCC unroll 26
        for (int n = 0; n < RI_NEIGHBOURS; n++)
            count = _mm_sub_epi8(
                count, _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(row + x + offsets[n])),
                                      centre));

        __m128i low_words = _mm_unpacklo_epi8(count, zero);
        __m128i high_words = _mm_unpackhi_epi8(count, zero);
        _mm_storeu_si128((__m128i *)(dependence + x), _mm_unpacklo_epi16(low_words, zero));
        _mm_storeu_si128((__m128i *)(dependence + x + 4), _mm_unpackhi_epi16(low_words, zero));
        _mm_storeu_si128((__m128i *)(dependence + x + 8), _mm_unpacklo_epi16(high_words, zero));
        _mm_storeu_si128((__m128i *)(dependence + x + 12), _mm_unpackhi_epi16(high_words, zero));
    }
}
#endif

rad_status ri_gldm_matrix_grid(const ri_level_grid *grid, double alpha, ri_size_matrix *m,
                               rad_error *error)
{
    memset(m, 0, sizeof *m);
    rad_status status = check_alpha(alpha, error);
    if (status != RAD_OK)
        return status;

    m->n_rows = (size_t)grid->n_rows;
    m->n_cols = GLDM_COLUMNS;
    m->row_level = grid->row_level;
    m->counts = calloc(m->n_rows * m->n_cols, sizeof *m->counts);
    m->col_value = malloc(m->n_cols * sizeof *m->col_value);
    if (m->counts == NULL || m->col_value == NULL) {
        ri_size_matrix_free(m);
        return ri_fail(error, RAD_ERR_NO_MEMORY, "gldm: no memory for a %zu x %d matrix",
                       m->n_rows, GLDM_COLUMNS);
    }
    for (size_t c = 0; c < m->n_cols; c++)
        m->col_value[c] = (double)(c + 1);

    ptrdiff_t offsets[RI_NEIGHBOURS];
    for (int n = 0; n < RI_NEIGHBOURS; n++)
        offsets[n] = ri_grid_offset(grid, ri_neighbours[n]);

    /*
     * Counts go to HISTOGRAM_LANES interleaved uint32 copies of the matrix.
     * Voxel x of a row counts in copy x % HISTOGRAM_LANES, so that
     * neighbouring voxels with the same level and dependence update
     * different words instead of one chain of read-modify-writes. A count
     * fits in 32 bits because a grid has at most RI_MAX_VOXELS cells. Voxels
     * outside the ROI (level 0) count in an extra last row, so the loop
     * needs no branch on the level. Their dependence is 1..27 as well.
     */
    size_t n_cells = m->n_rows * GLDM_COLUMNS;
    uint32_t *lanes = calloc((n_cells + GLDM_COLUMNS) * HISTOGRAM_LANES, sizeof *lanes);
    size_t *level_base = malloc(((size_t)grid->max_level + 1) * sizeof *level_base);
    size_t nx = grid->size[0] - 2;
    int *dependence = malloc((nx + BYTE_LANES) * sizeof *dependence);
    if (lanes == NULL || level_base == NULL || dependence == NULL) {
        free(lanes);
        free(level_base);
        free(dependence);
        ri_size_matrix_free(m);
        return ri_fail(error, RAD_ERR_NO_MEMORY,
                       "gldm: no memory for a %zu x %d matrix and a row of %zu voxels",
                       m->n_rows, GLDM_COLUMNS, nx);
    }
    const int *cells = grid->cells;
    /* With alpha = 0 and at most 254 levels, byte levels compare 16 voxels at a time. */
    uint8_t *bytes = NULL;
#if defined(__SSE2__)
    if (alpha == 0.0)
        bytes = byte_levels(grid);
#endif

    /* level_base[level] is the first word of the level's row in lanes. Absent levels never occur. */
    for (int level = 0; level <= grid->max_level; level++) {
        int row = level > 0 ? grid->row_of_level[level] : -1;
        size_t r = row >= 0 ? (size_t)row : m->n_rows;
        level_base[level] = r * GLDM_COLUMNS * HISTOGRAM_LANES;
    }
    /* One x row of the ROI box at a time. */
    for (size_t z = 1; z + 1 < grid->size[2]; z++) {
        for (size_t y = 1; y + 1 < grid->size[1]; y++) {
            const int *row = cells + 1 + (ptrdiff_t)y * grid->stride[1] +
                             (ptrdiff_t)z * grid->stride[2];

#if defined(__SSE2__)
            if (bytes != NULL)
                byte_dependences(bytes + (row - cells), nx, offsets, dependence);
            else
#endif
            if (alpha == 0.0) {
                /*
                 * With gldm_a = 0 only equal levels count, four centres at a time.
                 * A true vector comparison is -1, so subtracting it counts. Centres
                 * outside the ROI (0) count in the extra row below.
                 */
                for (size_t x = 0; x < nx; x += RI_INT4_LANES) {
                    ri_int4 centre = ri_load_int4(row + x), count = {1, 1, 1, 1};
#pragma GCC unroll 26
                    for (int n = 0; n < RI_NEIGHBOURS; n++)
                        count -= ri_load_int4(row + x + offsets[n]) == centre;
                    memcpy(dependence + x, &count, sizeof count);
                }
            } else {
                for (size_t x = 0; x < nx; x++) {
                    int count = 1;
                    for (int n = 0; n < RI_NEIGHBOURS; n++) {
                        int other = row[(ptrdiff_t)x + offsets[n]];
                        count += other > 0 && fabs((double)(other - row[x])) <= alpha;
                    }
                    dependence[x] = count;
                }
            }
            /* Inside the box, row[x] is 0 outside the ROI and a level inside it. */
            for (size_t x = 0; x < nx; x++) {
                size_t word = level_base[row[x]] +
                              (size_t)(dependence[x] - 1) * HISTOGRAM_LANES + x % HISTOGRAM_LANES;
                lanes[word]++;
            }
        }
    }
    free(bytes);
    free(dependence);
    free(level_base);
    for (size_t cell = 0; cell < n_cells; cell++) {
        uint32_t total = 0;
        for (int l = 0; l < HISTOGRAM_LANES; l++)
            total += lanes[cell * HISTOGRAM_LANES + l];
        m->counts[cell] = (double)total;
    }
    free(lanes);
    return RAD_OK;
}

/* Writes the 17 features of a GLDM m from its sums. n_voxels is the denominator
 * of DependencePercentage. */

static void gldm_features(const ri_size_matrix *m, const ri_size_sums *s, double n_voxels,
                          double *out)
{
    double n = s->total, energy = 0.0;
    for (size_t c = 0; c < m->n_rows * m->n_cols; c++)
        energy += (m->counts[c] / n) * (m->counts[c] / n);
    out[0] = s->inv_j2 / n;
    out[1] = s->j2 / n;
    out[2] = s->row_totals2 / n;
    out[3] = s->row_totals2 / (n * n);
    out[4] = s->col_totals2 / n;
    out[5] = s->col_totals2 / (n * n);
    out[6] = s->variance_i;
    out[7] = s->variance_j;
    out[8] = s->entropy;
    out[9] = n / n_voxels;
    out[10] = s->inv_i2 / n;
    out[11] = s->i2 / n;
    out[12] = s->inv_i2j2 / n;
    out[13] = s->i2_inv_j2 / n;
    out[14] = s->j2_inv_i2 / n;
    out[15] = s->i2j2 / n;
    out[16] = energy;
}

static rad_status check_settings(const ri_settings *settings, double *alpha, rad_error *error)
{
    *alpha = 0.0;
    if (settings == NULL)
        return RAD_OK;
    *alpha = settings->gldm_a;
    if (settings->n_distances > 1 || (settings->n_distances == 1 && settings->distances[0] != 1))
        return ri_fail(error, RAD_ERR_UNSUPPORTED,
                       "gldm: only distance 1 is supported, got %d distances starting with %d",
                       settings->n_distances, settings->distances[0]);
    return RAD_OK;
}

rad_status ri_gldm(const ri_roi *roi, const ri_settings *settings, double *out, rad_error *error)
{
    return ri_gldm_on_grid(roi, NULL, settings, out, error);
}

rad_status ri_gldm_on_grid(const ri_roi *roi, const ri_level_grid *shared,
                           const ri_settings *settings, double *out, rad_error *error)
{
    if (out == NULL)
        return ri_fail(error, RAD_ERR_ARGUMENT, "gldm: out must not be NULL");
    double alpha;
    rad_status status = check_settings(settings, &alpha, error);
    if (status != RAD_OK)
        return status;

    ri_level_grid grid;
    ri_size_matrix m;
    memset(&grid, 0, sizeof grid); /* stays empty with a shared grid, so freeing it is a no-op */
    if (shared != NULL)
        status = ri_gldm_matrix_grid(shared, alpha, &m, error);
    else
        status = ri_gldm_matrix(roi, alpha, &grid, &m, error);
    if (status != RAD_OK)
        return status;
    ri_size_sums s;
    status = ri_size_matrix_sums(&m, &s, error);
    if (status == RAD_OK)
        gldm_features(&m, &s, (double)roi->n_voxels, out);
    ri_size_matrix_free(&m);
    ri_level_grid_free(&grid);
    return status;
}

/*
 * Adds the GLDM of one slice to merge. context points to alpha, and shared
 * is NULL or the slice's level grid.
 */
static rad_status add_slice_matrix(const ri_roi *slice, const ri_level_grid *shared,
                                   const void *context, ri_size_merge *merge, rad_error *error)
{
    double alpha = *(const double *)context;
    ri_level_grid grid;
    ri_size_matrix m;
    rad_status status;

    memset(&grid, 0, sizeof grid); /* stays empty with a shared grid, so freeing it is a no-op */
    if (shared != NULL && shared->cells != NULL)
        status = ri_gldm_matrix_grid(shared, alpha, &m, error);
    else
        status = ri_gldm_matrix(slice, alpha, &grid, &m, error);
    if (status != RAD_OK)
        return status;
    status = ri_size_merge_add(merge, &m, error);
    ri_size_matrix_free(&m);
    ri_level_grid_free(&grid);
    return status;
}

rad_status ri_gldm_aggregated(const ri_roi *roi, const ri_settings *settings,
                              ri_aggregation method, double *out, rad_error *error)
{
    return ri_gldm_aggregated_on_grids(roi, NULL, settings, method, out, error);
}

rad_status ri_gldm_aggregated_on_grids(const ri_roi *roi, const ri_texture_grids *grids,
                                       const ri_settings *settings, ri_aggregation method,
                                       double *out, rad_error *error)
{
    if (method == RI_AGG_3D_AVG || method == RI_AGG_3D_COMB)
        return ri_gldm_on_grid(roi, grids != NULL ? grids->volume : NULL, settings, out, error);
    if (out == NULL)
        return ri_fail(error, RAD_ERR_ARGUMENT, "gldm: out must not be NULL");
    double alpha;
    rad_status status = check_settings(settings, &alpha, error);
    if (status != RAD_OK)
        return status;
    ri_aggregation slices = method <= RI_AGG_2D_COMB ? RI_AGG_2D_AVG : RI_AGG_2_5D_AVG;
    return ri_size_aggregate_slices(roi, slices, grids != NULL ? grids->slices : NULL,
                                    add_slice_matrix, &alpha, gldm_features,
                                    ri_gldm_table.count, "gldm", out, error);
}
