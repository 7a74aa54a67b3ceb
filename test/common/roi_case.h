/* roi_case.h - test helpers that prepare texture ROIs and read reference tables. */
#ifndef ROI_CASE_H
#define ROI_CASE_H

#include <stddef.h>
#include <stdint.h>

#include "internal.h"

/* An ri_roi together with the arrays it points to. */
typedef struct roi_case {
    ri_roi roi;
    double *values;
    uint8_t *mask;
    int *levels;
} roi_case;

/*
 * Reads image and mask (paths under the reference-data folder) with
 * rad_volume_read, crops both to the bounding box of mask == label and
 * discretises with ri_discretize_bin_width. Returns 1 on success, 0 after
 * printing a SKIP line when the data is absent, -1 on a failure (printed).
 */
int roi_case_load(const char *image, const char *mask, double label, double bin_width,
                  roi_case *out);

/* Makes a case from levels (0 = outside the ROI) of a size[0] x size[1] x size[2] box. */
int roi_case_from_levels(const size_t size[3], const int *levels, roi_case *out);

/*
 * Makes a random ROI for the slow twins of the texture kernels, seeded by
 * seed through srand. The box has 1..24 x 1..12 x 1..8 voxels and the ROI
 * 1..64 grey levels. Voxels repeat their x or z predecessor's level with a
 * random probability, so runs and zones range from one voxel to whole rows.
 * The ROI has holes, sometimes a plane cut down to one row (a part one voxel
 * thick), and at least one voxel. Returns 0, or -1 when out of memory.
 */
int roi_case_random_shape(unsigned seed, roi_case *out);

void roi_case_free(roi_case *c);

/*
 * Reads the cell of a comma-separated file (quoted fields allowed) in the row
 * whose first field is row and the column whose header is column.
 * Returns 0 and stores the number in *value, or -1 when either is missing.
 */
int csv_lookup(const char *path, const char *row, const char *column, double *value);

/*
 * Reads "value;tolerance;tag" from an IBSI reference table. Returns 0 when
 * tag is present with a value, -1 otherwise.
 */
int ibsi_lookup(const char *path, const char *tag, double *value, double *tolerance);


/*
 * Computes the 16 GLRLM/GLSZM features straight from their definitions on a
 * dense matrix P[i - 1][c] (grey levels i = 1..n_levels, column values
 * col_value[c]), in the order of ri_glrlm_table; n_voxels is N_p.
 * p = P / N, mu_i = sum p i, GLV = sum p (i - mu_i)^2, entropy in log2 with
 * eps = 2^-52 added to p. The slow twin of ri_size_matrix_sums/ri_size_features.
 */
void naive_size_features(const double *P, size_t n_levels, size_t n_cols, const double *col_value,
                         double n_voxels, double out[16]);

/* 1 when |got - want| <= rel * |want| or <= abs_tol. */
int close_enough(double got, double want, double rel, double abs_tol);

/* A float64 array read from a .npy file, in C order (last index fastest). */
typedef struct case_npy {
    size_t ndim;
    size_t shape[8];
    size_t count;
    double *data;
} case_npy;

/*
 * Reads a .npy file of descr '<f8' in C or Fortran order (test/common/npy.c
 * reads C order only; pyradiomics' GLSZM and GLDM matrices are Fortran order).
 * Assumes a little-endian host. Returns 0, or -1 after printing the reason.
 */
int case_npy_read(const char *path, case_npy *array);
void case_npy_free(case_npy *array);

#endif
