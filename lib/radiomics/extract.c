/*
 * extract.c - the extraction pipeline behind rad_extract, in pyradiomics'
 * order: geometry check, normalisation of the whole image, resampling (or
 * cropping) to the ROI, shape (and IBSI morphology) once on the original
 * image, filters, then per image type the crop to the ROI's bounding box,
 * discretisation and the enabled feature classes.
 *
 * Names: "<image type>_<class>_<feature>". pyradiomics classes use
 * pyradiomics' names ("original_shape_MeshVolume"); the IBSI-only classes
 * morph, ih, stat, ivh, loc and gldzm use the IBSI tag without its family
 * prefix ("original_ih_p10" for ih_p10, "original_gldzm_sde" for dzm_sde).
 * When textureAggregation is not exactly [3D_avg], texture feature names end
 * in the IBSI aggregation suffix ("original_glcm_MaximumProbability_2D_comb",
 * "original_glszm_SmallAreaEmphasis_2D").
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aggregation.h"
#include "families.h"
#include "texture.h"

struct rad_features {
    size_t count;
    size_t capacity;
    char **names;
    char **ibsi_tags; /* with aggregation suffix, "" when the feature has no tag */
    const char **ibsi_ids; /* static strings of the feature tables */
    double *values;
    int min_grey_levels;
};

typedef rad_status (*kernel_fn)(const ri_roi *, const ri_settings *, double *, rad_error *);

static const kernel_fn kernels[RI_CLASS_COUNT] = {
    [RI_CLASS_FIRSTORDER] = ri_firstorder,
    [RI_CLASS_GLCM] = ri_glcm,
    [RI_CLASS_GLRLM] = ri_glrlm,
    [RI_CLASS_GLSZM] = ri_glszm,
    [RI_CLASS_GLDM] = ri_gldm,
    [RI_CLASS_SHAPE] = ri_shape,
    [RI_CLASS_NGTDM] = ri_ngtdm,
    [RI_CLASS_MORPHOLOGY] = ri_morphology,
    [RI_CLASS_INTENSITY_HISTOGRAM] = ri_intensity_histogram,
    [RI_CLASS_STATISTICS_EXTRA] = ri_statistics_extra,
    [RI_CLASS_IVH] = ri_ivh,
    [RI_CLASS_LOCAL_INTENSITY] = ri_local_intensity,
    [RI_CLASS_GLDZM] = ri_gldzm,
};

/* Size of the kernel output buffer; every feature table is checked against it. */
#define MAX_TABLE_FEATURES 64

static rad_status features_reserve(rad_features *f, rad_error *error)
{
    size_t cap;

    if (f->count < f->capacity)
        return RAD_OK;
    cap = f->capacity ? 2 * f->capacity : 256;
    char **names = realloc(f->names, cap * sizeof *names);
    if (names == NULL)
        return ri_fail(error, RAD_ERR_NO_MEMORY, "out of memory storing features");
    f->names = names;
    char **tags = realloc(f->ibsi_tags, cap * sizeof *tags);
    if (tags == NULL)
        return ri_fail(error, RAD_ERR_NO_MEMORY, "out of memory storing features");
    f->ibsi_tags = tags;
    const char **ids = realloc(f->ibsi_ids, cap * sizeof *ids);
    if (ids == NULL)
        return ri_fail(error, RAD_ERR_NO_MEMORY, "out of memory storing features");
    f->ibsi_ids = ids;
    double *values = realloc(f->values, cap * sizeof *values);
    if (values == NULL)
        return ri_fail(error, RAD_ERR_NO_MEMORY, "out of memory storing features");
    f->values = values;
    f->capacity = cap;
    return RAD_OK;
}

/* Appends feature i of class c computed on image_type with aggregation method.
 * name_suffix is appended to the name ("" for the default aggregation). */
static rad_status features_push(rad_features *f, const char *image_type, ri_feature_class c,
                                ri_aggregation method, const char *name_suffix, size_t i,
                                double value, rad_error *error)
{
    const ri_feature_def *def = &ri_feature_table_of(c)->defs[i];
    char buf[160], tag[96];
    rad_status status = features_reserve(f, error);

    if (status != RAD_OK)
        return status;
    snprintf(buf, sizeof buf, "%s_%s_%s%s", image_type, ri_class_output_name(c),
             ri_feature_output_name(c, i), name_suffix);
    tag[0] = '\0';
    if (def->ibsi_tag[0] != '\0')
        snprintf(tag, sizeof tag, "%s%s", def->ibsi_tag, ri_aggregation_suffix(c, method));
    f->names[f->count] = strdup(buf);
    if (f->names[f->count] == NULL)
        return ri_fail(error, RAD_ERR_NO_MEMORY, "out of memory storing features");
    f->ibsi_tags[f->count] = strdup(tag);
    if (f->ibsi_tags[f->count] == NULL) {
        free(f->names[f->count]);
        return ri_fail(error, RAD_ERR_NO_MEMORY, "out of memory storing features");
    }
    f->ibsi_ids[f->count] = def->ibsi_id;
    f->values[f->count++] = value;
    return RAD_OK;
}

void rad_features_free(rad_features *features)
{
    if (features == NULL)
        return;
    for (size_t i = 0; i < features->count; i++) {
        free(features->names[i]);
        free(features->ibsi_tags[i]);
    }
    free(features->names);
    free(features->ibsi_tags);
    free(features->ibsi_ids);
    free(features->values);
    free(features);
}

size_t rad_features_count(const rad_features *features)
{
    return features ? features->count : 0;
}

const char *rad_features_name(const rad_features *features, size_t i)
{
    return features && i < features->count ? features->names[i] : NULL;
}

double rad_features_value(const rad_features *features, size_t i)
{
    return features && i < features->count ? features->values[i] : NAN;
}

size_t rad_features_find(const rad_features *features, const char *name)
{
    if (features == NULL || name == NULL)
        return (size_t)-1;
    for (size_t i = 0; i < features->count; i++)
        if (strcmp(features->names[i], name) == 0)
            return i;
    return (size_t)-1;
}

int rad_features_min_grey_levels(const rad_features *features)
{
    return features ? features->min_grey_levels : 0;
}

const char *rad_features_ibsi_tag(const rad_features *features, size_t i)
{
    return features && i < features->count ? features->ibsi_tags[i] : NULL;
}

const char *rad_features_ibsi_id(const rad_features *features, size_t i)
{
    return features && i < features->count ? features->ibsi_ids[i] : NULL;
}

/* ------------------------------------------------------------------ */

static int any_class_enabled(const ri_settings *s)
{
    for (int c = 0; c < RI_CLASS_COUNT; c++) {
        size_t n = ri_feature_table_of((ri_feature_class)c)->count;
        for (size_t i = 0; i < n; i++)
            if (s->enabled[c][i])
                return 1;
    }
    return 0;
}

/* Counts the ROI voxels and the dimensions along which the ROI extends. */
static void roi_extent(const rad_volume *mask, size_t *count, int *dimensions)
{
    size_t lo[3] = {(size_t)-1, (size_t)-1, (size_t)-1}, hi[3] = {0, 0, 0};
    size_t n = 0;

    for (size_t k = 0; k < mask->size[2]; k++)
        for (size_t j = 0; j < mask->size[1]; j++)
            for (size_t i = 0; i < mask->size[0]; i++) {
                if (mask->data[ri_index(mask, i, j, k)] == 0)
                    continue;
                size_t ijk[3] = {i, j, k};
                for (int a = 0; a < 3; a++) {
                    if (ijk[a] < lo[a])
                        lo[a] = ijk[a];
                    if (ijk[a] > hi[a])
                        hi[a] = ijk[a];
                }
                n++;
            }
    *count = n;
    *dimensions = 0;
    for (int a = 0; n > 0 && a < 3; a++)
        *dimensions += hi[a] > lo[a];
}

static int class_enabled(const ri_settings *s, ri_feature_class c)
{
    size_t n = ri_feature_table_of(c)->count;

    for (size_t i = 0; i < n; i++)
        if (s->enabled[c][i])
            return 1;
    return 0;
}

/* The ROI of a cropped image and 0/1 mask, without grey levels. */
typedef struct roi_buffers {
    rad_volume *image, *mask;
    uint8_t *inside;
    rad_volume *morph;      /* morphological mask on the same box, when one was given */
    uint8_t *morph_inside;
    ri_roi roi;
} roi_buffers;

static void roi_buffers_free(roi_buffers *b)
{
    free(b->inside);
    free(b->morph_inside);
    rad_volume_free(b->morph);
    rad_volume_free(b->image);
    rad_volume_free(b->mask);
    memset(b, 0, sizeof *b);
}

/*
 * Crops image and mask to the ROI's bounding box grown by margin voxels and
 * fills b->roi (no levels yet). With a morphological mask morph (IBSI's mask
 * before re-segmentation, a superset of mask), the box is that of morph, and
 * b->roi.morph_mask receives morph on that box.
 */
static rad_status roi_prepare(const char *image_type, const rad_volume *image,
                              const rad_volume *mask, const rad_volume *morph, int margin,
                              roi_buffers *b, rad_error *error)
{
    rad_status status;
    size_t n;

    memset(b, 0, sizeof *b);
    if (morph != NULL) {
        rad_volume *unused = NULL;
        /* Crop mask like an image with morph's box, so both masks share one grid. */
        status = ri_crop_to_mask(image, morph, 1.0, margin, &b->image, &b->morph, error);
        if (status == RAD_OK)
            status = ri_crop_to_mask(mask, morph, 1.0, margin, &b->mask, &unused, error);
        rad_volume_free(unused);
    } else {
        status = ri_crop_to_mask(image, mask, 1.0, margin, &b->image, &b->mask, error);
    }
    if (status != RAD_OK) {
        roi_buffers_free(b);
        return status;
    }
    n = ri_voxel_count(b->image);
    b->inside = malloc(n);
    if (morph != NULL) {
        b->morph_inside = malloc(n);
        if (b->morph_inside == NULL) {
            roi_buffers_free(b);
            return ri_fail(error, RAD_ERR_NO_MEMORY, "out of memory extracting %s", image_type);
        }
        for (size_t v = 0; v < n; v++)
            b->morph_inside[v] = b->morph->data[v] != 0;
        b->roi.morph_mask = b->morph_inside;
    }
    if (b->inside == NULL) {
        roi_buffers_free(b);
        return ri_fail(error, RAD_ERR_NO_MEMORY, "out of memory extracting %s", image_type);
    }
    for (size_t v = 0; v < n; v++) {
        b->inside[v] = b->mask->data[v] != 0;
        if (b->inside[v] && !isfinite(b->image->data[v])) {
            roi_buffers_free(b);
            return ri_fail(error, RAD_ERR_NOT_FINITE,
                           "%s image has a NaN or infinite value inside the ROI", image_type);
        }
        b->roi.n_voxels += b->inside[v];
    }
    memcpy(b->roi.size, b->image->size, sizeof b->roi.size);
    memcpy(b->roi.spacing, b->image->spacing, sizeof b->roi.spacing);
    b->roi.values = b->image->data;
    b->roi.mask = b->inside;
    return RAD_OK;
}

/*
 * The ROI's bounding box on the pre-processed grid and the 0/1 mask inside
 * it. Every image type of one extraction lies on that grid, so one box
 * serves them all.
 */
typedef struct roi_box {
    size_t lo[3];      /* first voxel of the box in the grid */
    size_t size[3];
    double spacing[3];
    uint8_t *inside;   /* size[0]*size[1]*size[2] flags, 1 inside the ROI */
    uint8_t *morph_inside; /* the morphological mask's flags, or NULL without one */
    size_t n_voxels;   /* voxels inside the ROI */
} roi_box;

/* One image type cropped to a roi_box and discretised. The buffers are
 * reused when the next image type is loaded into the same roi_levels. */
typedef struct roi_levels {
    double *values;
    int *levels;
    double min_value, max_value; /* intensity range inside the ROI */
    ri_roi roi;
} roi_levels;

static void roi_box_free(roi_box *box)
{
    free(box->inside);
    free(box->morph_inside);
    memset(box, 0, sizeof *box);
}

static void roi_levels_free(roi_levels *lv)
{
    free(lv->values);
    free(lv->levels);
    memset(lv, 0, sizeof *lv);
}

/*
 * Sets box to the bounding box of the non-zero voxels of mask and copies the
 * mask inside it. With a morphological mask morph (IBSI's mask before
 * re-segmentation, a superset of mask on the same grid), the box is that of
 * morph and box->morph_inside receives morph inside it. Fails with
 * RAD_ERR_EMPTY_ROI when the mask that sets the box has no such voxel.
 */
static rad_status roi_box_init(const rad_volume *mask, const rad_volume *morph, roi_box *box,
                               rad_error *error)
{
    const rad_volume *outer = morph != NULL ? morph : mask;
    size_t hi[3] = {0, 0, 0}, n = 0;
    size_t nx = outer->size[0], ny = outer->size[1], nz = outer->size[2];
    int found = 0;

    memset(box, 0, sizeof *box);
    box->lo[0] = nx;
    box->lo[1] = ny;
    box->lo[2] = nz;
    /* Each row is scanned from both ends, so the voxels between its first
     * and last ROI voxel are skipped. */
    for (size_t k = 0; k < nz; k++)
        for (size_t j = 0; j < ny; j++) {
            const double *row = outer->data + nx * (j + ny * k);
            size_t first = 0, last = nx;

            while (first < nx && row[first] == 0)
                first++;
            if (first == nx)
                continue;
            while (row[last - 1] == 0)
                last--;
            found = 1;
            box->lo[0] = first < box->lo[0] ? first : box->lo[0];
            hi[0] = last - 1 > hi[0] ? last - 1 : hi[0];
            box->lo[1] = j < box->lo[1] ? j : box->lo[1];
            hi[1] = j > hi[1] ? j : hi[1];
            box->lo[2] = k < box->lo[2] ? k : box->lo[2];
            hi[2] = k;
        }
    if (!found)
        return ri_fail(error, RAD_ERR_EMPTY_ROI, "the mask has no ROI voxel");

    for (int a = 0; a < 3; a++)
        box->size[a] = hi[a] - box->lo[a] + 1;
    memcpy(box->spacing, mask->spacing, sizeof box->spacing);
    box->inside = malloc(box->size[0] * box->size[1] * box->size[2]);
    if (morph != NULL)
        box->morph_inside = malloc(box->size[0] * box->size[1] * box->size[2]);
    if (box->inside == NULL || (morph != NULL && box->morph_inside == NULL)) {
        roi_box_free(box);
        return ri_fail(error, RAD_ERR_NO_MEMORY, "out of memory for a ROI box of %zu x %zu x %zu",
                       box->size[0], box->size[1], box->size[2]);
    }
    for (size_t k = 0; k < box->size[2]; k++)
        for (size_t j = 0; j < box->size[1]; j++) {
            size_t at = ri_index(mask, box->lo[0], box->lo[1] + j, box->lo[2] + k);
            const double *row = mask->data + at;
            uint8_t *to = box->inside + box->size[0] * (j + box->size[1] * k);

            for (size_t i = 0; i < box->size[0]; i++) {
                to[i] = row[i] != 0;
                n += to[i];
            }
            if (morph != NULL) {
                uint8_t *to_morph = box->morph_inside + box->size[0] * (j + box->size[1] * k);

                for (size_t i = 0; i < box->size[0]; i++)
                    to_morph[i] = morph->data[at + i] != 0;
            }
        }
    box->n_voxels = n;
    if (n == 0) {
        roi_box_free(box);
        return ri_fail(error, RAD_ERR_EMPTY_ROI, "the re-segmented mask has no ROI voxel");
    }
    return RAD_OK;
}

/* Copies image (on the grid of the box's mask) inside the box into
 * lv->values, allocated on first use, and points lv->roi at it. Fails with
 * RAD_ERR_NOT_FINITE on a NaN or infinite value inside the ROI. */
static rad_status roi_levels_crop(const char *image_type, const rad_volume *image,
                                  const roi_box *box, roi_levels *lv, rad_error *error)
{
    size_t nx = box->size[0], ny = box->size[1], nz = box->size[2], n = nx * ny * nz;

    if (lv->values == NULL) {
        lv->values = malloc(n * sizeof *lv->values);
        lv->levels = malloc(n * sizeof *lv->levels);
        if (lv->values == NULL || lv->levels == NULL) {
            roi_levels_free(lv);
            return ri_fail(error, RAD_ERR_NO_MEMORY, "out of memory extracting %s",
                           image_type);
        }
    }
    for (size_t k = 0; k < nz; k++)
        for (size_t j = 0; j < ny; j++)
            memcpy(lv->values + nx * (j + ny * k),
                   image->data + ri_index(image, box->lo[0], box->lo[1] + j, box->lo[2] + k),
                   nx * sizeof *lv->values);
    double lo = INFINITY, hi = -INFINITY;
    int finite = 1;
    for (size_t v = 0; v < n; v++) {
        double x = box->inside[v] ? lv->values[v] : lo;
        finite &= isfinite(x) || x == INFINITY;
        lo = x < lo ? x : lo;
        x = box->inside[v] ? lv->values[v] : hi;
        hi = x > hi ? x : hi;
    }
    if (!finite || isinf(lo) || isinf(hi))
        return ri_fail(error, RAD_ERR_NOT_FINITE,
                       "%s image has a NaN or infinite value inside the ROI", image_type);
    lv->min_value = lo;
    lv->max_value = hi;

    memset(&lv->roi, 0, sizeof lv->roi);
    memcpy(lv->roi.size, box->size, sizeof lv->roi.size);
    memcpy(lv->roi.spacing, box->spacing, sizeof lv->roi.spacing);
    lv->roi.values = lv->values;
    lv->roi.mask = box->inside;
    lv->roi.morph_mask = box->morph_inside;
    lv->roi.levels = lv->levels;
    lv->roi.n_voxels = box->n_voxels;
    return RAD_OK;
}

/*
 * IBSI 1's fixed bin size discretisation: level = floor((x - min) / w) + 1,
 * so the bin edges start at min (pyradiomics' edges are multiples of w).
 * min is lower_bound, the lower bound of the re-segmentation range, or the
 * ROI minimum when lower_bound is -INFINITY or above that minimum. Outputs
 * as ri_discretize_bin_width.
 */
static void discretize_from_minimum(const double *values, const uint8_t *mask, size_t n,
                                    double bin_width, double lower_bound, int *levels,
                                    int *max_level, int *n_present)
{
    double min = isinf(lower_bound) ? INFINITY : lower_bound;
    int top = 0, present = 0;
    unsigned char *seen;

    /* A filtered image can go below the range's bound. Then the bins start
     * at the ROI minimum, so that every level stays >= 1. */
    for (size_t v = 0; v < n; v++)
        if (mask[v] && values[v] < min)
            min = values[v];
    for (size_t v = 0; v < n; v++) {
        levels[v] = mask[v] ? (int)floor((values[v] - min) / bin_width) + 1 : 0;
        if (levels[v] > top)
            top = levels[v];
    }
    seen = calloc((size_t)top + 1, 1);
    if (seen != NULL) {
        for (size_t v = 0; v < n; v++)
            if (mask[v] && !seen[levels[v]]) {
                seen[levels[v]] = 1;
                present++;
            }
        free(seen);
    } else {
        present = top; /* an upper bound, only used for the degenerate-texture warning */
    }
    *max_level = top;
    *n_present = present;
}

/*
 * force2D for the zone and neighbourhood classes (GLSZM, GLDM, NGTDM): a copy
 * of roi with an empty slice (mask 0) between consecutive slices along the
 * force2D axis, so that 26-connected zones and neighbourhoods stay within a
 * slice, as with pyradiomics' in-plane angles. Needs distance 1 only, which
 * these kernels use.
 */
typedef struct separated_slices {
    double *values;
    uint8_t *mask;
    int *levels;
    ri_roi roi;
} separated_slices;

static void separated_slices_free(separated_slices *b)
{
    free(b->values);
    free(b->mask);
    free(b->levels);
    memset(b, 0, sizeof *b);
}

static rad_status separate_slices(const ri_roi *roi, int axis, separated_slices *b,
                                  rad_error *error)
{
    size_t size[3], n;

    memset(b, 0, sizeof *b);
    memcpy(size, roi->size, sizeof size);
    size[axis] = 2 * size[axis] - 1;
    if (size[0] > RI_MAX_VOXELS / size[1] / size[2])
        return ri_fail(error, RAD_ERR_TOO_LARGE, "force2D: ROI box %zu x %zu x %zu is too large",
                       size[0], size[1], size[2]);
    n = size[0] * size[1] * size[2];
    b->values = calloc(n, sizeof *b->values);
    b->mask = calloc(n, sizeof *b->mask);
    b->levels = calloc(n, sizeof *b->levels);
    if (b->values == NULL || b->mask == NULL || b->levels == NULL) {
        separated_slices_free(b);
        return ri_fail(error, RAD_ERR_NO_MEMORY, "force2D: out of memory for %zu voxels", n);
    }
    for (size_t k = 0; k < roi->size[2]; k++)
        for (size_t j = 0; j < roi->size[1]; j++)
            for (size_t i = 0; i < roi->size[0]; i++) {
                size_t from = i + roi->size[0] * (j + roi->size[1] * k);
                size_t at[3] = {i, j, k};
                at[axis] *= 2;
                size_t to = at[0] + size[0] * (at[1] + size[1] * at[2]);
                b->values[to] = roi->values[from];
                b->mask[to] = roi->mask[from];
                b->levels[to] = roi->levels[from];
            }
    b->roi = *roi;
    memcpy(b->roi.size, size, sizeof size);
    b->roi.values = b->values;
    b->roi.mask = b->mask;
    b->roi.levels = b->levels;
    b->roi.morph_mask = NULL; /* laid out for the old box, and these kernels do not read it */
    return RAD_OK;
}

/* 1 when class c's 3D_avg kernel reads a level grid of the ROI (see run_kernel). */
static int class_uses_level_grid(ri_feature_class c)
{
    return c == RI_CLASS_GLCM || c == RI_CLASS_GLRLM || c == RI_CLASS_GLSZM || c == RI_CLASS_GLDM;
}

/* Runs the 3D_avg kernel of class c. grid is NULL or the level grid of roi. */
static rad_status run_kernel(const ri_settings *s, ri_feature_class c, const ri_roi *roi,
                             const ri_level_grid *grid, double *out, rad_error *error)
{
    switch (grid != NULL ? c : RI_CLASS_COUNT) {
    case RI_CLASS_GLCM: return ri_glcm_on_grid(roi, grid, s, out, error);
    case RI_CLASS_GLRLM: return ri_glrlm_on_grid(roi, grid, s, out, error);
    case RI_CLASS_GLSZM: return ri_glszm_on_grid(roi, grid, s, out, error);
    case RI_CLASS_GLDM: return ri_gldm_on_grid(roi, grid, s, out, error);
    default: return kernels[c](roi, s, out, error);
    }
}

/* Level grids of one image type's ROI, owned here, and the read-only view the kernels get. */
typedef struct shared_grids {
    ri_level_grid volume;
    ri_level_grid *slices; /* NULL or n_slices grids */
    size_t n_slices;
    ri_texture_grids view;
} shared_grids;

static void shared_grids_free(shared_grids *g)
{
    ri_level_grid_free(&g->volume);
    ri_slice_grids_free(g->slices, g->n_slices);
    memset(g, 0, sizeof *g);
}

/*
 * Builds the level grids of roi that the enabled classes can use: the
 * volume grid for 3D_avg and 3D_comb, the slice grids for the 2-D and 2.5-D
 * methods. Returns &g->view, or NULL when no class uses a grid. A grid whose
 * build fails stays NULL in the view, and the kernels then build their own
 * and report the failure themselves, in the single-threaded order.
 */
static const ri_texture_grids *build_shared_grids(const ri_settings *s, const ri_roi *roi,
                                                  shared_grids *g)
{
    int volume_used = 0, slices_used = 0;

    memset(g, 0, sizeof *g);
    for (int c = 0; c < RI_CLASS_COUNT; c++) {
        ri_aggregation methods[RI_AGG_COUNT];
        if (!class_uses_level_grid((ri_feature_class)c) || !class_enabled(s, (ri_feature_class)c))
            continue;
        int n_methods = ri_class_aggregations(s, (ri_feature_class)c, methods);
        for (int m = 0; m < n_methods; m++) {
            if (methods[m] == RI_AGG_3D_AVG || (methods[m] == RI_AGG_3D_COMB && c != RI_CLASS_GLCM))
                volume_used = 1;
            else if (c != RI_CLASS_GLCM)
                slices_used = 1;
        }
    }
    if (roi->n_voxels == 0 || !(volume_used || slices_used))
        return NULL;
    if (volume_used && ri_level_grid_build(roi, &g->volume, NULL) == RAD_OK)
        g->view.volume = &g->volume;
    if (slices_used && ri_slice_grids_build(roi, &g->slices, NULL) == RAD_OK) {
        g->n_slices = roi->size[2];
        g->view.slices = g->slices;
    }
    return &g->view;
}

/*
 * Runs the kernel of class c with aggregation method on roi into
 * out[MAX_TABLE_FEATURES]. grids is NULL or the shared level grids of roi,
 * which the GLCM, GLRLM, GLSZM and GLDM kernels read in place of building
 * their own.
 */
static rad_status compute_class(const ri_settings *s, ri_feature_class c, ri_aggregation method,
                                const ri_roi *roi, const ri_texture_grids *grids, double *out,
                                rad_error *error)
{
    const ri_feature_table *table = ri_feature_table_of(c);
    rad_status status;

    if (table->count > MAX_TABLE_FEATURES)
        return ri_fail(error, RAD_ERR_ARGUMENT, "feature table %s has %zu features, more than %d",
                       table->class_name, table->count, MAX_TABLE_FEATURES);
    for (size_t i = 0; i < table->count; i++)
        out[i] = NAN;
    if (method != RI_AGG_3D_AVG) {
        status = ri_texture_aggregated_on_grids(c, roi, grids, s, method, out, error);
        if (status != RAD_OK && error != NULL) {
            /* Name the method in the message, because a 2D method fails where 3D_avg
             * would not, e.g. on an ROI with no two voxels in one slice. */
            char cause[512];
            snprintf(cause, sizeof cause, "%s", rad_error_message(error));
            return ri_fail(error, status, "%s with textureAggregation method %s", cause,
                           ri_aggregation_name(method));
        }
    } else if (s->force2d &&
               (c == RI_CLASS_GLSZM || c == RI_CLASS_GLDM || c == RI_CLASS_NGTDM)) {
        separated_slices separated;

        status = separate_slices(roi, 2 - s->force2d_dimension, &separated, error);
        if (status != RAD_OK)
            return status;
        status = kernels[c](&separated.roi, s, out, error);
        separated_slices_free(&separated);
    } else {
        status = run_kernel(s, c, roi, grids != NULL ? grids->volume : NULL, out, error);
    }
    if (status != RAD_OK)
        return status;
    if (c == RI_CLASS_FIRSTORDER && s->excess_kurtosis)
        for (size_t i = 0; i < table->count; i++)
            if (strcmp(table->defs[i].name, "Kurtosis") == 0)
                out[i] -= 3.0;
    return RAD_OK;
}

/* 1 when textureAggregation is other than [3D_avg], so that texture names get suffixes. */
static int names_have_suffix(const ri_settings *s)
{
    return s->texture_aggregation != 0 && s->texture_aggregation != RI_AGG_DEFAULT_MASK;
}

/* Appends the enabled features of class c with aggregation method from the kernel output out. */
static rad_status push_class(const ri_settings *s, const char *image_type, ri_feature_class c,
                             ri_aggregation method, const double *out, rad_features *features,
                             rad_error *error)
{
    const ri_feature_table *table = ri_feature_table_of(c);
    const char *name_suffix = names_have_suffix(s) ? ri_aggregation_suffix(c, method) : "";

    for (size_t i = 0; i < table->count; i++) {
        if (!s->enabled[c][i])
            continue;
        rad_status status =
            features_push(features, image_type, c, method, name_suffix, i, out[i], error);
        if (status != RAD_OK)
            return status;
    }
    return RAD_OK;
}

/* Runs the kernel of class c on roi with each of its aggregation methods and
 * appends its enabled features. */
static rad_status run_class(const rad_params *params, const char *image_type,
                            ri_feature_class c, const ri_roi *roi,
                            const ri_texture_grids *grids, rad_features *features,
                            rad_error *error)
{
    double out[MAX_TABLE_FEATURES];
    ri_aggregation methods[RI_AGG_COUNT];
    int n_methods = ri_class_aggregations(&params->s, c, methods);

    for (int m = 0; m < n_methods; m++) {
        rad_status status = compute_class(&params->s, c, methods[m], roi, grids, out, error);
        if (status != RAD_OK)
            return status;
        status = push_class(&params->s, image_type, c, methods[m], out, features, error);
        if (status != RAD_OK)
            return status;
    }
    return RAD_OK;
}

/* Largest sphere reach of the local intensity features in voxels, over the axes. */
static int local_intensity_margin(const double spacing[3])
{
    int margin = 0;

    for (int a = 0; a < 3; a++) {
        double voxels = spacing[a] > 0 ? ceil(RI_LOCAL_INTENSITY_RADIUS_MM / spacing[a]) : 0;
        if (voxels > margin)
            margin = voxels > 1000 ? 1000 : (int)voxels;
    }
    return margin;
}

/* Classes computed once on the original image: shape and IBSI morphology. */
static int is_geometry_class(int c)
{
    return c == RI_CLASS_SHAPE || c == RI_CLASS_MORPHOLOGY;
}

/*
 * Computes shape and morphology, which depend on the mask geometry (and, for
 * morphology, the intensities), once on the pre-processed original image, as
 * pyradiomics computes shape whatever the image types.
 */
static rad_status extract_geometry(const rad_params *params, const rad_volume *image,
                                   const rad_volume *mask, const rad_volume *morph,
                                   rad_features *features, rad_error *error)
{
    const ri_settings *s = &params->s;
    roi_buffers b;
    rad_status status;

    if (!class_enabled(s, RI_CLASS_SHAPE) && !class_enabled(s, RI_CLASS_MORPHOLOGY))
        return RAD_OK;
    status = roi_prepare("original", image, mask, morph, 0, &b, error);
    if (status != RAD_OK)
        return status;
    /* pyradiomics' shape uses one mask, the morphological one. */
    ri_roi shape_roi = b.roi;
    if (b.morph_inside != NULL) {
        shape_roi.mask = b.morph_inside;
        shape_roi.morph_mask = NULL;
        shape_roi.n_voxels = 0;
        for (size_t v = 0; v < ri_voxel_count(b.image); v++)
            shape_roi.n_voxels += b.morph_inside[v];
    }
    for (int c = 0; c < RI_CLASS_COUNT && status == RAD_OK; c++)
        if (is_geometry_class(c) && class_enabled(s, (ri_feature_class)c))
            status = run_class(params, "original", (ri_feature_class)c,
                               c == RI_CLASS_SHAPE ? &shape_roi : &b.roi, NULL, features, error);
    roi_buffers_free(&b);
    return status;
}

/* Crops one image type to the box and discretises it into lv, whose buffers
 * are reused. *n_present receives the number of grey levels present. */
static rad_status discretize_roi(const ri_settings *s, const char *image_type,
                                 const rad_volume *image, const roi_box *box, roi_levels *lv,
                                 int *n_present, rad_error *error)
{
    size_t n = box->size[0] * box->size[1] * box->size[2];
    rad_status status;

    *n_present = 0;
    status = roi_levels_crop(image_type, image, box, lv, error);
    if (status != RAD_OK)
        return status;
    if (s->bin_count <= 0) {
        /* The level count must fit the histograms and an int, because a tiny bin
         * width or a far range bound would otherwise overflow or exhaust memory. */
        double w = s->bin_width, start = lv->min_value, levels;
        if (s->ibsi_bin_edges) {
            double bound = ri_resegment_lower_bound(s);
            if (!isinf(bound) && bound < start)
                start = bound;
            levels = floor((lv->max_value - start) / w) + 1.0;
        } else {
            levels = floor(lv->max_value / w) - floor(lv->min_value / w) + 1.0;
        }
        if (!(levels <= RI_MAX_GREY_LEVELS))
            return ri_fail(error, RAD_ERR_PARAMETER,
                           "%s: binWidth %g over the intensities %g to %g gives %.3g grey "
                           "levels; expected at most %d (raise binWidth, or use binCount)",
                           image_type, w, start, lv->max_value, levels, RI_MAX_GREY_LEVELS);
    }
    if (s->bin_count > 0)
        ri_discretize_bin_count(lv->values, box->inside, n, s->bin_count, lv->levels,
                                &lv->roi.max_level, n_present);
    else if (s->ibsi_bin_edges)
        discretize_from_minimum(lv->values, box->inside, n, s->bin_width,
                                ri_resegment_lower_bound(s), lv->levels, &lv->roi.max_level,
                                n_present);
    else
        ri_discretize_bin_width(lv->values, box->inside, n, s->bin_width, lv->levels,
                                &lv->roi.max_level, n_present);
    return RAD_OK;
}

/* Records the grey levels of one image type and warns when texture is degenerate. */
static void note_grey_levels(const rad_params *params, const char *image_type, int n_present,
                             rad_features *features)
{
    if (features->min_grey_levels == 0 || n_present < features->min_grey_levels)
        features->min_grey_levels = n_present;
    if (n_present < 8)
        ri_log(params, RAD_LOG_WARNING,
               "%s: discretisation with bin width %g leaves %d grey level%s in the ROI; "
               "texture features are degenerate (check normalizeScale and binWidth)",
               image_type, params->s.bin_width, n_present, n_present == 1 ? "" : "s");
}

/*
 * Computes the enabled per-image-type classes on one image type. image and
 * mask are the pre-processed volumes on one grid. mask is 0/1 and needed
 * only by the local intensity class. box is the ROI's box on that grid, and
 * lv contains the crop buffers that the image types share.
 */
static rad_status extract_image_type(const rad_params *params, const char *image_type,
                                     const rad_volume *image, const rad_volume *mask,
                                     const roi_box *box, roi_levels *lv,
                                     rad_features *features, rad_error *error)
{
    const ri_settings *s = &params->s;
    roi_buffers wide;
    shared_grids grids_buffer;
    const ri_texture_grids *grids;
    rad_status status;
    int n_present = 0;

    memset(&wide, 0, sizeof wide);
    status = discretize_roi(s, image_type, image, box, lv, &n_present, error);
    if (status != RAD_OK)
        return status;
    note_grey_levels(params, image_type, n_present, features);
    grids = build_shared_grids(s, &lv->roi, &grids_buffer);

    for (int c = 0; c < RI_CLASS_COUNT; c++) {
        const ri_roi *roi = &lv->roi;
        const ri_texture_grids *class_grids = grids;

        if (is_geometry_class(c) || !class_enabled(s, (ri_feature_class)c))
            continue;
        if (c == RI_CLASS_LOCAL_INTENSITY) {
            /* The 1 cm^3 spheres reach voxels outside the ROI: crop with a margin. */
            status = roi_prepare(image_type, image, mask, NULL,
                                 local_intensity_margin(image->spacing), &wide, error);
            if (status != RAD_OK)
                goto done;
            roi = &wide.roi;
            class_grids = NULL;
        }
        status = run_class(params, image_type, (ri_feature_class)c, roi, class_grids, features,
                           error);
        if (status != RAD_OK)
            goto done;
    }
    status = RAD_OK;

done:
    shared_grids_free(&grids_buffer);
    roi_buffers_free(&wide);
    return status;
}

/*
 * Runs the per-image-type part of rad_extract on one thread. It extracts the
 * original image, then the wavelet bands, all through one ROI box and one
 * set of crop buffers. Unless the local intensity class needs the whole mask, *mask is
 * freed (and set to NULL) before the wavelet transform to lower the peak
 * memory, and each band is freed once its features are computed.
 */
static rad_status extract_types_serial(const rad_params *params, const rad_volume *image,
                                       rad_volume **mask, rad_volume **morph,
                                       rad_features *features, rad_error *error)
{
    const ri_settings *s = &params->s;
    rad_volume *bands[RI_WAVELET_BANDS] = {NULL};
    char band_names[RI_WAVELET_BANDS][32];
    roi_box box;
    roi_levels lv;
    rad_status status;

    memset(&lv, 0, sizeof lv);
    status = roi_box_init(*mask, *morph, &box, error);
    if (status != RAD_OK)
        return status;
    rad_volume_free(*morph);
    *morph = NULL;
    if (!class_enabled(s, RI_CLASS_LOCAL_INTENSITY)) {
        rad_volume_free(*mask);
        *mask = NULL;
    }
    if (s->original_enabled) {
        status = extract_image_type(params, "original", image, *mask, &box, &lv, features,
                                    error);
        if (status != RAD_OK)
            goto done;
    }
    if (s->wavelet_enabled) {
        /* The bands set the peak memory of the extraction, so they are
         * computed in two halves. The first is low-pass along x (output
         * positions 0-2 and 7, LLL last), the second high-pass along x (3-6).
         * The crop buffers are allocated again after the first transform. */
        static const unsigned halves[2] = {0x87u, 0x78u};
        int b = 0;

        roi_levels_free(&lv);
        for (int half = 0; half < 2; half++) {
            status = ri_wavelet_some(image, s->wavelet_name, s->wavelet_level, halves[half],
                                     bands, band_names, error);
            if (status != RAD_OK)
                goto done;
            /* Bands in output order up to the last one computed so far. */
            for (; b < RI_WAVELET_BANDS && bands[b] != NULL; b++) {
                status = extract_image_type(params, band_names[b], bands[b], *mask, &box, &lv,
                                            features, error);
                rad_volume_free(bands[b]);
                bands[b] = NULL;
                if (status != RAD_OK)
                    goto done;
            }
        }
    }

done:
    for (int b = 0; b < RI_WAVELET_BANDS; b++)
        rad_volume_free(bands[b]);
    roi_levels_free(&lv);
    roi_box_free(&box);
    return status;
}

/* Resamples, or crops, image and label mask onto the grid features use. */
static rad_status prepare_grid(const rad_params *params, const rad_volume *image,
                               const rad_volume *mask, rad_volume **image_out,
                               rad_volume **mask_out, rad_error *error)
{
    const ri_settings *s = &params->s;
    int pad = s->pad_distance;

    if (class_enabled(s, RI_CLASS_LOCAL_INTENSITY)) {
        /* NOTE: a larger pad also changes the border of filtered images. */
        double spacing[3];
        for (int a = 0; a < 3; a++)
            spacing[a] = s->resample && s->resampled_spacing[a] > 0 ? s->resampled_spacing[a]
                                                                    : image->spacing[a];
        int margin = local_intensity_margin(spacing);
        if (margin > pad)
            pad = margin;
    }
    if (s->resample && (s->grid_alignment != RI_GRID_CORNER || s->round_intensities ||
                        s->mask_interpolator != RI_INTERP_NEAREST)) {
        ri_resample_options options = {
            .label = s->label,
            .interpolator = s->interpolator,
            .pad = pad,
            .alignment = s->grid_alignment,
            .mask_interpolator = s->mask_interpolator,
            .mask_threshold = s->mask_partial_volume,
            .round_intensities = s->round_intensities,
        };
        memcpy(options.spacing, s->resampled_spacing, sizeof options.spacing);
        return ri_resample(image, mask, &options, image_out, mask_out, error);
    }
    if (s->resample)
        return ri_resample_pyradiomics(image, mask, s->label, s->resampled_spacing,
                                       s->interpolator, pad, image_out, mask_out, error);
    if (s->pre_crop || !s->wavelet_enabled)
        return ri_crop_to_mask(image, mask, s->label, pad, image_out, mask_out, error);
    /* pyradiomics filters the whole image when it neither resamples nor pre-crops. */
    return ri_crop_to_mask(image, mask, s->label, (int)(image->size[0] + image->size[1] +
                                                        image->size[2]),
                           image_out, mask_out, error);
}

static rad_status check_roi(const rad_params *params, const rad_volume *mask, rad_error *error)
{
    const ri_settings *s = &params->s;
    size_t count;
    int dimensions;

    roi_extent(mask, &count, &dimensions);
    if (count == 0)
        return ri_fail(error, RAD_ERR_EMPTY_ROI,
                       "the mask has no voxel with label %g after pre-processing", s->label);
    if (dimensions < s->minimum_roi_dimensions)
        return ri_fail(error, RAD_ERR_EMPTY_ROI,
                       "the ROI extends in %d dimension%s; minimumROIDimensions is %d",
                       dimensions, dimensions == 1 ? "" : "s", s->minimum_roi_dimensions);
    if (s->minimum_roi_size > 0 && count < (size_t)s->minimum_roi_size)
        return ri_fail(error, RAD_ERR_EMPTY_ROI,
                       "the ROI has %zu voxels; minimumROISize is %d", count,
                       s->minimum_roi_size);
    return RAD_OK;
}

static int mask_has_label(const rad_volume *mask, double label)
{
    size_t n = ri_voxel_count(mask);

    for (size_t v = 0; v < n; v++)
        if (mask->data[v] == label)
            return 1;
    return 0;
}

/* Writes the distinct non-zero values of mask (up to 8, then "...") into buf. */
static void describe_labels(const rad_volume *mask, char *buf, size_t size)
{
    double seen[8];
    size_t n_seen = 0, used = 0, n = ri_voxel_count(mask);
    int more = 0;

    for (size_t v = 0; v < n; v++) {
        double value = mask->data[v];
        size_t k = 0;
        if (value == 0 || value != value)
            continue;
        while (k < n_seen && seen[k] != value)
            k++;
        if (k < n_seen)
            continue;
        if (n_seen == 8) {
            more = 1;
            break;
        }
        seen[n_seen++] = value;
    }
    buf[0] = '\0';
    if (n_seen == 0) {
        snprintf(buf, size, "no non-zero voxel at all");
        return;
    }
    used = (size_t)snprintf(buf, size, "values ");
    for (size_t k = 0; k < n_seen && used < size; k++)
        used += (size_t)snprintf(buf + used, size - used, k ? ", %g" : "%g", seen[k]);
    if (more && used < size)
        snprintf(buf + used, size - used, ", ...");
}

/* ------------------------------------------------------------------ */
/* Parallel extraction (threads > 1)                                    */

/* One image type: its volume, and once prepared its discretised ROI. */
typedef struct type_job {
    const char *name;
    const rad_volume *image;
    roi_levels lv;
    int n_present;
    shared_grids grids_buffer;
    const ri_texture_grids *grids; /* NULL or &grids_buffer.view, read-only in the class tasks */
    rad_error error;
} type_job;

/* One enabled class and aggregation method on one prepared image type. */
typedef struct class_job {
    type_job *type;
    ri_feature_class c;
    ri_aggregation method;
    double out[MAX_TABLE_FEATURES];
    rad_status status;
    rad_error error;
} class_job;

typedef struct parallel_extraction {
    const ri_settings *s;
    const rad_volume *mask;
    const roi_box *box;   /* shared by the image types, read-only in the tasks */
    type_job *types;
    class_job *classes;
} parallel_extraction;

static rad_status prepare_type_task(void *context, size_t index)
{
    parallel_extraction *x = context;
    type_job *t = &x->types[index];

    rad_status status =
        discretize_roi(x->s, t->name, t->image, x->box, &t->lv, &t->n_present, &t->error);
    if (status == RAD_OK)
        t->grids = build_shared_grids(x->s, &t->lv.roi, &t->grids_buffer);
    return status;
}

/* Each task owns its buffers: the kernels allocate their own scratch, and the
 * local intensity class crops its own ROI with a margin. */
static rad_status class_task(void *context, size_t index)
{
    parallel_extraction *x = context;
    class_job *job = &x->classes[index];
    const ri_roi *roi = &job->type->lv.roi;
    const ri_texture_grids *grids = job->type->grids;
    roi_buffers wide;

    memset(&wide, 0, sizeof wide);
    if (job->c == RI_CLASS_LOCAL_INTENSITY) {
        const rad_volume *image = job->type->image;
        job->status = roi_prepare(job->type->name, image, x->mask, NULL,
                                  local_intensity_margin(image->spacing), &wide, &job->error);
        if (job->status != RAD_OK)
            return job->status;
        roi = &wide.roi;
        grids = NULL;
    }
    job->status = compute_class(x->s, job->c, job->method, roi, grids, job->out, &job->error);
    roi_buffers_free(&wide);
    return job->status;
}

/* Copies the message and status of a task's error into error (which may be NULL). */
static rad_status report_task_error(const rad_error *task_error, rad_error *error)
{
    return ri_fail(error, task_error->status, "%s", task_error->message);
}

/*
 * The per-image-type part of rad_extract on params->s.threads threads: the
 * wavelet bands are computed first, then every image type is cropped and
 * discretised in parallel, then every (image type, class) pair is computed
 * in parallel. Features, log messages and the reported error follow the
 * single-threaded order: results are assembled by index, and the error is
 * that of the first failed step in that order.
 */
static rad_status extract_types_parallel(const rad_params *params, const rad_volume *image,
                                         const rad_volume *mask, const rad_volume *morph,
                                         rad_features *features, rad_error *error)
{
    const ri_settings *s = &params->s;
    rad_volume *bands[RI_WAVELET_BANDS] = {NULL};
    char band_names[RI_WAVELET_BANDS][32];
    type_job types[1 + RI_WAVELET_BANDS];
    class_job *classes = NULL;
    roi_box box;
    parallel_extraction x = {s, mask, &box, types, NULL};
    rad_error wavelet_error;
    rad_status status = RAD_OK, wavelet_status = RAD_OK;
    size_t n_types = 0, n_prepared, n_classes = 0, first_failed_class;

    memset(types, 0, sizeof types);
    status = roi_box_init(mask, morph, &box, error);
    if (status != RAD_OK)
        return status;
    if (s->original_enabled)
        types[n_types++] = (type_job){.name = "original", .image = image};
    if (s->wavelet_enabled) {
        wavelet_status = ri_wavelet(image, s->wavelet_name, s->wavelet_level, bands, band_names,
                                    &wavelet_error);
        /* A wavelet error is reported after any error of the original image,
         * as the single-threaded run computes the original image first. */
        for (int b = 0; wavelet_status == RAD_OK && b < RI_WAVELET_BANDS; b++)
            types[n_types++] = (type_job){.name = band_names[b], .image = bands[b]};
    }

    n_prepared = ri_parallel_run(s->threads, n_types, prepare_type_task, &x);

    /* Classes run only on the image types before the first failed preparation. */
    classes = calloc((n_prepared ? n_prepared : 1) * RI_CLASS_COUNT * RI_AGG_COUNT,
                     sizeof *classes);
    if (classes == NULL) {
        status = ri_fail(error, RAD_ERR_NO_MEMORY, "out of memory extracting features");
        goto done;
    }
    for (size_t t = 0; t < n_prepared; t++)
        for (int c = 0; c < RI_CLASS_COUNT; c++) {
            ri_aggregation methods[RI_AGG_COUNT];
            if (is_geometry_class(c) || !class_enabled(s, (ri_feature_class)c))
                continue;
            int n_methods = ri_class_aggregations(s, (ri_feature_class)c, methods);
            for (int m = 0; m < n_methods; m++)
                classes[n_classes++] = (class_job){.type = &types[t], .c = (ri_feature_class)c,
                                                   .method = methods[m],
                                                   .status = RAD_ERR_ARGUMENT};
        }
    x.classes = classes;
    first_failed_class = ri_parallel_run(s->threads, n_classes, class_task, &x);

    /* Assembly in the single-threaded order. */
    for (size_t t = 0, job = 0; t < n_types; t++) {
        if (t == n_prepared) {
            status = report_task_error(&types[t].error, error);
            goto done;
        }
        note_grey_levels(params, types[t].name, types[t].n_present, features);
        for (; job < n_classes && classes[job].type == &types[t]; job++) {
            if (job == first_failed_class) {
                status = report_task_error(&classes[job].error, error);
                goto done;
            }
            status = push_class(s, types[t].name, classes[job].c, classes[job].method,
                                classes[job].out, features, error);
            if (status != RAD_OK)
                goto done;
        }
    }
    if (wavelet_status != RAD_OK)
        status = report_task_error(&wavelet_error, error);

done:
    free(classes);
    for (size_t t = 0; t < n_types; t++) {
        roi_levels_free(&types[t].lv);
        shared_grids_free(&types[t].grids_buffer);
    }
    for (int b = 0; b < RI_WAVELET_BANDS; b++)
        rad_volume_free(bands[b]);
    roi_box_free(&box);
    return status;
}

/*
 * pyradiomics' resegmentMask on the pre-processed grid: keeps the ROI voxels
 * with intensity >= the lower threshold (and <= the upper one when
 * resegmentRange has two values). Thresholds are the range values
 * (absolute), value x ROI maximum (relative) or ROI mean + value x ROI
 * population SD (sigma). *out is a new 0/1 mask; fewer than 2 voxels left
 * is an error, as in pyradiomics.
 */
static rad_status resegment_mask(const ri_settings *s, const rad_volume *image,
                                 const rad_volume *mask, rad_volume **out, rad_error *error)
{
    size_t n = ri_voxel_count(mask), count = 0, kept = 0;
    double sum = 0, max = -INFINITY, lower, upper = INFINITY, scale = 1, offset = 0;
    rad_volume *result;
    rad_status status;

    for (size_t v = 0; v < n; v++) {
        if (mask->data[v] == 0)
            continue;
        sum += image->data[v];
        if (image->data[v] > max)
            max = image->data[v];
        count++;
    }
    if (s->resegment_mode == RI_RESEGMENT_RELATIVE) {
        scale = max;
    } else if (s->resegment_mode == RI_RESEGMENT_SIGMA) {
        double mean = sum / (double)count, squares = 0;
        for (size_t v = 0; v < n; v++)
            if (mask->data[v] != 0)
                squares += (image->data[v] - mean) * (image->data[v] - mean);
        offset = mean;
        scale = sqrt(squares / (double)count);
    }
    lower = offset + scale * s->resegment_range[0];
    if (s->n_resegment == 2)
        upper = offset + scale * s->resegment_range[1];

    status = ri_volume_like(mask, &result, error);
    if (status != RAD_OK)
        return status;
    for (size_t v = 0; v < n; v++) {
        double x = image->data[v];
        result->data[v] = mask->data[v] != 0 && x >= lower && x <= upper;
        kept += result->data[v] != 0;
    }
    if (kept <= 1) {
        rad_volume_free(result);
        return ri_fail(error, RAD_ERR_EMPTY_ROI,
                       "resegmentation to [%g, %g] kept %zu of %zu ROI voxels; at least 2 are "
                       "needed (widen resegmentRange)", lower, upper, kept, count);
    }
    *out = result;
    return RAD_OK;
}

/*
 * Applies IBSI's intensity outlier filtering to the 0/1 mask in place. It
 * keeps the ROI voxels within the ROI mean +- k population SD, with
 * k = resegmentOutliers. It runs after resegmentRange, on the voxels that the
 * range kept, so with both set the SD is that of the range-resegmented ROI.
 * The IBSI 1 CT phantom's configuration E reference values need this order.
 */
static rad_status filter_outliers(const ri_settings *s, const rad_volume *image,
                                  rad_volume *mask, rad_error *error)
{
    size_t n = ri_voxel_count(mask), count = 0, kept = 0;
    double sum = 0, squares = 0, mean, sd, lower, upper;

    for (size_t v = 0; v < n; v++)
        if (mask->data[v] != 0) {
            sum += image->data[v];
            count++;
        }
    if (count == 0)
        return ri_fail(error, RAD_ERR_EMPTY_ROI, "outlier filtering: the ROI is empty");
    mean = sum / (double)count;
    for (size_t v = 0; v < n; v++)
        if (mask->data[v] != 0)
            squares += (image->data[v] - mean) * (image->data[v] - mean);
    sd = sqrt(squares / (double)count);
    lower = mean - s->resegment_outliers * sd;
    upper = mean + s->resegment_outliers * sd;
    for (size_t v = 0; v < n; v++) {
        if (mask->data[v] == 0)
            continue;
        if (image->data[v] < lower || image->data[v] > upper)
            mask->data[v] = 0;
        else
            kept++;
    }
    if (kept <= 1)
        return ri_fail(error, RAD_ERR_EMPTY_ROI,
                       "outlier filtering to [%g, %g] kept %zu of %zu ROI voxels; at least 2 "
                       "are needed (raise resegmentOutliers)", lower, upper, kept, count);
    return RAD_OK;
}

rad_status ri_resegment(const ri_settings *s, const rad_volume *image, const rad_volume *mask,
                        rad_volume **out, rad_error *error)
{
    rad_volume *result = NULL;
    rad_status status;

    if (s->n_resegment > 0) {
        status = resegment_mask(s, image, mask, &result, error);
    } else {
        size_t n = ri_voxel_count(mask);
        status = ri_volume_like(mask, &result, error);
        for (size_t v = 0; status == RAD_OK && v < n; v++)
            result->data[v] = mask->data[v] != 0;
    }
    if (status == RAD_OK && s->resegment_outliers > 0)
        status = filter_outliers(s, image, result, error);
    if (status != RAD_OK) {
        rad_volume_free(result);
        return status;
    }
    *out = result;
    return RAD_OK;
}

rad_status rad_extract(const rad_params *params, const rad_volume *image,
                       const rad_volume *mask, rad_features **out, rad_error *error)
{
    rad_volume *resegmented = NULL;
    const ri_settings *s;
    rad_volume *work = NULL, *grid_image = NULL, *grid_mask = NULL, *morph_mask = NULL;
    rad_features *features = NULL;
    rad_status status;

    if (params == NULL || image == NULL || mask == NULL || out == NULL)
        return ri_fail(error, RAD_ERR_ARGUMENT, "rad_extract: NULL argument");
    s = &params->s;
    if (!any_class_enabled(s) || (!s->original_enabled && !s->wavelet_enabled))
        return ri_fail(error, RAD_ERR_PARAMETER, "no feature class or image type is enabled");

    status = ri_check_aggregation(s, error);
    if (status != RAD_OK)
        return status;
    status = rad_check_geometry(image, mask, s->geometry_tolerance, error);
    if (status != RAD_OK)
        return status;
    if (!mask_has_label(mask, s->label)) {
        char labels[160];
        describe_labels(mask, labels, sizeof labels);
        return ri_fail(error, RAD_ERR_EMPTY_ROI,
                       "the mask has no voxel with label %g; it has %s (select the ROI's "
                       "value with the label setting, --label-value in calci)",
                       s->label, labels);
    }

    features = calloc(1, sizeof *features);
    if (features == NULL)
        return ri_fail(error, RAD_ERR_NO_MEMORY, "out of memory extracting features");

    if (s->normalize) {
        status = ri_volume_like(image, &work, error);
        if (status != RAD_OK)
            goto fail;
        memcpy(work->data, image->data, ri_voxel_count(image) * sizeof *work->data);
        status = ri_normalize(work, s->normalize_scale, s->remove_outliers, error);
        if (status != RAD_OK)
            goto fail;
    }

    status = prepare_grid(params, work ? work : image, mask, &grid_image, &grid_mask, error);
    if (status != RAD_OK)
        goto fail;
    /* The filters need only the resampled grid, so the normalised whole image is freed here. */
    rad_volume_free(work);
    work = NULL;
    status = check_roi(params, grid_mask, error);
    if (status != RAD_OK)
        goto fail;
    /* Resegmentation follows resampling and precedes the filters, as in pyradiomics. */
    if (s->n_resegment > 0 || s->resegment_outliers > 0) {
        status = ri_resegment(s, grid_image, grid_mask, &resegmented, error);
        if (status != RAD_OK)
            goto fail;
        status = check_roi(params, resegmented, error);
        if (status != RAD_OK)
            goto fail;
    }

    /*
     * IBSI uses two masks. The morphological mask (before resegmentation) is
     * for shape, morphology and GLDZM distances, and the intensity mask
     * (after it) for everything else. resegmentShape makes them one.

     */
    if (resegmented != NULL && s->resegment_shape) {
        rad_volume_free(grid_mask);
        grid_mask = resegmented;
        resegmented = NULL;
    }
    if (resegmented != NULL) {
        morph_mask = grid_mask;
        grid_mask = resegmented;
        resegmented = NULL;
    }
    status = extract_geometry(params, grid_image, grid_mask, morph_mask, features, error);
    if (status != RAD_OK)
        goto fail;
    if (s->threads > 1)
        status = extract_types_parallel(params, grid_image, grid_mask, morph_mask, features,
                                        error);
    else
        status = extract_types_serial(params, grid_image, &grid_mask, &morph_mask, features,
                                      error);
    if (status != RAD_OK)
        goto fail;

    rad_volume_free(work);
    rad_volume_free(grid_image);
    rad_volume_free(grid_mask);
    rad_volume_free(morph_mask);
    *out = features;
    return RAD_OK;

fail:
    rad_volume_free(resegmented);
    rad_volume_free(work);
    rad_volume_free(grid_image);
    rad_volume_free(grid_mask);
    rad_volume_free(morph_mask);
    rad_features_free(features);
    return status;
}
