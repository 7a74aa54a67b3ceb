/*
 * discretize.c - grey-level discretisation of the ROI as pyradiomics does it
 * (imageoperations.getBinEdges + numpy.digitize).
 *
 * Both variants give levels from 1 upwards inside the mask and 0 outside.
 * A bin is the half-open interval [edge_k, edge_k+1), so a value equal to an
 * edge goes to the upper bin, as numpy.digitize decides.
 */
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "internal.h"

/*
 * Finds the ROI minimum and maximum of finite values and returns 0 when the
 * mask is empty. The comparisons compile to minimum and maximum instructions.
 */
static int roi_range(const double *values, const uint8_t *mask, size_t n, double *min,
                     double *max)
{
    double lo = INFINITY, hi = -INFINITY;
    size_t count = 0;

    for (size_t v = 0; v < n; v++) {
        if (!mask[v])
            continue;
        double x = values[v];
        lo = x < lo ? x : lo;
        hi = x > hi ? x : hi;
        count++;
    }
    if (count == 0)
        return 0;
    *min = lo;
    *max = hi;
    return 1;
}

/* Writes max_level and the number of distinct levels present. */
static void count_levels(const int *levels, const uint8_t *mask, size_t n, int *max_level,
                         int *n_present)
{
    unsigned char *seen;
    int top = 0;
    int distinct = 0;

    for (size_t v = 0; v < n; v++)
        if (mask[v] && levels[v] > top)
            top = levels[v];
    *max_level = top;

    seen = calloc((size_t)top + 1, 1);
    if (seen == NULL) {
        /* NOTE: when this allocation fails, n_present is max_level, an upper bound. */
        *n_present = top;
        return;
    }
    for (size_t v = 0; v < n; v++) {
        if (mask[v] && !seen[levels[v]]) {
            seen[levels[v]] = 1;
            distinct++;
        }
    }
    free(seen);
    *n_present = distinct;
}

/* x mod w with the sign of w, as Python's float % computes it. */
static double python_mod(double x, double w)
{
    double r = fmod(x, w);

    if (r != 0.0 && ((w < 0.0) != (r < 0.0)))
        r += w;
    return r;
}

/*
 * floor(t) for t >= 0. Below 2^53 the conversion to int64_t truncates, which
 * equals floor there, and takes one instruction where floor may take a call
 * or a rounding sequence.
 */
static inline double floor_nonnegative(double t)
{
    return t < 9007199254740992.0 ? (double)(int64_t)t : floor(t);
}

/*
 * Returns the level of x (>= low) for edges low + k * W, as in
 * ri_discretize_bin_width. estimate is about (x - low) / W and >= 0. Its
 * rounding can be off by one step, and the loops correct k to the one edge
 * test that defines the level.
 */
static inline int bin_width_level(double x, double low, double bin_width, double estimate)
{
    double k = floor_nonnegative(estimate);

    while (low + (k + 1.0) * bin_width <= x)
        k += 1.0;
    /* The comparison comes first because it is rarely true, while k > 0.0
     * is false for every value in the first bin and would mispredict. */
    while (low + k * bin_width > x && k > 0.0)
        k -= 1.0;
    /* NOTE: a range of more than INT_MAX bins is clamped, and the kernels reject such an Ng. */
    if (k > (double)(INT_MAX - 1))
        k = (double)(INT_MAX - 1);
    return (int)k + 1;
}

/*
 * Writes the level of every voxel (0 outside the mask) and sets seen[level]
 * when seen is not NULL. The estimate of (x - low) / W divides by W when
 * divide is 1 and multiplies by inverse_width otherwise. Callers pass a
 * constant, so each call compiles to a loop without that test.
 */
static inline void write_levels(const double *values, const uint8_t *mask, size_t n, double low,
                                double bin_width, double inverse_width, int divide, int *levels,
                                unsigned char *seen)
{
    for (size_t v = 0; v < n; v++) {
        if (mask[v]) {
            double offset = values[v] - low;
            double estimate = divide ? offset / bin_width : offset * inverse_width;
            levels[v] = bin_width_level(values[v], low, bin_width, estimate);
        } else {
            levels[v] = 0;
        }
        if (seen != NULL)
            seen[levels[v]] = 1;
    }
}

#if defined(__SSE2__)
/*
 * Writes the levels and seen marks of write_levels (with a product by
 * inverse_width) two voxels at a time. The truncated estimate is the
 * level minus one unless it lies one step off, which happens for values near
 * an edge. A pair with such a lane, or with NaN, goes through
 * bin_width_level one voxel at a time. The caller guarantees that the
 * estimates inside the mask are below 2^30, so the conversion to 32-bit
 * integers is exact there.
 */
static void write_levels_sse2(const double *values, const uint8_t *mask, size_t n, double low,
                              double bin_width, double inverse_width, int *levels,
                              unsigned char *seen)
{
    const __m128d low2 = _mm_set1_pd(low);
    const __m128d width2 = _mm_set1_pd(bin_width);
    const __m128d inverse2 = _mm_set1_pd(inverse_width);
    const __m128d one = _mm_set1_pd(1.0);
    const __m128d zero = _mm_setzero_pd();
    size_t v = 0;

    for (; v + 2 <= n; v += 2) {
        __m128d x = _mm_loadu_pd(values + v);
        __m128i truncated = _mm_cvttpd_epi32(_mm_mul_pd(_mm_sub_pd(x, low2), inverse2));
        __m128d k = _mm_cvtepi32_pd(truncated);
        __m128d edge = _mm_add_pd(low2, _mm_mul_pd(k, width2));
        __m128d next_edge = _mm_add_pd(low2, _mm_mul_pd(_mm_add_pd(k, one), width2));
        __m128d wrong = _mm_or_pd(_mm_cmple_pd(next_edge, x),
                                  _mm_and_pd(_mm_cmpgt_pd(edge, x), _mm_cmpgt_pd(k, zero)));
        uint16_t pair_mask;

        memcpy(&pair_mask, mask + v, sizeof pair_mask);
        /* Bytes of 0xFF, widened to 32-bit lanes, mark the voxels outside the mask. */
        __m128i outside = _mm_cmpeq_epi8(_mm_cvtsi32_si128(pair_mask), _mm_setzero_si128());
        outside = _mm_unpacklo_epi8(outside, outside);
        outside = _mm_unpacklo_epi16(outside, outside);
        wrong = _mm_or_pd(wrong, _mm_cmpunord_pd(x, x));
        wrong = _mm_andnot_pd(_mm_castsi128_pd(_mm_unpacklo_epi32(outside, outside)), wrong);

        __m128i level = _mm_andnot_si128(outside, _mm_add_epi32(truncated, _mm_set1_epi32(1)));
        _mm_storel_epi64((__m128i *)(levels + v), level);
        if (_mm_movemask_pd(wrong) != 0) {
            for (size_t u = v; u < v + 2; u++)
                if (mask[u])
                    levels[u] = bin_width_level(values[u], low, bin_width,
                                                (values[u] - low) * inverse_width);
        }
        seen[levels[v]] = 1;
        seen[levels[v + 1]] = 1;
    }
    for (; v < n; v++) {
        levels[v] = mask[v] ? bin_width_level(values[v], low, bin_width,
                                              (values[v] - low) * inverse_width)
                            : 0;
        seen[levels[v]] = 1;
    }
}
#endif

/*
 * Fixed bin width W. pyradiomics takes the edges from numpy.arange(low,
 * max + 2W, W) with low = min - (min mod W) (Python's mod, so low = floor(min / W) * W), so edge k is
 * low + k * W in floating point. The level is the number of edges <= x, i.e.
 * floor((x - low) / W) + 1, corrected by one step where the division and the
 * edge products round differently. The last edge lies above the maximum, so
 * the maximum is binned like every other value. A flat ROI gets level 1.
 *
 * The level is non-decreasing in x, so the maximum's level is max_level,
 * and one pass writes the levels and marks the levels present.
 */
void ri_discretize_bin_width(const double *values, const uint8_t *mask, size_t n,
                             double bin_width, int *levels, int *max_level, int *n_present)
{
    double min = 0.0, max = 0.0;
    double low;
    unsigned char *seen;
    int top, distinct = 0;

    if (!roi_range(values, mask, n, &min, &max) || !(bin_width > 0.0)) {
        for (size_t v = 0; v < n; v++)
            levels[v] = 0;
        *max_level = 0;
        *n_present = 0;
        return;
    }

    low = min - python_mod(min, bin_width);
    top = bin_width_level(max, low, bin_width, (max - low) / bin_width);
    seen = calloc((size_t)top + 1, 1);
    /* A product with 1 / W is cheaper than the division. A subnormal W has
     * no finite inverse, so the division is kept for it. */

    double inverse_width = 1.0 / bin_width;
#if defined(__SSE2__)
    if (seen != NULL && isfinite(inverse_width) && (max - low) * inverse_width < 1073741824.0) {
        write_levels_sse2(values, mask, n, low, bin_width, inverse_width, levels, seen);
    } else
#endif
    if (isfinite(inverse_width))
        write_levels(values, mask, n, low, bin_width, inverse_width, 0, levels, seen);
    else
        write_levels(values, mask, n, low, bin_width, inverse_width, 1, levels, seen);
    *max_level = top;
    if (seen == NULL) {
        /* NOTE: when this allocation fails, n_present is max_level, an upper bound. */
        *n_present = top;
        return;
    }
    for (int level = 1; level <= top; level++)
        distinct += seen[level];
    free(seen);
    *n_present = distinct;
}

/*
 * Fixed bin count Nb, as pyradiomics' binCount: edges from numpy.histogram
 * (min + k (max - min) / Nb for k < Nb), with the top edge raised to max + 1
 * so that the maximum falls in bin Nb. A flat ROI (min == max) gets numpy's
 * edges for that case, centred on the value, and therefore level 1 when
 * Nb == 1 or level floor(Nb / 2) + 1 otherwise, as numpy.digitize gives.
 */
void ri_discretize_bin_count(const double *values, const uint8_t *mask, size_t n,
                             int bin_count, int *levels, int *max_level, int *n_present)
{
    double min = 0.0, max = 0.0;
    double first, last, step;

    for (size_t v = 0; v < n; v++)
        levels[v] = 0;
    if (!roi_range(values, mask, n, &min, &max) || bin_count < 1) {
        *max_level = 0;
        *n_present = 0;
        return;
    }

    first = min;
    last = max;
    if (first == last) {
        first -= 0.5;
        last += 0.5;
    }
    step = (last - first) / bin_count;

    for (size_t v = 0; v < n; v++) {
        double x = values[v];
        int k;

        if (!mask[v])
            continue;
        /* k = number of edges first + i * step (i < Nb) that are <= x. */
        k = (int)floor((x - first) / step) + 1;
        if (k > bin_count)
            k = bin_count;
        if (k < 1)
            k = 1;
        while (k < bin_count && first + k * step <= x)
            k++;
        while (k > 1 && first + (k - 1) * step > x)
            k--;
        levels[v] = k;
    }
    count_levels(levels, mask, n, max_level, n_present);
}
