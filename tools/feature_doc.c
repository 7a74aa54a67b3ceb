/*
 * feature_doc.c - writes docs/features.md from libradiomics' feature tables
 * (`make docs`). The tables are the source of truth; the compliance section
 * below states what the test suites check and must change with them.
 *
 * Usage: feature_doc > docs/features.md
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

/* Order of the classes in the document: pyradiomics' classes, then IBSI's. */
static const ri_feature_class order[] = {
    RI_CLASS_FIRSTORDER, RI_CLASS_SHAPE, RI_CLASS_GLCM, RI_CLASS_GLRLM,
    RI_CLASS_GLSZM, RI_CLASS_GLDM, RI_CLASS_NGTDM, RI_CLASS_MORPHOLOGY,
    RI_CLASS_INTENSITY_HISTOGRAM, RI_CLASS_STATISTICS_EXTRA, RI_CLASS_IVH,
    RI_CLASS_LOCAL_INTENSITY, RI_CLASS_GLDZM,
};

static const char *const class_titles[RI_CLASS_COUNT] = {
    [RI_CLASS_FIRSTORDER] = "First order (pyradiomics firstorder, IBSI stat_ and ih_)",
    [RI_CLASS_SHAPE] = "Shape (pyradiomics shape, IBSI morph_)",
    [RI_CLASS_GLCM] = "GLCM (IBSI cm_)",
    [RI_CLASS_GLRLM] = "GLRLM (IBSI rlm_)",
    [RI_CLASS_GLSZM] = "GLSZM (IBSI szm_)",
    [RI_CLASS_GLDM] = "GLDM (IBSI NGLDM, ngl_)",
    [RI_CLASS_NGTDM] = "NGTDM (IBSI ngt_)",
    [RI_CLASS_MORPHOLOGY] = "IBSI morphology (morph)",
    [RI_CLASS_INTENSITY_HISTOGRAM] = "IBSI intensity histogram (ih)",
    [RI_CLASS_STATISTICS_EXTRA] = "IBSI statistics pyradiomics lacks (stat)",
    [RI_CLASS_IVH] = "IBSI intensity-volume histogram (ivh)",
    [RI_CLASS_LOCAL_INTENSITY] = "IBSI local intensity (loc)",
    [RI_CLASS_GLDZM] = "IBSI GLDZM (gldzm, IBSI dzm_)",
};

/* What the test suites check per class, kept in step with test/test_*.c. */
static const char *const class_compliance[RI_CLASS_COUNT] = {
    [RI_CLASS_FIRSTORDER] =
        "IBSI digital phantom: the 17 tagged features within IBSI's tolerance "
        "(test_firstorder.c; Kurtosis minus 3, as excessKurtosis does). pyradiomics "
        "baselines brain1, brain2, breast1: every feature within 1e-5 relative "
        "(1e-9 absolute near 0).",
    [RI_CLASS_SHAPE] =
        "pyradiomics baselines brain1, brain2, breast1 within 1e-5 relative "
        "(test_morphology.c), except brain1's MeshVolume, SurfaceArea, SurfaceVolumeRatio "
        "and Sphericity, checked at 1e-3: that baseline predates pyradiomics' current "
        "mesh table. Through rad_extract (test_extract.c): brain1's 10 features not read "
        "off the mesh within 1e-5.",
    [RI_CLASS_GLCM] =
        "IBSI digital phantom: 25 tagged features, 3D_avg, within IBSI's tolerance "
        "(test_glcm.c); all 6 aggregation methods, 25 features each, through rad_extract "
        "(test_aggregation.c). pyradiomics baselines brain1, brain2, breast1 within 1e-5 "
        "relative; brain1's matrices within 1e-12.",
    [RI_CLASS_GLRLM] =
        "IBSI digital phantom: every tagged feature, 3D_avg (test_glrlm.c), and all 6 "
        "aggregation methods through rad_extract (test_aggregation.c). pyradiomics "
        "baselines brain1, brain2, breast1 within 1e-5 relative; brain1's matrix.",
    [RI_CLASS_GLSZM] =
        "IBSI digital phantom: every tagged feature, 3D (test_glszm.c), 2D and 2.5D "
        "(test_aggregation.c). pyradiomics "
        "baselines brain1, brain2, breast1 within 1e-5 relative; brain1's matrix.",
    [RI_CLASS_GLDM] =
        "IBSI digital phantom: every tagged feature as NGLDM 3D (test_gldm.c), 2D and 2.5D "
        "(test_aggregation.c); DependenceCountEnergy against a slow twin. pyradiomics "
        "baselines brain1, brain2, breast1 within 1e-5 relative; brain1's matrix.",
    [RI_CLASS_NGTDM] =
        "IBSI digital phantom: every feature, 3D (test_ngtdm.c), 2D and 2.5D "
        "(test_aggregation.c). pyradiomics baselines "
        "brain1, brain2, breast1 within 1e-5 relative; brain1's matrix within 1e-9. "
        "Through rad_extract (test_extract.c): brain1 within 1e-5.",
    [RI_CLASS_MORPHOLOGY] =
        "IBSI digital phantom: every feature of the table within IBSI's tolerance "
        "(test_morphology.c). IBSI CT phantom configurations A-E: every feature with a "
        "consensus value (test_ibsi_configs.c).",
    [RI_CLASS_INTENSITY_HISTOGRAM] =
        "IBSI digital phantom: every feature with a consensus value (test_ibsi_families.c); "
        "a hand-computed case within 1e-12.",
    [RI_CLASS_STATISTICS_EXTRA] =
        "IBSI digital phantom: the 3 features (test_ibsi_families.c).",
    [RI_CLASS_IVH] =
        "IBSI digital phantom with bin width 1: every feature with a consensus value "
        "(test_ibsi_families.c); a hand-computed case within 1e-12. IBSI CT phantom "
        "configurations A-E, one per ivhDiscretisation other than texture: every feature "
        "with a consensus value; hand-computed cases of those discretisations within 1e-12 "
        "(test_ibsi_configs.c).",
    [RI_CLASS_LOCAL_INTENSITY] =
        "IBSI digital phantom: both peaks (test_ibsi_families.c). Through rad_extract "
        "(test_extract.c): the crop margin lets the sphere reach voxels outside the ROI, "
        "checked against a lattice count within 1e-12 relative.",
    [RI_CLASS_GLDZM] =
        "IBSI digital phantom: every feature, 3D (test_gldzm.c), 2D and 2.5D "
        "(test_aggregation.c); a hand-computed case. IBSI CT phantom configurations A-E: "
        "every feature with distances on the morphological mask (test_ibsi_configs.c).",
};

/* Writes text with '|' escaped, for a Markdown table cell. */
static void cell(const char *text)
{
    for (const char *c = text; *c; c++) {
        if (*c == '|')
            fputc('\\', stdout);
        fputc(*c, stdout);
    }
}

static void write_class(ri_feature_class c)
{
    const ri_feature_table *table = ri_feature_table_of(c);
    int ibsi_only = ri_class_is_ibsi_only(c);

    printf("\n## %s\n\n", class_titles[c]);
    printf("Class name for rad_params_enable_features and `featureClass:`: `%s`", 
           ri_class_output_name(c));
    if (strcmp(ri_class_output_name(c), table->class_name) != 0)
        printf(" (or `%s`)", table->class_name);
    printf(". %zu features.\n\n", table->count);
    printf("| Output name (original image) | pyradiomics name | IBSI tag | IBSI id | "
           "default-on | deprecated | one grey level | known difference |\n");
    printf("|---|---|---|---|---|---|---|---|\n");
    for (size_t i = 0; i < table->count; i++) {
        const ri_feature_def *def = &table->defs[i];
        printf("| `original_%s_", ri_class_output_name(c));
        cell(ri_feature_output_name(c, i));
        printf("` | ");
        /* In a pyradiomics class, a feature neither default-on nor deprecated is one
         * pyradiomics lacks (GLDM's DependenceCountEnergy). */
        int pyradiomics_lacks = !def->default_on && !def->deprecated;
        cell(ibsi_only || pyradiomics_lacks || def->name[0] == '\0' ? "-" : def->name);
        printf(" | ");
        if (def->ibsi_tag[0] != '\0')
            printf("`%s%s`", def->ibsi_tag, ri_class_ibsi_suffix(c));
        else
            printf("-");
        printf(" | %s | %s | %s | ", def->ibsi_id[0] ? def->ibsi_id : "-",
               def->default_on ? "yes" : "no", def->deprecated ? "yes" : "no");
        if (isnan(def->degenerate_value))
            printf("computed");
        else
            printf("%.17g", def->degenerate_value);
        printf(" | ");
        const char *difference = ri_feature_known_difference(c, i);
        cell(difference != NULL ? difference : "-");
        printf(" |\n");
    }
    printf("\nTests: %s\n", class_compliance[c]);
}

int main(void)
{
    printf("# Feature reference\n\n");
    printf("Generated by tools/feature_doc.c from the feature tables of libradiomics "
           "(`make docs`); do not edit by hand.\n\n");
    printf("## Names\n\n");
    printf("rad_extract names each feature `<image type>_<class>_<feature>`. The image type "
           "is `original` or a wavelet sub-band (`wavelet-LHL`). pyradiomics' classes "
           "(firstorder, shape, glcm, glrlm, glszm, gldm, ngtdm) use pyradiomics' class and "
           "feature names, e.g. `original_shape_MeshVolume`, `original_ngtdm_Coarseness`. The "
           "IBSI-only classes (morph, ih, stat, ivh, loc, gldzm) use the IBSI tag without "
           "its family prefix as the feature part: `original_ih_p10` is `ih_p10`, "
           "`original_gldzm_sde` is `dzm_sde`.\n\n");
    printf("rad_features_ibsi_tag returns the tag with IBSI's aggregation suffix as this "
           "library computes it. By default (textureAggregation [3D_avg], pyradiomics' "
           "method) GLCM and GLRLM features are averaged over the 13 directions of one 3D "
           "volume (`_3D_avg`); GLSZM, GLDM, NGTDM and GLDZM use one matrix over the volume "
           "(`_3D`). The tables below show these tags. `calci extract --names ibsi` prints "
           "the tags, prefixed by the image type for filtered images.\n\n");
    printf("The setting textureAggregation lists IBSI 1's aggregation methods to compute: "
           "3D_avg, 3D_comb (the 13 direction matrices merged), 2D_avg (per axial slice and "
           "in-plane direction, averaged), 2D_comb (per slice, the 4 in-plane matrices "
           "merged, averaged over slices), 2_5D_avg (per in-plane direction, merged over "
           "slices, averaged over directions) and 2_5D_comb (one matrix over slices and "
           "in-plane directions). GLSZM, GLDM, NGTDM and GLDZM have one method per pair: "
           "`_3D`, `_2D` (per slice, averaged; 8-connected zones and neighbourhoods, "
           "in-plane distances for GLDZM) and `_2_5D` (slice matrices merged). Slices are "
           "always axial (z); force2Ddimension does not apply. Unless the list is exactly "
           "[3D_avg], each texture feature's name and tag end in the method's suffix, e.g. "
           "`original_glcm_MaximumProbability_2D_comb` with tag `cm_joint_max_2D_comb`. "
           "textureAggregation other than [3D_avg] is rejected together with force2D "
           "(pyradiomics' in-plane mode, IBSI's 2_5D_avg) or weightingNorm (weighted "
           "direction merging). The methods other than 3D_avg follow IBSI and keep a "
           "direction that pyradiomics drops because no two ROI voxels are adjacent along "
           "it (its runs all have length 1).\n\n");
    printf("Shape and IBSI morphology are computed once, on the original image after "
           "resampling, whatever the image types (as pyradiomics computes shape).\n\n");
    printf("Columns:\n\n");
    printf("- *pyradiomics name*: `-` where pyradiomics lacks the feature; the output "
           "name is then the name to enable it by.\n");
    printf("- *default-on*: enabled when the class is enabled without a list.\n");
    printf("- *deprecated*: pyradiomics computes it only when asked for by name.\n");
    printf("- *one grey level*: the value on a region with a single grey level, or "
           "*computed* when the kernel computes it as usual.\n");
    printf("- *known difference*: where the value differs by design from IBSI's or "
           "pyradiomics' definition, and the setting or class that gives the other one.\n\n");
    printf("## Presets\n\n");
    printf("- `pyradiomics`: pyradiomics 3.x defaults, the default-on features of "
           "firstorder, shape, glcm, glrlm, glszm, gldm and ngtdm (107 features on the "
           "original image).\n");
    printf("- `yu2021`: the study's 774 features, first order 18, GLCM 22, GLRLM 16, GLSZM "
           "16 and GLDM 14 on the original image and the 8 coif1 sub-bands; no shape, no "
           "NGTDM.\n");
    printf("- `ibsi`: every feature with an IBSI tag except pyradiomics' shape class (IBSI "
           "morphology replaces it), with voxelArrayShift 0, ibsiBinEdges (bins start at the "
           "ROI minimum, or at an absolute resegmentRange's lower bound) and "
           "excessKurtosis; add textureAggregation for the 2D, 2.5D and merged methods. "
           "The settings force2D (in-plane directions) and weightingNorm (direction "
           "matrices summed) follow pyradiomics and are not checked against IBSI's "
           "tables.\n\n");
    printf("## IBSI pre-processing\n\n");
    printf("These settings give IBSI 1's pre-processing; their defaults keep pyradiomics' "
           "behaviour. The parameter files examples/params/ibsi-1-config-{a..e}.yaml use "
           "them for the five configurations of the IBSI 1 CT phantom, and "
           "test_ibsi_configs.c checks that every reference value with a consensus value, "
           "2D, 2.5D and 3D texture methods and diagnostic values included, is produced "
           "and lies within IBSI's tolerance.\n\n");
    printf("- `resampleGridAlignment`: `corner` (default, pyradiomics: a grid around the ROI "
           "whose first voxel corner lies on the mask's voxel corner) or `center` (IBSI: "
           "n_b = ceil(n_a s_a / s_b) voxels per axis, the grid's centre on the image grid's "
           "centre).\n");
    printf("- `roundIntensities`: true rounds the interpolated intensities to the nearest "
           "integer (IBSI, for CT); default false.\n");
    printf("- `maskInterpolator`: `sitkNearestNeighbor` (default) or `sitkLinear`, which "
           "interpolates the 0/1 ROI mask and keeps the voxels where it is >= "
           "`maskPartialVolume` (default 0.5, in (0, 1]).\n");
    printf("- `resegmentRange` with `resegmentMode: absolute` is IBSI's range "
           "re-segmentation; `resegmentOutliers: k` (default none; 0 or none turns it off) "
           "then keeps the voxels within the mean +- k population SD of the voxels the range "
           "kept (IBSI's outlier filtering, k = 3). `resegmentMode: sigma` with range [-k, k] alone equals the "
           "outlier filtering without a range.\n");
    printf("- After re-segmentation the mask before it is IBSI's morphological mask, "
           "used for shape, morphology and the GLDZM distances; the intensities of "
           "morph_com, morph_integ_int, morph_moran_i and morph_geary_c and every other "
           "class use the re-segmented intensity mask. resegmentShape true makes the two "
           "masks one.\n");
    printf("- `binCount` equals IBSI's fixed bin number discretisation on the CT phantom "
           "configurations B, D and E.\n");
    printf("- `ivhDiscretisation`: `texture` (default: the texture grey levels, each at its "
           "bin's lower edge), `none` (the intensities in steps of 1 over the absolute "
           "resegmentRange, else the ROI range: IBSI's discrete case, CT in HU), `binWidth` "
           "(bins of `ivhBinWidth`, default 1, from the absolute resegmentRange's lower "
           "bound, else from the ROI minimum, at their centres) or `binCount` "
           "(`ivhBinCount` bins over the ROI range, default 1000, from 2 to 100000; IVH "
           "intensities are the bin numbers). The settings ivhBinWidth and ivhBinCount "
           "apply only with their ivhDiscretisation, and maskPartialVolume only with "
           "maskInterpolator sitkLinear.\n\n");
    printf("## Compliance\n\n");
    printf("[compliance.md](compliance.md) gives, per feature, the agreement measured "
           "through rad_extract with the IBSI digital phantom, the IBSI CT phantom "
           "configurations A to E and pyradiomics' baselines (`make compliance`).\n\n");
    printf("Each class section ends with what its tests check. IBSI tolerances are the "
           "published ones, widened to half a unit of the third significant digit where the "
           "reference table rounds. pyradiomics baselines are the CSV files of pyradiomics' "
           "test data (brain1, brain2, breast1; bin width 25, original image). Kernel tests "
           "call the feature kernel on a cropped ROI; test_extract.c runs rad_extract. "
           "test_ibsi_configs.c runs rad_extract on the IBSI 1 CT phantom with "
           "examples/params/ibsi-1-config-{a..e}.yaml: every reference value with a "
           "consensus value (2D and 2.5D texture methods in A and B, 3D_avg and 3D_comb in "
           "C-E, every other family and the diagnostic values) is produced and lies within "
           "IBSI's tolerance.\n");
    for (size_t k = 0; k < sizeof order / sizeof order[0]; k++)
        write_class(order[k]);
    return 0;
}
