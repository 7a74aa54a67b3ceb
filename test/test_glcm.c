/*
 * test_glcm.c - GLCM counting and features against the pyradiomics
 * baselines and matrices, the IBSI 1 digital phantom, and a slow twin of
 * the counting kernel.
 *
 * IBSI (cm_*_3D_avg: 13 directions, symmetric matrices, features averaged
 * over directions) and pyradiomics name or define these differently:
 *   IBSI tag               pyradiomics feature   note
 *   cm_joint_var           SumSquares            same formula
 *   cm_sum_var             SumVariance           deprecated in pyradiomics (= ClusterTendency)
 *   cm_dissimilarity       Dissimilarity         deprecated (= DifferenceAverage)
 *   cm_inv_diff_norm,      Idn, Idmn             Ng = largest level, equal to IBSI's Ng
 *   cm_inv_diff_mom_norm                         when the levels run 1..Ng
 *   cm_joint_entr etc.     log2(p + eps)         IBSI log2(p); differs by ~1e-15
 *   (none)                 MCC                   not in IBSI
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "baseline.h"
#include "internal.h"
#include "npy.h"
#include "roi_case.h"
#include "testutil.h"

static size_t feature_index(const char *name)
{
    for (size_t i = 0; i < ri_glcm_table.count; i++)
        if (strcmp(ri_glcm_table.defs[i].name, name) == 0)
            return i;
    ck_abort_msg("no GLCM feature %s", name);
    return 0;
}

static ri_settings default_settings(void)
{
    ri_settings s;

    memset(&s, 0, sizeof s);
    s.bin_width = 25.0;
    s.symmetrical_glcm = 1;
    s.distances[0] = 1;
    s.n_distances = 1;
    return s;
}

START_TEST(glcm_table_order)
{
    /* pyradiomics' order of the 24 default-on GLCM features (2.x, 3.x). */
    const char *names[] = {"Autocorrelation", "JointAverage", "ClusterProminence",
                           "ClusterShade", "ClusterTendency", "Contrast", "Correlation",
                           "DifferenceAverage", "DifferenceEntropy", "DifferenceVariance",
                           "JointEnergy", "JointEntropy", "Imc1", "Imc2", "Idm", "MCC", "Idmn",
                           "Id", "Idn", "InverseVariance", "MaximumProbability", "SumAverage",
                           "SumEntropy", "SumSquares"};
    size_t default_on = 0, deprecated = 0;

    for (size_t i = 0; i < 24; i++)
        ck_assert_str_eq(ri_glcm_table.defs[i].name, names[i]);
    for (size_t i = 0; i < ri_glcm_table.count; i++) {
        default_on += (size_t)ri_glcm_table.defs[i].default_on;
        deprecated += (size_t)ri_glcm_table.defs[i].deprecated;
    }
    ck_assert_uint_eq(default_on, 24);
    ck_assert_uint_eq(deprecated, 4);
}
END_TEST

START_TEST(glcm_offsets_count)
{
    int distances[2] = {1, 2};
    int (*offsets)[3];

    /* Chebyshev shells: (3^3 - 1) / 2 = 13, (5^3 - 3^3) / 2 = 49. */
    ck_assert_int_eq(ri_glcm_offsets(distances, 1, &offsets), 13);
    free(offsets);
    ck_assert_int_eq(ri_glcm_offsets(distances, 2, &offsets), 62);
    free(offsets);
    ck_assert_int_eq(ri_glcm_offsets(distances + 1, 1, &offsets), 49);
    free(offsets);
}
END_TEST

/* Random ROI in an nx x ny x nz box: about 70% inside, levels drawn from 1..6 without 4. */
typedef struct random_roi {
    ri_roi roi;
    double values[8 * 7 * 6];
    uint8_t mask[8 * 7 * 6];
    int levels[8 * 7 * 6];
} random_roi;

static void make_random_roi(random_roi *r, unsigned seed, size_t nx, size_t ny, size_t nz)
{
    static const int palette[5] = {1, 2, 3, 5, 6};
    size_t n = nx * ny * nz;

    srand(seed);
    memset(r, 0, sizeof *r);
    r->roi.size[0] = nx;
    r->roi.size[1] = ny;
    r->roi.size[2] = nz;
    r->roi.spacing[0] = r->roi.spacing[1] = r->roi.spacing[2] = 1.0;
    for (size_t v = 0; v < n; v++) {
        r->mask[v] = rand() % 10 < 7;
        r->levels[v] = r->mask[v] ? palette[rand() % 5] : 0;
        r->values[v] = r->levels[v];
        r->roi.n_voxels += r->mask[v];
        if (r->levels[v] > r->roi.max_level)
            r->roi.max_level = r->levels[v];
    }
    r->roi.values = r->values;
    r->roi.mask = r->mask;
    r->roi.levels = r->levels;
}

/* Slow twin: every ordered pair of ROI voxels whose index difference is the offset. */
static void slow_counts(const ri_roi *roi, const int offset[3], uint32_t *counts)
{
    size_t nx = roi->size[0], ny = roi->size[1], nz = roi->size[2];
    size_t ng = (size_t)roi->max_level;

    memset(counts, 0, ng * ng * sizeof *counts);
    for (size_t a = 0; a < nx * ny * nz; a++) {
        for (size_t b = 0; b < nx * ny * nz; b++) {
            long ax = (long)(a % nx), ay = (long)(a / nx % ny), az = (long)(a / (nx * ny));
            long bx = (long)(b % nx), by = (long)(b / nx % ny), bz = (long)(b / (nx * ny));

            if (!roi->mask[a] || !roi->mask[b])
                continue;
            if (bx - ax == offset[0] && by - ay == offset[1] && bz - az == offset[2])
                counts[(size_t)(roi->levels[a] - 1) * ng + (size_t)(roi->levels[b] - 1)]++;
        }
    }
}

START_TEST(counts_match_slow_twin)
{
    int distances[2] = {1, 2};
    random_roi r;
    uint32_t fast[36], slow[36];
    int (*offsets)[3];
    int n_offsets;

    n_offsets = ri_glcm_offsets(distances, 2, &offsets);
    ck_assert_int_eq(n_offsets, 62);
    for (unsigned seed = 1; seed <= 5; seed++) {
        make_random_roi(&r, seed, 8 - seed % 3, 7, 6 - seed % 2);
        for (int o = 0; o < n_offsets; o++) {
            ck_assert_int_eq(ri_glcm_counts(&r.roi, offsets[o], fast, NULL), RAD_OK);
            slow_counts(&r.roi, offsets[o], slow);
            for (int c = 0; c < r.roi.max_level * r.roi.max_level; c++)
                ck_assert_msg(fast[c] == slow[c], "seed %u offset (%d,%d,%d) cell %d: %u vs %u",
                              seed, offsets[o][0], offsets[o][1], offsets[o][2], c, fast[c],
                              slow[c]);
        }
    }
    free(offsets);
}
END_TEST

/*
 * Slow twin for larger boxes: for each ROI voxel, the voxel at +offset, if
 * it lies in the box and in the ROI, adds one count. Returns the pair count.
 */
static size_t neighbour_counts(const ri_roi *roi, const int offset[3], uint32_t *counts)
{
    size_t ng = (size_t)roi->max_level, pairs = 0;
    long n[3] = {(long)roi->size[0], (long)roi->size[1], (long)roi->size[2]};

    memset(counts, 0, ng * ng * sizeof *counts);
    for (long z = 0; z < n[2]; z++)
        for (long y = 0; y < n[1]; y++)
            for (long x = 0; x < n[0]; x++) {
                long bx = x + offset[0], by = y + offset[1], bz = z + offset[2];
                if (bx < 0 || by < 0 || bz < 0 || bx >= n[0] || by >= n[1] || bz >= n[2])
                    continue;
                size_t a = (size_t)(x + n[0] * (y + n[1] * z));
                size_t b = (size_t)(bx + n[0] * (by + n[1] * bz));
                if (!roi->mask[a] || !roi->mask[b])
                    continue;
                counts[(size_t)(roi->levels[a] - 1) * ng + (size_t)(roi->levels[b] - 1)]++;
                pairs++;
            }
    return pairs;
}

START_TEST(counts_match_twin_random_shapes)
{
    int distances[2] = {1, 2};
    int (*offsets)[3];
    int n_offsets = ri_glcm_offsets(distances, 2, &offsets);
    ck_assert_int_eq(n_offsets, 62);

    for (unsigned seed = 1; seed <= 300; seed++) {
        roi_case c;
        ck_assert_int_eq(roi_case_random_shape(seed, &c), 0);
        size_t ng = (size_t)c.roi.max_level;
        uint32_t *fast = malloc(ng * ng * sizeof *fast);
        uint32_t *slow = malloc(ng * ng * sizeof *slow);
        ck_assert_ptr_nonnull(fast);
        ck_assert_ptr_nonnull(slow);
        for (int o = 0; o < n_offsets; o++) {
            ck_assert_int_eq(ri_glcm_counts(&c.roi, offsets[o], fast, NULL), RAD_OK);
            neighbour_counts(&c.roi, offsets[o], slow);
            /* Abort only on a mismatch, because Check logs every assert it runs. */
            for (size_t cell = 0; cell < ng * ng; cell++)
                if (fast[cell] != slow[cell])
                    ck_abort_msg("seed %u offset (%d,%d,%d) cell %zu: %u vs twin %u", seed,
                                 offsets[o][0], offsets[o][1], offsets[o][2], cell, fast[cell],
                                 slow[cell]);
        }
        free(fast);
        free(slow);
        roi_case_free(&c);
    }
    free(offsets);
}
END_TEST

/*
 * Slow twin of the features of one offset's counts (ng x ng, levels 1..ng),
 * with the dense formulas of pyradiomics' docstrings. Names as in
 * ri_glcm_table; MCC is left out. Returns 0 when the offset has no pair.
 */
static int twin_features(const uint32_t *counts, size_t ng, int symmetric, double *f)
{
    size_t cells = ng * ng;
    double *p = calloc(cells, sizeof *p), *px = calloc(ng, sizeof *px), *py = calloc(ng, sizeof *py);
    double *sum_k = calloc(2 * ng + 1, sizeof *sum_k), *diff_k = calloc(ng, sizeof *diff_k);
    double total = 0.0, eps = 2.220446049250313e-16;
    ck_assert(p && px && py && sum_k && diff_k);

    for (size_t a = 0; a < ng; a++)
        for (size_t b = 0; b < ng; b++) {
            p[a * ng + b] = counts[a * ng + b] + (symmetric ? counts[b * ng + a] : 0);
            total += p[a * ng + b];
        }
    if (total == 0.0) {
        free(p), free(px), free(py), free(sum_k), free(diff_k);
        return 0;
    }
    double ux = 0, uy = 0, autocorr = 0, energy = 0, hxy = 0, max_p = 0;
    for (size_t a = 0; a < ng; a++)
        for (size_t b = 0; b < ng; b++) {
            double q = p[a * ng + b] / total, i = a + 1.0, j = b + 1.0;
            p[a * ng + b] = q;
            px[a] += q;
            py[b] += q;
            ux += q * i;
            uy += q * j;
            autocorr += q * i * j;
            energy += q * q;
            if (q > 0)
                hxy -= q * log2(q + eps);
            max_p = fmax(max_p, q);
            sum_k[a + b + 2] += q;
            diff_k[a > b ? a - b : b - a] += q;
        }
    double var_x = 0, var_y = 0, cov = 0, contrast = 0, c2 = 0, c3 = 0, c4 = 0;
    double hxy1 = 0, hxy2 = 0, hx = 0, hy = 0;
    for (size_t a = 0; a < ng; a++) {
        if (px[a] > 0)
            hx -= px[a] * log2(px[a] + eps);
        if (py[a] > 0)
            hy -= py[a] * log2(py[a] + eps);
        for (size_t b = 0; b < ng; b++) {
            double q = p[a * ng + b], i = a + 1.0, j = b + 1.0, pxpy = px[a] * py[b];
            double t = i + j - ux - uy;
            var_x += q * (i - ux) * (i - ux);
            var_y += q * (j - uy) * (j - uy);
            cov += q * (i - ux) * (j - uy);
            contrast += q * (i - j) * (i - j);
            c2 += q * pow(t, 2);
            c3 += q * pow(t, 3);
            c4 += q * pow(t, 4);
            if (pxpy > 0) {
                hxy1 -= q * log2(pxpy + eps);
                hxy2 -= pxpy * log2(pxpy + eps);
            }
        }
    }
    double da = 0, de = 0, dv = 0, idm = 0, idmn = 0, id = 0, idn = 0, inv_var = 0;
    double n = (double)ng;
    for (size_t k = 0; k < ng; k++) {
        double q = diff_k[k];
        da += k * q;
        if (q > 0)
            de -= q * log2(q + eps);
        idm += q / (1.0 + (double)k * k);
        idmn += q / (1.0 + (double)k * k / (n * n));
        id += q / (1.0 + k);
        idn += q / (1.0 + k / n);
        if (k > 0)
            inv_var += q / ((double)k * k);
    }
    for (size_t k = 0; k < ng; k++)
        dv += (k - da) * (k - da) * diff_k[k];
    double sa = 0, se = 0, sv = 0;
    for (size_t k = 2; k <= 2 * ng; k++) {
        sa += k * sum_k[k];
        if (sum_k[k] > 0)
            se -= sum_k[k] * log2(sum_k[k] + eps);
    }
    for (size_t k = 2; k <= 2 * ng; k++)
        sv += (k - sa) * (k - sa) * sum_k[k];

    double sigma = sqrt(var_x) * sqrt(var_y);
    f[feature_index("Autocorrelation")] = autocorr;
    f[feature_index("JointAverage")] = ux;
    f[feature_index("ClusterProminence")] = c4;
    f[feature_index("ClusterShade")] = c3;
    f[feature_index("ClusterTendency")] = c2;
    f[feature_index("Contrast")] = contrast;
    f[feature_index("Correlation")] = sigma == 0 ? 1.0 : cov / (sigma + eps);
    f[feature_index("DifferenceAverage")] = da;
    f[feature_index("DifferenceEntropy")] = de;
    f[feature_index("DifferenceVariance")] = dv;
    f[feature_index("JointEnergy")] = energy;
    f[feature_index("JointEntropy")] = hxy;
    f[feature_index("Imc1")] = fmax(hx, hy) == 0 ? 0.0 : (hxy - hxy1) / fmax(hx, hy);
    if (hxy2 == hxy)
        f[feature_index("Imc2")] = 0.0;
    else if (hxy2 > hxy)
        f[feature_index("Imc2")] = sqrt(1 - exp(-2 * (hxy2 - hxy)));
    else
        f[feature_index("Imc2")] = NAN;
    f[feature_index("Idm")] = idm;
    f[feature_index("MCC")] = NAN;
    f[feature_index("Idmn")] = idmn;
    f[feature_index("Id")] = id;
    f[feature_index("Idn")] = idn;
    f[feature_index("InverseVariance")] = inv_var;
    f[feature_index("MaximumProbability")] = max_p;
    f[feature_index("SumAverage")] = sa;
    f[feature_index("SumEntropy")] = se;
    f[feature_index("SumSquares")] = var_x;
    f[feature_index("Dissimilarity")] = da;
    f[feature_index("Homogeneity1")] = id;
    f[feature_index("Homogeneity2")] = idm;
    f[feature_index("SumVariance")] = sv;
    free(p), free(px), free(py), free(sum_k), free(diff_k);
    return 1;
}

/* ri_glcm (one-pass counts of the 13 offsets, sparse feature sweeps) against twin_features. */
START_TEST(features_match_twin_random_shapes)
{
    int one = 1;
    int (*offsets)[3];
    int n_offsets = ri_glcm_offsets(&one, 1, &offsets);
    ck_assert_int_eq(n_offsets, 13);

    for (unsigned seed = 1; seed <= 120; seed++) {
        roi_case c;
        ck_assert_int_eq(roi_case_random_shape(seed, &c), 0);
        ri_settings s = default_settings();
        s.symmetrical_glcm = seed % 4 != 0;
        size_t ng = (size_t)c.roi.max_level, n_features = ri_glcm_table.count;
        uint32_t *counts = malloc(ng * ng * sizeof *counts);
        double sum[64] = {0}, f[64], out[64];
        int valid[64] = {0};
        ck_assert_ptr_nonnull(counts);
        for (int o = 0; o < n_offsets; o++) {
            neighbour_counts(&c.roi, offsets[o], counts);
            if (!twin_features(counts, ng, s.symmetrical_glcm, f))
                continue;
            for (size_t k = 0; k < n_features; k++)
                if (!isnan(f[k])) {
                    sum[k] += f[k];
                    valid[k]++;
                }
        }
        rad_status status = ri_glcm(&c.roi, &s, out, NULL);
        if (status != RAD_OK) {
            ck_assert_int_eq(valid[0], 0);
        } else {
            for (size_t k = 0; k < n_features; k++) {
                if (k == feature_index("MCC"))
                    continue;
                double twin = valid[k] ? sum[k] / valid[k] : NAN;
                double tolerance = 1e-12 * fmax(1.0, fabs(twin));
                /* Abort only on a mismatch, because Check logs every assert it runs. */
                if (isnan(twin) != isnan(out[k]) || fabs(out[k] - twin) > tolerance)
                    ck_abort_msg("seed %u %s: got %.17g, twin %.17g", seed,
                                 ri_glcm_table.defs[k].name, out[k], twin);
            }
        }
        free(counts);
        roi_case_free(&c);
    }
    free(offsets);
}
END_TEST

START_TEST(flat_region_values)
{
    random_roi r;
    ri_settings s = default_settings();
    double out[64];

    make_random_roi(&r, 7, 6, 5, 4);
    for (size_t v = 0; v < 6 * 5 * 4; v++)
        r.levels[v] = r.mask[v] ? 1 : 0;
    r.roi.max_level = 1;
    ck_assert_int_eq(ri_glcm(&r.roi, &s, out, NULL), RAD_OK);
    /* pyradiomics' flat-region values (baseline column brain1_flatRegion); 1e-12 absolute. */
    for (size_t i = 0; i < ri_glcm_table.count; i++)
        ck_assert_msg(fabs(out[i] - ri_glcm_table.defs[i].degenerate_value) <= 1e-12,
                      "%s: got %g, expected %g", ri_glcm_table.defs[i].name, out[i],
                      ri_glcm_table.defs[i].degenerate_value);
}
END_TEST

START_TEST(pyradiomics_flat_region_baseline)
{
    char dir[1024], csv[1200];

    if (!test_refdata_path(dir, sizeof dir, "pyradiomics/data/baseline", "pyradiomics glcm"))
        return;
    snprintf(csv, sizeof csv, "%s/baseline_glcm.csv", dir);
    for (size_t i = 0; i < 24; i++) {
        char row[128];
        double expected;

        snprintf(row, sizeof row, "original_glcm_%s", ri_glcm_table.defs[i].name);
        ck_assert(test_baseline_value(csv, row, "brain1_flatRegion", &expected));
        /* tolerance 1e-12 absolute */
        ck_assert_msg(fabs(ri_glcm_table.defs[i].degenerate_value - expected) <= 1e-12,
                      "%s: table %g, pyradiomics %g", row, ri_glcm_table.defs[i].degenerate_value,
                      expected);
    }
}
END_TEST

START_TEST(empty_and_single_voxel_rejected)
{
    random_roi r;
    ri_settings s = default_settings();
    double out[64];

    make_random_roi(&r, 3, 4, 4, 4);
    memset(r.mask, 0, sizeof r.mask);
    r.roi.n_voxels = 0;
    ck_assert_int_eq(ri_glcm(&r.roi, &s, out, NULL), RAD_ERR_EMPTY_ROI);

    r.mask[5] = 1;
    r.levels[5] = 1;
    r.roi.max_level = 1;
    r.roi.n_voxels = 1;
    ck_assert_int_eq(ri_glcm(&r.roi, &s, out, NULL), RAD_ERR_EMPTY_ROI);
}
END_TEST

static void check_pyradiomics_case(const char *case_name)
{
    char dir[1024], image[1200], mask[1200], csv[1200];
    ri_settings s = default_settings();
    test_roi roi;
    double out[64];
    int compared = 0;

    if (!test_refdata_path(dir, sizeof dir, "pyradiomics/data", "pyradiomics glcm"))
        return;
    snprintf(image, sizeof image, "%s/%s_image.nrrd", dir, case_name);
    snprintf(mask, sizeof mask, "%s/%s_label.nrrd", dir, case_name);
    snprintf(csv, sizeof csv, "%s/baseline/baseline_glcm.csv", dir);
    ck_assert_msg(test_roi_load(image, mask, 1.0, 25.0, &roi), "cannot load %s", case_name);
    ck_assert_int_eq(ri_glcm(&roi.roi, &s, out, NULL), RAD_OK);

    for (size_t i = 0; i < ri_glcm_table.count; i++) {
        char row[128];
        double expected;

        snprintf(row, sizeof row, "original_glcm_%s", ri_glcm_table.defs[i].name);
        if (!test_baseline_value(csv, row, case_name, &expected))
            continue;
        /* tolerance: 1e-5 relative, or 1e-9 absolute near zero */
        ck_assert_msg(fabs(out[i] - expected) <= fmax(1e-5 * fabs(expected), 1e-9),
                      "%s %s: got %.12g, pyradiomics %.12g", case_name, row, out[i], expected);
        compared++;
    }
    ck_assert_int_eq(compared, 24);
    test_roi_free(&roi);
}

START_TEST(pyradiomics_brain1) { check_pyradiomics_case("brain1"); }
END_TEST
START_TEST(pyradiomics_brain2) { check_pyradiomics_case("brain2"); }
END_TEST
START_TEST(pyradiomics_breast1) { check_pyradiomics_case("breast1"); }
END_TEST

/*
 * brain1_glcm.npy contains pyradiomics' normalised symmetric matrices with
 * shape (Ng, Ng, 13): element [i][j][a] at (i * Ng + j) * 13 + a, i and j
 * levels minus 1, a the direction in pyradiomics' own order. Each of our 13
 * matrices must equal exactly one of its slices.
 */
START_TEST(pyradiomics_brain1_matrices)
{
    char dir[1024], image[1200], mask[1200], npy_path[1200];
    int distances[1] = {1};
    test_roi roi;
    test_npy npy;
    int (*offsets)[3];
    int used[13] = {0};
    size_t ng;
    uint32_t *counts;
    double *p;

    if (!test_refdata_path(dir, sizeof dir, "pyradiomics/data", "pyradiomics glcm matrix"))
        return;
    snprintf(image, sizeof image, "%s/brain1_image.nrrd", dir);
    snprintf(mask, sizeof mask, "%s/brain1_label.nrrd", dir);
    snprintf(npy_path, sizeof npy_path, "%s/baseline/brain1_glcm.npy", dir);
    ck_assert(test_roi_load(image, mask, 1.0, 25.0, &roi));
    ck_assert_int_eq(test_npy_read(npy_path, &npy), 0);
    ng = (size_t)roi.roi.max_level;
    ck_assert_int_eq(npy.ndim, 3);
    ck_assert_uint_eq(npy.shape[0], ng);
    ck_assert_uint_eq(npy.shape[1], ng);
    ck_assert_uint_eq(npy.shape[2], 13);

    ck_assert_int_eq(ri_glcm_offsets(distances, 1, &offsets), 13);
    counts = malloc(ng * ng * sizeof *counts);
    p = malloc(ng * ng * sizeof *p);
    ck_assert(counts != NULL && p != NULL);
    for (int o = 0; o < 13; o++) {
        double total = 0.0;
        int match = -1;

        ck_assert_int_eq(ri_glcm_counts(&roi.roi, offsets[o], counts, NULL), RAD_OK);
        for (size_t c = 0; c < ng * ng; c++)
            total += 2.0 * counts[c];
        for (size_t i = 0; i < ng; i++)
            for (size_t j = 0; j < ng; j++)
                p[i * ng + j] = (counts[i * ng + j] + counts[j * ng + i]) / total;

        for (int a = 0; a < 13 && match < 0; a++) {
            double worst = 0.0;

            for (size_t c = 0; c < ng * ng; c++)
                worst = fmax(worst, fabs(p[c] - npy.data[c * 13 + (size_t)a]));
            /* tolerance 1e-12 absolute per element */
            if (worst <= 1e-12 && !used[a])
                match = a;
        }
        ck_assert_msg(match >= 0, "offset (%d,%d,%d) matches no pyradiomics direction",
                      offsets[o][0], offsets[o][1], offsets[o][2]);
        used[match] = 1;
    }
    free(p);
    free(counts);
    free(offsets);
    test_npy_free(&npy);
    test_roi_free(&roi);
}
END_TEST

START_TEST(ibsi_digital_phantom)
{
    static const struct {
        const char *tag;
        const char *name;
    } pairs[] = {
        {"cm_joint_max_3D_avg", "MaximumProbability"}, {"cm_joint_avg_3D_avg", "JointAverage"},
        {"cm_joint_var_3D_avg", "SumSquares"}, {"cm_joint_entr_3D_avg", "JointEntropy"},
        {"cm_diff_avg_3D_avg", "DifferenceAverage"}, {"cm_diff_var_3D_avg", "DifferenceVariance"},
        {"cm_diff_entr_3D_avg", "DifferenceEntropy"}, {"cm_sum_avg_3D_avg", "SumAverage"},
        {"cm_sum_var_3D_avg", "SumVariance"}, {"cm_sum_entr_3D_avg", "SumEntropy"},
        {"cm_energy_3D_avg", "JointEnergy"}, {"cm_contrast_3D_avg", "Contrast"},
        {"cm_dissimilarity_3D_avg", "Dissimilarity"}, {"cm_inv_diff_3D_avg", "Id"},
        {"cm_inv_diff_norm_3D_avg", "Idn"}, {"cm_inv_diff_mom_3D_avg", "Idm"},
        {"cm_inv_diff_mom_norm_3D_avg", "Idmn"}, {"cm_inv_var_3D_avg", "InverseVariance"},
        {"cm_corr_3D_avg", "Correlation"}, {"cm_auto_corr_3D_avg", "Autocorrelation"},
        {"cm_clust_tend_3D_avg", "ClusterTendency"}, {"cm_clust_shade_3D_avg", "ClusterShade"},
        {"cm_clust_prom_3D_avg", "ClusterProminence"}, {"cm_info_corr1_3D_avg", "Imc1"},
        {"cm_info_corr2_3D_avg", "Imc2"},
    };
    char image[1024], mask[1024], csv[1024];
    ri_settings s = default_settings();
    test_roi roi;
    double out[64];

    if (!test_refdata_path(image, sizeof image, "ibsi_1_digital_phantom/nifti/image/phantom.nii.gz",
                           "IBSI digital phantom") ||
        !test_refdata_path(mask, sizeof mask, "ibsi_1_digital_phantom/nifti/mask/mask.nii.gz",
                           "IBSI digital phantom") ||
        !test_refdata_path(csv, sizeof csv, "ibsi_1_reference_values/ibsi_1_dig_phantom.csv",
                           "IBSI reference values"))
        return;
    ck_assert(test_roi_load(image, mask, 1.0, 1.0, &roi));
    ck_assert_int_eq(ri_glcm(&roi.roi, &s, out, NULL), RAD_OK);

    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        double expected, tolerance;
        double got = out[feature_index(pairs[i].name)];

        ck_assert_msg(test_ibsi_reference(csv, pairs[i].tag, &expected, &tolerance),
                      "no IBSI reference for %s", pairs[i].tag);
        /* tolerance: published, or half a unit of the last printed digit when 0 */
        ck_assert_msg(fabs(got - expected) <= tolerance, "%s: got %.6g, IBSI %g +- %g",
                      pairs[i].tag, got, expected, tolerance);
    }
    test_roi_free(&roi);
}
END_TEST

static Suite *glcm_suite(void)
{
    Suite *suite = suite_create("glcm");
    TCase *kernel = tcase_create("kernel");
    TCase *reference = tcase_create("reference");

    /* The random-shape twins take about 0.2 s of CPU, more on a loaded machine. */
    tcase_set_timeout(kernel, 30);
    tcase_add_test(kernel, glcm_table_order);
    tcase_add_test(kernel, glcm_offsets_count);
    tcase_add_test(kernel, counts_match_slow_twin);
    tcase_add_test(kernel, counts_match_twin_random_shapes);
    tcase_add_test(kernel, features_match_twin_random_shapes);
    tcase_add_test(kernel, flat_region_values);
    tcase_add_test(kernel, empty_and_single_voxel_rejected);
    suite_add_tcase(suite, kernel);

    tcase_set_timeout(reference, 60);
    tcase_add_test(reference, pyradiomics_flat_region_baseline);
    tcase_add_test(reference, pyradiomics_brain1);
    tcase_add_test(reference, pyradiomics_brain2);
    tcase_add_test(reference, pyradiomics_breast1);
    tcase_add_test(reference, pyradiomics_brain1_matrices);
    tcase_add_test(reference, ibsi_digital_phantom);
    suite_add_tcase(suite, reference);
    return suite;
}

int main(void)
{
    SRunner *runner = srunner_create(glcm_suite());
    int failed;

    srunner_set_fork_status(runner, CK_FORK);
    srunner_run_all(runner, CK_NORMAL);
    failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? 0 : 1;
}
