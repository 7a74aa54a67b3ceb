/*
 * baseline.h - reference tables and ROIs for the feature tests: pyradiomics
 * baseline CSV files, the IBSI reference value list, and a ROI built from an
 * image and mask file as the feature kernels expect it.
 */
#ifndef TEST_BASELINE_H
#define TEST_BASELINE_H

#include <stdint.h>

#include "internal.h"

/*
 * Reads the cell of row `row` (first column) and column `column` (header
 * name) of a pyradiomics baseline CSV (quoted fields allowed). Returns 1 and
 * the number in *value when found and numeric, else 0.
 */
int test_baseline_value(const char *csv_path, const char *row, const char *column,
                        double *value);

/*
 * Reads the IBSI reference of `tag` from a "value;tolerance;tag" file.
 * *tolerance is the published tolerance or, when that is 0, half a unit of
 * the last digit printed (the table rounds to 3 significant digits).
 * Returns 1 when found.
 */
int test_ibsi_reference(const char *csv_path, const char *tag, double *value,
                        double *tolerance);

/* A ROI cropped to the bounding box of the mask, with storage it owns. */
typedef struct test_roi {
    ri_roi roi;
    double *values;
    uint8_t *mask;
    int *levels;
    int n_present;
} test_roi;

/*
 * Reads image and mask with rad_volume_read, crops both to the bounding box
 * of mask == label and discretises with bin_width. Returns 1 on success;
 * otherwise prints the reason and returns 0.
 */
int test_roi_load(const char *image_path, const char *mask_path, double label,
                  double bin_width, test_roi *out);
void test_roi_free(test_roi *roi);

#endif
