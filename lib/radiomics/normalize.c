/*
 * normalize.c - pyradiomics' normalizeImage.
 *
 * pyradiomics (imageoperations.normalizeImage) calls SimpleITK's Normalize,
 * which is ITK's NormalizeImageFilter: mean mu and standard deviation sigma
 * from ITK's StatisticsImageFilter over every voxel of the image, with the
 * sample (n - 1) variance, and output (x - mu) / sigma as a real (double)
 * image. pyradiomics then clips to [-n, n] when removeOutliers = n is set and
 * finally multiplies by normalizeScale s:
 *     f(x) = s * clip((x - mu) / sigma, -n, n).
 */
#include <math.h>

#include "internal.h"

rad_status ri_normalize(rad_volume *image, double scale, double remove_outliers,
                        rad_error *error)
{
    size_t n;
    double sum = 0, mean, ss = 0, sd, inv_sd;

    if (image == NULL)
        return ri_fail(error, RAD_ERR_ARGUMENT, "ri_normalize: NULL image");
    if (!isfinite(scale) || !isfinite(remove_outliers))
        return ri_fail(error, RAD_ERR_ARGUMENT,
                       "normalizeScale %g / removeOutliers %g must be finite", scale,
                       remove_outliers);
    n = ri_voxel_count(image);
    if (n < 2)
        return ri_fail(error, RAD_ERR_ARGUMENT,
                       "cannot normalise an image of %zu voxel: the sample standard "
                       "deviation needs at least 2", n);

    /* Two passes: the mean first, then the centred sum of squares, which is
     * less prone to cancellation than ITK's sum of squares minus n mu^2. */
    for (size_t i = 0; i < n; i++)
        sum += image->data[i];
    mean = sum / (double)n;
    if (!isfinite(mean))
        return ri_fail(error, RAD_ERR_NOT_FINITE, "cannot normalise: image contains NaN or "
                       "infinite values");
    for (size_t i = 0; i < n; i++) {
        double d = image->data[i] - mean;
        ss += d * d;
    }
    sd = sqrt(ss / (double)(n - 1));
    if (!(sd > 0))
        return ri_fail(error, RAD_ERR_ARGUMENT,
                       "cannot normalise a constant image (every voxel is %g, SD 0)", mean);

    /* ITK applies this as a shift by -mu and a scale by 1 / sigma. */
    inv_sd = 1.0 / sd;
    for (size_t i = 0; i < n; i++) {
        double z = (image->data[i] - mean) * inv_sd;
        if (remove_outliers > 0) {
            if (z > remove_outliers)
                z = remove_outliers;
            else if (z < -remove_outliers)
                z = -remove_outliers;
        }
        image->data[i] = z * scale;
    }
    image->integer_valued = 0; /* SimpleITK's Normalize returns a float64 image */
    return RAD_OK;
}
