/*
 * fuzz_params.c - libFuzzer target for rad_params_set. Input layout: the
 * first byte picks the preset (even: "pyradiomics", odd: "yu2021"), then
 * key and value separated by the first NUL or '=' byte. An accepted value
 * is read back with rad_params_get into a small and a large buffer.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "radiomics.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rad_params *params = NULL;
    rad_error *error;
    char *text, *key, *value, *split;
    size_t length;

    if (size == 0)
        return 0;
    error = rad_error_create();
    if (rad_params_create(data[0] & 1 ? "yu2021" : "pyradiomics", &params, error) != RAD_OK)
        abort();

    length = size - 1;
    text = malloc(length + 2);
    if (text == NULL)
        abort();
    memcpy(text, data + 1, length);
    text[length] = '\0';
    text[length + 1] = '\0';
    split = memchr(text, '\0', length + 1);
    if ((size_t)(split - text) == length)
        split = strchr(text, '=');
    if (split == NULL)
        split = text + length;
    *split = '\0';
    key = text;
    value = split + 1;

    if (rad_params_set(params, key, value, error) == RAD_OK) {
        char small[4], large[4096];
        rad_params *copy;

        if (rad_params_get(params, key, small, sizeof small, error) != RAD_OK ||
            strlen(small) >= sizeof small)
            abort();
        if (rad_params_get(params, key, large, sizeof large, error) != RAD_OK)
            abort();
        /* The value read back must be accepted again. */
        if (rad_params_set(params, key, large, error) != RAD_OK)
            abort();
        copy = rad_params_copy(params);
        rad_params_free(copy);
    } else if (rad_error_message(error)[0] == '\0') {
        abort(); /* a failure must come with a message */
    }
    free(text);
    rad_params_free(params);
    rad_error_free(error);
    return 0;
}
