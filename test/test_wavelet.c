/*
 * test_wavelet.c - 3-D stationary wavelet filters (wavelet.c, rotation.c).
 *
 * References: PyWavelets, run at test time through a script that repeats
 * pyradiomics' padding and pywt.swtn calls. Direct triple sums written from
 * the definition, one voxel and level at a time, for every boundary rule
 * and for odd, even and tiny sizes. Also the energy identity of orthonormal
 * filter banks, the IBSI 2 reference response maps and closed forms of the
 * filter taps.
 */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "radiomics.h"
#include "testutil.h"

static const char *const wavelet_names[] = {"haar", "db2", "db3", "db4", "coif1"};
#define N_WAVELETS (sizeof wavelet_names / sizeof wavelet_names[0])

/* ------------------------------------------------------------------ */
/* Helpers                                                              */

static rad_volume *make_volume(size_t nx, size_t ny, size_t nz)
{
    size_t size[3] = {nx, ny, nz};
    double spacing[3] = {1, 1, 1}, origin[3] = {0, 0, 0};
    rad_volume *v = NULL;

    ck_assert_int_eq(rad_volume_create(size, spacing, origin, NULL, &v, NULL), RAD_OK);
    return v;
}

/* Fills v with CT-like values in [-1000, 3000) from a fixed-seed xorshift. */
static void fill_random(rad_volume *v, uint64_t seed)
{
    uint64_t s = seed * 2654435761u + 1;

    for (size_t i = 0; i < ri_voxel_count(v); i++) {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        v->data[i] = -1000.0 + 4000.0 * (double)(s >> 11) / 9007199254740992.0;
    }
}

static void free_bands(rad_volume *bands[RI_WAVELET_BANDS])
{
    for (int b = 0; b < RI_WAVELET_BANDS; b++)
        rad_volume_free(bands[b]);
}

static double sum_squares(const rad_volume *v)
{
    double s = 0;

    for (size_t i = 0; i < ri_voxel_count(v); i++)
        s += v->data[i] * v->data[i];
    return s;
}

static double now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* ------------------------------------------------------------------ */
/* Filter taps                                                          */

/* Closed forms of the reconstruction low-pass (dec_lo reversed), sum sqrt 2:
 * db2 (1+s3, 3+s3, 3-s3, 1-s3)/(4 sqrt 2) with s3 = sqrt 3;
 * db3 (sqrt 2/32)(1+r+q, 5+r+3q, 10-2r+2q, 10-2r-2q, 5+r-3q, 1+r-q) with
 *     r = sqrt 10, q = sqrt(5 + 2 sqrt 10);
 * coif1 (sqrt 2/32)(1-s7, 5+s7, 14+2 s7, 14-2 s7, 1-s7, -3+s7) with s7 = sqrt 7. */
START_TEST(filter_closed_forms)
{
    double s3 = sqrt(3.0), r = sqrt(10.0), q = sqrt(5 + 2 * sqrt(10.0)), s7 = sqrt(7.0);
    double c2 = 1 / (4 * sqrt(2.0)), c32 = sqrt(2.0) / 32;
    double db2[4] = {(1 + s3) * c2, (3 + s3) * c2, (3 - s3) * c2, (1 - s3) * c2};
    double db3[6] = {(1 + r + q) * c32,         (5 + r + 3 * q) * c32,
                     (10 - 2 * r + 2 * q) * c32, (10 - 2 * r - 2 * q) * c32,
                     (5 + r - 3 * q) * c32,     (1 + r - q) * c32};
    double coif1[6] = {(1 - s7) * c32,         (5 + s7) * c32, (14 + 2 * s7) * c32,
                       (14 - 2 * s7) * c32,    (1 - s7) * c32, (-3 + s7) * c32};
    const struct {
        const char *name;
        const double *rec_lo;
        int length;
    } cases[] = {{"db2", db2, 4}, {"db3", db3, 6}, {"coif1", coif1, 6}};
    ri_wavelet_filter f;

    ck_assert_int_eq(ri_wavelet_filter_get("haar", &f, NULL), RAD_OK);
    ck_assert_int_eq(f.length, 2);
    ck_assert_double_eq_tol(f.low[0], 1 / sqrt(2.0), 1e-15);
    ck_assert_double_eq_tol(f.high[0], -1 / sqrt(2.0), 1e-15);
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        ck_assert_int_eq(ri_wavelet_filter_get(cases[c].name, &f, NULL), RAD_OK);
        ck_assert_int_eq(f.length, cases[c].length);
        /* PyWavelets' stored taps deviate from the closed forms by < 4e-13. */
        for (int k = 0; k < f.length; k++)
            ck_assert_double_eq_tol(f.low[k], cases[c].rec_lo[f.length - 1 - k], 1e-11);
    }
}
END_TEST

/* Orthonormal filter bank identities: sum h = sqrt 2, sum g = 0,
 * sum_k h[k] h[k+2n] = delta(n), the same for g, sum_k h[k] g[k+2n] = 0, and
 * for dbN the high-pass kills polynomials of degree < N:
 * sum_k k^p g[k] = 0 for p < N (tolerances 1e-11; 1e-8 for moments, whose
 * k^p weights reach 7^3). */
START_TEST(filter_identities)
{
    for (size_t w = 0; w < N_WAVELETS; w++) {
        ri_wavelet_filter f;
        double sum_lo = 0, sum_hi = 0;
        int vanishing = 0;

        ck_assert_int_eq(ri_wavelet_filter_get(wavelet_names[w], &f, NULL), RAD_OK);
        for (int k = 0; k < f.length; k++) {
            sum_lo += f.low[k];
            sum_hi += f.high[k];
        }
        ck_assert_double_eq_tol(sum_lo, sqrt(2.0), 1e-11);
        ck_assert_double_eq_tol(sum_hi, 0.0, 1e-11);
        for (int n = 0; 2 * n < f.length; n++) {
            double ll = 0, hh = 0, lh = 0, hl = 0;
            for (int k = 0; k + 2 * n < f.length; k++) {
                ll += f.low[k] * f.low[k + 2 * n];
                hh += f.high[k] * f.high[k + 2 * n];
                lh += f.low[k] * f.high[k + 2 * n];
                hl += f.high[k] * f.low[k + 2 * n];
            }
            ck_assert_double_eq_tol(ll, n == 0 ? 1.0 : 0.0, 1e-11);
            ck_assert_double_eq_tol(hh, n == 0 ? 1.0 : 0.0, 1e-11);
            ck_assert_double_eq_tol(lh, 0.0, 1e-11);
            ck_assert_double_eq_tol(hl, 0.0, 1e-11);
        }
        if (strncmp(wavelet_names[w], "db", 2) == 0)
            vanishing = atoi(wavelet_names[w] + 2);
        else if (strcmp(wavelet_names[w], "coif1") == 0)
            vanishing = 2;
        else
            vanishing = 1;
        for (int p = 0; p < vanishing; p++) {
            double moment = 0;
            for (int k = 0; k < f.length; k++)
                moment += pow(k, p) * f.high[k];
            ck_assert_double_eq_tol(moment, 0.0, 1e-8);
        }
    }
}
END_TEST

START_TEST(filter_unknown_name)
{
    ri_wavelet_filter f;
    rad_error *error = rad_error_create();

    ck_assert_ptr_nonnull(error);
    ck_assert_int_eq(ri_wavelet_filter_get("sym5", &f, error), RAD_ERR_PARAMETER);
    ck_assert_ptr_nonnull(strstr(rad_error_message(error), "sym5"));
    rad_error_free(error);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Against a direct triple sum                                          */

/*
 * y[i,j,k] = sum_{a,b,c} hx[a] hy[b] hz[c] xp[i+F/2-a, j+F/2-b, k+F/2-c],
 * indices taken modulo the padded size P = n + (n mod 2) and xp[t] =
 * x[t mod n] (pyradiomics' wrap padding followed by PyWavelets' periodic swt).
 */
static double direct_band(const rad_volume *x, const ri_wavelet_filter *f, int code, size_t i,
                          size_t j, size_t k)
{
    const double *h[3];
    size_t p[3], at[3] = {i, j, k};
    int F = f->length;
    double sum = 0;

    for (int a = 0; a < 3; a++) {
        h[a] = (code >> (2 - a)) & 1 ? f->high : f->low;
        p[a] = x->size[a] + x->size[a] % 2;
    }
    for (int a = 0; a < F; a++)
        for (int b = 0; b < F; b++)
            for (int c = 0; c < F; c++) {
                int tap[3] = {a, b, c};
                size_t q[3];
                for (int d = 0; d < 3; d++) {
                    long t = (long)at[d] + F / 2 - tap[d];
                    long P = (long)p[d];
                    q[d] = (size_t)(((t % P) + P) % P) % x->size[d];
                }
                sum += h[0][a] * h[1][b] * h[2][c] * x->data[ri_index(x, q[0], q[1], q[2])];
            }
    return sum;
}

START_TEST(pyradiomics_matches_direct_sum)
{
    const char *letters[RI_WAVELET_BANDS] = {"LLH", "LHL", "LHH", "HLL", "HLH", "HHL", "HHH", "LLL"};

    for (size_t w = 0; w < N_WAVELETS; w++) {
        rad_volume *x = make_volume(7, 6, 5);
        rad_volume *bands[RI_WAVELET_BANDS] = {NULL};
        char names[RI_WAVELET_BANDS][32];
        ri_wavelet_filter f;
        double max_dev = 0;

        fill_random(x, 11 + w);
        ck_assert_int_eq(ri_wavelet_filter_get(wavelet_names[w], &f, NULL), RAD_OK);
        ck_assert_int_eq(ri_wavelet(x, wavelet_names[w], 1, bands, names, NULL), RAD_OK);
        for (int b = 0; b < RI_WAVELET_BANDS; b++) {
            char expected[32];
            int code = 0;

            snprintf(expected, sizeof expected, "wavelet-%s", letters[b]);
            ck_assert_str_eq(names[b], expected);
            for (int a = 0; a < 3; a++)
                code = code * 2 + (letters[b][a] == 'H');
            for (size_t k = 0; k < 5; k++)
                for (size_t j = 0; j < 6; j++)
                    for (size_t i = 0; i < 7; i++) {
                        double d = fabs(bands[b]->data[ri_index(x, i, j, k)] -
                                        direct_band(x, &f, code, i, j, k));
                        if (d > max_dev)
                            max_dev = d;
                    }
        }
        /* Values up to 3000, 512 products per voxel: rounding stays below 1e-9. */
        ck_assert_double_le(max_dev, 1e-9);
        free_bands(bands);
        rad_volume_free(x);
    }
}
END_TEST

/* ------------------------------------------------------------------ */
/* Energy identity and constant images                                  */

/*
 * For an orthonormal pair (h, g) the periodic undecimated 1-D step gives
 * sum a^2 + sum d^2 = 2 sum x^2, because |H(w)|^2 + |G(w)|^2 = 2. Applied
 * along 3 axes, the 8 bands of one level contain 2^3 = 8 times the input
 * energy, and each further pyradiomics level (filtering the LLL again)
 * contains 8 times the energy of the LLL it starts from. Even sizes only, so
 * that no padding voxel is cropped away. Relative tolerance 1e-12.
 */
START_TEST(energy_identity)
{
    for (size_t w = 0; w < N_WAVELETS; w++) {
        rad_volume *x = make_volume(16, 12, 10);
        rad_volume *level1[RI_WAVELET_BANDS] = {NULL}, *level2[RI_WAVELET_BANDS] = {NULL};
        char names[RI_WAVELET_BANDS][32];
        double e_in, e1 = 0, e2 = 0;

        fill_random(x, 100 + w);
        e_in = sum_squares(x);
        ck_assert_int_eq(ri_wavelet(x, wavelet_names[w], 1, level1, names, NULL), RAD_OK);
        ck_assert_int_eq(ri_wavelet(x, wavelet_names[w], 2, level2, names, NULL), RAD_OK);
        ck_assert_str_eq(names[0], "wavelet2-LLH");
        ck_assert_str_eq(names[7], "wavelet2-LLL");
        for (int b = 0; b < RI_WAVELET_BANDS; b++) {
            e1 += sum_squares(level1[b]);
            e2 += sum_squares(level2[b]);
        }
        ck_assert_double_eq_tol(e1 / e_in, 8.0, 8e-12);
        ck_assert_double_eq_tol(e2 / sum_squares(level1[7]), 8.0, 8e-12);
        free_bands(level1);
        free_bands(level2);
        rad_volume_free(x);
    }
}
END_TEST

/* A constant c gives LLL = c (sum h)^3 = c 2 sqrt 2 per level and zero
 * detail bands (sum g = 0); odd size so that the padding path runs.
 * Tolerance 1e-12 |c| (taps sum to sqrt 2 within 1e-12). */
START_TEST(constant_image)
{
    const double c = 123.25;

    for (size_t w = 0; w < N_WAVELETS; w++) {
        for (int level = 1; level <= 2; level++) {
            rad_volume *x = make_volume(9, 7, 5);
            rad_volume *bands[RI_WAVELET_BANDS] = {NULL};
            char names[RI_WAVELET_BANDS][32];
            double lll = c * pow(2 * sqrt(2.0), level);

            for (size_t i = 0; i < ri_voxel_count(x); i++)
                x->data[i] = c;
            ck_assert_int_eq(ri_wavelet(x, wavelet_names[w], level, bands, names, NULL),
                             RAD_OK);
            for (size_t i = 0; i < ri_voxel_count(x); i++) {
                for (int b = 0; b < RI_WAVELET_BANDS - 1; b++)
                    ck_assert_double_eq_tol(bands[b]->data[i], 0.0, 1e-12 * c);
                ck_assert_double_eq_tol(bands[7]->data[i], lll, 1e-12 * c);
            }
            free_bands(bands);
            rad_volume_free(x);
        }
    }
}
END_TEST

START_TEST(invalid_arguments)
{
    rad_volume *x = make_volume(4, 4, 4);
    rad_volume *bands[RI_WAVELET_BANDS] = {NULL}, *out = NULL;
    char names[RI_WAVELET_BANDS][32];

    ck_assert_int_eq(ri_wavelet(x, "coif1", 0, bands, names, NULL), RAD_ERR_PARAMETER);
    ck_assert_int_eq(ri_wavelet(x, "bior1.3", 1, bands, names, NULL), RAD_ERR_PARAMETER);
    ck_assert_int_eq(ri_wavelet(NULL, "coif1", 1, bands, names, NULL), RAD_ERR_ARGUMENT);
    for (int b = 0; b < RI_WAVELET_BANDS; b++)
        ck_assert_ptr_null(bands[b]);
    ck_assert_int_eq(ri_wavelet_ibsi(x, "coif1", "LXL", 1, RI_BOUNDARY_ZERO, &out, NULL),
                     RAD_ERR_PARAMETER);
    ck_assert_int_eq(ri_wavelet_ibsi(x, "coif1", "LL", 1, RI_BOUNDARY_ZERO, &out, NULL),
                     RAD_ERR_PARAMETER);
    ck_assert_ptr_null(out);
    rad_volume_free(x);
}
END_TEST

/*
 * Boundary rules by hand on x = (1, 2, 3, 4) along x, size 1 along y and z.
 * Haar L is y[i] = (x[i+1] + x[i]) / sqrt 2. Along y and z the single voxel
 * is repeated by every rule but zero, so L there multiplies by sqrt 2 (by
 * 1 / sqrt 2 with zero extension): LLL[3] = f (x[4] + 4) / sqrt 2 with
 * f = 2 (1/2 for zero) and the extension x[4] = 1 (periodic), 4 (symmetric,
 * IBSI mirror), 3 (whole-sample mirror) or 0 (zero). The IBSI maps cannot tell symmetric from
 * whole-sample mirror, so this is their only check. Tolerance 1e-12.
 */
START_TEST(ibsi_boundary_rules)
{
    const struct {
        ri_boundary boundary;
        double extension, yz_factor;
    } cases[] = {{RI_BOUNDARY_PERIODIC, 1, 2},
                 {RI_BOUNDARY_SYMMETRIC, 4, 2},
                 {RI_BOUNDARY_MIRROR, 3, 2},
                 {RI_BOUNDARY_ZERO, 0, 0.5}};

    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        rad_volume *x = make_volume(4, 1, 1), *out = NULL;

        for (int i = 0; i < 4; i++)
            x->data[i] = i + 1;
        ck_assert_int_eq(ri_wavelet_ibsi(x, "haar", "LLL", 1, cases[c].boundary, &out, NULL),
                         RAD_OK);
        ck_assert_double_eq_tol(out->data[3],
                                cases[c].yz_factor * (cases[c].extension + 4) / sqrt(2.0), 1e-12);
        ck_assert_double_eq_tol(out->data[0], cases[c].yz_factor * (2 + 1) / sqrt(2.0), 1e-12);
        rad_volume_free(out);
        rad_volume_free(x);
    }
}
END_TEST

/* The IBSI path with periodic boundary equals pyradiomics' on even sizes at
 * level 1 (no padding there); tolerance 1e-9 for values up to 3000. */
START_TEST(ibsi_periodic_equals_pyradiomics)
{
    const char *letters[RI_WAVELET_BANDS] = {"LLH", "LHL", "LHH", "HLL", "HLH", "HHL", "HHH", "LLL"};
    rad_volume *x = make_volume(10, 8, 6);
    rad_volume *bands[RI_WAVELET_BANDS] = {NULL};
    char names[RI_WAVELET_BANDS][32];

    fill_random(x, 5);
    ck_assert_int_eq(ri_wavelet(x, "db3", 1, bands, names, NULL), RAD_OK);
    for (int b = 0; b < RI_WAVELET_BANDS; b++) {
        rad_volume *one = NULL;
        ck_assert_int_eq(ri_wavelet_ibsi(x, "db3", letters[b], 1, RI_BOUNDARY_PERIODIC, &one,
                                         NULL),
                         RAD_OK);
        for (size_t i = 0; i < ri_voxel_count(x); i++)
            ck_assert_double_eq_tol(one->data[i], bands[b]->data[i], 1e-9);
        rad_volume_free(one);
    }
    free_bands(bands);
    rad_volume_free(x);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Against a slow twin: one direct triple sum per voxel and level       */

/*
 * Source index of extended position t on an axis of n voxels, found by
 * folding t back one period or reflection at a time. Returns -1 where the
 * zero extension applies.
 */
static long twin_source_index(long t, long n, ri_boundary boundary)
{
    switch (boundary) {
    case RI_BOUNDARY_PERIODIC:
        while (t < 0)
            t += n;
        while (t >= n)
            t -= n;
        return t;
    case RI_BOUNDARY_SYMMETRIC: /* edge sample repeated: ... b a | a b ... */
        while (t < 0 || t >= n)
            t = t < 0 ? -1 - t : 2 * n - 1 - t;
        return t;
    case RI_BOUNDARY_MIRROR: /* edge sample not repeated: ... c b | a b c ... */
        if (n == 1)
            return 0;
        while (t < 0 || t >= n)
            t = t < 0 ? -t : 2 * n - 2 - t;
        return t;
    case RI_BOUNDARY_ZERO:
    default:
        return t < 0 || t >= n ? -1 : t;
    }
}

/*
 * One undecimated level by its definition: out[i, j, k] is the sum over
 * taps a, b, c of hx[a] hy[b] hz[c] x(i + d F/2 - d a, j + d F/2 - d b,
 * k + d F/2 - d c). Here x is extended by the boundary rule, d is the
 * dilation, and band code selects low- or high-pass taps per axis.
 */
static rad_volume *twin_level(const rad_volume *x, const ri_wavelet_filter *f, int code,
                              long dilation, ri_boundary boundary)
{
    rad_volume *out = make_volume(x->size[0], x->size[1], x->size[2]);
    const double *h[3];
    long n[3], F = f->length;

    for (int a = 0; a < 3; a++) {
        h[a] = (code >> (2 - a)) & 1 ? f->high : f->low;
        n[a] = (long)x->size[a];
    }
    for (long k = 0; k < n[2]; k++)
        for (long j = 0; j < n[1]; j++)
            for (long i = 0; i < n[0]; i++) {
                double sum = 0;

                for (long c = 0; c < F; c++)
                    for (long b = 0; b < F; b++)
                        for (long a = 0; a < F; a++) {
                            long at[3] = {i, j, k}, tap[3] = {a, b, c}, q[3];
                            int outside = 0;

                            for (int d = 0; d < 3; d++) {
                                q[d] = twin_source_index(at[d] + dilation * (F / 2) -
                                                             dilation * tap[d],
                                                         n[d], boundary);
                                outside |= q[d] < 0;
                            }
                            if (!outside)
                                sum += h[0][a] * h[1][b] * h[2][c] *
                                       x->data[ri_index(x, (size_t)q[0], (size_t)q[1],
                                                        (size_t)q[2])];
                        }
                out->data[ri_index(out, (size_t)i, (size_t)j, (size_t)k)] = sum;
            }
    return out;
}

/* IBSI's a trous transform by its steps: LLL with dilations 1, 2, ...,
 * 2^(level-2), then the band's filters with dilation 2^(level-1). */
static rad_volume *twin_ibsi(const rad_volume *x, const ri_wavelet_filter *f, int code,
                             int level, ri_boundary boundary)
{
    rad_volume *current = make_volume(x->size[0], x->size[1], x->size[2]);
    long dilation = 1;

    memcpy(current->data, x->data, ri_voxel_count(x) * sizeof *x->data);
    for (int lev = 1; lev <= level; lev++) {
        rad_volume *next = twin_level(current, f, lev == level ? code : 0, dilation, boundary);

        rad_volume_free(current);
        current = next;
        dilation *= 2;
    }
    return current;
}

/* pyradiomics' transform by its steps: pad each odd size by one voxel that
 * repeats index 0, filter every level periodically over the padded size
 * (the LLL of one level is the input of the next), crop to the input size. */
static rad_volume *twin_pyradiomics(const rad_volume *x, const ri_wavelet_filter *f, int code,
                                    int level)
{
    size_t n[3], p[3];
    rad_volume *current, *out;

    for (int a = 0; a < 3; a++) {
        n[a] = x->size[a];
        p[a] = n[a] + n[a] % 2;
    }
    current = make_volume(p[0], p[1], p[2]);
    for (size_t k = 0; k < p[2]; k++)
        for (size_t j = 0; j < p[1]; j++)
            for (size_t i = 0; i < p[0]; i++)
                current->data[ri_index(current, i, j, k)] =
                    x->data[ri_index(x, i % n[0], j % n[1], k % n[2])];
    for (int lev = 1; lev <= level; lev++) {
        rad_volume *next = twin_level(current, f, lev == level ? code : 0, 1,
                                      RI_BOUNDARY_PERIODIC);

        rad_volume_free(current);
        current = next;
    }
    out = make_volume(n[0], n[1], n[2]);
    for (size_t k = 0; k < n[2]; k++)
        for (size_t j = 0; j < n[1]; j++)
            for (size_t i = 0; i < n[0]; i++)
                out->data[ri_index(out, i, j, k)] = current->data[ri_index(current, i, j, k)];
    rad_volume_free(current);
    return out;
}

/*
 * Largest |a - b| allowed between the fast transform and its twin: 1e-12
 * of the largest magnitude a band of `level` levels can reach, max |x|
 * times the L1 norm of the taps to the power 3 level. Both sum the same
 * products in different orders, and that rounding stays far below this bound.
 */
static double twin_tolerance(const rad_volume *x, const ri_wavelet_filter *f, int level)
{
    double max_x = 0, l1_low = 0, l1_high = 0;

    for (size_t v = 0; v < ri_voxel_count(x); v++)
        max_x = fmax(max_x, fabs(x->data[v]));
    for (int m = 0; m < f->length; m++) {
        l1_low += fabs(f->low[m]);
        l1_high += fabs(f->high[m]);
    }
    return 1e-12 * max_x * pow(fmax(l1_low, l1_high), 3.0 * level);
}

static double max_abs_difference(const rad_volume *a, const rad_volume *b)
{
    double worst = 0;

    for (size_t v = 0; v < ri_voxel_count(a); v++)
        worst = fmax(worst, fabs(a->data[v] - b->data[v]));
    return worst;
}

/* Random volumes with all sizes even, all odd, and sizes below the filter
 * length (so that the extension wraps or reflects more than once). */
static const size_t twin_sizes[][3] = {{6, 4, 8}, {5, 7, 3}, {3, 1, 2}};
#define N_TWIN_SIZES (sizeof twin_sizes / sizeof twin_sizes[0])

START_TEST(ibsi_matches_twin)
{
    const char *letters[RI_WAVELET_BANDS] = {"LLL", "LLH", "LHL", "LHH",
                                             "HLL", "HLH", "HHL", "HHH"};
    const ri_boundary boundaries[] = {RI_BOUNDARY_PERIODIC, RI_BOUNDARY_SYMMETRIC,
                                      RI_BOUNDARY_MIRROR, RI_BOUNDARY_ZERO};

    for (size_t s = 0; s < N_TWIN_SIZES; s++) {
        rad_volume *x = make_volume(twin_sizes[s][0], twin_sizes[s][1], twin_sizes[s][2]);

        fill_random(x, 40 + s);
        for (size_t w = 0; w < N_WAVELETS; w++) {
            ri_wavelet_filter f;

            ck_assert_int_eq(ri_wavelet_filter_get(wavelet_names[w], &f, NULL), RAD_OK);
            for (size_t bd = 0; bd < sizeof boundaries / sizeof boundaries[0]; bd++)
                for (int level = 1; level <= 3; level++)
                    for (int code = 0; code < RI_WAVELET_BANDS; code++) {
                        rad_volume *fast = NULL, *twin;
                        double difference;

                        ck_assert_int_eq(ri_wavelet_ibsi(x, wavelet_names[w], letters[code],
                                                         level, boundaries[bd], &fast, NULL),
                                         RAD_OK);
                        twin = twin_ibsi(x, &f, code, level, boundaries[bd]);
                        difference = max_abs_difference(fast, twin);
                        ck_assert_msg(difference <= twin_tolerance(x, &f, level),
                                      "%zu x %zu x %zu, %s, %s, level %d, boundary %d: max "
                                      "|difference| %g",
                                      twin_sizes[s][0], twin_sizes[s][1], twin_sizes[s][2],
                                      wavelet_names[w], letters[code], level,
                                      (int)boundaries[bd], difference);
                        rad_volume_free(fast);
                        rad_volume_free(twin);
                    }
        }
        rad_volume_free(x);
    }
}
END_TEST

START_TEST(pyradiomics_matches_twin)
{
    for (size_t s = 0; s < N_TWIN_SIZES; s++) {
        rad_volume *x = make_volume(twin_sizes[s][0], twin_sizes[s][1], twin_sizes[s][2]);

        fill_random(x, 60 + s);
        for (size_t w = 0; w < N_WAVELETS; w++) {
            ri_wavelet_filter f;

            ck_assert_int_eq(ri_wavelet_filter_get(wavelet_names[w], &f, NULL), RAD_OK);
            for (int level = 1; level <= 3; level++) {
                rad_volume *bands[RI_WAVELET_BANDS] = {NULL};
                char names[RI_WAVELET_BANDS][32];

                ck_assert_int_eq(ri_wavelet(x, wavelet_names[w], level, bands, names, NULL),
                                 RAD_OK);
                /* Output position b contains band code b + 1, and position 7 the LLL (code 0). */
                for (int b = 0; b < RI_WAVELET_BANDS; b++) {
                    int code = (b + 1) % RI_WAVELET_BANDS;
                    rad_volume *twin = twin_pyradiomics(x, &f, code, level);
                    double difference = max_abs_difference(bands[b], twin);

                    ck_assert_msg(difference <= twin_tolerance(x, &f, level),
                                  "%zu x %zu x %zu, %s, %s, level %d: max |difference| %g",
                                  twin_sizes[s][0], twin_sizes[s][1], twin_sizes[s][2],
                                  wavelet_names[w], names[b], level, difference);
                    rad_volume_free(twin);
                }
                free_bands(bands);
            }
        }
        rad_volume_free(x);
    }
}
END_TEST

/* ------------------------------------------------------------------ */
/* Against PyWavelets                                                   */

/*
 * Repeats pyradiomics' _swt3 (imageoperations.py, version 3.1): wrap-pad odd
 * sizes by one, one pywt.swtn(level=1, start_level=0, axes=(2, 1, 0)) per
 * level on the previous approximation, crop, names from the keys (a -> L,
 * d -> H), details in key order, then the approximation. Arguments: input
 * file, output file, nx, ny, nz, wavelet, level. Prints the band names.
 */
static const char pywt_script[] =
    "import sys, numpy as np, pywt\n"
    "src, dst, wav = sys.argv[1], sys.argv[2], sys.argv[6]\n"
    "nx, ny, nz, level = (int(v) for v in (sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[7]))\n"
    "a = np.fromfile(src, dtype=\"<f8\").reshape(nz, ny, nx)\n"
    "shape = a.shape\n"
    "data = np.pad(a, tuple((0, 1 if d % 2 else 0) for d in shape), \"wrap\")\n"
    "crop = tuple(slice(None, -1 if d % 2 else None) for d in shape)\n"
    "for i in range(level):\n"
    "    dec = pywt.swtn(data, wav, level=1, start_level=0, axes=(2, 1, 0))[0]\n"
    "    data = dec[\"aaa\"].copy()\n"
    "tag = \"\" if level == 1 else str(level)\n"
    "with open(dst, \"wb\") as f:\n"
    "    for k, v in dec.items():\n"
    "        if k == \"aaa\":\n"
    "            continue\n"
    "        print(\"wavelet%s-%s\" % (tag, k.replace(\"a\", \"L\").replace(\"d\", \"H\")))\n"
    "        np.ascontiguousarray(v[crop]).astype(\"<f8\").tofile(f)\n"
    "    print(\"wavelet%s-LLL\" % tag)\n"
    "    np.ascontiguousarray(data[crop]).astype(\"<f8\").tofile(f)\n";

/* First interpreter that imports pywt and numpy: $PYTHON3, Debian's
 * /usr/bin/python3 (where python3-pywt installs), then python3 on PATH. */
static const char *find_python(void)
{
    static char chosen[512];
    const char *candidates[3] = {getenv("PYTHON3"), "/usr/bin/python3", "python3"};

    for (int c = 0; c < 3; c++) {
        char command[700];
        if (candidates[c] == NULL || candidates[c][0] == '\0')
            continue;
        snprintf(command, sizeof command, "'%s' -c 'import pywt, numpy' >/dev/null 2>&1",
                 candidates[c]);
        if (system(command) == 0) {
            snprintf(chosen, sizeof chosen, "%s", candidates[c]);
            return chosen;
        }
    }
    return NULL;
}

static void compare_with_pywt(size_t nx, size_t ny, size_t nz, const char *wavelet, int level)
{
    const char *python = find_python();
    const char *dir;
    char in_path[400], out_path[400], command[4096], line[64];
    rad_volume *x, *bands[RI_WAVELET_BANDS] = {NULL};
    char names[RI_WAVELET_BANDS][32];
    size_t count = nx * ny * nz;
    double *expected, max_dev = 0;
    FILE *f, *pipe;
    int b = 0;

    if (python == NULL) {
        printf("SKIP PyWavelets comparison (%s): no python3 imports pywt and numpy "
               "(apt-get install python3-pywt python3-numpy)\n", wavelet);
        return;
    }
    dir = test_temp_dir();
    snprintf(in_path, sizeof in_path, "%s/input.f64", dir);
    snprintf(out_path, sizeof out_path, "%s/bands.f64", dir);

    x = make_volume(nx, ny, nz);
    fill_random(x, nx * 7 + ny);
    f = fopen(in_path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(x->data, sizeof(double), count, f), count);
    ck_assert_int_eq(fclose(f), 0);

    snprintf(command, sizeof command, "'%s' -c '%s' '%s' '%s' %zu %zu %zu %s %d", python,
             pywt_script, in_path, out_path, nx, ny, nz, wavelet, level);
    pipe = popen(command, "r");
    ck_assert_ptr_nonnull(pipe);
    ck_assert_int_eq(ri_wavelet(x, wavelet, level, bands, names, NULL), RAD_OK);
    while (fgets(line, sizeof line, pipe) != NULL && b < RI_WAVELET_BANDS) {
        line[strcspn(line, "\n")] = '\0';
        ck_assert_str_eq(names[b], line);
        b++;
    }
    ck_assert_int_eq(pclose(pipe), 0);
    ck_assert_int_eq(b, RI_WAVELET_BANDS);

    expected = malloc(count * sizeof *expected);
    ck_assert_ptr_nonnull(expected);
    f = fopen(out_path, "rb");
    ck_assert_ptr_nonnull(f);
    for (b = 0; b < RI_WAVELET_BANDS; b++) {
        ck_assert_uint_eq(fread(expected, sizeof(double), count, f), count);
        for (size_t i = 0; i < count; i++) {
            double d = fabs(bands[b]->data[i] - expected[i]);
            if (d > max_dev)
                max_dev = d;
        }
    }
    fclose(f);
    printf("PyWavelets %s level %d %zux%zux%zu: max |difference| %.3g\n", wavelet, level, nx,
           ny, nz, max_dev);
    /* Inputs in [-1000, 3000): double rounding of 2 + 4 + 8 passes. */
    ck_assert_double_le(max_dev, 1e-10);

    free(expected);
    free_bands(bands);
    rad_volume_free(x);
    unlink(in_path);
    unlink(out_path);
    rmdir(dir);
}

START_TEST(pywt_coif1_odd) { compare_with_pywt(37, 41, 29, "coif1", 1); }
END_TEST
START_TEST(pywt_coif1_even) { compare_with_pywt(64, 64, 64, "coif1", 1); }
END_TEST
START_TEST(pywt_haar_odd) { compare_with_pywt(37, 41, 29, "haar", 1); }
END_TEST
START_TEST(pywt_haar_even) { compare_with_pywt(64, 64, 64, "haar", 1); }
END_TEST
START_TEST(pywt_db2_odd) { compare_with_pywt(37, 41, 29, "db2", 1); }
END_TEST
START_TEST(pywt_db2_even) { compare_with_pywt(64, 64, 64, "db2", 1); }
END_TEST
START_TEST(pywt_db3_db4_odd)
{
    compare_with_pywt(15, 9, 11, "db3", 1);
    compare_with_pywt(15, 9, 11, "db4", 1);
}
END_TEST
START_TEST(pywt_coif1_level2_odd) { compare_with_pywt(21, 18, 13, "coif1", 2); }
END_TEST

/* ------------------------------------------------------------------ */
/* IBSI 2 response maps                                                 */

typedef struct ibsi_config {
    const char *wavelet;
    const char *band;
    int level;
    ri_boundary boundary;
} ibsi_config;

static rad_status ibsi_filter(const rad_volume *in, rad_volume **out, void *user,
                              rad_error *error)
{
    const ibsi_config *c = user;
    return ri_wavelet_ibsi(in, c->wavelet, c->band, c->level, c->boundary, out, error);
}

/*
 * IBSI 2 compliance: every voxel within 1 % of the reference map's range.
 * The configurations are those of the reference data's description (from
 * MIRP's IBSI 2 test settings): 5 = db2 LHL on the impulse with zero
 * padding, 6 = coif1 HHL on the sphere, periodic, 7 = Haar level 2 LLL and
 * HHH on the checkerboard with IBSI's mirror boundary (scipy "reflect").
 */
static void check_ibsi_map(const char *phantom, const char *map_name, ibsi_config config,
                           int rotation_invariant)
{
    char phantom_path[1024], map_path[1024], relative[256];
    rad_volume *image = NULL, *reference = NULL, *response = NULL;
    rad_error *error = rad_error_create();
    double lo = INFINITY, hi = -INFINITY, max_dev = 0;
    rad_status status;

    snprintf(relative, sizeof relative, "ibsi_2_digital_phantom/nifti/%s/image/%s.nii.gz",
             phantom, phantom);
    if (!test_refdata_path(phantom_path, sizeof phantom_path, relative, "IBSI 2 phantom"))
        goto done;
    snprintf(relative, sizeof relative, "ibsi_2_reference_data/reference_response_maps/%s",
             map_name);
    if (!test_refdata_path(map_path, sizeof map_path, relative, "IBSI 2 response map"))
        goto done;
    ck_assert_msg(rad_volume_read(phantom_path, &image, error) == RAD_OK, "%s",
                  rad_error_message(error));
    ck_assert_msg(rad_volume_read(map_path, &reference, error) == RAD_OK, "%s",
                  rad_error_message(error));
    for (int a = 0; a < 3; a++)
        ck_assert_uint_eq(image->size[a], reference->size[a]);

    if (rotation_invariant)
        status = ri_rotation_mean(image, ibsi_filter, &config, &response, error);
    else
        status = ibsi_filter(image, &response, &config, error);
    ck_assert_msg(status == RAD_OK, "%s", rad_error_message(error));

    for (size_t i = 0; i < ri_voxel_count(reference); i++) {
        double d = fabs(response->data[i] - reference->data[i]);
        lo = fmin(lo, reference->data[i]);
        hi = fmax(hi, reference->data[i]);
        if (d > max_dev)
            max_dev = d;
    }
    printf("IBSI 2 %s: max |difference| %.4g, reference range %.4g (%.3g %%)\n", map_name,
           max_dev, hi - lo, 100 * max_dev / (hi - lo));
    ck_assert_double_le(max_dev, 0.01 * (hi - lo));

done:
    rad_volume_free(image);
    rad_volume_free(reference);
    rad_volume_free(response);
    rad_error_free(error);
}

START_TEST(ibsi_5a1_db2_impulse)
{
    check_ibsi_map("impulse", "5_a_1-ValidCRM.nii", (ibsi_config){"db2", "LHL", 1, RI_BOUNDARY_ZERO}, 0);
}
END_TEST
START_TEST(ibsi_5a2_db2_impulse_rotation)
{
    check_ibsi_map("impulse", "5_a_2-ValidCRM.nii", (ibsi_config){"db2", "LHL", 1, RI_BOUNDARY_ZERO}, 1);
}
END_TEST
START_TEST(ibsi_6a1_coif1_sphere)
{
    check_ibsi_map("sphere", "6_a_1-ValidCRM.nii",
                   (ibsi_config){"coif1", "HHL", 1, RI_BOUNDARY_PERIODIC}, 0);
}
END_TEST
START_TEST(ibsi_6a2_coif1_sphere_rotation)
{
    check_ibsi_map("sphere", "6_a_2-ValidCRM.nii",
                   (ibsi_config){"coif1", "HHL", 1, RI_BOUNDARY_PERIODIC}, 1);
}
END_TEST
START_TEST(ibsi_7a1_haar_lll_level2)
{
    check_ibsi_map("checkerboard", "7_a_1-ValidCRM.nii",
                   (ibsi_config){"haar", "LLL", 2, RI_BOUNDARY_SYMMETRIC}, 1);
}
END_TEST
START_TEST(ibsi_7a2_haar_hhh_level2)
{
    check_ibsi_map("checkerboard", "7_a_2-ValidCRM.nii",
                   (ibsi_config){"haar", "HHH", 2, RI_BOUNDARY_SYMMETRIC}, 1);
}
END_TEST

/* ------------------------------------------------------------------ */
/* pyradiomics' own wavelet baseline                                    */

/*
 * pyradiomics' data/baseline/wavelet.npy cannot serve as a reference. Its
 * generator (tests/add_baseline.py, generateWaveletBaseline) stores the
 * masked voxels of the input image under each band name instead of the band.
 * Its test images test_wavelet_64x64x64 / 37x37x37 are files downloaded
 * from a GitHub release, not made by code. This test confirms the first
 * point on the file (8 equal uint8 rows) and reports the skip.
 */
START_TEST(pyradiomics_baseline_is_not_band_data)
{
    char path[1024], header[256];
    unsigned char *rows;
    unsigned short header_len;
    size_t n = 0, row_len;
    FILE *f;

    if (!test_refdata_path(path, sizeof path, "pyradiomics/data/baseline/wavelet.npy",
                           "pyradiomics wavelet baseline"))
        return;
    f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    /* .npy version 1: magic (6), version (2), header length (2, little-endian), header. */
    ck_assert_uint_eq(fread(header, 1, 10, f), 10);
    ck_assert_int_eq(memcmp(header, "\x93NUMPY\x01", 7), 0);
    header_len = (unsigned short)((unsigned char)header[8] | (unsigned char)header[9] << 8);
    ck_assert_uint_lt(header_len, sizeof header);
    ck_assert_uint_eq(fread(header, 1, header_len, f), header_len);
    header[header_len] = '\0';
    ck_assert_ptr_nonnull(strstr(header, "'descr': '|u1'"));
    ck_assert_int_eq(sscanf(strstr(header, "'shape': (") + 10, "8, %zu", &n), 1);
    row_len = n;
    rows = malloc(8 * row_len);
    ck_assert_ptr_nonnull(rows);
    ck_assert_uint_eq(fread(rows, 1, 8 * row_len, f), 8 * row_len);
    fclose(f);
    for (int b = 1; b < 8; b++)
        ck_assert_int_eq(memcmp(rows, rows + b * row_len, row_len), 0);
    free(rows);
    printf("SKIP pyradiomics wavelet baseline: its 8 rows are one copy each of the same %zu "
           "input voxels (uint8), not band values, and the test images are downloaded files\n",
           row_len);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Speed                                                                */

/* Prints the time of an 8-band coif1 transform of 60^3 voxels (no assertion:
 * timings under valgrind or sanitizers are not comparable). */
START_TEST(speed_coif1_60)
{
    rad_volume *x = make_volume(60, 60, 60);
    rad_volume *bands[RI_WAVELET_BANDS] = {NULL};
    char names[RI_WAVELET_BANDS][32];
    double start, best = INFINITY;

    fill_random(x, 3);
    for (int r = 0; r < 5; r++) {
        start = now_ms();
        ck_assert_int_eq(ri_wavelet(x, "coif1", 1, bands, names, NULL), RAD_OK);
        best = fmin(best, now_ms() - start);
        free_bands(bands);
    }
    printf("coif1 8 bands of 60x60x60: %.2f ms (best of 5)\n", best);
    rad_volume_free(x);
}
END_TEST

static Suite *wavelet_suite(void)
{
    Suite *s = suite_create("wavelet");
    TCase *filters = tcase_create("filters");
    TCase *identities = tcase_create("identities");
    TCase *pywt = tcase_create("pywavelets");
    TCase *ibsi = tcase_create("ibsi2");
    TCase *baseline = tcase_create("pyradiomics_baseline");

    tcase_add_test(filters, filter_closed_forms);
    tcase_add_test(filters, filter_identities);
    tcase_add_test(filters, filter_unknown_name);
    suite_add_tcase(s, filters);

    tcase_add_test(identities, pyradiomics_matches_direct_sum);
    tcase_add_test(identities, energy_identity);
    tcase_add_test(identities, constant_image);
    tcase_add_test(identities, invalid_arguments);
    tcase_add_test(identities, ibsi_periodic_equals_pyradiomics);
    tcase_add_test(identities, ibsi_boundary_rules);
    tcase_add_test(identities, ibsi_matches_twin);
    tcase_add_test(identities, pyradiomics_matches_twin);
    tcase_add_test(identities, speed_coif1_60);
    suite_add_tcase(s, identities);

    tcase_set_timeout(pywt, 120);
    tcase_add_test(pywt, pywt_coif1_odd);
    tcase_add_test(pywt, pywt_coif1_even);
    tcase_add_test(pywt, pywt_haar_odd);
    tcase_add_test(pywt, pywt_haar_even);
    tcase_add_test(pywt, pywt_db2_odd);
    tcase_add_test(pywt, pywt_db2_even);
    tcase_add_test(pywt, pywt_db3_db4_odd);
    tcase_add_test(pywt, pywt_coif1_level2_odd);
    suite_add_tcase(s, pywt);

    tcase_set_timeout(ibsi, 120);
    tcase_add_test(ibsi, ibsi_5a1_db2_impulse);
    tcase_add_test(ibsi, ibsi_5a2_db2_impulse_rotation);
    tcase_add_test(ibsi, ibsi_6a1_coif1_sphere);
    tcase_add_test(ibsi, ibsi_6a2_coif1_sphere_rotation);
    tcase_add_test(ibsi, ibsi_7a1_haar_lll_level2);
    tcase_add_test(ibsi, ibsi_7a2_haar_hhh_level2);
    suite_add_tcase(s, ibsi);

    tcase_add_test(baseline, pyradiomics_baseline_is_not_band_data);
    suite_add_tcase(s, baseline);
    return s;
}

int main(void)
{
    SRunner *runner = srunner_create(wavelet_suite());
    int failed;

    srunner_set_fork_status(runner, CK_FORK);
    srunner_run_all(runner, CK_NORMAL);
    failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
