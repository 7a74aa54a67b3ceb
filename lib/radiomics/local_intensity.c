/*
 * local_intensity.c - IBSI local intensity features: the local intensity
 * peak (loc_peak_loc) and the global intensity peak (loc_peak_glob).
 *
 * Both are means of the intensities in a sphere of 1 cm^3 (radius
 * r = (3 / (4 pi))^(1/3) * 10 mm, about 6.2 mm) centred on a voxel. A voxel
 * belongs to the sphere when the distance between voxel centres, in mm, is at
 * most r. The sphere takes every voxel of the ROI box whether or not it is in
 * the ROI (IBSI uses the whole image); voxels beyond the box are left out.
 * - local peak: the largest sphere mean over the ROI voxels of maximum intensity;
 * - global peak: the largest sphere mean over all ROI voxels.
 */
#include <math.h>
#include <stdlib.h>

#include "families.h"

static const ri_feature_def local_intensity_defs[] = {
    {"", "loc_peak_loc", "VJGA", 0, 0, NAN},
    {"", "loc_peak_glob", "0F91", 0, 0, NAN},
};

const ri_feature_table ri_local_intensity_table = {
    "local_intensity", local_intensity_defs,
    sizeof local_intensity_defs / sizeof local_intensity_defs[0],
};

/* Largest sphere radius in voxels accepted along any axis (spacing below ~0.05 mm). */
#define MAX_RADIUS_VOXELS 128

/* Mean of the box values within the sphere of radius_mm around voxel (x, y, z). */
static double sphere_mean(const ri_roi *roi, const int reach[3], double radius_mm, long x,
                          long y, long z)
{
    const double *spacing = roi->spacing;
    double sum = 0.0, r2 = radius_mm * radius_mm;
    size_t count = 0;
    for (long dz = -reach[2]; dz <= reach[2]; dz++) {
        long k = z + dz;
        if (k < 0 || k >= (long)roi->size[2])
            continue;
        double ez = dz * spacing[2];
        for (long dy = -reach[1]; dy <= reach[1]; dy++) {
            long j = y + dy;
            if (j < 0 || j >= (long)roi->size[1])
                continue;
            double ey = dy * spacing[1];
            for (long dx = -reach[0]; dx <= reach[0]; dx++) {
                long i = x + dx;
                if (i < 0 || i >= (long)roi->size[0])
                    continue;
                double ex = dx * spacing[0];
                if (ex * ex + ey * ey + ez * ez > r2)
                    continue;
                sum += roi->values[(size_t)i + roi->size[0] * ((size_t)j + roi->size[1] * (size_t)k)];
                count++;
            }
        }
    }
    return sum / (double)count; /* count >= 1: the centre itself */
}

rad_status ri_local_intensity(const ri_roi *roi, const ri_settings *settings, double *out,
                              rad_error *error)
{
    (void)settings;
    if (roi == NULL || roi->mask == NULL || roi->values == NULL || roi->n_voxels == 0)
        return ri_fail(error, RAD_ERR_ARGUMENT, "ROI is missing or has no voxels");
    /* tolerance 1e-9 mm keeps voxels exactly at the radius on rounding */
    double radius_mm = cbrt(3.0 / (4.0 * M_PI)) * 10.0 + 1e-9;
    int reach[3];
    for (int a = 0; a < 3; a++) {
        if (!(roi->spacing[a] > 0.0))
            return ri_fail(error, RAD_ERR_ARGUMENT, "ROI spacing[%d] is %g, expected > 0", a,
                           roi->spacing[a]);
        double voxels = floor(radius_mm / roi->spacing[a]);
        if (voxels > MAX_RADIUS_VOXELS)
            return ri_fail(error, RAD_ERR_TOO_LARGE,
                           "sphere of %.3g mm spans %.0f voxels along axis %d (spacing %g mm), "
                           "more than %d",
                           radius_mm, voxels, a, roi->spacing[a], MAX_RADIUS_VOXELS);
        reach[a] = (int)voxels;
    }

    double max_value = -INFINITY;
    size_t n_box = roi->size[0] * roi->size[1] * roi->size[2];
    for (size_t v = 0; v < n_box; v++)
        if (roi->mask[v] && roi->values[v] > max_value)
            max_value = roi->values[v];

    double local_peak = -INFINITY, global_peak = -INFINITY;
    for (long z = 0; z < (long)roi->size[2]; z++)
        for (long y = 0; y < (long)roi->size[1]; y++)
            for (long x = 0; x < (long)roi->size[0]; x++) {
                size_t v = (size_t)x + roi->size[0] * ((size_t)y + roi->size[1] * (size_t)z);
                if (!roi->mask[v])
                    continue;
                double mean = sphere_mean(roi, reach, radius_mm, x, y, z);
                if (mean > global_peak)
                    global_peak = mean;
                if (roi->values[v] == max_value && mean > local_peak)
                    local_peak = mean;
            }
    out[0] = local_peak;
    out[1] = global_peak;
    return RAD_OK;
}
