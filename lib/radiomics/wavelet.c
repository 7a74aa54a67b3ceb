/*
 * wavelet.c - separable 3-D stationary (undecimated) wavelet transforms.
 *
 * One 1-D pass along an axis computes, with F taps h[0..F-1] dilated by d,
 *     y[i] = sum_{m=0}^{F-1} h[m] * x_ext[i + d*F/2 - d*m],
 * which is PyWavelets' swt alignment (its periodized convolution starts at
 * index F/2; with level L it dilates the filter by d = 2^(L-1)) and also
 * scipy.ndimage.convolve1d's after an even filter gets a trailing zero, as
 * IBSI 2 reference implementations do. x_ext extends x by the boundary rule.
 *
 * Band names read x, y, z: "LHL" is low-pass along x (array index i, varying
 * fastest), high-pass along y and low-pass along z. pyradiomics works on
 * numpy arrays indexed [z][y][x] and passes axes (2, 1, 0) to pywt.swtn, so
 * the first letter of its key is numpy axis 2, which is x.
 *
 * pyradiomics' path (ri_wavelet): odd sizes are padded by one voxel that
 * repeats index 0 (np.pad "wrap"), each level is one periodic
 * pywt.swtn(level=1) call on the padded approximation of the previous level,
 * so filters are never dilated, and every output is cropped back.
 * NOTE: PyWavelets computes in float32 when the image array is float32
 * (pyradiomics passes SimpleITK's pixel type through), whereas this code
 * always computes in double, so such images differ by float32 rounding.
 * IBSI's path (ri_wavelet_ibsi): no padding, a chosen boundary rule, and the
 * a trous algorithm: level L applies the low-pass to all axes L-1 times with
 * dilations 1, 2, ..., 2^(L-2), then the band's filters dilated by 2^(L-1).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/*
 * Decomposition low-pass filters (dec_lo) exactly as PyWavelets 1.1 stores
 * them, so that results equal pyradiomics' to rounding. They deviate from the
 * closed forms by up to 4e-13 (e.g. db2's last tap is (1+sqrt 3)/(4 sqrt 2)
 * = 0.48296291314469025, stored as 0.48296291314453416); the tests check the
 * identities sum h = sqrt 2, sum h^2 = 1 and the closed forms to 1e-11.
 */
typedef struct wavelet_def {
    const char *name;
    int length;
    double low[RI_WAVELET_MAX_TAPS];
} wavelet_def;

static const wavelet_def wavelet_defs[] = {
    {"haar", 2, {0.7071067811865476, 0.7071067811865476}},
    {"db1", 2, {0.7071067811865476, 0.7071067811865476}},
    {"db2", 4,
     {-0.12940952255126037, 0.2241438680420134, 0.8365163037378079, 0.48296291314453416}},
    {"db3", 6,
     {0.03522629188570953, -0.08544127388202666, -0.13501102001025458, 0.45987750211849154,
      0.8068915093110925, 0.33267055295008263}},
    {"db4", 8,
     {-0.010597401785069032, 0.0328830116668852, 0.030841381835560764, -0.18703481171909309,
      -0.027983769416859854, 0.6308807679298589, 0.7148465705529157, 0.2303778133088965}},
    {"coif1", 6,
     {-0.015655728135791993, -0.07273261951252645, 0.3848648468648578, 0.8525720202116004,
      0.3378976624574818, -0.07273261951252645}},
};

rad_status ri_wavelet_filter_get(const char *name, ri_wavelet_filter *filter, rad_error *error)
{
    size_t count = sizeof wavelet_defs / sizeof wavelet_defs[0];

    if (name == NULL || filter == NULL)
        return ri_fail(error, RAD_ERR_ARGUMENT, "ri_wavelet_filter_get: NULL argument");
    for (size_t w = 0; w < count; w++) {
        const wavelet_def *def = &wavelet_defs[w];
        int n = def->length;

        if (strcmp(def->name, name) != 0)
            continue;
        memset(filter, 0, sizeof *filter);
        filter->length = n;
        /* Quadrature mirror: dec_hi[k] = (-1)^(k+1) dec_lo[F-1-k], PyWavelets' rule. */
        for (int k = 0; k < n; k++) {
            filter->low[k] = def->low[k];
            filter->high[k] = (k % 2 == 0 ? -1.0 : 1.0) * def->low[n - 1 - k];
        }
        return RAD_OK;
    }
    return ri_fail(error, RAD_ERR_PARAMETER,
                   "unknown wavelet \"%s\"; expected haar, db1, db2, db3, db4 or coif1", name);
}

/* ------------------------------------------------------------------ */
/* Boundary extension and the 1-D pass                                  */

/*
 * Source index of extended position t along an axis of n voxels, or -1 where
 * the extension is zero. period > 0 selects pyradiomics' rule: periodic with
 * that period over the signal padded to it by repeating from index 0.
 */
static ptrdiff_t extended_index(ptrdiff_t t, ptrdiff_t n, ri_boundary boundary, ptrdiff_t period)
{
    ptrdiff_t r;

    if (period > 0) {
        r = ((t % period) + period) % period;
        return r % n;
    }
    switch (boundary) {
    case RI_BOUNDARY_PERIODIC:
        return ((t % n) + n) % n;
    case RI_BOUNDARY_SYMMETRIC: /* d c b a | a b c d | d c b a: period 2n */
        r = ((t % (2 * n)) + 2 * n) % (2 * n);
        return r < n ? r : 2 * n - 1 - r;
    case RI_BOUNDARY_MIRROR: /* d c b | a b c d | c b a: period 2n - 2 */
        if (n == 1)
            return 0;
        r = ((t % (2 * n - 2)) + 2 * n - 2) % (2 * n - 2);
        return r < n ? r : 2 * n - 2 - r;
    case RI_BOUNDARY_ZERO:
    default:
        return (t >= 0 && t < n) ? t : -1;
    }
}

/* One axis of a pass: out_len outputs, map[t + margin] = source index of
 * extended position t (or -1), for t in [-margin, out_len + margin). */
typedef struct axis_map {
    size_t src_len;
    size_t out_len;
    ptrdiff_t margin;
    ptrdiff_t *map;
} axis_map;

static rad_status axis_map_init(axis_map *am, size_t src_len, size_t out_len, size_t reach,
                                ri_boundary boundary, ptrdiff_t period, rad_error *error)
{
    size_t total = out_len + 2 * reach;

    am->src_len = src_len;
    am->out_len = out_len;
    am->margin = (ptrdiff_t)reach;
    am->map = malloc(total * sizeof *am->map);
    if (am->map == NULL)
        return ri_fail(error, RAD_ERR_NO_MEMORY, "cannot allocate a wavelet index map of %zu",
                       total);
    for (size_t t = 0; t < total; t++)
        am->map[t] = extended_index((ptrdiff_t)t - am->margin, (ptrdiff_t)src_len, boundary,
                                    period);
    return RAD_OK;
}

/* The taps of one pass: h[0..length-1] dilated by `dilation`. */
typedef struct pass_filter {
    const double *taps;
    int length;
    size_t dilation;
} pass_filter;

/*
 * d[i] = sum_m taps[m] * x[i - step*m] for i < n, where x points into an
 * extended row. The fixed tap counts let the compiler unroll and vectorise.
 */
static inline void filter_row_fixed(const double *x, size_t n, const double *taps, int length,
                                    ptrdiff_t step, double *d)
{
    for (size_t i = 0; i < n; i++) {
        double sum = 0.0;
#pragma GCC unroll 8
        for (int m = 0; m < length; m++)
            sum += taps[m] * x[(ptrdiff_t)i - step * m];
        d[i] = sum;
    }
}

static void filter_row(const double *x, size_t n, const pass_filter *f, double *d)
{
    ptrdiff_t step = (ptrdiff_t)f->dilation;

    switch (f->length) {
    case 2:
        filter_row_fixed(x, n, f->taps, 2, step, d);
        break;
    case 4:
        filter_row_fixed(x, n, f->taps, 4, step, d);
        break;
    case 6:
        filter_row_fixed(x, n, f->taps, 6, step, d);
        break;
    case 8:
        filter_row_fixed(x, n, f->taps, 8, step, d);
        break;
    default:
        filter_row_fixed(x, n, f->taps, f->length, step, d);
        break;
    }
}

/*
 * d[q] = sum_{m<count} w[m] * line[m][q] for q < n, summed in tap order like
 * PyWavelets. A constant count lets the compiler unroll the tap loop.
 */
static inline void combine_fixed(double *restrict d, const double *const *line,
                                 const double *w, int count, size_t n)
{
    const double *l[RI_WAVELET_MAX_TAPS];
    double h[RI_WAVELET_MAX_TAPS];

    for (int m = 0; m < count; m++) {
        l[m] = line[m];
        h[m] = w[m];
    }
    for (size_t q = 0; q < n; q++) {
        double sum = h[0] * l[0][q];
#pragma GCC unroll 8
        for (int m = 1; m < count; m++)
            sum += h[m] * l[m][q];
        d[q] = sum;
    }
}

static void combine_lines(double *d, const double *const *line, const double *w, int count,
                          size_t n)
{
    switch (count) {
    case 0:
        memset(d, 0, n * sizeof *d);
        break;
    case 2:
        combine_fixed(d, line, w, 2, n);
        break;
    case 4:
        combine_fixed(d, line, w, 4, n);
        break;
    case 6:
        combine_fixed(d, line, w, 6, n);
        break;
    case 8:
        combine_fixed(d, line, w, 8, n);
        break;
    default:
        combine_fixed(d, line, w, count, n);
        break;
    }
}

/*
 * Filters src (size src_size, x fastest) along axis into dst, whose size is
 * src_size with size[axis] = am->out_len. row is scratch for one extended
 * x row (out_len + 2 margin values).
 */
static void filter_axis(const double *src, const size_t src_size[3], int axis,
                        const axis_map *am, const pass_filter *f, double *dst, double *row)
{
    ptrdiff_t shift = (ptrdiff_t)(f->dilation * (size_t)(f->length / 2)) + am->margin;
    ptrdiff_t step = (ptrdiff_t)f->dilation;
    size_t inner = 1, outer = 1;
    size_t n_src = src_size[axis], n_out = am->out_len;

    for (int a = 0; a < axis; a++)
        inner *= src_size[a];
    for (int a = axis + 1; a < 3; a++)
        outer *= src_size[a];

    if (axis == 0) {
        size_t ext_len = n_out + 2 * (size_t)am->margin;

        for (size_t o = 0; o < outer; o++) {
            const double *s = src + o * n_src;

            for (size_t t = 0; t < ext_len; t++)
                row[t] = am->map[t] >= 0 ? s[am->map[t]] : 0.0;
            filter_row(row + shift, n_out, f, dst + o * n_out);
        }
        return;
    }

    /* Strided axes: whole x rows (or x-y planes) at once, contiguous inner loop;
     * taps that fall on a zero extension are left out. */
    for (size_t o = 0; o < outer; o++) {
        for (size_t i = 0; i < n_out; i++) {
            const double *line[RI_WAVELET_MAX_TAPS];
            double weight[RI_WAVELET_MAX_TAPS];
            int count = 0;

            for (int m = 0; m < f->length; m++) {
                ptrdiff_t t = am->map[(ptrdiff_t)i + shift - step * m];

                if (t < 0)
                    continue;
                line[count] = src + (o * n_src + (size_t)t) * inner;
                weight[count] = f->taps[m];
                count++;
            }
            combine_lines(dst + (o * n_out + i) * inner, line, weight, count, inner);
        }
    }
}

/* ------------------------------------------------------------------ */
/* One level: 2 + 4 + 8 passes giving all 8 bands                       */

/*
 * State of one level: the source array and its size, the output size, the
 * three axis maps, and scratch for the x and x-y intermediate results.
 */
typedef struct level_work {
    size_t src_size[3];
    size_t out_size[3];
    axis_map maps[3];
    double *after_x;
    double *after_y;
    double *row;
} level_work;

static void level_work_free(level_work *w)
{
    for (int a = 0; a < 3; a++)
        free(w->maps[a].map);
    free(w->after_x);
    free(w->after_y);
    free(w->row);
}

/*
 * Allocates the maps and scratch of a level. period_padded != 0 selects
 * pyradiomics' padded-periodic rule with the output size as period.
 */
static rad_status level_work_init(level_work *w, const size_t src_size[3],
                                  const size_t out_size[3], size_t reach, ri_boundary boundary,
                                  int period_padded, rad_error *error)
{
    size_t nx, nxy;

    memset(w, 0, sizeof *w);
    memcpy(w->src_size, src_size, sizeof w->src_size);
    memcpy(w->out_size, out_size, sizeof w->out_size);
    for (int a = 0; a < 3; a++) {
        ptrdiff_t period = period_padded ? (ptrdiff_t)out_size[a] : 0;
        rad_status status = axis_map_init(&w->maps[a], src_size[a], out_size[a], reach,
                                          boundary, period, error);
        if (status != RAD_OK) {
            level_work_free(w);
            return status;
        }
    }
    nx = out_size[0] * src_size[1] * src_size[2];
    nxy = out_size[0] * out_size[1] * src_size[2];
    w->after_x = malloc(nx * sizeof *w->after_x);
    w->after_y = malloc(nxy * sizeof *w->after_y);
    w->row = malloc((out_size[0] + 2 * reach) * sizeof *w->row);
    if (w->after_x == NULL || w->after_y == NULL || w->row == NULL) {
        level_work_free(w);
        return ri_fail(error, RAD_ERR_NO_MEMORY,
                       "cannot allocate wavelet scratch for %zu x %zu x %zu voxels",
                       out_size[0], out_size[1], out_size[2]);
    }
    return RAD_OK;
}

/* Band code: bit 2 = high-pass along x, bit 1 along y, bit 0 along z, so
 * code 0 is LLL and codes run in PyWavelets' key order aaa, aad, ..., ddd. */
typedef void (*band_sink)(int code, const double *band, void *user);

/*
 * Computes the bands of one level with filters lo/hi on all axes, reusing
 * the x result for 2 y passes and each y result for 2 z passes. Band `code`
 * (size out_size) is written to targets[code] and then handed to sink when
 * sink is not NULL; a NULL target skips the band and the passes only it
 * needs.
 */
static void level_bands(level_work *w, const double *src, const pass_filter lo[3],
                        const pass_filter hi[3], double *const targets[8], band_sink sink,
                        void *user)
{
    size_t size_x[3] = {w->out_size[0], w->src_size[1], w->src_size[2]};
    size_t size_y[3] = {w->out_size[0], w->out_size[1], w->src_size[2]};

    for (int bx = 0; bx < 2; bx++) {
        double *const *t = targets + bx * 4;

        if (!(t[0] || t[1] || t[2] || t[3]))
            continue;
        filter_axis(src, w->src_size, 0, &w->maps[0], bx ? &hi[0] : &lo[0], w->after_x,
                    w->row);
        for (int by = 0; by < 2; by++) {
            int code_xy = bx * 4 + by * 2;

            if (!(targets[code_xy] || targets[code_xy + 1]))
                continue;
            filter_axis(w->after_x, size_x, 1, &w->maps[1], by ? &hi[1] : &lo[1], w->after_y,
                        w->row);
            for (int bz = 0; bz < 2; bz++) {
                double *band = targets[code_xy + bz];

                if (band == NULL)
                    continue;
                filter_axis(w->after_y, size_y, 2, &w->maps[2], bz ? &hi[2] : &lo[2], band,
                            w->row);
                if (sink != NULL)
                    sink(code_xy + bz, band, user);
            }
        }
    }
}

/* ------------------------------------------------------------------ */
/* pyradiomics' transform                                               */

typedef struct crop_sink {
    const size_t *padded_size;
    const size_t *size;
    rad_volume **bands; /* indexed by band code */
} crop_sink;

/* Copies the first size[0] x size[1] x size[2] corner of a padded band. */
static void crop_store(int code, const double *band, void *user)
{
    const crop_sink *s = user;
    const size_t *size = s->size, *padded = s->padded_size;
    double *out = s->bands[code]->data;

    for (size_t k = 0; k < size[2]; k++)
        for (size_t j = 0; j < size[1]; j++)
            memcpy(out + size[0] * (j + size[1] * k), band + padded[0] * (j + padded[1] * k),
                   size[0] * sizeof *out);
}

/* pyradiomics' output order: details in PyWavelets' key order, then LLL. */
static int output_position(int code)
{
    return code == 0 ? RI_WAVELET_BANDS - 1 : code - 1;
}

static void band_name(int code, int level, char name[32])
{
    char letters[4] = {code & 4 ? 'H' : 'L', code & 2 ? 'H' : 'L', code & 1 ? 'H' : 'L', 0};

    if (level == 1)
        snprintf(name, 32, "wavelet-%s", letters);
    else
        snprintf(name, 32, "wavelet%d-%s", level, letters);
}

/*
 * Runs one pyradiomics level: src (src_size) to the bands of size padded.
 * Lower levels only produce the padded LLL in next_approx; the last level
 * writes all 8 bands into by_code, through scratch and a crop when padded.
 */
static rad_status pyradiomics_level(const double *src, const size_t src_size[3],
                                    const size_t padded[3], const size_t size[3],
                                    const ri_wavelet_filter *filter, int last,
                                    double *next_approx, double *scratch, rad_volume **by_code,
                                    rad_error *error)
{
    pass_filter lo[3], hi[3];
    double *targets[8] = {NULL};
    crop_sink crop = {padded, size, by_code};
    level_work w;
    rad_status status;

    for (int a = 0; a < 3; a++) {
        lo[a] = (pass_filter){filter->low, filter->length, 1};
        hi[a] = (pass_filter){filter->high, filter->length, 1};
    }
    if (!last)
        targets[0] = next_approx;
    else
        for (int c = 0; c < RI_WAVELET_BANDS; c++)
            targets[c] = scratch != NULL ? scratch : by_code[c]->data;

    status = level_work_init(&w, src_size, padded, (size_t)filter->length,
                             RI_BOUNDARY_PERIODIC, 1, error);
    if (status != RAD_OK)
        return status;
    level_bands(&w, src, lo, hi, targets, last && scratch != NULL ? crop_store : NULL, &crop);
    level_work_free(&w);
    return RAD_OK;
}

rad_status ri_wavelet(const rad_volume *image, const char *wavelet, int level,
                      rad_volume *bands[RI_WAVELET_BANDS],
                      char band_names[RI_WAVELET_BANDS][32], rad_error *error)
{
    ri_wavelet_filter filter;
    rad_volume *by_code[RI_WAVELET_BANDS] = {NULL};
    size_t padded[3], count;
    double *approx = NULL, *next = NULL, *scratch = NULL;
    int needs_padding = 0;
    rad_status status;

    if (image == NULL || bands == NULL || band_names == NULL)
        return ri_fail(error, RAD_ERR_ARGUMENT, "ri_wavelet: NULL argument");
    if (level < 1 || level > 8)
        return ri_fail(error, RAD_ERR_PARAMETER, "wavelet level %d; expected 1 to 8", level);
    status = ri_wavelet_filter_get(wavelet, &filter, error);
    if (status != RAD_OK)
        return status;

    /* Buffers: scratch for a padded band only when a size is odd, and the
     * approximation of two levels only when level > 1. */
    for (int a = 0; a < 3; a++) {
        padded[a] = image->size[a] + image->size[a] % 2;
        needs_padding |= padded[a] != image->size[a];
    }
    count = padded[0] * padded[1] * padded[2];
    if (needs_padding)
        scratch = malloc(count * sizeof *scratch);
    if (level > 1) {
        approx = malloc(count * sizeof *approx);
        next = malloc(count * sizeof *next);
    }
    if ((needs_padding && scratch == NULL) || (level > 1 && (approx == NULL || next == NULL))) {
        status = ri_fail(error, RAD_ERR_NO_MEMORY,
                         "cannot allocate wavelet buffers for %zu x %zu x %zu voxels",
                         padded[0], padded[1], padded[2]);
        goto done;
    }
    for (int c = 0; c < RI_WAVELET_BANDS; c++) {
        status = ri_volume_like(image, &by_code[c], error);
        if (status != RAD_OK)
            goto done;
    }

    for (int lev = 1; lev <= level; lev++) {
        const double *src = lev == 1 ? image->data : approx;
        const size_t *src_size = lev == 1 ? image->size : padded;
        double *swap;

        status = pyradiomics_level(src, src_size, padded, image->size, &filter, lev == level,
                                   next, scratch, by_code, error);
        if (status != RAD_OK)
            goto done;
        swap = approx;
        approx = next;
        next = swap;
    }

    for (int c = 0; c < RI_WAVELET_BANDS; c++) {
        int p = output_position(c);

        bands[p] = by_code[c];
        by_code[c] = NULL;
        band_name(c, level, band_names[p]);
    }

done:
    for (int c = 0; c < RI_WAVELET_BANDS; c++)
        rad_volume_free(by_code[c]);
    free(approx);
    free(next);
    free(scratch);
    return status;
}

/* ------------------------------------------------------------------ */
/* IBSI's transform (one band)                                          */

/* Parses "LHL" into a band code (x letter first). */
static rad_status parse_band(const char *band, int *code, rad_error *error)
{
    int c = 0;

    if (band == NULL || strlen(band) != 3)
        return ri_fail(error, RAD_ERR_PARAMETER, "wavelet band \"%s\"; expected 3 letters of "
                       "L and H such as \"LHL\"", band ? band : "(null)");
    for (int a = 0; a < 3; a++) {
        if (band[a] != 'L' && band[a] != 'H')
            return ri_fail(error, RAD_ERR_PARAMETER,
                           "wavelet band \"%s\" has '%c' at position %d; expected L or H", band,
                           band[a], a + 1);
        c = c * 2 + (band[a] == 'H');
    }
    *code = c;
    return RAD_OK;
}

rad_status ri_wavelet_ibsi(const rad_volume *image, const char *wavelet, const char *band,
                           int level, ri_boundary boundary, rad_volume **out, rad_error *error)
{
    ri_wavelet_filter filter;
    rad_volume *result = NULL;
    double *current = NULL, *next = NULL;
    int code = 0;
    size_t count, dilation = 1;
    rad_status status;

    if (image == NULL || out == NULL)
        return ri_fail(error, RAD_ERR_ARGUMENT, "ri_wavelet_ibsi: NULL argument");
    if (level < 1 || level > 8)
        return ri_fail(error, RAD_ERR_PARAMETER, "wavelet level %d; expected 1 to 8", level);
    if (boundary < RI_BOUNDARY_PERIODIC || boundary > RI_BOUNDARY_ZERO)
        return ri_fail(error, RAD_ERR_PARAMETER, "wavelet boundary %d; expected a ri_boundary",
                       (int)boundary);
    status = parse_band(band, &code, error);
    if (status == RAD_OK)
        status = ri_wavelet_filter_get(wavelet, &filter, error);
    if (status != RAD_OK)
        return status;

    count = ri_voxel_count(image);
    current = malloc(count * sizeof *current);
    next = malloc(count * sizeof *next);
    if (current == NULL || next == NULL) {
        status = ri_fail(error, RAD_ERR_NO_MEMORY, "cannot allocate %zu voxels", count);
        goto done;
    }
    memcpy(current, image->data, count * sizeof *current);

    for (int lev = 1; lev <= level; lev++) {
        pass_filter lo[3], hi[3];
        double *targets[8] = {NULL};
        level_work w;
        double *swap;

        for (int a = 0; a < 3; a++) {
            lo[a] = (pass_filter){filter.low, filter.length, dilation};
            hi[a] = (pass_filter){filter.high, filter.length, dilation};
        }
        /* Lower levels need only the LLL; the last only the requested band. */
        targets[lev == level ? code : 0] = next;
        status = level_work_init(&w, image->size, image->size, dilation * (size_t)filter.length,
                                 boundary, 0, error);
        if (status != RAD_OK)
            goto done;
        level_bands(&w, current, lo, hi, targets, NULL, NULL);
        level_work_free(&w);
        swap = current;
        current = next;
        next = swap;
        dilation *= 2;
    }

    status = ri_volume_like(image, &result, error);
    if (status != RAD_OK)
        goto done;
    memcpy(result->data, current, count * sizeof *current);
    *out = result;

done:
    free(current);
    free(next);
    return status;
}
