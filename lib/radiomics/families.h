/*
 * families.h - private declarations of the IBSI feature families that
 * pyradiomics lacks, or has only in part: morphology (with pyradiomics'
 * shape class), local intensity, intensity histogram with the statistical
 * extras, intensity-volume histogram, NGTDM and GLDZM.
 *
 * Wiring into the extraction pipeline (not done yet):
 * - add one ri_feature_class value per table below, before RI_CLASS_COUNT,
 *   e.g. RI_CLASS_SHAPE, RI_CLASS_MORPHOLOGY, RI_CLASS_LOCAL_INTENSITY,
 *   RI_CLASS_INTENSITY_HISTOGRAM, RI_CLASS_IVH, RI_CLASS_NGTDM, RI_CLASS_GLDZM;
 * - return the matching table from ri_feature_table_of();
 * - call the kernel of the class. Every kernel has the signature
 *   rad_status (*)(const ri_roi *, const ri_settings *, double *out, rad_error *)
 *   and writes table.count values into out. settings may be NULL (bin width 1,
 *   distance 1). Only the pyradiomics-compatible tables (shape, ngtdm) have
 *   default_on entries. A kernel that needs voxels outside the ROI (local
 *   intensity) reads them from roi->values, so the ROI box should be cropped
 *   with a margin (padDistance) of at least the sphere radius in voxels.
 */
#ifndef RADIOMICS_FAMILIES_H
#define RADIOMICS_FAMILIES_H

#include "internal.h"

/* ---- morphology.c -------------------------------------------------- */

/* pyradiomics' 17 shape features (names as in pyradiomics 2.x), mesh from
 * marching cubes on the mask with vertices at edge midpoints. */
extern const ri_feature_table ri_shape_table;
rad_status ri_shape(const ri_roi *roi, const ri_settings *settings, double *out,
                    rad_error *error);

/* IBSI morphological features (morph_*). */
extern const ri_feature_table ri_morphology_table;
rad_status ri_morphology(const ri_roi *roi, const ri_settings *settings, double *out,
                         rad_error *error);

/* A triangle mesh of the ROI surface in mm, origin at the centre of box voxel (-1, -1, -1). */
typedef struct ri_mesh {
    double *vertices;  /* 3 per vertex, x y z; each vertex listed once */
    size_t n_vertices;
    double area;       /* sum of triangle areas, mm^2 */
    double volume;     /* sum of signed tetrahedra (origin, a, b, c), mm^3 */
} ri_mesh;

/*
 * Writes the triangles (vertex coordinates in the unit cube, x y z, facing
 * outward) that the mesh uses for one cube whose corner c is inside when bit
 * c of config is set; corners 0-3 are (0,0,0) (1,0,0) (1,1,0) (0,1,0) and
 * corners 4-7 the same with z = 1. Returns the number of triangles (at most 12).
 */
int ri_mesh_cube_triangles(int config, double triangles[][3][3]);

/* Builds the marching-cubes mesh of roi->mask (padded by one empty voxel). */
rad_status ri_mesh_build(const ri_roi *roi, ri_mesh *mesh, rad_error *error);
void ri_mesh_free(ri_mesh *mesh);

/* Convex hull of points (3 doubles each): volume (mm^3) and area (mm^2).
 * Both are 0 when the points are coplanar. */
rad_status ri_convex_hull(const double *points, size_t n_points, double *volume, double *area,
                          rad_error *error);

/* How ri_spatial_autocorrelation sums over voxel pairs. */
typedef enum ri_autocorrelation_method {
    RI_AUTOCORRELATION_AUTO = 0, /* direct for small ROIs, FFT otherwise */
    RI_AUTOCORRELATION_DIRECT,   /* O(N^2) loop over the voxel pairs */
    RI_AUTOCORRELATION_FFT       /* convolution by FFT on the zero-padded box */
} ri_autocorrelation_method;

/*
 * Computes IBSI's Moran's I (morph_moran_i) and Geary's C (morph_geary_c) of
 * the intensities in roi->mask, with weights 1 / distance (mm) over the voxel
 * pairs. Both are NaN for fewer than 2 voxels or when all intensities are
 * equal (0 / 0). Errors: RAD_ERR_NO_MEMORY, RAD_ERR_TOO_LARGE (FFT path).
 */
rad_status ri_spatial_autocorrelation(const ri_roi *roi, ri_autocorrelation_method method,
                                      double *moran, double *geary, rad_error *error);

/* ---- local_intensity.c ----------------------------------------------- */

extern const ri_feature_table ri_local_intensity_table;
rad_status ri_local_intensity(const ri_roi *roi, const ri_settings *settings, double *out,
                              rad_error *error);

/* ---- intensity_histogram.c ------------------------------------------ */

/* IBSI intensity-histogram features (ih_*) on the discretised grey levels. */
extern const ri_feature_table ri_intensity_histogram_table;
rad_status ri_intensity_histogram(const ri_roi *roi, const ri_settings *settings, double *out,
                                  rad_error *error);

/* IBSI statistical features pyradiomics lacks (stat_medad, stat_cov, stat_qcod). */
extern const ri_feature_table ri_statistics_extra_table;
rad_status ri_statistics_extra(const ri_roi *roi, const ri_settings *settings, double *out,
                               rad_error *error);

/* ---- ivh.c ------------------------------------------------------------ */

extern const ri_feature_table ri_ivh_table;
rad_status ri_ivh(const ri_roi *roi, const ri_settings *settings, double *out,
                  rad_error *error);

/* ---- ngtdm.c ------------------------------------------------------------ */

extern const ri_feature_table ri_ngtdm_table;
rad_status ri_ngtdm(const ri_roi *roi, const ri_settings *settings, double *out,
                    rad_error *error);

/*
 * NGTDM columns per grey level 1..max_level: count[i-1] (n_i, voxels of
 * level i with at least one ROI neighbour) and sum[i-1] (s_i = sum over them
 * of |i - mean level of their ROI neighbours|), 26 neighbours at distance 1.
 * Arrays of roi->max_level entries, allocated by the caller.
 */
rad_status ri_ngtdm_matrix(const ri_roi *roi, double *count, double *sum, rad_error *error);

/* ---- gldzm.c ------------------------------------------------------------ */

extern const ri_feature_table ri_gldzm_table;
rad_status ri_gldzm(const ri_roi *roi, const ri_settings *settings, double *out,
                    rad_error *error);

/*
 * GLDZM as a dense array P[(level - 1) * *n_distances + d - 1] (caller frees)
 * for levels 1..max_level and distances d = 1..*n_distances: zones are
 * 26-connected, a voxel's distance is 1 + its city-block distance to the
 * nearest voxel outside the ROI (the box border counts as outside), and a
 * zone's distance is the minimum over its voxels.
 */
rad_status ri_gldzm_matrix(const ri_roi *roi, double **counts, size_t *n_distances,
                           rad_error *error);

#endif /* RADIOMICS_FAMILIES_H */
