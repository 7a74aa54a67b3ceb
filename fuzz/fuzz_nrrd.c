/*
 * fuzz_nrrd.c - libFuzzer target for rad_volume_read on an attached-header
 * NRRD file (input.nrrd). A fuzzed "data file:" field may name another file;
 * the reader then opens it read-only.
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_file.h"
#include "radiomics.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_write_input(data, size, ".nrrd");
    rad_volume *volume = NULL;
    rad_error *error = rad_error_create();

    if (path != NULL && rad_volume_read(path, &volume, error) == RAD_OK) {
        size_t n[3];
        rad_volume_size(volume, n);
        const double *v = rad_volume_data(volume);
        volatile double sink = v[0] + v[n[0] * n[1] * n[2] - 1];
        (void)sink;
    }
    rad_volume_free(volume);
    rad_error_free(error);
    return 0;
}
