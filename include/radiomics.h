/*
 * radiomics.h - public interface of libradiomics.
 *
 * libradiomics reads CT volumes and masks and builds regions of interest from
 * a mask label or from a box with automatic subcutaneous-tissue segmentation.
 * It pre-processes them as pyradiomics does (resampling, normalisation,
 * wavelet filtering, discretisation). It then computes first-order, shape
 * and texture features named as pyradiomics names them, plus IBSI families
 * pyradiomics lacks.
 *
 * Conventions of this header:
 * - Every object is an opaque handle created by a *_create, *_read or
 *   *_extract call and released by the matching *_free, which accepts NULL.
 * - Every fallible call returns a rad_status. When a call fails and the
 *   caller passed a rad_error, that object receives a message naming the
 *   file, field and value involved. Output pointers are left untouched on
 *   failure.
 * - Voxel arrays are stored with x varying fastest, then y, then z.
 * - World coordinates are NIfTI RAS millimetres (what 3D Slicer shows).
 * - Threads: the library has no global mutable state. A rad_params or
 *   rad_volume that no thread modifies may be shared by any number of
 *   threads; a rad_error or rad_features belongs to one thread at a time.
 * - The library never prints, aborts or exits. Diagnostics go to the optional
 *   log callback of a rad_params.
 */
#ifndef RADIOMICS_H
#define RADIOMICS_H

#include <stddef.h>

#include "radiomics_export.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RAD_VERSION_MAJOR 0
#define RAD_VERSION_MINOR 1
#define RAD_VERSION_PATCH 0
#define RAD_VERSION_STRING "0.1.0"

/* Runtime version of the loaded library; equals the macros it was built with. */
RAD_API int rad_version_major(void);
RAD_API int rad_version_minor(void);
RAD_API int rad_version_patch(void);
RAD_API const char *rad_version_string(void);

/* Status codes. The numbers are part of the ABI and never change. */
typedef enum rad_status {
    RAD_OK = 0,
    RAD_ERR_ARGUMENT = 1,      /* NULL pointer, out-of-range number, bad option value */
    RAD_ERR_NO_MEMORY = 2,     /* an allocation failed */
    RAD_ERR_IO = 3,            /* a file could not be opened, read or written */
    RAD_ERR_FORMAT = 4,        /* a file is damaged or not in the expected format */
    RAD_ERR_UNSUPPORTED = 5,   /* a valid file or option this version does not handle */
    RAD_ERR_GEOMETRY = 6,      /* image and mask grids differ beyond the tolerance */
    RAD_ERR_EMPTY_ROI = 7,     /* the region of interest has no voxel */
    RAD_ERR_NOT_FINITE = 8,    /* NaN or infinity inside the region of interest */
    RAD_ERR_TOO_LARGE = 9,     /* a size exceeds what the library accepts */
    RAD_ERR_PARAMETER = 10,    /* unknown parameter name or invalid parameter value */
    RAD_ERR_OUTSIDE = 11       /* a point or box lies outside the image */
} rad_status;

/* Short constant name of a status ("RAD_ERR_IO"); never NULL. */
RAD_API const char *rad_status_name(rad_status status);
/* Generic English description of a status; never NULL. */
RAD_API const char *rad_status_message(rad_status status);

/* ------------------------------------------------------------------ */
/* Error details                                                        */

typedef struct rad_error rad_error;

/* Creates an empty error object; returns NULL only when memory is exhausted. */
RAD_API rad_error *rad_error_create(void);
RAD_API void rad_error_free(rad_error *error);
/* Status of the last failure recorded in error, RAD_OK when none. */
RAD_API rad_status rad_error_status(const rad_error *error);
/* Message of the last failure ("" when none); owned by error, valid until
 * the next call that records into it or rad_error_free. */
RAD_API const char *rad_error_message(const rad_error *error);
RAD_API void rad_error_clear(rad_error *error);

/* ------------------------------------------------------------------ */
/* Volumes                                                              */

typedef struct rad_volume rad_volume;

/*
 * Creates a volume of size[0] x size[1] x size[2] voxels filled with zeros.
 * spacing is in millimetres (all > 0); origin is the world position of the
 * centre of voxel (0,0,0); direction is a 3x3 row-major matrix whose columns
 * are the unit world directions of the i, j and k axes (NULL = identity).
 * Errors: RAD_ERR_ARGUMENT, RAD_ERR_TOO_LARGE, RAD_ERR_NO_MEMORY.
 */
RAD_API rad_status rad_volume_create(const size_t size[3], const double spacing[3],
                                     const double origin[3], const double direction[9],
                                     rad_volume **out, rad_error *error);

/*
 * Reads a volume from a NIfTI-1 or NIfTI-2 file (.nii or .nii.gz; the
 * sform is used when its code is non-zero, else the qform; scl_slope and
 * scl_inter are applied) or from an NRRD file (.nrrd, .nhdr with raw or gzip
 * encoding). Only the first 3-D volume of a file is read; a fourth dimension
 * longer than 1 is RAD_ERR_UNSUPPORTED.
 * Errors: RAD_ERR_IO, RAD_ERR_FORMAT, RAD_ERR_UNSUPPORTED, RAD_ERR_TOO_LARGE,
 * RAD_ERR_NO_MEMORY.
 */
RAD_API rad_status rad_volume_read(const char *path, rad_volume **out, rad_error *error);

/*
 * Writes a volume as NIfTI-1 (.nii or .nii.gz by the name's ending) with
 * float32 voxels and sform = qform = the volume's geometry. The file is
 * written to a temporary name beside path and renamed, so an interrupted
 * write leaves no partial file.
 * Errors: RAD_ERR_ARGUMENT, RAD_ERR_IO.
 */
RAD_API rad_status rad_volume_write(const rad_volume *volume, const char *path,
                                    rad_error *error);

RAD_API void rad_volume_free(rad_volume *volume);

RAD_API void rad_volume_size(const rad_volume *volume, size_t size[3]);
RAD_API void rad_volume_spacing(const rad_volume *volume, double spacing[3]);
RAD_API void rad_volume_origin(const rad_volume *volume, double origin[3]);
RAD_API void rad_volume_direction(const rad_volume *volume, double direction[9]);
/* Voxel values, size[0]*size[1]*size[2] doubles, x fastest; owned by volume. */
RAD_API const double *rad_volume_data(const rad_volume *volume);
RAD_API double *rad_volume_data_mutable(rad_volume *volume);
/* World position (RAS mm) of the continuous voxel index ijk, and back. */
RAD_API void rad_volume_index_to_world(const rad_volume *volume, const double ijk[3],
                                       double world[3]);
RAD_API void rad_volume_world_to_index(const rad_volume *volume, const double world[3],
                                       double ijk[3]);

/* ------------------------------------------------------------------ */
/* Parameters                                                           */

typedef struct rad_params rad_params;

/* Severity of a log message. */
typedef enum rad_log_level {
    RAD_LOG_DEBUG = 0,
    RAD_LOG_INFO = 1,
    RAD_LOG_WARNING = 2
} rad_log_level;

typedef void (*rad_log_fn)(rad_log_level level, const char *message, void *user);

/*
 * Creates extraction parameters from a preset:
 *   "yu2021"      the 774 features of Yu et al. 2021 (first-order 18, GLCM 22,
 *                 GLRLM 16, GLSZM 16, GLDM 14 on the original image and the 8
 *                 coif1 wavelet sub-bands; 1 mm B-spline resampling;
 *                 normalisation with outliers clipped at 3 SD);
 *   "pyradiomics" pyradiomics' defaults (original image, all default-on
 *                 features of firstorder, shape, glcm, glrlm, glszm, gldm and
 *                 ngtdm, bin width 25);
 *   "ibsi"        (since 0.1) every IBSI 1 family the library has, features
 *                 with an IBSI tag only: firstorder, glcm, glrlm, glszm, gldm,
 *                 ngtdm, morph, ih, stat, ivh, loc, gldzm; voxelArrayShift 0,
 *                 ibsiBinEdges and excessKurtosis on. The preset computes
 *                 only the 3D_avg aggregation of GLCM and GLRLM and the 3D
 *                 one of the other texture classes, so it does not yet cover
 *                 IBSI's other aggregations. IBSI's pre-processing needs the
 *                 settings below (resampleGridAlignment ...
 *                 ivhDiscretisation), which the preset leaves at
 *                 pyradiomics' defaults.
 * NULL means "pyradiomics". Errors: RAD_ERR_PARAMETER for an unknown preset.
 */
RAD_API rad_status rad_params_create(const char *preset, rad_params **out, rad_error *error);
RAD_API rad_params *rad_params_copy(const rad_params *params);
RAD_API void rad_params_free(rad_params *params);

/*
 * Sets one setting by its pyradiomics name, with the value as text:
 *   binWidth (> 0), resampledPixelSpacing ("1,1,1" or "none"),
 *   interpolator (sitkBSpline, sitkLinear, sitkNearestNeighbor), padDistance
 *   (voxels), normalize (true/false), normalizeScale, removeOutliers (SD, or
 *   "none"), voxelArrayShift, label, geometryTolerance (mm),
 *   minimumROIDimensions, minimumROISize, preCrop, symmetricalGLCM,
 *   distances, gldm_a, wavelet, level,
 *   ibsiBinEdges (since 0.1; true: bins start at the ROI minimum,
 *   level = floor((x - min) / binWidth) + 1, as IBSI 1; false: pyradiomics'
 *   edges at multiples of binWidth), excessKurtosis (since 0.1; true:
 *   firstorder Kurtosis minus 3, IBSI's stat_kurt),
 *   binCount (since 0.1; number of equal-width bins over the ROI range,
 *   replaces binWidth; "none" returns to binWidth), resegmentRange (since
 *   0.1; [lower] or [lower, upper] thresholds, or "none"), resegmentMode
 *   (absolute: the values; relative: value x ROI maximum; sigma: ROI mean +
 *   value x ROI population SD), resegmentShape (true: shape also uses the
 *   resegmented mask), force2D (true: GLCM, GLRLM, GLSZM, GLDM and NGTDM use
 *   only neighbours within a slice), force2Ddimension (0, 1, 2: the slice
 *   normal as pyradiomics' z, y, x axis), weightingNorm (GLCM and GLRLM sum
 *   the direction matrices into one, weighted by exp(-d^2) for GLCM and d
 *   for GLRLM with d the direction's manhattan, euclidean or infinity norm
 *   in mm, or 1 for no_weighting; "none": mean over directions),
 *   textureAggregation (since 0.1; a list of IBSI 1 texture aggregation
 *   methods from 3D_avg, 3D_comb, 2D_avg, 2D_comb, 2_5D_avg and 2_5D_comb,
 *   default [3D_avg]. 2D and 2.5D use axial slices. Unless the list is
 *   exactly [3D_avg], texture feature names end in the IBSI suffix, e.g.
 *   original_glcm_MaximumProbability_2D_comb. rad_extract rejects a list other
 *   than [3D_avg] together with force2D or weightingNorm),
 *   additionalInfo (accepted, no effect), correctMask (accepted; a mask
 *   whose geometry differs from the image is still rejected),
 *   threads (since 0.1; 1 to 64, default 1: rad_extract computes the image
 *   types and feature classes of one ROI on this many POSIX threads, the
 *   calling thread included, and joins them all before it returns; output,
 *   values, log messages and errors equal those of a run with 1, which
 *   starts no thread),
 *   the box-segmentation settings of this library: boxAirThreshold,
 *   boxMuscleMin, boxMuscleMax, boxBoneMin, boxFatMin, boxFatMax (HU),
 *   and IBSI 1's pre-processing (since 0.1, defaults as in pyradiomics):
 *   resampleGridAlignment (corner: pyradiomics' grid; center: IBSI's,
 *   ceil(n s / s_new) voxels per axis centred on the image grid),
 *   roundIntensities (true: interpolated intensities rounded to integers),
 *   maskInterpolator (sitkNearestNeighbor, or sitkLinear with the ROI where
 *   the interpolated mask is >= maskPartialVolume, default 0.5),
 *   resegmentOutliers (k: after resegmentRange, keep the ROI voxels within
 *   mean +- k population SD; "none" turns it off), ivhDiscretisation
 *   (texture: the texture grey levels; none: the intensities in steps of 1;
 *   binWidth: bins of ivhBinWidth from the resegmentRange lower bound, at
 *   their centres; binCount: ivhBinCount bins, default 1000, over the ROI
 *   range). With a resegmentRange in absolute mode, ibsiBinEdges bins start
 *   at its lower bound. After resegmentation, shape, morphology and GLDZM
 *   distances use the mask before it (IBSI's morphological mask), and
 *   everything else the mask after it, unless resegmentShape is true.
 * Errors: RAD_ERR_PARAMETER naming the key (and the closest known key when
 * the key is unknown) or the value and the accepted range.
 */
RAD_API rad_status rad_params_set(rad_params *params, const char *key, const char *value,
                                  rad_error *error);
/* Current value of a setting as text, written into buf (NUL-terminated). */
RAD_API rad_status rad_params_get(const rad_params *params, const char *key, char *buf,
                                  size_t buf_size, rad_error *error);

/*
 * Enables or disables an image type: "Original", or "Wavelet" (with its
 * settings "wavelet" = coif1 | haar | db1..db4 and "level", set through
 * rad_params_set). Errors: RAD_ERR_PARAMETER.
 */
RAD_API rad_status rad_params_enable_image_type(rad_params *params, const char *image_type,
                                                int enabled, rad_error *error);

/*
 * Enables features of one class: pyradiomics' "firstorder", "shape", "glcm",
 * "glrlm", "glszm", "gldm", "ngtdm", or (since 0.1) the IBSI-only "morph",
 * "ih" (intensity histogram), "stat" (IBSI statistics pyradiomics lacks),
 * "ivh", "loc" (local intensity) and "gldzm". names is a NULL-terminated
 * list of feature names, or NULL for all default-on features of the class
 * (all features for the IBSI-only classes, which have no default-on ones);
 * enabled = 0 disables the whole class. Names are pyradiomics' ("Contrast"),
 * and for IBSI-only classes the IBSI tag with or without its prefix
 * ("ih_p10" or "p10"). Errors: RAD_ERR_PARAMETER naming an unknown class or
 * feature.
 */
RAD_API rad_status rad_params_enable_features(rad_params *params, const char *feature_class,
                                              const char *const *names, int enabled,
                                              rad_error *error);

/* Installs a log callback (NULL to remove); user is passed back unchanged. */
RAD_API void rad_params_set_log(rad_params *params, rad_log_fn fn, void *user);

/*
 * Reads a pyradiomics YAML parameter file into new parameters that start
 * from the "pyradiomics" preset (since 0.1). Top-level keys:
 *   setting:      every key rad_params_set accepts; lists such as
 *                 resampledPixelSpacing: [1, 1, 1]; an empty value or null
 *                 keeps the preset's value. pyradiomics keys that do not
 *                 change the features here (additionalInfo,
 *                 enableCExtensions, correctMask, force2Ddimension) are
 *                 accepted and ignored; force2D, resegmentRange,
 *                 weightingNorm and binCount are accepted only at their
 *                 defaults (false or null).
 *   imageType:    Original: {} and Wavelet: {} or {wavelet: coif1, level: 1};
 *                 an absent imageType keeps Original only.
 *   featureClass: class names as rad_params_enable_features; a null or []
 *                 value enables the class's default-on features, a list
 *                 enables those names; classes not listed are disabled. An
 *                 absent featureClass keeps the preset's classes.
 * The file is read as a strict YAML subset: block mappings by indentation,
 * flow ([a, b], {}) and block (- a) lists, plain and quoted scalars and #
 * comments; tabs, anchors, aliases, tags and multi-line scalars are rejected.
 * Errors: RAD_ERR_IO; RAD_ERR_FORMAT for a syntax error; RAD_ERR_PARAMETER
 * for an unknown key (naming the closest known key) or a bad value;
 * RAD_ERR_UNSUPPORTED for an image type or setting the library lacks, such
 * as LoG. Every message names the file and line.
 */
RAD_API rad_status rad_params_read(const char *path, rad_params **out, rad_error *error);

/* ------------------------------------------------------------------ */
/* Regions of interest                                                  */

/*
 * Builds a mask on the image's grid for a cube of edge size_mm centred on the
 * world point center (RAS mm): voxels whose centres lie in the cube and in
 * the subcutaneous tissue (inside the body, from the skin inwards to the
 * muscle fascia: skin, fat, vessels and calcifications; muscle and bone
 * excluded) get the value 1, all others 0. The thresholds are the box*
 * settings of params (NULL = defaults, documented in docs/segmentation.md).
 * Errors: RAD_ERR_ARGUMENT, RAD_ERR_OUTSIDE when the cube does not overlap
 * the image, RAD_ERR_EMPTY_ROI when no subcutaneous voxel is found.
 */
RAD_API rad_status rad_box_mask(const rad_params *params, const rad_volume *image,
                                const double center[3], double size_mm, rad_volume **out,
                                rad_error *error);

/*
 * Checks that mask lies on the image's grid: sizes equal, and origin,
 * spacing and direction equal within tolerance_mm (the largest distance
 * between corresponding voxel centres). Errors: RAD_ERR_GEOMETRY with the
 * offset in millimetres.
 */
RAD_API rad_status rad_check_geometry(const rad_volume *image, const rad_volume *mask,
                                      double tolerance_mm, rad_error *error);

/* ------------------------------------------------------------------ */
/* Feature extraction                                                   */

typedef struct rad_features rad_features;

/*
 * Computes the enabled features of image inside the voxels of mask equal to
 * the "label" setting, following the pyradiomics processing order:
 * normalisation of the whole image, resampling of image and mask to the
 * bounding box of the ROI plus padDistance, filters, discretisation by bin
 * width, features per image type. Names follow pyradiomics
 * ("original_firstorder_Mean", "wavelet-LHL_glcm_Contrast").
 * Errors: RAD_ERR_GEOMETRY, RAD_ERR_EMPTY_ROI, RAD_ERR_NOT_FINITE,
 * RAD_ERR_ARGUMENT, RAD_ERR_NO_MEMORY.
 */
RAD_API rad_status rad_extract(const rad_params *params, const rad_volume *image,
                               const rad_volume *mask, rad_features **out, rad_error *error);

RAD_API void rad_features_free(rad_features *features);
RAD_API size_t rad_features_count(const rad_features *features);
/* Name of feature i; owned by features; NULL when i is out of range. */
RAD_API const char *rad_features_name(const rad_features *features, size_t i);
/* Value of feature i; NaN when i is out of range. */
RAD_API double rad_features_value(const rad_features *features, size_t i);
/* Index of the feature with this name, or (size_t)-1. */
RAD_API size_t rad_features_find(const rad_features *features, const char *name);
/* Smallest number of grey levels left by discretisation over the image
 * types, a sign of degenerate texture when below 8. */
RAD_API int rad_features_min_grey_levels(const rad_features *features);

/*
 * IBSI 1 tag of feature i with its aggregation suffix, e.g. "stat_mean",
 * "cm_joint_max_3D_avg", "szm_sze_3D" (since 0.1); "" when the feature has
 * no IBSI tag; NULL when i is out of range. GLCM and GLRLM features are
 * averaged over the 13 directions (3D_avg), GLSZM, GLDM (IBSI's NGLDM),
 * NGTDM and GLDZM use one matrix over the volume (3D). The tag does not name
 * the image type. Owned by features.
 */
RAD_API const char *rad_features_ibsi_tag(const rad_features *features, size_t i);

/* IBSI 1 permanent identifier of feature i ("Q4LE" for stat_mean), "" when
 * none, NULL when i is out of range (since 0.1). Static storage. */
RAD_API const char *rad_features_ibsi_id(const rad_features *features, size_t i);

#ifdef __cplusplus
}
#endif

#endif /* RADIOMICS_H */
