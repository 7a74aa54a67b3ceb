/*
 * rotation.c - rotation-invariant mean pooling over the 24 right-angle
 * rotations of a voxel grid (IBSI 2, "rotation invariance, mean pooling").
 *
 * A rotation is a signed permutation of the axes with determinant +1: turned
 * axis a reads source axis perm[a], reversed when flip[a] is set, so that
 * turned(p) = image(q) with q[perm[a]] = flip[a] ? n[perm[a]] - 1 - p[a] : p[a].
 * Filtering the turned image and turning the response back equals filtering
 * the original with the filter of each axis moved (and mirrored) along that
 * signed permutation, which is how reference implementations enumerate it.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

typedef struct grid_rotation {
    int perm[3];
    int flip[3];
} grid_rotation;

/* Fills the 24 rotations: the 6 permutations times the flip patterns whose
 * parity equals the permutation's. */
static void list_rotations(grid_rotation rotations[24])
{
    static const int perms[6][3] = {{0, 1, 2}, {1, 2, 0}, {2, 0, 1},  /* even */
                                    {0, 2, 1}, {2, 1, 0}, {1, 0, 2}}; /* odd */
    int n = 0;

    for (int p = 0; p < 6; p++) {
        int odd = p >= 3;

        for (int f = 0; f < 8; f++) {
            int flips = (f & 1) + ((f >> 1) & 1) + ((f >> 2) & 1);

            if (flips % 2 != odd)
                continue;
            memcpy(rotations[n].perm, perms[p], sizeof perms[p]);
            for (int a = 0; a < 3; a++)
                rotations[n].flip[a] = (f >> a) & 1;
            n++;
        }
    }
}

/* Linear index in the source of position p of the turned grid. */
static size_t source_index(const grid_rotation *r, const size_t size[3], const size_t p[3])
{
    size_t q[3];

    for (int a = 0; a < 3; a++) {
        int s = r->perm[a];
        q[s] = r->flip[a] ? size[s] - 1 - p[a] : p[a];
    }
    return q[0] + size[0] * (q[1] + size[1] * q[2]);
}

rad_status ri_rotation_mean(const rad_volume *image, ri_volume_filter filter, void *user,
                            rad_volume **out, rad_error *error)
{
    grid_rotation rotations[24];
    rad_volume *sum = NULL;
    size_t count;
    rad_status status;

    if (image == NULL || filter == NULL || out == NULL)
        return ri_fail(error, RAD_ERR_ARGUMENT, "ri_rotation_mean: NULL argument");
    status = ri_volume_like(image, &sum, error);
    if (status != RAD_OK)
        return status;
    count = ri_voxel_count(image);
    list_rotations(rotations);

    for (int r = 0; r < 24; r++) {
        const grid_rotation *rot = &rotations[r];
        size_t size[3], p[3];
        double spacing[3], origin[3] = {0, 0, 0};
        rad_volume *turned = NULL, *response = NULL;

        for (int a = 0; a < 3; a++) {
            size[a] = image->size[rot->perm[a]];
            spacing[a] = image->spacing[rot->perm[a]];
        }
        status = rad_volume_create(size, spacing, origin, NULL, &turned, error);
        if (status != RAD_OK)
            goto fail;
        for (p[2] = 0; p[2] < size[2]; p[2]++)
            for (p[1] = 0; p[1] < size[1]; p[1]++)
                for (p[0] = 0; p[0] < size[0]; p[0]++)
                    turned->data[p[0] + size[0] * (p[1] + size[1] * p[2])] =
                        image->data[source_index(rot, image->size, p)];

        status = filter(turned, &response, user, error);
        rad_volume_free(turned);
        if (status != RAD_OK)
            goto fail;
        if (memcmp(response->size, size, sizeof size) != 0) {
            rad_volume_free(response);
            status = ri_fail(error, RAD_ERR_ARGUMENT,
                             "rotation pooling: the filter changed the volume size");
            goto fail;
        }
        for (p[2] = 0; p[2] < size[2]; p[2]++)
            for (p[1] = 0; p[1] < size[1]; p[1]++)
                for (p[0] = 0; p[0] < size[0]; p[0]++)
                    sum->data[source_index(rot, image->size, p)] +=
                        response->data[p[0] + size[0] * (p[1] + size[1] * p[2])];
        rad_volume_free(response);
    }

    for (size_t v = 0; v < count; v++)
        sum->data[v] /= 24.0;
    *out = sum;
    return RAD_OK;

fail:
    rad_volume_free(sum);
    return status;
}
