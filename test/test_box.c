/*
 * test_box.c - box ROI with automatic subcutaneous-tissue segmentation.
 *
 * Synthetic phantoms check the geometry and each rule with hand-derived
 * expectations; the simulated-lesion cohort on real CT (truth masks of the
 * inserted lesions) and the soft-tissue-sarcoma CT (real muscle and bone)
 * check the segmentation on real anatomy.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "radiomics.h"
#include "testutil.h"

/* ------------------------------------------------------------------ */
/* Helpers                                                              */

static rad_volume *make_volume(size_t nx, size_t ny, size_t nz, const double spacing[3],
                               const double origin[3], const double direction[9], double fill)
{
    size_t size[3] = {nx, ny, nz};
    rad_volume *v = NULL;

    ck_assert_int_eq(rad_volume_create(size, spacing, origin, direction, &v, NULL), RAD_OK);
    double *data = rad_volume_data_mutable(v);
    for (size_t i = 0; i < nx * ny * nz; i++)
        data[i] = fill;
    return v;
}

static size_t mask_count(const rad_volume *mask)
{
    size_t n = 0, total = ri_voxel_count(mask);
    for (size_t i = 0; i < total; i++)
        n += mask->data[i] != 0;
    return n;
}

/* 1 when the centre of voxel (i, j, k) lies in the cube, tested independently
 * of box.c through the public index-to-world map. */
static int in_cube(const rad_volume *v, size_t i, size_t j, size_t k, const double center[3],
                   double size_mm)
{
    double ijk[3] = {(double)i, (double)j, (double)k}, world[3];
    rad_volume_index_to_world(v, ijk, world);
    for (int a = 0; a < 3; a++)
        if (fabs(world[a] - center[a]) > size_mm / 2 + 1e-6)
            return 0;
    return 1;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* ------------------------------------------------------------------ */
/* Arguments and errors                                                 */

START_TEST(box_argument_errors)
{
    double sp[3] = {1, 1, 1}, org[3] = {0, 0, 0};
    rad_volume *img = make_volume(20, 20, 20, sp, org, NULL, -100.0);
    rad_volume *mask = NULL;
    rad_error *err = rad_error_create();
    double center[3] = {10, 10, 10}, nan_center[3] = {NAN, 0, 0}, far[3] = {500, 10, 10};

    ck_assert_int_eq(rad_box_mask(NULL, img, center, 0.0, &mask, err), RAD_ERR_ARGUMENT);
    ck_assert_int_eq(rad_box_mask(NULL, img, center, -5.0, &mask, err), RAD_ERR_ARGUMENT);
    ck_assert_int_eq(rad_box_mask(NULL, img, nan_center, 10.0, &mask, err), RAD_ERR_ARGUMENT);
    ck_assert_int_eq(rad_box_mask(NULL, img, center, INFINITY, &mask, err), RAD_ERR_ARGUMENT);
    ck_assert_int_eq(rad_box_mask(NULL, img, far, 50.0, &mask, err), RAD_ERR_OUTSIDE);
    ck_assert_ptr_null(mask);
    ck_assert_int_eq(rad_error_status(err), RAD_ERR_OUTSIDE);
    ck_assert_ptr_nonnull(strstr(rad_error_message(err), "does not overlap"));

    /* A 0.5 mm cube between voxel centres contains no centre. */
    double between[3] = {10.5, 10.5, 10.5};
    ck_assert_int_eq(rad_box_mask(NULL, img, between, 0.5, &mask, err), RAD_ERR_OUTSIDE);

    /* All air: nothing to keep. */
    double *d = rad_volume_data_mutable(img);
    for (size_t i = 0; i < 8000; i++)
        d[i] = -1000.0 + (double)(i % 7);
    ck_assert_int_eq(rad_box_mask(NULL, img, center, 10.0, &mask, err), RAD_ERR_EMPTY_ROI);
    ck_assert_ptr_null(mask);

    rad_volume_free(img);
    rad_error_free(err);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Cube geometry                                                        */

/* A fat body filling the image except an air shell of 3 voxels: the mask is
 * exactly the cube's voxels inside the body, for any direction matrix. */
static void check_cube_geometry(const double direction[9], const double center[3],
                                double size_mm)
{
    double sp[3] = {0.8, 0.9, 2.0}, org[3] = {-30, 20, -15};
    size_t n[3] = {60, 60, 24};
    rad_volume *img = make_volume(n[0], n[1], n[2], sp, org, direction, -100.0);
    rad_volume *mask = NULL;
    double *d = rad_volume_data_mutable(img);
    size_t expected = 0;

    for (size_t k = 0; k < n[2]; k++)
        for (size_t j = 0; j < n[1]; j++)
            for (size_t i = 0; i < n[0]; i++) {
                int shell = i < 3 || j < 3 || i >= n[0] - 3 || j >= n[1] - 3;
                if (shell)
                    d[ri_index(img, i, j, k)] = -1000.0 + (double)((i + j) % 5);
                else
                    expected += (size_t)in_cube(img, i, j, k, center, size_mm);
            }

    ck_assert_int_eq(rad_box_mask(NULL, img, center, size_mm, &mask, NULL), RAD_OK);
    ck_assert_uint_eq(mask_count(mask), expected);
    for (size_t k = 0; k < n[2]; k++)
        for (size_t j = 0; j < n[1]; j++)
            for (size_t i = 0; i < n[0]; i++)
                if (mask->data[ri_index(mask, i, j, k)] != 0)
                    ck_assert(in_cube(img, i, j, k, center, size_mm));
    rad_volume_free(mask);
    rad_volume_free(img);
}

START_TEST(box_cube_identity)
{
    double center[3] = {-30 + 25 * 0.8, 20 + 30 * 0.9, -15 + 12 * 2.0};
    check_cube_geometry(NULL, center, 20.0);
}
END_TEST

START_TEST(box_cube_flipped)
{
    /* LPS-like flip of x and y, as NIfTI files from DICOM usually carry. */
    double dir[9] = {-1, 0, 0, 0, -1, 0, 0, 0, 1};
    double center[3] = {-30 - 25 * 0.8, 20 - 30 * 0.9, -15 + 12 * 2.0};
    check_cube_geometry(dir, center, 20.0);
}
END_TEST

START_TEST(box_cube_oblique)
{
    /* 30 degrees about z: the cube's faces cut the voxel grid obliquely. */
    double c = cos(M_PI / 6), s = sin(M_PI / 6);
    double dir[9] = {c, -s, 0, s, c, 0, 0, 0, 1};
    double center[3] = {-30 + c * 19.2 - s * 24.3, 20 + s * 19.2 + c * 24.3, -15 + 24};
    check_cube_geometry(dir, center, 18.0);
}
END_TEST

START_TEST(box_cube_partly_outside)
{
    /* A cube hanging over the image's corner keeps only voxels in the image. */
    double center[3] = {-30 + 5 * 0.8, 20 + 4 * 0.9, -15};
    check_cube_geometry(NULL, center, 30.0);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Tissue rules on a layered phantom                                    */

/*
 * Layers along x at 1 mm voxels (noise-free), 80 x 60 x 20:
 *   x 0..9 air (-1000), 10..11 skin (+40), 12..26 fat (-100),
 *   27..56 muscle (+40), 57..79 bone (+1000),
 * plus, in the fat: a calcified vessel (+600, a 2 x 2 voxel tube along y at
 * x 18..19, z 9..10), a stranding sheet (+40, one voxel thick at x = 22, all
 * y, z), and a gas bubble (-900, 3 x 3 x 3 at x 14..16) enclosed by fat.
 *
 * Expected, derived by hand from the rules in docs/segmentation.md:
 * - skin, fat, vessel, sheet and bubble are kept (reached from the skin);
 * - muscle: its 3 x 3 smoothed value is +40 except at x = 27, where it is
 *   (-100 + 2 * 40) / 3 = -6.7 HU, below the 20 HU muscle minimum, so x = 27
 *   (the partial-volume fascia) is kept and x >= 28 is removed;
 * - bone is a 23 x 60 x 20 block, 27600 mm^3 >= 1500 mm^3: removed.
 * So the kept x range is 10..27 over all y and z of the cube.
 */
static rad_volume *layered_phantom(void)
{
    double sp[3] = {1, 1, 1}, org[3] = {0, 0, 0};
    rad_volume *img = make_volume(80, 60, 20, sp, org, NULL, 0.0);
    double *d = rad_volume_data_mutable(img);

    for (size_t k = 0; k < 20; k++)
        for (size_t j = 0; j < 60; j++)
            for (size_t i = 0; i < 80; i++) {
                double v = 1000; /* bone */
                if (i < 57)
                    v = 40; /* muscle */
                if (i < 27)
                    v = -100; /* fat */
                if (i < 12)
                    v = 40; /* skin */
                if (i < 10)
                    v = -1000; /* air */
                if ((i == 18 || i == 19) && (k == 9 || k == 10))
                    v = 600;
                if (i == 22)
                    v = 40;
                if (i >= 14 && i <= 16 && j >= 29 && j <= 31 && k >= 4 && k <= 6)
                    v = -900;
                d[ri_index(img, i, j, k)] = v;
            }
    return img;
}

START_TEST(box_layers_kept_and_removed)
{
    rad_volume *img = layered_phantom();
    rad_volume *mask = NULL;
    double center[3] = {40, 30, 10};
    double size = 100.0; /* covers the whole phantom */

    ck_assert_int_eq(rad_box_mask(NULL, img, center, size, &mask, NULL), RAD_OK);
    for (size_t k = 0; k < 20; k++)
        for (size_t j = 0; j < 60; j++)
            for (size_t i = 0; i < 80; i++) {
                int expected = i >= 10 && i <= 27;
                int got = mask->data[ri_index(mask, i, j, k)] != 0;
                if (got != expected)
                    ck_abort_msg("voxel (%zu, %zu, %zu) value %g: mask %d, expected %d", i, j,
                                 k, img->data[ri_index(img, i, j, k)], got, expected);
            }
    rad_volume_free(mask);
    rad_volume_free(img);
}
END_TEST

START_TEST(box_bone_block_small_removed)
{
    /* A thick bright block (6 x 6 x 4 voxels = 144 mm^3, below the volume
     * rule) in fat is still bone: it survives the 2 mm in-plane erosion. A
     * 1-voxel-wide bright tube beside it does not and is kept as a vessel. */
    rad_volume *img = layered_phantom();
    rad_volume *mask = NULL;
    double *d = rad_volume_data_mutable(img);
    double center[3] = {40, 30, 10};

    for (size_t k = 2; k < 6; k++)
        for (size_t j = 40; j < 46; j++)
            for (size_t i = 17; i < 23; i++)
                d[ri_index(img, i, j, k)] = 1000;
    for (size_t j = 0; j < 30; j++)
        d[ri_index(img, 24, j, 15)] = 500;

    ck_assert_int_eq(rad_box_mask(NULL, img, center, 100.0, &mask, NULL), RAD_OK);
    for (size_t k = 2; k < 6; k++)
        for (size_t j = 40; j < 46; j++)
            for (size_t i = 17; i < 23; i++)
                ck_assert_double_eq(mask->data[ri_index(mask, i, j, k)], 0.0);
    for (size_t j = 0; j < 30; j++)
        ck_assert_double_eq(mask->data[ri_index(mask, 24, j, 15)], 1.0);
    rad_volume_free(mask);
    rad_volume_free(img);
}
END_TEST

START_TEST(box_nodata_not_kept)
{
    /* Replace the air in front of the skin by exactly -1000 HU on y < 20
     * (outside the reconstruction field): those voxels are no data. The body
     * is still reached from the real air (noisy values above -1000) at
     * y >= 20, and the no-data voxels are never kept. */
    rad_volume *img = layered_phantom();
    rad_volume *mask = NULL;
    double *d = rad_volume_data_mutable(img);
    double center[3] = {40, 30, 10};

    for (size_t k = 0; k < 20; k++)
        for (size_t j = 0; j < 60; j++)
            for (size_t i = 0; i < 10; i++)
                d[ri_index(img, i, j, k)] = j < 20 ? -1000.0 : -990.0 + (double)(i % 3);

    ck_assert_int_eq(rad_box_mask(NULL, img, center, 100.0, &mask, NULL), RAD_OK);
    for (size_t k = 0; k < 20; k++)
        for (size_t j = 0; j < 60; j++) {
            for (size_t i = 0; i < 10; i++)
                ck_assert_double_eq(mask->data[ri_index(mask, i, j, k)], 0.0);
            ck_assert_double_eq(mask->data[ri_index(mask, 15, j, k)], 1.0);
        }
    rad_volume_free(mask);
    rad_volume_free(img);
}
END_TEST

START_TEST(box_table_not_body)
{
    /* A separate slab at fat HU beyond the air (a cushion or table), holding
     * 1/20 of the cube's body voxels (below box_body_min_fraction = 0.1), is
     * not part of the box's body. */
    rad_volume *img = layered_phantom();
    rad_volume *mask = NULL;
    double *d = rad_volume_data_mutable(img);
    double center[3] = {40, 30, 10};

    for (size_t k = 0; k < 20; k++)
        for (size_t j = 0; j < 60; j++)
            for (size_t i = 2; i < 5; i++)
                d[ri_index(img, i, j, k)] = -100;

    ck_assert_int_eq(rad_box_mask(NULL, img, center, 100.0, &mask, NULL), RAD_OK);
    for (size_t k = 0; k < 20; k++)
        for (size_t j = 0; j < 60; j++)
            for (size_t i = 2; i < 5; i++)
                ck_assert_double_eq(mask->data[ri_index(mask, i, j, k)], 0.0);
    ck_assert_double_eq(mask->data[ri_index(mask, 12, 30, 10)], 1.0);
    rad_volume_free(mask);
    rad_volume_free(img);
}
END_TEST

START_TEST(box_params_thresholds_used)
{
    /* Raising the muscle minimum above +40 HU makes the muscle layer
     * ordinary soft tissue: it is then reached from the skin and kept. */
    rad_volume *img = layered_phantom();
    rad_volume *mask = NULL;
    rad_params *params = NULL;
    double center[3] = {40, 30, 10};

    ck_assert_int_eq(rad_params_create(NULL, &params, NULL), RAD_OK);
    ck_assert_int_eq(rad_params_set(params, "boxMuscleMin", "60", NULL), RAD_OK);
    ck_assert_int_eq(rad_box_mask(params, img, center, 100.0, &mask, NULL), RAD_OK);
    ck_assert_double_eq(mask->data[ri_index(mask, 40, 30, 10)], 1.0);
    ck_assert_double_eq(mask->data[ri_index(mask, 70, 30, 10)], 0.0); /* bone */
    rad_volume_free(mask);
    rad_params_free(params);
    img = (rad_volume_free(img), NULL);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Simulated lesions on real CT                                         */

typedef struct csv_row {
    char case_id[64];
    char image[256];
    int label;
    double center[3];
    double size;
} csv_row;

/* Reads manifest.csv of the simulated cohort (columns case_id, patient_id,
 * label, group, image, box_x, box_y, box_z, box_size, ...). */
static size_t read_manifest(const char *path, csv_row *rows, size_t max_rows)
{
    FILE *f = fopen(path, "r");
    char line[512];
    size_t n = 0;

    ck_assert_msg(f != NULL, "cannot open %s", path);
    ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
    ck_assert_ptr_nonnull(strstr(line, "case_id,patient_id,label,group,image,box_x"));
    while (n < max_rows && fgets(line, sizeof line, f)) {
        char *field[16];
        int k = 0;
        char *p = line;
        field[k++] = p;
        for (; *p && k < 16; p++)
            if (*p == ',') {
                *p = '\0';
                field[k++] = p + 1;
            }
        if (k < 9)
            continue;
        snprintf(rows[n].case_id, sizeof rows[n].case_id, "%.63s", field[0]);
        rows[n].label = atoi(field[2]);
        snprintf(rows[n].image, sizeof rows[n].image, "%.255s", field[4]);
        for (int a = 0; a < 3; a++)
            rows[n].center[a] = atof(field[5 + a]);
        rows[n].size = atof(field[8]);
        n++;
    }
    fclose(f);
    return n;
}

static rad_volume *read_volume(const char *dir, const char *name)
{
    char path[1024];
    rad_volume *v = NULL;
    rad_error *err = rad_error_create();

    snprintf(path, sizeof path, "%s/%s", dir, name);
    rad_status st = rad_volume_read(path, &v, err);
    ck_assert_msg(st == RAD_OK, "reading %s: %s", path, rad_error_message(err));
    rad_error_free(err);
    return v;
}

/* RADIOMICS_TEST_QUICK set to anything but "" or "0" selects every ninth
 * case, 12 of the 111 (5 positives, 7 negatives). make check-sanitizers sets
 * it to keep the sanitizer runs short, and the plain run checks all cases. */
static int quick_mode(void)
{
    const char *quick = getenv("RADIOMICS_TEST_QUICK");

    return quick != NULL && quick[0] != '\0' && strcmp(quick, "0") != 0;
}

enum { QUICK_STRIDE = 9, QUICK_CASES = 12 };

START_TEST(box_simulated_lesions)
{
    char dir[1024], path[1200];
    static csv_row rows[200];
    size_t n_rows;
    /* per component bit 1, 2, 4, 8: truth voxels and covered voxels */
    double class_total[4] = {0}, class_covered[4] = {0};
    double worst_coverage = 1.0, sum_coverage = 0, worst_bright = 0, sum_bright = 0;
    double worst_tissue = 1.0, sum_ms = 0, max_ms = 0;
    double neg_mean_min = INFINITY, neg_mean_max = -INFINITY;
    const char *worst_case = "", *worst_bright_case = "";
    int positives = 0, negatives = 0, failures = 0;
    size_t stride = quick_mode() ? QUICK_STRIDE : 1, n_used = 0, n_wanted;

    if (!test_refdata_path(dir, sizeof dir, "calci_sim_on_sts", "box on simulated lesions"))
        return;
    snprintf(path, sizeof path, "%s/manifest.csv", dir);
    n_rows = read_manifest(path, rows, 200);
    ck_assert_uint_eq(n_rows, 111);
    n_wanted = stride > 1 ? QUICK_CASES : n_rows;
    if (stride > 1)
        printf("box on simulated lesions: RADIOMICS_TEST_QUICK is set, so %zu of the %zu cases "
               "(rows 1, 1 + %zu, ...) with the per-case limits only; the plain run checks all "
               "and the cohort means\n", n_wanted, n_rows, stride);

    for (size_t r = 0; r < n_rows && n_used < n_wanted; r += stride) {
        n_used++;
        rad_volume *img = read_volume(dir, rows[r].image), *mask = NULL;
        rad_error *err = rad_error_create();
        double t0 = now_ms();
        rad_status st = rad_box_mask(NULL, img, rows[r].center, rows[r].size, &mask, err);
        double ms = now_ms() - t0;
        ck_assert_msg(st == RAD_OK, "%s: %s", rows[r].case_id, rad_error_message(err));
        sum_ms += ms;
        max_ms = fmax(max_ms, ms);

        /* Inside the cube: every mask voxel's centre within 25 mm per axis. */
        size_t total = ri_voxel_count(img), n_mask = 0, n_cube = 0;
        for (size_t k = 0; k < img->size[2]; k++)
            for (size_t j = 0; j < img->size[1]; j++)
                for (size_t i = 0; i < img->size[0]; i++) {
                    int c = in_cube(img, i, j, k, rows[r].center, rows[r].size);
                    n_cube += (size_t)c;
                    if (mask->data[ri_index(mask, i, j, k)] != 0) {
                        n_mask++;
                        ck_assert_msg(c, "%s: mask voxel (%zu,%zu,%zu) outside the cube",
                                      rows[r].case_id, i, j, k);
                    }
                }
        /* 51 x 51 x 15 voxel centres lie within 25 mm at 0.977 x 0.977 x 3.27 mm. */
        ck_assert_uint_eq(n_cube, 51 * 51 * 15);
        ck_assert_uint_le(n_mask, n_cube);

        rad_volume *lesion = NULL, *comp = NULL;
        if (rows[r].label == 1) {
            char name[128];
            snprintf(name, sizeof name, "truth/%.63s_lesion.nii.gz", rows[r].case_id);
            lesion = read_volume(dir, name);
            snprintf(name, sizeof name, "truth/%.63s_components.nii.gz", rows[r].case_id);
            comp = read_volume(dir, name);
        }

        /* Bright voxels (> 150 HU) kept outside calcified truth vessels. */
        size_t bright = 0, lesion_n = 0, lesion_kept = 0, tissue_n = 0, tissue_kept = 0;
        double sum_hu = 0;
        for (size_t v = 0; v < total; v++) {
            int m = mask->data[v] != 0;
            int bits = comp ? (int)comp->data[v] : 0;
            if (m) {
                sum_hu += img->data[v];
                if (img->data[v] > 150 && !(bits & 1))
                    bright++;
            }
            if (lesion && lesion->data[v] != 0) {
                lesion_n++;
                lesion_kept += (size_t)m;
            }
            if (bits & 7) {
                tissue_n++;
                tissue_kept += (size_t)m;
            }
            for (int b = 0; b < 4; b++)
                if (bits & (1 << b)) {
                    class_total[b] += 1;
                    class_covered[b] += m;
                }
        }
        double bright_fraction = (double)bright / (double)n_mask;
        if (bright_fraction > worst_bright) {
            worst_bright = bright_fraction;
            worst_bright_case = rows[r].case_id;
        }
        sum_bright += bright_fraction;
        /* Per case 5 %: a control box in the groin (STS_036_b3) has dense soft
         * tissue with 150-250 HU noise peaks, and a knee box (STS_047_b2) the
         * bone rim beside the patella; both are about 3-4 %. The mean over all
         * boxes is held to 1 % below. */
        if (bright_fraction >= 0.05) {
            printf("  %s: %.2f %% of mask voxels above 150 HU outside vessels (limit 5 %%)\n",
                   rows[r].case_id, 100 * bright_fraction);
            failures++;
        }

        if (rows[r].label == 1) {
            double coverage = (double)lesion_kept / (double)lesion_n;
            positives++;
            sum_coverage += coverage;
            if (coverage < worst_coverage) {
                worst_coverage = coverage;
                worst_case = rows[r].case_id;
            }
            double tissue = (double)tissue_kept / (double)tissue_n;
            worst_tissue = fmin(worst_tissue, tissue);
            /* Calcified vessels, stranding and skin thickening (bits 1, 2, 4)
             * are changes of subcutaneous tissue: at least 0.90 of them per
             * case. Voxels flagged only as swelling (bit 8) are whatever
             * tissue the simulated displacement moved, including muscle,
             * bone cortex and air beyond the skin (STS_014_b4: ~580 voxels at
             * 30-130 HU 8-13 mm deep; STS_032_b1: tibia cortex; STS_004_b2:
             * voxels near -650 HU outside the body), so all lesion voxels
             * together need 0.80 per case and 0.97 on average. */
            if (tissue < 0.90) {
                printf("  %s: mask covers %.4f of %zu vessel/stranding/skin voxels (limit "
                       "0.90)\n",
                       rows[r].case_id, tissue, tissue_n);
                failures++;
            }
            if (coverage < 0.80) {
                printf("  %s: mask covers %.4f of %zu lesion voxels (limit 0.80)\n",
                       rows[r].case_id, coverage, lesion_n);
                failures++;
            }
        } else {
            double mean = sum_hu / (double)n_mask;
            negatives++;
            neg_mean_min = fmin(neg_mean_min, mean);
            neg_mean_max = fmax(neg_mean_max, mean);
            /* fat (-190..-30 HU) plus skin: the mean must lie in the fat range */
            if (!(mean >= -190 && mean <= -30)) {
                printf("  %s: mask mean %.1f HU outside -190..-30 HU\n", rows[r].case_id, mean);
                failures++;
            }
        }

        rad_volume_free(lesion);
        rad_volume_free(comp);
        rad_volume_free(mask);
        rad_volume_free(img);
        rad_error_free(err);
    }

    printf("box on simulated lesions: %d positives, lesion coverage mean %.4f, worst %.4f "
           "(%s)\n", positives, sum_coverage / positives, worst_coverage, worst_case);
    printf("  coverage by class: vessel %.4f, stranding %.4f, skin thickening %.4f, "
           "swelling %.4f\n", class_covered[0] / class_total[0],
           class_covered[1] / class_total[1], class_covered[2] / class_total[2],
           class_covered[3] / class_total[3]);
    printf("  worst share of mask voxels > 150 HU outside vessels: %.4f (%s), mean %.4f\n",
           worst_bright, worst_bright_case, sum_bright / (double)n_used);
    printf("  worst coverage of vessel/stranding/skin voxels: %.4f\n", worst_tissue);
    printf("  %d negatives: mask mean HU %.1f .. %.1f\n", negatives, neg_mean_min,
           neg_mean_max);
    printf("  time per box: mean %.2f ms, max %.2f ms\n", sum_ms / (double)n_used, max_ms);
    fflush(stdout);
    ck_assert_int_eq(failures, 0);
    /* The cohort limits hold for the means over all 111 cases, not over every
     * subset (the quick subset's vessel coverage is 0.946). */
    if (stride > 1)
        return;
    ck_assert_double_ge(class_covered[0] / class_total[0], 0.97); /* vessels */
    ck_assert_double_ge(class_covered[1] / class_total[1], 0.97); /* stranding */
    ck_assert_double_ge(sum_coverage / positives, 0.97);
    ck_assert_double_le(sum_bright / (double)n_used, 0.01);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Real limb CT: bone never kept                                        */

/*
 * Labels the 6-connected components of voxels >= 200 HU of the whole image
 * (test-side code, independent of box.c) and marks the largest in *largest
 * (0/1 per voxel). Returns its voxel count.
 */
static size_t largest_bone(const rad_volume *img, unsigned char *largest)
{
    size_t total = ri_voxel_count(img), best = 0, best_seed = 0;
    unsigned char *seen = calloc(total, 1);
    size_t *queue = malloc(total * sizeof *queue);
    size_t nx = img->size[0], ny = img->size[1], nz = img->size[2];

    ck_assert(seen && queue);
    for (int pass = 0; pass < 2; pass++) {
        memset(seen, 0, total);
        for (size_t s = pass ? best_seed : 0; s < total; s++) {
            if (img->data[s] < 200 || seen[s])
                continue;
            size_t head = 0, tail = 0;
            seen[s] = 1;
            queue[tail++] = s;
            while (head < tail) {
                size_t v = queue[head++], x = v % nx, y = (v / nx) % ny, z = v / (nx * ny);
                size_t nb[6];
                int k = 0;
                if (x > 0) nb[k++] = v - 1;
                if (x + 1 < nx) nb[k++] = v + 1;
                if (y > 0) nb[k++] = v - nx;
                if (y + 1 < ny) nb[k++] = v + nx;
                if (z > 0) nb[k++] = v - nx * ny;
                if (z + 1 < nz) nb[k++] = v + nx * ny;
                for (int i = 0; i < k; i++)
                    if (!seen[nb[i]] && img->data[nb[i]] >= 200) {
                        seen[nb[i]] = 1;
                        queue[tail++] = nb[i];
                    }
            }
            if (pass == 1) {
                for (size_t i = 0; i < tail; i++)
                    largest[queue[i]] = 1;
                break;
            }
            if (tail > best) {
                best = tail;
                best_seed = s;
            }
        }
    }
    free(seen);
    free(queue);
    return best;
}

START_TEST(box_sts_bone_excluded)
{
    /* Cases whose crops hold long-bone cortex (thigh, calf, arm). */
    static const char *cases[] = {"STS_001", "STS_004", "STS_006", "STS_008", "STS_010",
                                  "STS_025", "STS_043"};
    char dir[1024];
    int boxes_with_bone = 0, boxes = 0;

    if (!test_refdata_path(dir, sizeof dir, "ibsi_validation_sts/nifti", "box on STS CT"))
        return;

    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        char name[64];
        snprintf(name, sizeof name, "%s/CT_image.nii.gz", cases[c]);
        rad_volume *img = read_volume(dir, name);
        size_t total = ri_voxel_count(img), nx = img->size[0], ny = img->size[1];
        unsigned char *bone = calloc(total, 1);
        ck_assert_ptr_nonnull(bone);
        ck_assert_uint_gt(largest_bone(img, bone), 1000);

        /* Centroid of the bone in its middle slice, then walk in each of 4
         * in-plane directions to the last voxel above -500 HU before air:
         * a skin point. The box centred there, nearest to the bone, is used. */
        size_t kmid = 0, best_k_count = 0;
        for (size_t k = 0; k < img->size[2]; k++) {
            size_t cnt = 0;
            for (size_t i = 0; i < nx * ny; i++)
                cnt += bone[k * nx * ny + i];
            if (cnt > best_k_count) {
                best_k_count = cnt;
                kmid = k;
            }
        }
        double cx = 0, cy = 0;
        for (size_t j = 0; j < ny; j++)
            for (size_t i = 0; i < nx; i++)
                if (bone[ri_index(img, i, j, kmid)]) {
                    cx += (double)i;
                    cy += (double)j;
                }
        cx /= (double)best_k_count;
        cy /= (double)best_k_count;

        static const int dirs[4][2] = {{1, 0}, {-1, 0}, {0, 1}, {0, -1}};
        for (int d = 0; d < 4; d++) {
            long x = lround(cx), y = lround(cy), skin_x = -1, skin_y = -1;
            while (x >= 0 && y >= 0 && x < (long)nx && y < (long)ny) {
                double hu = img->data[ri_index(img, (size_t)x, (size_t)y, kmid)];
                if (hu > -500) {
                    skin_x = x;
                    skin_y = y;
                } else if (skin_x >= 0 && hu > -1000) {
                    break; /* real air after body */
                }
                x += dirs[d][0];
                y += dirs[d][1];
            }
            if (skin_x < 0 || !(x >= 0 && y >= 0 && x < (long)nx && y < (long)ny))
                continue; /* no skin found before the crop edge */

            double ijk[3] = {(double)skin_x, (double)skin_y, (double)kmid}, center[3];
            rad_volume_index_to_world(img, ijk, center);
            rad_volume *mask = NULL;
            rad_error *err = rad_error_create();
            rad_status st = rad_box_mask(NULL, img, center, 50.0, &mask, err);
            if (st == RAD_ERR_EMPTY_ROI) {
                rad_error_free(err);
                continue;
            }
            ck_assert_msg(st == RAD_OK, "%s: %s", cases[c], rad_error_message(err));

            size_t bone_in_cube = 0, bone_kept = 0;
            for (size_t k = 0; k < img->size[2]; k++)
                for (size_t j = 0; j < ny; j++)
                    for (size_t i = 0; i < nx; i++) {
                        size_t v = ri_index(img, i, j, k);
                        if (!bone[v] || !in_cube(img, i, j, k, center, 50.0))
                            continue;
                        bone_in_cube++;
                        bone_kept += mask->data[v] != 0;
                    }
            boxes++;
            boxes_with_bone += bone_in_cube > 0;
            ck_assert_msg(bone_kept == 0, "%s direction %d: %zu of %zu bone voxels in the cube "
                          "kept", cases[c], d, bone_kept, bone_in_cube);
            rad_volume_free(mask);
            rad_error_free(err);
        }
        free(bone);
        rad_volume_free(img);
    }
    printf("box on STS CT: %d skin-centred boxes, %d contain largest-bone voxels, none kept\n",
           boxes, boxes_with_bone);
    ck_assert_int_ge(boxes_with_bone, 5);
}
END_TEST

static Suite *box_suite(void)
{
    Suite *s = suite_create("box");
    TCase *tc = tcase_create("synthetic");
    tcase_add_test(tc, box_argument_errors);
    tcase_add_test(tc, box_cube_identity);
    tcase_add_test(tc, box_cube_flipped);
    tcase_add_test(tc, box_cube_oblique);
    tcase_add_test(tc, box_cube_partly_outside);
    tcase_add_test(tc, box_layers_kept_and_removed);
    tcase_add_test(tc, box_bone_block_small_removed);
    tcase_add_test(tc, box_nodata_not_kept);
    tcase_add_test(tc, box_table_not_body);
    tcase_add_test(tc, box_params_thresholds_used);
    suite_add_tcase(s, tc);

    TCase *real = tcase_create("real_ct");
    tcase_set_timeout(real, 300);
    tcase_add_test(real, box_simulated_lesions);
    tcase_add_test(real, box_sts_bone_excluded);
    suite_add_tcase(s, real);
    return s;
}

int main(void)
{
    SRunner *runner = srunner_create(box_suite());
    srunner_set_fork_status(runner, CK_FORK);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
