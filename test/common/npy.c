/* npy.c - reader for numpy .npy files of little-endian float64 (tests only). */
#include "npy.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Largest header and array accepted: far above the pyradiomics baselines. */
#define MAX_HEADER 65536
#define MAX_VALUES ((size_t)1 << 26)

static int parse_shape(const char *header, test_npy *out)
{
    const char *p = strstr(header, "'shape':");

    if (p == NULL || (p = strchr(p, '(')) == NULL)
        return -1;
    p++;
    out->ndim = 0;
    out->count = 1;
    while (*p != ')') {
        char *end;
        unsigned long long dim;

        while (*p == ' ' || *p == ',')
            p++;
        if (*p == ')')
            break;
        dim = strtoull(p, &end, 10);
        if (end == p || out->ndim == TEST_NPY_MAX_DIMS)
            return -1;
        if (dim != 0 && out->count > MAX_VALUES / dim)
            return -1;
        out->shape[out->ndim++] = (size_t)dim;
        out->count *= (size_t)dim;
        p = end;
    }
    return 0;
}

int test_npy_read(const char *path, test_npy *out)
{
    unsigned char magic[10];
    char *header = NULL;
    size_t header_len;
    FILE *file = fopen(path, "rb");

    memset(out, 0, sizeof *out);
    if (file == NULL) {
        printf("npy: cannot open %s\n", path);
        return -1;
    }
    if (fread(magic, 1, 10, file) != 10 || memcmp(magic, "\x93NUMPY", 6) != 0)
        goto invalid;
    if (magic[6] == 1) {
        header_len = magic[8] | (size_t)magic[9] << 8;
    } else {
        unsigned char extra[2];

        if (fread(extra, 1, 2, file) != 2)
            goto invalid;
        header_len = magic[8] | (size_t)magic[9] << 8 | (size_t)extra[0] << 16 |
                     (size_t)extra[1] << 24;
    }
    if (header_len > MAX_HEADER || (header = calloc(header_len + 1, 1)) == NULL)
        goto invalid;
    if (fread(header, 1, header_len, file) != header_len)
        goto invalid;
    if (strstr(header, "'descr': '<f8'") == NULL || strstr(header, "'fortran_order': False") == NULL)
        goto invalid;
    if (parse_shape(header, out) != 0)
        goto invalid;
    out->data = malloc((out->count ? out->count : 1) * sizeof *out->data);
    if (out->data == NULL || fread(out->data, sizeof(double), out->count, file) != out->count)
        goto invalid;
    free(header);
    fclose(file);
    return 0;

invalid:
    printf("npy: %s is not a readable C-order <f8 .npy file\n", path);
    free(header);
    free(out->data);
    out->data = NULL;
    fclose(file);
    return -1;
}

void test_npy_free(test_npy *npy)
{
    free(npy->data);
    npy->data = NULL;
}
