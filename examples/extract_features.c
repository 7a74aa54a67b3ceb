/*
 * extract_features.c - the smallest complete use of libradiomics: read a CT
 * volume, build the subcutaneous-tissue ROI in a 50 mm box around a lesion,
 * compute the study's 774 features and print them.
 *
 *   extract_features CT.nii.gz X Y Z
 *
 * X, Y, Z: the lesion centre in world RAS millimetres (as 3D Slicer shows).
 */
#include <stdio.h>
#include <stdlib.h>

#include "radiomics.h"

int main(int argc, char **argv)
{
    rad_error *error = rad_error_create();
    rad_params *params = NULL;
    rad_volume *ct = NULL, *roi = NULL;
    rad_features *features = NULL;
    double centre[3];
    int status = 1;

    if (argc != 5) {
        fprintf(stderr, "usage: %s CT.nii.gz X Y Z\n", argv[0]);
        rad_error_free(error);
        return 2;
    }
    for (int a = 0; a < 3; a++)
        centre[a] = atof(argv[2 + a]);

    if (rad_params_create("yu2021", &params, error) != RAD_OK ||
        rad_volume_read(argv[1], &ct, error) != RAD_OK ||
        rad_box_mask(params, ct, centre, 50.0, &roi, error) != RAD_OK ||
        rad_extract(params, ct, roi, &features, error) != RAD_OK) {
        fprintf(stderr, "%s: %s (%s)\n", argv[0], rad_error_message(error),
                rad_status_name(rad_error_status(error)));
        goto done;
    }

    for (size_t i = 0; i < rad_features_count(features); i++)
        printf("%s,%.10g\n", rad_features_name(features, i), rad_features_value(features, i));
    status = 0;

done:
    rad_features_free(features);
    rad_volume_free(roi);
    rad_volume_free(ct);
    rad_params_free(params);
    rad_error_free(error);
    return status;
}
