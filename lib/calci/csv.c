/*
 * csv.c - strict RFC 4180 reader, locale-independent number parsing and
 * formatting, and atomic file replacement.
 *
 * Accepted beyond RFC 4180: a UTF-8 byte-order mark, LF as well as CRLF line
 * ends, ';' or tab as the delimiter, and skipped empty lines. Rejected: a
 * quote inside an unquoted field, text after a closing quote, a CR not
 * followed by LF outside quotes, NUL bytes, and records whose field count
 * differs from the first record's.
 */
#include "csv.h"

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

struct ci_csv_reader {
    FILE *fp;
    char *path;
    char delimiter;
    size_t max_field;
    size_t max_record;
    size_t line;          /* physical line of the read position, from 1 */
    size_t record_line;   /* line on which the last record starts */
    size_t expected_fields; /* field count of the first record; 0 before it */
    int at_end;
    char *buf;            /* fields of the current record, each NUL-terminated */
    size_t len;
    size_t cap;
    size_t *starts;       /* offset of each field in buf */
    const char **fields;
    size_t n_fields;
    size_t cap_fields;
};

/* ------------------------------------------------------------------ */
/* Opening and delimiter detection                                      */

static char *duplicate_string(const char *text)
{
    size_t n = strlen(text) + 1;
    char *copy = malloc(n);

    if (copy != NULL)
        memcpy(copy, text, n);
    return copy;
}

/* Skips a UTF-8 byte-order mark (EF BB BF) and leaves fp after it. */
static int skip_bom(FILE *fp)
{
    unsigned char head[3];
    size_t got = fread(head, 1, 3, fp);

    if (got == 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF)
        return 0;
    return fseek(fp, 0, SEEK_SET);
}

/* Counts ',', ';' and tab outside quotes in the first record (at most
 * max_record bytes) and stores the most frequent in *delimiter (',' on ties
 * or when none occurs). Leaves fp at start; returns 0, or -1 on a read error. */
static int detect_delimiter(FILE *fp, long start, size_t max_record, char *delimiter)
{
    size_t commas = 0, semicolons = 0, tabs = 0, seen = 0;
    int in_quotes = 0;
    int c;

    while ((c = getc(fp)) != EOF && seen++ < max_record) {
        if (c == '"')
            in_quotes = !in_quotes;
        else if (!in_quotes && c == '\n')
            break;
        else if (!in_quotes && c == ',')
            commas++;
        else if (!in_quotes && c == ';')
            semicolons++;
        else if (!in_quotes && c == '\t')
            tabs++;
    }
    if (ferror(fp))
        return -1;

    *delimiter = ',';
    if (semicolons > commas && semicolons >= tabs)
        *delimiter = ';';
    else if (tabs > commas && tabs > semicolons)
        *delimiter = '\t';
    return fseek(fp, start, SEEK_SET);
}

calci_status ci_csv_open(const char *path, size_t max_field, size_t max_record,
                         ci_csv_reader **out, calci_error *error)
{
    ci_csv_reader *reader;
    long start;

    if (path == NULL || out == NULL)
        return ci_fail(error, CALCI_ERR_ARGUMENT, "CSV path or output pointer is NULL");
    reader = calloc(1, sizeof *reader);
    if (reader == NULL)
        return ci_fail(error, CALCI_ERR_NO_MEMORY, "out of memory opening \"%s\"", path);
    reader->path = duplicate_string(path);
    if (reader->path == NULL) {
        ci_csv_close(reader);
        return ci_fail(error, CALCI_ERR_NO_MEMORY, "out of memory opening \"%s\"", path);
    }
    reader->max_field = max_field;
    reader->max_record = max_record;
    reader->line = 1;
    reader->record_line = 1;

    reader->fp = fopen(path, "rb");
    if (reader->fp == NULL) {
        int saved = errno;

        ci_csv_close(reader);
        return ci_fail(error, CALCI_ERR_IO, "failed to open \"%s\": %s", path, strerror(saved));
    }
    if (skip_bom(reader->fp) != 0 || (start = ftell(reader->fp)) < 0 ||
        detect_delimiter(reader->fp, start, max_record, &reader->delimiter) != 0) {
        int saved = errno;

        ci_csv_close(reader);
        return ci_fail(error, CALCI_ERR_IO, "failed to read \"%s\": %s", path, strerror(saved));
    }
    *out = reader;
    return CALCI_OK;
}

void ci_csv_close(ci_csv_reader *reader)
{
    if (reader == NULL)
        return;
    if (reader->fp != NULL)
        fclose(reader->fp);
    free(reader->path);
    free(reader->buf);
    free(reader->starts);
    free(reader->fields);
    free(reader);
}

char ci_csv_delimiter(const ci_csv_reader *reader)
{
    return reader->delimiter;
}

const char *ci_csv_path(const ci_csv_reader *reader)
{
    return reader->path;
}

size_t ci_csv_line(const ci_csv_reader *reader)
{
    return reader->record_line;
}

/* ------------------------------------------------------------------ */
/* Record parsing                                                       */

enum parse_state { FIELD_START, UNQUOTED, QUOTED, AFTER_QUOTE };

static calci_status append_byte(ci_csv_reader *r, char c, calci_error *error)
{
    if (r->len + 1 >= r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 256;
        char *grown = realloc(r->buf, cap);

        if (grown == NULL)
            return ci_fail(error, CALCI_ERR_NO_MEMORY, "out of memory reading \"%s\"", r->path);
        r->buf = grown;
        r->cap = cap;
    }
    r->buf[r->len++] = c;
    return CALCI_OK;
}

static calci_status end_field(ci_csv_reader *r, size_t field_start, calci_error *error)
{
    calci_status status = append_byte(r, '\0', error);

    if (status != CALCI_OK)
        return status;
    if (r->n_fields == r->cap_fields) {
        size_t cap = r->cap_fields ? r->cap_fields * 2 : 16;
        size_t *starts = realloc(r->starts, cap * sizeof *starts);

        if (starts == NULL)
            return ci_fail(error, CALCI_ERR_NO_MEMORY, "out of memory reading \"%s\"", r->path);
        r->starts = starts;
        const char **fields = realloc(r->fields, cap * sizeof *fields);
        if (fields == NULL)
            return ci_fail(error, CALCI_ERR_NO_MEMORY, "out of memory reading \"%s\"", r->path);
        r->fields = fields;
        r->cap_fields = cap;
    }
    r->starts[r->n_fields++] = field_start;
    return CALCI_OK;
}

static calci_status end_record(ci_csv_reader *r, calci_error *error)
{
    if (r->expected_fields == 0)
        r->expected_fields = r->n_fields;
    else if (r->n_fields != r->expected_fields)
        return ci_fail(error, CALCI_ERR_FORMAT,
                       "%s, line %zu: %zu fields, but the header has %zu", r->path,
                       r->record_line, r->n_fields, r->expected_fields);
    for (size_t i = 0; i < r->n_fields; i++)
        r->fields[i] = r->buf + r->starts[i];
    return CALCI_OK;
}

/* Consumes the LF after a CR; a CR followed by anything else is an error. */
static calci_status expect_line_feed(ci_csv_reader *r, calci_error *error)
{
    int next = getc(r->fp);

    if (next == '\n') {
        r->line++;
        return CALCI_OK;
    }
    return ci_fail(error, CALCI_ERR_FORMAT,
                   "%s, line %zu, column %zu: carriage return not followed by a line feed "
                   "(save the file with LF or CRLF line ends)",
                   r->path, r->line, r->n_fields + 1);
}

calci_status ci_csv_read(ci_csv_reader *r, int *has_record, size_t *n_fields,
                         const char *const **fields, calci_error *error)
{
    enum parse_state state = FIELD_START;
    size_t field_start = 0, record_bytes = 0, quote_line = 0;
    calci_status status = CALCI_OK;

    *has_record = 0;
    if (r->at_end)
        return CALCI_OK;
    r->len = 0;
    r->n_fields = 0;
    r->record_line = r->line;

    for (;;) {
        int c = getc(r->fp);

        if (c == EOF) {
            if (ferror(r->fp))
                return ci_fail(error, CALCI_ERR_IO, "failed to read \"%s\" at line %zu: %s",
                               r->path, r->line, strerror(errno));
            r->at_end = 1;
            if (state == QUOTED)
                return ci_fail(error, CALCI_ERR_FORMAT,
                               "%s, line %zu, column %zu: quoted field not closed before the "
                               "end of the file",
                               r->path, quote_line, r->n_fields + 1);
            if (state == FIELD_START && r->n_fields == 0)
                return CALCI_OK;
            break;
        }

        if (c == '\0')
            return ci_fail(error, CALCI_ERR_FORMAT,
                           "%s, line %zu, column %zu: NUL byte (not a text file?)", r->path,
                           r->line, r->n_fields + 1);
        if (++record_bytes > r->max_record)
            return ci_fail(error, CALCI_ERR_FORMAT, "%s, line %zu: record longer than %zu bytes",
                           r->path, r->record_line, r->max_record);

        /* Empty lines between records are skipped. */
        if (state == FIELD_START && r->n_fields == 0 && (c == '\n' || c == '\r')) {
            if (c == '\n')
                r->line++;
            else if ((status = expect_line_feed(r, error)) != CALCI_OK)
                return status;
            r->record_line = r->line;
            record_bytes = 0;
            continue;
        }

        if (state == FIELD_START) {
            field_start = r->len;
            if (c == '"') {
                state = QUOTED;
                quote_line = r->line;
                continue;
            }
            state = UNQUOTED;
        }

        if (state == QUOTED) {
            if (c == '"') {
                state = AFTER_QUOTE;
                continue;
            }
            if (c == '\n')
                r->line++;
        } else if (state == AFTER_QUOTE && c == '"') {
            state = QUOTED; /* a doubled quote stands for one quote */
        } else if (c == r->delimiter) {
            if ((status = end_field(r, field_start, error)) != CALCI_OK)
                return status;
            state = FIELD_START;
            continue;
        } else if (c == '\n' || c == '\r') {
            if (c == '\n')
                r->line++;
            else if ((status = expect_line_feed(r, error)) != CALCI_OK)
                return status;
            break;
        } else if (state == AFTER_QUOTE) {
            return ci_fail(error, CALCI_ERR_FORMAT,
                           "%s, line %zu, column %zu: unexpected character '%c' after a closing "
                           "quote (double quotes inside a quoted field)",
                           r->path, r->line, r->n_fields + 1, c);
        } else if (c == '"') {
            return ci_fail(error, CALCI_ERR_FORMAT,
                           "%s, line %zu, column %zu: quote inside an unquoted field (quote the "
                           "whole field and double the quote)",
                           r->path, r->line, r->n_fields + 1);
        }

        if (r->len - field_start >= r->max_field)
            return ci_fail(error, CALCI_ERR_FORMAT,
                           "%s, line %zu, column %zu: field longer than %zu bytes", r->path,
                           r->line, r->n_fields + 1, r->max_field);
        if ((status = append_byte(r, (char)c, error)) != CALCI_OK)
            return status;
    }

    if (state == FIELD_START)
        field_start = r->len;
    if ((status = end_field(r, field_start, error)) != CALCI_OK ||
        (status = end_record(r, error)) != CALCI_OK)
        return status;
    *has_record = 1;
    *n_fields = r->n_fields;
    *fields = r->fields;
    return CALCI_OK;
}

/* ------------------------------------------------------------------ */
/* Numbers                                                              */

/* Checks that s[0..len) is [+-] digits [mark digits] [(e|E) [+-] digits]
 * with at least one mantissa digit, where mark is any character of marks.
 * Stores the index of the mark (or len when absent) in *mark_at. */
static int scan_decimal(const char *s, size_t len, const char *marks, size_t *mark_at)
{
    size_t i = 0, digits = 0;

    *mark_at = len;
    if (i < len && (s[i] == '+' || s[i] == '-'))
        i++;
    for (; i < len && s[i] >= '0' && s[i] <= '9'; i++)
        digits++;
    if (i < len && s[i] != '\0' && strchr(marks, s[i]) != NULL) {
        *mark_at = i++;
        for (; i < len && s[i] >= '0' && s[i] <= '9'; i++)
            digits++;
    }
    if (digits == 0)
        return 0;
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        size_t exponent_digits = 0;

        i++;
        if (i < len && (s[i] == '+' || s[i] == '-'))
            i++;
        for (; i < len && s[i] >= '0' && s[i] <= '9'; i++)
            exponent_digits++;
        if (exponent_digits == 0)
            return 0;
    }
    return i == len;
}

static int equals_ignoring_case(const char *s, size_t len, const char *word)
{
    return strlen(word) == len && strncasecmp(s, word, len) == 0;
}

/* Converts a checked decimal with strtod after putting the locale's decimal
 * point in place of the mark, because strtod follows LC_NUMERIC. */
static ci_number convert_decimal(const char *s, size_t len, size_t mark_at, double *out)
{
    const char *point = localeconv()->decimal_point;
    size_t point_len = strlen(point);
    char buf[512];
    char *end;

    if (len + point_len >= sizeof buf)
        return CI_NUMBER_INVALID;
    if (mark_at < len) {
        memcpy(buf, s, mark_at);
        memcpy(buf + mark_at, point, point_len);
        memcpy(buf + mark_at + point_len, s + mark_at + 1, len - mark_at - 1);
        buf[len - 1 + point_len] = '\0';
    } else {
        memcpy(buf, s, len);
        buf[len] = '\0';
    }
    *out = strtod(buf, &end);
    return *end == '\0' ? CI_NUMBER_OK : CI_NUMBER_INVALID;
}

static ci_number parse_number(const char *text, int allow_comma, double *out)
{
    size_t len, mark_at;
    const char *s = text;
    int negative;

    while (*s == ' ')
        s++;
    len = strlen(s);
    while (len > 0 && s[len - 1] == ' ')
        len--;

    if (len == 0 || equals_ignoring_case(s, len, "na") || equals_ignoring_case(s, len, "nan")) {
        *out = NAN;
        return CI_NUMBER_MISSING;
    }

    negative = s[0] == '-';
    if (s[0] == '-' || s[0] == '+') {
        if (equals_ignoring_case(s + 1, len - 1, "inf") ||
            equals_ignoring_case(s + 1, len - 1, "infinity")) {
            *out = negative ? -INFINITY : INFINITY;
            return CI_NUMBER_OK;
        }
    } else if (equals_ignoring_case(s, len, "inf") || equals_ignoring_case(s, len, "infinity")) {
        *out = INFINITY;
        return CI_NUMBER_OK;
    }

    if (scan_decimal(s, len, allow_comma ? ".," : ".", &mark_at))
        return convert_decimal(s, len, mark_at, out);
    if (!allow_comma && scan_decimal(s, len, ",", &mark_at) && mark_at < len)
        return CI_NUMBER_DECIMAL_COMMA;
    return CI_NUMBER_INVALID;
}

ci_number ci_parse_double(const char *text, double *out)
{
    return parse_number(text, 0, out);
}

ci_number ci_parse_double_decimal_comma(const char *text, double *out)
{
    return parse_number(text, 1, out);
}

void ci_format_double(double value, char *buf)
{
    const char *point;
    char *at;

    if (isnan(value)) {
        strcpy(buf, "NaN");
        return;
    }
    if (isinf(value)) {
        strcpy(buf, value < 0 ? "-Inf" : "Inf");
        return;
    }
    snprintf(buf, CI_NUMBER_BUFSIZE, "%.17g", value);

    /* printf follows LC_NUMERIC: put '.' back in place of the locale's point. */
    point = localeconv()->decimal_point;
    if (strcmp(point, ".") != 0 && point[0] != '\0' && (at = strstr(buf, point)) != NULL) {
        size_t point_len = strlen(point);

        *at = '.';
        memmove(at + 1, at + point_len, strlen(at + point_len) + 1);
    }
}

/* ------------------------------------------------------------------ */
/* Writing                                                              */

int ci_csv_write_field(FILE *fp, const char *text, char delimiter)
{
    char specials[] = {'"', '\r', '\n', delimiter, '\0'};

    if (strpbrk(text, specials) == NULL)
        return fputs(text, fp) < 0 ? -1 : 0;

    if (putc('"', fp) == EOF)
        return -1;
    for (const char *p = text; *p != '\0'; p++) {
        if (*p == '"' && putc('"', fp) == EOF)
            return -1;
        if (putc(*p, fp) == EOF)
            return -1;
    }
    return putc('"', fp) == EOF ? -1 : 0;
}

calci_status ci_atomic_begin(const char *path, ci_atomic_file *file, calci_error *error)
{
    const char *slash;
    size_t dir_len, size;
    struct stat st;
    mode_t mode = 0644;
    int fd;

    memset(file, 0, sizeof *file);
    if (path == NULL || path[0] == '\0')
        return ci_fail(error, CALCI_ERR_ARGUMENT, "output path is NULL or empty");

    /* Temporary name ".<base>.tmp-XXXXXX" in the same folder, so rename()
     * stays within one file system. */
    slash = strrchr(path, '/');
    dir_len = slash ? (size_t)(slash - path) + 1 : 0;
    size = strlen(path) + 16;
    file->path = duplicate_string(path);
    file->temp_path = malloc(size);
    if (file->path == NULL || file->temp_path == NULL) {
        ci_atomic_abort(file);
        return ci_fail(error, CALCI_ERR_NO_MEMORY, "out of memory writing \"%s\"", path);
    }
    snprintf(file->temp_path, size, "%.*s.%s.tmp-XXXXXX", (int)dir_len, path, path + dir_len);

    fd = mkstemp(file->temp_path);
    if (fd < 0) {
        int saved = errno;

        free(file->temp_path);
        file->temp_path = NULL;
        ci_atomic_abort(file);
        return ci_fail(error, CALCI_ERR_IO, "failed to create a temporary file for \"%s\": %s",
                       path, strerror(saved));
    }
    if (stat(path, &st) == 0)
        mode = st.st_mode & 07777;
    (void)fchmod(fd, mode);
    file->fp = fdopen(fd, "wb");
    if (file->fp == NULL) {
        int saved = errno;

        close(fd);
        ci_atomic_abort(file);
        return ci_fail(error, CALCI_ERR_IO, "failed to open a temporary file for \"%s\": %s",
                       path, strerror(saved));
    }
    return CALCI_OK;
}

calci_status ci_atomic_commit(ci_atomic_file *file, calci_error *error)
{
    int failed = fflush(file->fp) != 0 || ferror(file->fp) || fsync(fileno(file->fp)) != 0;
    int saved = errno;

    if (fclose(file->fp) != 0 && !failed) {
        failed = 1;
        saved = errno;
    }
    file->fp = NULL;
    if (!failed && rename(file->temp_path, file->path) != 0) {
        failed = 1;
        saved = errno;
    }
    if (failed) {
        calci_status status = ci_fail(error, CALCI_ERR_IO, "failed to write \"%s\": %s",
                                      file->path, strerror(saved));

        ci_atomic_abort(file);
        return status;
    }
    free(file->temp_path);
    free(file->path);
    file->temp_path = NULL;
    file->path = NULL;
    return CALCI_OK;
}

void ci_atomic_abort(ci_atomic_file *file)
{
    if (file->fp != NULL)
        fclose(file->fp);
    if (file->temp_path != NULL)
        remove(file->temp_path);
    free(file->temp_path);
    free(file->path);
    memset(file, 0, sizeof *file);
}
