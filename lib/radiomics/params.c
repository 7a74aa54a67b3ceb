/*
 * params.c - extraction parameters: presets, settings by pyradiomics name,
 * enabled image types and features, the log callback.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "families.h"

const ri_feature_table *ri_feature_table_of(ri_feature_class feature_class)
{
    switch (feature_class) {
    case RI_CLASS_FIRSTORDER: return &ri_firstorder_table;
    case RI_CLASS_GLCM: return &ri_glcm_table;
    case RI_CLASS_GLRLM: return &ri_glrlm_table;
    case RI_CLASS_GLSZM: return &ri_glszm_table;
    case RI_CLASS_GLDM: return &ri_gldm_table;
    case RI_CLASS_SHAPE: return &ri_shape_table;
    case RI_CLASS_NGTDM: return &ri_ngtdm_table;
    case RI_CLASS_MORPHOLOGY: return &ri_morphology_table;
    case RI_CLASS_INTENSITY_HISTOGRAM: return &ri_intensity_histogram_table;
    case RI_CLASS_STATISTICS_EXTRA: return &ri_statistics_extra_table;
    case RI_CLASS_IVH: return &ri_ivh_table;
    case RI_CLASS_LOCAL_INTENSITY: return &ri_local_intensity_table;
    case RI_CLASS_GLDZM: return &ri_gldzm_table;
    default: return NULL;
    }
}

int ri_class_is_ibsi_only(ri_feature_class feature_class)
{
    return feature_class >= RI_CLASS_MORPHOLOGY && feature_class < RI_CLASS_COUNT;
}

const char *ri_class_output_name(ri_feature_class feature_class)
{
    switch (feature_class) {
    case RI_CLASS_MORPHOLOGY: return "morph";
    case RI_CLASS_INTENSITY_HISTOGRAM: return "ih";
    case RI_CLASS_STATISTICS_EXTRA: return "stat";
    case RI_CLASS_IVH: return "ivh";
    case RI_CLASS_LOCAL_INTENSITY: return "loc";
    case RI_CLASS_GLDZM: return "gldzm";
    default: {
        const ri_feature_table *table = ri_feature_table_of(feature_class);
        return table ? table->class_name : "";
    }
    }
}

const char *ri_feature_output_name(ri_feature_class feature_class, size_t i)
{
    const ri_feature_table *table = ri_feature_table_of(feature_class);
    const char *tag, *underscore;

    if (table == NULL || i >= table->count)
        return "";
    if (!ri_class_is_ibsi_only(feature_class))
        return table->defs[i].name;
    tag = table->defs[i].ibsi_tag;
    underscore = strchr(tag, '_');
    return underscore ? underscore + 1 : tag;
}

static const char *const aggregation_names[RI_AGG_COUNT] = {
    "3D_avg", "3D_comb", "2D_avg", "2D_comb", "2_5D_avg", "2_5D_comb",
};

const char *ri_aggregation_name(ri_aggregation a)
{
    return (unsigned)a < RI_AGG_COUNT ? aggregation_names[a] : "";
}

int ri_class_is_texture(ri_feature_class feature_class)
{
    switch (feature_class) {
    case RI_CLASS_GLCM:
    case RI_CLASS_GLRLM:
    case RI_CLASS_GLSZM:
    case RI_CLASS_GLDM:
    case RI_CLASS_NGTDM:
    case RI_CLASS_GLDZM: return 1;
    default: return 0;
    }
}

/* Returns 1 for the classes with one matrix per slice or volume, which have no directions. */
static int is_single_matrix(ri_feature_class feature_class)
{
    return ri_class_is_texture(feature_class) && feature_class != RI_CLASS_GLCM &&
           feature_class != RI_CLASS_GLRLM;
}

/* Returns the method that represents a in a single-matrix class, the "avg" one of its pair. */
static ri_aggregation single_matrix_method(ri_aggregation a)
{
    return (ri_aggregation)(a - a % 2);
}

int ri_class_aggregations(const ri_settings *settings, ri_feature_class c,
                          ri_aggregation out[RI_AGG_COUNT])
{
    unsigned mask = settings != NULL ? settings->texture_aggregation : RI_AGG_DEFAULT_MASK;
    int n = 0;

    if (!ri_class_is_texture(c) || mask == 0) {
        out[0] = RI_AGG_3D_AVG;
        return 1;
    }
    for (int a = 0; a < RI_AGG_COUNT; a++) {
        if (!(mask & (1u << a)))
            continue;
        ri_aggregation method = is_single_matrix(c) ? single_matrix_method((ri_aggregation)a)
                                                    : (ri_aggregation)a;
        if (n > 0 && out[n - 1] == method)
            continue;
        out[n++] = method;
    }
    return n;
}

const char *ri_aggregation_suffix(ri_feature_class c, ri_aggregation a)
{
    static const char *const single[RI_AGG_COUNT] = {"_3D", "_3D", "_2D", "_2D", "_2_5D",
                                                     "_2_5D"};
    static const char *const directional[RI_AGG_COUNT] = {
        "_3D_avg", "_3D_comb", "_2D_avg", "_2D_comb", "_2_5D_avg", "_2_5D_comb",
    };

    if (!ri_class_is_texture(c) || (unsigned)a >= RI_AGG_COUNT)
        return "";
    return is_single_matrix(c) ? single[a] : directional[a];
}

const char *ri_class_ibsi_suffix(ri_feature_class feature_class)
{
    return ri_aggregation_suffix(feature_class, RI_AGG_3D_AVG);
}

rad_status ri_check_aggregation(const ri_settings *settings, rad_error *error)
{
    /* 0 comes from settings filled by hand (kernel tests) and means the default. */
    if (settings->texture_aggregation == RI_AGG_DEFAULT_MASK || settings->texture_aggregation == 0)
        return RAD_OK;
    if (settings->force2d)
        return ri_fail(error, RAD_ERR_PARAMETER,
                       "force2D is true and textureAggregation is not [3D_avg]; these settings "
                       "contradict each other (force2D's in-plane texture is textureAggregation "
                       "2_5D_avg): set force2D to false or textureAggregation to [3D_avg]");
    if (settings->weighting_norm != RI_WEIGHTING_NONE)
        return ri_fail(error, RAD_ERR_PARAMETER,
                       "weightingNorm is %s and textureAggregation is not [3D_avg]; weightingNorm "
                       "merges directions with weights of its own: set weightingNorm to none or "
                       "textureAggregation to [3D_avg]",
                       settings->weighting_norm == RI_WEIGHTING_MANHATTAN   ? "manhattan"
                       : settings->weighting_norm == RI_WEIGHTING_EUCLIDEAN ? "euclidean"
                       : settings->weighting_norm == RI_WEIGHTING_INFINITY  ? "infinity"
                                                                            : "no_weighting");
    return RAD_OK;
}

/* ------------------------------------------------------------------ */
/* Value parsers                                                        */

static int parse_double(const char *text, double *out)
{
    char *end;

    errno = 0;
    *out = strtod(text, &end);
    while (isspace((unsigned char)*end))
        end++;
    return end != text && *end == '\0' && errno == 0 && isfinite(*out);
}

static int parse_int(const char *text, int *out)
{
    char *end;
    long value;

    errno = 0;
    value = strtol(text, &end, 10);
    while (isspace((unsigned char)*end))
        end++;
    if (end == text || *end != '\0' || errno != 0 || value < -1000000 || value > 1000000)
        return 0;
    *out = (int)value;
    return 1;
}

static int parse_bool(const char *text, int *out)
{
    if (strcmp(text, "true") == 0 || strcmp(text, "True") == 0 || strcmp(text, "1") == 0) {
        *out = 1;
        return 1;
    }
    if (strcmp(text, "false") == 0 || strcmp(text, "False") == 0 || strcmp(text, "0") == 0) {
        *out = 0;
        return 1;
    }
    return 0;
}

static int is_none(const char *text)
{
    return strcmp(text, "none") == 0 || strcmp(text, "None") == 0 || strcmp(text, "null") == 0 ||
           text[0] == '\0';
}

/* Parses up to max comma-separated numbers, optionally in [ ]. */
static int parse_list(const char *text, double *values, int max)
{
    char buf[256];
    char *token, *save = NULL;
    int n = 0;

    if (strlen(text) >= sizeof buf)
        return -1;
    strcpy(buf, text);
    for (char *c = buf; *c; c++)
        if (*c == '[' || *c == ']')
            *c = ' ';
    for (token = strtok_r(buf, ", ", &save); token; token = strtok_r(NULL, ", ", &save)) {
        if (n == max || !parse_double(token, &values[n]))
            return -1;
        n++;
    }
    return n;
}

/* ------------------------------------------------------------------ */
/* Settings table                                                       */

typedef rad_status (*setter_fn)(ri_settings *s, const char *key, const char *value,
                                rad_error *error);
typedef void (*getter_fn)(const ri_settings *s, char *buf, size_t size);

typedef struct setting_def {
    const char *key;
    setter_fn set;
    getter_fn get;
} setting_def;

static rad_status bad_value(rad_error *error, const char *key, const char *value,
                            const char *expected)
{
    return ri_fail(error, RAD_ERR_PARAMETER, "invalid value \"%s\" for setting %s: expected %s",
                   value, key, expected);
}

#define DOUBLE_SETTING(field, lo, hi, open_lo, expected)                                      \
    static rad_status set_##field(ri_settings *s, const char *key, const char *value,        \
                                  rad_error *error)                                          \
    {                                                                                        \
        double v;                                                                            \
        if (!parse_double(value, &v) || v > (hi) || v < (lo) || ((open_lo) && v == (lo)))   \
            return bad_value(error, key, value, expected);                                   \
        s->field = v;                                                                        \
        return RAD_OK;                                                                       \
    }                                                                                        \
    static void get_##field(const ri_settings *s, char *buf, size_t size)                    \
    {                                                                                        \
        snprintf(buf, size, "%.17g", s->field);                                              \
    }

#define INT_SETTING(field, lo, hi, expected)                                                 \
    static rad_status set_##field(ri_settings *s, const char *key, const char *value,        \
                                  rad_error *error)                                          \
    {                                                                                        \
        int v;                                                                               \
        if (!parse_int(value, &v) || v < (lo) || v > (hi))                                   \
            return bad_value(error, key, value, expected);                                   \
        s->field = v;                                                                        \
        return RAD_OK;                                                                       \
    }                                                                                        \
    static void get_##field(const ri_settings *s, char *buf, size_t size)                    \
    {                                                                                        \
        snprintf(buf, size, "%d", s->field);                                                 \
    }

#define BOOL_SETTING(field)                                                                  \
    static rad_status set_##field(ri_settings *s, const char *key, const char *value,        \
                                  rad_error *error)                                          \
    {                                                                                        \
        int v;                                                                               \
        if (!parse_bool(value, &v))                                                          \
            return bad_value(error, key, value, "true or false");                            \
        s->field = v;                                                                        \
        return RAD_OK;                                                                       \
    }                                                                                        \
    static void get_##field(const ri_settings *s, char *buf, size_t size)                    \
    {                                                                                        \
        snprintf(buf, size, "%s", s->field ? "true" : "false");                              \
    }

DOUBLE_SETTING(bin_width, 0, 1e12, 1, "a number > 0")
INT_SETTING(pad_distance, 0, 1000, "an integer in [0, 1000]")
BOOL_SETTING(normalize)
DOUBLE_SETTING(normalize_scale, 0, 1e12, 1, "a number > 0")
DOUBLE_SETTING(voxel_array_shift, -1e12, 1e12, 0, "a number")
DOUBLE_SETTING(label, -1e12, 1e12, 0, "a number")
DOUBLE_SETTING(geometry_tolerance, 0, 1e6, 0, "a distance in mm >= 0")
INT_SETTING(minimum_roi_dimensions, 1, 3, "1, 2 or 3")
BOOL_SETTING(pre_crop)
BOOL_SETTING(ibsi_bin_edges)
BOOL_SETTING(excess_kurtosis)
BOOL_SETTING(symmetrical_glcm)
BOOL_SETTING(resegment_shape)
BOOL_SETTING(force2d)
INT_SETTING(force2d_dimension, 0, 2, "0, 1 or 2 (pyradiomics' z, y, x axis)")
BOOL_SETTING(correct_mask)
BOOL_SETTING(additional_info)
DOUBLE_SETTING(gldm_a, 0, 1e12, 0, "a number >= 0")
BOOL_SETTING(round_intensities)
DOUBLE_SETTING(mask_partial_volume, 0, 1, 1, "a fraction in (0, 1]")
DOUBLE_SETTING(ivh_bin_width, 0, 1e12, 1, "a number > 0")
INT_SETTING(ivh_bin_count, 2, 100000, "an integer in [2, 100000]")
INT_SETTING(wavelet_level, 1, 8, "an integer in [1, 8]")
INT_SETTING(threads, 1, RI_MAX_THREADS, "an integer in [1, 64]")
DOUBLE_SETTING(box_air_threshold, -2000, 2000, 0, "a value in HU")
DOUBLE_SETTING(box_fat_min, -2000, 2000, 0, "a value in HU")
DOUBLE_SETTING(box_fat_max, -2000, 2000, 0, "a value in HU")
DOUBLE_SETTING(box_muscle_min, -2000, 4000, 0, "a value in HU")
DOUBLE_SETTING(box_muscle_max, -2000, 4000, 0, "a value in HU")
DOUBLE_SETTING(box_bone_min, -2000, 4000, 0, "a value in HU")

static rad_status set_remove_outliers(ri_settings *s, const char *key, const char *value,
                                      rad_error *error)
{
    double v;

    if (is_none(value)) {
        s->remove_outliers = 0;
        return RAD_OK;
    }
    if (!parse_double(value, &v) || v <= 0)
        return bad_value(error, key, value, "a number of standard deviations > 0, or none");
    s->remove_outliers = v;
    return RAD_OK;
}

static void get_remove_outliers(const ri_settings *s, char *buf, size_t size)
{
    if (s->remove_outliers > 0)
        snprintf(buf, size, "%.17g", s->remove_outliers);
    else
        snprintf(buf, size, "none");
}

/* minimumROISize: a voxel count; None (or 0) turns the check off. */
static rad_status set_minimum_roi_size(ri_settings *s, const char *key, const char *value,
                                       rad_error *error)
{
    int v;

    if (is_none(value)) {
        s->minimum_roi_size = 0;
        return RAD_OK;
    }
    if (!parse_int(value, &v) || v < 0)
        return bad_value(error, key, value, "a voxel count >= 0, or none");
    s->minimum_roi_size = v;
    return RAD_OK;
}

static void get_minimum_roi_size(const ri_settings *s, char *buf, size_t size)
{
    snprintf(buf, size, "%d", s->minimum_roi_size);
}

/* binCount: number of equal-width bins over the ROI range; None returns to binWidth. */
static rad_status set_bin_count(ri_settings *s, const char *key, const char *value,
                                rad_error *error)
{
    int v;

    if (is_none(value)) {
        s->bin_count = 0;
        return RAD_OK;
    }
    if (!parse_int(value, &v) || v < 1 || v > 100000)
        return bad_value(error, key, value, "an integer in [1, 100000], or none");
    s->bin_count = v;
    return RAD_OK;
}

static void get_bin_count(const ri_settings *s, char *buf, size_t size)
{
    if (s->bin_count > 0)
        snprintf(buf, size, "%d", s->bin_count);
    else
        snprintf(buf, size, "none");
}

/* resegmentRange: 1 value (lower threshold) or 2 (lower and upper, in any order). */
static rad_status set_resegment_range(ri_settings *s, const char *key, const char *value,
                                      rad_error *error)
{
    double v[2];
    int n;

    if (is_none(value)) {
        s->n_resegment = 0;
        return RAD_OK;
    }
    n = parse_list(value, v, 2);
    if (n < 1)
        return bad_value(error, key, value, "a list of 1 or 2 numbers such as [-3, 3], or none");
    if (n == 2 && v[1] < v[0]) {
        double t = v[0];
        v[0] = v[1];
        v[1] = t;
    }
    s->n_resegment = n;
    s->resegment_range[0] = v[0];
    s->resegment_range[1] = n == 2 ? v[1] : 0;
    return RAD_OK;
}

static void get_resegment_range(const ri_settings *s, char *buf, size_t size)
{
    if (s->n_resegment == 0)
        snprintf(buf, size, "none");
    else if (s->n_resegment == 1)
        snprintf(buf, size, "%.17g", s->resegment_range[0]);
    else
        snprintf(buf, size, "%.17g,%.17g", s->resegment_range[0], s->resegment_range[1]);
}

static const char *const resegment_mode_names[] = {"absolute", "relative", "sigma"};

static rad_status set_resegment_mode(ri_settings *s, const char *key, const char *value,
                                     rad_error *error)
{
    for (int i = 0; i < 3; i++) {
        if (strcmp(value, resegment_mode_names[i]) == 0) {
            s->resegment_mode = (ri_resegment_mode)i;
            return RAD_OK;
        }
    }
    return bad_value(error, key, value, "absolute, relative or sigma");
}

static void get_resegment_mode(const ri_settings *s, char *buf, size_t size)
{
    snprintf(buf, size, "%s", resegment_mode_names[s->resegment_mode]);
}

/* Sets resegmentOutliers, IBSI's outlier filtering at mean +- n SD. None (or 0) turns it off. */
static rad_status set_resegment_outliers(ri_settings *s, const char *key, const char *value,
                                         rad_error *error)
{
    double v;

    if (is_none(value)) {
        s->resegment_outliers = 0;
        return RAD_OK;
    }
    if (!parse_double(value, &v) || v < 0 || v > 1e6)
        return bad_value(error, key, value,
                         "a number of standard deviations in (0, 10^6], or 0 or none (off)");
    s->resegment_outliers = v;
    return RAD_OK;
}

static void get_resegment_outliers(const ri_settings *s, char *buf, size_t size)
{
    if (s->resegment_outliers > 0)
        snprintf(buf, size, "%.17g", s->resegment_outliers);
    else
        snprintf(buf, size, "none");
}

double ri_resegment_lower_bound(const ri_settings *s)
{
    if (s->n_resegment == 0 || s->resegment_mode != RI_RESEGMENT_ABSOLUTE)
        return -INFINITY;
    return s->resegment_range[0];
}

double ri_resegment_upper_bound(const ri_settings *s)
{
    if (s->n_resegment != 2 || s->resegment_mode != RI_RESEGMENT_ABSOLUTE)
        return INFINITY;
    return s->resegment_range[1];
}

/* Indexed by ri_grid_alignment. */
static const char *const grid_alignment_names[] = {"corner", "center"};

static rad_status set_grid_alignment(ri_settings *s, const char *key, const char *value,
                                     rad_error *error)
{
    for (int i = 0; i < 2; i++) {
        if (strcmp(value, grid_alignment_names[i]) == 0) {
            s->grid_alignment = (ri_grid_alignment)i;
            return RAD_OK;
        }
    }
    return bad_value(error, key, value, "corner (pyradiomics) or center (IBSI)");
}

static void get_grid_alignment(const ri_settings *s, char *buf, size_t size)
{
    snprintf(buf, size, "%s", grid_alignment_names[s->grid_alignment]);
}

/* Indexed by ri_ivh_discretisation. */
static const char *const ivh_discretisation_names[] = {"texture", "none", "binWidth",
                                                       "binCount"};

static rad_status set_ivh_discretisation(ri_settings *s, const char *key, const char *value,
                                         rad_error *error)
{
    for (int i = 0; i < 4; i++) {
        if (strcmp(value, ivh_discretisation_names[i]) == 0) {
            s->ivh_discretisation = (ri_ivh_discretisation)i;
            return RAD_OK;
        }
    }
    return bad_value(error, key, value, "texture, none, binWidth or binCount");
}

static void get_ivh_discretisation(const ri_settings *s, char *buf, size_t size)
{
    snprintf(buf, size, "%s", ivh_discretisation_names[s->ivh_discretisation]);
}

/* Indexed by ri_weighting_norm; index 0 is None. */
static const char *const weighting_norm_names[] = {"none", "manhattan", "euclidean", "infinity",
                                                   "no_weighting"};

/* pyradiomics logs a warning and uses weight 1 for an unknown norm; this rejects it. */
static rad_status set_weighting_norm(ri_settings *s, const char *key, const char *value,
                                     rad_error *error)
{
    if (is_none(value)) {
        s->weighting_norm = RI_WEIGHTING_NONE;
        return RAD_OK;
    }
    for (int i = 1; i < 5; i++) {
        if (strcmp(value, weighting_norm_names[i]) == 0) {
            s->weighting_norm = (ri_weighting_norm)i;
            return RAD_OK;
        }
    }
    return bad_value(error, key, value, "manhattan, euclidean, infinity, no_weighting or none");
}

static void get_weighting_norm(const ri_settings *s, char *buf, size_t size)
{
    snprintf(buf, size, "%s", weighting_norm_names[s->weighting_norm]);
}

double ri_direction_weight(const ri_settings *settings, const double spacing[3],
                           const int step[3], int exp_form)
{
    double manhattan = 0, euclidean2 = 0, infinity = 0, d;

    for (int a = 0; a < 3; a++) {
        double length = fabs((double)step[a] * spacing[a]);
        manhattan += length;
        euclidean2 += length * length;
        if (length > infinity)
            infinity = length;
    }
    switch (settings->weighting_norm) {
    case RI_WEIGHTING_MANHATTAN: d = manhattan; break;
    case RI_WEIGHTING_EUCLIDEAN: d = sqrt(euclidean2); break;
    case RI_WEIGHTING_INFINITY: d = infinity; break;
    default: return 1.0;
    }
    return exp_form ? exp(-d * d) : d;
}

int ri_step_excluded_2d(const ri_settings *settings, const int step[3])
{
    /* force2Ddimension counts pyradiomics' (z, y, x) axes; steps here are (x, y, z).
     * A NULL settings (kernel tests) means pyradiomics' defaults. */
    return settings != NULL && settings->force2d && step[2 - settings->force2d_dimension] != 0;
}

static rad_status set_spacing(ri_settings *s, const char *key, const char *value,
                              rad_error *error)
{
    double v[3];
    int n;

    if (is_none(value)) {
        s->resample = 0;
        return RAD_OK;
    }
    n = parse_list(value, v, 3);
    if (n == 1)
        v[1] = v[2] = v[0];
    if ((n != 1 && n != 3) || v[0] < 0 || v[1] < 0 || v[2] < 0 || v[0] + v[1] + v[2] == 0)
        return bad_value(error, key, value,
                         "three spacings in mm such as 1,1,1 (0 keeps an axis), or none");
    s->resample = 1;
    memcpy(s->resampled_spacing, v, sizeof v);
    return RAD_OK;
}

static void get_spacing(const ri_settings *s, char *buf, size_t size)
{
    if (!s->resample)
        snprintf(buf, size, "none");
    else
        snprintf(buf, size, "%.17g,%.17g,%.17g", s->resampled_spacing[0],
                 s->resampled_spacing[1], s->resampled_spacing[2]);
}

static const char *const interpolator_names[] = {"sitkNearestNeighbor", "sitkLinear",
                                                 "sitkBSpline"};

/* NOTE: None selects sitkBSpline, the default; pyradiomics fails when it resamples with None. */
static rad_status set_interpolator(ri_settings *s, const char *key, const char *value,
                                   rad_error *error)
{
    if (is_none(value)) {
        s->interpolator = RI_INTERP_BSPLINE;
        return RAD_OK;
    }
    for (int i = 0; i < 3; i++) {
        if (strcmp(value, interpolator_names[i]) == 0) {
            s->interpolator = (ri_interpolator)i;
            return RAD_OK;
        }
    }
    return bad_value(error, key, value, "sitkNearestNeighbor, sitkLinear or sitkBSpline");
}

static void get_interpolator(const ri_settings *s, char *buf, size_t size)
{
    snprintf(buf, size, "%s", interpolator_names[s->interpolator]);
}

/* maskInterpolator: nearest neighbour (pyradiomics) or linear with maskPartialVolume (IBSI). */
static rad_status set_mask_interpolator(ri_settings *s, const char *key, const char *value,
                                        rad_error *error)
{
    for (int i = 0; i < 2; i++) {
        if (strcmp(value, interpolator_names[i]) == 0) {
            s->mask_interpolator = (ri_interpolator)i;
            return RAD_OK;
        }
    }
    return bad_value(error, key, value, "sitkNearestNeighbor or sitkLinear");
}

static void get_mask_interpolator(const ri_settings *s, char *buf, size_t size)
{
    snprintf(buf, size, "%s", interpolator_names[s->mask_interpolator]);
}

static rad_status set_distances(ri_settings *s, const char *key, const char *value,
                                rad_error *error)
{
    double v[RI_MAX_DISTANCES];
    int n = parse_list(value, v, RI_MAX_DISTANCES);

    if (n < 1)
        return bad_value(error, key, value, "a list of 1 to 8 positive integers");
    for (int i = 0; i < n; i++) {
        if (v[i] < 1 || v[i] > 100 || v[i] != floor(v[i]))
            return bad_value(error, key, value, "a list of 1 to 8 integers in [1, 100]");
        s->distances[i] = (int)v[i];
    }
    s->n_distances = n;
    return RAD_OK;
}

static void get_distances(const ri_settings *s, char *buf, size_t size)
{
    size_t used = 0;

    buf[0] = '\0';
    for (int i = 0; i < s->n_distances && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, i ? ",%d" : "%d", s->distances[i]);
}

/* Parses a list such as "2D_avg,3D_comb" (brackets and quotes allowed), keeping duplicates once. */

static rad_status set_texture_aggregation(ri_settings *s, const char *key, const char *value,
                                          rad_error *error)
{
    static const char expected[] =
        "a list of 3D_avg, 3D_comb, 2D_avg, 2D_comb, 2_5D_avg, 2_5D_comb";
    char buf[256];
    char *token, *save = NULL;
    unsigned mask = 0;

    if (strlen(value) >= sizeof buf)
        return bad_value(error, key, value, expected);
    strcpy(buf, value);
    for (char *c = buf; *c; c++)
        if (*c == '[' || *c == ']' || *c == '"' || *c == '\'')
            *c = ' ';
    for (token = strtok_r(buf, ", ", &save); token; token = strtok_r(NULL, ", ", &save)) {
        int found = -1;
        for (int a = 0; a < RI_AGG_COUNT; a++)
            if (strcmp(token, aggregation_names[a]) == 0)
                found = a;
        if (found < 0)
            return ri_fail(error, RAD_ERR_PARAMETER,
                           "invalid value \"%s\" in setting %s: expected %s", token, key,
                           expected);
        if (mask & (1u << found))
            return ri_fail(error, RAD_ERR_PARAMETER,
                           "invalid value \"%s\" in setting %s: %s is listed twice; expected %s",
                           value, key, token, expected);
        mask |= 1u << found;
    }
    if (mask == 0)
        return bad_value(error, key, value, expected);
    s->texture_aggregation = mask;
    return RAD_OK;
}

static void get_texture_aggregation(const ri_settings *s, char *buf, size_t size)
{
    size_t used = 0;

    buf[0] = '\0';
    for (int a = 0; a < RI_AGG_COUNT && used < size; a++)
        if (s->texture_aggregation & (1u << a))
            used += (size_t)snprintf(buf + used, size - used, used ? ",%s" : "%s",
                                     aggregation_names[a]);
}

static rad_status set_wavelet(ri_settings *s, const char *key, const char *value,
                              rad_error *error)
{
    static const char *const known[] = {"coif1", "haar", "db1", "db2", "db3", "db4"};

    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        if (strcmp(value, known[i]) == 0) {
            snprintf(s->wavelet_name, sizeof s->wavelet_name, "%s", value);
            return RAD_OK;
        }
    }
    return bad_value(error, key, value, "coif1, haar, db1, db2, db3 or db4");
}

static void get_wavelet(const ri_settings *s, char *buf, size_t size)
{
    snprintf(buf, size, "%s", s->wavelet_name);
}

static const setting_def settings_table[] = {
    {"binWidth", set_bin_width, get_bin_width},
    {"resampledPixelSpacing", set_spacing, get_spacing},
    {"interpolator", set_interpolator, get_interpolator},
    {"padDistance", set_pad_distance, get_pad_distance},
    {"normalize", set_normalize, get_normalize},
    {"normalizeScale", set_normalize_scale, get_normalize_scale},
    {"removeOutliers", set_remove_outliers, get_remove_outliers},
    {"voxelArrayShift", set_voxel_array_shift, get_voxel_array_shift},
    {"label", set_label, get_label},
    {"geometryTolerance", set_geometry_tolerance, get_geometry_tolerance},
    {"minimumROIDimensions", set_minimum_roi_dimensions, get_minimum_roi_dimensions},
    {"minimumROISize", set_minimum_roi_size, get_minimum_roi_size},
    {"preCrop", set_pre_crop, get_pre_crop},
    {"ibsiBinEdges", set_ibsi_bin_edges, get_ibsi_bin_edges},
    {"excessKurtosis", set_excess_kurtosis, get_excess_kurtosis},
    {"symmetricalGLCM", set_symmetrical_glcm, get_symmetrical_glcm},
    {"distances", set_distances, get_distances},
    {"gldm_a", set_gldm_a, get_gldm_a},
    {"binCount", set_bin_count, get_bin_count},
    {"resegmentRange", set_resegment_range, get_resegment_range},
    {"resegmentMode", set_resegment_mode, get_resegment_mode},
    {"resegmentShape", set_resegment_shape, get_resegment_shape},
    {"resegmentOutliers", set_resegment_outliers, get_resegment_outliers},
    {"resampleGridAlignment", set_grid_alignment, get_grid_alignment},
    {"roundIntensities", set_round_intensities, get_round_intensities},
    {"maskInterpolator", set_mask_interpolator, get_mask_interpolator},
    {"maskPartialVolume", set_mask_partial_volume, get_mask_partial_volume},
    {"ivhDiscretisation", set_ivh_discretisation, get_ivh_discretisation},
    {"ivhBinWidth", set_ivh_bin_width, get_ivh_bin_width},
    {"ivhBinCount", set_ivh_bin_count, get_ivh_bin_count},
    {"force2D", set_force2d, get_force2d},
    {"force2Ddimension", set_force2d_dimension, get_force2d_dimension},
    {"weightingNorm", set_weighting_norm, get_weighting_norm},
    {"textureAggregation", set_texture_aggregation, get_texture_aggregation},
    {"correctMask", set_correct_mask, get_correct_mask},
    {"additionalInfo", set_additional_info, get_additional_info},
    {"wavelet", set_wavelet, get_wavelet},
    {"level", set_wavelet_level, get_wavelet_level},
    {"threads", set_threads, get_threads},
    {"boxAirThreshold", set_box_air_threshold, get_box_air_threshold},
    {"boxFatMin", set_box_fat_min, get_box_fat_min},
    {"boxFatMax", set_box_fat_max, get_box_fat_max},
    {"boxMuscleMin", set_box_muscle_min, get_box_muscle_min},
    {"boxMuscleMax", set_box_muscle_max, get_box_muscle_max},
    {"boxBoneMin", set_box_bone_min, get_box_bone_min},
};

#define SETTING_COUNT (sizeof settings_table / sizeof settings_table[0])

size_t ri_edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    size_t row[64];

    if (la >= 64 || lb >= 64)
        return (size_t)-1;
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diagonal = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t above = row[j];
            size_t cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
            size_t best = diagonal + cost;
            if (above + 1 < best)
                best = above + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diagonal = above;
        }
    }
    return row[lb];
}

static const setting_def *find_setting(const char *key)
{
    for (size_t i = 0; i < SETTING_COUNT; i++)
        if (strcmp(settings_table[i].key, key) == 0)
            return &settings_table[i];
    return NULL;
}

static rad_status unknown_key(rad_error *error, const char *key)
{
    const char *closest = settings_table[0].key;
    size_t best = (size_t)-1;

    for (size_t i = 0; i < SETTING_COUNT; i++) {
        size_t d = ri_edit_distance(key, settings_table[i].key);
        if (d < best) {
            best = d;
            closest = settings_table[i].key;
        }
    }
    return ri_fail(error, RAD_ERR_PARAMETER, "unknown setting \"%s\"; did you mean \"%s\"?",
                   key, closest);
}

/* ------------------------------------------------------------------ */
/* Presets                                                              */

static void enable_defaults(ri_settings *s, ri_feature_class c, int on)
{
    const ri_feature_table *table = ri_feature_table_of(c);

    for (size_t i = 0; i < table->count; i++)
        s->enabled[c][i] = on && table->defs[i].default_on;
}

/* 1 when name selects defs[i] of class c: the pyradiomics name, or for
 * IBSI-only classes the output name ("p10") or the whole IBSI tag ("ih_p10"). */
static int feature_matches(ri_feature_class c, size_t i, const char *name)
{
    const ri_feature_def *def = &ri_feature_table_of(c)->defs[i];

    if (def->name[0] != '\0' && strcmp(def->name, name) == 0)
        return 1;
    if (!ri_class_is_ibsi_only(c))
        return 0;
    return strcmp(ri_feature_output_name(c, i), name) == 0 ||
           (def->ibsi_tag[0] != '\0' && strcmp(def->ibsi_tag, name) == 0);
}

static void set_feature(ri_settings *s, ri_feature_class c, const char *name, int on)
{
    const ri_feature_table *table = ri_feature_table_of(c);

    for (size_t i = 0; i < table->count; i++)
        if (feature_matches(c, i, name))
            s->enabled[c][i] = (unsigned char)on;
}

/* Enables every feature of class c that has an IBSI tag, pyradiomics'
 * deprecated ones included (cm_dissimilarity and cm_sum_var are IBSI features). */
static void enable_ibsi_tagged(ri_settings *s, ri_feature_class c)
{
    const ri_feature_table *table = ri_feature_table_of(c);

    for (size_t i = 0; i < table->count; i++)
        s->enabled[c][i] = table->defs[i].ibsi_tag[0] != '\0';
}

/* pyradiomics' defaults (its featureextractor and imageoperations). */
static void apply_pyradiomics_defaults(ri_settings *s)
{
    s->bin_width = 25;
    s->resample = 0;
    s->interpolator = RI_INTERP_BSPLINE;
    s->pad_distance = 5;
    s->normalize = 0;
    s->normalize_scale = 1;
    s->remove_outliers = 0;
    s->voxel_array_shift = 0;
    s->label = 1;
    s->geometry_tolerance = 1e-3;
    s->minimum_roi_dimensions = 2;
    s->minimum_roi_size = 0;
    s->pre_crop = 0;
    s->ibsi_bin_edges = 0;
    s->excess_kurtosis = 0;
    s->symmetrical_glcm = 1;
    s->distances[0] = 1;
    s->n_distances = 1;
    s->gldm_a = 0;
    s->bin_count = 0;
    s->n_resegment = 0;
    s->resegment_mode = RI_RESEGMENT_ABSOLUTE;
    s->resegment_shape = 0;
    s->resegment_outliers = 0;
    s->grid_alignment = RI_GRID_CORNER;
    s->round_intensities = 0;
    s->mask_interpolator = RI_INTERP_NEAREST;
    s->mask_partial_volume = 0.5;
    s->ivh_discretisation = RI_IVH_TEXTURE;
    s->ivh_bin_width = 1;
    s->ivh_bin_count = 1000;
    s->force2d = 0;
    s->force2d_dimension = 0;
    s->weighting_norm = RI_WEIGHTING_NONE;
    s->texture_aggregation = RI_AGG_DEFAULT_MASK;
    s->correct_mask = 0;
    s->additional_info = 1;
    s->original_enabled = 1;
    s->wavelet_enabled = 0;
    snprintf(s->wavelet_name, sizeof s->wavelet_name, "coif1");
    s->wavelet_level = 1;
    for (int c = 0; c < RI_CLASS_COUNT; c++)
        enable_defaults(s, (ri_feature_class)c, 1);
    ri_box_defaults(s);
}

/*
 * The study's settings (Yu et al., Quant Imaging Med Surg 2021): 1 mm
 * isotropic B-spline resampling, normalisation with outliers clipped at 3 SD,
 * original + coif1 wavelet, first-order 18, GLCM 22 (pyradiomics' 24
 * default-on less MCC and SumAverage, the list of its example CT parameter
 * file), GLRLM 16, GLSZM 16, GLDM 14. The paper does not report the
 * normalisation scale or the bin width; scale 100 with bin width 5 (the
 * pair pyradiomics' own normalisation baseline uses) keeps tens of grey
 * levels in a fat ROI, and voxelArrayShift 300 (3 x scale) keeps shifted
 * intensities positive as pyradiomics' documentation recommends.
 */
static void apply_yu2021(ri_settings *s)
{
    apply_pyradiomics_defaults(s);
    s->resample = 1;
    s->resampled_spacing[0] = s->resampled_spacing[1] = s->resampled_spacing[2] = 1.0;
    s->interpolator = RI_INTERP_BSPLINE;
    s->normalize = 1;
    s->normalize_scale = 100;
    s->remove_outliers = 3;
    s->bin_width = 5;
    s->voxel_array_shift = 300;
    s->wavelet_enabled = 1;
    set_feature(s, RI_CLASS_GLCM, "MCC", 0);
    set_feature(s, RI_CLASS_GLCM, "SumAverage", 0);
    /* The study's 774 features have no shape or NGTDM class. */
    enable_defaults(s, RI_CLASS_SHAPE, 0);
    enable_defaults(s, RI_CLASS_NGTDM, 0);
}

/*
 * Every IBSI 1 family the library has, with IBSI conventions where it
 * supports them: no voxelArrayShift, bins from the ROI minimum, excess
 * kurtosis, and the morph_* family in place of pyradiomics' shape class.
 * Only features with an IBSI tag are enabled. The preset computes only the
 * 3D_avg (GLCM, GLRLM) and 3D (GLSZM, GLDM, NGTDM, GLDZM) aggregations, so it
 * does not yet cover IBSI's other aggregations.
 * IBSI's interpolation, re-segmentation and IVH options are settings of
 * their own, left at pyradiomics' defaults here.
 */
static void apply_ibsi(ri_settings *s)
{
    apply_pyradiomics_defaults(s);
    s->voxel_array_shift = 0;
    s->ibsi_bin_edges = 1;
    s->excess_kurtosis = 1;
    s->minimum_roi_dimensions = 1;
    for (int c = 0; c < RI_CLASS_COUNT; c++)
        enable_ibsi_tagged(s, (ri_feature_class)c);
    enable_defaults(s, RI_CLASS_SHAPE, 0);
}

rad_status rad_params_create(const char *preset, rad_params **out, rad_error *error)
{
    rad_params *p;

    if (out == NULL)
        return ri_fail(error, RAD_ERR_ARGUMENT, "rad_params_create: out is NULL");
    if (preset == NULL)
        preset = "pyradiomics";
    if (strcmp(preset, "pyradiomics") != 0 && strcmp(preset, "yu2021") != 0 &&
        strcmp(preset, "ibsi") != 0)
        return ri_fail(error, RAD_ERR_PARAMETER,
                       "unknown preset \"%s\": expected yu2021, pyradiomics or ibsi", preset);

    p = calloc(1, sizeof *p);
    if (p == NULL)
        return ri_fail(error, RAD_ERR_NO_MEMORY, "out of memory creating parameters");
    for (int c = 0; c < RI_CLASS_COUNT; c++) {
        size_t n = ri_feature_table_of((ri_feature_class)c)->count;
        p->s.enabled[c] = calloc(n ? n : 1, 1);
        if (p->s.enabled[c] == NULL) {
            rad_params_free(p);
            return ri_fail(error, RAD_ERR_NO_MEMORY, "out of memory creating parameters");
        }
    }
    if (strcmp(preset, "yu2021") == 0)
        apply_yu2021(&p->s);
    else if (strcmp(preset, "ibsi") == 0)
        apply_ibsi(&p->s);
    else
        apply_pyradiomics_defaults(&p->s);
    p->s.threads = 1;
    *out = p;
    return RAD_OK;
}

rad_params *rad_params_copy(const rad_params *params)
{
    rad_params *p;

    if (params == NULL || (p = malloc(sizeof *p)) == NULL)
        return NULL;
    *p = *params;
    for (int c = 0; c < RI_CLASS_COUNT; c++) {
        size_t n = ri_feature_table_of((ri_feature_class)c)->count;
        p->s.enabled[c] = malloc(n ? n : 1);
        if (p->s.enabled[c] == NULL) {
            for (int d = 0; d < c; d++)
                free(p->s.enabled[d]);
            free(p);
            return NULL;
        }
        memcpy(p->s.enabled[c], params->s.enabled[c], n);
    }
    return p;
}

void rad_params_free(rad_params *params)
{
    if (params == NULL)
        return;
    for (int c = 0; c < RI_CLASS_COUNT; c++)
        free(params->s.enabled[c]);
    free(params);
}

rad_status rad_params_set(rad_params *params, const char *key, const char *value,
                          rad_error *error)
{
    const setting_def *def;

    if (params == NULL || key == NULL || value == NULL)
        return ri_fail(error, RAD_ERR_ARGUMENT, "rad_params_set: NULL argument");
    def = find_setting(key);
    if (def == NULL)
        return unknown_key(error, key);
    return def->set(&params->s, key, value, error);
}

rad_status rad_params_get(const rad_params *params, const char *key, char *buf,
                          size_t buf_size, rad_error *error)
{
    const setting_def *def;

    if (params == NULL || key == NULL || buf == NULL || buf_size == 0)
        return ri_fail(error, RAD_ERR_ARGUMENT, "rad_params_get: NULL argument or empty buffer");
    def = find_setting(key);
    if (def == NULL)
        return unknown_key(error, key);
    def->get(&params->s, buf, buf_size);
    return RAD_OK;
}

rad_status rad_params_enable_image_type(rad_params *params, const char *image_type,
                                        int enabled, rad_error *error)
{
    if (params == NULL || image_type == NULL)
        return ri_fail(error, RAD_ERR_ARGUMENT, "rad_params_enable_image_type: NULL argument");
    if (strcmp(image_type, "Original") == 0)
        params->s.original_enabled = enabled != 0;
    else if (strcmp(image_type, "Wavelet") == 0)
        params->s.wavelet_enabled = enabled != 0;
    else
        return ri_fail(error, RAD_ERR_PARAMETER,
                       "unknown image type \"%s\": expected Original or Wavelet", image_type);
    return RAD_OK;
}

/* Class by its table name ("intensity_histogram") or output name ("ih"). */
static int class_index(const char *name)
{
    for (int c = 0; c < RI_CLASS_COUNT; c++)
        if (strcmp(ri_feature_table_of((ri_feature_class)c)->class_name, name) == 0 ||
            strcmp(ri_class_output_name((ri_feature_class)c), name) == 0)
            return c;
    return -1;
}

static int has_default_on(ri_feature_class c)
{
    const ri_feature_table *table = ri_feature_table_of(c);

    for (size_t i = 0; i < table->count; i++)
        if (table->defs[i].default_on)
            return 1;
    return 0;
}

rad_status rad_params_enable_features(rad_params *params, const char *feature_class,
                                      const char *const *names, int enabled, rad_error *error)
{
    const ri_feature_table *table;
    int c;

    if (params == NULL || feature_class == NULL)
        return ri_fail(error, RAD_ERR_ARGUMENT, "rad_params_enable_features: NULL argument");
    c = class_index(feature_class);
    if (c < 0)
        return ri_fail(error, RAD_ERR_PARAMETER,
                       "unknown feature class \"%s\": expected firstorder, shape, glcm, glrlm, "
                       "glszm, gldm, ngtdm, morph, ih, stat, ivh, loc or gldzm",
                       feature_class);
    table = ri_feature_table_of((ri_feature_class)c);
    if (enabled && names == NULL && !has_default_on((ri_feature_class)c)) {
        /* IBSI-only classes have no default-on feature: NULL enables them all. */
        memset(params->s.enabled[c], 1, table->count);
        return RAD_OK;
    }
    if (!enabled || names == NULL) {
        enable_defaults(&params->s, (ri_feature_class)c, enabled);
        return RAD_OK;
    }

    /* Validate every name before changing anything. */
    for (const char *const *n = names; *n; n++) {
        size_t i = 0;
        while (i < table->count && !feature_matches((ri_feature_class)c, i, *n))
            i++;
        if (i == table->count)
            return ri_fail(error, RAD_ERR_PARAMETER, "unknown %s feature \"%s\"",
                           feature_class, *n);
    }
    memset(params->s.enabled[c], 0, table->count);
    for (const char *const *n = names; *n; n++)
        set_feature(&params->s, (ri_feature_class)c, *n, 1);
    return RAD_OK;
}

void rad_params_set_log(rad_params *params, rad_log_fn fn, void *user)
{
    if (params == NULL)
        return;
    params->log_fn = fn;
    params->log_user = user;
}

void ri_log(const rad_params *params, rad_log_level level, const char *format, ...)
{
    char message[1024];
    va_list args;

    if (params == NULL || params->log_fn == NULL)
        return;
    va_start(args, format);
    vsnprintf(message, sizeof message, format, args);
    va_end(args);
    params->log_fn(level, message, params->log_user);
}
