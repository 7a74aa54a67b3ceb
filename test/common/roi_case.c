/* roi_case.c - test helpers that prepare texture ROIs and read reference tables. */
#include "roi_case.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

void roi_case_free(roi_case *c)
{
    free(c->values);
    free(c->mask);
    free(c->levels);
    memset(c, 0, sizeof *c);
}

static int allocate(roi_case *c, const size_t size[3])
{
    size_t n = size[0] * size[1] * size[2];
    memset(c, 0, sizeof *c);
    memcpy(c->roi.size, size, sizeof c->roi.size);
    c->roi.spacing[0] = c->roi.spacing[1] = c->roi.spacing[2] = 1.0;
    c->values = calloc(n, sizeof *c->values);
    c->mask = calloc(n, sizeof *c->mask);
    c->levels = calloc(n, sizeof *c->levels);
    if (c->values == NULL || c->mask == NULL || c->levels == NULL) {
        roi_case_free(c);
        return -1;
    }
    c->roi.values = c->values;
    c->roi.mask = c->mask;
    c->roi.levels = c->levels;
    return 0;
}

int roi_case_from_levels(const size_t size[3], const int *levels, roi_case *out)
{
    if (allocate(out, size) != 0)
        return -1;
    size_t n = size[0] * size[1] * size[2];
    for (size_t v = 0; v < n; v++) {
        if (levels[v] <= 0)
            continue;
        out->values[v] = levels[v];
        out->mask[v] = 1;
        out->levels[v] = levels[v];
        out->roi.n_voxels++;
        if (levels[v] > out->roi.max_level)
            out->roi.max_level = levels[v];
    }
    return 0;
}

int roi_case_random_shape(unsigned seed, roi_case *out)
{
    srand(seed);
    size_t size[3] = {1 + (size_t)(rand() % 24), 1 + (size_t)(rand() % 12),
                      1 + (size_t)(rand() % 8)};
    size_t n = size[0] * size[1] * size[2], plane = size[0] * size[1];
    int n_levels = 1 + rand() % 64;
    int repeat_x = rand() % 100, repeat_z = rand() % 60, fill = 40 + rand() % 61;
    int *levels = calloc(n, sizeof *levels);
    if (levels == NULL)
        return -1;

    for (size_t v = 0; v < n; v++) {
        size_t x = v % size[0];
        if (x > 0 && rand() % 100 < repeat_x)
            levels[v] = levels[v - 1];
        else if (v >= plane && rand() % 100 < repeat_z)
            levels[v] = levels[v - plane];
        else
            levels[v] = rand() % 100 < fill ? 1 + rand() % n_levels : 0;
    }
    if (rand() % 3 == 0) {
        /* Keep one row of plane z_thin, so that part of the ROI is one voxel thick in y. */
        size_t z_thin = (size_t)rand() % size[2], y_kept = (size_t)rand() % size[1];
        for (size_t y = 0; y < size[1]; y++)
            if (y != y_kept)
                memset(levels + z_thin * plane + y * size[0], 0, size[0] * sizeof *levels);
    }
    levels[(size_t)rand() % n] = 1 + rand() % n_levels; /* at least one ROI voxel */

    int status = roi_case_from_levels(size, levels, out);
    free(levels);
    return status;
}

/* Crops image to the bounding box of mask == label into out and discretises it. */
static int crop(const rad_volume *image, const rad_volume *mask, double label, double bin_width,
                roi_case *out)
{
    size_t lo[3] = {SIZE_MAX, SIZE_MAX, SIZE_MAX}, hi[3] = {0, 0, 0}, size[3];
    for (size_t k = 0; k < mask->size[2]; k++)
        for (size_t j = 0; j < mask->size[1]; j++)
            for (size_t i = 0; i < mask->size[0]; i++) {
                if (mask->data[ri_index(mask, i, j, k)] != label)
                    continue;
                size_t p[3] = {i, j, k};
                for (int a = 0; a < 3; a++) {
                    if (p[a] < lo[a])
                        lo[a] = p[a];
                    if (p[a] > hi[a])
                        hi[a] = p[a];
                }
            }
    if (lo[0] == SIZE_MAX) {
        fprintf(stderr, "roi_case: the mask has no voxel equal to %g\n", label);
        return -1;
    }
    for (int a = 0; a < 3; a++)
        size[a] = hi[a] - lo[a] + 1;
    if (allocate(out, size) != 0)
        return -1;
    memcpy(out->roi.spacing, image->spacing, sizeof out->roi.spacing);

    size_t v = 0;
    for (size_t k = 0; k < size[2]; k++)
        for (size_t j = 0; j < size[1]; j++)
            for (size_t i = 0; i < size[0]; i++, v++) {
                size_t src = ri_index(image, i + lo[0], j + lo[1], k + lo[2]);
                out->values[v] = image->data[src];
                out->mask[v] = mask->data[src] == label;
                out->roi.n_voxels += out->mask[v];
            }
    int n_present = 0;
    ri_discretize_bin_width(out->values, out->mask, size[0] * size[1] * size[2], bin_width,
                            out->levels, &out->roi.max_level, &n_present);
    return 0;
}

int roi_case_load(const char *image_path, const char *mask_path, double label, double bin_width,
                  roi_case *out)
{
    char image_file[1024], mask_file[1024];
    if (!test_refdata_path(image_file, sizeof image_file, image_path, image_path) ||
        !test_refdata_path(mask_file, sizeof mask_file, mask_path, mask_path))
        return 0;

    rad_volume *image = NULL, *mask = NULL;
    rad_error *error = rad_error_create();
    int result = -1;
    if (rad_volume_read(image_file, &image, error) != RAD_OK ||
        rad_volume_read(mask_file, &mask, error) != RAD_OK) {
        fprintf(stderr, "roi_case: %s\n", rad_error_message(error));
    } else if (memcmp(image->size, mask->size, sizeof image->size) != 0) {
        fprintf(stderr, "roi_case: %s and %s differ in size\n", image_file, mask_file);
    } else if (crop(image, mask, label, bin_width, out) == 0) {
        result = 1;
    }
    rad_volume_free(image);
    rad_volume_free(mask);
    rad_error_free(error);
    return result;
}

/* Splits line at commas outside double quotes; fields keep no quotes. Returns the count. */
static size_t split_csv(char *line, char **fields, size_t max_fields)
{
    size_t n = 0;
    char *p = line;
    while (n < max_fields) {
        char *out = p;
        fields[n++] = p;
        int quoted = 0;
        for (;;) {
            char ch = *p;
            if (ch == '"') {
                quoted = !quoted;
                p++;
                continue;
            }
            if (ch == '\0' || ch == '\n' || ch == '\r' || (ch == ',' && !quoted))
                break;
            *out++ = ch;
            p++;
        }
        char end = *p;
        *out = '\0';
        if (end != ',')
            break;
        p++;
    }
    return n;
}

int csv_lookup(const char *path, const char *row, const char *column, double *value)
{
    enum { MAX_FIELDS = 256, MAX_LINE = 1 << 16 };
    FILE *f = fopen(path, "r");
    char *line = malloc(MAX_LINE);
    char *fields[MAX_FIELDS];
    int result = -1;
    long column_index = -1;

    if (f == NULL || line == NULL)
        goto done;
    if (fgets(line, MAX_LINE, f) == NULL)
        goto done;
    size_t n = split_csv(line, fields, MAX_FIELDS);
    for (size_t c = 0; c < n; c++)
        if (strcmp(fields[c], column) == 0)
            column_index = (long)c;
    if (column_index < 0)
        goto done;
    while (fgets(line, MAX_LINE, f) != NULL) {
        n = split_csv(line, fields, MAX_FIELDS);
        if (n > (size_t)column_index && strcmp(fields[0], row) == 0) {
            char *end;
            *value = strtod(fields[column_index], &end);
            result = end == fields[column_index] ? -1 : 0;
            break;
        }
    }
done:
    if (f != NULL)
        fclose(f);
    free(line);
    return result;
}

int ibsi_lookup(const char *path, const char *tag, double *value, double *tolerance)
{
    char line[512];
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return -1;
    int result = -1;
    while (fgets(line, sizeof line, f) != NULL) {
        line[strcspn(line, "\r\n")] = '\0';
        char *first = strchr(line, ';');
        char *second = first ? strchr(first + 1, ';') : NULL;
        if (second == NULL || strcmp(second + 1, tag) != 0)
            continue;
        char *end;
        *value = strtod(line, &end);
        *tolerance = strtod(first + 1, NULL);
        result = end == line ? -1 : 0;
        break;
    }
    fclose(f);
    return result;
}

void naive_size_features(const double *P, size_t n_levels, size_t n_cols, const double *col_value,
                         double n_voxels, double out[16])
{
    double n = 0.0, mu_i = 0.0, mu_j = 0.0;
    for (size_t i = 1; i <= n_levels; i++)
        for (size_t c = 0; c < n_cols; c++) {
            n += P[(i - 1) * n_cols + c];
            mu_i += P[(i - 1) * n_cols + c] * (double)i;
            mu_j += P[(i - 1) * n_cols + c] * col_value[c];
        }
    mu_i /= n;
    mu_j /= n;
    for (int f = 0; f < 16; f++)
        out[f] = 0.0;
    for (size_t i = 1; i <= n_levels; i++) {
        double row = 0.0;
        for (size_t c = 0; c < n_cols; c++)
            row += P[(i - 1) * n_cols + c];
        out[2] += row * row / n;
        out[3] += row * row / (n * n);
    }
    for (size_t c = 0; c < n_cols; c++) {
        double col = 0.0;
        for (size_t i = 1; i <= n_levels; i++)
            col += P[(i - 1) * n_cols + c];
        out[4] += col * col / n;
        out[5] += col * col / (n * n);
    }
    out[6] = n / n_voxels;
    for (size_t i = 1; i <= n_levels; i++)
        for (size_t c = 0; c < n_cols; c++) {
            double P_ij = P[(i - 1) * n_cols + c], p = P_ij / n;
            double fi = (double)i, j = col_value[c];
            out[0] += P_ij / (j * j) / n;
            out[1] += P_ij * j * j / n;
            out[7] += p * (fi - mu_i) * (fi - mu_i);
            out[8] += p * (j - mu_j) * (j - mu_j);
            out[9] -= p * log2(p + 2.220446049250313e-16);
            out[10] += P_ij / (fi * fi) / n;
            out[11] += P_ij * fi * fi / n;
            out[12] += P_ij / (fi * fi * j * j) / n;
            out[13] += P_ij * fi * fi / (j * j) / n;
            out[14] += P_ij * j * j / (fi * fi) / n;
            out[15] += P_ij * fi * fi * j * j / n;
        }
}

int close_enough(double got, double want, double rel, double abs_tol)
{
    double diff = fabs(got - want);
    return diff <= abs_tol || diff <= rel * fabs(want);
}

void case_npy_free(case_npy *array)
{
    free(array->data);
    memset(array, 0, sizeof *array);
}

static int npy_fail(FILE *f, const char *path, const char *reason)
{
    fprintf(stderr, "case_npy_read: %s: %s\n", path, reason);
    if (f != NULL)
        fclose(f);
    return -1;
}

static int npy_shape(const char *header, case_npy *array)
{
    const char *p = strstr(header, "'shape':");
    if (p == NULL || (p = strchr(p, '(')) == NULL)
        return -1;
    array->ndim = 0;
    array->count = 1;
    for (p++; *p != ')' && *p != '\0';) {
        char *end;
        unsigned long long dim = strtoull(p, &end, 10);
        if (end == p) {
            p++;
            continue;
        }
        if (array->ndim == 8 || dim > ((size_t)1 << 32))
            return -1;
        array->shape[array->ndim++] = (size_t)dim;
        array->count *= (size_t)dim;
        p = end;
    }
    return *p == ')' ? 0 : -1;
}

int case_npy_read(const char *path, case_npy *array)
{
    unsigned char pre[12];
    memset(array, 0, sizeof *array);
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return npy_fail(NULL, path, "cannot open");
    if (fread(pre, 1, 10, f) != 10 || memcmp(pre, "\x93NUMPY", 6) != 0)
        return npy_fail(f, path, "missing the NUMPY magic string");
    size_t length = pre[8] | (size_t)pre[9] << 8;
    if (pre[6] >= 2) {
        if (fread(pre + 10, 1, 2, f) != 2)
            return npy_fail(f, path, "truncated preamble");
        length |= (size_t)pre[10] << 16 | (size_t)pre[11] << 24;
    }
    if (length > 65536)
        return npy_fail(f, path, "header longer than 65536 bytes");
    char *header = calloc(length + 1, 1);
    if (header == NULL || fread(header, 1, length, f) != length) {
        free(header);
        return npy_fail(f, path, "truncated header");
    }
    int fortran = strstr(header, "'fortran_order': True") != NULL;
    int ok = strstr(header, "'descr': '<f8'") != NULL && npy_shape(header, array) == 0;
    free(header);
    if (!ok)
        return npy_fail(f, path, "expected descr '<f8' and a shape tuple");

    double *raw = malloc((array->count ? array->count : 1) * sizeof *raw);
    array->data = malloc((array->count ? array->count : 1) * sizeof *array->data);
    if (raw == NULL || array->data == NULL || fread(raw, sizeof *raw, array->count, f) != array->count) {
        free(raw);
        case_npy_free(array);
        return npy_fail(f, path, "fewer values than the shape gives");
    }
    fclose(f);

    /* Walk the file order, first index fastest when Fortran, and place each value in C order. */
    size_t index[8] = {0};
    for (size_t k = 0; k < array->count; k++) {
        size_t offset = 0;
        for (size_t d = 0; d < array->ndim; d++)
            offset = offset * array->shape[d] + index[d];
        array->data[offset] = raw[k];
        if (fortran) {
            for (size_t d = 0; d < array->ndim; d++) {
                if (++index[d] < array->shape[d])
                    break;
                index[d] = 0;
            }
        } else {
            for (size_t d = array->ndim; d-- > 0;) {
                if (++index[d] < array->shape[d])
                    break;
                index[d] = 0;
            }
        }
    }
    free(raw);
    return 0;
}
