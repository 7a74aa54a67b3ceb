/* npy.h - reader for numpy .npy files of little-endian float64 on a little-endian host (tests only). */
#ifndef TEST_NPY_H
#define TEST_NPY_H

#include <stddef.h>

#define TEST_NPY_MAX_DIMS 8

typedef struct test_npy {
    int ndim;
    size_t shape[TEST_NPY_MAX_DIMS];
    size_t count;  /* product of shape */
    double *data;  /* count values in C (row-major) order */
} test_npy;

/*
 * Reads a version 1.x or 2.x .npy file whose dtype is '<f8' in C order.
 * Returns 0 on success; otherwise prints the reason and returns -1.
 */
int test_npy_read(const char *path, test_npy *out);
void test_npy_free(test_npy *npy);

#endif
