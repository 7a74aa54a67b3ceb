/*
 * ivh.c - IBSI intensity-volume histogram features (ivh_*).
 *
 * The IVH runs over K grey levels k = 1..K, where level k is the intensity
 * x_k = base + (k - 1) step. ivhDiscretisation chooses them:
 * - texture (default, and with settings NULL): the texture grey levels
 *   i = 1..N_g, x_i = w (floor(min / w) + i - 1) at the lower edge of bin i,
 *   with w = binWidth (1 when settings is NULL) and min the ROI minimum. For
 *   intensities already on the bin grid (IBSI's digital phantom, w = 1) x_i
 *   is the intensity itself.
 * - none: the intensities themselves in steps of 1 (IBSI's discrete case,
 *   CT in HU), over the range G = [lower, upper] of an absolute
 *   resegmentRange, or the ROI minimum and maximum where it sets no bound;
 * - binWidth: IBSI's fixed bin size w = ivhBinWidth from X_min, the
 *   resegmentRange lower bound (else the ROI minimum), with each bin at its
 *   centre X_min + (k - 0.5) w and G = [X_min + w / 2, X_max - w / 2];
 * - binCount: IBSI's fixed bin number N = ivhBinCount over the ROI range,
 *   with x_k = k and G = [1, N].
 * With N_v the voxel count:
 * - volume fraction nu_k = 1 - (voxels below level k) / N_v;
 * - intensity fraction gamma_k = (x_k - min G) / (max G - min G);
 * - V_x = nu_k at the lowest k with gamma_k >= x (the largest such nu);
 * - I_x = x_k at the lowest k with nu_k <= x, x_K + step when there is none;
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
    ri_ivh_discretisation mode = settings != NULL ? settings->ivh_discretisation : RI_IVH_TEXTURE;
    double width = settings != NULL ? settings->bin_width : 1.0;
    if (mode == RI_IVH_TEXTURE && !(width > 0.0))
        return ri_fail(error, RAD_ERR_PARAMETER, "binWidth is %g, expected > 0", width);
    if (mode == RI_IVH_BIN_WIDTH && !(settings->ivh_bin_width > 0.0))
        return ri_fail(error, RAD_ERR_PARAMETER, "ivhBinWidth is %g, expected > 0",
                       settings->ivh_bin_width);
    if (mode == RI_IVH_BIN_COUNT && settings->ivh_bin_count < 2)
        return ri_fail(error, RAD_ERR_PARAMETER, "ivhBinCount is %d, expected >= 2",
                       settings->ivh_bin_count);

    size_t n_box = roi->size[0] * roi->size[1] * roi->size[2];
    double min_value = INFINITY, max_value = -INFINITY;
    for (size_t v = 0; v < n_box; v++)
        if (roi->mask[v]) {
            min_value = fmin(min_value, roi->values[v]);
            max_value = fmax(max_value, roi->values[v]);
        }

    /* Levels 1..n_levels are at base + (k - 1) step, and
     * gamma_k = (k - 1) gamma_step / gamma_span. */
    double base, step, gamma_step = 1.0, gamma_span, low = 0.0, high = 0.0, bin = 1.0;
    double levels_needed;
    if (mode == RI_IVH_TEXTURE) {
        levels_needed = roi->max_level;
        base = width * floor(min_value / width);
        step = width;
    } else if (mode == RI_IVH_BIN_COUNT) {
        levels_needed = settings->ivh_bin_count;
        base = 1.0;
        step = 1.0;
        low = min_value;
        high = max_value;
        bin = (max_value - min_value) / levels_needed;
    } else {
        low = ri_resegment_lower_bound(settings);
        high = ri_resegment_upper_bound(settings);
        low = isinf(low) ? min_value : low;
        high = isinf(high) ? max_value : high;
        if (mode == RI_IVH_NONE) {
            levels_needed = floor(high - low) + 1.0;
            base = low;
            step = 1.0;
        } else {
            bin = settings->ivh_bin_width;
            levels_needed = fmax(1.0, ceil((high - low) / bin - 1e-9));
            base = low + 0.5 * bin;
            step = bin;
            gamma_step = bin;
        }
    }
    if (!(levels_needed >= 1.0) || levels_needed > 1e7)
        return ri_fail(error, RAD_ERR_TOO_LARGE,
                       "the IVH needs %.4g grey levels; expected 1 to 10^7 (check "
                       "ivhDiscretisation, ivhBinWidth and resegmentRange)", levels_needed);
    size_t n_levels = (size_t)levels_needed;
    gamma_span = mode == RI_IVH_BIN_WIDTH ? high - low - bin : (double)(n_levels - 1);

    double *volume_fraction = calloc(n_levels + 1, sizeof *volume_fraction);
    if (volume_fraction == NULL)
        return ri_fail(error, RAD_ERR_NO_MEMORY, "out of memory for %zu IVH bins", n_levels);
    for (size_t v = 0; v < n_box; v++) {
        if (!roi->mask[v])
            continue;
        double level;
        if (mode == RI_IVH_TEXTURE)
            level = roi->levels[v];
        else if (mode == RI_IVH_BIN_COUNT)
            level = roi->values[v] >= high ? levels_needed
                                           : floor((roi->values[v] - low) / bin) + 1.0;
        else
            level = floor((roi->values[v] - low) / bin) + 1.0;
        /* A voxel above the top level counts at it, which changes no nu. A voxel
         * below level 1 (possible only without range resegmentation) counts at 1. */
        level = fmin(fmax(level, 1.0), levels_needed);
        volume_fraction[(size_t)level - 1] += 1.0; /* voxel counts until the suffix sum below */

    }
    /* nu_k = (voxels with level >= k) / N_v, by a suffix sum */
    double above = 0.0;
    for (size_t b = n_levels; b-- > 0;) {
        above += volume_fraction[b];
        volume_fraction[b] = above / (double)roi->n_voxels;
    }
    double last = base + step * ((double)n_levels - 1.0);

    double v10 = NAN, v90 = NAN, auc = NAN;
    if (n_levels > 1 && gamma_span > 0.0) {
        double previous_gamma = 0.0;
        auc = 0.0;
        for (size_t b = 0; b < n_levels; b++) {
            double gamma = (double)b * gamma_step / gamma_span;
            if (isnan(v10) && gamma >= 0.10)
                v10 = volume_fraction[b];
            if (isnan(v90) && gamma >= 0.90)
                v90 = volume_fraction[b];
            if (b > 0)
                auc += 0.5 * (volume_fraction[b] + volume_fraction[b - 1]) *
                       (gamma - previous_gamma);
            previous_gamma = gamma;
        }
    }
    double i10 = last + step, i90 = last + step;
    for (size_t b = n_levels; b-- > 0;) {
        if (volume_fraction[b] <= 0.10)
            i10 = base + step * (double)b;
        if (volume_fraction[b] <= 0.90)
            i90 = base + step * (double)b;
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
