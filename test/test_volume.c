/*
 * test_volume.c - volumes, NIfTI and NRRD reading, NIfTI writing and the
 * geometry check.
 *
 * References: hand computations written out below, the sizes and spacings
 * stated by the data sets' providers (IBSI STS_001 CT, pyradiomics brain1),
 * pyradiomics' diagnostics of brain1 (image mean), and files written by
 * libnifti itself for every NIfTI datatype.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <nifti2_io.h>
#include <zlib.h>

#include "internal.h"
#include "testutil.h"

/* Path of name in one temporary folder per test process. The result is a
 * static buffer, overwritten by the next call. */
static char *temp_path(const char *name)
{
    static char dir[256], path[512];
    if (dir[0] == '\0')
        snprintf(dir, sizeof dir, "%s", test_temp_dir());
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return path;
}

/* ------------------------------------------------------------------ */

START_TEST(create_and_accessors)
{
    size_t size[3] = {4, 5, 6}, got_size[3];
    double spacing[3] = {0.5, 1.0, 2.0}, origin[3] = {10, 20, 30};
    /* axis i -> world -y, axis j -> world +x, axis k -> world +z */
    double direction[9] = {0, 1, 0, -1, 0, 0, 0, 0, 1};
    double got[9], world[3], ijk[3] = {1, 2, 3}, back[3];
    rad_volume *v = NULL;

    ck_assert_int_eq(rad_volume_create(size, spacing, origin, direction, &v, NULL), RAD_OK);
    rad_volume_size(v, got_size);
    ck_assert_uint_eq(got_size[2], 6);
    rad_volume_spacing(v, got);
    ck_assert_double_eq(got[1], 1.0);
    rad_volume_direction(v, got);
    ck_assert_double_eq(got[3], -1.0);
    ck_assert_double_eq(rad_volume_data(v)[119], 0.0);

    /* Hand computation: world = origin + D * (0.5 * 1, 1 * 2, 2 * 3)
     * = (10 + 2, 20 - 0.5, 30 + 6) = (12, 19.5, 36). Exact in binary. */
    rad_volume_index_to_world(v, ijk, world);
    ck_assert_double_eq_tol(world[0], 12.0, 1e-12);
    ck_assert_double_eq_tol(world[1], 19.5, 1e-12);
    ck_assert_double_eq_tol(world[2], 36.0, 1e-12);
    rad_volume_world_to_index(v, world, back);
    for (int a = 0; a < 3; a++)
        ck_assert_double_eq_tol(back[a], ijk[a], 1e-12);
    rad_volume_free(v);
}
END_TEST

START_TEST(create_rejects_bad_arguments)
{
    size_t zero_size[3] = {4, 0, 6}, huge[3] = {100000, 100000, 1000};
    size_t size[3] = {2, 2, 2};
    double spacing[3] = {1, 1, 1}, bad_spacing[3] = {1, -1, 1}, origin[3] = {0, 0, 0};
    rad_volume *v = NULL;
    rad_error *e = rad_error_create();

    ck_assert_int_eq(rad_volume_create(zero_size, spacing, origin, NULL, &v, e),
                     RAD_ERR_ARGUMENT);
    ck_assert_int_eq(rad_volume_create(size, bad_spacing, origin, NULL, &v, e),
                     RAD_ERR_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(rad_error_message(e), "spacing[1]"));
    ck_assert_int_eq(rad_volume_create(huge, spacing, origin, NULL, &v, e), RAD_ERR_TOO_LARGE);
    ck_assert_ptr_null(v);
    rad_error_free(e);
}
END_TEST

/* ------------------------------------------------------------------ */
/* NIfTI                                                                */

static rad_volume *make_test_volume(void)
{
    size_t size[3] = {5, 4, 3};
    double spacing[3] = {0.75, 1.25, 3.0}, origin[3] = {-100.5, 20.25, 7.0};
    /* a rotation of 90 degrees about z with x flipped: columns (0,-1,0), (-1,0,0), (0,0,1) */
    double direction[9] = {0, -1, 0, -1, 0, 0, 0, 0, 1};
    rad_volume *v = NULL;

    ck_assert_int_eq(rad_volume_create(size, spacing, origin, direction, &v, NULL), RAD_OK);
    for (size_t i = 0; i < ri_voxel_count(v); i++)
        v->data[i] = (double)i * 0.5 - 12.25; /* exact in float32 */
    return v;
}

static void check_round_trip(const char *name)
{
    rad_volume *v = make_test_volume(), *r = NULL;
    rad_error *e = rad_error_create();
    const char *path = temp_path(name);

    ck_assert_msg(rad_volume_write(v, path, e) == RAD_OK, "%s", rad_error_message(e));
    ck_assert_msg(rad_volume_read(path, &r, e) == RAD_OK, "%s", rad_error_message(e));
    ck_assert_mem_eq(r->size, v->size, sizeof v->size);
    /* The header stores float32: relative 1e-7, so 1e-5 mm here. */
    for (int a = 0; a < 3; a++) {
        ck_assert_double_eq_tol(r->spacing[a], v->spacing[a], 1e-5);
        ck_assert_double_eq_tol(r->origin[a], v->origin[a], 1e-5);
    }
    for (int c = 0; c < 9; c++)
        ck_assert_double_eq_tol(r->direction[c], v->direction[c], 1e-6);
    for (size_t i = 0; i < ri_voxel_count(v); i++)
        ck_assert_double_eq(r->data[i], v->data[i]);
    ck_assert_int_eq(r->integer_valued, 0); /* float32 on disk */
    rad_volume_free(v);
    rad_volume_free(r);
    rad_error_free(e);
}

START_TEST(nifti_round_trip_nii)
{
    check_round_trip("round.nii");
}
END_TEST

START_TEST(nifti_round_trip_nii_gz)
{
    check_round_trip("round.nii.gz");
}
END_TEST

START_TEST(nifti_write_rejects_other_suffix)
{
    rad_volume *v = make_test_volume();
    ck_assert_int_eq(rad_volume_write(v, temp_path("x.img"), NULL), RAD_ERR_ARGUMENT);
    rad_volume_free(v);
}
END_TEST

/* Writes a 3x2x2 image of the given datatype with libnifti (an independent
 * writer), values v[i] = i - 3 for signed types and i for unsigned ones. */
static void write_with_libnifti(const char *path, int datatype, double slope, double inter,
                                int64_t dim4)
{
    int64_t dims[8] = {dim4 > 1 ? 4 : 3, 3, 2, 2, dim4, 1, 1, 1};
    nifti_image *nim = nifti_make_new_nim(dims, datatype, 1);
    int is_signed = datatype != NIFTI_TYPE_UINT8 && datatype != NIFTI_TYPE_UINT16 &&
                    datatype != NIFTI_TYPE_UINT32 && datatype != NIFTI_TYPE_UINT64;

    ck_assert_ptr_nonnull(nim);
    for (int64_t i = 0; i < nim->nvox; i++) {
        double v = (double)i - (is_signed ? 3 : 0);
        switch (datatype) {
        case NIFTI_TYPE_UINT8: ((uint8_t *)nim->data)[i] = (uint8_t)v; break;
        case NIFTI_TYPE_INT8: ((int8_t *)nim->data)[i] = (int8_t)v; break;
        case NIFTI_TYPE_INT16: ((int16_t *)nim->data)[i] = (int16_t)v; break;
        case NIFTI_TYPE_UINT16: ((uint16_t *)nim->data)[i] = (uint16_t)v; break;
        case NIFTI_TYPE_INT32: ((int32_t *)nim->data)[i] = (int32_t)v; break;
        case NIFTI_TYPE_UINT32: ((uint32_t *)nim->data)[i] = (uint32_t)v; break;
        case NIFTI_TYPE_INT64: ((int64_t *)nim->data)[i] = (int64_t)v; break;
        case NIFTI_TYPE_UINT64: ((uint64_t *)nim->data)[i] = (uint64_t)v; break;
        case NIFTI_TYPE_FLOAT32: ((float *)nim->data)[i] = (float)v; break;
        case NIFTI_TYPE_FLOAT64: ((double *)nim->data)[i] = v; break;
        }
    }
    nim->scl_slope = slope;
    nim->scl_inter = inter;
    /* qform only: pixdim 2 x 3 x 4, identity rotation, offset (1, 2, 3) */
    nim->qform_code = 1;
    nim->sform_code = 0;
    nim->dx = nim->pixdim[1] = 2;
    nim->dy = nim->pixdim[2] = 3;
    nim->dz = nim->pixdim[3] = 4;
    nim->qoffset_x = 1;
    nim->qoffset_y = 2;
    nim->qoffset_z = 3;
    nim->qfac = 1;
    nim->pixdim[0] = 1;
    ck_assert_int_eq(nifti_set_filenames(nim, path, 0, 1), 0);
    nifti_set_debug_level(0);
    nifti_image_write(nim);
    nifti_image_free(nim);
}

START_TEST(nifti_reads_every_datatype)
{
    static const int types[] = {NIFTI_TYPE_UINT8,  NIFTI_TYPE_INT8,   NIFTI_TYPE_INT16,
                                NIFTI_TYPE_UINT16, NIFTI_TYPE_INT32,  NIFTI_TYPE_UINT32,
                                NIFTI_TYPE_INT64,  NIFTI_TYPE_UINT64, NIFTI_TYPE_FLOAT32,
                                NIFTI_TYPE_FLOAT64};
    rad_error *e = rad_error_create();

    for (size_t t = 0; t < sizeof types / sizeof types[0]; t++) {
        char name[64];
        rad_volume *v = NULL;
        int is_signed = types[t] != NIFTI_TYPE_UINT8 && types[t] != NIFTI_TYPE_UINT16 &&
                        types[t] != NIFTI_TYPE_UINT32 && types[t] != NIFTI_TYPE_UINT64;
        int is_int = types[t] != NIFTI_TYPE_FLOAT32 && types[t] != NIFTI_TYPE_FLOAT64;

        snprintf(name, sizeof name, "type%d.nii.gz", types[t]);
        write_with_libnifti(temp_path(name), types[t], 0, 0, 1);
        ck_assert_msg(rad_volume_read(temp_path(name), &v, e) == RAD_OK, "type %d: %s",
                      types[t], rad_error_message(e));
        for (size_t i = 0; i < 12; i++)
            ck_assert_double_eq(v->data[i], (double)i - (is_signed ? 3 : 0));
        ck_assert_int_eq(v->integer_valued, is_int);
        /* qform geometry: spacing = pixdim, origin = qoffset */
        ck_assert_double_eq_tol(v->spacing[2], 4.0, 1e-12);
        ck_assert_double_eq_tol(v->origin[1], 2.0, 1e-12);
        rad_volume_free(v);
    }
    rad_error_free(e);
}
END_TEST

START_TEST(nifti_applies_scaling)
{
    rad_volume *v = NULL;
    const char *path = temp_path("scaled.nii");

    /* x' = 0.5 x + 10: voxel 0 stores -3, so -1.5 + 10 = 8.5 */
    write_with_libnifti(path, NIFTI_TYPE_INT16, 0.5, 10, 1);
    ck_assert_int_eq(rad_volume_read(path, &v, NULL), RAD_OK);
    ck_assert_double_eq_tol(v->data[0], 8.5, 1e-12);
    ck_assert_double_eq_tol(v->data[11], 0.5 * 8 + 10, 1e-12);
    ck_assert_int_eq(v->integer_valued, 0);
    rad_volume_free(v);

    /* integer slope and intercept keep integers integers */
    write_with_libnifti(path, NIFTI_TYPE_INT16, 1, -1024, 1);
    ck_assert_int_eq(rad_volume_read(path, &v, NULL), RAD_OK);
    ck_assert_double_eq(v->data[0], -1027);
    ck_assert_int_eq(v->integer_valued, 1);
    rad_volume_free(v);
}
END_TEST

START_TEST(nifti_4d_rejected)
{
    rad_error *e = rad_error_create();
    rad_volume *v = NULL;

    write_with_libnifti(temp_path("four.nii"), NIFTI_TYPE_INT16, 0, 0, 2);
    ck_assert_int_eq(rad_volume_read(temp_path("four.nii"), &v, e), RAD_ERR_UNSUPPORTED);
    ck_assert_ptr_nonnull(strstr(rad_error_message(e), "dim[4]"));

    /* a 4-D file whose fourth dimension is 1 is one 3-D volume */
    write_with_libnifti(temp_path("four1.nii"), NIFTI_TYPE_INT16, 0, 0, 1);
    ck_assert_int_eq(rad_volume_read(temp_path("four1.nii"), &v, e), RAD_OK);
    rad_volume_free(v);
    rad_error_free(e);
}
END_TEST

START_TEST(nifti_sts001_ct)
{
    char path[512], mask_path[512];
    rad_volume *v = NULL, *m = NULL;
    rad_error *e = rad_error_create();
    size_t count = 0;
    double min = INFINITY;

    if (!test_refdata_path(path, sizeof path,
                           "ibsi_validation_sts/nifti/STS_001/CT_image.nii.gz", "STS_001 CT") ||
        !test_refdata_path(mask_path, sizeof mask_path,
                           "ibsi_validation_sts/nifti/STS_001/CT_mask.nii.gz", "STS_001 mask")) {
        rad_error_free(e);
        return;
    }
    ck_assert_msg(rad_volume_read(path, &v, e) == RAD_OK, "%s", rad_error_message(e));
    ck_assert_msg(rad_volume_read(mask_path, &m, e) == RAD_OK, "%s", rad_error_message(e));

    /* Provider's description: 198 x 202 x 59, spacing 0.9766 x 0.9766 x 3.27 mm
     * (given to 4 digits, hence the 1e-4 mm tolerance), minimum -1000 HU, mask of
     * 117145 voxels. */
    ck_assert_uint_eq(v->size[0], 198);
    ck_assert_uint_eq(v->size[1], 202);
    ck_assert_uint_eq(v->size[2], 59);
    ck_assert_double_eq_tol(v->spacing[0], 0.9766, 1e-4);
    ck_assert_double_eq_tol(v->spacing[1], 0.9766, 1e-4);
    ck_assert_double_eq_tol(v->spacing[2], 3.27, 1e-4);
    for (size_t i = 0; i < ri_voxel_count(v); i++)
        min = fmin(min, v->data[i]);
    ck_assert_double_eq(min, -1000);
    for (size_t i = 0; i < ri_voxel_count(m); i++)
        count += m->data[i] == 1;
    ck_assert_uint_eq(count, 117145);
    ck_assert_int_eq(m->integer_valued, 1);
    ck_assert_int_eq(rad_check_geometry(v, m, 1e-3, e), RAD_OK);
    rad_volume_free(v);
    rad_volume_free(m);
    rad_error_free(e);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Damaged inputs                                                       */

static void expect_failure(const char *path, rad_status expected)
{
    rad_error *e = rad_error_create();
    rad_volume *v = NULL;

    ck_assert_int_eq(rad_volume_read(path, &v, e), expected);
    ck_assert_ptr_null(v);
    ck_assert_msg(strstr(rad_error_message(e), path) != NULL, "message lacks the path: %s",
                  rad_error_message(e));
    rad_error_free(e);
}

START_TEST(damaged_zero_bytes)
{
    const char *path = temp_path("zero.nii");
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    fclose(f);
    expect_failure(path, RAD_ERR_FORMAT);
}
END_TEST

START_TEST(damaged_missing_file)
{
    expect_failure(temp_path("does-not-exist.nii.gz"), RAD_ERR_IO);
}
END_TEST

/* Copies the first `fraction` of src to dst. */
static void copy_prefix(const char *src, const char *dst, double fraction)
{
    FILE *in = fopen(src, "rb"), *out = fopen(dst, "wb");
    struct stat st;
    char buf[65536];
    size_t left;

    ck_assert_ptr_nonnull(in);
    ck_assert_ptr_nonnull(out);
    ck_assert_int_eq(stat(src, &st), 0);
    left = (size_t)((double)st.st_size * fraction);
    while (left > 0) {
        size_t n = fread(buf, 1, left < sizeof buf ? left : sizeof buf, in);
        ck_assert_uint_gt(n, 0);
        ck_assert_uint_eq(fwrite(buf, 1, n, out), n);
        left -= n;
    }
    fclose(in);
    fclose(out);
}

START_TEST(damaged_truncated_nii_gz)
{
    char path[512];

    if (!test_refdata_path(path, sizeof path,
                           "ibsi_validation_sts/nifti/STS_001/CT_image.nii.gz", "STS_001 CT"))
        return;
    /* cut in the voxel data, in the header, and right after the gzip header */
    copy_prefix(path, temp_path("cut90.nii.gz"), 0.9);
    expect_failure(temp_path("cut90.nii.gz"), RAD_ERR_FORMAT);
    copy_prefix(path, temp_path("cut1.nii.gz"), 0.001);
    expect_failure(temp_path("cut1.nii.gz"), RAD_ERR_FORMAT);
}
END_TEST

/* Writes a NIfTI-1 header claiming nx x ny x nz int16 voxels, followed by
 * only `data_bytes` bytes. */
static void write_claiming_header(const char *path, int64_t nx, int64_t ny, int64_t nz,
                                  size_t data_bytes)
{
    nifti_1_header hdr;
    FILE *f = fopen(path, "wb");
    char zeros[4] = {0};

    memset(&hdr, 0, sizeof hdr);
    hdr.sizeof_hdr = 348;
    hdr.dim[0] = 3;
    hdr.dim[1] = (short)nx;
    hdr.dim[2] = (short)ny;
    hdr.dim[3] = (short)nz;
    hdr.datatype = NIFTI_TYPE_INT16;
    hdr.bitpix = 16;
    hdr.pixdim[1] = hdr.pixdim[2] = hdr.pixdim[3] = 1;
    hdr.vox_offset = 352;
    memcpy(hdr.magic, "n+1", 4);
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(&hdr, sizeof hdr, 1, f), 1);
    ck_assert_uint_eq(fwrite(zeros, 4, 1, f), 1);
    for (size_t i = 0; i < data_bytes; i++)
        fputc(0, f);
    fclose(f);
}

START_TEST(damaged_huge_dims)
{
    /* 32000^3 = 3.3e13 voxels, far above RI_MAX_VOXELS = 2^31 */
    write_claiming_header(temp_path("huge.nii"), 32000, 32000, 32000, 16);
    expect_failure(temp_path("huge.nii"), RAD_ERR_TOO_LARGE);
    /* 100^3 int16 = 2,000,000 bytes claimed, 1000 present */
    write_claiming_header(temp_path("short.nii"), 100, 100, 100, 1000);
    expect_failure(temp_path("short.nii"), RAD_ERR_FORMAT);
}
END_TEST

/* ------------------------------------------------------------------ */
/* NRRD                                                                 */

START_TEST(nrrd_brain1)
{
    char path[512], label_path[512];
    rad_volume *v = NULL, *m = NULL;
    rad_error *e = rad_error_create();
    double sum = 0, min = INFINITY, max = -INFINITY;
    size_t count = 0;

    if (!test_refdata_path(path, sizeof path, "pyradiomics/data/brain1_image.nrrd", "brain1") ||
        !test_refdata_path(label_path, sizeof label_path, "pyradiomics/data/brain1_label.nrrd",
                           "brain1 label")) {
        rad_error_free(e);
        return;
    }
    ck_assert_msg(rad_volume_read(path, &v, e) == RAD_OK, "%s", rad_error_message(e));
    ck_assert_msg(rad_volume_read(label_path, &m, e) == RAD_OK, "%s", rad_error_message(e));

    /* Provider: 256 x 256 x 25, spacing 0.78125 x 0.78125 x 6.5 mm, int16 0..3057,
     * label of 4137 voxels. The file stores the spacing as 0.78124999999999989. */
    ck_assert_uint_eq(v->size[0], 256);
    ck_assert_uint_eq(v->size[1], 256);
    ck_assert_uint_eq(v->size[2], 25);
    ck_assert_double_eq_tol(v->spacing[0], 0.78125, 1e-12);
    ck_assert_double_eq_tol(v->spacing[2], 6.5, 1e-12);
    /* LPS header: origin (-99.609375, 99.609375, -78), directions +x, -y, +z.
     * RAS: origin (99.609375, -99.609375, -78), direction columns -x, +y, +z. */
    ck_assert_double_eq_tol(v->origin[0], 99.609375, 1e-9);
    ck_assert_double_eq_tol(v->origin[1], -99.609375, 1e-9);
    ck_assert_double_eq_tol(v->origin[2], -78.0, 1e-9);
    ck_assert_double_eq(v->direction[0], -1.0);
    ck_assert_double_eq(v->direction[4], 1.0);
    ck_assert_double_eq(v->direction[8], 1.0);
    for (size_t i = 0; i < ri_voxel_count(v); i++) {
        sum += v->data[i];
        min = fmin(min, v->data[i]);
        max = fmax(max, v->data[i]);
        count += m->data[i] == 1;
    }
    ck_assert_double_eq(min, 0);
    ck_assert_double_eq(max, 3057);
    ck_assert_uint_eq(count, 4137);
    /* pyradiomics diagnostics_Image-original_Mean: 385.6564080810547 (to 1e-12 relative) */
    ck_assert_double_eq_tol(sum / (double)ri_voxel_count(v), 385.6564080810547, 385.66e-12);
    ck_assert_int_eq(v->integer_valued, 1);
    ck_assert_int_eq(rad_check_geometry(v, m, 1e-3, e), RAD_OK);
    rad_volume_free(v);
    rad_volume_free(m);
    rad_error_free(e);
}
END_TEST

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

START_TEST(nrrd_detached_raw_big_endian)
{
    /* 2 x 2 x 1 big-endian int16 values 1, -2, 256, 300 in a detached file. */
    static const unsigned char raw[] = {0x00, 0x01, 0xff, 0xfe, 0x01, 0x00, 0x01, 0x2c};
    rad_volume *v = NULL;
    rad_error *e = rad_error_create();
    FILE *f = fopen(temp_path("d.raw"), "wb");

    ck_assert_ptr_nonnull(f);
    fwrite(raw, 1, sizeof raw, f);
    fclose(f);
    write_text(temp_path("d.nhdr"), "NRRD0004\n# comment\ntype: short\ndimension: 3\n"
                                    "space: RAS\nsizes: 2 2 1\n"
                                    "space directions: (2,0,0) (0,3,0) (0,0,4)\n"
                                    "space origin: (1,2,3)\nendian: big\nencoding: raw\n"
                                    "data file: d.raw\n");
    ck_assert_msg(rad_volume_read(temp_path("d.nhdr"), &v, e) == RAD_OK, "%s",
                  rad_error_message(e));
    ck_assert_double_eq(v->data[0], 1);
    ck_assert_double_eq(v->data[1], -2);
    ck_assert_double_eq(v->data[2], 256);
    ck_assert_double_eq(v->data[3], 300);
    ck_assert_double_eq(v->spacing[1], 3);
    ck_assert_double_eq(v->origin[2], 3); /* RAS: no sign change */
    rad_volume_free(v);
    rad_error_free(e);
}
END_TEST

START_TEST(nrrd_attached_gzip_lps_spacings)
{
    /* float little-endian 1.5, 2.5 with only "spacings": identity direction, origin 0 */
    char header[] = "NRRD0004\ntype: float\ndimension: 3\nsizes: 2 1 1\nspacings: 0.5 0.5 2\n"
                    "endian: little\nencoding: gzip\n\n";
    float values[2] = {1.5f, 2.5f};
    const char *path = temp_path("g.nrrd");
    rad_volume *v = NULL;
    rad_error *e = rad_error_create();
    FILE *f = fopen(path, "wb");
    gzFile g;

    ck_assert_ptr_nonnull(f);
    fputs(header, f);
    fclose(f);
    g = gzopen(path, "ab");
    ck_assert_ptr_nonnull(g);
    ck_assert_int_eq(gzwrite(g, values, sizeof values), (int)sizeof values);
    gzclose(g);
    ck_assert_msg(rad_volume_read(path, &v, e) == RAD_OK, "%s", rad_error_message(e));
    ck_assert_double_eq(v->data[0], 1.5);
    ck_assert_double_eq(v->data[1], 2.5);
    ck_assert_double_eq(v->spacing[2], 2.0);
    ck_assert_int_eq(v->integer_valued, 0);
    rad_volume_free(v);
    rad_error_free(e);
}
END_TEST

START_TEST(nrrd_damaged_inputs)
{
    char path[512];

    write_text(temp_path("nodim.nrrd"), "NRRD0004\ntype: short\nsizes: 2 2 2\n"
                                        "endian: little\nencoding: raw\n\n");
    expect_failure(temp_path("nodim.nrrd"), RAD_ERR_FORMAT);
    write_text(temp_path("badvec.nrrd"), "NRRD0004\ntype: short\ndimension: 3\nsizes: 1 1 1\n"
                                         "space: LPS\nspace directions: (1,0) (0,1,0) (0,0,1)\n"
                                         "endian: little\nencoding: raw\n\nxx");
    expect_failure(temp_path("badvec.nrrd"), RAD_ERR_FORMAT);
    write_text(temp_path("twice.nrrd"), "NRRD0004\ntype: short\ntype: short\n");
    expect_failure(temp_path("twice.nrrd"), RAD_ERR_FORMAT);
    write_text(temp_path("big.nrrd"), "NRRD0004\ntype: short\ndimension: 3\n"
                                      "sizes: 100000 100000 100000\nendian: little\n"
                                      "encoding: raw\n\n");
    expect_failure(temp_path("big.nrrd"), RAD_ERR_TOO_LARGE);
    write_text(temp_path("short.nrrd"), "NRRD0004\ntype: short\ndimension: 3\nsizes: 10 10 10\n"
                                        "endian: little\nencoding: raw\n\n0123");
    expect_failure(temp_path("short.nrrd"), RAD_ERR_FORMAT);
    write_text(temp_path("bz.nrrd"), "NRRD0004\ntype: short\ndimension: 3\nsizes: 1 1 1\n"
                                     "endian: little\nencoding: bzip2\n\n");
    expect_failure(temp_path("bz.nrrd"), RAD_ERR_UNSUPPORTED);

    if (!test_refdata_path(path, sizeof path, "pyradiomics/data/brain1_image.nrrd", "brain1"))
        return;
    copy_prefix(path, temp_path("cut.nrrd"), 0.5);
    expect_failure(temp_path("cut.nrrd"), RAD_ERR_FORMAT);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Geometry check                                                       */

START_TEST(geometry_jitter_accepted)
{
    rad_volume *a = make_test_volume(), *b = make_test_volume();
    rad_error *e = rad_error_create();

    b->origin[0] += 1e-4;
    b->spacing[2] *= 1 + 1e-6;
    ck_assert_msg(rad_check_geometry(a, b, 1e-3, e) == RAD_OK, "%s", rad_error_message(e));
    rad_volume_free(a);
    rad_volume_free(b);
    rad_error_free(e);
}
END_TEST

START_TEST(geometry_slice_offset_rejected)
{
    rad_volume *a = make_test_volume(), *b = make_test_volume();
    rad_error *e = rad_error_create();

    /* one slice along k: the k axis is world +z with spacing 3 mm */
    b->origin[2] += 3.0;
    ck_assert_int_eq(rad_check_geometry(a, b, 1e-3, e), RAD_ERR_GEOMETRY);
    ck_assert_msg(strstr(rad_error_message(e), "3 mm") != NULL, "%s", rad_error_message(e));
    ck_assert_msg(strstr(rad_error_message(e), "origin") != NULL, "%s", rad_error_message(e));
    rad_volume_free(a);
    rad_volume_free(b);
    rad_error_free(e);
}
END_TEST

START_TEST(geometry_size_mismatch_rejected)
{
    rad_volume *a = make_test_volume(), *b = NULL;
    size_t size[3] = {5, 4, 2};

    ck_assert_int_eq(rad_volume_create(size, a->spacing, a->origin, a->direction, &b, NULL),
                     RAD_OK);
    ck_assert_int_eq(rad_check_geometry(a, b, 1e-3, NULL), RAD_ERR_GEOMETRY);
    rad_volume_free(a);
    rad_volume_free(b);
}
END_TEST

static Suite *volume_suite(void)
{
    Suite *s = suite_create("volume");
    TCase *tc = tcase_create("core");

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, create_and_accessors);
    tcase_add_test(tc, create_rejects_bad_arguments);
    tcase_add_test(tc, nifti_round_trip_nii);
    tcase_add_test(tc, nifti_round_trip_nii_gz);
    tcase_add_test(tc, nifti_write_rejects_other_suffix);
    tcase_add_test(tc, nifti_reads_every_datatype);
    tcase_add_test(tc, nifti_applies_scaling);
    tcase_add_test(tc, nifti_4d_rejected);
    tcase_add_test(tc, nifti_sts001_ct);
    tcase_add_test(tc, damaged_zero_bytes);
    tcase_add_test(tc, damaged_missing_file);
    tcase_add_test(tc, damaged_truncated_nii_gz);
    tcase_add_test(tc, damaged_huge_dims);
    tcase_add_test(tc, nrrd_brain1);
    tcase_add_test(tc, nrrd_detached_raw_big_endian);
    tcase_add_test(tc, nrrd_attached_gzip_lps_spacings);
    tcase_add_test(tc, nrrd_damaged_inputs);
    tcase_add_test(tc, geometry_jitter_accepted);
    tcase_add_test(tc, geometry_slice_offset_rejected);
    tcase_add_test(tc, geometry_size_mismatch_rejected);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *runner = srunner_create(volume_suite());
    int failed;

    srunner_set_fork_status(runner, CK_FORK);
    srunner_run_all(runner, CK_NORMAL);
    failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
