/*
 * nifti_io.c - NIfTI-1 and NIfTI-2 reading through libnifti2, NIfTI-1
 * writing (float32) with checked I/O.
 *
 * World frame: NIfTI's x, y, z are RAS millimetres, which is this library's
 * frame, so the chosen 4x4 affine A maps (i, j, k) to world directly:
 * origin = A[0..2][3], spacing[c] = |column c of A's 3x3 part|,
 * direction column c = column c / spacing[c].
 *
 * libnifti reports errors on stderr only when its debug level is above 0, so
 * the readers set the level to 0 and turn every failure into a rad_error.
 * NOTE: the debug level is a global of libnifti; setting it to 0 from several
 * threads at once writes the same value and is harmless.
 */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nifti2_io.h>
#include <zlib.h>

#include "internal.h"

/* Deflate cannot compress better than about 1032:1, so a .nii.gz whose
 * header claims more data than this many times its size is damaged. */
#define DEFLATE_MAX_RATIO 1100

/* Fills the geometry of v from a 4x4 affine in RAS mm. */
static rad_status geometry_from_affine(const nifti_dmat44 *a, rad_volume *v, const char *path,
                                       const char *source, rad_error *error)
{
    for (int c = 0; c < 3; c++) {
        double norm = sqrt(a->m[0][c] * a->m[0][c] + a->m[1][c] * a->m[1][c] +
                           a->m[2][c] * a->m[2][c]);
        if (!(norm > 0) || !isfinite(norm))
            return ri_fail(error, RAD_ERR_FORMAT,
                           "%s: %s column %d has length %g; expected a finite voxel size > 0",
                           path, source, c, norm);
        v->spacing[c] = norm;
        for (int r = 0; r < 3; r++)
            v->direction[3 * r + c] = a->m[r][c] / norm;
    }
    for (int r = 0; r < 3; r++) {
        v->origin[r] = a->m[r][3];
        if (!isfinite(v->origin[r]))
            return ri_fail(error, RAD_ERR_FORMAT, "%s: %s offset %d is %g; expected finite",
                           path, source, r, v->origin[r]);
    }
    return RAD_OK;
}

/*
 * Picks the geometry source: the sform when sform_code > 0, else the qform
 * when qform_code > 0, else pixdim with identity direction and origin 0.
 */
static rad_status geometry_from_nifti(const nifti_image *nim, rad_volume *v, const char *path,
                                      rad_error *error)
{
    nifti_dmat44 a;

    if (nim->sform_code > 0)
        return geometry_from_affine(&nim->sto_xyz, v, path, "sform", error);
    if (nim->qform_code > 0)
        return geometry_from_affine(&nim->qto_xyz, v, path, "qform", error);

    memset(&a, 0, sizeof a);
    for (int c = 0; c < 3; c++)
        a.m[c][c] = fabs(nim->pixdim[c + 1]);
    a.m[3][3] = 1;
    return geometry_from_affine(&a, v, path, "pixdim", error);
}

/* Checks the dimensions: 2-D or 3-D, or more with every extra dimension 1. */
static rad_status check_dims(const nifti_image *nim, const char *path, size_t size[3],
                             rad_error *error)
{
    int64_t ndim = nim->dim[0];
    size_t count = 1;

    if (ndim < 2 || ndim > 7)
        return ri_fail(error, RAD_ERR_UNSUPPORTED,
                       "%s: dim[0] = %lld; expected an image of 2 to 7 dimensions", path,
                       (long long)ndim);
    for (int64_t d = 4; d <= ndim; d++)
        if (nim->dim[d] != 1)
            return ri_fail(error, RAD_ERR_UNSUPPORTED,
                           "%s: dim[%lld] = %lld; only single 3-D volumes are read "
                           "(every dimension after the third must be 1)",
                           path, (long long)d, (long long)nim->dim[d]);
    for (int a = 0; a < 3; a++) {
        int64_t n = a + 1 <= ndim ? nim->dim[a + 1] : 1;
        if (n < 1)
            return ri_fail(error, RAD_ERR_FORMAT, "%s: dim[%d] = %lld; expected >= 1", path,
                           a + 1, (long long)n);
        if ((uint64_t)n > RI_MAX_VOXELS || count > RI_MAX_VOXELS / (size_t)n)
            return ri_fail(error, RAD_ERR_TOO_LARGE,
                           "%s: %lld x %lld x %lld voxels exceed the maximum of %zu", path,
                           (long long)nim->dim[1], (long long)nim->dim[2],
                           (long long)(ndim >= 3 ? nim->dim[3] : 1), RI_MAX_VOXELS);
        size[a] = (size_t)n;
        count *= (size_t)n;
    }
    return RAD_OK;
}

static int is_integer_datatype(int datatype)
{
    switch (datatype) {
    case NIFTI_TYPE_UINT8: case NIFTI_TYPE_INT8: case NIFTI_TYPE_INT16:
    case NIFTI_TYPE_UINT16: case NIFTI_TYPE_INT32: case NIFTI_TYPE_UINT32:
    case NIFTI_TYPE_INT64: case NIFTI_TYPE_UINT64:
        return 1;
    default:
        return 0;
    }
}

/* Compares the data size the header claims with the file size. */
static rad_status check_file_holds_data(const nifti_image *nim, const char *path,
                                        size_t count, rad_error *error)
{
    int64_t file_size = nifti_get_filesize(nim->iname ? nim->iname : path);
    double needed = (double)count * nim->nbyper;

    if (file_size < 0)
        return ri_fail(error, RAD_ERR_IO, "%s: cannot determine the file size", path);
    if (nifti_is_gzfile(nim->iname ? nim->iname : path)) {
        if (needed > (double)file_size * DEFLATE_MAX_RATIO)
            return ri_fail(error, RAD_ERR_FORMAT,
                           "%s: header claims %.0f bytes of voxel data but the compressed "
                           "file has only %lld bytes; the file is damaged",
                           path, needed, (long long)file_size);
        return RAD_OK;
    }
    if (needed + (double)nim->iname_offset > (double)file_size)
        return ri_fail(error, RAD_ERR_FORMAT,
                       "%s: header claims %.0f bytes of voxel data from offset %lld but the "
                       "file has %lld bytes; the file is truncated",
                       path, needed, (long long)nim->iname_offset, (long long)file_size);
    return RAD_OK;
}

/* Converts count voxels of the loaded buffer to doubles. */
static rad_status convert_voxels(const nifti_image *nim, size_t count, double *out,
                                 const char *path, rad_error *error)
{
    const void *p = nim->data;

#define CONVERT(type)                                                                  \
    do {                                                                               \
        const type *src = (const type *)p;                                             \
        for (size_t i = 0; i < count; i++)                                             \
            out[i] = (double)src[i];                                                   \
    } while (0)

    switch (nim->datatype) {
    case NIFTI_TYPE_UINT8: CONVERT(uint8_t); break;
    case NIFTI_TYPE_INT8: CONVERT(int8_t); break;
    case NIFTI_TYPE_INT16: CONVERT(int16_t); break;
    case NIFTI_TYPE_UINT16: CONVERT(uint16_t); break;
    case NIFTI_TYPE_INT32: CONVERT(int32_t); break;
    case NIFTI_TYPE_UINT32: CONVERT(uint32_t); break;
    case NIFTI_TYPE_INT64: CONVERT(int64_t); break;
    case NIFTI_TYPE_UINT64: CONVERT(uint64_t); break;
    case NIFTI_TYPE_FLOAT32: CONVERT(float); break;
    case NIFTI_TYPE_FLOAT64: CONVERT(double); break;
    default:
        return ri_fail(error, RAD_ERR_UNSUPPORTED,
                       "%s: datatype %d (%s) is not supported; expected an integer type of "
                       "8 to 64 bits, float32 or float64",
                       path, nim->datatype, nifti_datatype_string(nim->datatype));
    }
#undef CONVERT
    return RAD_OK;
}

/* Applies x' = slope * x + inter when slope is finite and non-zero, as the
 * NIfTI standard and nibabel do. Returns whether integers stay integers. */
static int apply_scaling(const nifti_image *nim, double *data, size_t count)
{
    double slope = nim->scl_slope, inter = nim->scl_inter;

    if (slope == 0 || !isfinite(slope))
        return 1;
    if (!isfinite(inter))
        inter = 0;
    if (slope == 1 && inter == 0)
        return 1;
    for (size_t i = 0; i < count; i++)
        data[i] = slope * data[i] + inter;
    return slope == floor(slope) && inter == floor(inter);
}

rad_status ri_read_nifti(const char *path, rad_volume **out, rad_error *error)
{
    nifti_image *nim;
    rad_volume *v = NULL;
    size_t size[3], count = 0;
    rad_status status;
    FILE *probe;
    double unit_spacing[3] = {1, 1, 1}, zero[3] = {0, 0, 0};

    if (path == NULL || out == NULL)
        return ri_fail(error, RAD_ERR_ARGUMENT, "ri_read_nifti: NULL argument");
    probe = fopen(path, "rb");
    if (probe == NULL)
        return ri_fail(error, RAD_ERR_IO, "cannot open %s: %s", path, strerror(errno));
    fclose(probe);

    nifti_set_debug_level(0);
    nim = nifti_image_read(path, 0);
    if (nim == NULL)
        return ri_fail(error, RAD_ERR_FORMAT,
                       "%s: not a readable NIfTI-1/NIfTI-2 header (empty, truncated or "
                       "another format)", path);

    status = check_dims(nim, path, size, error);
    if (status == RAD_OK) {
        count = size[0] * size[1] * size[2];
        if (is_integer_datatype(nim->datatype) || nim->datatype == NIFTI_TYPE_FLOAT32 ||
            nim->datatype == NIFTI_TYPE_FLOAT64)
            status = check_file_holds_data(nim, path, count, error);
        else
            status = ri_fail(error, RAD_ERR_UNSUPPORTED,
                             "%s: datatype %d (%s) is not supported; expected an integer "
                             "type of 8 to 64 bits, float32 or float64",
                             path, nim->datatype, nifti_datatype_string(nim->datatype));
    }
    if (status == RAD_OK)
        status = rad_volume_create(size, unit_spacing, zero, NULL, &v, error);
    if (status == RAD_OK)
        status = geometry_from_nifti(nim, v, path, error);
    if (status == RAD_OK && nifti_image_load(nim) != 0)
        status = ri_fail(error, RAD_ERR_FORMAT,
                         "%s: cannot read the voxel data (truncated or damaged file)", path);
    if (status == RAD_OK)
        status = convert_voxels(nim, count, v->data, path, error);
    if (status == RAD_OK)
        v->integer_valued = is_integer_datatype(nim->datatype) &&
                            apply_scaling(nim, v->data, count);

    nifti_image_free(nim);
    if (status != RAD_OK) {
        rad_volume_free(v);
        return status;
    }
    *out = v;
    return RAD_OK;
}

/* ------------------------------------------------------------------ */
/* Writing                                                              */

/* Builds a NIfTI-1 header (float32, sform = qform = the volume's affine,
 * both with code 1 = scanner) in *hdr. */
static rad_status make_header(const rad_volume *v, const char *path, nifti_1_header *hdr,
                              rad_error *error)
{
    int64_t dims[8] = {3, 0, 0, 0, 1, 1, 1, 1};
    nifti_image *nim;
    nifti_dmat44 a;
    double qb, qc, qd, qx, qy, qz, dx, dy, dz, qfac;

    for (int c = 0; c < 3; c++) {
        if (v->size[c] > INT16_MAX)
            return ri_fail(error, RAD_ERR_ARGUMENT,
                           "cannot write %s: size[%d] = %zu exceeds NIfTI-1's limit of %d",
                           path, c, v->size[c], INT16_MAX);
        dims[c + 1] = (int64_t)v->size[c];
    }
    nim = nifti_make_new_nim(dims, NIFTI_TYPE_FLOAT32, 0);
    if (nim == NULL)
        return ri_fail(error, RAD_ERR_NO_MEMORY, "cannot build a NIfTI header for %s", path);

    memset(&a, 0, sizeof a);
    for (int r = 0; r < 3; r++) {
        for (int c = 0; c < 3; c++)
            a.m[r][c] = v->direction[3 * r + c] * v->spacing[c];
        a.m[r][3] = v->origin[r];
    }
    a.m[3][3] = 1;
    nifti_dmat44_to_quatern(a, &qb, &qc, &qd, &qx, &qy, &qz, &dx, &dy, &dz, &qfac);

    nim->nifti_type = NIFTI_FTYPE_NIFTI1_1;
    nim->iname_offset = 352; /* 348-byte header + 4-byte empty extension flag */
    nim->xyz_units = NIFTI_UNITS_MM;
    nim->sform_code = NIFTI_XFORM_SCANNER_ANAT;
    nim->qform_code = NIFTI_XFORM_SCANNER_ANAT;
    nim->sto_xyz = a;
    nim->quatern_b = qb;
    nim->quatern_c = qc;
    nim->quatern_d = qd;
    nim->qoffset_x = qx;
    nim->qoffset_y = qy;
    nim->qoffset_z = qz;
    nim->qfac = qfac;
    nim->dx = nim->pixdim[1] = v->spacing[0];
    nim->dy = nim->pixdim[2] = v->spacing[1];
    nim->dz = nim->pixdim[3] = v->spacing[2];
    nim->pixdim[0] = qfac;
    nim->scl_slope = 1;
    nim->scl_inter = 0;

    memset(hdr, 0, sizeof *hdr);
    if (nifti_convert_nim2n1hdr(nim, hdr) != 0) {
        nifti_image_free(nim);
        return ri_fail(error, RAD_ERR_ARGUMENT, "cannot build a NIfTI-1 header for %s", path);
    }
    nifti_image_free(nim);
    return RAD_OK;
}

/* Writes header, empty extension flag and float32 voxels to fd, gzip-
 * compressed when gz is set; closes fd in every case. */
static rad_status write_stream(int fd, int gz, const nifti_1_header *hdr, const rad_volume *v,
                               const char *tmp, rad_error *error)
{
    static const char extension[4] = {0, 0, 0, 0};
    enum { CHUNK = 16384 };
    float buf[CHUNK];
    size_t count = ri_voxel_count(v), done = 0;
    gzFile g = NULL;
    FILE *f = NULL;
    int ok = 1;

    if (gz)
        g = gzdopen(fd, "wb6");
    else
        f = fdopen(fd, "wb");
    if (g == NULL && f == NULL) {
        close(fd);
        return ri_fail(error, RAD_ERR_IO, "cannot write %s: %s", tmp, strerror(errno));
    }

#define PUT(ptr, len)                                                                   \
    (gz ? gzwrite(g, (ptr), (unsigned)(len)) == (int)(len)                              \
        : fwrite((ptr), 1, (len), f) == (size_t)(len))

    ok = PUT(hdr, sizeof *hdr) && PUT(extension, sizeof extension);
    while (ok && done < count) {
        size_t n = count - done < CHUNK ? count - done : CHUNK;
        for (size_t i = 0; i < n; i++)
            buf[i] = (float)v->data[done + i];
        ok = PUT(buf, n * sizeof(float));
        done += n;
    }
#undef PUT

    if (gz)
        ok = (gzclose(g) == Z_OK) && ok;
    else
        ok = (fclose(f) == 0) && ok;
    if (!ok)
        return ri_fail(error, RAD_ERR_IO, "cannot write %s (disk full or I/O error)", tmp);
    return RAD_OK;
}

rad_status ri_write_nifti(const rad_volume *volume, const char *path, rad_error *error)
{
    nifti_1_header hdr;
    const char *suffix;
    size_t len, suffix_len;
    char *tmp;
    int fd, gz;
    rad_status status;

    if (volume == NULL || path == NULL)
        return ri_fail(error, RAD_ERR_ARGUMENT, "ri_write_nifti: NULL argument");
    len = strlen(path);
    gz = len >= 7 && strcmp(path + len - 7, ".nii.gz") == 0;
    suffix = gz ? ".nii.gz" : ".nii";
    suffix_len = strlen(suffix);
    if (len < suffix_len || strcmp(path + len - suffix_len, suffix) != 0)
        return ri_fail(error, RAD_ERR_ARGUMENT,
                       "cannot write %s: expected a name ending in .nii or .nii.gz", path);

    status = make_header(volume, path, &hdr, error);
    if (status != RAD_OK)
        return status;

    /* The temporary name keeps the suffix so that it is a valid NIfTI name. */
    tmp = malloc(len + 16);
    if (tmp == NULL)
        return ri_fail(error, RAD_ERR_NO_MEMORY, "cannot allocate a file name");
    memcpy(tmp, path, len - suffix_len);
    snprintf(tmp + len - suffix_len, 16 + suffix_len, ".tmpXXXXXX%s", suffix);
    fd = mkstemps(tmp, (int)suffix_len);
    if (fd < 0) {
        status = ri_fail(error, RAD_ERR_IO, "cannot create a temporary file beside %s: %s",
                         path, strerror(errno));
        free(tmp);
        return status;
    }

    /* mkstemps creates the file with mode 0600; give it an ordinary data file's mode. */
    if (fchmod(fd, 0644) != 0) {
        status = ri_fail(error, RAD_ERR_IO, "cannot set the mode of %s: %s", tmp,
                         strerror(errno));
        close(fd);
        remove(tmp);
        free(tmp);
        return status;
    }
    status = write_stream(fd, gz, &hdr, volume, tmp, error);
    if (status == RAD_OK && rename(tmp, path) != 0)
        status = ri_fail(error, RAD_ERR_IO, "cannot rename %s to %s: %s", tmp, path,
                         strerror(errno));
    if (status != RAD_OK)
        remove(tmp);
    free(tmp);
    return status;
}
