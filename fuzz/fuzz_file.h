/*
 * fuzz_file.h - helper shared by the libFuzzer targets whose parser reads a
 * file: writes the fuzz input to a file in a private temporary folder.
 */
#ifndef FUZZ_FILE_H
#define FUZZ_FILE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * Writes data to <private folder>/input<suffix> and returns that path, or
 * NULL when the file cannot be written. The folder is created on the first
 * call (mkdtemp under $TMPDIR or /tmp) and reused; the path stays valid
 * until the next call.
 */
static const char *fuzz_write_input(const unsigned char *data, size_t size, const char *suffix)
{
    static char folder[512];
    static char path[600];
    FILE *f;

    if (folder[0] == '\0') {
        const char *tmp = getenv("TMPDIR");
        snprintf(folder, sizeof folder, "%s/calci-fuzz-XXXXXX", tmp && *tmp ? tmp : "/tmp");
        if (mkdtemp(folder) == NULL) {
            folder[0] = '\0';
            return NULL;
        }
    }
    snprintf(path, sizeof path, "%s/input%s", folder, suffix);
    f = fopen(path, "wb");
    if (f == NULL)
        return NULL;
    if (size > 0 && fwrite(data, 1, size, f) != size) {
        fclose(f);
        return NULL;
    }
    if (fclose(f) != 0)
        return NULL;
    return path;
}

#endif /* FUZZ_FILE_H */
