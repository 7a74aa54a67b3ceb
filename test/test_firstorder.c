/*
 * test_firstorder.c - discretisation and first-order features against the
 * pyradiomics baselines, the IBSI 1 digital phantom and hand computations.
 *
 * IBSI and pyradiomics differ on these first-order features:
 *   feature        pyradiomics                 IBSI                  tested as
 *   Energy, RMS    sum (x + voxelArrayShift)^2  no shift              shift 0
 *   Kurtosis       m4 / m2^2                    m4 / m2^2 - 3         Kurtosis - 3
 *   TotalEnergy    Energy * voxel volume        no counterpart        baseline only
 *   medad, cov,    not computed                 defined               not tested
 *   qcod
 *   Entropy,       histogram of the binned      intensity histogram   bin width 1 on
 *   Uniformity     levels                       (ih_*)                grey levels 1..6
 */
#include <check.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "baseline.h"
#include "internal.h"
#include "testutil.h"

static size_t feature_index(const char *name)
{
    for (size_t i = 0; i < ri_firstorder_table.count; i++)
        if (strcmp(ri_firstorder_table.defs[i].name, name) == 0)
            return i;
    ck_abort_msg("no first-order feature %s", name);
    return 0;
}

static ri_settings settings_with_shift(double shift)
{
    ri_settings s;

    memset(&s, 0, sizeof s);
    s.bin_width = 25.0;
    s.voxel_array_shift = shift;
    s.symmetrical_glcm = 1;
    s.distances[0] = 1;
    s.n_distances = 1;
    return s;
}

/* Deterministic pseudo-random numbers in [0, 1) (64-bit LCG, top 53 bits). */
static double next_uniform(uint64_t *state)
{
    *state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(*state >> 11) / 9007199254740992.0;
}

/* Builds an uncropped ROI over values[0..n-1] (an n x 1 x 1 box, all inside). */
static ri_roi line_roi(const double *values, uint8_t *mask, int *levels, size_t n,
                       double bin_width)
{
    ri_roi roi;
    int n_present;

    memset(&roi, 0, sizeof roi);
    for (size_t i = 0; i < n; i++)
        mask[i] = 1;
    roi.size[0] = n;
    roi.size[1] = roi.size[2] = 1;
    roi.spacing[0] = roi.spacing[1] = roi.spacing[2] = 1.0;
    roi.values = values;
    roi.mask = mask;
    roi.levels = levels;
    roi.n_voxels = n;
    ri_discretize_bin_width(values, mask, n, bin_width, levels, &roi.max_level, &n_present);
    return roi;
}

/* Edges on multiples of W from floor(min / W) * W, half-open bins. */
START_TEST(bin_width_edges_hand)
{
    /* W = 25, min 54: edges 50, 75, 100, ...; 75 opens bin 2; 166 is in [150, 175). */
    const double values[] = {54.0, 74.9, 75.0, 166.0, 150.0};
    const int expected[] = {1, 1, 2, 5, 5};
    uint8_t mask[5] = {1, 1, 1, 1, 1};
    int levels[5], max_level, n_present;

    ri_discretize_bin_width(values, mask, 5, 25.0, levels, &max_level, &n_present);
    for (int i = 0; i < 5; i++)
        ck_assert_int_eq(levels[i], expected[i]);
    ck_assert_int_eq(max_level, 5);
    ck_assert_int_eq(n_present, 3);
}
END_TEST

START_TEST(bin_width_maximum_on_edge)
{
    /* The maximum 50 equals an edge: numpy.digitize puts it in [50, 75), level 3. */
    const double values[] = {0.0, 50.0, 10.0};
    uint8_t mask[3] = {1, 1, 0};
    int levels[3], max_level, n_present;

    ri_discretize_bin_width(values, mask, 3, 25.0, levels, &max_level, &n_present);
    ck_assert_int_eq(levels[0], 1);
    ck_assert_int_eq(levels[1], 3);
    ck_assert_int_eq(levels[2], 0);
    ck_assert_int_eq(max_level, 3);
    ck_assert_int_eq(n_present, 2);
}
END_TEST

START_TEST(bin_width_negative_and_flat)
{
    /* min -1.3, W 0.5: Python's -1.3 % 0.5 = 0.2, low = -1.5; 0.2 -> floor(1.7 / 0.5) + 1 = 4. */
    const double values[] = {-1.3, 0.2, -1.0};
    const double flat[] = {7.0, 7.0, 7.0};
    uint8_t mask[3] = {1, 1, 1};
    int levels[3], max_level, n_present;

    ri_discretize_bin_width(values, mask, 3, 0.5, levels, &max_level, &n_present);
    ck_assert_int_eq(levels[0], 1);
    ck_assert_int_eq(levels[1], 4);
    ck_assert_int_eq(levels[2], 2);

    ri_discretize_bin_width(flat, mask, 3, 25.0, levels, &max_level, &n_present);
    ck_assert_int_eq(levels[0], 1);
    ck_assert_int_eq(max_level, 1);
    ck_assert_int_eq(n_present, 1);
}
END_TEST

/*
 * Slow twin of ri_discretize_bin_width: the edges low + k * W of
 * numpy.arange(low, max + 2W, W), with low = floor(min / W) * W through
 * Python's mod, and each level counted as the number of edges <= x.
 */
static void bin_width_twin(const double *values, const uint8_t *mask, size_t n, double width,
                           int *levels, int *max_level, int *n_present)
{
    double min = INFINITY, max = -INFINITY, low, remainder;
    int seen[4096] = {0};

    for (size_t v = 0; v < n; v++)
        if (mask[v]) {
            min = fmin(min, values[v]);
            max = fmax(max, values[v]);
        }
    remainder = fmod(min, width);
    if (remainder != 0.0 && remainder < 0.0)
        remainder += width;
    low = min - remainder;
    *max_level = 0;
    *n_present = 0;
    for (size_t v = 0; v < n; v++) {
        int count = 0;

        levels[v] = 0;
        if (!mask[v])
            continue;
        for (int k = 0; low + k * width < max + 2 * width; k++)
            count += low + k * width <= values[v];
        levels[v] = count;
        ck_assert_int_lt(count, 4096);
        *n_present += !seen[count];
        seen[count] = 1;
        if (count > *max_level)
            *max_level = count;
    }
}

/* The kernel and the edge-counting twin agree on random values, with edge
 * values and masked voxels, for several bin widths. */
START_TEST(bin_width_matches_edge_count_twin)
{
    const double widths[] = {25.0, 0.1, 3.0, 1e-3};
    uint64_t state = 777;

    for (size_t w = 0; w < sizeof widths / sizeof widths[0]; w++)
        for (int round = 0; round < 20; round++) {
            enum { N = 201 };
            double values[N];
            uint8_t mask[N];
            int fast[N], slow[N], fast_max, slow_max, fast_present, slow_present;
            double centre = 2000.0 * next_uniform(&state) - 1000.0;

            for (size_t v = 0; v < N; v++) {
                double u = next_uniform(&state);
                /* A third of the values lie on an edge k * W. */
                values[v] = v % 3 == 0 ? widths[w] * floor(centre / widths[w] + 40.0 * u)
                                       : centre + 40.0 * widths[w] * u;
                mask[v] = v == 0 || next_uniform(&state) < 0.8;
            }
            ri_discretize_bin_width(values, mask, N, widths[w], fast, &fast_max, &fast_present);
            bin_width_twin(values, mask, N, widths[w], slow, &slow_max, &slow_present);
            for (size_t v = 0; v < N; v++)
                ck_assert_msg(fast[v] == slow[v], "W %g, value %.17g: level %d, twin %d",
                              widths[w], values[v], fast[v], slow[v]);
            ck_assert_int_eq(fast_max, slow_max);
            ck_assert_int_eq(fast_present, slow_present);
        }
}
END_TEST

START_TEST(bin_count_edges_hand)
{
    /* Nb = 2 over [0, 4]: edges 0, 2, 4 + 1; 2 opens bin 2; the maximum is in bin 2. */
    const double values[] = {0.0, 1.0, 2.0, 3.0, 4.0};
    const int expected[] = {1, 1, 2, 2, 2};
    const double flat[] = {3.0, 3.0, 3.0, 3.0, 3.0};
    uint8_t mask[5] = {1, 1, 1, 1, 1};
    int levels[5], max_level, n_present;

    ri_discretize_bin_count(values, mask, 5, 2, levels, &max_level, &n_present);
    for (int i = 0; i < 5; i++)
        ck_assert_int_eq(levels[i], expected[i]);
    ck_assert_int_eq(max_level, 2);

    /* Flat ROI, numpy edges 2.5 .. 3.5: Nb = 1 gives level 1, Nb = 2 level 2. */
    ri_discretize_bin_count(flat, mask, 5, 1, levels, &max_level, &n_present);
    ck_assert_int_eq(levels[0], 1);
    ri_discretize_bin_count(flat, mask, 5, 2, levels, &max_level, &n_present);
    ck_assert_int_eq(levels[0], 2);
}
END_TEST

/* Hand computation on {1, 2, 3, 4}; numpy.percentile linear: p10 = 1 + 0.3 = 1.3. */
START_TEST(firstorder_hand_values)
{
    const double values[] = {4.0, 1.0, 3.0, 2.0};
    uint8_t mask[4];
    int levels[4];
    ri_roi roi = line_roi(values, mask, levels, 4, 1.0);
    ri_settings s = settings_with_shift(1.0);
    double out[32];

    ck_assert_int_eq(ri_firstorder(&roi, &s, out, NULL), RAD_OK);
    /* tolerance 1e-12 absolute for each */
    ck_assert_double_eq_tol(out[feature_index("10Percentile")], 1.3, 1e-12);
    ck_assert_double_eq_tol(out[feature_index("90Percentile")], 3.7, 1e-12);
    ck_assert_double_eq_tol(out[feature_index("Median")], 2.5, 1e-12);
    ck_assert_double_eq_tol(out[feature_index("InterquartileRange")], 3.25 - 1.75, 1e-12);
    /* Energy with shift 1: 4 + 9 + 16 + 25 = 54. */
    ck_assert_double_eq_tol(out[feature_index("Energy")], 54.0, 1e-12);
    ck_assert_double_eq_tol(out[feature_index("RootMeanSquared")], sqrt(54.0 / 4.0), 1e-12);
    /* Population variance 1.25, MAD 1, four levels of p = 1/4: entropy 2, uniformity 1/4. */
    ck_assert_double_eq_tol(out[feature_index("Variance")], 1.25, 1e-12);
    ck_assert_double_eq_tol(out[feature_index("StandardDeviation")], sqrt(1.25), 1e-12);
    ck_assert_double_eq_tol(out[feature_index("MeanAbsoluteDeviation")], 1.0, 1e-12);
    ck_assert_double_eq_tol(out[feature_index("Entropy")], 2.0, 1e-12);
    ck_assert_double_eq_tol(out[feature_index("Uniformity")], 0.25, 1e-12);
    /* Symmetric: skewness 0; kurtosis m4 / m2^2 = 2.5625 / 1.5625 = 1.64. */
    ck_assert_double_eq_tol(out[feature_index("Skewness")], 0.0, 1e-12);
    ck_assert_double_eq_tol(out[feature_index("Kurtosis")], 1.64, 1e-12);
    /* Robust MAD over {2, 3} (within [1.3, 3.7]) = 0.5. */
    ck_assert_double_eq_tol(out[feature_index("RobustMeanAbsoluteDeviation")], 0.5, 1e-12);
}
END_TEST

START_TEST(firstorder_flat_region)
{
    const double values[] = {5.0, 5.0, 5.0, 5.0, 5.0};
    uint8_t mask[5];
    int levels[5];
    ri_roi roi = line_roi(values, mask, levels, 5, 25.0);
    ri_settings s = settings_with_shift(0.0);
    double out[32];

    ck_assert_int_eq(ri_firstorder(&roi, &s, out, NULL), RAD_OK);
    /* pyradiomics' documented flat-region values; tolerance 1e-12 absolute. */
    ck_assert_double_eq_tol(out[feature_index("Skewness")], 0.0, 1e-12);
    ck_assert_double_eq_tol(out[feature_index("Kurtosis")], 0.0, 1e-12);
    ck_assert_double_eq_tol(out[feature_index("Variance")], 0.0, 1e-12);
    ck_assert_double_eq_tol(out[feature_index("Entropy")], 0.0, 1e-12);
    ck_assert_double_eq_tol(out[feature_index("Uniformity")], 1.0, 1e-12);
}
END_TEST

START_TEST(firstorder_empty_roi_rejected)
{
    const double values[] = {1.0};
    uint8_t mask[1] = {0};
    int levels[1] = {0};
    ri_roi roi;
    ri_settings s = settings_with_shift(0.0);
    double out[32];

    memset(&roi, 0, sizeof roi);
    roi.size[0] = roi.size[1] = roi.size[2] = 1;
    roi.values = values;
    roi.mask = mask;
    roi.levels = levels;
    ck_assert_int_eq(ri_firstorder(&roi, &s, out, NULL), RAD_ERR_EMPTY_ROI);
}
END_TEST

START_TEST(firstorder_table_order)
{
    /* pyradiomics' order of RadiomicsFirstOrder features (2.x, 3.x). */
    const char *names[] = {"Energy", "TotalEnergy", "Entropy", "Minimum", "10Percentile",
                           "90Percentile", "Maximum", "Mean", "Median", "InterquartileRange",
                           "Range", "MeanAbsoluteDeviation", "RobustMeanAbsoluteDeviation",
                           "RootMeanSquared", "StandardDeviation", "Skewness", "Kurtosis",
                           "Variance", "Uniformity"};
    size_t default_on = 0;

    ck_assert_uint_eq(ri_firstorder_table.count, 19);
    for (size_t i = 0; i < 19; i++) {
        ck_assert_str_eq(ri_firstorder_table.defs[i].name, names[i]);
        default_on += (size_t)ri_firstorder_table.defs[i].default_on;
    }
    ck_assert_uint_eq(default_on, 18);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Slow twin: the first-order features from a fully sorted copy           */

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

/* numpy.percentile (linear) on the sorted s[0..n-1]. */
static double sorted_percentile(const double *s, size_t n, double q)
{
    double position = q / 100.0 * (double)(n - 1);
    size_t below = (size_t)floor(position);

    if (below + 1 >= n)
        return s[n - 1];
    return s[below] + (s[below + 1] - s[below]) * (position - (double)below);
}

/*
 * Computes every first-order feature from the definitions in firstorder.c's
 * header, with a full sort for the order statistics and separate plain loops
 * for each sum, as an independent check of the kernel's fused passes.
 */
static void firstorder_twin(const ri_roi *roi, double shift, double *out)
{
    size_t n_box = roi->size[0] * roi->size[1] * roi->size[2], n = 0;
    double *x = malloc(roi->n_voxels * sizeof *x), *s = malloc(roi->n_voxels * sizeof *s);
    double sum = 0, energy = 0, mad = 0, m2 = 0, m3 = 0, m4 = 0, mean;
    double p10, p90, robust_sum = 0, robust_deviation = 0;
    size_t robust_count = 0;

    ck_assert_ptr_nonnull(x);
    ck_assert_ptr_nonnull(s);
    for (size_t v = 0; v < n_box; v++)
        if (roi->mask[v])
            x[n++] = roi->values[v];
    ck_assert_uint_eq(n, roi->n_voxels);
    for (size_t i = 0; i < n; i++) {
        sum += x[i];
        energy += (x[i] + shift) * (x[i] + shift);
    }
    mean = sum / (double)n;
    for (size_t i = 0; i < n; i++) {
        double d = x[i] - mean;
        mad += fabs(d);
        m2 += d * d;
        m3 += d * d * d;
        m4 += d * d * d * d;
    }
    m2 /= (double)n;
    m3 /= (double)n;
    m4 /= (double)n;

    for (size_t i = 0; i < n; i++)
        s[i] = x[i];
    qsort(s, n, sizeof *s, compare_doubles);
    p10 = sorted_percentile(s, n, 10.0);
    p90 = sorted_percentile(s, n, 90.0);
    /* The robust mean is summed as p10 + mean(x - p10), because the differences
     * are small where the values crowd together, so plain sums stay accurate. */
    for (size_t i = 0; i < n; i++)
        if (x[i] >= p10 && x[i] <= p90) {
            robust_sum += x[i] - p10;
            robust_count++;
        }
    for (size_t i = 0; i < n; i++)
        if (x[i] >= p10 && x[i] <= p90)
            robust_deviation += fabs((x[i] - p10) - robust_sum / (double)robust_count);

    out[feature_index("Energy")] = energy;
    out[feature_index("TotalEnergy")] =
        roi->spacing[0] * roi->spacing[1] * roi->spacing[2] * energy;
    out[feature_index("Minimum")] = s[0];
    out[feature_index("Maximum")] = s[n - 1];
    out[feature_index("Range")] = s[n - 1] - s[0];
    out[feature_index("10Percentile")] = p10;
    out[feature_index("90Percentile")] = p90;
    out[feature_index("Median")] = n % 2 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
    out[feature_index("InterquartileRange")] =
        sorted_percentile(s, n, 75.0) - sorted_percentile(s, n, 25.0);
    out[feature_index("Mean")] = mean;
    out[feature_index("MeanAbsoluteDeviation")] = mad / (double)n;
    out[feature_index("RobustMeanAbsoluteDeviation")] = robust_deviation / (double)robust_count;
    out[feature_index("RootMeanSquared")] = sqrt(energy / (double)n);
    out[feature_index("StandardDeviation")] = sqrt(m2);
    out[feature_index("Variance")] = m2;
    out[feature_index("Skewness")] = m2 == 0 ? 0 : m3 / pow(m2, 1.5);
    out[feature_index("Kurtosis")] = m2 == 0 ? 0 : m4 / (m2 * m2);

    /* Histogram features from a per-level count. */
    {
        size_t *counts = calloc((size_t)roi->max_level + 1, sizeof *counts);
        double entropy = 0, uniformity = 0, eps = 2.220446049250313e-16;

        ck_assert_ptr_nonnull(counts);
        for (size_t v = 0; v < n_box; v++)
            if (roi->mask[v])
                counts[roi->levels[v]]++;
        for (int level = 1; level <= roi->max_level; level++) {
            double q = ((double)counts[level] + eps) / (double)n;
            double p = (double)counts[level] / ((double)n + eps);
            entropy -= q * log2(q);
            uniformity += p * p;
        }
        out[feature_index("Entropy")] = entropy;
        out[feature_index("Uniformity")] = uniformity;
        free(counts);
    }
    free(x);
    free(s);
}

/* Kinds of random ROI values for the twin comparison. */
enum value_kind {
    VALUES_UNIFORM,    /* continuous, spread over [-1000, 1000) */
    VALUES_INTEGERS,   /* integers in [-20, 20]: many ties */
    VALUES_OUTLIER,    /* values in [-1.5, 1.5] and one 1e6, which puts them in one bucket */
    VALUES_TINY_RANGE, /* 1000 + 1e-9 u: a range of a few ulps per bucket */
    VALUE_KINDS
};

static double random_value(enum value_kind kind, uint64_t *state, size_t i)
{
    switch (kind) {
    case VALUES_UNIFORM:
        return 2000.0 * next_uniform(state) - 1000.0;
    case VALUES_INTEGERS:
        return floor(41.0 * next_uniform(state)) - 20.0;
    case VALUES_OUTLIER:
        return i == 7 ? 1e6
                      : next_uniform(state) + next_uniform(state) + next_uniform(state) - 1.5;
    default:
        return 1000.0 + 1e-9 * next_uniform(state);
    }
}

/* Fast kernel and slow twin agree (relative 1e-12) on random boxes with a
 * random mask, for sizes from 1 voxel up and several value distributions. */
START_TEST(firstorder_matches_sorted_twin)
{
    const size_t sizes[][3] = {{1, 1, 1}, {2, 1, 1}, {3, 2, 1}, {7, 5, 3}, {20, 17, 9},
                               {48, 40, 33}};
    uint64_t state = 12345;
    ri_settings s = settings_with_shift(300.0);

    for (int kind = 0; kind < VALUE_KINDS; kind++)
        for (size_t c = 0; c < sizeof sizes / sizeof sizes[0]; c++) {
            size_t n = sizes[c][0] * sizes[c][1] * sizes[c][2];
            double *values = malloc(n * sizeof *values);
            uint8_t *mask = malloc(n);
            int *levels = malloc(n * sizeof *levels);
            double fast[32], slow[32];
            ri_roi roi;
            int n_present;

            ck_assert_ptr_nonnull(values);
            ck_assert_ptr_nonnull(mask);
            ck_assert_ptr_nonnull(levels);
            memset(&roi, 0, sizeof roi);
            for (size_t v = 0; v < n; v++) {
                values[v] = random_value((enum value_kind)kind, &state, v);
                /* About 70 % of the box is inside. Voxel 0 always is, so the ROI is never empty. */
                mask[v] = v == 0 || next_uniform(&state) < 0.7;
                roi.n_voxels += mask[v];
            }
            memcpy(roi.size, sizes[c], sizeof roi.size);
            roi.spacing[0] = 0.5;
            roi.spacing[1] = 0.75;
            roi.spacing[2] = 2.0;
            roi.values = values;
            roi.mask = mask;
            roi.levels = levels;
            ri_discretize_bin_width(values, mask, n, kind == VALUES_TINY_RANGE ? 1e-10 : 25.0,
                                    levels, &roi.max_level, &n_present);

            ck_assert_int_eq(ri_firstorder(&roi, &s, fast, NULL), RAD_OK);
            firstorder_twin(&roi, 300.0, slow);
            size_t robust = feature_index("RobustMeanAbsoluteDeviation");
            double largest = fmax(fabs(slow[feature_index("Minimum")]),
                                  fabs(slow[feature_index("Maximum")]));

            for (size_t i = 0; i < ri_firstorder_table.count; i++) {
                double tolerance = 1e-12 * fmax(fabs(slow[i]), 1e-300);
                /* Both are NaN when no value lies in [P10, P90] (robust MAD). */
                int both_nan = isnan(fast[i]) && isnan(slow[i]);

                /* The kernel's robust MAD uses compensated sums, the twin plain
                 * ones. Either mean carries a rounding error of order
                 * DBL_EPSILON * |x|, which dominates when the spread is tiny. */
                if (i == robust)
                    tolerance += 8 * DBL_EPSILON * largest;
                ck_assert_msg(both_nan || fabs(fast[i] - slow[i]) <= tolerance,
                              "kind %d, box %zu x %zu x %zu: %s is %.17g, twin %.17g", kind,
                              sizes[c][0], sizes[c][1], sizes[c][2],
                              ri_firstorder_table.defs[i].name, fast[i], slow[i]);
            }
            free(values);
            free(mask);
            free(levels);
        }
}
END_TEST

/* Compares every first-order feature of the baseline column `case_name`. */
static void check_pyradiomics_case(const char *case_name)
{
    char dir[1024], image[1200], mask[1200], csv[1200];
    ri_settings s = settings_with_shift(2000.0);
    test_roi roi;
    double out[32];
    int compared = 0;

    if (!test_refdata_path(dir, sizeof dir, "pyradiomics/data", "pyradiomics firstorder"))
        return;
    snprintf(image, sizeof image, "%s/%s_image.nrrd", dir, case_name);
    snprintf(mask, sizeof mask, "%s/%s_label.nrrd", dir, case_name);
    snprintf(csv, sizeof csv, "%s/baseline/baseline_firstorder.csv", dir);
    ck_assert_msg(test_roi_load(image, mask, 1.0, 25.0, &roi), "cannot load %s", case_name);
    ck_assert_int_eq(ri_firstorder(&roi.roi, &s, out, NULL), RAD_OK);

    for (size_t i = 0; i < ri_firstorder_table.count; i++) {
        char row[128];
        double expected;

        snprintf(row, sizeof row, "original_firstorder_%s", ri_firstorder_table.defs[i].name);
        if (!test_baseline_value(csv, row, case_name, &expected))
            continue;
        /* tolerance: 1e-5 relative, or 1e-9 absolute near zero */
        ck_assert_msg(fabs(out[i] - expected) <= fmax(1e-5 * fabs(expected), 1e-9),
                      "%s %s: got %.12g, pyradiomics %.12g", case_name, row, out[i], expected);
        compared++;
    }
    ck_assert_int_eq(compared, 18);
    test_roi_free(&roi);
}

START_TEST(pyradiomics_brain1) { check_pyradiomics_case("brain1"); }
END_TEST
START_TEST(pyradiomics_brain2) { check_pyradiomics_case("brain2"); }
END_TEST
START_TEST(pyradiomics_breast1) { check_pyradiomics_case("breast1"); }
END_TEST

START_TEST(ibsi_digital_phantom)
{
    static const struct {
        const char *tag;
        const char *name;
        double offset; /* IBSI value = pyradiomics value + offset */
    } pairs[] = {
        {"stat_mean", "Mean", 0.0}, {"stat_var", "Variance", 0.0},
        {"stat_skew", "Skewness", 0.0}, {"stat_kurt", "Kurtosis", -3.0},
        {"stat_median", "Median", 0.0}, {"stat_min", "Minimum", 0.0},
        {"stat_p10", "10Percentile", 0.0}, {"stat_p90", "90Percentile", 0.0},
        {"stat_max", "Maximum", 0.0}, {"stat_iqr", "InterquartileRange", 0.0},
        {"stat_range", "Range", 0.0}, {"stat_mad", "MeanAbsoluteDeviation", 0.0},
        {"stat_rmad", "RobustMeanAbsoluteDeviation", 0.0}, {"stat_energy", "Energy", 0.0},
        {"stat_rms", "RootMeanSquared", 0.0}, {"ih_entropy", "Entropy", 0.0},
        {"ih_uniformity", "Uniformity", 0.0},
    };
    char image[1024], mask[1024], csv[1024];
    ri_settings s = settings_with_shift(0.0);
    test_roi roi;
    double out[32];

    if (!test_refdata_path(image, sizeof image, "ibsi_1_digital_phantom/nifti/image/phantom.nii.gz",
                           "IBSI digital phantom") ||
        !test_refdata_path(mask, sizeof mask, "ibsi_1_digital_phantom/nifti/mask/mask.nii.gz",
                           "IBSI digital phantom") ||
        !test_refdata_path(csv, sizeof csv, "ibsi_1_reference_values/ibsi_1_dig_phantom.csv",
                           "IBSI reference values"))
        return;
    /* Grey levels 1..6 already: bin width 1 keeps level = value. */
    ck_assert(test_roi_load(image, mask, 1.0, 1.0, &roi));
    ck_assert_uint_eq(roi.roi.n_voxels, 74);
    ck_assert_int_eq(ri_firstorder(&roi.roi, &s, out, NULL), RAD_OK);

    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        double expected, tolerance;
        double got = out[feature_index(pairs[i].name)] + pairs[i].offset;

        ck_assert_msg(test_ibsi_reference(csv, pairs[i].tag, &expected, &tolerance),
                      "no IBSI reference for %s", pairs[i].tag);
        /* tolerance: published, or half a unit of the last printed digit when 0 */
        ck_assert_msg(fabs(got - expected) <= tolerance, "%s: got %.6g, IBSI %g +- %g",
                      pairs[i].tag, got, expected, tolerance);
    }
    test_roi_free(&roi);
}
END_TEST

static Suite *firstorder_suite(void)
{
    Suite *suite = suite_create("firstorder");
    TCase *hand = tcase_create("hand");
    TCase *reference = tcase_create("reference");

    tcase_add_test(hand, bin_width_edges_hand);
    tcase_add_test(hand, bin_width_maximum_on_edge);
    tcase_add_test(hand, bin_width_negative_and_flat);
    tcase_add_test(hand, bin_count_edges_hand);
    tcase_add_test(hand, bin_width_matches_edge_count_twin);
    tcase_add_test(hand, firstorder_hand_values);
    tcase_add_test(hand, firstorder_flat_region);
    tcase_add_test(hand, firstorder_empty_roi_rejected);
    tcase_add_test(hand, firstorder_table_order);
    tcase_add_test(hand, firstorder_matches_sorted_twin);
    suite_add_tcase(suite, hand);

    tcase_set_timeout(reference, 60);
    tcase_add_test(reference, pyradiomics_brain1);
    tcase_add_test(reference, pyradiomics_brain2);
    tcase_add_test(reference, pyradiomics_breast1);
    tcase_add_test(reference, ibsi_digital_phantom);
    suite_add_tcase(suite, reference);
    return suite;
}

int main(void)
{
    SRunner *runner = srunner_create(firstorder_suite());
    int failed;

    srunner_set_fork_status(runner, CK_FORK);
    srunner_run_all(runner, CK_NORMAL);
    failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? 0 : 1;
}
