/*
 * ivh.c - IBSI intensity-volume histogram features (ivh_*).
 *
 * The IVH uses the discretised grey levels i = 1..N_g of the ROI, each
 * standing for the intensity x_i = w * (floor(min / w) + i - 1) at the lower
 * edge of its bin, with w the bin width (1 when settings is NULL) and min the
 * ROI minimum. For intensities already on the bin grid (IBSI's digital
 * phantom with w = 1) x_i is the intensity itself. With N the voxel count:
 * - volume fraction nu_i = 1 - (voxels with level < i) / N;
 * - intensity fraction gamma_i = (x_i - x_1) / (x_Ng - x_1);
 * - V_x = nu_i at the lowest i with gamma_i >= x (the largest such nu);
 * - I_x = x_i at the lowest i with nu_i <= x, x_Ng + w when there is none;
 * - AUC = trapezoidal area under nu over gamma.
 * A ROI with one grey level has gamma undefined: V_x, the differences and AUC
 * are NaN there.
 */
#include <math.h>
#include <stdlib.h>

#include "families.h"

enum { IVH_V10, IVH_V90, IVH_I10, IVH_I90, IVH_DIFF_V, IVH_DIFF_I, IVH_AUC, IVH_COUNT };

static const ri_feature_def ivh_defs[IVH_COUNT] = {
    {"", "ivh_v10", "BC2M", 0, 0, NAN},
    {"", "ivh_v90", "BC2M", 0, 0, NAN},
    {"", "ivh_i10", "GBPN", 0, 0, NAN},
    {"", "ivh_i90", "GBPN", 0, 0, NAN},
    {"", "ivh_diff_v10_v90", "DDTU", 0, 0, NAN},
    {"", "ivh_diff_i10_i90", "CNV2", 0, 0, NAN},
    {"", "ivh_auc", "9CMM", 0, 0, NAN},
};

const ri_feature_table ri_ivh_table = {"ivh", ivh_defs, IVH_COUNT};

rad_status ri_ivh(const ri_roi *roi, const ri_settings *settings, double *out, rad_error *error)
{
    if (roi == NULL || roi->mask == NULL || roi->levels == NULL || roi->values == NULL ||
        roi->n_voxels == 0 || roi->max_level < 1)
        return ri_fail(error, RAD_ERR_ARGUMENT, "ROI is missing, empty or not discretised");
    double width = settings != NULL ? settings->bin_width : 1.0;
    if (!(width > 0.0))
        return ri_fail(error, RAD_ERR_PARAMETER, "binWidth is %g, expected > 0", width);
    size_t n_levels = (size_t)roi->max_level;
    double *volume_fraction = calloc(n_levels + 1, sizeof *volume_fraction);
    if (volume_fraction == NULL)
        return ri_fail(error, RAD_ERR_NO_MEMORY, "out of memory for %zu IVH bins", n_levels);

    size_t n_box = roi->size[0] * roi->size[1] * roi->size[2];
    double min_value = INFINITY;
    for (size_t v = 0; v < n_box; v++)
        if (roi->mask[v]) {
            volume_fraction[roi->levels[v] - 1] += 1.0; /* counts for now */
            if (roi->values[v] < min_value)
                min_value = roi->values[v];
        }
    /* nu_i = (voxels with level >= i) / N, by a suffix sum */
    double above = 0.0;
    for (size_t b = n_levels; b-- > 0;) {
        above += volume_fraction[b];
        volume_fraction[b] = above / (double)roi->n_voxels;
    }
    double base = floor(min_value / width);
    double first = width * base, last = width * (base + (double)n_levels - 1.0);

    double v10 = NAN, v90 = NAN, auc = NAN;
    if (n_levels > 1) {
        auc = 0.0;
        for (size_t b = 0; b < n_levels; b++) {
            double gamma = (double)b / (double)(n_levels - 1); /* (x_i - x_1) / (x_Ng - x_1) */
            if (isnan(v10) && gamma >= 0.10)
                v10 = volume_fraction[b];
            if (isnan(v90) && gamma >= 0.90)
                v90 = volume_fraction[b];
            if (b > 0)
                auc += 0.5 * (volume_fraction[b] + volume_fraction[b - 1]) / (double)(n_levels - 1);
        }
    }
    double i10 = last + width, i90 = last + width;
    for (size_t b = n_levels; b-- > 0;) {
        if (volume_fraction[b] <= 0.10)
            i10 = first + width * (double)b;
        if (volume_fraction[b] <= 0.90)
            i90 = first + width * (double)b;
    }
    out[IVH_V10] = v10;
    out[IVH_V90] = v90;
    out[IVH_I10] = i10;
    out[IVH_I90] = i90;
    out[IVH_DIFF_V] = v10 - v90;
    out[IVH_DIFF_I] = i10 - i90;
    out[IVH_AUC] = auc;
    free(volume_fraction);
    return RAD_OK;
}
