/* pyref.h - run a reference Python program (scikit-learn) at test time. */
#ifndef PYREF_H
#define PYREF_H

#include <stddef.h>

/*
 * Returns the first of "python3" and "/usr/bin/python3" that can import the
 * given modules (space-separated, e.g. "numpy sklearn"), or NULL after
 * printing "SKIP <what>: ..." when none can.
 */
const char *pyref_python(const char *modules, const char *what);

/*
 * Runs `python -c "script" dir`. The script must not contain double quotes,
 * backslashes, '$' or '`' (it is passed through the shell). Returns 0 when
 * the program exits with status 0.
 */
int pyref_run(const char *python, const char *script, const char *dir);

/* Reads all whitespace-separated numbers of dir/name into a new array
 * (free with free) and stores their count; NULL when the file is unreadable. */
double *pyref_read(const char *dir, const char *name, size_t *count);

/* Writes n rows of p numbers (row-major, %.17g) to dir/name; 0 on success. */
int pyref_write(const char *dir, const char *name, const double *x, size_t n, size_t p);

#endif
