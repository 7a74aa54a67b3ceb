/* testutil.h - helpers shared by the Check suites. */
#ifndef TESTUTIL_H
#define TESTUTIL_H

#include <stddef.h>

/*
 * Folder of the reference data: $RADIOMICS_REFDATA, else $REFDATA (set by
 * `make check`), else ../shared/data. Never NULL.
 */
const char *test_refdata_dir(void);

/*
 * Writes refdata_dir/relative into buf and returns 1 when that path exists.
 * Otherwise prints "SKIP <what>: <path> not found" (which `make check`
 * counts) and returns 0, so a test can write
 *     if (!test_refdata_path(buf, sizeof buf, "pyradiomics/data", "brain1")) return;
 */
int test_refdata_path(char *buf, size_t size, const char *relative, const char *what);

/* Path of a new empty temporary folder (created with mkdtemp); static buffer. */
const char *test_temp_dir(void);

#endif
