/*
 * test_resample.c - normalisation, pyradiomics resampling and cropping.
 *
 * References: pyradiomics' baseline_firstorder.csv (columns <case>_resampling:
 * sitkBSpline to 2 x 2 x 2 mm, padDistance 5, no voxelArrayShift; columns
 * <case>_normalization: normalize with scale 100, no resampling), read at test
 * time; and textbook properties of the interpolators.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "testutil.h"

/* ------------------------------------------------------------------ */
/* Baseline CSV                                                         */

/* Splits one CSV line into at most max fields (quoted fields may contain
 * commas); fields point into line, which is modified. */
static int split_csv(char *line, char **fields, int max)
{
    int n = 0;
    char *p = line;

    while (*p && n < max) {
        int quoted = *p == '"';
        if (quoted)
            p++;
        fields[n++] = p;
        while (*p && (quoted ? *p != '"' : *p != ',' && *p != '\n'))
            p++;
        if (quoted && *p == '"')
            *p++ = '\0';
        if (*p == ',' || *p == '\n')
            *p++ = '\0';
    }
    return n;
}

/* Value of feature row `row` in column `column` of the baseline file. */
static double baseline_value(const char *csv, const char *column, const char *row)
{
    FILE *f = fopen(csv, "r");
    static char line[65536];
    char *fields[64];
    int col = -1;
    double value = NAN;

    ck_assert_ptr_nonnull(f);
    if (fgets(line, sizeof line, f)) {
        int n = split_csv(line, fields, 64);
        for (int i = 0; i < n; i++)
            if (strcmp(fields[i], column) == 0)
                col = i;
    }
    ck_assert_int_ge(col, 0);
    while (fgets(line, sizeof line, f)) {
        int n = split_csv(line, fields, 64);
        if (n > col && strcmp(fields[0], row) == 0)
            value = strtod(fields[col], NULL);
    }
    fclose(f);
    ck_assert_msg(!isnan(value), "no %s / %s in %s", column, row, csv);
    return value;
}

/* First-order statistics of the ROI voxels as pyradiomics defines them. */
typedef struct roi_stats {
    size_t n;
    double mean, min, max, variance, energy;
} roi_stats;

static roi_stats roi_statistics(const rad_volume *image, const rad_volume *mask)
{
    roi_stats s = {0, 0, INFINITY, -INFINITY, 0, 0};
    double sum = 0, ss = 0;

    for (size_t i = 0; i < ri_voxel_count(image); i++) {
        if (mask->data[i] != 1)
            continue;
        s.n++;
        sum += image->data[i];
        s.energy += image->data[i] * image->data[i];
        s.min = fmin(s.min, image->data[i]);
        s.max = fmax(s.max, image->data[i]);
    }
    s.mean = sum / (double)s.n;
    for (size_t i = 0; i < ri_voxel_count(image); i++)
        if (mask->data[i] == 1)
            ss += (image->data[i] - s.mean) * (image->data[i] - s.mean);
    s.variance = ss / (double)s.n; /* pyradiomics' Variance is the population variance */
    return s;
}

static int load_case(const char *name, rad_volume **image, rad_volume **mask, char *csv,
                     size_t csv_size)
{
    char rel[128], path[512];

    if (!test_refdata_path(csv, csv_size, "pyradiomics/data/baseline/baseline_firstorder.csv",
                           "pyradiomics baseline"))
        return 0;
    snprintf(rel, sizeof rel, "pyradiomics/data/%s_image.nrrd", name);
    if (!test_refdata_path(path, sizeof path, rel, name))
        return 0;
    ck_assert_int_eq(rad_volume_read(path, image, NULL), RAD_OK);
    snprintf(rel, sizeof rel, "pyradiomics/data/%s_label.nrrd", name);
    if (!test_refdata_path(path, sizeof path, rel, name)) {
        rad_volume_free(*image);
        return 0;
    }
    ck_assert_int_eq(rad_volume_read(path, mask, NULL), RAD_OK);
    return 1;
}

static const char *const cases[] = {"brain1", "brain2", "breast1"};

/*
 * Resampling: ROI statistics after sitkBSpline resampling to 2 mm with
 * padDistance 5. The voxel count follows from the baseline as
 * n = Energy / RootMeanSquared^2 (voxelArrayShift 0), and TotalEnergy =
 * Energy * 8 mm^3 confirms the 2 x 2 x 2 mm grid. Values stay integers
 * because SimpleITK casts the interpolant back to int16, so min, max and
 * energy must match exactly and the mean to 1e-12 relative.
 */
START_TEST(resample_matches_pyradiomics)
{
    const char *name = cases[_i];
    char csv[512], column[64];
    rad_volume *image = NULL, *mask = NULL, *ri = NULL, *rm = NULL;
    rad_error *e = rad_error_create();
    double spacing[3] = {2, 2, 2};
    roi_stats s;

    if (!load_case(name, &image, &mask, csv, sizeof csv)) {
        rad_error_free(e);
        return;
    }
    snprintf(column, sizeof column, "%s_resampling", name);
    ck_assert_msg(ri_resample_pyradiomics(image, mask, 1, spacing, RI_INTERP_BSPLINE, 5, &ri,
                                          &rm, e) == RAD_OK, "%s", rad_error_message(e));
    s = roi_statistics(ri, rm);

    double energy = baseline_value(csv, column, "original_firstorder_Energy");
    double rms = baseline_value(csv, column, "original_firstorder_RootMeanSquared");
    double total = baseline_value(csv, column, "original_firstorder_TotalEnergy");
    double mean = baseline_value(csv, column, "original_firstorder_Mean");

    ck_assert_double_eq_tol(total / energy, ri->spacing[0] * ri->spacing[1] * ri->spacing[2],
                            1e-9);
    ck_assert_uint_eq(s.n, (size_t)llround(energy / (rms * rms)));
    ck_assert_double_eq_tol(s.mean, mean, fabs(mean) * 1e-12);
    ck_assert_double_eq(s.min, baseline_value(csv, column, "original_firstorder_Minimum"));
    ck_assert_double_eq(s.max, baseline_value(csv, column, "original_firstorder_Maximum"));
    ck_assert_double_eq(s.energy, energy);
    ck_assert_double_eq_tol(s.variance, baseline_value(csv, column, "original_firstorder_Variance"),
                            s.variance * 1e-12);
    ck_assert_int_eq(ri->integer_valued, 1);

    rad_volume_free(image);
    rad_volume_free(mask);
    rad_volume_free(ri);
    rad_volume_free(rm);
    rad_error_free(e);
}
END_TEST

/*
 * Normalisation: z-score of the whole image with the sample SD, times 100,
 * then ROI statistics on the unresampled grid. Tolerance 1e-9 relative
 * (summation order differs from ITK's).
 */
START_TEST(normalize_matches_pyradiomics)
{
    const char *name = cases[_i];
    char csv[512], column[64];
    rad_volume *image = NULL, *mask = NULL, *ci = NULL, *cm = NULL;
    roi_stats s;

    if (!load_case(name, &image, &mask, csv, sizeof csv))
        return;
    snprintf(column, sizeof column, "%s_normalization", name);
    ck_assert_int_eq(ri_normalize(image, 100, 0, NULL), RAD_OK);
    ck_assert_int_eq(image->integer_valued, 0);
    ck_assert_int_eq(ri_crop_to_mask(image, mask, 1, 0, &ci, &cm, NULL), RAD_OK);
    s = roi_statistics(ci, cm);

    double mean = baseline_value(csv, column, "original_firstorder_Mean");
    double min = baseline_value(csv, column, "original_firstorder_Minimum");
    double max = baseline_value(csv, column, "original_firstorder_Maximum");
    double var = baseline_value(csv, column, "original_firstorder_Variance");
    ck_assert_double_eq_tol(s.mean, mean, fabs(mean) * 1e-9);
    ck_assert_double_eq_tol(s.min, min, fabs(min) * 1e-9);
    ck_assert_double_eq_tol(s.max, max, fabs(max) * 1e-9);
    ck_assert_double_eq_tol(s.variance, var, var * 1e-9);

    rad_volume_free(image);
    rad_volume_free(mask);
    rad_volume_free(ci);
    rad_volume_free(cm);
}
END_TEST

/* Hand computation: values 1, 2, 3, 4 have mean 2.5 and sample SD
 * sqrt(5/3) = 1.2909944. The z-scores -1.1618950, -0.3872983, 0.3872983
 * and 1.1618950 are clipped to [-1, 1], then multiplied by 10. */
START_TEST(normalize_hand_example)
{
    size_t size[3] = {4, 1, 1};
    double spacing[3] = {1, 1, 1}, origin[3] = {0, 0, 0};
    rad_volume *v = NULL;

    ck_assert_int_eq(rad_volume_create(size, spacing, origin, NULL, &v, NULL), RAD_OK);
    for (int i = 0; i < 4; i++)
        v->data[i] = i + 1;
    ck_assert_int_eq(ri_normalize(v, 10, 1, NULL), RAD_OK);
    ck_assert_double_eq_tol(v->data[0], -10, 1e-12);
    ck_assert_double_eq_tol(v->data[1], -3.8729833462074170, 1e-12);
    ck_assert_double_eq_tol(v->data[2], 3.8729833462074170, 1e-12);
    ck_assert_double_eq_tol(v->data[3], 10, 1e-12);
    rad_volume_free(v);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Interpolator properties                                              */

static rad_volume *make_cube(size_t n, double (*f)(double, double, double))
{
    size_t size[3] = {n, n, n};
    double spacing[3] = {1, 1, 1}, origin[3] = {0, 0, 0};
    rad_volume *v = NULL;

    ck_assert_int_eq(rad_volume_create(size, spacing, origin, NULL, &v, NULL), RAD_OK);
    for (size_t k = 0; k < n; k++)
        for (size_t j = 0; j < n; j++)
            for (size_t i = 0; i < n; i++)
                v->data[ri_index(v, i, j, k)] = f((double)i, (double)j, (double)k);
    return v;
}

static double cubic(double x, double y, double z)
{
    return 0.01 * x * x * x - 0.3 * x * y + 0.02 * y * y * y - 0.5 * z * z + 0.004 * x * y * z +
           0.03 * z * z * z + 7;
}

static double noise(double x, double y, double z)
{
    /* deterministic pseudo-random values in [0, 100) */
    unsigned h = (unsigned)(x * 73856093.0) ^ (unsigned)(y * 19349663.0) ^
                 (unsigned)(z * 83492791.0);
    h = h * 2654435761u;
    return (double)(h % 100000u) / 1000.0;
}

static double zero_fn(double x, double y, double z)
{
    (void)x, (void)y, (void)z;
    return 0;
}

static rad_volume *box_mask(size_t n, size_t lo, size_t hi)
{
    rad_volume *m = make_cube(n, zero_fn);

    for (size_t k = lo; k <= hi; k++)
        for (size_t j = lo; j <= hi; j++)
            for (size_t i = lo; i <= hi; i++)
                m->data[ri_index(m, i, j, k)] = 1;
    return m;
}

/*
 * A cubic B-spline interpolant reproduces polynomials of degree <= 3
 * exactly (a textbook property of order-3 splines). The
 * mirror boundary breaks this near the edges, and the error decays as
 * |z|^d = 0.268^d with the distance d from the edge, so only points at
 * least 12 voxels from every edge of a 40^3 image are checked, to 1e-6.
 */
START_TEST(bspline_reproduces_cubic)
{
    rad_volume *image = make_cube(40, cubic), *mask = box_mask(40, 16, 23);
    rad_volume *ri = NULL, *rm = NULL;
    double spacing[3] = {0.7, 0.9, 1.3};
    size_t checked = 0;

    ck_assert_int_eq(ri_resample_pyradiomics(image, mask, 1, spacing, RI_INTERP_BSPLINE, 2, &ri,
                                             &rm, NULL), RAD_OK);
    for (size_t k = 0; k < ri->size[2]; k++)
        for (size_t j = 0; j < ri->size[1]; j++)
            for (size_t i = 0; i < ri->size[0]; i++) {
                double ijk[3] = {(double)i, (double)j, (double)k}, w[3], x[3];
                rad_volume_index_to_world(ri, ijk, w);
                rad_volume_world_to_index(image, w, x);
                if (fmin(fmin(x[0], x[1]), x[2]) < 12 || fmax(fmax(x[0], x[1]), x[2]) > 27)
                    continue;
                ck_assert_double_eq_tol(ri->data[ri_index(ri, i, j, k)],
                                        cubic(x[0], x[1], x[2]), 1e-6);
                checked++;
            }
    ck_assert_uint_gt(checked, 1000);
    rad_volume_free(image);
    rad_volume_free(mask);
    rad_volume_free(ri);
    rad_volume_free(rm);
}
END_TEST

/*
 * Interpolation returns the samples at grid points. With input spacing 1 and
 * output spacing 3, output voxel n lies at input index 1 + 3 (lower + n)
 * (origin index 0.5 (3 - 1) / 1 = 1), a grid point. Checked everywhere,
 * edges included (index 31 is outside and gets 0), to 1e-8 for values in [0, 100) (the prefilter truncates its
 * causal sum at 1e-10).
 */
START_TEST(interpolators_return_samples)
{
    static const ri_interpolator kinds[] = {RI_INTERP_BSPLINE, RI_INTERP_LINEAR,
                                            RI_INTERP_NEAREST};
    rad_volume *image = make_cube(31, noise), *mask = box_mask(31, 0, 30);
    double spacing[3] = {3, 3, 3};

    for (size_t t = 0; t < 3; t++) {
        rad_volume *ri = NULL, *rm = NULL;
        ck_assert_int_eq(ri_resample_pyradiomics(image, mask, 1, spacing, kinds[t], 0, &ri, &rm,
                                                 NULL), RAD_OK);
        ck_assert_uint_eq(ri->size[0], 11); /* ceil(31 / 3) */
        for (size_t k = 0; k < ri->size[2]; k++)
            for (size_t j = 0; j < ri->size[1]; j++)
                for (size_t i = 0; i < ri->size[0]; i++) {
                    /* the last point, index 31, lies past the image's edge at 30.5 */
                    int outside = i == 10 || j == 10 || k == 10;
                    double expected = outside ? 0 : noise(1 + 3.0 * i, 1 + 3.0 * j, 1 + 3.0 * k);
                    ck_assert_double_eq_tol(ri->data[ri_index(ri, i, j, k)], expected, 1e-8);
                }
        rad_volume_free(ri);
        rad_volume_free(rm);
    }
    rad_volume_free(image);
    rad_volume_free(mask);
}
END_TEST

static double linear_fn(double x, double y, double z)
{
    return 2 * x - 3 * y + 0.5 * z + 1;
}

/* Trilinear interpolation reproduces a linear function inside the grid. */
START_TEST(linear_reproduces_linear)
{
    rad_volume *image = make_cube(12, linear_fn), *mask = box_mask(12, 3, 8);
    rad_volume *ri = NULL, *rm = NULL;
    double spacing[3] = {0.6, 0.6, 0.6};

    ck_assert_int_eq(ri_resample_pyradiomics(image, mask, 1, spacing, RI_INTERP_LINEAR, 1, &ri,
                                             &rm, NULL), RAD_OK);
    for (size_t k = 0; k < ri->size[2]; k++)
        for (size_t j = 0; j < ri->size[1]; j++)
            for (size_t i = 0; i < ri->size[0]; i++) {
                double ijk[3] = {(double)i, (double)j, (double)k}, w[3], x[3];
                rad_volume_index_to_world(ri, ijk, w);
                rad_volume_world_to_index(image, w, x);
                ck_assert_double_eq_tol(ri->data[ri_index(ri, i, j, k)],
                                        linear_fn(x[0], x[1], x[2]), 1e-9);
            }
    rad_volume_free(image);
    rad_volume_free(mask);
    rad_volume_free(ri);
    rad_volume_free(rm);
}
END_TEST

/* An integer image stays integer: each value is the truncation toward zero
 * of the interpolant of the same data read as real values. */
START_TEST(integer_image_truncated)
{
    rad_volume *image = make_cube(16, noise), *mask = box_mask(16, 4, 11);
    rad_volume *ri = NULL, *rm = NULL, *fi = NULL, *fm = NULL;
    double spacing[3] = {0.8, 0.8, 0.8};

    for (size_t i = 0; i < ri_voxel_count(image); i++)
        image->data[i] = floor(image->data[i]) - 50; /* negative values too */
    ck_assert_int_eq(ri_resample_pyradiomics(image, mask, 1, spacing, RI_INTERP_BSPLINE, 2, &fi,
                                             &fm, NULL), RAD_OK);
    image->integer_valued = 1;
    ck_assert_int_eq(ri_resample_pyradiomics(image, mask, 1, spacing, RI_INTERP_BSPLINE, 2, &ri,
                                             &rm, NULL), RAD_OK);
    for (size_t i = 0; i < ri_voxel_count(ri); i++)
        ck_assert_double_eq(ri->data[i], trunc(fi->data[i]));
    rad_volume_free(image);
    rad_volume_free(mask);
    rad_volume_free(ri);
    rad_volume_free(rm);
    rad_volume_free(fi);
    rad_volume_free(fm);
}
END_TEST

/* Nearest-neighbour value of image at the world position of voxel ijk of
 * out, as SimpleITK defines it: 0 outside [-0.5, size - 0.5) on any axis,
 * else the sample at floor(x + 0.5). */
static double nearest_by_lookup(const rad_volume *image, const rad_volume *out,
                                const double ijk[3])
{
    double world[3], x[3];
    size_t index[3];

    rad_volume_index_to_world(out, ijk, world);
    rad_volume_world_to_index(image, world, x);
    for (int a = 0; a < 3; a++) {
        if (!(x[a] >= -0.5 && x[a] < (double)image->size[a] - 0.5))
            return 0;
        index[a] = (size_t)floor(x[a] + 0.5);
    }
    return image->data[ri_index(image, index[0], index[1], index[2])];
}

/* Nearest-neighbour resampling of image and mask equals a voxel-by-voxel
 * lookup through world coordinates. The spacings keep every continuous
 * index at least 0.05 from a rounding tie, and the pad reaches past the
 * image's upper edge, where the output is 0. */
START_TEST(nearest_matches_voxel_lookup)
{
    rad_volume *image = make_cube(20, noise), *mask = box_mask(20, 12, 19);
    rad_volume *ri = NULL, *rm = NULL;
    double spacing[3] = {0.7, 1.3, 0.45};
    size_t outside = 0;

    ck_assert_int_eq(ri_resample_pyradiomics(image, mask, 1, spacing, RI_INTERP_NEAREST, 3, &ri,
                                             &rm, NULL), RAD_OK);
    for (size_t k = 0; k < ri->size[2]; k++)
        for (size_t j = 0; j < ri->size[1]; j++)
            for (size_t i = 0; i < ri->size[0]; i++) {
                double ijk[3] = {(double)i, (double)j, (double)k};
                double expected = nearest_by_lookup(image, ri, ijk);
                double expected_mask = nearest_by_lookup(mask, rm, ijk);

                ck_assert_double_eq(ri->data[ri_index(ri, i, j, k)], expected);
                ck_assert_double_eq(rm->data[ri_index(rm, i, j, k)], expected_mask);
                outside += expected == 0;
            }
    ck_assert_uint_gt(outside, 0);
    rad_volume_free(image);
    rad_volume_free(mask);
    rad_volume_free(ri);
    rad_volume_free(rm);
}
END_TEST

/* Output voxels outside the input image get SimpleITK's default value 0:
 * the image covers only x >= 5 mm of the mask's 0..9 mm grid. */
START_TEST(outside_points_are_zero)
{
    size_t isize[3] = {5, 10, 10};
    double spacing[3] = {1, 1, 1}, iorigin[3] = {5, 0, 0}, out_spacing[3] = {0.5, 0.5, 0.5};
    rad_volume *image = NULL, *mask = box_mask(10, 0, 9), *ri = NULL, *rm = NULL;

    ck_assert_int_eq(rad_volume_create(isize, spacing, iorigin, NULL, &image, NULL), RAD_OK);
    for (size_t i = 0; i < ri_voxel_count(image); i++)
        image->data[i] = 42;
    ck_assert_int_eq(ri_resample_pyradiomics(image, mask, 1, out_spacing, RI_INTERP_LINEAR, 0,
                                             &ri, &rm, NULL), RAD_OK);
    for (size_t i = 0; i < ri->size[0]; i++) {
        double ijk[3] = {(double)i, 3, 3}, w[3];
        rad_volume_index_to_world(ri, ijk, w);
        /* inside the image when its continuous index x - 5 >= -0.5 */
        double expected = w[0] >= 4.5 ? 42 : 0;
        ck_assert_double_eq(ri->data[ri_index(ri, i, 3, 3)], expected);
    }
    rad_volume_free(image);
    rad_volume_free(mask);
    rad_volume_free(ri);
    rad_volume_free(rm);
}
END_TEST

/* Grid of resampleImage by hand: mask spacing 1, label box 4..6 on a 10^3
 * grid, spacing 2, pad 1: q = 0.5, lower = floor(3.5 * 0.5 - 1) = 0,
 * upper = min(ceil(10 * 0.5) - 1, ceil(6.5 * 0.5 + 1)) = min(4, 5) = 4, so
 * size 5; origin index 0.5 * (2 - 1) / 1 + 0 = 0.5. */
START_TEST(resample_grid_by_hand)
{
    rad_volume *image = make_cube(10, linear_fn), *mask = box_mask(10, 4, 6);
    rad_volume *ri = NULL, *rm = NULL;
    double spacing[3] = {2, 2, 2};

    ck_assert_int_eq(ri_resample_pyradiomics(image, mask, 1, spacing, RI_INTERP_NEAREST, 1, &ri,
                                             &rm, NULL), RAD_OK);
    for (int a = 0; a < 3; a++) {
        ck_assert_uint_eq(ri->size[a], 5);
        ck_assert_double_eq_tol(ri->origin[a], 0.5, 1e-12);
        ck_assert_double_eq(ri->spacing[a], 2);
    }
    rad_volume_free(image);
    rad_volume_free(mask);
    rad_volume_free(ri);
    rad_volume_free(rm);
}
END_TEST

/* cropToTumorMask: box 4..6 grown by pad 5 is clamped to 0..9 (size 10);
 * with pad 1 it is 3..7 (size 5, origin at index 3). Same spacing requested
 * as the image has: resampleImage only crops. */
START_TEST(crop_by_hand)
{
    rad_volume *image = make_cube(10, linear_fn), *mask = box_mask(10, 4, 6);
    rad_volume *ci = NULL, *cm = NULL;
    double same[3] = {1, 1, 1};

    ck_assert_int_eq(ri_crop_to_mask(image, mask, 1, 5, &ci, &cm, NULL), RAD_OK);
    ck_assert_uint_eq(ci->size[0], 10);
    rad_volume_free(ci);
    rad_volume_free(cm);

    ck_assert_int_eq(ri_resample_pyradiomics(image, mask, 1, same, RI_INTERP_BSPLINE, 1, &ci,
                                             &cm, NULL), RAD_OK);
    ck_assert_uint_eq(ci->size[1], 5);
    ck_assert_double_eq(ci->origin[2], 3);
    ck_assert_double_eq(ci->data[0], linear_fn(3, 3, 3));
    ck_assert_double_eq(cm->data[ri_index(cm, 1, 1, 1)], 1);
    ck_assert_double_eq(cm->data[0], 0);
    rad_volume_free(ci);
    rad_volume_free(cm);
    rad_volume_free(image);
    rad_volume_free(mask);
}
END_TEST

/* The crop box equals the bounding box of the label voxels found by a full
 * scan, for random scattered labels among voxels of another label. */
START_TEST(crop_box_matches_full_scan)
{
    rad_volume *image = make_cube(11, linear_fn), *mask = make_cube(11, zero_fn);
    unsigned state = 99;

    for (int round = 0; round < 50; round++) {
        size_t lo[3] = {11, 11, 11}, hi[3] = {0, 0, 0};
        rad_volume *ci = NULL, *cm = NULL;
        int n_labels = 1 + round % 4;

        for (size_t v = 0; v < ri_voxel_count(mask); v++) {
            state = state * 1103515245u + 12345u;
            mask->data[v] = (state >> 16) % 3 == 0 ? 1 : 0; /* label 1 is not cropped */
        }
        for (int l = 0; l < n_labels; l++) {
            state = state * 1103515245u + 12345u;
            mask->data[(state >> 8) % ri_voxel_count(mask)] = 2;
        }
        for (size_t k = 0; k < 11; k++)
            for (size_t j = 0; j < 11; j++)
                for (size_t i = 0; i < 11; i++) {
                    size_t ijk[3] = {i, j, k};
                    if (mask->data[ri_index(mask, i, j, k)] != 2)
                        continue;
                    for (int a = 0; a < 3; a++) {
                        lo[a] = ijk[a] < lo[a] ? ijk[a] : lo[a];
                        hi[a] = ijk[a] > hi[a] ? ijk[a] : hi[a];
                    }
                }
        ck_assert_int_eq(ri_crop_to_mask(image, mask, 2, 0, &ci, &cm, NULL), RAD_OK);
        for (int a = 0; a < 3; a++) {
            ck_assert_uint_eq(ci->size[a], hi[a] - lo[a] + 1);
            ck_assert_double_eq(ci->origin[a], (double)lo[a]);
        }
        rad_volume_free(ci);
        rad_volume_free(cm);
    }
    rad_volume_free(image);
    rad_volume_free(mask);
}
END_TEST

START_TEST(empty_label_rejected)
{
    rad_volume *image = make_cube(6, linear_fn), *mask = box_mask(6, 1, 2);
    rad_volume *ri = NULL, *rm = NULL;
    double spacing[3] = {2, 2, 2};

    ck_assert_int_eq(ri_resample_pyradiomics(image, mask, 7, spacing, RI_INTERP_BSPLINE, 1, &ri,
                                             &rm, NULL), RAD_ERR_EMPTY_ROI);
    rad_volume_free(image);
    rad_volume_free(mask);
}
END_TEST

static Suite *resample_suite(void)
{
    Suite *s = suite_create("resample");
    TCase *tc = tcase_create("core");

    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, resample_matches_pyradiomics, 0, 3);
    tcase_add_loop_test(tc, normalize_matches_pyradiomics, 0, 3);
    tcase_add_test(tc, normalize_hand_example);
    tcase_add_test(tc, bspline_reproduces_cubic);
    tcase_add_test(tc, interpolators_return_samples);
    tcase_add_test(tc, linear_reproduces_linear);
    tcase_add_test(tc, integer_image_truncated);
    tcase_add_test(tc, outside_points_are_zero);
    tcase_add_test(tc, nearest_matches_voxel_lookup);
    tcase_add_test(tc, crop_box_matches_full_scan);
    tcase_add_test(tc, resample_grid_by_hand);
    tcase_add_test(tc, crop_by_hand);
    tcase_add_test(tc, empty_label_rejected);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *runner = srunner_create(resample_suite());
    int failed;

    srunner_set_fork_status(runner, CK_FORK);
    srunner_run_all(runner, CK_NORMAL);
    failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
