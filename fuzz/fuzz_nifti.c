/*
 * fuzz_nifti.c - libFuzzer target for rad_volume_read on NIfTI input. The
 * bytes are read once as input.nii and once as input.nii.gz; the second name
 * makes the reader treat the file as gzip data (zlib reads non-gzip bytes
 * through unchanged).
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_file.h"
#include "radiomics.h"

static void read_as(const uint8_t *data, size_t size, const char *suffix)
{
    const char *path = fuzz_write_input(data, size, suffix);
    rad_volume *volume = NULL;
    rad_error *error = rad_error_create();

    if (path != NULL && rad_volume_read(path, &volume, error) == RAD_OK) {
        size_t n[3];
        rad_volume_size(volume, n);
        /* Touch the first and last voxel so that a short buffer shows up. */
        const double *v = rad_volume_data(volume);
        volatile double sink = v[0] + v[n[0] * n[1] * n[2] - 1];
        (void)sink;
    }
    rad_volume_free(volume);
    rad_error_free(error);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    read_as(data, size, ".nii");
    read_as(data, size, ".nii.gz");
    return 0;
}
