/*
 * test_level_grid.c - the padded level grid against a scalar twin, its
 * rejection of invalid ROIs, and the texture kernels on a shared grid
 * against the same kernels building their own.
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "aggregation.h"
#include "roi_case.h"
#include "texture.h"

/* Cell of the padded grid at ROI box position (x, y, z), each from -1 to size. */
static int grid_cell(const ri_level_grid *grid, long x, long y, long z)
{
    return grid->cells[(x + 1) + (long)grid->stride[1] * (y + 1) + (long)grid->stride[2] * (z + 1)];
}

/* Scalar twin: every cell, the levels present and the bounding box, voxel by voxel. */
static void check_grid_twin(const ri_roi *roi, const ri_level_grid *grid, unsigned seed)
{
    long n[3] = {(long)roi->size[0], (long)roi->size[1], (long)roi->size[2]};
    long lo[3] = {n[0], n[1], n[2]}, hi[3] = {-1, -1, -1};
    int *present = calloc((size_t)roi->max_level + 1, sizeof *present);
    ck_assert_ptr_nonnull(present);

    for (long z = -1; z <= n[2]; z++)
        for (long y = -1; y <= n[1]; y++)
            for (long x = -1; x <= n[0]; x++) {
                int inside_box = x >= 0 && y >= 0 && z >= 0 && x < n[0] && y < n[1] && z < n[2];
                int expected = -1;
                if (inside_box) {
                    size_t v = (size_t)(x + n[0] * (y + n[1] * z));
                    long at[3] = {x, y, z};
                    expected = roi->mask[v] ? roi->levels[v] : 0;
                    if (roi->mask[v]) {
                        present[expected] = 1;
                        for (int a = 0; a < 3; a++) {
                            lo[a] = at[a] < lo[a] ? at[a] : lo[a];
                            hi[a] = at[a] > hi[a] ? at[a] : hi[a];
                        }
                    }
                }
                /* Abort only on a mismatch, because Check logs every assert it runs. */
                if (grid_cell(grid, x, y, z) != expected)
                    ck_abort_msg("seed %u cell (%ld, %ld, %ld): %d, twin %d", seed, x, y, z,
                                 grid_cell(grid, x, y, z), expected);
            }
    for (size_t k = 0; k < RI_INT4_LANES; k++)
        ck_assert_int_eq(grid->cells[grid->count + k], -1);
    for (int a = 0; a < 3; a++)
        ck_assert_uint_eq(grid->roi_extent[a], (size_t)(hi[a] - lo[a] + 1));
    int row = 0;
    for (int level = 1; level <= roi->max_level; level++) {
        if (!present[level]) {
            ck_assert_int_eq(grid->row_of_level[level], -1);
            continue;
        }
        ck_assert_int_eq(grid->row_of_level[level], row);
        ck_assert_double_eq(grid->row_level[row], (double)level);
        row++;
    }
    ck_assert_int_eq(grid->n_rows, row);
    ck_assert_int_eq(grid->max_level, roi->max_level);
    free(present);
}

START_TEST(grid_matches_twin_random_shapes)
{
    for (unsigned seed = 1; seed <= 200; seed++) {
        roi_case c;
        ri_level_grid grid;
        ck_assert_int_eq(roi_case_random_shape(seed, &c), 0);
        ck_assert_int_eq(ri_level_grid_build(&c.roi, &grid, NULL), RAD_OK);
        check_grid_twin(&c.roi, &grid, seed);
        ri_level_grid_free(&grid);
        roi_case_free(&c);
    }
}
END_TEST

/* A 7 x 3 x 2 box, all inside, levels 1..3: x = 0..3 take the vector path, x = 4..6 the scalar tail. */
typedef struct small_box {
    uint8_t mask[42];
    int levels[42];
    ri_roi roi;
} small_box;

static void small_box_init(small_box *b)
{
    memset(b, 0, sizeof *b);
    for (int v = 0; v < 42; v++) {
        b->mask[v] = 1;
        b->levels[v] = 1 + v % 3;
    }
    b->roi.size[0] = 7;
    b->roi.size[1] = 3;
    b->roi.size[2] = 2;
    b->roi.spacing[0] = b->roi.spacing[1] = b->roi.spacing[2] = 1.0;
    b->roi.mask = b->mask;
    b->roi.levels = b->levels;
    b->roi.max_level = 3;
    b->roi.n_voxels = 42;
}

START_TEST(grid_rejects_invalid_levels)
{
    /* Voxel indices in the vector part (x = 2) and in the tail (x = 5) of a row. */
    const int voxels[2] = {7 + 2, 21 + 5};
    const int bad_levels[3] = {0, 4, -2};
    small_box b;
    ri_level_grid grid;

    small_box_init(&b);
    ck_assert_int_eq(ri_level_grid_build(&b.roi, &grid, NULL), RAD_OK);
    ri_level_grid_free(&grid);
    for (int i = 0; i < 2; i++)
        for (int k = 0; k < 3; k++) {
            small_box_init(&b);
            b.levels[voxels[i]] = bad_levels[k];
            ck_assert_int_eq(ri_level_grid_build(&b.roi, &grid, NULL), RAD_ERR_ARGUMENT);
            ck_assert_ptr_null(grid.cells);
        }

    /* A voxel outside the mask may have any level. */
    small_box_init(&b);
    b.mask[voxels[1]] = 0;
    b.levels[voxels[1]] = 99;
    b.roi.n_voxels = 41;
    ck_assert_int_eq(ri_level_grid_build(&b.roi, &grid, NULL), RAD_OK);
    ri_level_grid_free(&grid);

    small_box_init(&b);
    b.roi.n_voxels = 40;
    ck_assert_int_eq(ri_level_grid_build(&b.roi, &grid, NULL), RAD_ERR_ARGUMENT);
}
END_TEST

typedef rad_status (*kernel_fn)(const ri_roi *, const ri_settings *, double *, rad_error *);
typedef rad_status (*grid_kernel_fn)(const ri_roi *, const ri_level_grid *, const ri_settings *,
                                     double *, rad_error *);

/* The kernels on a shared grid give the same bits as building their own. */
START_TEST(shared_grid_same_features)
{
    static const kernel_fn plain[4] = {ri_glcm, ri_glrlm, ri_glszm, ri_gldm};
    static const grid_kernel_fn on_grid[4] = {ri_glcm_on_grid, ri_glrlm_on_grid, ri_glszm_on_grid,
                                              ri_gldm_on_grid};
    static const char *names[4] = {"glcm", "glrlm", "glszm", "gldm"};

    for (unsigned seed = 1; seed <= 60; seed++) {
        roi_case c;
        ri_level_grid grid;
        ri_settings s;
        memset(&s, 0, sizeof s);
        s.symmetrical_glcm = 1;
        s.distances[0] = 1;
        s.n_distances = 1;
        ck_assert_int_eq(roi_case_random_shape(seed, &c), 0);
        ck_assert_int_eq(ri_level_grid_build(&c.roi, &grid, NULL), RAD_OK);
        for (int k = 0; k < 4; k++) {
            double a[64], b[64];
            for (int f = 0; f < 64; f++)
                a[f] = b[f] = NAN;
            rad_status status_a = plain[k](&c.roi, &s, a, NULL);
            rad_status status_b = on_grid[k](&c.roi, &grid, &s, b, NULL);
            ck_assert_msg(status_a == status_b, "seed %u %s: status %d, on grid %d", seed,
                          names[k], status_a, status_b);
            if (memcmp(a, b, sizeof a) != 0)
                ck_abort_msg("seed %u %s: features differ on a shared grid", seed, names[k]);
        }
        ri_level_grid_free(&grid);
        roi_case_free(&c);
    }
}
END_TEST

/* The aggregation methods on shared volume and slice grids give the same bits as without. */
START_TEST(shared_slice_grids_same_features)
{
    static const ri_feature_class classes[3] = {RI_CLASS_GLRLM, RI_CLASS_GLSZM, RI_CLASS_GLDM};
    static const ri_aggregation methods[5] = {RI_AGG_3D_COMB, RI_AGG_2D_AVG, RI_AGG_2D_COMB,
                                              RI_AGG_2_5D_AVG, RI_AGG_2_5D_COMB};

    for (unsigned seed = 1; seed <= 40; seed++) {
        roi_case c;
        ri_level_grid volume, *slices = NULL;
        ck_assert_int_eq(roi_case_random_shape(seed, &c), 0);
        ck_assert_int_eq(ri_level_grid_build(&c.roi, &volume, NULL), RAD_OK);
        ck_assert_int_eq(ri_slice_grids_build(&c.roi, &slices, NULL), RAD_OK);
        ri_texture_grids grids = {&volume, slices};

        for (int k = 0; k < 3; k++)
            for (int m = 0; m < 5; m++) {
                double a[64], b[64];
                for (int f = 0; f < 64; f++)
                    a[f] = b[f] = NAN;
                rad_status status_a =
                    ri_texture_aggregated(classes[k], &c.roi, NULL, methods[m], a, NULL);
                rad_status status_b = ri_texture_aggregated_on_grids(classes[k], &c.roi, &grids,
                                                                     NULL, methods[m], b, NULL);
                ck_assert_msg(status_a == status_b, "seed %u class %d method %d: status %d, %d",
                              seed, (int)classes[k], (int)methods[m], status_a, status_b);
                if (memcmp(a, b, sizeof a) != 0)
                    ck_abort_msg("seed %u class %d method %d: features differ on shared grids",
                                 seed, (int)classes[k], (int)methods[m]);
            }
        ri_slice_grids_free(slices, c.roi.size[2]);
        ri_level_grid_free(&volume);
        roi_case_free(&c);
    }
}
END_TEST

static Suite *level_grid_suite(void)
{
    Suite *suite = suite_create("level_grid");
    TCase *tc = tcase_create("level_grid");

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, grid_matches_twin_random_shapes);
    tcase_add_test(tc, grid_rejects_invalid_levels);
    tcase_add_test(tc, shared_grid_same_features);
    tcase_add_test(tc, shared_slice_grids_same_features);
    suite_add_tcase(suite, tc);
    return suite;
}

int main(void)
{
    SRunner *runner = srunner_create(level_grid_suite());
    int failed;

    srunner_set_fork_status(runner, CK_FORK);
    srunner_run_all(runner, CK_NORMAL);
    failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
