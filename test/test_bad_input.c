/*
 * test_bad_input.c - regression tests for inputs users reported: image and
 * mask grids that differ, flipped and oblique directions, unusual masks and
 * ROIs, non-finite voxels, damaged or odd files, and CSV quirks.
 *
 * The references are the documented contracts of include/radiomics.h and
 * include/calci.h (status codes, "the library never prints") and, for the
 * flip test, the symmetry of pyradiomics' 13 GLCM/GLRLM directions written
 * out at that test.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "calci.h"
#include "radiomics.h"
#include "testutil.h"

/* ------------------------------------------------------------------ */
/* Helpers                                                              */

/* Deterministic pseudo-random integers in [0, range) (a 64-bit LCG). */
static unsigned next_int(uint64_t *state, unsigned range)
{
    *state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (unsigned)((*state >> 33) % range);
}

/* A 20 x 18 x 10 image of 0.8 x 0.9 x 2.5 mm voxels with integer values in
 * [0, 300) and a mask of label 1 on an ellipsoid that fits inside. */
static void make_case(const double direction[9], rad_volume **image, rad_volume **mask)
{
    const size_t size[3] = {20, 18, 10};
    const double spacing[3] = {0.8, 0.9, 2.5}, origin[3] = {-10, 20, 5};
    uint64_t state = 12345;

    ck_assert_int_eq(rad_volume_create(size, spacing, origin, direction, image, NULL), RAD_OK);
    ck_assert_int_eq(rad_volume_create(size, spacing, origin, direction, mask, NULL), RAD_OK);
    double *v = rad_volume_data_mutable(*image), *m = rad_volume_data_mutable(*mask);
    for (size_t k = 0; k < size[2]; k++)
        for (size_t j = 0; j < size[1]; j++)
            for (size_t i = 0; i < size[0]; i++) {
                size_t at = i + size[0] * (j + size[1] * k);
                double x = (i - 9.5) / 7.0, y = (j - 8.5) / 6.0, z = (k - 4.5) / 3.2;
                v[at] = next_int(&state, 300);
                m[at] = x * x + y * y + z * z <= 1 ? 1 : 0;
            }
}

/* Copy of volume v mirrored along axis 0 with the same world geometry:
 * voxel i moves to n-1-i, direction column 0 is negated and the origin
 * moves to the world position of the old last voxel. */
static rad_volume *flip_x(const rad_volume *v)
{
    size_t size[3];
    double spacing[3], origin[3], direction[9], ijk[3], world[3];
    rad_volume *out = NULL;

    rad_volume_size(v, size);
    rad_volume_spacing(v, spacing);
    rad_volume_direction(v, direction);
    ijk[0] = (double)size[0] - 1;
    ijk[1] = ijk[2] = 0;
    rad_volume_index_to_world(v, ijk, world);
    memcpy(origin, world, sizeof origin);
    for (int r = 0; r < 3; r++)
        direction[3 * r] = -direction[3 * r];
    ck_assert_int_eq(rad_volume_create(size, spacing, origin, direction, &out, NULL), RAD_OK);
    const double *src = rad_volume_data(v);
    double *dst = rad_volume_data_mutable(out);
    for (size_t k = 0; k < size[2]; k++)
        for (size_t j = 0; j < size[1]; j++)
            for (size_t i = 0; i < size[0]; i++)
                dst[(size[0] - 1 - i) + size[0] * (j + size[1] * k)] =
                    src[i + size[0] * (j + size[1] * k)];
    return out;
}

static rad_features *extract_ok(const char *preset, const rad_volume *image,
                                const rad_volume *mask)
{
    rad_params *p = NULL;
    rad_features *f = NULL;
    rad_error *e = rad_error_create();

    ck_assert_int_eq(rad_params_create(preset, &p, e), RAD_OK);
    rad_status s = rad_extract(p, image, mask, &f, e);
    ck_assert_msg(s == RAD_OK, "rad_extract: %s: %s", rad_status_name(s), rad_error_message(e));
    rad_params_free(p);
    rad_error_free(e);
    return f;
}

/* Extracts with params p and returns the status; the message goes to msg. */
static rad_status extract_status(const rad_params *p, const rad_volume *image,
                                 const rad_volume *mask, char *msg, size_t msg_size)
{
    rad_features *f = NULL;
    rad_error *e = rad_error_create();
    rad_status s = rad_extract(p, image, mask, &f, e);

    snprintf(msg, msg_size, "%s", rad_error_message(e));
    rad_features_free(f);
    rad_error_free(e);
    return s;
}

static void assert_all_finite(const rad_features *f)
{
    for (size_t i = 0; i < rad_features_count(f); i++)
        ck_assert_msg(isfinite(rad_features_value(f, i)), "%s = %g",
                      rad_features_name(f, i), rad_features_value(f, i));
}

static void write_bytes(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");

    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, n, f), n);
    ck_assert_int_eq(fclose(f), 0);
}

/* Reads a whole file; *n receives its size. */
static unsigned char *read_bytes(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf;
    long size;

    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    size = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)size + 1);
    ck_assert_ptr_nonnull(buf);
    ck_assert_uint_eq(fread(buf, 1, (size_t)size, f), (size_t)size);
    fclose(f);
    *n = (size_t)size;
    return buf;
}

/* ------------------------------------------------------------------ */
/* Image and mask grids                                                 */

/* Two converters write the same grid with float32 rounding differences of
 * about 1e-6 mm: accepted by the default geometryTolerance (1e-3 mm). */
START_TEST(jitter_accepted)
{
    rad_volume *image, *mask, *jittered;
    size_t size[3];
    double spacing[3], origin[3], direction[9];
    rad_features *f;

    make_case(NULL, &image, &mask);
    rad_volume_size(mask, size);
    rad_volume_spacing(mask, spacing);
    rad_volume_origin(mask, origin);
    rad_volume_direction(mask, direction);
    origin[0] += 3e-6;
    origin[2] -= 2e-6;
    spacing[1] *= 1 + 1e-7;
    direction[1] = 1e-7;
    ck_assert_int_eq(rad_volume_create(size, spacing, origin, direction, &jittered, NULL), RAD_OK);
    memcpy(rad_volume_data_mutable(jittered), rad_volume_data(mask),
           size[0] * size[1] * size[2] * sizeof(double));

    f = extract_ok("pyradiomics", image, jittered);
    ck_assert_uint_gt(rad_features_count(f), 100);
    rad_features_free(f);
    rad_volume_free(jittered);
    rad_volume_free(image);
    rad_volume_free(mask);
}
END_TEST

/* A mask shifted by one 2.5 mm slice is rejected, and the message gives the
 * offset in mm. */
START_TEST(slice_offset_rejected)
{
    rad_volume *image, *mask;
    rad_params *p = NULL;
    double origin[3];
    char msg[1024];

    make_case(NULL, &image, &mask);
    ck_assert_int_eq(rad_params_create("pyradiomics", &p, NULL), RAD_OK);
    rad_volume_origin(mask, origin);
    origin[2] += 2.5;
    rad_volume *shifted = NULL;
    size_t size[3];
    double spacing[3];
    rad_volume_size(mask, size);
    rad_volume_spacing(mask, spacing);
    ck_assert_int_eq(rad_volume_create(size, spacing, origin, NULL, &shifted, NULL), RAD_OK);

    ck_assert_int_eq(extract_status(p, image, shifted, msg, sizeof msg), RAD_ERR_GEOMETRY);
    ck_assert_msg(strstr(msg, "2.5 mm") != NULL, "message lacks the offset: %s", msg);
    ck_assert_msg(strstr(msg, "origin") != NULL, "message lacks the field: %s", msg);
    rad_volume_free(shifted);
    rad_params_free(p);
    rad_volume_free(image);
    rad_volume_free(mask);
}
END_TEST

/*
 * Mirroring image and mask together along x (direction column 0 negated,
 * same world geometry). First-order features use the multiset of ROI
 * values, which the flip keeps. The values are integers below 2^53, so
 * sums of values and squares are exact in any order and those features
 * are equal bit for bit. Features that sum non-integer terms such as
 * (x - mean)^2 in voxel order (listed in order_dependent) may differ in
 * the last bits: relative tolerance 1e-13.
 * Texture: pyradiomics' 13 directions are the offsets (dx, dy, dz) with
 * one representative of each pair +-d. The flip maps d = (dx, dy, dz) to
 * (-dx, dy, dz), which is again +- one of the 13 (for example (1, 1, 0) to
 * -(1, -1, 0)), so it permutes the 13 directions. With symmetrical GLCMs a
 * direction and its opposite give the same matrix, so the set of
 * per-direction matrices (and GLRLM run lists) is the same and the
 * direction-averaged features equal up to summation order: relative
 * tolerance 1e-12. GLSZM and GLDM use the full 26-neighbourhood, which the
 * flip maps to itself: same tolerance. Shape (marching cubes on the mirrored
 * mask) sums the same triangles in another order: relative 1e-12.
 */
static int order_dependent(const char *name)
{
    static const char *const suffixes[] = {
        "_MeanAbsoluteDeviation", "_RobustMeanAbsoluteDeviation", "_Variance", "_Skewness",
        "_Kurtosis", "_StandardDeviation",
    };

    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        size_t n = strlen(name), m = strlen(suffixes[i]);
        if (n >= m && strcmp(name + n - m, suffixes[i]) == 0)
            return 1;
    }
    return 0;
}

START_TEST(flip_x_invariance)
{
    rad_volume *image, *mask, *fimage, *fmask;
    rad_features *a, *b;

    make_case(NULL, &image, &mask);
    fimage = flip_x(image);
    fmask = flip_x(mask);
    a = extract_ok("pyradiomics", image, mask);
    b = extract_ok("pyradiomics", fimage, fmask);

    ck_assert_uint_eq(rad_features_count(a), rad_features_count(b));
    for (size_t i = 0; i < rad_features_count(a); i++) {
        const char *name = rad_features_name(a, i);
        double x = rad_features_value(a, i), y = rad_features_value(b, i);
        ck_assert_str_eq(name, rad_features_name(b, i));
        if (strstr(name, "_firstorder_") != NULL && !order_dependent(name))
            ck_assert_msg(x == y, "%s: %.17g != %.17g", name, x, y);
        else if (strstr(name, "_firstorder_") != NULL)
            ck_assert_msg(fabs(x - y) <= 1e-13 * fmax(1, fabs(x)), "%s: %.17g != %.17g", name,
                          x, y);
        else
            ck_assert_msg(fabs(x - y) <= 1e-12 * fmax(1, fabs(x)), "%s: %.17g != %.17g", name,
                          x, y);
    }
    rad_features_free(a);
    rad_features_free(b);
    rad_volume_free(fimage);
    rad_volume_free(fmask);
    rad_volume_free(image);
    rad_volume_free(mask);
}
END_TEST

/* An oblique direction (30 degrees about z, then a flipped z axis) with the
 * same voxel arrays: without resampling the features use only the arrays
 * and the spacing, so every feature is equal bit for bit. */
START_TEST(oblique_direction_same_features)
{
    const double c = cos(M_PI / 6), s = sin(M_PI / 6);
    const double oblique[9] = {c, -s, 0, s, c, 0, 0, 0, -1};
    rad_volume *image, *mask, *oimage, *omask;
    rad_features *a, *b;

    make_case(NULL, &image, &mask);
    make_case(oblique, &oimage, &omask);
    a = extract_ok("pyradiomics", image, mask);
    b = extract_ok("pyradiomics", oimage, omask);
    ck_assert_uint_eq(rad_features_count(a), rad_features_count(b));
    for (size_t i = 0; i < rad_features_count(a); i++)
        ck_assert_msg(rad_features_value(a, i) == rad_features_value(b, i), "%s: %.17g != %.17g",
                      rad_features_name(a, i), rad_features_value(a, i),
                      rad_features_value(b, i));
    rad_features_free(a);
    rad_features_free(b);
    rad_volume_free(oimage);
    rad_volume_free(omask);
    rad_volume_free(image);
    rad_volume_free(mask);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Masks and ROIs                                                       */

/* Sets every mask voxel equal to from to the value to. */
static void relabel(rad_volume *mask, double from, double to)
{
    size_t size[3];
    double *m = rad_volume_data_mutable(mask);

    rad_volume_size(mask, size);
    for (size_t i = 0; i < size[0] * size[1] * size[2]; i++)
        if (m[i] == from)
            m[i] = to;
}

/* A mask whose only label is 2 or 255 fails with label 1 (the default) and
 * a message that lists the mask's values and names the label setting; with
 * label set to the mask's value it works. */
START_TEST(mask_other_label)
{
    const double labels[2] = {2, 255};

    for (int t = 0; t < 2; t++) {
        rad_volume *image, *mask;
        rad_params *p = NULL;
        char msg[1024], value[16];

        make_case(NULL, &image, &mask);
        relabel(mask, 1, labels[t]);
        ck_assert_int_eq(rad_params_create("pyradiomics", &p, NULL), RAD_OK);
        ck_assert_int_eq(extract_status(p, image, mask, msg, sizeof msg), RAD_ERR_EMPTY_ROI);
        ck_assert_msg(strstr(msg, "label setting") != NULL, "message lacks the setting: %s",
                      msg);
        snprintf(value, sizeof value, "%g", labels[t]);
        char listed[32];
        snprintf(listed, sizeof listed, "it has values %s ", value);
        ck_assert_msg(strstr(msg, listed) != NULL, "message lacks \"%s\": %s", listed, msg);

        ck_assert_int_eq(rad_params_set(p, "label", value, NULL), RAD_OK);
        ck_assert_int_eq(extract_status(p, image, mask, msg, sizeof msg), RAD_OK);
        rad_params_free(p);
        rad_volume_free(image);
        rad_volume_free(mask);
    }
}
END_TEST

/* A float mask with exact 1.0 values selects voxels as an integer mask
 * does. Values of 0.5 (an interpolated mask) are not label 1, so the ROI
 * is empty. */
START_TEST(float_mask)
{
    rad_volume *image, *mask;
    rad_params *p = NULL;
    char msg[1024];

    make_case(NULL, &image, &mask);
    ck_assert_int_eq(rad_params_create("pyradiomics", &p, NULL), RAD_OK);
    ck_assert_int_eq(extract_status(p, image, mask, msg, sizeof msg), RAD_OK);
    relabel(mask, 1, 0.5);
    ck_assert_int_eq(extract_status(p, image, mask, msg, sizeof msg), RAD_ERR_EMPTY_ROI);
    rad_params_free(p);
    rad_volume_free(image);
    rad_volume_free(mask);
}
END_TEST

/* A mask labelled -1 gives an empty ROI under the default label 1, and
 * label -1 (a valid setting value) selects the voxels. */
START_TEST(negative_label)
{
    rad_volume *image, *mask;
    rad_params *p = NULL;
    char msg[1024];

    make_case(NULL, &image, &mask);
    relabel(mask, 1, -1);
    ck_assert_int_eq(rad_params_create("pyradiomics", &p, NULL), RAD_OK);
    ck_assert_int_eq(extract_status(p, image, mask, msg, sizeof msg), RAD_ERR_EMPTY_ROI);
    ck_assert_int_eq(rad_params_set(p, "label", "-1", NULL), RAD_OK);
    ck_assert_int_eq(extract_status(p, image, mask, msg, sizeof msg), RAD_OK);
    rad_params_free(p);
    rad_volume_free(image);
    rad_volume_free(mask);
}
END_TEST

START_TEST(empty_mask)
{
    rad_volume *image, *mask;
    rad_params *p = NULL;
    char msg[1024];

    make_case(NULL, &image, &mask);
    relabel(mask, 1, 0);
    ck_assert_int_eq(rad_params_create("yu2021", &p, NULL), RAD_OK);
    ck_assert_int_eq(extract_status(p, image, mask, msg, sizeof msg), RAD_ERR_EMPTY_ROI);
    ck_assert_msg(strstr(msg, "label 1") != NULL, "message lacks the label: %s", msg);
    rad_params_free(p);
    rad_volume_free(image);
    rad_volume_free(mask);
}
END_TEST

/* A mask covering the whole image, and one touching the image edge on
 * every side: every yu2021 feature is finite. */
START_TEST(whole_image_mask)
{
    rad_volume *image, *mask;
    rad_features *f;

    make_case(NULL, &image, &mask);
    relabel(mask, 0, 1);
    f = extract_ok("yu2021", image, mask);
    ck_assert_uint_eq(rad_features_count(f), 774);
    assert_all_finite(f);
    rad_features_free(f);
    rad_volume_free(image);
    rad_volume_free(mask);
}
END_TEST

START_TEST(roi_touching_edge)
{
    rad_volume *image, *mask;
    rad_features *f;
    size_t size[3];

    make_case(NULL, &image, &mask);
    rad_volume_size(mask, size);
    double *m = rad_volume_data_mutable(mask);
    for (size_t k = 0; k < size[2]; k++)
        for (size_t j = 0; j < size[1]; j++)
            for (size_t i = 0; i < 6; i++)
                m[i + size[0] * (j + size[1] * k)] = 1;
    f = extract_ok("yu2021", image, mask);
    ck_assert_uint_eq(rad_features_count(f), 774);
    assert_all_finite(f);
    rad_features_free(f);
    rad_volume_free(image);
    rad_volume_free(mask);
}
END_TEST

/* One voxel: pyradiomics' minimumROIDimensions 2 rejects a 0-D ROI; the
 * library returns RAD_ERR_EMPTY_ROI naming the setting. */
START_TEST(one_voxel_roi)
{
    rad_volume *image, *mask;
    rad_params *p = NULL;
    char msg[1024];

    make_case(NULL, &image, &mask);
    relabel(mask, 1, 0);
    rad_volume_data_mutable(mask)[10 + 20 * (9 + 18 * 5)] = 1;
    ck_assert_int_eq(rad_params_create("yu2021", &p, NULL), RAD_OK);
    ck_assert_int_eq(extract_status(p, image, mask, msg, sizeof msg), RAD_ERR_EMPTY_ROI);
    ck_assert_msg(strstr(msg, "minimumROIDimensions") != NULL, "%s", msg);
    rad_params_free(p);
    rad_volume_free(image);
    rad_volume_free(mask);
}
END_TEST

/* One slice (a 2-D ROI) passes minimumROIDimensions 2; every yu2021
 * feature is finite. */
START_TEST(one_slice_roi)
{
    rad_volume *image, *mask;
    rad_features *f;
    double *m;

    make_case(NULL, &image, &mask);
    m = rad_volume_data_mutable(mask);
    for (size_t i = 0; i < 20 * 18 * 10; i++)
        if (i / (20 * 18) != 5)
            m[i] = 0;
    f = extract_ok("yu2021", image, mask);
    assert_all_finite(f);
    rad_features_free(f);
    rad_volume_free(image);
    rad_volume_free(mask);
}
END_TEST

/* A constant ROI (every ROI voxel 40 HU, random values outside): no
 * feature is NaN or infinite. The values for one grey level follow from
 * pyradiomics' formulas: first-order Entropy 0, Uniformity 1, Variance 0;
 * GLCM Contrast 0, JointEnergy 1; GLRLM GrayLevelNonUniformityNormalized 1.
 * Exact comparisons. A wholly constant image cannot be normalised (SD 0),
 * so yu2021 rejects it with RAD_ERR_ARGUMENT. */
START_TEST(constant_roi)
{
    rad_volume *image, *mask;
    rad_features *f;
    double *v;
    static const struct {
        const char *name;
        double value;
    } expected[] = {
        {"original_firstorder_Entropy", 0},
        {"original_firstorder_Uniformity", 1},
        {"original_firstorder_Variance", 0},
        {"original_glcm_Contrast", 0},
        {"original_glcm_JointEnergy", 1},
        {"original_glrlm_GrayLevelNonUniformityNormalized", 1},
    };

    make_case(NULL, &image, &mask);
    v = rad_volume_data_mutable(image);
    for (size_t i = 0; i < 20 * 18 * 10; i++)
        if (rad_volume_data(mask)[i] == 1)
            v[i] = 40;
    f = extract_ok("pyradiomics", image, mask);
    assert_all_finite(f);
    for (size_t t = 0; t < sizeof expected / sizeof expected[0]; t++) {
        size_t at = rad_features_find(f, expected[t].name);
        ck_assert_msg(at != (size_t)-1, "%s missing", expected[t].name);
        ck_assert_msg(rad_features_value(f, at) == expected[t].value, "%s = %.17g",
                      expected[t].name, rad_features_value(f, at));
    }
    rad_features_free(f);

    f = extract_ok("yu2021", image, mask);
    ck_assert_uint_eq(rad_features_count(f), 774);
    assert_all_finite(f);
    rad_features_free(f);

    for (size_t i = 0; i < 20 * 18 * 10; i++)
        v[i] = 40;
    rad_params *p = NULL;
    char msg[1024];
    ck_assert_int_eq(rad_params_create("yu2021", &p, NULL), RAD_OK);
    ck_assert_int_eq(extract_status(p, image, mask, msg, sizeof msg), RAD_ERR_ARGUMENT);
    ck_assert_msg(strstr(msg, "constant") != NULL, "%s", msg);
    rad_params_free(p);
    rad_volume_free(image);
    rad_volume_free(mask);
}
END_TEST

/* NaN or infinity inside the ROI: RAD_ERR_NOT_FINITE, with and without
 * normalisation. */
START_TEST(non_finite_in_roi)
{
    const double bad[3] = {NAN, INFINITY, -INFINITY};
    const char *presets[2] = {"pyradiomics", "yu2021"};

    for (int t = 0; t < 3; t++)
        for (int q = 0; q < 2; q++) {
            rad_volume *image, *mask;
            rad_params *p = NULL;
            char msg[1024];

            make_case(NULL, &image, &mask);
            rad_volume_data_mutable(image)[10 + 20 * (9 + 18 * 5)] = bad[t];
            ck_assert_int_eq(rad_params_create(presets[q], &p, NULL), RAD_OK);
            ck_assert_int_eq(extract_status(p, image, mask, msg, sizeof msg),
                             RAD_ERR_NOT_FINITE);
            rad_params_free(p);
            rad_volume_free(image);
            rad_volume_free(mask);
        }
}
END_TEST

/* A bin width or a range bound that would give more than 10^6 grey levels
 * is rejected before discretisation, because the level count could overflow an int. */
START_TEST(too_many_grey_levels)
{
    static const char *const settings[][2][2] = {
        {{"binWidth", "1e-9"}, {NULL, NULL}},
        {{"ibsiBinEdges", "true"}, {"resegmentRange", "[-1e12, 1e12]"}},
    };

    for (int t = 0; t < 2; t++) {
        rad_volume *image, *mask;
        rad_params *p = NULL;
        char msg[1024];

        make_case(NULL, &image, &mask);
        ck_assert_int_eq(rad_params_create("pyradiomics", &p, NULL), RAD_OK);
        for (int k = 0; k < 2 && settings[t][k][0] != NULL; k++)
            ck_assert_int_eq(rad_params_set(p, settings[t][k][0], settings[t][k][1], NULL),
                             RAD_OK);
        ck_assert_int_eq(extract_status(p, image, mask, msg, sizeof msg), RAD_ERR_PARAMETER);
        ck_assert_msg(strstr(msg, "grey levels") != NULL, "message: %s", msg);
        ck_assert_msg(strstr(msg, "binWidth") != NULL, "message: %s", msg);
        rad_params_free(p);
        rad_volume_free(image);
        rad_volume_free(mask);
    }
}
END_TEST

/* ------------------------------------------------------------------ */
/* Files                                                                */

/* Writes a 4 x 3 x 2 float32 NIfTI-1 file with rad_volume_write and returns
 * its bytes (352-byte header and extension flag, then 96 bytes of data). */
static unsigned char *valid_nifti(const char *dir, size_t *n)
{
    const size_t size[3] = {4, 3, 2};
    const double spacing[3] = {1, 1, 1}, origin[3] = {0, 0, 0};
    rad_volume *v = NULL;
    char path[4096];

    ck_assert_int_eq(rad_volume_create(size, spacing, origin, NULL, &v, NULL), RAD_OK);
    snprintf(path, sizeof path, "%s/valid.nii", dir);
    ck_assert_int_eq(rad_volume_write(v, path, NULL), RAD_OK);
    rad_volume_free(v);
    return read_bytes(path, n);
}

/* Little-endian stores into a header (the writer uses the host's order,
 * little-endian on the machines this runs on). */
static void put_i16(unsigned char *h, size_t at, int16_t x) { memcpy(h + at, &x, 2); }
static void put_i32(unsigned char *h, size_t at, int32_t x) { memcpy(h + at, &x, 4); }
static void put_f32(unsigned char *h, size_t at, float x) { memcpy(h + at, &x, 4); }

/* Writes n bytes as a gzip file. */
static void write_gzip(const char *path, const void *data, size_t n)
{
    gzFile g = gzopen(path, "wb");

    ck_assert_ptr_nonnull(g);
    ck_assert_int_eq(gzwrite(g, data, (unsigned)n), (int)n);
    ck_assert_int_eq(gzclose(g), Z_OK);
}

/* Builds damaged file number t in dir; returns its path in path. */
static void make_damaged(int t, const char *dir, const unsigned char *valid, size_t n,
                         char *path, size_t path_size, const char *name)
{
    unsigned char *b = malloc(n);

    ck_assert_ptr_nonnull(b);
    memcpy(b, valid, n);
    snprintf(path, path_size, "%s/%s", dir, name);
    switch (t) {
    case 0: write_bytes(path, b, 0); break;                          /* zero bytes */
    case 1: write_bytes(path, b, 100); break;                        /* header cut */
    case 2: put_i32(b, 0, 999); write_bytes(path, b, n); break;      /* sizeof_hdr */
    case 3: memcpy(b + 344, "abc", 4); write_bytes(path, b, n); break; /* magic */
    case 4: put_i16(b, 40, 0); write_bytes(path, b, n); break;       /* dim[0] = 0 */
    case 5: put_i16(b, 40, 9); write_bytes(path, b, n); break;       /* dim[0] = 9 */
    case 6: put_i16(b, 42, -5); write_bytes(path, b, n); break;      /* dim[1] < 0 */
    case 7: put_i16(b, 70, 1234); write_bytes(path, b, n); break;    /* datatype */
    case 8: put_i16(b, 70, 32); write_bytes(path, b, n); break;      /* complex64 */
    case 9: put_f32(b, 108, NAN); write_bytes(path, b, n); break;    /* vox_offset */
    case 10: put_f32(b, 108, -400); write_bytes(path, b, n); break;
    case 11: put_f32(b, 108, 1e30f); write_bytes(path, b, n); break;
    case 12: write_bytes(path, b, n - 10); break;                    /* data cut */
    case 13:                                                         /* terabytes */
        put_i16(b, 42, 32000); put_i16(b, 44, 32000); put_i16(b, 46, 32000);
        write_bytes(path, b, n);
        break;
    case 14: {                                                       /* gzip cut */
        char tmp[4096 + 16];
        size_t gn;
        snprintf(tmp, sizeof tmp, "%s.full.gz", path);
        write_gzip(tmp, b, n);
        unsigned char *g = read_bytes(tmp, &gn);
        write_bytes(path, g, gn / 2);
        free(g);
        break;
    }
    case 15: {                                                       /* gzip garbage */
        unsigned char junk[64] = {0x1f, 0x8b, 8, 0};
        for (size_t i = 4; i < sizeof junk; i++)
            junk[i] = (unsigned char)(i * 37);
        write_bytes(path, junk, sizeof junk);
        break;
    }
    case 16: write_gzip(path, b, 200); break;                        /* gz header cut */
    case 17: write_bytes(path, b, n); break;                         /* gzip named .nii */
    case 18: put_i16(b, 40, 4); put_i16(b, 48, 3); write_bytes(path, b, n); break; /* 4-D */
    case 19: put_i16(b, 70, 4); put_i16(b, 72, 99); write_bytes(path, b, n); break; /* bitpix */
    case 20: write_bytes(path, b, n); break;                         /* not .nii */
    case 21: {                                          /* gzip cut inside the voxel data */
        const size_t size[3] = {40, 40, 40};
        const double spacing[3] = {1, 1, 1}, origin[3] = {0, 0, 0};
        rad_volume *v = NULL;
        char tmp[4096 + 16];
        size_t gn;
        uint64_t state = 7;
        ck_assert_int_eq(rad_volume_create(size, spacing, origin, NULL, &v, NULL), RAD_OK);
        for (size_t i = 0; i < 40 * 40 * 40; i++)
            rad_volume_data_mutable(v)[i] = next_int(&state, 1000);
        snprintf(tmp, sizeof tmp, "%s.full.nii.gz", path);
        ck_assert_int_eq(rad_volume_write(v, tmp, NULL), RAD_OK);
        rad_volume_free(v);
        unsigned char *g = read_bytes(tmp, &gn);
        write_bytes(path, g, gn * 6 / 10);
        free(g);
        break;
    }
    default: break;
    }
    if (t == 17) {
        char tmp[4096 + 16];
        size_t gn;
        snprintf(tmp, sizeof tmp, "%s.tmp.gz", path);
        write_gzip(tmp, b, n);
        unsigned char *g = read_bytes(tmp, &gn);
        write_bytes(path, g, gn);
        free(g);
    }
    free(b);
}

/*
 * Damaged files are rejected with the documented status, and nothing is
 * printed: stderr is redirected to a pipe (non-blocking, so a chatty
 * library cannot hang the test) around every read and must stay empty.
 */
START_TEST(damaged_nifti_silent)
{
    static const struct {
        const char *name;
        rad_status expected;
        const char *words; /* text the message must contain */
    } cases[] = {
        {"zero.nii", RAD_ERR_FORMAT, "0 bytes"},
        {"header_cut.nii", RAD_ERR_FORMAT, "100 of 348 bytes"},
        {"sizeof_hdr.nii", RAD_ERR_FORMAT, "sizeof_hdr"},
        {"magic.nii", RAD_ERR_FORMAT, "magic"},
        {"dim0_zero.nii", RAD_ERR_FORMAT, "dim[0]"},
        {"dim0_nine.nii", RAD_ERR_FORMAT, "dim[0]"},
        {"dim1_negative.nii", RAD_ERR_FORMAT, "dim[1]"},
        {"datatype.nii", RAD_ERR_UNSUPPORTED, "datatype 1234"},
        {"complex.nii", RAD_ERR_UNSUPPORTED, "datatype 32"},
        {"vox_offset_nan.nii", RAD_ERR_FORMAT, "vox_offset"},
        {"vox_offset_negative.nii", RAD_ERR_FORMAT, "vox_offset"},
        {"vox_offset_huge.nii", RAD_ERR_FORMAT, "vox_offset"},
        {"data_cut.nii", RAD_ERR_FORMAT, "truncated"},
        {"terabytes.nii", RAD_ERR_TOO_LARGE, "32000 x 32000 x 32000"},
        {"gzip_cut.nii.gz", RAD_ERR_FORMAT, "gzip_cut.nii.gz"},
        {"gzip_garbage.nii.gz", RAD_ERR_FORMAT, "gzip_garbage.nii.gz"},
        {"gzip_header_cut.nii.gz", RAD_ERR_FORMAT, "200 of 348 bytes"},
        {"gzip_named.nii", RAD_ERR_FORMAT, "rename it to .nii.gz"},
        {"four_d.nii", RAD_ERR_UNSUPPORTED, "dim[4] = 3"},
        {"bitpix.nii", RAD_OK, ""},
        {"image.dat", RAD_ERR_FORMAT, ".nii or .nii.gz"},
        {"gzip_data_cut.nii.gz", RAD_ERR_FORMAT, "of 256000 bytes"},
    };
    const char *dir = test_temp_dir();
    size_t n;
    unsigned char *valid = valid_nifti(dir, &n);

    for (int t = 0; t < (int)(sizeof cases / sizeof cases[0]); t++) {
        char path[4096], captured[4096];
        int fds[2], saved;
        ssize_t got;
        rad_volume *v = NULL;
        rad_error *e = rad_error_create();

        make_damaged(t, dir, valid, n, path, sizeof path, cases[t].name);
        ck_assert_int_eq(pipe(fds), 0);
        ck_assert_int_eq(fcntl(fds[1], F_SETFL, O_NONBLOCK), 0);
        ck_assert_int_eq(fcntl(fds[0], F_SETFL, O_NONBLOCK), 0);
        fflush(stderr);
        saved = dup(2);
        ck_assert_int_ge(saved, 0);
        ck_assert_int_ge(dup2(fds[1], 2), 0);

        rad_status s = rad_volume_read(path, &v, e);

        fflush(stderr);
        dup2(saved, 2);
        close(saved);
        close(fds[1]);
        got = read(fds[0], captured, sizeof captured - 1);
        close(fds[0]);
        captured[got > 0 ? got : 0] = '\0';

        ck_assert_msg(got <= 0, "%s: stderr got \"%s\"", cases[t].name, captured);
        /* A wrong bitpix is not checked: libnifti takes the voxel size from
         * datatype, so bitpix.nii reads as int16. */
        ck_assert_msg(s == cases[t].expected, "%s: %s (%s), expected %s", cases[t].name,
                      rad_status_name(s), rad_error_message(e),
                      rad_status_name(cases[t].expected));
        ck_assert_msg(strstr(rad_error_message(e), cases[t].words) != NULL,
                      "%s: message \"%s\" lacks \"%s\"", cases[t].name, rad_error_message(e),
                      cases[t].words);
        if (s != RAD_OK)
            ck_assert_ptr_null(v);
        rad_volume_free(v);
        rad_error_free(e);
    }
    free(valid);
}
END_TEST

START_TEST(missing_file)
{
    rad_volume *v = NULL;
    rad_error *e = rad_error_create();
    char path[4096];

    snprintf(path, sizeof path, "%s/absent.nii.gz", test_temp_dir());
    ck_assert_int_eq(rad_volume_read(path, &v, e), RAD_ERR_IO);
    ck_assert_ptr_nonnull(strstr(rad_error_message(e), path));
    ck_assert_ptr_nonnull(strstr(rad_error_message(e), strerror(ENOENT)));
    rad_error_free(e);
}
END_TEST

/* A path with non-ASCII (UTF-8) characters round-trips through write and
 * read; voxel values compare exactly (float32 integers). */
START_TEST(non_ascii_path)
{
    rad_volume *image, *mask, *back = NULL;
    char path[4096];
    size_t size[3];

    make_case(NULL, &image, &mask);
    snprintf(path, sizeof path, "%s/K\xc3\xb6rper \xe6\x97\xa5\xe6\x9c\xac.nii.gz",
             test_temp_dir());
    ck_assert_int_eq(rad_volume_write(image, path, NULL), RAD_OK);
    ck_assert_int_eq(rad_volume_read(path, &back, NULL), RAD_OK);
    rad_volume_size(back, size);
    for (size_t i = 0; i < size[0] * size[1] * size[2]; i++)
        ck_assert_double_eq(rad_volume_data(back)[i], rad_volume_data(image)[i]);
    rad_volume_free(back);
    rad_volume_free(image);
    rad_volume_free(mask);
}
END_TEST

/* ------------------------------------------------------------------ */
/* CSV                                                                  */

/* Writes text to dir/name and reads it as a dataset; returns the status and
 * the message in msg. */
static calci_status read_csv_text(const char *name, const char *text, calci_dataset **out,
                                  char *msg, size_t msg_size)
{
    char path[4096];
    calci_error *e = calci_error_create();
    calci_status s;

    snprintf(path, sizeof path, "%s/%s", test_temp_dir(), name);
    write_bytes(path, text, strlen(text));
    *out = NULL;
    s = calci_dataset_read_csv(path, out, e);
    snprintf(msg, msg_size, "%s", calci_error_message(e));
    calci_error_free(e);
    return s;
}

START_TEST(csv_bom_and_quotes)
{
    calci_dataset *d;
    char msg[1024];

    ck_assert_int_eq(read_csv_text("bom.csv",
                                   "\xef\xbb\xbf" "case_id,label,\"f, one\",f2\r\n"
                                   "\"a\",1,1.5,2\r\n"
                                   "b,0,\"2.5\",3\r\n",
                                   &d, msg, sizeof msg),
                     CALCI_OK);
    ck_assert_uint_eq(calci_dataset_cases(d), 2);
    ck_assert_uint_eq(calci_dataset_features(d), 2);
    ck_assert_str_eq(calci_dataset_case_id(d, 0), "a");
    ck_assert_str_eq(calci_dataset_feature_name(d, 0), "f, one");
    ck_assert_double_eq(calci_dataset_value(d, 1, 0), 2.5);
    calci_dataset_free(d);
}
END_TEST

/* Decimal commas ("1,5" quoted in a comma-separated file) are not numbers,
 * so the file is rejected with CALCI_ERR_FORMAT naming the file, line,
 * column and value. */
START_TEST(csv_decimal_comma)
{
    calci_dataset *d;
    char msg[1024];

    ck_assert_int_eq(read_csv_text("comma.csv", "case_id,label,f1\na,1,\"1,5\"\nb,0,2\n", &d,
                                   msg, sizeof msg),
                     CALCI_ERR_FORMAT);
    ck_assert_ptr_null(d);
    ck_assert_msg(strstr(msg, "line 2, column 3") != NULL, "message lacks the place: %s", msg);
    ck_assert_msg(strstr(msg, "1,5") != NULL, "message lacks the value: %s", msg);
    ck_assert_msg(strstr(msg, "comma.csv") != NULL, "message lacks the file: %s", msg);
}
END_TEST

START_TEST(csv_duplicate_id)
{
    calci_dataset *d;
    char msg[1024];

    ck_assert_int_ne(read_csv_text("dup.csv", "case_id,label,f1\na,1,1\na,0,2\n", &d, msg,
                                   sizeof msg),
                     CALCI_OK);
    ck_assert_ptr_null(d);
    ck_assert_msg(strstr(msg, "\"a\"") != NULL || strstr(msg, " a ") != NULL ||
                      strstr(msg, "'a'") != NULL,
                  "message lacks the id: %s", msg);
}
END_TEST

/* An empty label field is read as unknown (-1), a label that
 * calci_dataset_add documents as valid. */
START_TEST(csv_empty_label)
{
    calci_dataset *d;
    char msg[1024];
    ck_assert_int_eq(read_csv_text("empty_label.csv", "case_id,label,f1\na,,1\nb,0,2\n", &d, msg,
                                   sizeof msg),
                     CALCI_OK);
    ck_assert_int_eq(calci_dataset_label(d, 0), -1);
    ck_assert_int_eq(calci_dataset_label(d, 1), 0);
    calci_dataset_free(d);
}
END_TEST

static Suite *bad_input_suite(void)
{
    Suite *s = suite_create("bad_input");
    TCase *grid = tcase_create("grid");
    TCase *roi = tcase_create("roi");
    TCase *files = tcase_create("files");
    TCase *csv = tcase_create("csv");

    tcase_set_timeout(grid, 60);
    tcase_set_timeout(roi, 120);
    tcase_add_test(grid, jitter_accepted);
    tcase_add_test(grid, slice_offset_rejected);
    tcase_add_test(grid, flip_x_invariance);
    tcase_add_test(grid, oblique_direction_same_features);
    tcase_add_test(roi, mask_other_label);
    tcase_add_test(roi, float_mask);
    tcase_add_test(roi, negative_label);
    tcase_add_test(roi, empty_mask);
    tcase_add_test(roi, whole_image_mask);
    tcase_add_test(roi, roi_touching_edge);
    tcase_add_test(roi, one_voxel_roi);
    tcase_add_test(roi, one_slice_roi);
    tcase_add_test(roi, constant_roi);
    tcase_add_test(roi, non_finite_in_roi);
    tcase_add_test(roi, too_many_grey_levels);
    tcase_add_test(files, damaged_nifti_silent);
    tcase_add_test(files, missing_file);
    tcase_add_test(files, non_ascii_path);
    tcase_add_test(csv, csv_bom_and_quotes);
    tcase_add_test(csv, csv_decimal_comma);
    tcase_add_test(csv, csv_duplicate_id);
    tcase_add_test(csv, csv_empty_label);
    suite_add_tcase(s, grid);
    suite_add_tcase(s, roi);
    suite_add_tcase(s, files);
    suite_add_tcase(s, csv);
    return s;
}

int main(void)
{
    SRunner *runner = srunner_create(bad_input_suite());
    int failed;

    srunner_set_fork_status(runner, CK_FORK);
    srunner_run_all(runner, CK_NORMAL);
    failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
