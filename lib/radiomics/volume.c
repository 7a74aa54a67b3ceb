/*
 * volume.c - volume objects, index <-> world transforms, format dispatch and
 * the image/mask geometry check.
 *
 * Geometry: world = origin + D * diag(spacing) * ijk, with D the direction
 * matrix (row-major, column c is the unit world direction of axis c) and
 * world in NIfTI RAS millimetres.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static const double identity3[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1};

/* Stores size[0]*size[1]*size[2] in *count; fails on zero, overflow or a
 * count above RI_MAX_VOXELS. */
static rad_status checked_voxel_count(const size_t size[3], size_t *count, rad_error *error)
{
    size_t n = 1;

    for (int a = 0; a < 3; a++) {
        if (size[a] == 0)
            return ri_fail(error, RAD_ERR_ARGUMENT, "volume size[%d] is 0; expected >= 1", a);
        if (size[a] > RI_MAX_VOXELS || n > RI_MAX_VOXELS / size[a])
            return ri_fail(error, RAD_ERR_TOO_LARGE,
                           "volume of %zu x %zu x %zu voxels exceeds the maximum of %zu voxels",
                           size[0], size[1], size[2], RI_MAX_VOXELS);
        n *= size[a];
    }
    *count = n;
    return RAD_OK;
}

rad_status rad_volume_create(const size_t size[3], const double spacing[3],
                             const double origin[3], const double direction[9],
                             rad_volume **out, rad_error *error)
{
    size_t count = 0;
    rad_status status;
    rad_volume *v;

    if (size == NULL || spacing == NULL || origin == NULL || out == NULL)
        return ri_fail(error, RAD_ERR_ARGUMENT, "rad_volume_create: NULL argument");
    for (int a = 0; a < 3; a++) {
        if (!(spacing[a] > 0) || !isfinite(spacing[a]))
            return ri_fail(error, RAD_ERR_ARGUMENT,
                           "volume spacing[%d] = %g; expected a finite value > 0", a, spacing[a]);
        if (!isfinite(origin[a]))
            return ri_fail(error, RAD_ERR_ARGUMENT, "volume origin[%d] = %g is not finite", a,
                           origin[a]);
    }
    if (direction != NULL) {
        for (int c = 0; c < 9; c++)
            if (!isfinite(direction[c]))
                return ri_fail(error, RAD_ERR_ARGUMENT,
                               "volume direction[%d] = %g is not finite", c, direction[c]);
    }
    status = checked_voxel_count(size, &count, error);
    if (status != RAD_OK)
        return status;

    v = calloc(1, sizeof *v);
    if (v == NULL)
        return ri_fail(error, RAD_ERR_NO_MEMORY, "cannot allocate a volume");
    v->data = calloc(count, sizeof *v->data);
    if (v->data == NULL) {
        free(v);
        return ri_fail(error, RAD_ERR_NO_MEMORY, "cannot allocate %zu voxels", count);
    }
    memcpy(v->size, size, sizeof v->size);
    memcpy(v->spacing, spacing, sizeof v->spacing);
    memcpy(v->origin, origin, sizeof v->origin);
    memcpy(v->direction, direction ? direction : identity3, sizeof v->direction);
    *out = v;
    return RAD_OK;
}

rad_status ri_volume_like(const rad_volume *like, rad_volume **out, rad_error *error)
{
    if (like == NULL)
        return ri_fail(error, RAD_ERR_ARGUMENT, "ri_volume_like: NULL volume");
    return rad_volume_create(like->size, like->spacing, like->origin, like->direction, out,
                             error);
}

void rad_volume_free(rad_volume *volume)
{
    if (volume == NULL)
        return;
    free(volume->data);
    free(volume);
}

/* Returns 1 when the name ends with suffix (ASCII case-insensitive). */
static int has_suffix(const char *name, const char *suffix)
{
    size_t n = strlen(name), m = strlen(suffix);

    if (n < m)
        return 0;
    for (size_t i = 0; i < m; i++) {
        char a = name[n - m + i], b = suffix[i];
        if (a >= 'A' && a <= 'Z')
            a = (char)(a - 'A' + 'a');
        if (a != b)
            return 0;
    }
    return 1;
}

/*
 * Chooses the reader by content: "NRRD" magic bytes, else an .nrrd/.nhdr
 * name, else NIfTI (plain or gzip-compressed, which libnifti recognises).
 */
rad_status rad_volume_read(const char *path, rad_volume **out, rad_error *error)
{
    unsigned char magic[4] = {0};
    size_t got;
    FILE *f;

    if (path == NULL || out == NULL)
        return ri_fail(error, RAD_ERR_ARGUMENT, "rad_volume_read: NULL argument");
    f = fopen(path, "rb");
    if (f == NULL)
        return ri_fail(error, RAD_ERR_IO, "cannot open %s: %s", path, strerror(errno));
    got = fread(magic, 1, sizeof magic, f);
    if (ferror(f)) {
        fclose(f);
        return ri_fail(error, RAD_ERR_IO, "cannot read %s", path);
    }
    fclose(f);
    if (got == 0)
        return ri_fail(error, RAD_ERR_FORMAT, "%s is empty (0 bytes); expected NIfTI or NRRD",
                       path);

    if ((got == 4 && memcmp(magic, "NRRD", 4) == 0) || has_suffix(path, ".nrrd") ||
        has_suffix(path, ".nhdr"))
        return ri_read_nrrd(path, out, error);
    return ri_read_nifti(path, out, error);
}

rad_status rad_volume_write(const rad_volume *volume, const char *path, rad_error *error)
{
    if (volume == NULL || path == NULL)
        return ri_fail(error, RAD_ERR_ARGUMENT, "rad_volume_write: NULL argument");
    if (!has_suffix(path, ".nii") && !has_suffix(path, ".nii.gz"))
        return ri_fail(error, RAD_ERR_ARGUMENT,
                       "cannot write %s: expected a name ending in .nii or .nii.gz", path);
    return ri_write_nifti(volume, path, error);
}

void rad_volume_size(const rad_volume *volume, size_t size[3])
{
    memcpy(size, volume->size, sizeof volume->size);
}

void rad_volume_spacing(const rad_volume *volume, double spacing[3])
{
    memcpy(spacing, volume->spacing, sizeof volume->spacing);
}

void rad_volume_origin(const rad_volume *volume, double origin[3])
{
    memcpy(origin, volume->origin, sizeof volume->origin);
}

void rad_volume_direction(const rad_volume *volume, double direction[9])
{
    memcpy(direction, volume->direction, sizeof volume->direction);
}

const double *rad_volume_data(const rad_volume *volume)
{
    return volume->data;
}

double *rad_volume_data_mutable(rad_volume *volume)
{
    return volume->data;
}

void rad_volume_index_to_world(const rad_volume *volume, const double ijk[3], double world[3])
{
    const double *d = volume->direction;
    double scaled[3];

    for (int a = 0; a < 3; a++)
        scaled[a] = ijk[a] * volume->spacing[a];
    for (int r = 0; r < 3; r++)
        world[r] = volume->origin[r] + d[3 * r] * scaled[0] + d[3 * r + 1] * scaled[1] +
                   d[3 * r + 2] * scaled[2];
}

/* ijk = diag(1/spacing) * D^-1 * (world - origin); D^-1 by the adjugate, so a
 * direction matrix that is not exactly orthonormal is still inverted exactly.
 * A singular D gives NaN. */
void rad_volume_world_to_index(const rad_volume *volume, const double world[3], double ijk[3])
{
    const double *m = volume->direction;
    double inv[9], rel[3], det;

    inv[0] = m[4] * m[8] - m[5] * m[7];
    inv[1] = m[2] * m[7] - m[1] * m[8];
    inv[2] = m[1] * m[5] - m[2] * m[4];
    inv[3] = m[5] * m[6] - m[3] * m[8];
    inv[4] = m[0] * m[8] - m[2] * m[6];
    inv[5] = m[2] * m[3] - m[0] * m[5];
    inv[6] = m[3] * m[7] - m[4] * m[6];
    inv[7] = m[1] * m[6] - m[0] * m[7];
    inv[8] = m[0] * m[4] - m[1] * m[3];
    det = m[0] * inv[0] + m[1] * inv[3] + m[2] * inv[6];

    for (int a = 0; a < 3; a++)
        rel[a] = world[a] - volume->origin[a];
    for (int r = 0; r < 3; r++) {
        double x = (inv[3 * r] * rel[0] + inv[3 * r + 1] * rel[1] + inv[3 * r + 2] * rel[2]);
        ijk[r] = det != 0 ? x / det / volume->spacing[r] : NAN;
    }
}

/*
 * The largest distance between corresponding voxel centres of two grids of
 * equal size. The index -> world map is affine, so the distance is a convex
 * function of the index and its maximum over the box lies at one of the 8
 * corner voxels.
 */
static double max_corner_offset(const rad_volume *a, const rad_volume *b)
{
    double worst = 0;

    for (int corner = 0; corner < 8; corner++) {
        double ijk[3], wa[3], wb[3], d2 = 0;
        for (int axis = 0; axis < 3; axis++)
            ijk[axis] = (corner >> axis) & 1 ? (double)(a->size[axis] - 1) : 0.0;
        rad_volume_index_to_world(a, ijk, wa);
        rad_volume_index_to_world(b, ijk, wb);
        for (int axis = 0; axis < 3; axis++)
            d2 += (wa[axis] - wb[axis]) * (wa[axis] - wb[axis]);
        if (sqrt(d2) > worst)
            worst = sqrt(d2);
    }
    return worst;
}

/*
 * Tolerance: pyradiomics compares origin, spacing and direction with
 * SimpleITK's relative geometryTolerance (default 1e-6); this library takes
 * one absolute distance in mm instead. Callers in this library pass the
 * geometryTolerance setting (params.c); 1e-3 mm accepts rounding noise from
 * float32 headers (about 1e-4 mm) and rejects any real shift.
 */
rad_status rad_check_geometry(const rad_volume *image, const rad_volume *mask,
                              double tolerance_mm, rad_error *error)
{
    double offset, origin_diff = 0, spacing_diff = 0, direction_diff = 0;
    char parts[64] = "";

    if (image == NULL || mask == NULL)
        return ri_fail(error, RAD_ERR_ARGUMENT, "rad_check_geometry: NULL volume");
    if (!(tolerance_mm >= 0) || !isfinite(tolerance_mm))
        return ri_fail(error, RAD_ERR_ARGUMENT,
                       "geometry tolerance %g mm is invalid; expected a finite value >= 0",
                       tolerance_mm);
    if (memcmp(image->size, mask->size, sizeof image->size) != 0)
        return ri_fail(error, RAD_ERR_GEOMETRY,
                       "mask size %zu x %zu x %zu differs from image size %zu x %zu x %zu",
                       mask->size[0], mask->size[1], mask->size[2], image->size[0],
                       image->size[1], image->size[2]);

    offset = max_corner_offset(image, mask);
    if (offset <= tolerance_mm)
        return RAD_OK;

    for (int a = 0; a < 3; a++) {
        origin_diff = fmax(origin_diff, fabs(image->origin[a] - mask->origin[a]));
        spacing_diff = fmax(spacing_diff, fabs(image->spacing[a] - mask->spacing[a]));
    }
    for (int c = 0; c < 9; c++)
        direction_diff = fmax(direction_diff, fabs(image->direction[c] - mask->direction[c]));
    if (origin_diff > 0)
        strcat(parts, " origin");
    if (spacing_diff > 0)
        strcat(parts, " spacing");
    if (direction_diff > 0)
        strcat(parts, " direction");
    return ri_fail(error, RAD_ERR_GEOMETRY,
                   "mask grid is up to %.6g mm away from the image grid (tolerance %g mm); "
                   "differing:%s (max differences: origin %.6g mm, spacing %.6g mm, "
                   "direction %.6g)",
                   offset, tolerance_mm, parts, origin_diff, spacing_diff, direction_diff);
}
