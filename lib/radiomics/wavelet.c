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
 * Four doubles (GCC and Clang vector extension). Element-wise operations
 * round exactly like scalar ones, so the vector loops give the same bits
 * as a scalar loop. Without AVX the compiler splits each operation into
 * two SSE2 ones. Loads and stores are macros because passing a 32-byte
 * vector by value changes the calling convention between AVX and non-AVX
 * code.
 */
typedef double vec4 __attribute__((vector_size(32)));

#define LOAD_VEC4(v, p) memcpy(&(v), (p), sizeof(vec4))
#define STORE_VEC4(p, v) memcpy((p), &(v), sizeof(vec4))

/*
 * Computes d[q] = sum_{m<count} w[m] * line[m][q] for q < n, summed in tap
 * order like PyWavelets. A constant count lets the compiler unroll the tap loop, and
 * eight outputs per step in two accumulators keep the adders busy. It is
 * always inlined so that each clone of combine_lines gets its own copy.
 */
static inline __attribute__((always_inline)) void combine_fixed(double *restrict d, const double *const *line,
                                 const double *w, int count, size_t n)
{
    const double *l[RI_WAVELET_MAX_TAPS];
    double h[RI_WAVELET_MAX_TAPS];
    vec4 hv[RI_WAVELET_MAX_TAPS];
    vec4 x0, x1;
    size_t q = 0;

    for (int m = 0; m < count; m++) {
        l[m] = line[m];
        h[m] = w[m];
        hv[m] = (vec4){w[m], w[m], w[m], w[m]};
    }
    for (; q + 8 <= n; q += 8) {
        LOAD_VEC4(x0, l[0] + q);
        LOAD_VEC4(x1, l[0] + q + 4);
        vec4 a = hv[0] * x0;
        vec4 b = hv[0] * x1;
#pragma GCC unroll 8
        for (int m = 1; m < count; m++) {
            LOAD_VEC4(x0, l[m] + q);
            LOAD_VEC4(x1, l[m] + q + 4);
            a += hv[m] * x0;
            b += hv[m] * x1;
        }
        STORE_VEC4(d + q, a);
        STORE_VEC4(d + q + 4, b);
    }
    if (q + 4 <= n) {
        LOAD_VEC4(x0, l[0] + q);
        vec4 a = hv[0] * x0;
#pragma GCC unroll 8
        for (int m = 1; m < count; m++) {
            LOAD_VEC4(x0, l[m] + q);
            a += hv[m] * x0;
        }
        STORE_VEC4(d + q, a);
        q += 4;
    }
    for (; q < n; q++) {
        double sum = h[0] * l[0][q];
#pragma GCC unroll 8
        for (int m = 1; m < count; m++)
            sum += h[m] * l[m][q];
        d[q] = sum;
    }
}

/*
 * On x86-64 with GCC or Clang 14+, combine_lines is compiled twice, for
 * AVX2 and for the baseline, and the dynamic loader picks one for the
 * running CPU (an ifunc). The AVX2 target does not include FMA, so neither
 * clone fuses a multiply and an add, and both give the same bits.
 */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__ELF__)
#define RI_CLONE_AVX2 __attribute__((target_clones("avx2", "default")))
#elif defined(__x86_64__) && defined(__clang__) && __clang_major__ >= 14 && defined(__ELF__)
#define RI_CLONE_AVX2 __attribute__((target_clones("avx2", "default")))
#else
#define RI_CLONE_AVX2
#endif

RI_CLONE_AVX2
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
 * Filters am->out_len lines along one axis. Output line i is the weighted
 * sum of the source lines at extended positions i + shift - step m. Lines
 * are line_len values long, and source index t starts at src + t
 * line_stride. Taps that fall on a zero extension are left out.
 */
static void filter_lines(const double *src, size_t line_stride, size_t line_len,
                         const axis_map *am, const pass_filter *f, double *dst,
                         size_t dst_stride)
{
    ptrdiff_t shift = (ptrdiff_t)(f->dilation * (size_t)(f->length / 2)) + am->margin;
    ptrdiff_t step = (ptrdiff_t)f->dilation;

    for (size_t i = 0; i < am->out_len; i++) {
        const double *line[RI_WAVELET_MAX_TAPS];
        double weight[RI_WAVELET_MAX_TAPS];
        int count = 0;

        for (int m = 0; m < f->length; m++) {
            ptrdiff_t t = am->map[(ptrdiff_t)i + shift - step * m];

            if (t < 0)
                continue;
            line[count] = src + (size_t)t * line_stride;
            weight[count] = f->taps[m];
            count++;
        }
        combine_lines(dst + i * dst_stride, line, weight, count, line_len);
    }
}

/* ------------------------------------------------------------------ */
/* One level, with the bands streamed one output z plane at a time      */

/*
 * A level runs as a pipeline over z. Each source z plane is filtered along
 * x (low and high) and then along y (the four pairs LL, LH, HL, HH). The
 * result goes to a ring of `window` slots, one per extended z position
 * that an output plane reads. Each output z plane then combines the slots
 * of its taps into the 8 bands. The x and y results are shared between
 * bands as in a whole-volume separable transform, but the scratch is only
 * `window` planes per pair, so it can stay in cache. A source plane that the
 * boundary rule repeats (periodic wrap) is filtered again when it re-enters
 * the window, which costs dilation * (F - 1) extra planes per level.
 *
 * out_size is the number of voxels computed along each axis. It may be
 * smaller than the period of a padded-periodic map: pyradiomics crops the
 * padded transform afterwards, and each output voxel depends only on its
 * own index, so the cropped voxels are never computed.
 */
typedef struct level_work {
    size_t src_size[3];
    size_t out_size[3];
    axis_map maps[3];
    pass_filter lo[3], hi[3];
    int pair_index[4];        /* ring position of x-y pair bx*2+by, or -1 if not needed */
    int n_pairs;
    size_t window;            /* ring slots */
    ptrdiff_t *slot_source;   /* source z index stored in each slot, -1 for a zero plane */
    double *row;              /* one extended x row */
    double *after_x[2];       /* one source z plane filtered along x, out_x * src_y values */
    double *ring;             /* window x n_pairs planes of out_x * out_y */
} level_work;

static void level_work_free(level_work *w)
{
    for (int a = 0; a < 3; a++)
        free(w->maps[a].map);
    free(w->slot_source);
    free(w->row);
    free(w->after_x[0]);
    free(w->after_x[1]);
    free(w->ring);
}

/*
 * Allocates the maps and scratch of a level that computes the bands whose
 * entry in wanted[8] (indexed by band code) is non-zero. A non-NULL period
 * selects pyradiomics' padded-periodic rule with period[a] along axis a,
 * and NULL selects `boundary`. All axes use filters of the same length and
 * dilation.
 */
static rad_status level_work_init(level_work *w, const size_t src_size[3],
                                  const size_t out_size[3], const size_t period[3],
                                  const pass_filter lo[3], const pass_filter hi[3],
                                  const int wanted[8], ri_boundary boundary, rad_error *error)
{
    size_t reach = lo[0].dilation * (size_t)lo[0].length;
    size_t plane = out_size[0] * out_size[1];
    int need_x[2] = {0, 0};

    memset(w, 0, sizeof *w);
    memcpy(w->src_size, src_size, sizeof w->src_size);
    memcpy(w->out_size, out_size, sizeof w->out_size);
    memcpy(w->lo, lo, sizeof w->lo);
    memcpy(w->hi, hi, sizeof w->hi);
    for (int a = 0; a < 3; a++) {
        ptrdiff_t p = period != NULL ? (ptrdiff_t)period[a] : 0;
        rad_status status = axis_map_init(&w->maps[a], src_size[a], out_size[a], reach,
                                          boundary, p, error);
        if (status != RAD_OK) {
            level_work_free(w);
            return status;
        }
    }
    for (int pair = 0; pair < 4; pair++) {
        w->pair_index[pair] = -1;
        if (wanted[2 * pair] || wanted[2 * pair + 1]) {
            w->pair_index[pair] = w->n_pairs++;
            need_x[pair >> 1] = 1;
        }
    }
    w->window = lo[2].dilation * (size_t)(lo[2].length - 1) + 1;
    w->slot_source = malloc(w->window * sizeof *w->slot_source);
    w->row = malloc((out_size[0] + 2 * reach) * sizeof *w->row);
    for (int bx = 0; bx < 2; bx++)
        if (need_x[bx])
            w->after_x[bx] = malloc(out_size[0] * src_size[1] * sizeof *w->after_x[bx]);
    w->ring = malloc(w->window * (size_t)w->n_pairs * plane * sizeof *w->ring);
    if (w->slot_source == NULL || w->row == NULL || (need_x[0] && w->after_x[0] == NULL) ||
        (need_x[1] && w->after_x[1] == NULL) || (w->n_pairs > 0 && plane > 0 && w->ring == NULL)) {
        level_work_free(w);
        return ri_fail(error, RAD_ERR_NO_MEMORY,
                       "cannot allocate wavelet scratch for %zu x %zu x %zu voxels",
                       out_size[0], out_size[1], out_size[2]);
    }
    return RAD_OK;
}

/*
 * Fills the ring slot of extended z position e (relative to output plane 0)
 * with the source plane it maps to, filtered along x and then along y for
 * every needed pair. A zero-extension position only records -1.

 */
static void fill_slot(level_work *w, const double *src, ptrdiff_t e)
{
    const axis_map *mx = &w->maps[0], *my = &w->maps[1], *mz = &w->maps[2];
    size_t slot = (size_t)(e + mz->margin) % w->window;
    ptrdiff_t t = mz->map[e + mz->margin];
    size_t sx = w->src_size[0], sy = w->src_size[1];
    size_t nx = w->out_size[0], plane = nx * w->out_size[1];
    size_t ext_len = nx + 2 * (size_t)mx->margin;

    w->slot_source[slot] = t;
    if (t < 0)
        return;

    /* Along x, gather each source row into an extended row, then filter it. Every
     * boundary rule maps positions 0 .. min(nx, sx) - 1 to themselves, so
     * that part is one copy and only the margins go through the map. */
    const double *s = src + (size_t)t * sx * sy;
    size_t margin = (size_t)mx->margin, identity = nx < sx ? nx : sx;
    for (size_t j = 0; j < sy; j++) {
        const double *source_row = s + j * sx;

        for (size_t u = 0; u < margin; u++)
            w->row[u] = mx->map[u] >= 0 ? source_row[mx->map[u]] : 0.0;
        memcpy(w->row + margin, source_row, identity * sizeof *w->row);
        for (size_t u = margin + identity; u < ext_len; u++)
            w->row[u] = mx->map[u] >= 0 ? source_row[mx->map[u]] : 0.0;
        for (int bx = 0; bx < 2; bx++) {
            const pass_filter *f = bx ? &w->hi[0] : &w->lo[0];
            ptrdiff_t shift = (ptrdiff_t)(f->dilation * (size_t)(f->length / 2)) + mx->margin;
            const double *line[RI_WAVELET_MAX_TAPS];

            if (w->after_x[bx] == NULL)
                continue;
            for (int m = 0; m < f->length; m++)
                line[m] = w->row + shift - (ptrdiff_t)f->dilation * m;
            combine_lines(w->after_x[bx] + j * nx, line, f->taps, f->length, nx);
        }
    }

    /* Along y, combine whole x rows of after_x into the pair's plane in the slot. */
    for (int pair = 0; pair < 4; pair++) {
        int bx = pair >> 1, by = pair & 1;
        double *dst;

        if (w->pair_index[pair] < 0)
            continue;
        dst = w->ring + (slot * (size_t)w->n_pairs + (size_t)w->pair_index[pair]) * plane;
        filter_lines(w->after_x[bx], nx, nx, my, by ? &w->hi[1] : &w->lo[1], dst, nx);
    }
}

/*
 * Computes the bands of one level from src into targets[code], each of
 * out_size voxels with x fastest. In a band code, bit 2 is high-pass along x,
 * bit 1 along y and bit 0 along z, so code 0 is LLL and codes run in

 * PyWavelets' key order aaa, aad, ..., ddd. A NULL target skips the band
 * and the passes only it needs.
 */
static void level_bands(level_work *w, const double *src, double *const targets[8])
{
    const axis_map *mz = &w->maps[2];
    size_t plane = w->out_size[0] * w->out_size[1];
    ptrdiff_t step = (ptrdiff_t)w->lo[2].dilation;
    int length = w->lo[2].length;
    ptrdiff_t shift = step * (length / 2);

    if (w->n_pairs == 0)
        return;
    for (size_t k = 0; k < w->out_size[2]; k++) {
        ptrdiff_t newest = (ptrdiff_t)k + shift;
        ptrdiff_t first = k == 0 ? newest - step * (length - 1) : newest;

        for (ptrdiff_t e = first; e <= newest; e++)
            fill_slot(w, src, e);
        for (int code = 0; code < RI_WAVELET_BANDS; code++) {
            const pass_filter *f = code & 1 ? &w->hi[2] : &w->lo[2];
            int pair = code >> 1;
            const double *line[RI_WAVELET_MAX_TAPS];
            double weight[RI_WAVELET_MAX_TAPS];
            int count = 0;

            if (targets[code] == NULL)
                continue;
            for (int m = 0; m < length; m++) {
                ptrdiff_t e = newest - step * m;
                size_t slot = (size_t)(e + mz->margin) % w->window;

                if (w->slot_source[slot] < 0)
                    continue;
                line[count] = w->ring +
                              (slot * (size_t)w->n_pairs + (size_t)w->pair_index[pair]) * plane;
                weight[count] = f->taps[m];
                count++;
            }
            combine_lines(targets[code] + k * plane, line, weight, count, plane);
        }
    }
}

/* ------------------------------------------------------------------ */
/* pyradiomics' transform                                               */

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
 * Runs one pyradiomics level, which transforms src (src_size) periodically
 * with period `padded` on every axis. Lower levels only produce the padded
 * LLL in next_approx, and the last level writes all 8 bands, cropped to
 * size, into by_code.

 */
static rad_status pyradiomics_level(const double *src, const size_t src_size[3],
                                    const size_t padded[3], const size_t size[3],
                                    const ri_wavelet_filter *filter, int last,
                                    double *next_approx, rad_volume **by_code,
                                    rad_error *error)
{
    pass_filter lo[3], hi[3];
    double *targets[8] = {NULL};
    int wanted[8] = {0};
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
            targets[c] = by_code[c] != NULL ? by_code[c]->data : NULL;
    for (int c = 0; c < RI_WAVELET_BANDS; c++)
        wanted[c] = targets[c] != NULL;

    status = level_work_init(&w, src_size, last ? size : padded, padded, lo, hi, wanted,
                             RI_BOUNDARY_PERIODIC, error);
    if (status != RAD_OK)
        return status;
    level_bands(&w, src, targets);
    level_work_free(&w);
    return RAD_OK;
}

rad_status ri_wavelet(const rad_volume *image, const char *wavelet, int level,
                      rad_volume *bands[RI_WAVELET_BANDS],
                      char band_names[RI_WAVELET_BANDS][32], rad_error *error)
{
    return ri_wavelet_some(image, wavelet, level, (1u << RI_WAVELET_BANDS) - 1, bands,
                           band_names, error);
}

rad_status ri_wavelet_some(const rad_volume *image, const char *wavelet, int level,
                           unsigned wanted, rad_volume *bands[RI_WAVELET_BANDS],
                           char band_names[RI_WAVELET_BANDS][32], rad_error *error)
{
    ri_wavelet_filter filter;
    rad_volume *by_code[RI_WAVELET_BANDS] = {NULL};
    size_t padded[3], count;
    double *approx = NULL, *next = NULL;
    rad_status status;

    if (image == NULL || bands == NULL || band_names == NULL)
        return ri_fail(error, RAD_ERR_ARGUMENT, "ri_wavelet: NULL argument");
    if (level < 1 || level > 8)
        return ri_fail(error, RAD_ERR_PARAMETER, "wavelet level %d; expected 1 to 8", level);
    status = ri_wavelet_filter_get(wavelet, &filter, error);
    if (status != RAD_OK)
        return status;

    /* Levels above 1 need the padded approximations of two levels. The
     * last level writes its cropped bands directly into the outputs. */
    for (int a = 0; a < 3; a++)
        padded[a] = image->size[a] + image->size[a] % 2;
    count = padded[0] * padded[1] * padded[2];
    if (level > 1) {
        approx = malloc(count * sizeof *approx);
        next = malloc(count * sizeof *next);
    }
    if (level > 1 && (approx == NULL || next == NULL)) {
        status = ri_fail(error, RAD_ERR_NO_MEMORY,
                         "cannot allocate wavelet buffers for %zu x %zu x %zu voxels",
                         padded[0], padded[1], padded[2]);
        goto done;
    }
    for (int c = 0; c < RI_WAVELET_BANDS; c++) {
        if (!(wanted >> output_position(c) & 1u))
            continue;
        status = ri_volume_like(image, &by_code[c], error);
        if (status != RAD_OK)
            goto done;
    }

    for (int lev = 1; lev <= level; lev++) {
        const double *src = lev == 1 ? image->data : approx;
        const size_t *src_size = lev == 1 ? image->size : padded;
        double *swap;

        status = pyradiomics_level(src, src_size, padded, image->size, &filter, lev == level,
                                   next, by_code, error);
        if (status != RAD_OK)
            goto done;
        swap = approx;
        approx = next;
        next = swap;
    }

    for (int c = 0; c < RI_WAVELET_BANDS; c++) {
        int p = output_position(c);

        if (by_code[c] != NULL)
            bands[p] = by_code[c];
        by_code[c] = NULL;
        band_name(c, level, band_names[p]);
    }

done:
    for (int c = 0; c < RI_WAVELET_BANDS; c++)
        rad_volume_free(by_code[c]);
    free(approx);
    free(next);
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
        int wanted[8] = {0};
        int code_now = lev == level ? code : 0;
        level_work w;
        double *swap;

        for (int a = 0; a < 3; a++) {
            lo[a] = (pass_filter){filter.low, filter.length, dilation};
            hi[a] = (pass_filter){filter.high, filter.length, dilation};
        }
        /* Lower levels need only the LLL; the last only the requested band. */
        targets[code_now] = next;
        wanted[code_now] = 1;
        status = level_work_init(&w, image->size, image->size, NULL, lo, hi, wanted, boundary,
                                 error);
        if (status != RAD_OK)
            goto done;
        level_bands(&w, current, targets);
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
