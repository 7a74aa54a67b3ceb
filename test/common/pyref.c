/* pyref.c - run a reference Python program (scikit-learn) at test time. */
#include "pyref.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *pyref_python(const char *modules, const char *what)
{
    static const char *const candidates[] = {"python3", "/usr/bin/python3"};
    char command[512], imports[256];

    snprintf(imports, sizeof imports, "%s", modules);
    for (char *c = imports; *c; c++)
        if (*c == ' ')
            *c = ',';
    for (size_t i = 0; i < sizeof candidates / sizeof candidates[0]; i++) {
        snprintf(command, sizeof command, "%s -c \"import %s\" >/dev/null 2>&1", candidates[i],
                 imports);
        if (system(command) == 0)
            return candidates[i];
    }
    printf("SKIP %s: no python3 can import %s (Debian: apt-get install python3-sklearn)\n", what,
           modules);
    fflush(stdout);
    return NULL;
}

int pyref_run(const char *python, const char *script, const char *dir)
{
    size_t size = strlen(python) + strlen(script) + strlen(dir) + 32;
    char *command = malloc(size);
    if (command == NULL)
        return -1;
    snprintf(command, size, "%s -c \"%s\" '%s'", python, script, dir);
    int rc = system(command);
    free(command);
    return rc;
}

double *pyref_read(const char *dir, const char *name, size_t *count)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *fp = fopen(path, "r");
    if (fp == NULL)
        return NULL;

    size_t n = 0, capacity = 1024;
    double *values = malloc(capacity * sizeof *values);
    double v;
    while (values != NULL && fscanf(fp, "%lf", &v) == 1) {
        if (n == capacity) {
            double *grown = realloc(values, 2 * capacity * sizeof *values);
            if (grown == NULL) {
                free(values);
                values = NULL;
                break;
            }
            values = grown;
            capacity *= 2;
        }
        values[n++] = v;
    }
    fclose(fp);
    *count = n;
    return values;
}

int pyref_write(const char *dir, const char *name, const double *x, size_t n, size_t p)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *fp = fopen(path, "w");
    if (fp == NULL)
        return -1;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < p; j++)
            fprintf(fp, "%.17g%c", x[i * p + j], j + 1 == p ? '\n' : ' ');
    return fclose(fp) == 0 ? 0 : -1;
}
