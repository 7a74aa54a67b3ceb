/*
 * resample.c - pyradiomics' resampleImage and cropToTumorMask with
 * SimpleITK's interpolators (nearest neighbour, linear, cubic B-spline).
 *
 * Output grid of resampleImage (pyradiomics 2.x and later), per axis a, with
 * the label's bounding box lower index L and size S in the mask's voxels,
 * mask spacing m, requested spacing r (0 = keep m; also kept when S = 1) and
 * ratio q = m / r:
 *     lower = max(0, floor((L - 0.5) q - pad))
 *     upper = min(ceil(size_mask q) - 1, ceil((L + S - 0.5) q + pad))
 *     size  = upper - lower + 1
 *     origin = mask index -> world of (0.5 (r - m) / m + lower / q),
 * so that the corner of the new first voxel lies on the corner of the mask's
 * voxel grid. The direction is the mask's. When every requested spacing
 * equals the image's spacing (numpy.allclose), no interpolation happens and
 * the result is cropToTumorMask with pad.
 *
 * SimpleITK's ResampleImageFilter gives 0 to output voxels whose continuous
 * index in the input lies outside [-0.5, size - 0.5), and casts each
 * interpolated value to the input's pixel type. For integer types this code
 * truncates toward zero when the input volume is integer_valued; the ROI
 * statistics of pyradiomics' resampling baselines (brain1, brain2, breast1)
 * match exactly with truncation, which rounding would not.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* ------------------------------------------------------------------ */
/* Cubic B-spline coefficients (ITK's BSplineDecompositionImageFilter)  */

/* Pole of the cubic B-spline prefilter, sqrt(3) - 2. */
#define BSPLINE_POLE (-0.26794919243112270)
/* ITK's tolerance for truncating the causal initialisation sum. */
#define BSPLINE_TOLERANCE 1e-10

/*
 * Returns the causal initial value of the prefilter on samples c[0..n-1]
 * (stride apart, n >= 2, already multiplied by the gain). It is sum_k z^k c[k]
 * over the mirrored signal, truncated where z^k falls below BSPLINE_TOLERANCE.
 */
static double bspline_causal_initial(const double *c, size_t n, size_t stride)
{
    const double z = BSPLINE_POLE;
    long horizon = (long)ceil(log(BSPLINE_TOLERANCE) / log(fabs(z)));
    double sum, zn;

    if (horizon < (long)n) {
        zn = z;
        sum = c[0];
        for (long k = 1; k < horizon; k++) {
            sum += zn * c[(size_t)k * stride];
            zn *= z;
        }
    } else {
        double iz = 1 / z, z2n = pow(z, (double)(n - 1));
        zn = z;
        sum = c[0] + z2n * c[(n - 1) * stride];
        z2n *= z2n * iz;
        for (size_t k = 1; k + 1 < n; k++) {
            sum += (zn + z2n) * c[k * stride];
            zn *= z;
            z2n *= iz;
        }
        sum /= 1 - zn * zn;
    }
    return sum;
}

/*
 * Turns samples c[0..n-1] (stride apart) into cubic B-spline coefficients
 * in place, with mirror-symmetric extension (c[-k] = c[k]). It is the same
 * recursion as ITK's DataToCoefficients1D.
 */
static void bspline_prefilter_line(double *c, size_t n, size_t stride)
{
    const double z = BSPLINE_POLE;
    const double gain = (1 - z) * (1 - 1 / z);

    if (n < 2)
        return;
    for (size_t i = 0; i < n; i++)
        c[i * stride] *= gain;
    c[0] = bspline_causal_initial(c, n, stride);

    for (size_t k = 1; k < n; k++)
        c[k * stride] += z * c[(k - 1) * stride];

    /* Anti-causal initial value and recursion. */
    c[(n - 1) * stride] =
        (z / (z * z - 1)) * (z * c[(n - 2) * stride] + c[(n - 1) * stride]);
    for (size_t k = n - 1; k-- > 0;)
        c[k * stride] = z * (c[(k + 1) * stride] - c[k * stride]);
}

/*
 * Runs bspline_prefilter_line on the count adjacent lines c + t (t < count <=
 * stride), with element k of line t at c[k * stride + t]. Each line gets the
 * same operations in the same order, so the results are equal bit for
 * bit, but the loops run along memory instead of across it.
 */
static void bspline_prefilter_lines(double *c, size_t n, size_t stride, size_t count)
{
    const double z = BSPLINE_POLE;
    const double gain = (1 - z) * (1 - 1 / z);
    const double anti_causal = z / (z * z - 1);

    if (n < 2)
        return;
    for (size_t k = 0; k < n; k++)
        for (size_t t = 0; t < count; t++)
            c[k * stride + t] *= gain;
    for (size_t t = 0; t < count; t++)
        c[t] = bspline_causal_initial(c + t, n, stride);

    for (size_t k = 1; k < n; k++) {
        double *row = c + k * stride;
        const double *previous = row - stride;
        for (size_t t = 0; t < count; t++)
            row[t] += z * previous[t];
    }

    {
        double *last = c + (n - 1) * stride;
        const double *before = last - stride;
        for (size_t t = 0; t < count; t++)
            last[t] = anti_causal * (z * before[t] + last[t]);
    }
    for (size_t k = n - 1; k-- > 0;) {
        double *row = c + k * stride;
        const double *next = row + stride;
        for (size_t t = 0; t < count; t++)
            row[t] = z * (next[t] - row[t]);
    }
}

/* Prefilters the whole volume along x, then y, then z. The y and z passes
 * run on all the lines of a plane (y) or of the volume (z) at once. */
static void bspline_coefficients(double *c, const size_t size[3])
{
    size_t nx = size[0], ny = size[1], nz = size[2];

    for (size_t k = 0; k < nz; k++)
        for (size_t j = 0; j < ny; j++)
            bspline_prefilter_line(c + nx * (j + ny * k), nx, 1);
    for (size_t k = 0; k < nz; k++)
        bspline_prefilter_lines(c + nx * ny * k, ny, nx, nx);
    bspline_prefilter_lines(c, nz, nx * ny, nx * ny);
}

/* Mirror index as ITK's BSplineInterpolateImageFunction maps it:
 * period 2n - 2, reflected about n - 1. */
static long mirror_index(long i, long n)
{
    long period = 2 * n - 2;

    if (n == 1)
        return 0;
    if (i < 0)
        i = -i - period * ((-i) / period);
    else
        i = i - period * (i / period);
    if (i >= n)
        i = period - i;
    return i;
}

/*
 * Cubic B-spline weights for the 4 coefficients at floor(x) - 1 .. + 2,
 * with t = x - floor(x): w0 = (1 - t)^3 / 6, w1 = 2/3 - t^2 + t^3 / 2,
 * w2 = 1 - w0 - w1 - w3, w3 = t^3 / 6 (ITK's expressions).
 */
static void bspline_weights(double x, long first[1], double w[4])
{
    long base = (long)floor(x);
    double t = x - (double)base;

    *first = base - 1;
    w[3] = t * t * t / 6.0;
    w[0] = 1.0 / 6.0 + 0.5 * t * (t - 1.0) - w[3];
    w[2] = t + w[0] - 2.0 * w[3];
    w[1] = 1.0 - w[0] - w[2] - w[3];
}

static double bspline_eval(const double *coef, const size_t size[3], const double x[3])
{
    long first[3], idx[3][4];
    double w[3][4], value = 0;

    for (int a = 0; a < 3; a++) {
        bspline_weights(x[a], &first[a], w[a]);
        for (int k = 0; k < 4; k++)
            idx[a][k] = mirror_index(first[a] + k, (long)size[a]);
    }
    for (int kz = 0; kz < 4; kz++) {
        size_t offz = (size_t)idx[2][kz] * size[0] * size[1];
        double sy = 0;
        for (int ky = 0; ky < 4; ky++) {
            const double *row = coef + offz + (size_t)idx[1][ky] * size[0];
            double sx = w[0][0] * row[idx[0][0]] + w[0][1] * row[idx[0][1]] +
                        w[0][2] * row[idx[0][2]] + w[0][3] * row[idx[0][3]];
            sy += w[1][ky] * sx;
        }
        value += w[2][kz] * sy;
    }
    return value;
}

/* ------------------------------------------------------------------ */
/* Linear and nearest-neighbour interpolation                           */

/* Trilinear interpolation with neighbours clamped to the image (ITK's
 * LinearInterpolateImageFunction near the border). */
static double linear_eval(const rad_volume *v, const double x[3])
{
    long i0[3], i1[3];
    double t[3], value = 0;

    for (int a = 0; a < 3; a++) {
        double f = floor(x[a]);
        long last = (long)v->size[a] - 1;
        t[a] = x[a] - f;
        i0[a] = (long)f;
        i1[a] = i0[a] + 1;
        i0[a] = i0[a] < 0 ? 0 : (i0[a] > last ? last : i0[a]);
        i1[a] = i1[a] < 0 ? 0 : (i1[a] > last ? last : i1[a]);
    }
    for (int c = 0; c < 8; c++) {
        long i = c & 1 ? i1[0] : i0[0], j = c & 2 ? i1[1] : i0[1], k = c & 4 ? i1[2] : i0[2];
        double w = (c & 1 ? t[0] : 1 - t[0]) * (c & 2 ? t[1] : 1 - t[1]) *
                   (c & 4 ? t[2] : 1 - t[2]);
        if (w != 0)
            value += w * v->data[ri_index(v, (size_t)i, (size_t)j, (size_t)k)];
    }
    return value;
}

/* ITK rounds a continuous index half up: floor(x + 0.5). */
static double nearest_eval(const rad_volume *v, const double x[3])
{
    size_t idx[3];

    for (int a = 0; a < 3; a++) {
        long i = (long)floor(x[a] + 0.5);
        long last = (long)v->size[a] - 1;
        idx[a] = (size_t)(i < 0 ? 0 : (i > last ? last : i));
    }
    return v->data[ri_index(v, idx[0], idx[1], idx[2])];
}

/* ------------------------------------------------------------------ */
/* Grid mapping and the resampling loop                                  */

/* Affine map from output voxel index to input continuous index:
 * x_in = m * i_out + b. */
typedef struct index_map {
    double m[9];
    double b[3];
} index_map;

static void make_index_map(const rad_volume *in, const rad_volume *out, index_map *map)
{
    rad_volume_world_to_index(in, out->origin, map->b);
    for (int c = 0; c < 3; c++) {
        double unit[3] = {0, 0, 0}, world[3], x[3];
        unit[c] = 1;
        rad_volume_index_to_world(out, unit, world);
        rad_volume_world_to_index(in, world, x);
        for (int r = 0; r < 3; r++)
            map->m[3 * r + c] = x[r] - map->b[r];
    }
}

static int inside_buffer(const rad_volume *v, const double x[3])
{
    for (int a = 0; a < 3; a++)
        if (!(x[a] >= -0.5 && x[a] < (double)v->size[a] - 0.5))
            return 0;
    return 1;
}

/*
 * B-spline resampling for an axis-aligned map (m diagonal), so that the
 * weights along each output axis depend on that axis's index only. The 4^3
 * sum of bspline_eval is taken in three passes (x, then y, then z) that
 * form each partial sum with the same operations in the same order, so the
 * values equal bspline_eval's bit for bit. Returns 0 when scratch memory is
 * unavailable, and the caller then samples voxel by voxel.
 */
static int resample_bspline_separable(const rad_volume *in, const double *coef,
                                      const index_map *map, rad_volume *out)
{
    size_t nx = out->size[0], ny = out->size[1], nz = out->size[2];
    size_t sx = in->size[0], sy = in->size[1], sz = in->size[2];
    size_t n_out[3] = {nx, ny, nz}, total = nx + ny + nz;
    long *idx = malloc(total * 4 * sizeof *idx);
    double *w = malloc(total * 4 * sizeof *w);
    unsigned char *inside = malloc(total);
    double *after_x = NULL, *after_y = NULL;

    if (idx == NULL || w == NULL || inside == NULL) {
        free(idx);
        free(w);
        free(inside);
        free(after_x);
        free(after_y);
        return 0;
    }

    /* Per-axis positions, computed as resample_into does with the other indices 0. */
    size_t base = 0;
    for (int a = 0; a < 3; a++) {
        for (size_t t = 0; t < n_out[a]; t++) {
            double index[3] = {0, 0, 0}, x;
            long first;

            index[a] = (double)t;
            x = map->b[a] + map->m[3 * a] * index[0] + map->m[3 * a + 1] * index[1] +
                map->m[3 * a + 2] * index[2];
            inside[base + t] = x >= -0.5 && x < (double)in->size[a] - 0.5;
            bspline_weights(x, &first, w + 4 * (base + t));
            for (int k = 0; k < 4; k++)
                idx[4 * (base + t) + k] = mirror_index(first + k, (long)in->size[a]);
        }
        base += n_out[a];
    }
    const long *ix = idx, *iy = idx + 4 * nx, *iz = idx + 4 * (nx + ny);
    const double *wx = w, *wy = w + 4 * nx, *wz = w + 4 * (nx + ny);
    const unsigned char *in_x = inside, *in_y = inside + nx, *in_z = inside + nx + ny;

    /* Only the source rows y0..y1 and planes z0..z1 that some tap reads are filtered. */
    long y0 = (long)sy, y1 = -1, z0 = (long)sz, z1 = -1;
    for (size_t t = 0; t < 4 * ny; t++) {
        y0 = iy[t] < y0 ? iy[t] : y0;
        y1 = iy[t] > y1 ? iy[t] : y1;
    }
    for (size_t t = 0; t < 4 * nz; t++) {
        z0 = iz[t] < z0 ? iz[t] : z0;
        z1 = iz[t] > z1 ? iz[t] : z1;
    }
    size_t my = (size_t)(y1 - y0 + 1), mz = (size_t)(z1 - z0 + 1);
    after_x = malloc(nx * my * mz * sizeof *after_x);
    after_y = malloc(nx * ny * mz * sizeof *after_y);
    if (after_x == NULL || after_y == NULL) {
        free(idx);
        free(w);
        free(inside);
        free(after_x);
        free(after_y);
        return 0;
    }

    /* sx(i, y, z) = sum over the 4 x taps, for every source row read. */
    for (size_t z = 0; z < mz; z++)
        for (size_t y = 0; y < my; y++) {
            const double *row = coef + (((size_t)z0 + z) * sy + (size_t)y0 + y) * sx;
            double *dst = after_x + (z * my + y) * nx;
            for (size_t i = 0; i < nx; i++) {
                const long *c = ix + 4 * i;
                const double *h = wx + 4 * i;
                dst[i] = h[0] * row[c[0]] + h[1] * row[c[1]] + h[2] * row[c[2]] +
                         h[3] * row[c[3]];
            }
        }
    /* sy(i, j, z) = 0 + w_y[0] sx(...) + ... + w_y[3] sx(...), in tap order. */
    for (size_t z = 0; z < mz; z++)
        for (size_t j = 0; j < ny; j++) {
            double *dst = after_y + (z * ny + j) * nx;
            for (size_t i = 0; i < nx; i++)
                dst[i] = 0;
            for (int ky = 0; ky < 4; ky++) {
                const double *src = after_x + (z * my + (size_t)(iy[4 * j + ky] - y0)) * nx;
                double h = wy[4 * j + ky];
                for (size_t i = 0; i < nx; i++)
                    dst[i] += h * src[i];
            }
        }
    /* value(i, j, k) = sum over kz of w_z sy, then truncation for integer images. */
    for (size_t k = 0; k < nz; k++)
        for (size_t j = 0; j < ny; j++) {
            double *dst = out->data + (k * ny + j) * nx;
            for (size_t i = 0; i < nx; i++)
                dst[i] = 0;
            for (int kz = 0; kz < 4; kz++) {
                const double *src = after_y + ((size_t)(iz[4 * k + kz] - z0) * ny + j) * nx;
                double h = wz[4 * k + kz];
                for (size_t i = 0; i < nx; i++)
                    dst[i] += h * src[i];
            }
            for (size_t i = 0; i < nx; i++) {
                if (!(in_x[i] && in_y[j] && in_z[k]))
                    dst[i] = 0;
                else if (in->integer_valued)
                    dst[i] = trunc(dst[i]);
            }
        }
    free(idx);
    free(w);
    free(inside);
    free(after_x);
    free(after_y);
    return 1;
}

/*
 * Resamples by nearest neighbour for an axis-aligned map (m diagonal). The
 * continuous index along each axis depends on that axis's output index
 * only, and is formed as resample_into forms it (the off-diagonal terms add
 * exact zeros), so the samples equal nearest_eval's. Returns 0 when scratch
 * memory is unavailable, and the caller then samples voxel by voxel.
 */
static int resample_nearest_separable(const rad_volume *in, const index_map *map,
                                      rad_volume *out)
{
    size_t total = out->size[0] + out->size[1] + out->size[2], base = 0;
    size_t *source = malloc(total * sizeof *source);
    unsigned char *inside = malloc(total);
    size_t *axis_source[3];
    unsigned char *axis_inside[3];
    size_t n = 0;

    if (source == NULL || inside == NULL) {
        free(source);
        free(inside);
        return 0;
    }
    for (int a = 0; a < 3; a++) {
        axis_source[a] = source + base;
        axis_inside[a] = inside + base;
        for (size_t t = 0; t < out->size[a]; t++) {
            double index[3] = {0, 0, 0}, x;
            long i, last = (long)in->size[a] - 1;

            index[a] = (double)t;
            x = map->b[a] + map->m[3 * a] * index[0] + map->m[3 * a + 1] * index[1] +
                map->m[3 * a + 2] * index[2];
            axis_inside[a][t] = x >= -0.5 && x < (double)in->size[a] - 0.5;
            i = axis_inside[a][t] ? (long)floor(x + 0.5) : 0;
            axis_source[a][t] = (size_t)(i < 0 ? 0 : (i > last ? last : i));
        }
        base += out->size[a];
    }
    for (size_t k = 0; k < out->size[2]; k++)
        for (size_t j = 0; j < out->size[1]; j++) {
            int row_inside = axis_inside[1][j] && axis_inside[2][k];
            const double *row = in->data + ri_index(in, 0, axis_source[1][j], axis_source[2][k]);

            for (size_t i = 0; i < out->size[0]; i++, n++) {
                double value = row[axis_source[0][i]];

                if (!(row_inside && axis_inside[0][i]))
                    out->data[n] = 0;
                else
                    out->data[n] = in->integer_valued ? trunc(value) : value;
            }
        }
    free(source);
    free(inside);
    return 1;
}

/* Fills out by sampling in at the continuous index map(i, j, k) of each
 * output voxel. coef is the B-spline coefficient volume for RI_INTERP_BSPLINE. */
static void resample_mapped(const rad_volume *in, const double *coef, ri_interpolator interp,
                            const index_map *map_in, rad_volume *out)
{
    index_map map = *map_in;
    size_t n = 0;

    if (interp == RI_INTERP_BSPLINE && map.m[1] == 0 && map.m[2] == 0 && map.m[3] == 0 &&
        map.m[5] == 0 && map.m[6] == 0 && map.m[7] == 0 &&
        resample_bspline_separable(in, coef, &map, out)) {
        out->integer_valued = in->integer_valued;
        return;
    }
    if (interp == RI_INTERP_NEAREST && map.m[1] == 0 && map.m[2] == 0 && map.m[3] == 0 &&
        map.m[5] == 0 && map.m[6] == 0 && map.m[7] == 0 &&
        resample_nearest_separable(in, &map, out)) {
        out->integer_valued = in->integer_valued;
        return;
    }
    for (size_t k = 0; k < out->size[2]; k++)
        for (size_t j = 0; j < out->size[1]; j++)
            for (size_t i = 0; i < out->size[0]; i++, n++) {
                double x[3], value;
                for (int r = 0; r < 3; r++)
                    x[r] = map.b[r] + map.m[3 * r] * (double)i + map.m[3 * r + 1] * (double)j +
                           map.m[3 * r + 2] * (double)k;
                if (!inside_buffer(in, x)) {
                    out->data[n] = 0;
                    continue;
                }
                if (interp == RI_INTERP_BSPLINE)
                    value = bspline_eval(coef, in->size, x);
                else if (interp == RI_INTERP_LINEAR)
                    value = linear_eval(in, x);
                else
                    value = nearest_eval(in, x);
                out->data[n] = in->integer_valued ? trunc(value) : value;
            }
    out->integer_valued = in->integer_valued;
}

/* Fills out (whose grid is set) by sampling in at each output voxel centre.
 * coef is the B-spline coefficient volume for RI_INTERP_BSPLINE. */
static void resample_into(const rad_volume *in, const double *coef, ri_interpolator interp,
                          rad_volume *out)
{
    index_map map;

    make_index_map(in, out, &map);
    resample_mapped(in, coef, interp, &map, out);
}

/* Finds the bounding box of mask == label as inclusive voxel indices lo[a] .. hi[a].
 * Each row is scanned from both ends, so the voxels between its first and
 * last label voxel are skipped. */
static rad_status label_bbox(const rad_volume *mask, double label, size_t lo[3], size_t hi[3],
                             rad_error *error)
{
    size_t nx = mask->size[0], ny = mask->size[1], nz = mask->size[2];
    int found = 0;

    for (int a = 0; a < 3; a++) {
        lo[a] = mask->size[a];
        hi[a] = 0;
    }
    for (size_t k = 0; k < nz; k++)
        for (size_t j = 0; j < ny; j++) {
            const double *row = mask->data + nx * (j + ny * k);
            size_t first = 0, last = nx;

            while (first < nx && row[first] != label)
                first++;
            if (first == nx)
                continue;
            while (row[last - 1] != label)
                last--;
            found = 1;
            lo[0] = first < lo[0] ? first : lo[0];
            hi[0] = last - 1 > hi[0] ? last - 1 : hi[0];
            lo[1] = j < lo[1] ? j : lo[1];
            hi[1] = j > hi[1] ? j : hi[1];
            lo[2] = k < lo[2] ? k : lo[2];
            hi[2] = k;
        }
    if (!found)
        return ri_fail(error, RAD_ERR_EMPTY_ROI, "mask has no voxel with label %g", label);
    return RAD_OK;
}

/* Sets out's values to 1 where they equal label, else 0. */
static void binarize(rad_volume *out, double label)
{
    size_t n = ri_voxel_count(out);

    for (size_t i = 0; i < n; i++)
        out->data[i] = out->data[i] == label ? 1.0 : 0.0;
    out->integer_valued = 1;
}

/* Copies the box lo..lo+size-1 of src into a new volume. */
static rad_status crop_box(const rad_volume *src, const size_t lo[3], const size_t size[3],
                           rad_volume **out, rad_error *error)
{
    double ijk[3] = {(double)lo[0], (double)lo[1], (double)lo[2]}, origin[3];
    rad_volume *v;
    rad_status status;

    rad_volume_index_to_world(src, ijk, origin);
    status = rad_volume_create(size, src->spacing, origin, src->direction, &v, error);
    if (status != RAD_OK)
        return status;
    for (size_t k = 0; k < size[2]; k++)
        for (size_t j = 0; j < size[1]; j++)
            memcpy(v->data + ri_index(v, 0, j, k),
                   src->data + ri_index(src, lo[0], lo[1] + j, lo[2] + k),
                   size[0] * sizeof(double));
    v->integer_valued = src->integer_valued;
    *out = v;
    return RAD_OK;
}

rad_status ri_crop_to_mask(const rad_volume *image, const rad_volume *mask, double label,
                           int pad, rad_volume **image_out, rad_volume **mask_out,
                           rad_error *error)
{
    size_t lo[3], hi[3], size[3];
    rad_volume *img = NULL, *msk = NULL;
    rad_status status;

    if (image == NULL || mask == NULL || image_out == NULL || mask_out == NULL || pad < 0)
        return ri_fail(error, RAD_ERR_ARGUMENT,
                       "ri_crop_to_mask: NULL argument or negative pad (%d)", pad);
    if (memcmp(image->size, mask->size, sizeof image->size) != 0)
        return ri_fail(error, RAD_ERR_GEOMETRY,
                       "cannot crop: mask size %zu x %zu x %zu differs from image size "
                       "%zu x %zu x %zu", mask->size[0], mask->size[1], mask->size[2],
                       image->size[0], image->size[1], image->size[2]);
    status = label_bbox(mask, label, lo, hi, error);
    if (status != RAD_OK)
        return status;

    /* pyradiomics grows the box by pad voxels and clamps it to the image. */
    for (int a = 0; a < 3; a++) {
        lo[a] = lo[a] > (size_t)pad ? lo[a] - (size_t)pad : 0;
        hi[a] = hi[a] + (size_t)pad < mask->size[a] ? hi[a] + (size_t)pad : mask->size[a] - 1;
        size[a] = hi[a] - lo[a] + 1;
    }
    status = crop_box(image, lo, size, &img, error);
    if (status == RAD_OK)
        status = crop_box(mask, lo, size, &msk, error);
    if (status != RAD_OK) {
        rad_volume_free(img);
        return status;
    }
    binarize(msk, label);
    *image_out = img;
    *mask_out = msk;
    return RAD_OK;
}

/* numpy.allclose(a, b) with its default rtol 1e-5 and atol 1e-8. */
static int all_close(const double a[3], const double b[3])
{
    for (int i = 0; i < 3; i++)
        if (!(fabs(a[i] - b[i]) <= 1e-8 + 1e-5 * fabs(b[i])))
            return 0;
    return 1;
}

/* Computes the output grid of pyradiomics' resampleImage (see the file
 * comment) into out_size, out_spacing and out_origin. */
static rad_status resample_grid(const rad_volume *mask, const size_t lo[3], const size_t hi[3],
                                const double requested[3], int pad, size_t out_size[3],
                                double out_spacing[3], double out_origin[3], rad_error *error)
{
    double origin_index[3];

    for (int a = 0; a < 3; a++) {
        double m = mask->spacing[a], r = requested[a], q, lower, upper, max_upper;
        size_t bb_size = hi[a] - lo[a] + 1;

        if (r == 0 || bb_size == 1)
            r = m;
        q = m / r;
        lower = floor(((double)lo[a] - 0.5) * q - pad);
        upper = ceil(((double)lo[a] + (double)bb_size - 0.5) * q + pad);
        max_upper = ceil((double)mask->size[a] * q) - 1;
        if (lower < 0)
            lower = 0;
        if (upper > max_upper)
            upper = max_upper;
        if (upper - lower + 1 > (double)RI_MAX_VOXELS)
            return ri_fail(error, RAD_ERR_TOO_LARGE,
                           "resampling to %g mm gives %.0f voxels along axis %d", r,
                           upper - lower + 1, a);
        out_size[a] = (size_t)(upper - lower + 1);
        out_spacing[a] = r;
        origin_index[a] = 0.5 * (r - m) / m + lower / q;
    }
    rad_volume_index_to_world(mask, origin_index, out_origin);
    return RAD_OK;
}

rad_status ri_resample_pyradiomics(const rad_volume *image, const rad_volume *mask,
                                   double label, const double spacing[3],
                                   ri_interpolator interp, int pad, rad_volume **image_out,
                                   rad_volume **mask_out, rad_error *error)
{
    size_t lo[3], hi[3], out_size[3];
    double requested[3], out_spacing[3], out_origin[3];
    rad_volume *img = NULL, *msk = NULL;
    double *coef = NULL;
    rad_status status;

    if (image == NULL || mask == NULL || spacing == NULL || image_out == NULL ||
        mask_out == NULL || pad < 0)
        return ri_fail(error, RAD_ERR_ARGUMENT,
                       "ri_resample_pyradiomics: NULL argument or negative pad (%d)", pad);
    if (interp != RI_INTERP_NEAREST && interp != RI_INTERP_LINEAR &&
        interp != RI_INTERP_BSPLINE)
        return ri_fail(error, RAD_ERR_ARGUMENT, "unknown interpolator %d", (int)interp);
    for (int a = 0; a < 3; a++)
        if (!(spacing[a] >= 0) || !isfinite(spacing[a]))
            return ri_fail(error, RAD_ERR_ARGUMENT,
                           "resampled spacing[%d] = %g; expected a finite value >= 0 "
                           "(0 keeps the mask's spacing)", a, spacing[a]);

    status = label_bbox(mask, label, lo, hi, error);
    if (status != RAD_OK)
        return status;

    /* Spacings of 0 and axes where the label spans one slice keep the mask's. */
    for (int a = 0; a < 3; a++)
        requested[a] = spacing[a] == 0 || hi[a] == lo[a] ? mask->spacing[a] : spacing[a];
    if (all_close(image->spacing, requested))
        return ri_crop_to_mask(image, mask, label, pad, image_out, mask_out, error);

    status = resample_grid(mask, lo, hi, requested, pad, out_size, out_spacing, out_origin,
                           error);
    if (status == RAD_OK)
        status = rad_volume_create(out_size, out_spacing, out_origin, mask->direction, &img,
                                   error);
    if (status == RAD_OK)
        status = ri_volume_like(img, &msk, error);
    if (status == RAD_OK && interp == RI_INTERP_BSPLINE) {
        size_t n = ri_voxel_count(image);
        coef = malloc(n * sizeof *coef);
        if (coef == NULL)
            status = ri_fail(error, RAD_ERR_NO_MEMORY,
                             "cannot allocate B-spline coefficients for %zu voxels", n);
        else {
            memcpy(coef, image->data, n * sizeof *coef);
            bspline_coefficients(coef, image->size);
        }
    }
    if (status != RAD_OK) {
        free(coef);
        rad_volume_free(img);
        rad_volume_free(msk);
        return status;
    }

    resample_into(image, coef, interp, img);
    resample_into(mask, NULL, RI_INTERP_NEAREST, msk);
    binarize(msk, label);
    free(coef);
    *image_out = img;
    *mask_out = msk;
    return RAD_OK;
}

/* ------------------------------------------------------------------ */
/* Resampling with IBSI's options                                        */

void ri_resample_center_grid(const rad_volume *image, const double spacing[3], size_t size[3],
                             double first_index[3], double step[3])
{
    for (int a = 0; a < 3; a++) {
        double target = spacing[a] > 0 ? spacing[a] : image->spacing[a];
        double extent = (double)image->size[a] * image->spacing[a] / target;
        /* The relative 1e-9 keeps an exact multiple (60 x 3 mm / 3 mm) from rounding up. */
        double n = ceil(extent - 1e-9 * extent);

        size[a] = n < 1 ? 1 : (size_t)n;
        step[a] = target / image->spacing[a];
        first_index[a] = 0.5 * ((double)image->size[a] - 1.0 - step[a] * ((double)size[a] - 1.0));
    }
}

/*
 * Sets the size, spacing and origin of the sub-box of the centre-aligned
 * grid whose voxels can fall in the ROI, grown by pad output voxels and
 * clamped to the grid. The ROI's reach is the label bounding box lo..hi
 * grown by one image voxel, the reach of a linearly interpolated mask.
 */
static rad_status center_grid_box(const rad_volume *image, const size_t lo[3],
                                  const size_t hi[3], const double spacing[3], int pad,
                                  size_t out_size[3], double out_spacing[3],
                                  double out_origin[3], rad_error *error)
{
    size_t size[3];
    double first[3], step[3], origin_index[3];

    ri_resample_center_grid(image, spacing, size, first, step);
    for (int a = 0; a < 3; a++) {
        double t_lo = ceil(((double)lo[a] - 1.0 - first[a]) / step[a]) - pad;
        double t_hi = floor(((double)hi[a] + 1.0 - first[a]) / step[a]) + pad;

        if (t_lo < 0)
            t_lo = 0;
        if (t_hi > (double)size[a] - 1)
            t_hi = (double)size[a] - 1;
        if (t_hi < t_lo)
            t_hi = t_lo;
        if (t_hi - t_lo + 1 > (double)RI_MAX_VOXELS)
            return ri_fail(error, RAD_ERR_TOO_LARGE,
                           "resampling to %g mm gives %.0f voxels along axis %d",
                           step[a] * image->spacing[a], t_hi - t_lo + 1, a);
        out_size[a] = (size_t)(t_hi - t_lo + 1);
        out_spacing[a] = step[a] * image->spacing[a];
        origin_index[a] = first[a] + t_lo * step[a];
    }
    rad_volume_index_to_world(image, origin_index, out_origin);
    return RAD_OK;
}

/* Interpolates the 0/1 mask of label linearly onto out's grid and keeps the
 * voxels where the interpolated value is >= threshold. */
static rad_status resample_mask_linear(const rad_volume *mask, double label, double threshold,
                                       rad_volume *out, rad_error *error)
{
    rad_volume *binary;
    rad_status status = ri_volume_like(mask, &binary, error);
    size_t n = ri_voxel_count(mask), n_out = ri_voxel_count(out);

    if (status != RAD_OK)
        return status;
    for (size_t v = 0; v < n; v++)
        binary->data[v] = mask->data[v] == label ? 1.0 : 0.0;
    binary->integer_valued = 0; /* no truncation of the partial-volume fractions */
    resample_into(binary, NULL, RI_INTERP_LINEAR, out);
    rad_volume_free(binary);
    /* A grid point halfway between an ROI voxel and a background voxel has the
     * fraction 0.5 in exact arithmetic, but the index mapping leaves rounding
     * errors near 1e-15. The 1e-9 slack keeps such points, as exact arithmetic
     * would, so the result does not depend on the sub-box's position. */
    for (size_t v = 0; v < n_out; v++)
        out->data[v] = out->data[v] >= threshold - 1e-9 ? 1.0 : 0.0;
    out->integer_valued = 1;
    return RAD_OK;
}

rad_status ri_resample(const rad_volume *image, const rad_volume *mask,
                       const ri_resample_options *options, rad_volume **image_out,
                       rad_volume **mask_out, rad_error *error)
{
    size_t lo[3], hi[3], out_size[3];
    double requested[3], out_spacing[3], out_origin[3];
    rad_volume *img = NULL, *msk = NULL, source;
    double *coef = NULL;
    rad_status status;

    if (image == NULL || mask == NULL || options == NULL || image_out == NULL ||
        mask_out == NULL || options->pad < 0)
        return ri_fail(error, RAD_ERR_ARGUMENT, "ri_resample: NULL argument or negative pad");
    if (options->interpolator != RI_INTERP_NEAREST && options->interpolator != RI_INTERP_LINEAR &&
        options->interpolator != RI_INTERP_BSPLINE)
        return ri_fail(error, RAD_ERR_ARGUMENT, "unknown interpolator %d",
                       (int)options->interpolator);
    if (options->mask_interpolator != RI_INTERP_NEAREST &&
        options->mask_interpolator != RI_INTERP_LINEAR)
        return ri_fail(error, RAD_ERR_ARGUMENT,
                       "mask interpolator %d; expected nearest neighbour or linear",
                       (int)options->mask_interpolator);
    if (!(options->mask_threshold > 0 && options->mask_threshold <= 1))
        return ri_fail(error, RAD_ERR_ARGUMENT,
                       "mask partial-volume threshold %g; expected a value in (0, 1]",
                       options->mask_threshold);
    for (int a = 0; a < 3; a++)
        if (!(options->spacing[a] >= 0) || !isfinite(options->spacing[a]))
            return ri_fail(error, RAD_ERR_ARGUMENT,
                           "resampled spacing[%d] = %g; expected a finite value >= 0 "
                           "(0 keeps the image's spacing)", a, options->spacing[a]);
    if (memcmp(image->size, mask->size, sizeof image->size) != 0)
        return ri_fail(error, RAD_ERR_GEOMETRY,
                       "cannot resample: mask size %zu x %zu x %zu differs from image size "
                       "%zu x %zu x %zu", mask->size[0], mask->size[1], mask->size[2],
                       image->size[0], image->size[1], image->size[2]);

    status = label_bbox(mask, options->label, lo, hi, error);
    if (status != RAD_OK)
        return status;

    if (options->alignment == RI_GRID_CENTER) {
        status = center_grid_box(image, lo, hi, options->spacing, options->pad, out_size,
                                 out_spacing, out_origin, error);
    } else {
        /* pyradiomics' grid, which also keeps the spacing where the label spans one slice. */
        for (int a = 0; a < 3; a++)
            requested[a] = options->spacing[a] == 0 || hi[a] == lo[a] ? mask->spacing[a]
                                                                       : options->spacing[a];
        if (all_close(image->spacing, requested))
            return ri_crop_to_mask(image, mask, options->label, options->pad, image_out,
                                   mask_out, error);
        status = resample_grid(mask, lo, hi, requested, options->pad, out_size, out_spacing,
                               out_origin, error);
    }
    if (status == RAD_OK)
        status = rad_volume_create(out_size, out_spacing, out_origin, image->direction, &img,
                                   error);
    if (status == RAD_OK)
        status = ri_volume_like(img, &msk, error);
    if (status == RAD_OK && options->interpolator == RI_INTERP_BSPLINE) {
        size_t n = ri_voxel_count(image);
        coef = malloc(n * sizeof *coef);
        if (coef == NULL) {
            status = ri_fail(error, RAD_ERR_NO_MEMORY,
                             "cannot allocate B-spline coefficients for %zu voxels", n);
        } else {
            memcpy(coef, image->data, n * sizeof *coef);
            bspline_coefficients(coef, image->size);
        }
    }
    if (status != RAD_OK) {
        free(coef);
        rad_volume_free(img);
        rad_volume_free(msk);
        return status;
    }

    /* Rounding replaces the truncation that integer images get otherwise. */

    source = *image;
    if (options->round_intensities)
        source.integer_valued = 0;
    resample_into(&source, coef, options->interpolator, img);
    free(coef);
    if (options->round_intensities) {
        size_t n = ri_voxel_count(img);
        for (size_t v = 0; v < n; v++)
            img->data[v] = round(img->data[v]);
        img->integer_valued = 1;
    }

    if (options->mask_interpolator == RI_INTERP_LINEAR) {
        status = resample_mask_linear(mask, options->label, options->mask_threshold, msk,
                                      error);
        if (status != RAD_OK) {
            rad_volume_free(img);
            rad_volume_free(msk);
            return status;
        }
    } else {
        resample_into(mask, NULL, RI_INTERP_NEAREST, msk);
        binarize(msk, options->label);
    }
    *image_out = img;
    *mask_out = msk;
    return RAD_OK;
}
