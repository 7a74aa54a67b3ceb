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
#include <stdlib.h>

#include "internal.h"

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

/* Moves the smallest value of x[0..n-1] (n >= 1) to x[0]. */
static void select_minimum(double *x, size_t n)
{
    size_t smallest = 0;

    for (size_t i = 1; i < n; i++)
        if (x[i] < x[smallest])
            smallest = i;
    swap_values(x, 0, smallest);
}

/* The quantiles first-order features use, in increasing order. */
#define N_QUANTILES 5
enum { Q10, Q25, Q50, Q75, Q90 };
static const double quantiles[N_QUANTILES] = {10.0, 25.0, 50.0, 75.0, 90.0};

/*
 * numpy.percentile with linear interpolation for the quantiles above, on x
 * (reordered in place). With position = q / 100 (n - 1), below its floor
 * and s the sorted x, the result is s[below] + (s[below + 1] - s[below]) *
 * (position - below), or s[n - 1] when below + 1 = n. lower[q] and upper[q]
 * receive s[below] and s[below + 1] (s[below] when below + 1 = n). Each
 * order statistic comes from a selection in the part of x above the
 * previous one, so the values equal those of a full sort.
 */
static void percentiles(double *x, size_t n, double result[N_QUANTILES],
                        double lower[N_QUANTILES], double upper[N_QUANTILES])
{
    size_t done = 0; /* x[0..done-1] are the done smallest values, x[done-1] the largest of them */

    for (int q = 0; q < N_QUANTILES; q++) {
        double position = quantiles[q] / 100.0 * (double)(n - 1);
        size_t below = (size_t)floor(position);
        double fraction = position - (double)below;

        for (size_t rank = below; rank <= below + 1 && rank < n; rank++) {
            if (rank >= done) {
                if (rank == done)
                    select_minimum(x + done, n - done);
                else
                    select_rank(x + done, n - done, rank - done);
                done = rank + 1;
            }
            /* rank is one of the ranks selected so far, so x[rank] contains s[rank]. */
            if (rank == below)
                lower[q] = x[rank];
            else
                upper[q] = x[rank];
        }
        if (below + 1 >= n) {
            upper[q] = lower[q];
            result[q] = lower[q];
        } else {
            result[q] = lower[q] + (upper[q] - lower[q]) * fraction;
        }
    }
}

/* Mean absolute deviation from the mean of the x with lo <= x <= hi. */
static double robust_mad(const double *x, size_t n, double lo, double hi)
{
    double sum = 0.0, deviation = 0.0;
    size_t count = 0;

    for (size_t i = 0; i < n; i++) {
        if (x[i] >= lo && x[i] <= hi) {
            sum += x[i];
            count++;
        }
    }
    if (count == 0)
        return NAN;
    for (size_t i = 0; i < n; i++)
        if (x[i] >= lo && x[i] <= hi)
            deviation += fabs(x[i] - sum / (double)count);
    return deviation / (double)count;
}

/*
 * Entropy = -sum_i q(i) log2 q(i) and Uniformity = sum_i p(i)^2 over the
 * levels 1..max_level, with q(i) = (count_i + eps) / N_p as pyradiomics
 * computes it (empty levels add a term of order eps) and
 * p(i) = count_i / (N_p + eps).
 */
static rad_status histogram_features(const ri_roi *roi, size_t n_box, double *entropy,
                                     double *uniformity, rad_error *error)
{
    size_t *counts = calloc((size_t)roi->max_level + 1, sizeof *counts);
    double n_p = (double)roi->n_voxels;

    if (counts == NULL)
        return ri_fail(error, RAD_ERR_NO_MEMORY,
                       "firstorder: out of memory for a histogram of %d grey levels",
                       roi->max_level);
    for (size_t v = 0; v < n_box; v++)
        if (roi->mask[v])
            counts[roi->levels[v]]++;

    *entropy = 0.0;
    *uniformity = 0.0;
    for (int level = 1; level <= roi->max_level; level++) {
        double q = ((double)counts[level] + EPSILON) / n_p;
        double p = (double)counts[level] / (n_p + EPSILON);

        *entropy -= q * log2(q);
        *uniformity += p * p;
    }
    free(counts);
    return RAD_OK;
}

/* Writes the moment-based features: mean, MAD, variance, skewness, kurtosis. */
static void moment_features(const double *x, size_t n, double *out)
{
    double sum = 0.0, mean, m2 = 0.0, m3 = 0.0, m4 = 0.0, mad = 0.0;

    for (size_t i = 0; i < n; i++)
        sum += x[i];
    mean = sum / (double)n;
    for (size_t i = 0; i < n; i++) {
        double d = x[i] - mean;
        double d2 = d * d;

        mad += fabs(d);
        m2 += d2;
        m3 += d2 * d;
        m4 += d2 * d2;
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

rad_status ri_firstorder(const ri_roi *roi, const ri_settings *settings, double *out,
                         rad_error *error)
{
    size_t n_box = roi->size[0] * roi->size[1] * roi->size[2];
    size_t n = roi->n_voxels;
    double shift = settings->voxel_array_shift;
    double energy = 0.0;
    double *x;
    size_t count = 0;
    rad_status status;

    if (n == 0)
        return ri_fail(error, RAD_ERR_EMPTY_ROI, "firstorder: the ROI has no voxel");
    x = malloc(n * sizeof *x);
    if (x == NULL)
        return ri_fail(error, RAD_ERR_NO_MEMORY,
                       "firstorder: out of memory for %zu ROI intensities", n);

    for (size_t v = 0; v < n_box && count < n; v++)
        if (roi->mask[v])
            x[count++] = roi->values[v];
    if (count != n) {
        free(x);
        return ri_fail(error, RAD_ERR_ARGUMENT,
                       "firstorder: the mask has %zu voxels but n_voxels is %zu", count, n);
    }

    /* Energy = sum (X + c)^2; TotalEnergy = voxel volume (mm^3) * Energy. */
    for (size_t i = 0; i < n; i++)
        energy += (x[i] + shift) * (x[i] + shift);
    out[FO_ENERGY] = energy;
    out[FO_TOTAL_ENERGY] = roi->spacing[0] * roi->spacing[1] * roi->spacing[2] * energy;
    out[FO_RMS] = sqrt(energy / (double)n);

    moment_features(x, n, out);

    {
        double minimum = x[0], maximum = x[0];
        double q[N_QUANTILES], lower[N_QUANTILES], upper[N_QUANTILES];

        for (size_t i = 1; i < n; i++) {
            if (x[i] < minimum)
                minimum = x[i];
            if (x[i] > maximum)
                maximum = x[i];
        }
        out[FO_MINIMUM] = minimum;
        out[FO_MAXIMUM] = maximum;
        out[FO_RANGE] = maximum - minimum;
        percentiles(x, n, q, lower, upper);
        out[FO_P10] = q[Q10];
        out[FO_P90] = q[Q90];
        /* numpy.median: the middle value, or the mean of the two middle values. */
        out[FO_MEDIAN] = n % 2 ? lower[Q50] : 0.5 * (lower[Q50] + upper[Q50]);
        out[FO_IQR] = q[Q75] - q[Q25];
    }
    out[FO_RMAD] = robust_mad(x, n, out[FO_P10], out[FO_P90]);
    free(x);

    status = histogram_features(roi, n_box, &out[FO_ENTROPY], &out[FO_UNIFORMITY], error);
    return status;
}
