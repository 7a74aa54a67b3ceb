/* testutil.c - helpers shared by the Check suites. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

const char *test_refdata_dir(void)
{
    const char *dir = getenv("RADIOMICS_REFDATA");
    if (dir == NULL || dir[0] == '\0')
        dir = getenv("REFDATA");
    if (dir == NULL || dir[0] == '\0')
        dir = "../shared/data";
    return dir;
}

int test_refdata_path(char *buf, size_t size, const char *relative, const char *what)
{
    struct stat st;

    snprintf(buf, size, "%s/%s", test_refdata_dir(), relative);
    if (stat(buf, &st) == 0)
        return 1;
    printf("SKIP %s: reference data %s not found (set RADIOMICS_REFDATA)\n", what, buf);
    fflush(stdout);
    return 0;
}

const char *test_temp_dir(void)
{
    static char path[256];
    const char *base = getenv("TMPDIR");

    snprintf(path, sizeof path, "%s/calci-test-XXXXXX", base ? base : "/tmp");
    if (mkdtemp(path) == NULL)
        return "/tmp";
    return path;
}
