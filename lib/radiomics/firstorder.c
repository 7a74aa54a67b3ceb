/*
 * firstorder.c - first-order (intensity) features with pyradiomics'
 * definitions (radiomics/firstorder.py, pyradiomics 2.x and 3.x).
 *
 * X are the N_p intensities inside the ROI, c the voxelArrayShift setting,
 * p(i) the histogram of the discretised levels divided by N_p.
 * Differences from IBSI: Energy, TotalEnergy and RootMeanSquared add c
 * (IBSI: c = 0); Kurtosis is plain, IBSI's stat_kurt is Kurtosis - 3;
 * TotalEnergy has no IBSI counterpart.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "internal.h"

/*
 * Inlined into ri_firstorder, the loops over all values kept an accumulator
 * on the stack with GCC 12.2 at -O2, so every iteration waited for a store
 * and a load. Out of line they keep it in a register, and ri_firstorder on
 * 125,000 voxels took 0.86 ms instead of 1.2 ms (median thread CPU time on
 * a shared x86-64 machine).
 */
#if defined(__GNUC__)
#define NOT_INLINED __attribute__((noinline))
#else
#define NOT_INLINED
#endif

/* pyradiomics' epsilon, numpy.spacing(1) = 2^-52. */
#define EPSILON 2.220446049250313e-16

/* Output positions, in the order of ri_firstorder_table. */
enum {
    FO_ENERGY,
    FO_TOTAL_ENERGY,
    FO_ENTROPY,
    FO_MINIMUM,
    FO_P10,
    FO_P90,
    FO_MAXIMUM,
    FO_MEAN,
    FO_MEDIAN,
    FO_IQR,
    FO_RANGE,
    FO_MAD,
    FO_RMAD,
    FO_RMS,
    FO_STD,
    FO_SKEWNESS,
    FO_KURTOSIS,
    FO_VARIANCE,
    FO_UNIFORMITY,
    FO_COUNT
};

/*
 * degenerate_value: Entropy and Uniformity on one grey level are 0 and 1;
 * Skewness and Kurtosis on a constant ROI are 0 by pyradiomics' convention
 * (m2 = 0), which the kernel applies itself, so the table leaves them NaN.
 */
static const ri_feature_def firstorder_defs[FO_COUNT] = {
    {"Energy", "stat_energy", "N8CA", 1, 0, NAN},
    {"TotalEnergy", "", "", 1, 0, NAN},
    {"Entropy", "ih_entropy", "TLU2", 1, 0, 0.0},
    {"Minimum", "stat_min", "1GSF", 1, 0, NAN},
    {"10Percentile", "stat_p10", "QG58", 1, 0, NAN},
    {"90Percentile", "stat_p90", "8DWT", 1, 0, NAN},
    {"Maximum", "stat_max", "84IY", 1, 0, NAN},
    {"Mean", "stat_mean", "Q4LE", 1, 0, NAN},
    {"Median", "stat_median", "Y12H", 1, 0, NAN},
    {"InterquartileRange", "stat_iqr", "SALO", 1, 0, NAN},
    {"Range", "stat_range", "2OJQ", 1, 0, NAN},
    {"MeanAbsoluteDeviation", "stat_mad", "4FUA", 1, 0, NAN},
    {"RobustMeanAbsoluteDeviation", "stat_rmad", "1128", 1, 0, NAN},
    {"RootMeanSquared", "stat_rms", "5ZWQ", 1, 0, NAN},
    /* pyradiomics marks StandardDeviation deprecated: off unless named. */
    {"StandardDeviation", "", "", 0, 1, NAN},
    {"Skewness", "stat_skew", "KE2A", 1, 0, NAN},
    {"Kurtosis", "stat_kurt", "IPH6", 1, 0, NAN},
    {"Variance", "stat_var", "ECT3", 1, 0, NAN},
    {"Uniformity", "ih_uniformity", "BJ5W", 1, 0, 1.0},
};

const ri_feature_table ri_firstorder_table = {"firstorder", firstorder_defs, FO_COUNT};

/* Swaps x[a] and x[b]. */
static inline void swap_values(double *x, size_t a, size_t b)
{
    double t = x[a];

    x[a] = x[b];
    x[b] = t;
}

/* Returns the median of a, b and c. */
static double median_of_three(double a, double b, double c)
{
    if (a > b) {
        double t = a;

        a = b;
        b = t;
    }
    /* Now a <= b, so the median is b unless c lies below it. */
    if (c >= b)
        return b;
    return c > a ? c : a;
}

/*
 * Rearranges x[0..n-1] (finite values) so that x[k] is the value a full sort
 * would put there, every x[i] with i < k is <= x[k] and every x[i] with
 * i > k is >= x[k]: quickselect with a median-of-three pivot and Hoare's
 * partition, whose scans stop at values equal to the pivot, so runs of
 * equal values split evenly. Expected time O(n).
 */
static void select_rank(double *x, size_t n, size_t k)
{
    size_t lo = 0, hi = n - 1; /* the rank-k value lies in x[lo..hi] */

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        double pivot = median_of_three(x[lo], x[mid], x[hi]);
        size_t i = lo, j = hi;

        /* Afterwards x[lo..j] <= pivot, x[i..hi] >= pivot and x[j+1..i-1] == pivot. */
        while (i <= j) {
            while (x[i] < pivot)
                i++;
            while (x[j] > pivot)
                j--;
            if (i <= j) {
                swap_values(x, i, j);
                i++;
                if (j == 0) /* here lo = 0, and x[0] <= pivot now */
                    break;
                j--;
            }
        }
        if (k <= j)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            return;
    }
}

/* The quantiles first-order features use, in increasing order. */
#define N_QUANTILES 5
enum { Q10, Q25, Q50, Q75, Q90 };
static const double quantiles[N_QUANTILES] = {10.0, 25.0, 50.0, 75.0, 90.0};

/* Each quantile needs the order statistics at floor(position) and the next rank. */
#define N_RANKS (2 * N_QUANTILES)

/* Buckets of the histogram that locates the order statistics. */
#define N_BUCKETS 4096
_Static_assert(N_BUCKETS <= 65536, "bucket indices are stored as uint16_t");

/*
 * Maps x (minimum <= x) to a bucket in 0..N_BUCKETS-1. The map is
 * non-decreasing in x because IEEE subtraction and multiplication by a
 * factor >= 0 are monotone, so x < y whenever bucket(x) < bucket(y).
 */
static inline int bucket_of(double x, double minimum, double scale)
{
    double t = (x - minimum) * scale;

    /* 0 <= t here, and the conversion to int is one instruction, unlike size_t's. */
    return t < (double)(N_BUCKETS - 1) ? (int)t : N_BUCKETS - 1;
}

/*
 * The histogram of N_BUCKETS equal-width buckets over [minimum, maximum]
 * that locates the order statistics. moment_features fills it in its pass.
 * bucket[i] is the bucket of x[i], so the copy pass does not compute it again.
 */
typedef struct bucket_histogram {
    uint32_t *counts; /* N_BUCKETS counts, zeroed before the pass */
    uint16_t *bucket; /* one per value */
    double minimum;
    double scale;     /* N_BUCKETS / range, or 0 for a flat or unbounded range */
} bucket_histogram;

/* Sets the minimum and scale of histogram for values in [minimum, maximum]. */
static void bucket_histogram_range(bucket_histogram *histogram, double minimum, double maximum)
{
    double range = maximum - minimum;

    histogram->minimum = minimum;
    histogram->scale = 0.0;
    if (range > 0.0 && isfinite(range) && isfinite((double)N_BUCKETS / range))
        histogram->scale = (double)N_BUCKETS / range;
}

/*
 * Computes numpy.percentile with linear interpolation for the quantiles
 * above, on the n values x (not modified) counted in histogram. With position
 * = q / 100 (n - 1), below its floor and s the sorted x, the result is
 * s[below] + (s[below + 1] - s[below]) * (position - below), or s[n - 1]
 * when below + 1 = n. lower[q] and upper[q] receive s[below] and
 * s[below + 1] (s[below] when below + 1 = n).
 *
 * The order statistics are exact. A histogram of N_BUCKETS equal-width
 * buckets over [minimum, maximum] locates the bucket of each needed rank,
 * the values of those buckets (at most N_RANKS of them) are copied out, and
 * a selection inside each copy finds the rank. Time O(n) plus the selection
 * in the copied buckets, which hold all n values only when the values
 * crowd into one bucket.
 */
static rad_status percentiles(const double *x, size_t n, const bucket_histogram *histogram,
                              double result[N_QUANTILES], double lower[N_QUANTILES],
                              double upper[N_QUANTILES], rad_error *error)
{
    enum { NO_SLOT = 0xff };
    size_t ranks[N_RANKS], rank_bucket[N_RANKS], n_ranks = 0;
    size_t slot_bucket[N_RANKS], slot_first_rank[N_RANKS], slot_start[N_RANKS + 1];
    size_t slot_fill[N_RANKS], n_slots = 0;
    unsigned char *slot_of = NULL;
    const uint32_t *counts = histogram->counts;
    const uint16_t *bucket = histogram->bucket;
    double *copies = NULL, rank_value[N_RANKS];

    slot_of = malloc(N_BUCKETS);
    if (slot_of == NULL)
        return ri_fail(error, RAD_ERR_NO_MEMORY,
                       "firstorder: out of memory for a table of %d buckets", N_BUCKETS);
    memset(slot_of, NO_SLOT, N_BUCKETS);

    /* The ranks come out in increasing order, as the quantiles increase. */
    for (int q = 0; q < N_QUANTILES; q++) {
        size_t below = (size_t)floor(quantiles[q] / 100.0 * (double)(n - 1));

        ranks[n_ranks++] = below;
        if (below + 1 < n)
            ranks[n_ranks++] = below + 1;
    }

    /* One walk over the cumulative counts finds the bucket of every rank. */
    {
        size_t bucket = 0, before = 0; /* before: number of values in the buckets below bucket */

        for (size_t r = 0; r < n_ranks; r++) {
            while (before + counts[bucket] <= ranks[r])
                before += counts[bucket++];
            rank_bucket[r] = bucket;
            if (n_slots == 0 || slot_bucket[n_slots - 1] != bucket) {
                slot_bucket[n_slots] = bucket;
                slot_first_rank[n_slots] = before;
                slot_of[bucket] = (unsigned char)n_slots;
                n_slots++;
            }
        }
    }
    slot_start[0] = 0;
    for (size_t k = 0; k < n_slots; k++)
        slot_start[k + 1] = slot_start[k] + counts[slot_bucket[k]];

    copies = malloc(slot_start[n_slots] * sizeof *copies);
    if (copies == NULL) {
        free(slot_of);
        return ri_fail(error, RAD_ERR_NO_MEMORY,
                       "firstorder: out of memory for %zu values near the percentiles",
                       slot_start[n_slots]);
    }
    for (size_t k = 0; k < n_slots; k++)
        slot_fill[k] = slot_start[k];
    for (size_t i = 0; i < n; i++) {
        unsigned char k = slot_of[bucket[i]];

        if (k != NO_SLOT)
            copies[slot_fill[k]++] = x[i];
    }

    /* Every value of a bucket lies above those of lower buckets, so rank r is
     * rank r - slot_first_rank within its bucket. */
    for (size_t r = 0; r < n_ranks; r++) {
        size_t k = slot_of[rank_bucket[r]];
        double *bucket_values = copies + slot_start[k];
        size_t rank_in_bucket = ranks[r] - slot_first_rank[k];

        select_rank(bucket_values, slot_start[k + 1] - slot_start[k], rank_in_bucket);
        rank_value[r] = bucket_values[rank_in_bucket];
    }

    for (int q = 0, r = 0; q < N_QUANTILES; q++) {
        double position = quantiles[q] / 100.0 * (double)(n - 1);
        size_t below = (size_t)floor(position);
        double fraction = position - (double)below;

        lower[q] = rank_value[r++];
        if (below + 1 >= n) {
            upper[q] = lower[q];
            result[q] = lower[q];
        } else {
            upper[q] = rank_value[r++];
            result[q] = lower[q] + (upper[q] - lower[q]) * fraction;
        }
    }
    free(copies);
    free(slot_of);
    return RAD_OK;
}

/*
 * Running sums with a compensation term, two lanes at a time (GCC and Clang
 * vector extension). Each step is Knuth's TwoSum, which finds the exact
 * rounding error of every addition without a branch. The error of the
 * result is at most about 2 eps |sum| + n eps^2 sum |term| (eps =
 * DBL_EPSILON), so the order of the terms hardly matters.
 */
typedef double double2 __attribute__((vector_size(2 * sizeof(double))));
typedef int64_t int64x2 __attribute__((vector_size(2 * sizeof(int64_t))));

typedef struct compensated_sum2 {
    double2 sum;
    double2 compensation;
} compensated_sum2;

static inline void compensated_add2(compensated_sum2 *s, double2 term)
{
    double2 t = s->sum + term;
    double2 term_part = t - s->sum;

    s->compensation += (s->sum - (t - term_part)) + (term - term_part);
    s->sum = t;
}

/* Returns the compensated total of both lanes. */
static double compensated_total(const compensated_sum2 *s)
{
    compensated_sum2 total = {{s->sum[0], 0.0}, {s->compensation[0], 0.0}};
    double2 other = {s->sum[1], 0.0};

    compensated_add2(&total, other);
    return total.sum[0] + (total.compensation[0] + s->compensation[1]);
}

static inline double2 load_double2(const double *x)
{
    double2 v;

    memcpy(&v, x, sizeof v);
    return v;
}

/*
 * Returns the lanes of x in [lo, hi] and 0.0 in the others. inside receives
 * -1 or 0 per lane. On x86-64, GCC 12 turned "x & mask" of a vector
 * comparison into a per-lane select with scalar moves, so SSE2 code does the
 * AND there.
 */
static inline double2 select_in_range(double2 x, double2 lo, double2 hi, int64x2 *inside)
{
#if defined(__SSE2__)
    __m128d mask = _mm_and_pd(_mm_cmpge_pd((__m128d)x, (__m128d)lo),
                              _mm_cmple_pd((__m128d)x, (__m128d)hi));

    *inside = (int64x2)_mm_castpd_si128(mask);
    return (double2)_mm_and_pd((__m128d)x, mask);
#else
    *inside = (x >= lo) & (x <= hi);
    return (double2)((int64x2)x & *inside);
#endif
}

/* Returns x with 0.0 in the lanes where inside is 0. */
static inline double2 keep_lanes(double2 x, int64x2 inside)
{
#if defined(__SSE2__)
    return (double2)_mm_and_pd((__m128d)x, _mm_castsi128_pd((__m128i)inside));
#else
    return (double2)((int64x2)x & inside);
#endif
}

/*
 * Returns the mean absolute deviation from the mean of the x with
 * lo <= x <= hi. Both sums are compensated, because plain sums of 10^5 CT
 * values drift by up to about 1e-12 relative when their rounding errors
 * share a sign, and the result should not depend on the order of x. A fifth of the values lie outside
 * [lo, hi] in no order, so a branch would mispredict often. Terms of 0.0 in
 * place of those values keep the sums exact.
 */
static double robust_mad(const double *x, size_t n, double lo, double hi)
{
    compensated_sum2 sum = {{0.0, 0.0}, {0.0, 0.0}}, deviation = {{0.0, 0.0}, {0.0, 0.0}};
    const double2 lo2 = {lo, lo}, hi2 = {hi, hi};
    int64x2 count2 = {0, 0}, inside;
    double mean, count;
    size_t i;

    for (i = 0; i + 2 <= n; i += 2) {
        compensated_add2(&sum, select_in_range(load_double2(x + i), lo2, hi2, &inside));
        count2 -= inside;
    }
    if (i < n && x[i] >= lo && x[i] <= hi) {
        double2 term = {x[i], 0.0};

        compensated_add2(&sum, term);
        count2[0]++;
    }
    count = (double)(count2[0] + count2[1]);
    if (count == 0.0)
        return NAN;
    mean = compensated_total(&sum) / count;

    const double2 mean2 = {mean, mean}, sign_bit = {-0.0, -0.0};
    for (i = 0; i + 2 <= n; i += 2) {
        double2 value = load_double2(x + i);
        double2 distance = (double2)((int64x2)(value - mean2) & ~(int64x2)sign_bit);

        select_in_range(value, lo2, hi2, &inside);
        compensated_add2(&deviation, keep_lanes(distance, inside));
    }
    if (i < n && x[i] >= lo && x[i] <= hi) {
        double2 term = {fabs(x[i] - mean), 0.0};

        compensated_add2(&deviation, term);
    }
    return compensated_total(&deviation) / count;
}

/*
 * Entropy = -sum_i q(i) log2 q(i) and Uniformity = sum_i p(i)^2 over the
 * levels 1..max_level, with q(i) = (count_i + eps) / N_p as pyradiomics
 * computes it (empty levels add a term of order eps) and
 * p(i) = count_i / (N_p + eps).
 */
static void histogram_features(const size_t *counts, int max_level, size_t n_voxels,
                               double *entropy, double *uniformity)
{
    double n_p = (double)n_voxels;

    *entropy = 0.0;
    *uniformity = 0.0;
    for (int level = 1; level <= max_level; level++) {
        double q = ((double)counts[level] + EPSILON) / n_p;
        double p = (double)counts[level] / (n_p + EPSILON);

        *entropy -= q * log2(q);
        *uniformity += p * p;
    }
}

/*
 * Writes the moment-based features: mean, MAD, variance, skewness, kurtosis.
 * sum is the sum of x in index order. The same pass fills histogram for
 * the percentiles, which saves a pass over the values.
 */
NOT_INLINED static void moment_features(const double *x, size_t n, double sum,
                                        bucket_histogram *histogram, double *out)
{
    double mean, m2 = 0.0, m3 = 0.0, m4 = 0.0, mad = 0.0;
    const double minimum = histogram->minimum, scale = histogram->scale;
    uint32_t *counts = histogram->counts;
    uint16_t *bucket = histogram->bucket;

    mean = sum / (double)n;
    for (size_t i = 0; i < n; i++) {
        double d = x[i] - mean;
        double d2 = d * d;
        int b = bucket_of(x[i], minimum, scale);

        mad += fabs(d);
        m2 += d2;
        m3 += d2 * d;
        m4 += d2 * d2;
        bucket[i] = (uint16_t)b;
        counts[b]++;
    }
    m2 /= (double)n;
    m3 /= (double)n;
    m4 /= (double)n;

    out[FO_MEAN] = mean;
    out[FO_MAD] = mad / (double)n;
    out[FO_VARIANCE] = m2;
    out[FO_STD] = sqrt(m2);
    /* pyradiomics returns 0 for both on a flat region (m2 = 0). */
    out[FO_SKEWNESS] = m2 == 0.0 ? 0.0 : m3 / pow(m2, 1.5);
    out[FO_KURTOSIS] = m2 == 0.0 ? 0.0 : m4 / (m2 * m2);
}

/* Sums and extremes of the ROI values, gathered in index order. */
typedef struct value_sums {
    double energy;  /* sum of (x + shift)^2 */
    double sum;
    double minimum, maximum;
} value_sums;

/*
 * Copies the ROI values of roi into x in index order, counts the levels into
 * level_counts[0..max_level] and fills sums. Returns the number of values
 * copied (at most roi->n_voxels), or stops at the first voxel whose level
 * lies outside 1..max_level and stores its index in *bad_voxel.
 */
NOT_INLINED static size_t gather_values(const ri_roi *roi, double shift, double *x,
                                        size_t *level_counts, value_sums *sums,
                                        size_t *bad_voxel)
{
    size_t n_box = roi->size[0] * roi->size[1] * roi->size[2], n = roi->n_voxels, count = 0;
    double energy = 0.0, sum = 0.0, minimum = INFINITY, maximum = -INFINITY;

    *bad_voxel = n_box;
    for (size_t v = 0; v < n_box && count < n; v++) {
        double value;
        int level;

        if (!roi->mask[v])
            continue;
        value = roi->values[v];
        level = roi->levels[v];
        if (level < 1 || level > roi->max_level) {
            *bad_voxel = v;
            break;
        }
        x[count++] = value;
        level_counts[level]++;
        energy += (value + shift) * (value + shift);
        sum += value;
        minimum = value < minimum ? value : minimum;
        maximum = value > maximum ? value : maximum;
    }
    sums->energy = energy;
    sums->sum = sum;
    sums->minimum = minimum;
    sums->maximum = maximum;
    return count;
}

/*
 * One pass over the box gathers the ROI values in index order with their
 * sum, energy, extremes and level histogram. A second pass over the values
 * forms the central moments and the percentile histogram, and the
 * percentiles and robust MAD take three more.
 */
rad_status ri_firstorder(const ri_roi *roi, const ri_settings *settings, double *out,
                         rad_error *error)
{
    size_t n = roi->n_voxels;
    double q[N_QUANTILES], lower[N_QUANTILES], upper[N_QUANTILES];
    double energy, minimum, maximum;
    size_t *level_counts;
    double *x;
    size_t count, bad_voxel;
    value_sums sums;
    bucket_histogram histogram;
    rad_status status;

    if (n == 0)
        return ri_fail(error, RAD_ERR_EMPTY_ROI, "firstorder: the ROI has no voxel");
    if (roi->max_level < 0)
        return ri_fail(error, RAD_ERR_ARGUMENT, "firstorder: max_level is %d; expected >= 0",
                       roi->max_level);
    x = malloc(n * sizeof *x);
    level_counts = calloc((size_t)roi->max_level + 1, sizeof *level_counts);
    histogram.counts = calloc(N_BUCKETS, sizeof *histogram.counts);
    histogram.bucket = malloc(n * sizeof *histogram.bucket);
    if (x == NULL || level_counts == NULL || histogram.counts == NULL ||
        histogram.bucket == NULL) {
        free(x);
        free(level_counts);
        free(histogram.counts);
        free(histogram.bucket);
        return ri_fail(error, RAD_ERR_NO_MEMORY,
                       "firstorder: out of memory for %zu ROI intensities and %d grey levels",
                       n, roi->max_level);
    }

    count = gather_values(roi, settings->voxel_array_shift, x, level_counts, &sums, &bad_voxel);
    if (count < n && bad_voxel < roi->size[0] * roi->size[1] * roi->size[2]) {
        free(x);
        free(level_counts);
        free(histogram.counts);
        free(histogram.bucket);
        return ri_fail(error, RAD_ERR_ARGUMENT,
                       "firstorder: voxel %zu has grey level %d; expected 1..%d", bad_voxel,
                       roi->levels[bad_voxel], roi->max_level);
    }
    if (count != n) {
        free(x);
        free(level_counts);
        free(histogram.counts);
        free(histogram.bucket);
        return ri_fail(error, RAD_ERR_ARGUMENT,
                       "firstorder: the mask has %zu voxels but n_voxels is %zu", count, n);
    }
    energy = sums.energy;
    minimum = sums.minimum;
    maximum = sums.maximum;

    /* Energy = sum (X + c)^2; TotalEnergy = voxel volume (mm^3) * Energy. */
    out[FO_ENERGY] = energy;
    out[FO_TOTAL_ENERGY] = roi->spacing[0] * roi->spacing[1] * roi->spacing[2] * energy;
    out[FO_RMS] = sqrt(energy / (double)n);
    out[FO_MINIMUM] = minimum;
    out[FO_MAXIMUM] = maximum;
    out[FO_RANGE] = maximum - minimum;
    histogram_features(level_counts, roi->max_level, n, &out[FO_ENTROPY], &out[FO_UNIFORMITY]);
    free(level_counts);

    bucket_histogram_range(&histogram, minimum, maximum);
    moment_features(x, n, sums.sum, &histogram, out);

    status = percentiles(x, n, &histogram, q, lower, upper, error);
    free(histogram.counts);
    free(histogram.bucket);
    if (status != RAD_OK) {
        free(x);
        return status;
    }
    out[FO_P10] = q[Q10];
    out[FO_P90] = q[Q90];
    /* Like numpy.median, the middle value, or the mean of the two middle values. */

    out[FO_MEDIAN] = n % 2 ? lower[Q50] : 0.5 * (lower[Q50] + upper[Q50]);
    out[FO_IQR] = q[Q75] - q[Q25];
    out[FO_RMAD] = robust_mad(x, n, out[FO_P10], out[FO_P90]);
    free(x);
    return RAD_OK;
}
