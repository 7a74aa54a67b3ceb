/* baseline.c - reference tables and ROIs for the feature tests. */
#include "baseline.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LINE 65536
#define MAX_FIELDS 128

/* Splits a CSV line into fields in place (quotes removed); returns the count. */
static int split_csv(char *line, char **fields)
{
    int count = 0;
    char *p = line;

    while (count < MAX_FIELDS) {
        char *out = p;

        fields[count++] = p;
        if (*p == '"') {
            char *q = p + 1;

            while (*q && !(*q == '"' && q[1] != '"')) {
                if (*q == '"')
                    q++;
                *out++ = *q++;
            }
            if (*q == '"')
                q++;
            p = q;
        } else {
            while (*p && *p != ',' && *p != '\n' && *p != '\r')
                *out++ = *p++;
        }
        if (*p != ',') {
            *out = '\0';
            break;
        }
        *out = '\0';
        p++;
    }
    return count;
}

int test_baseline_value(const char *csv_path, const char *row, const char *column,
                        double *value)
{
    static char line[MAX_LINE];
    char *fields[MAX_FIELDS];
    int column_index = -1, found = 0;
    FILE *file = fopen(csv_path, "r");

    if (file == NULL)
        return 0;
    if (fgets(line, sizeof line, file) != NULL) {
        int n = split_csv(line, fields);

        for (int i = 0; i < n; i++)
            if (strcmp(fields[i], column) == 0)
                column_index = i;
    }
    while (column_index >= 0 && !found && fgets(line, sizeof line, file) != NULL) {
        int n = split_csv(line, fields);
        char *end;

        if (n <= column_index || strcmp(fields[0], row) != 0)
            continue;
        *value = strtod(fields[column_index], &end);
        found = end != fields[column_index];
    }
    fclose(file);
    return found;
}

int test_ibsi_reference(const char *csv_path, const char *tag, double *value,
                        double *tolerance)
{
    char line[512];
    int found = 0;
    FILE *file = fopen(csv_path, "r");

    if (file == NULL)
        return 0;
    while (!found && fgets(line, sizeof line, file) != NULL) {
        char *first = strtok(line, ";");
        char *second = strtok(NULL, ";");
        char *third = strtok(NULL, ";\r\n");
        const char *dot;
        int decimals = 0;

        if (first == NULL || second == NULL || third == NULL || strcmp(third, tag) != 0)
            continue;
        *value = strtod(first, NULL);
        *tolerance = strtod(second, NULL);
        if (*tolerance == 0.0) {
            dot = strchr(first, '.');
            if (dot != NULL)
                decimals = (int)strspn(dot + 1, "0123456789");
            *tolerance = 0.5 * pow(10.0, -decimals);
        }
        found = 1;
    }
    fclose(file);
    return found;
}

/* Finds the bounding box [lo, hi] of mask == label; returns 0 when empty. */
static int bounding_box(const rad_volume *mask, double label, size_t lo[3], size_t hi[3])
{
    int found = 0;

    for (size_t k = 0; k < mask->size[2]; k++)
        for (size_t j = 0; j < mask->size[1]; j++)
            for (size_t i = 0; i < mask->size[0]; i++) {
                size_t ijk[3] = {i, j, k};

                if (mask->data[ri_index(mask, i, j, k)] != label)
                    continue;
                for (int a = 0; a < 3; a++) {
                    if (!found || ijk[a] < lo[a])
                        lo[a] = ijk[a];
                    if (!found || ijk[a] > hi[a])
                        hi[a] = ijk[a];
                }
                found = 1;
            }
    return found;
}

int test_roi_load(const char *image_path, const char *mask_path, double label,
                  double bin_width, test_roi *out)
{
    rad_volume *image = NULL, *mask = NULL;
    rad_error *error = rad_error_create();
    size_t lo[3], hi[3], n;
    int ok = 0;

    memset(out, 0, sizeof *out);
    if (rad_volume_read(image_path, &image, error) != RAD_OK ||
        rad_volume_read(mask_path, &mask, error) != RAD_OK) {
        printf("cannot read %s or %s: %s\n", image_path, mask_path, rad_error_message(error));
        goto done;
    }
    if (memcmp(image->size, mask->size, sizeof image->size) != 0 ||
        !bounding_box(mask, label, lo, hi)) {
        printf("mask %s does not match %s or has no voxel of label %g\n", mask_path,
               image_path, label);
        goto done;
    }

    for (int a = 0; a < 3; a++)
        out->roi.size[a] = hi[a] - lo[a] + 1;
    memcpy(out->roi.spacing, image->spacing, sizeof out->roi.spacing);
    n = out->roi.size[0] * out->roi.size[1] * out->roi.size[2];
    out->values = malloc(n * sizeof *out->values);
    out->mask = malloc(n);
    out->levels = malloc(n * sizeof *out->levels);
    if (out->values == NULL || out->mask == NULL || out->levels == NULL)
        goto done;
    for (size_t k = 0; k < out->roi.size[2]; k++)
        for (size_t j = 0; j < out->roi.size[1]; j++)
            for (size_t i = 0; i < out->roi.size[0]; i++) {
                size_t v = i + out->roi.size[0] * (j + out->roi.size[1] * k);
                size_t src = ri_index(image, i + lo[0], j + lo[1], k + lo[2]);

                out->values[v] = image->data[src];
                out->mask[v] = mask->data[src] == label;
                out->roi.n_voxels += out->mask[v];
            }
    ri_discretize_bin_width(out->values, out->mask, n, bin_width, out->levels,
                            &out->roi.max_level, &out->n_present);
    out->roi.values = out->values;
    out->roi.mask = out->mask;
    out->roi.levels = out->levels;
    ok = 1;

done:
    if (!ok)
        test_roi_free(out);
    rad_volume_free(image);
    rad_volume_free(mask);
    rad_error_free(error);
    return ok;
}

void test_roi_free(test_roi *roi)
{
    free(roi->values);
    free(roi->mask);
    free(roi->levels);
    memset(roi, 0, sizeof *roi);
}
