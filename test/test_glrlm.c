/*
 * test_glrlm.c - GLRLM kernel against pyradiomics' baselines and matrices,
 * the IBSI 1 digital phantom, pyradiomics' documented example and a slow twin.
 *
 * IBSI 1 and pyradiomics define all 16 GLRLM features alike (per-direction
 * matrices over 13 directions, features averaged = IBSI "3D_avg"; run
 * percentage N_r / N_v; variances about the means of the marginals). The
 * only differences:
 * | feature      | pyradiomics                     | IBSI                         |
 * |--------------|---------------------------------|------------------------------|
 * | RunEntropy   | -sum p log2(p + 2^-52)          | -sum p log2 p (no epsilon)   |
 * | all          | drops directions along an axis  | keeps every direction        |
 * |              | on which the ROI is 1 voxel     |                              |
 * |              | thick, or with no 2 voxels on   |                              |
 * |              | a line                          |                              |
 * Neither changes the digital phantom's values at IBSI's 3 significant digits.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "roi_case.h"
#include "testutil.h"
#include "texture.h"

#define N_FEATURES 16

/* pyradiomics' docstring example (5 x 5, 2-D): rows are y, columns x. */
static const int doc_image[5][5] = {
    {5, 2, 5, 4, 4}, {3, 3, 3, 1, 3}, {2, 1, 1, 1, 3}, {4, 2, 2, 2, 3}, {3, 5, 3, 3, 2},
};

START_TEST(table_layout)
{
    ck_assert_uint_eq(ri_glrlm_table.count, N_FEATURES);
    ck_assert_str_eq(ri_glrlm_table.class_name, "glrlm");
    ck_assert_str_eq(ri_glrlm_table.defs[0].name, "ShortRunEmphasis");
    ck_assert_str_eq(ri_glrlm_table.defs[9].name, "RunEntropy");
    ck_assert_str_eq(ri_glrlm_table.defs[15].name, "LongRunHighGrayLevelEmphasis");
    for (size_t f = 0; f < ri_glrlm_table.count; f++) {
        ck_assert_int_eq(strncmp(ri_glrlm_table.defs[f].ibsi_tag, "rlm_", 4), 0);
        ck_assert_uint_eq(strlen(ri_glrlm_table.defs[f].ibsi_id), 4);
    }
}
END_TEST

/* Expected matrix for angle 0 (along x) copied from pyradiomics' GLRLM docstring. */
START_TEST(docstring_example_along_x)
{
    static const double expected[5][5] = {
        {1, 0, 1, 0, 0}, {3, 0, 1, 0, 0}, {4, 1, 1, 0, 0}, {1, 1, 0, 0, 0}, {3, 0, 0, 0, 0},
    };
    size_t size[3] = {5, 5, 1};
    roi_case c;
    ck_assert_int_eq(roi_case_from_levels(size, &doc_image[0][0], &c), 0);

    ri_glrlm_set set;
    ck_assert_int_eq(ri_glrlm_matrices(&c.roi, &set, NULL), RAD_OK);
    const ri_size_matrix *m = &set.matrices[12]; /* direction (1, 0, 0) */
    ck_assert_int_eq(set.valid[12], 1);
    ck_assert_uint_eq(m->n_rows, 5);
    ck_assert_uint_eq(m->n_cols, 5);
    for (size_t i = 0; i < 5; i++)
        for (size_t j = 0; j < 5; j++)
            ck_assert_double_eq(m->counts[i * 5 + j], expected[i][j]); /* exact counts */

    /* Directions moving along z are dropped on a one-slice ROI. */
    for (int d = 0; d < 9; d++)
        ck_assert_int_eq(set.valid[d], 0);
    ri_glrlm_set_free(&set);
    roi_case_free(&c);
}
END_TEST

static void check_baseline(const char *case_name)
{
    char image[256], label[256], csv[1024];
    snprintf(image, sizeof image, "pyradiomics/data/%s_image.nrrd", case_name);
    snprintf(label, sizeof label, "pyradiomics/data/%s_label.nrrd", case_name);
    if (!test_refdata_path(csv, sizeof csv, "pyradiomics/data/baseline/baseline_glrlm.csv",
                           "glrlm baseline"))
        return;
    roi_case c;
    int loaded = roi_case_load(image, label, 1.0, 25.0, &c);
    if (loaded == 0)
        return;
    ck_assert_int_eq(loaded, 1);

    double out[N_FEATURES];
    rad_error *error = rad_error_create();
    ck_assert_msg(ri_glrlm(&c.roi, NULL, out, error) == RAD_OK, "%s", rad_error_message(error));
    for (size_t f = 0; f < N_FEATURES; f++) {
        char row[128];
        double want;
        snprintf(row, sizeof row, "original_glrlm_%s", ri_glrlm_table.defs[f].name);
        ck_assert_msg(csv_lookup(csv, row, case_name, &want) == 0, "%s missing", row);
        /* tolerance: 1e-5 relative, 1e-9 absolute near zero */
        ck_assert_msg(close_enough(out[f], want, 1e-5, 1e-9), "%s %s: got %.12g, pyradiomics %.12g",
                      case_name, row, out[f], want);
    }
    rad_error_free(error);
    roi_case_free(&c);
}

START_TEST(baseline_brain1) { check_baseline("brain1"); }
END_TEST
START_TEST(baseline_brain2) { check_baseline("brain2"); }
END_TEST
START_TEST(baseline_breast1) { check_baseline("breast1"); }
END_TEST

/*
 * brain1_glrlm.npy is pyradiomics' matrix, shape (grey levels present,
 * run lengths present in some direction, 13 directions).
 */
START_TEST(matrix_brain1)
{
    char path[1024];
    if (!test_refdata_path(path, sizeof path, "pyradiomics/data/baseline/brain1_glrlm.npy",
                           "glrlm matrix"))
        return;
    roi_case c;
    int loaded = roi_case_load("pyradiomics/data/brain1_image.nrrd",
                               "pyradiomics/data/brain1_label.nrrd", 1.0, 25.0, &c);
    if (loaded == 0)
        return;
    ck_assert_int_eq(loaded, 1);
    case_npy ref;
    ck_assert_int_eq(case_npy_read(path, &ref), 0);
    ck_assert_uint_eq(ref.ndim, 3);
    ck_assert_uint_eq(ref.shape[2], RI_DIRECTIONS);

    ri_glrlm_set set;
    ck_assert_int_eq(ri_glrlm_matrices(&c.roi, &set, NULL), RAD_OK);
    ck_assert_uint_eq(set.matrices[0].n_rows, ref.shape[0]);
    /* pyradiomics deletes the run lengths no direction has; keep the others, in order. */
    size_t n_cols = set.matrices[0].n_cols, n_kept = 0;
    size_t *kept = malloc(n_cols * sizeof *kept);
    ck_assert_ptr_nonnull(kept);
    for (size_t j = 0; j < n_cols; j++) {
        double column = 0.0;
        for (int d = 0; d < RI_DIRECTIONS; d++)
            for (size_t i = 0; i < set.matrices[d].n_rows; i++)
                column += set.matrices[d].counts[i * n_cols + j];
        if (column > 0.0)
            kept[n_kept++] = j;
    }
    ck_assert_uint_eq(n_kept, ref.shape[1]);
    for (int d = 0; d < RI_DIRECTIONS; d++) {
        const ri_size_matrix *m = &set.matrices[d];
        for (size_t i = 0; i < m->n_rows; i++)
            for (size_t k = 0; k < n_kept; k++) {
                double want = ref.data[(i * n_kept + k) * RI_DIRECTIONS + (size_t)d];
                double got = m->counts[i * n_cols + kept[k]];
                ck_assert_msg(got == want, /* exact counts */
                              "direction %d, row %zu, length %zu: got %g, pyradiomics %g", d, i,
                              kept[k] + 1, got, want);
            }
    }
    free(kept);
    ri_glrlm_set_free(&set);
    case_npy_free(&ref);
    roi_case_free(&c);
}
END_TEST

/* IBSI reference values have 3 significant digits and a published tolerance of 0. */
static double three_digit_tolerance(double value)
{
    if (value == 0.0)
        return 5e-4;
    return 0.5 * pow(10.0, floor(log10(fabs(value))) - 2.0);
}

START_TEST(ibsi_digital_phantom)
{
    char csv[1024];
    if (!test_refdata_path(csv, sizeof csv, "ibsi_1_reference_values/ibsi_1_dig_phantom.csv",
                           "IBSI phantom reference"))
        return;
    roi_case c;
    int loaded = roi_case_load("ibsi_1_digital_phantom/nifti/image/phantom.nii.gz",
                               "ibsi_1_digital_phantom/nifti/mask/mask.nii.gz", 1.0, 1.0, &c);
    if (loaded == 0)
        return;
    ck_assert_int_eq(loaded, 1);
    ck_assert_uint_eq(c.roi.n_voxels, 74);

    double out[N_FEATURES];
    ck_assert_int_eq(ri_glrlm(&c.roi, NULL, out, NULL), RAD_OK);
    for (size_t f = 0; f < N_FEATURES; f++) {
        char tag[64];
        double want, tolerance;
        snprintf(tag, sizeof tag, "%s_3D_avg", ri_glrlm_table.defs[f].ibsi_tag);
        ck_assert_msg(ibsi_lookup(csv, tag, &want, &tolerance) == 0, "%s missing", tag);
        /* tolerance: the published one, widened to the rounding of 3 significant digits */
        double allowed = fmax(tolerance, three_digit_tolerance(want));
        ck_assert_msg(fabs(out[f] - want) <= allowed, "%s: got %.6g, IBSI %.6g +- %g", tag, out[f],
                      want, allowed);
    }
    roi_case_free(&c);
}
END_TEST

/* ---- slow twin ------------------------------------------------------- */

static int inside(const size_t size[3], long x, long y, long z)
{
    return x >= 0 && y >= 0 && z >= 0 && x < (long)size[0] && y < (long)size[1] &&
           z < (long)size[2];
}

/*
 * Walks every line along step explicitly: a line starts at each voxel whose
 * predecessor lies outside the box. P is n_levels x n_cols, zeroed here.
 * Returns the largest number of ROI voxels on one line.
 */
static int naive_runs(const roi_case *c, const int step[3], double *P, size_t n_cols)
{
    const size_t *size = c->roi.size;
    int max_on_line = 0;
    memset(P, 0, (size_t)c->roi.max_level * n_cols * sizeof *P);
    for (long z = 0; z < (long)size[2]; z++)
        for (long y = 0; y < (long)size[1]; y++)
            for (long x = 0; x < (long)size[0]; x++) {
                if (inside(size, x - step[0], y - step[1], z - step[2]))
                    continue;
                int level = 0, length = 0, on_line = 0;
                for (long px = x, py = y, pz = z; inside(size, px, py, pz);
                     px += step[0], py += step[1], pz += step[2]) {
                    size_t v = (size_t)px + size[0] * ((size_t)py + size[1] * (size_t)pz);
                    int current = c->mask[v] ? c->levels[v] : 0;
                    on_line += current > 0;
                    if (current == level && current > 0) {
                        length++;
                        continue;
                    }
                    if (level > 0)
                        P[(size_t)(level - 1) * n_cols + (size_t)(length - 1)] += 1.0;
                    level = current;
                    length = 1;
                }
                if (level > 0)
                    P[(size_t)(level - 1) * n_cols + (size_t)(length - 1)] += 1.0;
                if (on_line > max_on_line)
                    max_on_line = on_line;
            }
    return max_on_line;
}

/* Builds a small box with up to 6 levels for seeds up to 300, and
 * calls roi_case_random_shape for larger seeds. */
static void random_case(unsigned seed, roi_case *c)
{
    if (seed > 300) {
        ck_assert_int_eq(roi_case_random_shape(seed, c), 0);
        return;
    }
    srand(seed);
    size_t size[3] = {1 + (size_t)(rand() % 9), 1 + (size_t)(rand() % 9), 1 + (size_t)(rand() % 6)};
    size_t n = size[0] * size[1] * size[2];
    int n_levels = 1 + rand() % 6, fill = 30 + rand() % 70;
    int *levels = calloc(n, sizeof *levels);
    ck_assert_ptr_nonnull(levels);
    for (size_t v = 0; v < n; v++)
        levels[v] = rand() % 100 < fill ? 1 + rand() % n_levels : 0;
    levels[rand() % n] = 1 + rand() % n_levels; /* at least one ROI voxel */
    ck_assert_int_eq(roi_case_from_levels(size, levels, c), 0);
    free(levels);
}

START_TEST(slow_twin_random_rois)
{
    for (unsigned seed = 1; seed <= 1000; seed++) {
        roi_case c;
        random_case(seed, &c);
        size_t n_cols = c.roi.size[0];
        for (int a = 1; a < 3; a++)
            if (c.roi.size[a] > n_cols)
                n_cols = c.roi.size[a];
        double *P = malloc((size_t)c.roi.max_level * n_cols * sizeof *P);
        double *col_value = malloc(n_cols * sizeof *col_value);
        ck_assert_ptr_nonnull(P);
        ck_assert_ptr_nonnull(col_value);
        for (size_t j = 0; j < n_cols; j++)
            col_value[j] = (double)(j + 1);

        double mean[N_FEATURES] = {0};
        int n_used = 0;
        ri_glrlm_set set;
        ck_assert_int_eq(ri_glrlm_matrices(&c.roi, &set, NULL), RAD_OK);
        for (int d = 0; d < RI_DIRECTIONS; d++) {
            const int *step = ri_directions[d];
            int max_on_line = naive_runs(&c, step, P, n_cols);
            int thick = 1;
            for (int a = 0; a < 3; a++)
                if (step[a] != 0 && set.grid.roi_extent[a] < 2)
                    thick = 0;
            int valid = thick && max_on_line >= 2;
            ck_assert_msg(set.valid[d] == valid, "seed %u direction %d: valid %d, twin %d", seed, d,
                          set.valid[d], valid);
            if (!valid)
                continue;
            /* The fast matrix keeps only present levels; map them back to 1..max_level. */
            const ri_size_matrix *m = &set.matrices[d];
            ck_assert_uint_le(m->n_cols, n_cols);
            for (size_t r = 0; r < m->n_rows; r++)
                for (size_t j = 0; j < n_cols; j++) {
                    size_t level = (size_t)m->row_level[r];
                    double fast = j < m->n_cols ? m->counts[r * m->n_cols + j] : 0.0;
                    /* Abort only on a mismatch, because Check logs every assert it runs. */
                    if (fast != P[(level - 1) * n_cols + j])
                        ck_abort_msg("seed %u direction %d level %zu length %zu: %g vs twin %g",
                                     seed, d, level, j + 1, fast, P[(level - 1) * n_cols + j]);
                }
            double values[N_FEATURES];
            naive_size_features(P, (size_t)c.roi.max_level, n_cols, col_value,
                                (double)c.roi.n_voxels, values);
            for (int f = 0; f < N_FEATURES; f++)
                mean[f] += values[f];
            n_used++;
        }
        ri_glrlm_set_free(&set);

        double out[N_FEATURES];
        rad_status status = ri_glrlm(&c.roi, NULL, out, NULL);
        if (n_used == 0) {
            ck_assert_int_eq(status, RAD_ERR_EMPTY_ROI);
        } else {
            ck_assert_int_eq(status, RAD_OK);
            for (int f = 0; f < N_FEATURES; f++)
                /* tolerance: 1e-10 relative, 1e-12 absolute (summation order only) */
                ck_assert_msg(close_enough(out[f], mean[f] / n_used, 1e-10, 1e-12),
                              "seed %u %s: %.15g vs twin %.15g", seed, ri_glrlm_table.defs[f].name,
                              out[f], mean[f] / n_used);
        }
        free(P);
        free(col_value);
        roi_case_free(&c);
    }
}
END_TEST

START_TEST(rejects_bad_input)
{
    size_t size[3] = {2, 1, 1};
    int levels[2] = {0, 0};
    roi_case c;
    double out[N_FEATURES];
    ck_assert_int_eq(roi_case_from_levels(size, levels, &c), 0);
    ck_assert_int_eq(ri_glrlm(&c.roi, NULL, out, NULL), RAD_ERR_EMPTY_ROI);
    roi_case_free(&c);

    int single[2] = {3, 0};
    ck_assert_int_eq(roi_case_from_levels(size, single, &c), 0);
    rad_error *error = rad_error_create();
    ck_assert_int_eq(ri_glrlm(&c.roi, NULL, out, error), RAD_ERR_EMPTY_ROI);
    ck_assert_ptr_nonnull(strstr(rad_error_message(error), "direction"));
    rad_error_free(error);
    roi_case_free(&c);
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("glrlm");
    TCase *tc = tcase_create("glrlm");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, table_layout);
    tcase_add_test(tc, docstring_example_along_x);
    tcase_add_test(tc, baseline_brain1);
    tcase_add_test(tc, baseline_brain2);
    tcase_add_test(tc, baseline_breast1);
    tcase_add_test(tc, matrix_brain1);
    tcase_add_test(tc, ibsi_digital_phantom);
    tcase_add_test(tc, slow_twin_random_rois);
    tcase_add_test(tc, rejects_bad_input);
    suite_add_tcase(suite, tc);

    SRunner *runner = srunner_create(suite);
    srunner_set_fork_status(runner, CK_FORK);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
