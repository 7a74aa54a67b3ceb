/*
 * intensity_histogram.c - IBSI intensity-histogram features (ih_*) and the
 * IBSI statistical features pyradiomics lacks (stat_medad, stat_cov,
 * stat_qcod).
 *
 * The histogram features use the discretised grey levels i = 1..N_g of the
 * ROI (N_g = roi->max_level, empty bins included), the statistical ones the
 * raw intensities. Conventions:
 * - variance, skewness and kurtosis use the population moments (divide by N),
 *   kurtosis is the excess kurtosis m4 / m2^2 - 3;
 * - percentiles interpolate linearly between order statistics (numpy's
 *   default), so the median of an even count is the mean of the middle two;
 * - the mode is the most frequent level, the lowest one on ties;
 * - entropy is -sum p log2 p over non-empty bins;
 * - the histogram gradient is H(2) - H(1) at i = 1, H(N_g) - H(N_g - 1) at
 *   N_g and (H(i + 1) - H(i - 1)) / 2 between; its maximum and minimum report
 *   the lowest level where they occur.
 * A ROI with N_g = 1 has a gradient of 0 everywhere.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "families.h"

enum {
    IH_MEAN, IH_VAR, IH_SKEW, IH_KURT, IH_MEDIAN, IH_MIN, IH_P10, IH_P90, IH_MAX, IH_MODE,
    IH_IQR, IH_RANGE, IH_MAD, IH_RMAD, IH_MEDAD, IH_COV, IH_QCOD, IH_ENTROPY, IH_UNIFORMITY,
    IH_MAX_GRAD, IH_MAX_GRAD_G, IH_MIN_GRAD, IH_MIN_GRAD_G, IH_COUNT
};

static const ri_feature_def ih_defs[IH_COUNT] = {
    {"", "ih_mean", "X6K6", 0, 0, NAN},
    {"", "ih_var", "CH89", 0, 0, 0.0},
    {"", "ih_skew", "88K1", 0, 0, 0.0},
    {"", "ih_kurt", "C3I7", 0, 0, 0.0},
    {"", "ih_median", "WIFQ", 0, 0, NAN},
    {"", "ih_min", "1PR8", 0, 0, NAN},
    {"", "ih_p10", "GPMT", 0, 0, NAN},
    {"", "ih_p90", "OZ0C", 0, 0, NAN},
    {"", "ih_max", "3NCY", 0, 0, NAN},
    {"", "ih_mode", "AMMC", 0, 0, NAN},
    {"", "ih_iqr", "WR0O", 0, 0, 0.0},
    {"", "ih_range", "5Z3W", 0, 0, 0.0},
    {"", "ih_mad", "D2ZX", 0, 0, 0.0},
    {"", "ih_rmad", "WRZB", 0, 0, 0.0},
    {"", "ih_medad", "4RNL", 0, 0, 0.0},
    {"", "ih_cov", "CWYJ", 0, 0, 0.0},
    {"", "ih_qcod", "SLWD", 0, 0, 0.0},
    {"", "ih_entropy", "TLU2", 0, 0, 0.0},
    {"", "ih_uniformity", "BJ5W", 0, 0, 1.0},
    {"", "ih_max_grad", "12CE", 0, 0, 0.0},
    {"", "ih_max_grad_g", "8E6O", 0, 0, NAN},
    {"", "ih_min_grad", "VQB3", 0, 0, 0.0},
    {"", "ih_min_grad_g", "RHQZ", 0, 0, NAN},
};

const ri_feature_table ri_intensity_histogram_table = {
    "intensity_histogram", ih_defs, IH_COUNT,
};

enum { STAT_MEDAD, STAT_COV, STAT_QCOD, STAT_COUNT };

static const ri_feature_def stat_defs[STAT_COUNT] = {
    {"", "stat_medad", "N72L", 0, 0, 0.0},
    {"", "stat_cov", "7TET", 0, 0, 0.0},
    {"", "stat_qcod", "9S40", 0, 0, 0.0},
};

const ri_feature_table ri_statistics_extra_table = {
    "statistics_extra", stat_defs, STAT_COUNT,
};

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Percentile q (0..100) of sorted[0..n-1] with linear interpolation (numpy's default). */
static double percentile(const double *sorted, size_t n, double q)
{
    double rank = q / 100.0 * (double)(n - 1);
    size_t below = (size_t)floor(rank);
    if (below + 1 >= n)
        return sorted[n - 1];
    double fraction = rank - (double)below;
    return sorted[below] + fraction * (sorted[below + 1] - sorted[below]);
}

/* Copies the ROI values (grey levels when use_levels) into a new sorted array. */
static rad_status sorted_roi_values(const ri_roi *roi, int use_levels, double **out,
                                    rad_error *error)
{
    if (roi == NULL || roi->mask == NULL || roi->values == NULL || roi->n_voxels == 0)
        return ri_fail(error, RAD_ERR_ARGUMENT, "ROI is missing or has no voxels");
    if (use_levels && (roi->levels == NULL || roi->max_level < 1))
        return ri_fail(error, RAD_ERR_ARGUMENT,
                       "ROI has no discretised grey levels (max_level %d, expected >= 1)",
                       roi->max_level);
    double *values = malloc(roi->n_voxels * sizeof *values);
    if (values == NULL)
        return ri_fail(error, RAD_ERR_NO_MEMORY, "out of memory for %zu ROI values",
                       roi->n_voxels);
    size_t n_box = roi->size[0] * roi->size[1] * roi->size[2], n = 0;
    for (size_t v = 0; v < n_box && n < roi->n_voxels; v++)
        if (roi->mask[v])
            values[n++] = use_levels ? (double)roi->levels[v] : roi->values[v];
    if (n != roi->n_voxels) {
        free(values);
        return ri_fail(error, RAD_ERR_ARGUMENT, "ROI mask has %zu voxels, n_voxels says %zu", n,
                       roi->n_voxels);
    }
    qsort(values, n, sizeof *values, compare_doubles);
    *out = values;
    return RAD_OK;
}

/* Mean absolute deviation of sorted[0..n-1] from centre. */
static double mean_abs_deviation(const double *sorted, size_t n, double centre)
{
    double sum = 0.0;
    for (size_t k = 0; k < n; k++)
        sum += fabs(sorted[k] - centre);
    return sum / (double)n;
}

/* Mean absolute deviation from their mean of the values within [P10, P90]. */
static double robust_mad(const double *sorted, size_t n, double p10, double p90)
{
    double sum = 0.0;
    size_t count = 0;
    for (size_t k = 0; k < n; k++)
        if (sorted[k] >= p10 && sorted[k] <= p90) {
            sum += sorted[k];
            count++;
        }
    double mean = sum / (double)count, deviation = 0.0;
    for (size_t k = 0; k < n; k++)
        if (sorted[k] >= p10 && sorted[k] <= p90)
            deviation += fabs(sorted[k] - mean);
    return deviation / (double)count;
}

rad_status ri_intensity_histogram(const ri_roi *roi, const ri_settings *settings, double *out,
                                  rad_error *error)
{
    (void)settings;
    double *sorted = NULL;
    rad_status status = sorted_roi_values(roi, 1, &sorted, error);
    if (status != RAD_OK)
        return status;
    size_t n = roi->n_voxels, n_bins = (size_t)roi->max_level;
    double *histogram = calloc(n_bins, sizeof *histogram);
    if (histogram == NULL) {
        free(sorted);
        return ri_fail(error, RAD_ERR_NO_MEMORY, "out of memory for %zu histogram bins", n_bins);
    }
    for (size_t k = 0; k < n; k++)
        histogram[(size_t)sorted[k] - 1] += 1.0;

    double mean = 0.0;
    for (size_t k = 0; k < n; k++)
        mean += sorted[k];
    mean /= (double)n;
    double m2 = 0.0, m3 = 0.0, m4 = 0.0;
    for (size_t k = 0; k < n; k++) {
        double d = sorted[k] - mean;
        m2 += d * d;
        m3 += d * d * d;
        m4 += d * d * d * d;
    }
    m2 /= (double)n;
    m3 /= (double)n;
    m4 /= (double)n;

    double p10 = percentile(sorted, n, 10.0), p25 = percentile(sorted, n, 25.0);
    double p75 = percentile(sorted, n, 75.0), p90 = percentile(sorted, n, 90.0);
    double median = percentile(sorted, n, 50.0);
    out[IH_MEAN] = mean;
    out[IH_VAR] = m2;
    out[IH_SKEW] = m2 > 0.0 ? m3 / pow(m2, 1.5) : 0.0;
    out[IH_KURT] = m2 > 0.0 ? m4 / (m2 * m2) - 3.0 : 0.0;
    out[IH_MEDIAN] = median;
    out[IH_MIN] = sorted[0];
    out[IH_P10] = p10;
    out[IH_P90] = p90;
    out[IH_MAX] = sorted[n - 1];
    out[IH_IQR] = p75 - p25;
    out[IH_RANGE] = sorted[n - 1] - sorted[0];
    out[IH_MAD] = mean_abs_deviation(sorted, n, mean);
    out[IH_RMAD] = robust_mad(sorted, n, p10, p90);
    out[IH_MEDAD] = mean_abs_deviation(sorted, n, median);
    out[IH_COV] = sqrt(m2) / mean;
    out[IH_QCOD] = p75 + p25 != 0.0 ? (p75 - p25) / (p75 + p25) : NAN;

    size_t mode = 0;
    double entropy = 0.0, uniformity = 0.0;
    for (size_t b = 0; b < n_bins; b++) {
        if (histogram[b] > histogram[mode])
            mode = b;
        double p = histogram[b] / (double)n;
        if (p > 0.0)
            entropy -= p * log2(p);
        uniformity += p * p;
    }
    out[IH_MODE] = (double)(mode + 1);
    out[IH_ENTROPY] = entropy;
    out[IH_UNIFORMITY] = uniformity;

    double max_gradient = -INFINITY, min_gradient = INFINITY;
    size_t max_at = 0, min_at = 0;
    for (size_t b = 0; b < n_bins; b++) {
        double gradient;
        if (n_bins == 1)
            gradient = 0.0;
        else if (b == 0)
            gradient = histogram[1] - histogram[0];
        else if (b == n_bins - 1)
            gradient = histogram[b] - histogram[b - 1];
        else
            gradient = 0.5 * (histogram[b + 1] - histogram[b - 1]);
        if (gradient > max_gradient) {
            max_gradient = gradient;
            max_at = b;
        }
        if (gradient < min_gradient) {
            min_gradient = gradient;
            min_at = b;
        }
    }
    out[IH_MAX_GRAD] = max_gradient;
    out[IH_MAX_GRAD_G] = (double)(max_at + 1);
    out[IH_MIN_GRAD] = min_gradient;
    out[IH_MIN_GRAD_G] = (double)(min_at + 1);

    free(histogram);
    free(sorted);
    return RAD_OK;
}

rad_status ri_statistics_extra(const ri_roi *roi, const ri_settings *settings, double *out,
                               rad_error *error)
{
    (void)settings;
    double *sorted = NULL;
    rad_status status = sorted_roi_values(roi, 0, &sorted, error);
    if (status != RAD_OK)
        return status;
    size_t n = roi->n_voxels;
    double mean = 0.0, m2 = 0.0;
    for (size_t k = 0; k < n; k++)
        mean += sorted[k];
    mean /= (double)n;
    for (size_t k = 0; k < n; k++)
        m2 += (sorted[k] - mean) * (sorted[k] - mean);
    m2 /= (double)n;
    double p25 = percentile(sorted, n, 25.0), p75 = percentile(sorted, n, 75.0);

    out[STAT_MEDAD] = mean_abs_deviation(sorted, n, percentile(sorted, n, 50.0));
    out[STAT_COV] = sqrt(m2) / mean; /* +-inf or NaN when the mean is 0 */
    out[STAT_QCOD] = p75 + p25 != 0.0 ? (p75 - p25) / (p75 + p25) : NAN;
    free(sorted);
    return RAD_OK;
}
