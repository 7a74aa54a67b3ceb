/*
 * nifti_io.c - NIfTI-1 and NIfTI-2 reading through libnifti2, NIfTI-1
 * writing (float32) with checked I/O.
 *
 * World frame: NIfTI's x, y, z are RAS millimetres, which is this library's
 * frame, so the chosen 4x4 affine A maps (i, j, k) to world directly:
 * origin = A[0..2][3], spacing[c] = |column c of A's 3x3 part|,
 * direction column c = column c / spacing[c].
 *
 * libnifti 3.0.1 prints some errors on stderr even at debug level 0 (seen
 * for a bad datatype, dim[0] or dim[1]), and the library must never print. So the reader validates the header bytes itself
 * (validate_header) before libnifti opens the file, lets libnifti parse only
 * headers that passed, and reads the voxel data itself with zlib
 * (read_voxel_data). The debug level is still set to 0.
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

/* ------------------------------------------------------------------ */
/* Header validation before libnifti opens the file                      */

/* Byte offsets of the fields validate_header reads. NIfTI-1: 348-byte
 * header, int16 dim[8], float vox_offset, magic "n+1\0" at the end.
 * NIfTI-2: 540-byte header, magic "n+2\0\r\n\032\n" after sizeof_hdr,
 * int64 dim[8], int64 vox_offset. */
enum {
    N1_SIZE = 348, N1_DIM = 40, N1_DATATYPE = 70, N1_VOX_OFFSET = 108, N1_MAGIC = 344,
    N2_SIZE = 540, N2_MAGIC = 4, N2_DATATYPE = 12, N2_DIM = 16, N2_VOX_OFFSET = 168
};

/* Decoded fields of a header: dim[0] is the number of dimensions. */
typedef struct header_fields {
    int version; /* 1 or 2 */
    int64_t dim[8];
    int datatype;
    double vox_offset;
} header_fields;

/* Unsigned integer of the given width stored little-endian, or big-endian
 * when big is set. */
static uint64_t load_uint(const unsigned char *p, int bytes, int big)
{
    uint64_t v = 0;

    for (int i = 0; i < bytes; i++)
        v = (v << 8) | p[big ? i : bytes - 1 - i];
    return v;
}

static int64_t load_int(const unsigned char *p, int bytes, int big)
{
    uint64_t v = load_uint(p, bytes, big);

    if (bytes < 8 && (v >> (8 * bytes - 1)) & 1)
        v |= ~(uint64_t)0 << (8 * bytes);
    return (int64_t)v;
}

static int has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);

    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int supported_datatype(int datatype)
{
    return is_integer_datatype(datatype) || datatype == NIFTI_TYPE_FLOAT32 ||
           datatype == NIFTI_TYPE_FLOAT64;
}

/* Bytes per voxel of a supported datatype. */
static int datatype_bytes(int datatype)
{
    switch (datatype) {
    case NIFTI_TYPE_UINT8: case NIFTI_TYPE_INT8: return 1;
    case NIFTI_TYPE_INT16: case NIFTI_TYPE_UINT16: return 2;
    case NIFTI_TYPE_INT32: case NIFTI_TYPE_UINT32: case NIFTI_TYPE_FLOAT32: return 4;
    default: return 8;
    }
}

/* Reads up to size bytes from the start of path into buf, through zlib when
 * gz is set; *got receives the count. */
static rad_status read_head(const char *path, int gz, unsigned char *buf, size_t size,
                            size_t *got, rad_error *error)
{
    if (gz) {
        gzFile g = gzopen(path, "rb");
        int n, zerr = Z_OK;
        const char *zmsg;

        if (g == NULL)
            return ri_fail(error, RAD_ERR_IO, "cannot open %s: %s", path, strerror(errno));
        n = gzread(g, buf, (unsigned)size);
        zmsg = gzerror(g, &zerr);
        if (n < 0 || (zerr != Z_OK && zerr != Z_BUF_ERROR)) {
            rad_status s = ri_fail(error, RAD_ERR_FORMAT,
                                   "%s: the gzip stream is damaged (zlib: %s)", path, zmsg);
            gzclose(g);
            return s;
        }
        gzclose(g);
        *got = (size_t)n;
        return RAD_OK;
    }

    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return ri_fail(error, RAD_ERR_IO, "cannot open %s: %s", path, strerror(errno));
    *got = fread(buf, 1, size, f);
    if (ferror(f)) {
        fclose(f);
        return ri_fail(error, RAD_ERR_IO, "cannot read %s: %s", path, strerror(errno));
    }
    fclose(f);
    return RAD_OK;
}

/* Checks sizeof_hdr, magic, dim, datatype and vox_offset of the header in
 * buf (got bytes) and fills *h. */
static rad_status decode_header(const unsigned char *buf, size_t got, const char *path,
                                header_fields *h, rad_error *error)
{
    static const char magic2[8] = {'n', '+', '2', '\0', '\r', '\n', '\032', '\n'};
    int swapped = 0; /* 1 when the header is big-endian */
    int64_t sizeof_hdr;
    int dim_bytes;
    const unsigned char *dim;

    if (got < 4)
        return ri_fail(error, RAD_ERR_FORMAT,
                       "%s: the file has %zu bytes; a NIfTI header has 348 (NIfTI-1) or 540 "
                       "(NIfTI-2)", path, got);
    sizeof_hdr = load_int(buf, 4, 0);
    if (sizeof_hdr != N1_SIZE && sizeof_hdr != N2_SIZE) {
        swapped = 1;
        sizeof_hdr = load_int(buf, 4, 1);
    }
    if (sizeof_hdr != N1_SIZE && sizeof_hdr != N2_SIZE)
        return ri_fail(error, RAD_ERR_FORMAT,
                       "%s: sizeof_hdr is %lld; expected 348 (NIfTI-1) or 540 (NIfTI-2), so "
                       "this is not a NIfTI file", path, (long long)load_int(buf, 4, 0));
    if (got < (size_t)sizeof_hdr)
        return ri_fail(error, RAD_ERR_FORMAT,
                       "%s: the header is truncated (%zu of %lld bytes)", path, got,
                       (long long)sizeof_hdr);

    h->version = sizeof_hdr == N1_SIZE ? 1 : 2;
    if (h->version == 1) {
        if (memcmp(buf + N1_MAGIC, "ni1", 4) == 0)
            return ri_fail(error, RAD_ERR_UNSUPPORTED,
                           "%s: magic \"ni1\" marks a two-file NIfTI-1 header (.hdr/.img), "
                           "which is not supported; convert it to a single .nii file", path);
        if (memcmp(buf + N1_MAGIC, "n+1", 4) != 0)
            return ri_fail(error, RAD_ERR_FORMAT,
                           "%s: NIfTI-1 magic is not \"n+1\"; the header is damaged or the "
                           "file is an ANALYZE 7.5 image", path);
        dim = buf + N1_DIM;
        dim_bytes = 2;
        h->datatype = (int)load_int(buf + N1_DATATYPE, 2, swapped);
        {
            uint32_t bits = (uint32_t)load_uint(buf + N1_VOX_OFFSET, 4, swapped);
            float f;
            memcpy(&f, &bits, sizeof f);
            h->vox_offset = f;
        }
    } else {
        if (memcmp(buf + N2_MAGIC, "ni2", 4) == 0)
            return ri_fail(error, RAD_ERR_UNSUPPORTED,
                           "%s: magic \"ni2\" marks a two-file NIfTI-2 header, which is not "
                           "supported; convert it to a single .nii file", path);
        if (memcmp(buf + N2_MAGIC, magic2, sizeof magic2) != 0)
            return ri_fail(error, RAD_ERR_FORMAT,
                           "%s: NIfTI-2 magic is not \"n+2\\0\\r\\n\\032\\n\"; the header is "
                           "damaged", path);
        dim = buf + N2_DIM;
        dim_bytes = 8;
        h->datatype = (int)load_int(buf + N2_DATATYPE, 2, swapped);
        h->vox_offset = (double)load_int(buf + N2_VOX_OFFSET, 8, swapped);
    }

    for (int d = 0; d < 8; d++)
        h->dim[d] = load_int(dim + d * dim_bytes, dim_bytes, swapped);
    if (h->dim[0] < 1 || h->dim[0] > 7)
        return ri_fail(error, RAD_ERR_FORMAT, "%s: dim[0] = %lld; expected 1 to 7", path,
                       (long long)h->dim[0]);
    for (int d = 1; d <= h->dim[0]; d++)
        if (h->dim[d] < 1)
            return ri_fail(error, RAD_ERR_FORMAT, "%s: dim[%d] = %lld; expected >= 1", path, d,
                           (long long)h->dim[d]);
    if (!supported_datatype(h->datatype))
        return ri_fail(error, RAD_ERR_UNSUPPORTED,
                       "%s: datatype %d (%s) is not supported; expected an integer type of "
                       "8 to 64 bits, float32 or float64",
                       path, h->datatype, nifti_datatype_string(h->datatype));
    if (!isfinite(h->vox_offset) || h->vox_offset < 0 || h->vox_offset > 1e12)
        return ri_fail(error, RAD_ERR_FORMAT,
                       "%s: vox_offset is %g; expected a byte offset from 0 to 1e12", path,
                       h->vox_offset);
    return RAD_OK;
}

/*
 * Validates path as a single-file NIfTI-1 or NIfTI-2 image before libnifti
 * opens it. The name must end in .nii or .nii.gz, and gzip content needs
 * the .gz name. The header must pass decode_header, and the first 3-D
 * volume must have at most RI_MAX_VOXELS voxels. The file must be able to
 * hold the data the header claims (gzip: at most DEFLATE_MAX_RATIO times
 * the compressed size).
 */
static rad_status validate_header(const char *path, rad_error *error)
{
    unsigned char buf[N2_SIZE], magic[2];
    struct stat st;
    size_t got = 0;
    int gz = has_suffix(path, ".gz");
    header_fields h = {0};
    rad_status status;
    double count3 = 1, bytes, start;
    FILE *f;

    if (stat(path, &st) != 0)
        return ri_fail(error, RAD_ERR_IO, "cannot open %s: %s", path, strerror(errno));
    if (S_ISDIR(st.st_mode))
        return ri_fail(error, RAD_ERR_IO, "cannot read %s: it is a folder", path);
    if (st.st_size == 0)
        return ri_fail(error, RAD_ERR_FORMAT,
                       "%s: the file is empty (0 bytes); expected a NIfTI image", path);

    f = fopen(path, "rb");
    if (f == NULL)
        return ri_fail(error, RAD_ERR_IO, "cannot open %s: %s", path, strerror(errno));
    got = fread(magic, 1, 2, f);
    fclose(f);
    if (!gz && got == 2 && magic[0] == 0x1f && magic[1] == 0x8b)
        return ri_fail(error, RAD_ERR_FORMAT,
                       "%s: the file is gzip-compressed but its name does not end in .gz; "
                       "rename it to .nii.gz", path);
    if (!has_suffix(path, ".nii") && !has_suffix(path, ".nii.gz"))
        return ri_fail(error, RAD_ERR_FORMAT,
                       "%s: expected a NIfTI file name ending in .nii or .nii.gz, or an NRRD "
                       "file (.nrrd, .nhdr)", path);

    status = read_head(path, gz, buf, sizeof buf, &got, error);
    if (status != RAD_OK)
        return status;
    status = decode_header(buf, got, path, &h, error);
    if (status != RAD_OK)
        return status;

    for (int d = 1; d <= 3 && d <= h.dim[0]; d++)
        count3 *= (double)h.dim[d];
    if (count3 > (double)RI_MAX_VOXELS)
        return ri_fail(error, RAD_ERR_TOO_LARGE,
                       "%s: %lld x %lld x %lld voxels exceed the maximum of %zu", path,
                       (long long)h.dim[1], (long long)(h.dim[0] >= 2 ? h.dim[2] : 1),
                       (long long)(h.dim[0] >= 3 ? h.dim[3] : 1), RI_MAX_VOXELS);

    bytes = count3 * datatype_bytes(h.datatype);
    start = h.vox_offset > (double)(h.version == 1 ? N1_SIZE : N2_SIZE)
                ? h.vox_offset
                : (double)(h.version == 1 ? N1_SIZE : N2_SIZE);
    if (gz) {
        if (start + bytes > (double)st.st_size * DEFLATE_MAX_RATIO)
            return ri_fail(error, RAD_ERR_FORMAT,
                           "%s: the header claims %.0f bytes of voxel data but the compressed "
                           "file has only %lld bytes; the file is damaged",
                           path, bytes, (long long)st.st_size);
    } else if (start + bytes > (double)st.st_size) {
        return ri_fail(error, RAD_ERR_FORMAT,
                       "%s: the header claims %.0f bytes of voxel data from offset %.0f but the "
                       "file has %lld bytes; the file is truncated",
                       path, bytes, start, (long long)st.st_size);
    }
    return RAD_OK;
}

/*
 * Reads count voxels of nim->nbyper bytes from offset nim->iname_offset of
 * path with zlib (which also reads uncompressed files), swaps their bytes
 * when the file's byte order differs from the host's, and stores the buffer
 * in nim->data, which nifti_image_free releases.
 */
static rad_status read_voxel_data(nifti_image *nim, const char *path, size_t count,
                                  rad_error *error)
{
    size_t total = count * (size_t)nim->nbyper, done = 0;
    const size_t chunk = (size_t)1 << 30;
    unsigned char *buf;
    gzFile g;
    int zerr = Z_OK;

    buf = malloc(total ? total : 1);
    if (buf == NULL)
        return ri_fail(error, RAD_ERR_NO_MEMORY, "%s: cannot allocate %zu bytes of voxel data",
                       path, total);
    g = gzopen(path, "rb");
    if (g == NULL) {
        free(buf);
        return ri_fail(error, RAD_ERR_IO, "cannot open %s: %s", path, strerror(errno));
    }
    if (gzseek(g, (z_off_t)nim->iname_offset, SEEK_SET) != (z_off_t)nim->iname_offset) {
        const char *zmsg = gzerror(g, &zerr);
        rad_status s = ri_fail(error, RAD_ERR_FORMAT,
                               "%s: cannot reach the voxel data at offset %lld (%s); the file "
                               "is truncated or damaged",
                               path, (long long)nim->iname_offset, zmsg);
        gzclose(g);
        free(buf);
        return s;
    }
    while (done < total) {
        size_t want = total - done < chunk ? total - done : chunk;
        int n = gzread(g, buf + done, (unsigned)want);
        if (n <= 0) {
            const char *zmsg = gzerror(g, &zerr);
            rad_status s;
            if (n < 0 || (zerr != Z_OK && zerr != Z_BUF_ERROR))
                s = ri_fail(error, RAD_ERR_FORMAT,
                            "%s: the gzip stream is damaged after %zu of %zu bytes of voxel "
                            "data (zlib: %s)", path, done, total, zmsg);
            else
                s = ri_fail(error, RAD_ERR_FORMAT,
                            "%s: the voxel data end after %zu of %zu bytes; the file is "
                            "truncated", path, done, total);
            gzclose(g);
            free(buf);
            return s;
        }
        done += (size_t)n;
    }
    gzclose(g);

    if (nim->swapsize > 1 && nim->byteorder != nifti_short_order())
        nifti_swap_Nbytes((int64_t)count, nim->swapsize, buf);
    free(nim->data);
    nim->data = buf;
    return RAD_OK;
}

rad_status ri_read_nifti(const char *path, rad_volume **out, rad_error *error)
{
    nifti_image *nim;
    rad_volume *v = NULL;
    size_t size[3], count = 0;
    rad_status status;
    double unit_spacing[3] = {1, 1, 1}, zero[3] = {0, 0, 0};

    if (path == NULL || out == NULL)
        return ri_fail(error, RAD_ERR_ARGUMENT, "ri_read_nifti: NULL argument");
    status = validate_header(path, error);
    if (status != RAD_OK)
        return status;

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
    if (status == RAD_OK)
        status = read_voxel_data(nim, path, count, error);
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
