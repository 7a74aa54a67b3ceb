/*
 * internal.h - private declarations shared by the libradiomics sources.
 * Never installed. Internal names start with ri_ (functions, types) or RI_
 * (macros, constants) so that they cannot be mistaken for the public API.
 */
#ifndef RADIOMICS_INTERNAL_H
#define RADIOMICS_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "radiomics.h"

/* Largest voxel count a volume may have (2^31 voxels, 16 GiB of doubles). */
#define RI_MAX_VOXELS ((size_t)1 << 31)

struct rad_error {
    rad_status status;
    char message[1024];
};

/* Records status and a printf-style message in error (which may be NULL)
 * and returns status, so that callers can write `return ri_fail(...)`. */
rad_status ri_fail(rad_error *error, rad_status status, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

struct rad_volume {
    size_t size[3];
    double spacing[3];
    double origin[3];
    double direction[9]; /* row-major; column c is the world direction of axis c */
    double *data;        /* size[0]*size[1]*size[2] values, x fastest */
    int integer_valued;  /* 1 when read from an integer datatype with no scaling that
                          * makes values fractional; resampling then truncates its
                          * output to integers as SimpleITK does for integer pixels */
};

static inline size_t ri_voxel_count(const rad_volume *v)
{
    return v->size[0] * v->size[1] * v->size[2];
}

static inline size_t ri_index(const rad_volume *v, size_t i, size_t j, size_t k)
{
    return i + v->size[0] * (j + v->size[1] * k);
}

/* Allocates a volume with the geometry of like (size included), zero-filled. */
rad_status ri_volume_like(const rad_volume *like, rad_volume **out, rad_error *error);

/* ------------------------------------------------------------------ */
/* Parameters (params.c)                                                */

typedef enum ri_interpolator {
    RI_INTERP_NEAREST = 0,
    RI_INTERP_LINEAR = 1,
    RI_INTERP_BSPLINE = 2
} ri_interpolator;

/*
 * Feature classes. Per image type the classes are output in this order,
 * except that RI_CLASS_SHAPE and RI_CLASS_MORPHOLOGY are computed once, on
 * the original image, and output first (pyradiomics' order for shape).
 */
typedef enum ri_feature_class {
    RI_CLASS_FIRSTORDER = 0,
    RI_CLASS_GLCM = 1,
    RI_CLASS_GLRLM = 2,
    RI_CLASS_GLSZM = 3,
    RI_CLASS_GLDM = 4,
    RI_CLASS_SHAPE = 5,
    RI_CLASS_NGTDM = 6,
    RI_CLASS_MORPHOLOGY = 7,
    RI_CLASS_INTENSITY_HISTOGRAM = 8,
    RI_CLASS_STATISTICS_EXTRA = 9,
    RI_CLASS_IVH = 10,
    RI_CLASS_LOCAL_INTENSITY = 11,
    RI_CLASS_GLDZM = 12,
    RI_CLASS_COUNT = 13
} ri_feature_class;

/* One feature of the feature table. */
typedef struct ri_feature_def {
    const char *name;        /* pyradiomics name, e.g. "JointEnergy" */
    const char *ibsi_tag;    /* IBSI tag without aggregation suffix, e.g. "cm_energy"; "" if none */
    const char *ibsi_id;     /* IBSI permanent identifier, e.g. "8ZQL"; "" if none */
    int default_on;          /* enabled by pyradiomics when the class is enabled without a list */
    int deprecated;          /* pyradiomics refuses it unless asked for by name */
    double degenerate_value; /* value on a region with one grey level (NaN: computed normally) */
} ri_feature_def;

/* The feature table of one class: defs[0..count-1], in pyradiomics' order. */
typedef struct ri_feature_table {
    const char *class_name; /* "firstorder", "glcm", ... */
    const ri_feature_def *defs;
    size_t count;
} ri_feature_table;

/* Each kernel file defines the table of its class. */
extern const ri_feature_table ri_firstorder_table; /* firstorder.c */
extern const ri_feature_table ri_glcm_table;       /* glcm.c */
extern const ri_feature_table ri_glrlm_table;      /* glrlm.c */
extern const ri_feature_table ri_glszm_table;      /* glszm.c */
extern const ri_feature_table ri_gldm_table;       /* gldm.c */

const ri_feature_table *ri_feature_table_of(ri_feature_class feature_class);

/*
 * Returns the known difference of feature index of a class from IBSI's or
 * pyradiomics' definition, with the setting or class that gives the other
 * value, or NULL when the feature has none.
 */
const char *ri_feature_known_difference(ri_feature_class feature_class, size_t index);

/* 1 for the classes pyradiomics lacks, whose features are named after their
 * IBSI tags (morph, ih, stat, ivh, loc, gldzm). */
int ri_class_is_ibsi_only(ri_feature_class feature_class);

/* Class part of the output names: the table's class_name for pyradiomics
 * classes ("glcm"), the IBSI prefix for the others ("ih", "morph"). */
const char *ri_class_output_name(ri_feature_class feature_class);

/* Feature part of the output name of defs[i]: the pyradiomics name, or for
 * IBSI-only classes the IBSI tag after its first '_' ("ih_p10" -> "p10"). */
const char *ri_feature_output_name(ri_feature_class feature_class, size_t i);

/* IBSI aggregation suffix of a class's tags as this library computes them:
 * "_3D_avg" (GLCM, GLRLM: features averaged over the 13 directions), "_3D"
 * (one matrix over the volume: GLSZM, GLDM, NGTDM, GLDZM), "" otherwise. */
const char *ri_class_ibsi_suffix(ri_feature_class feature_class);

/*
 * IBSI 1 texture aggregation methods (the textureAggregation setting). 2-D
 * and 2.5-D methods take the slices along z (axial) and the in-plane
 * directions. "avg" averages features over matrices, and "comb" merges the
 * matrices first. GLSZM, GLDM, NGTDM and GLDZM build one matrix per slice or
 * volume, so for them the 3-D, 2-D and 2.5-D pairs collapse to one method
 * each, represented by RI_AGG_3D_AVG, RI_AGG_2D_AVG and RI_AGG_2_5D_AVG.
 */
typedef enum ri_aggregation {
    RI_AGG_3D_AVG = 0,   /* per 3-D direction, features averaged (pyradiomics) */
    RI_AGG_3D_COMB = 1,  /* 3-D direction matrices merged */
    RI_AGG_2D_AVG = 2,   /* per slice and in-plane direction, features averaged */
    RI_AGG_2D_COMB = 3,  /* per slice, in-plane direction matrices merged, averaged over slices */
    RI_AGG_2_5D_AVG = 4, /* per in-plane direction, merged over slices, averaged */
    RI_AGG_2_5D_COMB = 5, /* merged over slices and in-plane directions */
    RI_AGG_COUNT = 6
} ri_aggregation;

/* Bit mask of the default textureAggregation, ["3D_avg"]. */
#define RI_AGG_DEFAULT_MASK (1u << RI_AGG_3D_AVG)

struct ri_settings;

/* Setting value of method a ("3D_avg", "2_5D_comb", ...). */
const char *ri_aggregation_name(ri_aggregation a);

/* 1 for the texture classes that textureAggregation applies to. */
int ri_class_is_texture(ri_feature_class feature_class);

/*
 * Writes the methods to compute for class c under settings->texture_aggregation
 * into out, in enum order, each once, and returns their count. Single-matrix
 * classes get their representative methods, and non-texture classes get
 * RI_AGG_3D_AVG alone.
 */
int ri_class_aggregations(const struct ri_settings *settings, ri_feature_class c,
                          ri_aggregation out[RI_AGG_COUNT]);

/* IBSI tag suffix of class c computed with method a ("_2D_comb", "_2_5D", "" ...). */
const char *ri_aggregation_suffix(ri_feature_class c, ri_aggregation a);

/* Rejects textureAggregation combined with force2D or weightingNorm. */
rad_status ri_check_aggregation(const struct ri_settings *settings, rad_error *error);

/* Radius in mm of the 1 cm^3 sphere of the local intensity features. */
#define RI_LOCAL_INTENSITY_RADIUS_MM 6.2035049089940

#define RI_MAX_DISTANCES 8

/* resampleGridAlignment: where the resampled grid lies on the image. */
typedef enum ri_grid_alignment {
    RI_GRID_CORNER = 0, /* pyradiomics: around the ROI, corner on the mask's voxel corner */
    RI_GRID_CENTER = 1  /* IBSI: over the whole image, centre on the image's centre */
} ri_grid_alignment;

/* ivhDiscretisation: the grey levels of the intensity-volume histogram. */
typedef enum ri_ivh_discretisation {
    RI_IVH_TEXTURE = 0,   /* the texture grey levels, each at its bin's lower edge */
    RI_IVH_NONE = 1,      /* the intensities themselves, step 1 (integer values such as HU) */
    RI_IVH_BIN_WIDTH = 2, /* fixed bin size ivhBinWidth, intensities at the bin centres */
    RI_IVH_BIN_COUNT = 3  /* fixed bin number ivhBinCount, levels 1..ivhBinCount */
} ri_ivh_discretisation;

/* resegmentMode: how resegmentRange turns into intensity thresholds. */
typedef enum ri_resegment_mode {
    RI_RESEGMENT_ABSOLUTE = 0, /* thresholds are the values themselves */
    RI_RESEGMENT_RELATIVE = 1, /* value x ROI maximum */
    RI_RESEGMENT_SIGMA = 2     /* ROI mean + value x ROI SD (population, ddof 0) */
} ri_resegment_mode;

/*
 * weightingNorm: GLCM and GLRLM directions are summed with a weight each
 * and give one matrix instead of a mean over directions. With d the norm of
 * the direction vector scaled by the voxel spacing in mm, the weight is
 * exp(-d^2) for GLCM and d for GLRLM (pyradiomics 3.x), 1 for NO_WEIGHTING.
 */
typedef enum ri_weighting_norm {
    RI_WEIGHTING_NONE = 0, /* None: mean of the per-direction features */
    RI_WEIGHTING_MANHATTAN = 1,
    RI_WEIGHTING_EUCLIDEAN = 2,
    RI_WEIGHTING_INFINITY = 3,
    RI_WEIGHTING_NO_WEIGHTING = 4
} ri_weighting_norm;

/* Weight of direction step (dx, dy, dz) under settings->weighting_norm for
 * GLCM (exp_form 1: exp(-d^2)) or GLRLM (exp_form 0: d), see above. */
struct ri_settings;
double ri_direction_weight(const struct ri_settings *settings, const double spacing[3],
                           const int step[3], int exp_form);

/* 1 when force2D excludes step (dx, dy, dz): it moves along the force2D axis. */
int ri_step_excluded_2d(const struct ri_settings *settings, const int step[3]);

typedef struct ri_settings {
    /* pre-processing */
    double bin_width;            /* binWidth, > 0 */
    int resample;                /* 0: no resampling */
    double resampled_spacing[3]; /* resampledPixelSpacing, mm */
    ri_interpolator interpolator;
    int pad_distance;            /* padDistance, voxels */
    int normalize;
    double normalize_scale;
    double remove_outliers;      /* SD; <= 0 means off */
    double voxel_array_shift;
    double label;
    double geometry_tolerance;   /* mm */
    int minimum_roi_dimensions;  /* 1..3 */
    int minimum_roi_size;        /* voxels; 0 = off */
    int pre_crop;                /* preCrop: crop before filtering when not resampling */
    int ibsi_bin_edges;          /* ibsiBinEdges: bins from the ROI minimum, IBSI 1's FBS */
    int excess_kurtosis;         /* excessKurtosis: firstorder Kurtosis minus 3, IBSI's stat_kurt */
    int threads;                 /* threads: workers of one rad_extract, 1..RI_MAX_THREADS */
    /* texture */
    int symmetrical_glcm;
    int distances[RI_MAX_DISTANCES];
    int n_distances;
    double gldm_a;               /* gldm_a: dependence cut-off */
    int bin_count;               /* binCount: fixed bin number, replaces binWidth; 0 = off */
    int n_resegment;             /* number of resegmentRange values (0 = no resegmentation) */
    double resegment_range[2];   /* resegmentRange, sorted increasing */
    ri_resegment_mode resegment_mode; /* resegmentMode */
    int resegment_shape;         /* resegmentShape: shape also uses the resegmented mask */
    double resegment_outliers;   /* resegmentOutliers: SD around the ROI mean, after
                                  * resegmentRange (IBSI's outlier filtering), 0 = off */
    ri_grid_alignment grid_alignment; /* resampleGridAlignment */
    int round_intensities;       /* roundIntensities: round to integers after resampling */
    ri_interpolator mask_interpolator; /* maskInterpolator: nearest or linear */
    double mask_partial_volume;  /* maskPartialVolume: ROI where the linearly interpolated
                                  * mask is >= this, in (0, 1] */
    ri_ivh_discretisation ivh_discretisation; /* ivhDiscretisation */
    double ivh_bin_width;        /* ivhBinWidth, > 0 */
    int ivh_bin_count;           /* ivhBinCount, >= 2 */
    int force2d;                 /* force2D: texture neighbours only within a slice */
    int force2d_dimension;       /* force2Ddimension: 0, 1, 2 = pyradiomics' (z, y, x) axis */
    ri_weighting_norm weighting_norm; /* weightingNorm: merge GLCM/GLRLM directions */
    unsigned texture_aggregation; /* textureAggregation: bit a set for each ri_aggregation a */
    int correct_mask;            /* correctMask: stored only. NOTE: a mask whose geometry
                                  * differs is still rejected; pyradiomics resamples it. */
    int additional_info;         /* additionalInfo: accepted, no effect (no diagnostics) */
    /* image types */
    int original_enabled;
    int wavelet_enabled;
    char wavelet_name[16];       /* coif1, haar, db1..db4 */
    int wavelet_level;
    /* features: enabled[class][i] for defs of ri_feature_table_of(class) */
    unsigned char *enabled[RI_CLASS_COUNT];
    /* box segmentation (HU) */
    double box_air_threshold;    /* body = voxels above this */
    double box_fat_min, box_fat_max;
    double box_muscle_min, box_muscle_max;
    double box_bone_min;
    double box_nodata_value;     /* edge-touching regions <= this are "no data" (HU) */
    double box_margin_mm;        /* context added around the cube before segmenting */
    double box_body_min_fraction; /* keep body parts with >= this share of the cube's body */
    double box_muscle_core_mm;   /* in-plane erosion radius that removes thin soft tissue */
    double box_muscle_min_volume; /* mm^3 of a muscle core component */
    double box_muscle_min_depth; /* mm from the skin reached by a muscle core component */
    double box_septum_mm;        /* closing radius that seals fat septa between muscles */
    double box_bone_min_volume;  /* mm^3; a bright component at least this big is bone */
    double box_bone_core_mm;     /* in-plane erosion radius a bone component survives */
    double box_bone_reach_mm;    /* bone extends this far (path in mm) from its thick part */
    double box_skin_edge_min;    /* non-body voxels above this (HU) next to kept skin are kept */
    double box_vessel_fat_fraction; /* share of a far bright piece's neighbours < muscle min: vessel */
} ri_settings;

/* Returns the lower bound of an absolute resegmentRange, or -INFINITY without
 * one (relative and sigma ranges have no fixed bound). IBSI's fixed bin size
 * bins and IVH range start there. */
double ri_resegment_lower_bound(const ri_settings *s);

/* Returns the upper bound of a two-value absolute resegmentRange, else +INFINITY. */
double ri_resegment_upper_bound(const ri_settings *s);

struct rad_params {
    ri_settings s;
    rad_log_fn log_fn;
    void *log_user;
};

/* Case-insensitive Levenshtein distance for "did you mean" hints;
 * (size_t)-1 when a string has 64 characters or more. */
size_t ri_edit_distance(const char *a, const char *b);

/* Sends a printf-style message to the log callback of params, if any. */
void ri_log(const rad_params *params, rad_log_level level, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

/* ------------------------------------------------------------------ */
/* NIfTI and NRRD (nifti_io.c, nrrd_io.c)                               */

rad_status ri_read_nifti(const char *path, rad_volume **out, rad_error *error);
rad_status ri_write_nifti(const rad_volume *volume, const char *path, rad_error *error);
rad_status ri_read_nrrd(const char *path, rad_volume **out, rad_error *error);

/* ------------------------------------------------------------------ */
/* Pre-processing (normalize.c, resample.c)                             */

/*
 * pyradiomics' normalizeImage on the whole image: (x - mean) / sd with the
 * sample standard deviation over all voxels, then clipping to
 * +-remove_outliers (when > 0), then multiplication by scale.
 */
rad_status ri_normalize(rad_volume *image, double scale, double remove_outliers,
                        rad_error *error);

/*
 * pyradiomics' resampleImage: the output grid has spacing `spacing`, covers
 * the bounding box of the voxels of mask equal to label plus pad voxels at
 * the new spacing, and keeps the corner of the origin voxel aligned; the
 * image is interpolated with interp (B-spline as SimpleITK's
 * BSplineInterpolateImageFunction of order 3), the mask by nearest neighbour
 * (out: voxels equal to label become 1, others 0).
 */
rad_status ri_resample_pyradiomics(const rad_volume *image, const rad_volume *mask,
                                   double label, const double spacing[3],
                                   ri_interpolator interp, int pad, rad_volume **image_out,
                                   rad_volume **mask_out, rad_error *error);

/* Options of ri_resample. */
typedef struct ri_resample_options {
    double label;                      /* ROI value in the mask */
    double spacing[3];                 /* mm; 0 keeps the image's spacing on that axis */
    ri_interpolator interpolator;      /* of the image */
    int pad;                           /* output voxels around the ROI's bounding box */
    ri_grid_alignment alignment;
    ri_interpolator mask_interpolator; /* RI_INTERP_NEAREST or RI_INTERP_LINEAR */
    double mask_threshold;             /* partial-volume threshold of a linear mask, (0, 1] */
    int round_intensities;             /* round interpolated intensities to integers */
} ri_resample_options;

/*
 * Resamples image and mask with IBSI's options. RI_GRID_CORNER gives the
 * grid of ri_resample_pyradiomics. With RI_GRID_CENTER, each axis of n_a
 * voxels of spacing s_a gets n_b = ceil(n_a s_a / s_b) voxels of spacing
 * s_b, and the new grid's centre lies on the image grid's centre (IBSI 1,
 * "align grid centers"). Only the part of that grid around the ROI's
 * bounding box, grown by pad voxels, is computed. A linear mask interpolator
 * interpolates the 0/1 mask of label and keeps the voxels >= mask_threshold
 * (IBSI's partial-volume threshold). Output voxels outside the image are 0.
 * mask_out is 0/1. Errors: RAD_ERR_ARGUMENT, RAD_ERR_GEOMETRY,
 * RAD_ERR_EMPTY_ROI, RAD_ERR_TOO_LARGE, RAD_ERR_NO_MEMORY.
 */
rad_status ri_resample(const rad_volume *image, const rad_volume *mask,
                       const ri_resample_options *options, rad_volume **image_out,
                       rad_volume **mask_out, rad_error *error);

/* The whole centre-aligned grid of ri_resample on image: its size, the
 * image index of its first voxel and its step in image voxels, per axis. */
void ri_resample_center_grid(const rad_volume *image, const double spacing[3], size_t size[3],
                             double first_index[3], double step[3]);

/*
 * pyradiomics' cropToTumorMask: crops image and mask to the bounding box of
 * mask != 0 grown by pad voxels (clamped to the image). mask_out is 0/1.
 */
rad_status ri_crop_to_mask(const rad_volume *image, const rad_volume *mask, double label,
                           int pad, rad_volume **image_out, rad_volume **mask_out,
                           rad_error *error);

/*
 * Resegments the 0/1 mask on image by resegmentRange, then by
 * resegmentOutliers, each when set (extract.c). *out is a new 0/1 mask.
 * Errors: RAD_ERR_EMPTY_ROI when fewer than 2 voxels are left,
 * RAD_ERR_NO_MEMORY.
 */
rad_status ri_resegment(const ri_settings *s, const rad_volume *image, const rad_volume *mask,
                        rad_volume **out, rad_error *error);

/* ------------------------------------------------------------------ */
/* Filters (wavelet.c)                                                  */

#define RI_WAVELET_BANDS 8
#define RI_WAVELET_MAX_TAPS 8

/*
 * One-level (or `level`-level) 3-D stationary wavelet transform as
 * pyradiomics' getWaveletImage computes it with PyWavelets' swtn
 * (wavelet = haar, db1..db4 or coif1): each odd size is padded by one voxel
 * repeating index 0, the transform is periodic, and the result is cropped
 * back. bands[b] receives a new volume with the geometry of image, named
 * band_names[b] in pyradiomics' order: wavelet-LLH, -LHL, -LHH, -HLL, -HLH,
 * -HHL, -HHH, -LLL (letters read x, y, z). For level > 1 each level filters
 * the previous LLL with undilated filters, as pyradiomics does, and the 8
 * outputs are that level's ("wavelet2-LLH", ..., "wavelet2-LLL");
 * pyradiomics also yields the detail bands of the lower levels, which a
 * caller gets by calling again with those levels. On failure bands[] is left
 * untouched. Errors: RAD_ERR_ARGUMENT, RAD_ERR_PARAMETER, RAD_ERR_NO_MEMORY.
 * NOTE: pyradiomics' start_level setting (default 0: LLL-only steps before
 * the first returned level, names still counted from 1) is not supported.
 */
rad_status ri_wavelet(const rad_volume *image, const char *wavelet, int level,
                      rad_volume *bands[RI_WAVELET_BANDS],
                      char band_names[RI_WAVELET_BANDS][32], rad_error *error);

/*
 * Computes ri_wavelet for the bands whose output position p (0..7, the order
 * above) has bit p set in wanted. Only those bands[p] are written, and only
 * the passes they need are run, but every band_names[p] is written.
 * Two calls, one per x letter (positions 0-2 and 7 are low-pass along x,
 * 3-6 high-pass), share no filter pass at level 1, so they repeat only the
 * reading of the source rows, and they keep half the bands in memory.
 */
rad_status ri_wavelet_some(const rad_volume *image, const char *wavelet, int level,
                           unsigned wanted, rad_volume *bands[RI_WAVELET_BANDS],
                           char band_names[RI_WAVELET_BANDS][32], rad_error *error);

/* Decomposition filters of a wavelet as PyWavelets stores them; high[k] =
 * (-1)^(k+1) low[length-1-k]. */
typedef struct ri_wavelet_filter {
    int length;
    double low[RI_WAVELET_MAX_TAPS];
    double high[RI_WAVELET_MAX_TAPS];
} ri_wavelet_filter;

rad_status ri_wavelet_filter_get(const char *name, ri_wavelet_filter *filter, rad_error *error);

/* Boundary extension of a filter pass, for signal a b c d. */
typedef enum ri_boundary {
    RI_BOUNDARY_PERIODIC = 0,  /* ... c d | a b c d | a b ...  (IBSI "periodic", scipy "wrap") */
    RI_BOUNDARY_SYMMETRIC = 1, /* ... b a | a b c d | d c ...  (IBSI "mirror", scipy "reflect") */
    RI_BOUNDARY_MIRROR = 2,    /* ... c b | a b c d | c b ...  (scipy "mirror") */
    RI_BOUNDARY_ZERO = 3       /* ... 0 0 | a b c d | 0 0 ...  (IBSI "zero", scipy "constant") */
} ri_boundary;

/*
 * One band ("LHL", letters x, y, z) of IBSI 2's separable stationary wavelet
 * at decomposition level `level` (a trous: filters dilated by 2^(level-1)
 * after level-1 low-pass steps), with the given boundary, no padding and no
 * cropping. *out receives a new volume with the geometry of image.
 * Errors: RAD_ERR_ARGUMENT, RAD_ERR_PARAMETER, RAD_ERR_NO_MEMORY.
 */
rad_status ri_wavelet_ibsi(const rad_volume *image, const char *wavelet, const char *band,
                           int level, ri_boundary boundary, rad_volume **out, rad_error *error);

/* A filter from one volume to a new volume of the same size, for pooling. */
typedef rad_status (*ri_volume_filter)(const rad_volume *in, rad_volume **out, void *user,
                                       rad_error *error);

/*
 * Rotation-invariant mean pooling (IBSI 2): applies filter to the image
 * turned by each of the 24 proper right-angle rotations of the voxel grid,
 * turns each response back and averages them. *out receives a new volume
 * with the geometry of image. Errors: those of filter, RAD_ERR_NO_MEMORY.
 */
rad_status ri_rotation_mean(const rad_volume *image, ri_volume_filter filter, void *user,
                            rad_volume **out, rad_error *error);

/* ------------------------------------------------------------------ */
/* Box segmentation (box.c)                                             */

/* Fills the box-segmentation fields of s with their documented defaults. */
void ri_box_defaults(ri_settings *s);

rad_status ri_box_mask(const ri_settings *settings, const rad_volume *image,
                       const double center[3], double size_mm, rad_volume **out,
                       rad_error *error);

/* ------------------------------------------------------------------ */
/* Feature kernels (discretize.c, firstorder.c, glcm.c, glrlm.c, glszm.c, */
/* gldm.c)                                                              */

/* A cropped region prepared for the feature kernels. */
/* Largest number of grey levels a fixed bin width may give an ROI. */
#define RI_MAX_GREY_LEVELS 1000000

typedef struct ri_roi {
    size_t size[3];          /* of the cropped box */
    double spacing[3];
    const double *values;    /* intensities, size[0]*size[1]*size[2] */
    const uint8_t *mask;     /* 1 inside the ROI */
    const int *levels;       /* discretised grey level (>= 1) inside the ROI, 0 outside */
    int max_level;           /* largest level in the ROI (pyradiomics' Ng) */
    size_t n_voxels;         /* voxels inside the ROI */
    const uint8_t *morph_mask; /* IBSI's morphological mask on the same box when it differs
                                * from mask (the intensity mask), else NULL. Morphology
                                * and GLDZM distances use it. Code that copies an ri_roi
                                * onto another box must rebuild it or set it NULL. */
} ri_roi;

/*
 * Discretises the ROI values by fixed bin width as pyradiomics does:
 * level = floor(x / w) - floor(min / w) + 1, with min the ROI minimum, so
 * the lowest level present is 1. Writes levels (0 outside the mask) and
 * returns the largest level in *max_level and the number of distinct levels
 * in *n_present.
 */
void ri_discretize_bin_width(const double *values, const uint8_t *mask, size_t n,
                             double bin_width, int *levels, int *max_level, int *n_present);

/*
 * Discretises the ROI values into bin_count equal-width bins over the ROI
 * range as pyradiomics' binCount does (numpy.histogram edges, the top edge
 * raised so that the maximum falls in bin bin_count). Outputs as
 * ri_discretize_bin_width.
 */
void ri_discretize_bin_count(const double *values, const uint8_t *mask, size_t n,
                             int bin_count, int *levels, int *max_level, int *n_present);

/*
 * Each kernel writes one value per entry of its class's feature table into
 * out (NaN for entries not enabled is allowed), following pyradiomics'
 * definitions and the texture settings in settings.
 */
rad_status ri_firstorder(const ri_roi *roi, const ri_settings *settings, double *out,
                         rad_error *error);
rad_status ri_glcm(const ri_roi *roi, const ri_settings *settings, double *out,
                   rad_error *error);

/* Largest GLCM distance (Chebyshev norm, voxels) accepted by glcm.c. */
#define RI_MAX_GLCM_DISTANCE 16

/*
 * GLCM neighbour offsets (dx, dy, dz) for the given distances: every offset
 * whose Chebyshev norm is one of them, one of each +/- pair (13 for {1}).
 * Allocates *offsets (caller frees) and returns the count, or -1 on an
 * invalid distance or exhausted memory.
 */
int ri_glcm_offsets(const int *distances, int n_distances, int (**offsets)[3]);

/*
 * Counts the ordered pairs (v, v + offset) of ROI voxels into
 * counts[(level(v) - 1) * max_level + level(v + offset) - 1], a
 * max_level x max_level array; no symmetrisation, no normalisation.
 */
rad_status ri_glcm_counts(const ri_roi *roi, const int offset[3], uint32_t *counts,
                          rad_error *error);
rad_status ri_glrlm(const ri_roi *roi, const ri_settings *settings, double *out,
                    rad_error *error);
rad_status ri_glszm(const ri_roi *roi, const ri_settings *settings, double *out,
                    rad_error *error);
rad_status ri_gldm(const ri_roi *roi, const ri_settings *settings, double *out,
                   rad_error *error);

/*
 * Computes the texture features of class c (GLCM, GLRLM, GLSZM, GLDM, NGTDM
 * or GLDZM) with aggregation method a. RI_AGG_3D_AVG runs the class's kernel as is.

 * out receives the class's table.count values.
 */
rad_status ri_texture_aggregated(ri_feature_class c, const ri_roi *roi,
                                 const ri_settings *settings, ri_aggregation a, double *out,
                                 rad_error *error);

/* ------------------------------------------------------------------ */
/* Task pool (parallel.c)                                               */

/* Largest value of the "threads" setting. */
#define RI_MAX_THREADS 64

/* One task of ri_parallel_run: works on task `index` of context and stores
 * its result and error message in a slot of context owned by that index. */
typedef rad_status (*ri_task_fn)(void *context, size_t index);

/*
 * Runs fn(context, i) for i = 0 .. n_tasks-1 on up to n_threads threads,
 * the calling thread included, and joins them all before returning. No
 * thread is started when n_threads <= 1 or n_tasks <= 1, and a thread that
 * fails to start leaves its tasks to the others. After a task fails, tasks
 * with a higher index may be skipped, but every task with a lower index
 * runs. Returns the lowest index whose task failed, or n_tasks.
 */
size_t ri_parallel_run(int n_threads, size_t n_tasks, ri_task_fn fn, void *context);

#endif /* RADIOMICS_INTERNAL_H */
