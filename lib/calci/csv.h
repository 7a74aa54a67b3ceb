/*
 * csv.h - private CSV reading and writing for libcalci (RFC 4180), number
 * parsing and formatting that do not depend on the C locale, and atomic file
 * replacement. Never installed.
 */
#ifndef CALCI_CSV_H
#define CALCI_CSV_H

#include <stdio.h>

#include "internal.h"

/* Default limits: bytes in one field and bytes in one record (a record may
 * span several physical lines when a quoted field contains line breaks). */
#define CI_CSV_MAX_FIELD ((size_t)1 << 20)
#define CI_CSV_MAX_RECORD ((size_t)64 << 20)

typedef struct ci_csv_reader ci_csv_reader;

/*
 * Opens path and detects the delimiter from the header line: the most
 * frequent of ',', ';' and tab outside quotes (',' when none occurs).
 * A UTF-8 byte-order mark is skipped. Errors: CALCI_ERR_IO, CALCI_ERR_NO_MEMORY.
 */
calci_status ci_csv_open(const char *path, size_t max_field, size_t max_record,
                         ci_csv_reader **out, calci_error *error);
void ci_csv_close(ci_csv_reader *reader);

/*
 * Reads the next record. On success *has_record is 0 at the end of the file,
 * otherwise *n_fields and *fields describe the record; the strings are owned
 * by the reader and valid until the next call. Every record must have as many
 * fields as the first one. Lines of zero length are skipped. Errors
 * (CALCI_ERR_FORMAT, CALCI_ERR_IO) name the file, line and column.
 */
calci_status ci_csv_read(ci_csv_reader *reader, int *has_record, size_t *n_fields,
                         const char *const **fields, calci_error *error);

/* Delimiter detected by ci_csv_open. */
char ci_csv_delimiter(const ci_csv_reader *reader);
/* Path given to ci_csv_open. */
const char *ci_csv_path(const ci_csv_reader *reader);
/* Physical line (from 1) on which the last record read starts. */
size_t ci_csv_line(const ci_csv_reader *reader);

/* Result of number parsing. */
typedef enum ci_number {
    CI_NUMBER_OK = 0,
    CI_NUMBER_MISSING = 1,       /* "", "NA", "NaN", "nan" (any case): *out = NaN */
    CI_NUMBER_DECIMAL_COMMA = 2, /* like "1,5": a decimal comma where a point is expected */
    CI_NUMBER_INVALID = 3        /* anything else that is not a number */
} ci_number;

/*
 * Parses a decimal number: optional sign, digits with an optional decimal
 * point, an optional exponent ("1", "-2.5", ".5", "1e-3", "3.E+2"), or
 * "Inf"/"Infinity" with optional sign (any case). Surrounding spaces are
 * ignored; anything else, including hexadecimal, is CI_NUMBER_INVALID.
 * *out is written only for CI_NUMBER_OK and CI_NUMBER_MISSING.
 */
ci_number ci_parse_double(const char *text, double *out);
/* Same, but a single ',' is accepted as the decimal mark as well as '.'
 * (tables exported with ';' as the delimiter). */
ci_number ci_parse_double_decimal_comma(const char *text, double *out);

/* Formats value with 17 significant digits ("%.17g" with a '.' whatever the
 * locale), so that ci_parse_double returns the same double. NaN gives "NaN",
 * infinities "Inf" and "-Inf". buf must hold CI_NUMBER_BUFSIZE bytes. */
#define CI_NUMBER_BUFSIZE 32
void ci_format_double(double value, char *buf);

/* Writes one field, quoted (with quotes doubled) when it contains the
 * delimiter, a quote, CR or LF. Returns 0, or -1 on a write error. */
int ci_csv_write_field(FILE *fp, const char *text, char delimiter);

/*
 * Atomic replacement of a file: ci_atomic_begin creates a temporary file in
 * the folder of path; ci_atomic_commit flushes, closes and renames it over
 * path; ci_atomic_abort closes and removes it. The new file gets the mode of
 * the file it replaces, or 0644 for a new file.
 */
typedef struct ci_atomic_file {
    FILE *fp;
    char *path;
    char *temp_path;
} ci_atomic_file;

calci_status ci_atomic_begin(const char *path, ci_atomic_file *file, calci_error *error);
calci_status ci_atomic_commit(ci_atomic_file *file, calci_error *error);
void ci_atomic_abort(ci_atomic_file *file);

#endif /* CALCI_CSV_H */
