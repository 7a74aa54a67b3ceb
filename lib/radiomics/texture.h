/*
 * texture.h - private helpers shared by the GLRLM, GLSZM and GLDM kernels.
 * They provide a padded grid of grey levels, pyradiomics' direction table and
 * the "size matrix" with the sums its features use. A size matrix has one row
 * per grey level and one column per run length, zone size or dependence count.
 */
#ifndef RADIOMICS_TEXTURE_H
#define RADIOMICS_TEXTURE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "internal.h"

/*
 * Largest number of cells a texture matrix may have (2^25 doubles, 256 MiB).
 * NOTE: this is a chosen bound, not a measured one. The 13 dense GLRLMs share it,
 * so an ROI with very many grey levels and a long box axis fails with RAD_ERR_TOO_LARGE.
 */
#define RI_MAX_MATRIX_CELLS ((size_t)1 << 25)

/*
 * The grey levels of an ROI padded by one voxel on each side, so that the
 * neighbour of any ROI voxel along any of the 26 directions is a valid index.
 * cells[] is -1 on the padding, 0 inside the box but outside the ROI, and the
 * grey level (>= 1) inside the ROI. It has count + RI_INT4_LANES entries,
 * and the last RI_INT4_LANES are -1 too.
 */
typedef struct ri_level_grid {
    int *cells;
    size_t size[3];        /* roi->size + 2 */
    size_t count;          /* size[0] * size[1] * size[2] */
    ptrdiff_t stride[3];   /* 1, size[0], size[0] * size[1] */
    size_t roi_extent[3];  /* extent of the bounding box of the ROI voxels, per axis */
    int max_level;         /* roi->max_level of the ROI the grid was built from */
    int n_rows;            /* number of grey levels present in the ROI */
    int *row_of_level;     /* [0..max_level] row index of a present level, -1 otherwise */
    double *row_level;     /* [0..n_rows-1] grey level of each row, increasing */
} ri_level_grid;

/*
 * Builds grid from roi (which must have n_voxels > 0). The feature extraction
 * builds one grid per image type and passes it read-only to the GLCM, GLRLM,
 * GLSZM and GLDM kernels through their *_on_grid entry points.
 */
rad_status ri_level_grid_build(const ri_roi *roi, ri_level_grid *grid, rad_error *error);
void ri_level_grid_free(ri_level_grid *grid);

/* Flat offset in grid of the step (dx, dy, dz). */
static inline ptrdiff_t ri_grid_offset(const ri_level_grid *grid, const int step[3])
{
    return step[0] * grid->stride[0] + step[1] * grid->stride[1] + step[2] * grid->stride[2];
}

/*
 * Four grid cells as one SSE2-sized vector (GCC and Clang vector extension).
 * The kernels compare four consecutive voxels of an x row with their
 * neighbours at once. A block may run up to 3 cells past the end of the
 * row's ROI box part. Its cells and their neighbours stay inside cells[]
 * because ri_level_grid_build allocates RI_INT4_LANES cells of -1 after
 * the grid.
 */
typedef int ri_int4 __attribute__((vector_size(4 * sizeof(int))));
typedef unsigned ri_uint4 __attribute__((vector_size(4 * sizeof(unsigned))));
typedef uint8_t ri_uint8x4 __attribute__((vector_size(4)));
#define RI_INT4_LANES 4

static inline ri_int4 ri_load_int4(const int *cells)
{
    ri_int4 v;
    memcpy(&v, cells, sizeof v);
    return v;
}

/*
 * pyradiomics' 13 directions at distance 1, as (dx, dy, dz) with x fastest,
 * in pyradiomics' order (its angles (z, y, x) from (1, 1, 1) down to (0, 0, 1)).
 */
#define RI_DIRECTIONS 13
extern const int ri_directions[RI_DIRECTIONS][3];

/* The 26 neighbour steps at Chebyshev distance 1, as (dx, dy, dz). */
#define RI_NEIGHBOURS 26
extern const int ri_neighbours[RI_NEIGHBOURS][3];

/*
 * A size matrix P(i, j): counts[r * n_cols + c] with grey level row_level[r]
 * and column value col_value[c] (j >= 1). The arrays belong to the matrix.
 */
typedef struct ri_size_matrix {
    size_t n_rows, n_cols;
    double *counts;
    const double *row_level; /* borrowed from the level grid */
    double *col_value;
} ri_size_matrix;

/*
 * The sums of P over all cells that the GLRLM, GLSZM and GLDM features use,
 * with N = sum P, p = P / N, i the grey level and j the column value.
 * Entropy is -sum p log2(p + eps) with eps = 2^-52, as in pyradiomics.
 */
typedef struct ri_size_sums {
    double total;              /* N */
    double weighted_j;         /* sum P j */
    double inv_j2;             /* sum P / j^2 */
    double j2;                 /* sum P j^2 */
    double row_totals2;        /* sum_i (sum_j P)^2 */
    double col_totals2;        /* sum_j (sum_i P)^2 */
    double inv_i2;             /* sum P / i^2 */
    double i2;                 /* sum P i^2 */
    double inv_i2j2;           /* sum P / (i^2 j^2) */
    double i2_inv_j2;          /* sum P i^2 / j^2 */
    double j2_inv_i2;          /* sum P j^2 / i^2 */
    double i2j2;               /* sum P i^2 j^2 */
    double variance_i;         /* sum p (i - mu_i)^2, mu_i = sum p i */
    double variance_j;         /* sum p (j - mu_j)^2, mu_j = sum p j */
    double entropy;
} ri_size_sums;

/* Computes the sums of m; returns RAD_ERR_NO_MEMORY when scratch fails. */
rad_status ri_size_matrix_sums(const ri_size_matrix *m, ri_size_sums *sums, rad_error *error);

/*
 * Writes the 16 features shared by the GLRLM and GLSZM tables, in their
 * order: SRE/SAE, LRE/LAE, GLN, GLNN, RLN/SZN, RLNN/SZNN, RP/ZP, GLV, RV/ZV,
 * RE/ZE, LGLRE/LGLZE, HGLRE/HGLZE, SRLGLE/SALGLE, SRHGLE/SAHGLE,
 * LRLGLE/LALGLE, LRHGLE/LAHGLE. n_voxels is the denominator of RP/ZP.
 */
#define RI_SIZE_FEATURES 16
void ri_size_features(const ri_size_sums *s, double n_voxels, double out[RI_SIZE_FEATURES]);

/* ------------------------------------------------------------------ */
/* Matrices, exposed for the tests                                     */

/*
 * GLRLMs of the 13 directions: matrices[d] has one row per grey level
 * present and one column per run length 1..max extent of the ROI box.
 * valid[d] is 0 for a direction pyradiomics drops: one that moves along
 * an axis on which the ROI is one voxel thick, or on which no line contains
 * two ROI voxels, or with no runs.
 */
typedef struct ri_glrlm_set {
    ri_level_grid grid;    /* a copy of the caller's grid when owns_grid is 0 */
    int owns_grid;         /* 1 when ri_glrlm_set_free frees grid's arrays */
    ri_size_matrix matrices[RI_DIRECTIONS];
    int valid[RI_DIRECTIONS];
} ri_glrlm_set;

rad_status ri_glrlm_matrices(const ri_roi *roi, ri_glrlm_set *set, rad_error *error);
/* Computes the GLRLMs of a prebuilt grid, which must outlive set. */
rad_status ri_glrlm_matrices_grid(const ri_level_grid *grid, ri_glrlm_set *set,
                                  rad_error *error);
void ri_glrlm_set_free(ri_glrlm_set *set);

/*
 * GLSZM with 26-connected zones: one row per grey level present, one column
 * per distinct zone size (col_value increasing).
 */
rad_status ri_glszm_matrix(const ri_roi *roi, ri_level_grid *grid, ri_size_matrix *m,
                           rad_error *error);
/* Computes the GLSZM of a prebuilt grid of an ROI with n_voxels voxels. */
rad_status ri_glszm_matrix_grid(const ri_level_grid *grid, size_t n_voxels, ri_size_matrix *m,
                                rad_error *error);

/*
 * GLDM: one row per grey level present, columns j = 1..27, where j is 1
 * plus the number of the 26 neighbours inside the ROI whose level differs
 * from the centre's by at most alpha.
 */
rad_status ri_gldm_matrix(const ri_roi *roi, double alpha, ri_level_grid *grid,
                          ri_size_matrix *m, rad_error *error);
/* Computes the GLDM of a prebuilt grid. */
rad_status ri_gldm_matrix_grid(const ri_level_grid *grid, double alpha, ri_size_matrix *m,
                               rad_error *error);

/*
 * Compute ri_glcm, ri_glrlm, ri_glszm and ri_gldm on grid, a level grid built
 * from roi by ri_level_grid_build. With grid NULL each builds its own, as the

 * functions without _on_grid do. The results are the same either way.
 */
rad_status ri_glcm_on_grid(const ri_roi *roi, const ri_level_grid *grid,
                           const ri_settings *settings, double *out, rad_error *error);
rad_status ri_glrlm_on_grid(const ri_roi *roi, const ri_level_grid *grid,
                            const ri_settings *settings, double *out, rad_error *error);
rad_status ri_glszm_on_grid(const ri_roi *roi, const ri_level_grid *grid,
                            const ri_settings *settings, double *out, rad_error *error);
rad_status ri_gldm_on_grid(const ri_roi *roi, const ri_level_grid *grid,
                           const ri_settings *settings, double *out, rad_error *error);

void ri_size_matrix_free(ri_size_matrix *m);

#endif /* RADIOMICS_TEXTURE_H */
