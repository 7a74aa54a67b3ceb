/*
 * nrrd_io.c - reader for the 3-D NRRD files that 3D Slicer and pyradiomics
 * write: attached (.nrrd) or detached (.nhdr plus data file) header, raw or
 * gzip encoding, scalar integer and floating types of either byte order.
 *
 * The header is text and is parsed strictly: lines longer than
 * NRRD_MAX_LINE or a header longer than NRRD_MAX_HEADER bytes are rejected,
 * every number is checked, and a field given twice is an error. Fields that
 * do not change the voxel grid or values (content, measurement frame, space
 * units, centerings, labels, comments, key:=value pairs, ...) are ignored.
 *
 * World frame: NRRD's "space" names the frame of "space directions" and
 * "space origin". LPS (ITK's and DICOM's frame) becomes RAS by negating x
 * and y of the origin and of every direction column; LAS negates x only.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "internal.h"

#define NRRD_MAX_LINE 4096
#define NRRD_MAX_HEADER (1 << 20)
#define NRRD_MAX_PATH 4096
/* Deflate cannot compress better than about 1032:1. */
#define DEFLATE_MAX_RATIO 1100

typedef enum {
    T_NONE, T_INT8, T_UINT8, T_INT16, T_UINT16, T_INT32, T_UINT32, T_INT64, T_UINT64,
    T_FLOAT, T_DOUBLE
} nrrd_type;

static const struct {
    const char *name;
    nrrd_type type;
} type_names[] = {
    {"signed char", T_INT8}, {"int8", T_INT8}, {"int8_t", T_INT8},
    {"uchar", T_UINT8}, {"unsigned char", T_UINT8}, {"uint8", T_UINT8}, {"uint8_t", T_UINT8},
    {"short", T_INT16}, {"short int", T_INT16}, {"signed short", T_INT16},
    {"signed short int", T_INT16}, {"int16", T_INT16}, {"int16_t", T_INT16},
    {"ushort", T_UINT16}, {"unsigned short", T_UINT16}, {"unsigned short int", T_UINT16},
    {"uint16", T_UINT16}, {"uint16_t", T_UINT16},
    {"int", T_INT32}, {"signed int", T_INT32}, {"int32", T_INT32}, {"int32_t", T_INT32},
    {"uint", T_UINT32}, {"unsigned int", T_UINT32}, {"uint32", T_UINT32},
    {"uint32_t", T_UINT32},
    {"longlong", T_INT64}, {"long long", T_INT64}, {"long long int", T_INT64},
    {"signed long long", T_INT64}, {"signed long long int", T_INT64}, {"int64", T_INT64},
    {"int64_t", T_INT64},
    {"ulonglong", T_UINT64}, {"unsigned long long", T_UINT64},
    {"unsigned long long int", T_UINT64}, {"uint64", T_UINT64}, {"uint64_t", T_UINT64},
    {"float", T_FLOAT}, {"double", T_DOUBLE},
};

static size_t type_bytes(nrrd_type t)
{
    static const size_t bytes[] = {0, 1, 1, 2, 2, 4, 4, 8, 8, 4, 8};
    return bytes[t];
}

/* Header fields seen, with their parsed values. */
typedef struct nrrd_header {
    nrrd_type type;
    int dimension;          /* 0 until seen */
    size_t sizes[3];
    int have_sizes;
    int space;              /* 0 none, 1 RAS, 2 LPS, 3 LAS */
    int space_dimension;
    double directions[3][3]; /* directions[axis][component] */
    int have_directions;
    double origin[3];
    int have_origin;
    double spacings[3];
    int have_spacings;
    int have_kinds;
    int big_endian;          /* -1 until seen */
    int gzip;                /* -1 until seen */
    long line_skip;
    long byte_skip;          /* -1: data are the last bytes of the file */
    char data_file[NRRD_MAX_PATH];
} nrrd_header;

static const char *skip_space(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

/* Copies s lower-cased, trimmed of surrounding blanks, into out. */
static void trimmed_lower(const char *s, char *out, size_t size)
{
    size_t n;

    s = skip_space(s);
    n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        n--;
    if (n >= size)
        n = size - 1;
    for (size_t i = 0; i < n; i++)
        out[i] = (char)tolower((unsigned char)s[i]);
    out[n] = '\0';
}

/* Parses exactly `count` whitespace-separated finite doubles. */
static int parse_doubles(const char *s, double *out, int count)
{
    char *end;

    for (int i = 0; i < count; i++) {
        errno = 0;
        out[i] = strtod(s, &end);
        if (end == s || errno == ERANGE || !isfinite(out[i]))
            return 0;
        s = end;
    }
    return *skip_space(s) == '\0';
}

/* Parses a vector "(a,b,c)" of 3 finite doubles; returns the text after it
 * or NULL. */
static const char *parse_vector(const char *s, double v[3])
{
    char *end;

    s = skip_space(s);
    if (*s++ != '(')
        return NULL;
    for (int i = 0; i < 3; i++) {
        errno = 0;
        v[i] = strtod(s, &end);
        if (end == s || errno == ERANGE || !isfinite(v[i]))
            return NULL;
        s = skip_space(end);
        if (*s++ != (i < 2 ? ',' : ')'))
            return NULL;
    }
    return s;
}

/* Parses a non-negative integer that fits in a long (or -1 when allow_minus_one). */
static int parse_long(const char *s, long *out, int allow_minus_one)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(s, &end, 10);
    if (end == s || errno == ERANGE || *skip_space(end) != '\0')
        return 0;
    if (v < 0 && !(allow_minus_one && v == -1))
        return 0;
    *out = v;
    return 1;
}

static rad_status parse_field(nrrd_header *h, const char *key, const char *value,
                              const char *path, rad_error *error)
{
    char low[128];

#define BAD(what) \
    ri_fail(error, RAD_ERR_FORMAT, "%s: invalid NRRD field \"%s: %s\"; expected %s", path, key, \
            value, what)

    if (strcmp(key, "type") == 0) {
        trimmed_lower(value, low, sizeof low);
        for (size_t i = 0; i < sizeof type_names / sizeof type_names[0]; i++)
            if (strcmp(low, type_names[i].name) == 0)
                h->type = type_names[i].type;
        if (h->type == T_NONE)
            return ri_fail(error, RAD_ERR_UNSUPPORTED,
                           "%s: NRRD type \"%s\" is not supported; expected a scalar integer "
                           "type, float or double", path, value);
    } else if (strcmp(key, "dimension") == 0) {
        long d;
        if (!parse_long(value, &d, 0))
            return BAD("an integer");
        if (d != 3)
            return ri_fail(error, RAD_ERR_UNSUPPORTED,
                           "%s: NRRD dimension %ld is not supported; expected 3", path, d);
        h->dimension = 3;
    } else if (strcmp(key, "sizes") == 0) {
        const char *s = value;
        char *end;
        if (h->dimension != 3)
            return BAD("\"dimension: 3\" before \"sizes\"");
        for (int a = 0; a < 3; a++) {
            unsigned long long n;
            s = skip_space(s);
            if (!isdigit((unsigned char)*s))
                return BAD("3 positive integers");
            errno = 0;
            n = strtoull(s, &end, 10);
            if (errno == ERANGE || n > RI_MAX_VOXELS)
                return ri_fail(error, RAD_ERR_TOO_LARGE,
                               "%s: NRRD sizes \"%s\" exceed the maximum of %zu voxels", path,
                               value, RI_MAX_VOXELS);
            if (n == 0)
                return BAD("3 positive integers");
            h->sizes[a] = (size_t)n;
            s = end;
        }
        if (*skip_space(s) != '\0')
            return BAD("3 positive integers");
        h->have_sizes = 1;
    } else if (strcmp(key, "space") == 0) {
        trimmed_lower(value, low, sizeof low);
        if (strcmp(low, "right-anterior-superior") == 0 || strcmp(low, "ras") == 0)
            h->space = 1;
        else if (strcmp(low, "left-posterior-superior") == 0 || strcmp(low, "lps") == 0)
            h->space = 2;
        else if (strcmp(low, "left-anterior-superior") == 0 || strcmp(low, "las") == 0)
            h->space = 3;
        else
            return ri_fail(error, RAD_ERR_UNSUPPORTED,
                           "%s: NRRD space \"%s\" is not supported; expected RAS, LPS or LAS",
                           path, value);
        h->space_dimension = 3;
    } else if (strcmp(key, "space dimension") == 0) {
        long d;
        if (!parse_long(value, &d, 0) || d != 3)
            return BAD("3");
        h->space_dimension = 3;
    } else if (strcmp(key, "space directions") == 0) {
        const char *s = value;
        for (int a = 0; a < 3; a++) {
            s = parse_vector(s, h->directions[a]);
            if (s == NULL)
                return BAD("3 vectors \"(x,y,z)\" (one per spatial axis)");
        }
        if (*skip_space(s) != '\0')
            return BAD("exactly 3 vectors");
        h->have_directions = 1;
    } else if (strcmp(key, "space origin") == 0) {
        const char *s = parse_vector(value, h->origin);
        if (s == NULL || *skip_space(s) != '\0')
            return BAD("one vector \"(x,y,z)\"");
        h->have_origin = 1;
    } else if (strcmp(key, "spacings") == 0) {
        if (!parse_doubles(value, h->spacings, 3))
            return BAD("3 finite numbers");
        for (int a = 0; a < 3; a++)
            if (!(h->spacings[a] > 0))
                return BAD("3 numbers > 0");
        h->have_spacings = 1;
    } else if (strcmp(key, "kinds") == 0) {
        char word[32];
        const char *s = value;
        for (int a = 0; a < 3; a++) {
            size_t n = 0;
            s = skip_space(s);
            while (*s && *s != ' ' && *s != '\t' && n + 1 < sizeof word)
                word[n++] = (char)tolower((unsigned char)*s++);
            word[n] = '\0';
            if (strcmp(word, "domain") != 0 && strcmp(word, "space") != 0 &&
                strcmp(word, "???") != 0 && strcmp(word, "none") != 0)
                return ri_fail(error, RAD_ERR_UNSUPPORTED,
                               "%s: NRRD kinds \"%s\": axis %d is \"%s\"; only scalar volumes "
                               "(domain or space axes) are supported", path, value, a, word);
        }
        if (*skip_space(s) != '\0')
            return BAD("3 kinds");
        h->have_kinds = 1;
    } else if (strcmp(key, "endian") == 0) {
        trimmed_lower(value, low, sizeof low);
        if (strcmp(low, "little") == 0)
            h->big_endian = 0;
        else if (strcmp(low, "big") == 0)
            h->big_endian = 1;
        else
            return BAD("little or big");
    } else if (strcmp(key, "encoding") == 0) {
        trimmed_lower(value, low, sizeof low);
        if (strcmp(low, "raw") == 0)
            h->gzip = 0;
        else if (strcmp(low, "gzip") == 0 || strcmp(low, "gz") == 0)
            h->gzip = 1;
        else
            return ri_fail(error, RAD_ERR_UNSUPPORTED,
                           "%s: NRRD encoding \"%s\" is not supported; expected raw or gzip",
                           path, value);
    } else if (strcmp(key, "data file") == 0 || strcmp(key, "datafile") == 0) {
        const char *s = skip_space(value);
        size_t n = strlen(s);
        while (n > 0 && isspace((unsigned char)s[n - 1]))
            n--;
        if (n == 0 || n >= sizeof h->data_file)
            return BAD("one file name");
        if (strncmp(s, "LIST", 4) == 0 || memchr(s, '%', n) != NULL || memchr(s, ' ', n))
            return ri_fail(error, RAD_ERR_UNSUPPORTED,
                           "%s: NRRD data file \"%s\": multi-file data is not supported", path,
                           value);
        memcpy(h->data_file, s, n);
        h->data_file[n] = '\0';
    } else if (strcmp(key, "line skip") == 0 || strcmp(key, "lineskip") == 0) {
        if (!parse_long(value, &h->line_skip, 0))
            return BAD("an integer >= 0");
    } else if (strcmp(key, "byte skip") == 0 || strcmp(key, "byteskip") == 0) {
        if (!parse_long(value, &h->byte_skip, 1))
            return BAD("an integer >= -1");
    }
    /* Any other field leaves the grid and the values unchanged. */
#undef BAD
    return RAD_OK;
}

/* Reads one line into buf without its newline. Returns 1 on a line, 0 at
 * end of file, -1 when the line is longer than the buffer. */
static int read_line(FILE *f, char *buf, size_t size, size_t *consumed)
{
    size_t n = 0;
    int c;

    while ((c = getc(f)) != EOF) {
        (*consumed)++;
        if (c == '\n')
            break;
        if (n + 1 >= size)
            return -1;
        buf[n++] = (char)c;
    }
    if (c == EOF && n == 0)
        return 0;
    if (n > 0 && buf[n - 1] == '\r')
        n--;
    buf[n] = '\0';
    return 1;
}

/* Parses the header; *data_offset receives the position after it. */
static rad_status parse_header(FILE *f, const char *path, nrrd_header *h, long *data_offset,
                               rad_error *error)
{
    char line[NRRD_MAX_LINE];
    char seen[16][24];
    int n_seen = 0, r;
    size_t consumed = 0;

    r = read_line(f, line, sizeof line, &consumed);
    if (r != 1 || strncmp(line, "NRRD000", 7) != 0 || line[7] < '1' || line[7] > '5' ||
        line[8] != '\0')
        return ri_fail(error, RAD_ERR_FORMAT,
                       "%s: first line is not a NRRD magic (\"NRRD0001\" to \"NRRD0005\")",
                       path);

    while ((r = read_line(f, line, sizeof line, &consumed)) == 1) {
        char key[24];
        const char *colon;
        size_t klen;

        if (consumed > NRRD_MAX_HEADER)
            return ri_fail(error, RAD_ERR_FORMAT, "%s: NRRD header exceeds %d bytes", path,
                           NRRD_MAX_HEADER);
        if (line[0] == '\0')
            break; /* blank line: the attached data follow */
        if (line[0] == '#' || strstr(line, ":=") != NULL)
            continue;
        colon = strstr(line, ": ");
        if (colon == NULL)
            return ri_fail(error, RAD_ERR_FORMAT,
                           "%s: NRRD header line \"%.80s\" is not \"field: value\"", path, line);
        klen = (size_t)(colon - line);
        if (klen >= sizeof key) /* no field of interest is this long */
            continue;
        for (size_t i = 0; i < klen; i++)
            key[i] = (char)tolower((unsigned char)line[i]);
        key[klen] = '\0';

        for (int i = 0; i < n_seen; i++)
            if (strcmp(seen[i], key) == 0)
                return ri_fail(error, RAD_ERR_FORMAT, "%s: NRRD field \"%s\" appears twice",
                               path, key);
        if (n_seen < 16)
            strcpy(seen[n_seen++], key);

        rad_status status = parse_field(h, key, colon + 2, path, error);
        if (status != RAD_OK)
            return status;
    }
    if (r < 0)
        return ri_fail(error, RAD_ERR_FORMAT, "%s: NRRD header line longer than %d bytes",
                       path, NRRD_MAX_LINE);
    if (ferror(f))
        return ri_fail(error, RAD_ERR_IO, "%s: read error in the NRRD header", path);
    *data_offset = (long)consumed;
    return RAD_OK;
}

static rad_status check_header(const nrrd_header *h, const char *path, rad_error *error)
{
    const char *missing = NULL;

    if (h->type == T_NONE)
        missing = "type";
    else if (h->dimension == 0)
        missing = "dimension";
    else if (!h->have_sizes)
        missing = "sizes";
    else if (h->gzip < 0)
        missing = "encoding";
    else if (h->big_endian < 0 && type_bytes(h->type) > 1)
        missing = "endian";
    if (missing != NULL)
        return ri_fail(error, RAD_ERR_FORMAT, "%s: required NRRD field \"%s\" is missing", path,
                       missing);
    if (h->sizes[1] > RI_MAX_VOXELS / h->sizes[0] ||
        h->sizes[2] > RI_MAX_VOXELS / (h->sizes[0] * h->sizes[1]))
        return ri_fail(error, RAD_ERR_TOO_LARGE,
                       "%s: NRRD sizes %zu x %zu x %zu exceed the maximum of %zu voxels", path,
                       h->sizes[0], h->sizes[1], h->sizes[2], RI_MAX_VOXELS);
    if (h->have_directions && h->space_dimension != 3)
        return ri_fail(error, RAD_ERR_FORMAT,
                       "%s: NRRD \"space directions\" given without \"space\" or "
                       "\"space dimension: 3\"", path);
    if (h->have_origin && !h->have_directions)
        return ri_fail(error, RAD_ERR_FORMAT,
                       "%s: NRRD \"space origin\" given without \"space directions\"", path);
    if (h->space_dimension == 3 && h->space == 0)
        return ri_fail(error, RAD_ERR_UNSUPPORTED,
                       "%s: NRRD \"space dimension: 3\" without a named space (RAS, LPS, LAS) "
                       "leaves the world frame undefined", path);
    if (h->byte_skip == -1 && h->gzip)
        return ri_fail(error, RAD_ERR_FORMAT,
                       "%s: NRRD \"byte skip: -1\" is only valid with raw encoding", path);
    return RAD_OK;
}

/* Sets the geometry of v from the header, converting to RAS. */
static rad_status set_geometry(const nrrd_header *h, rad_volume *v, const char *path,
                               rad_error *error)
{
    double sign[3] = {1, 1, 1};

    if (h->space == 2)
        sign[0] = sign[1] = -1;
    else if (h->space == 3)
        sign[0] = -1;

    if (!h->have_directions) {
        for (int a = 0; a < 3; a++) {
            v->spacing[a] = h->have_spacings ? h->spacings[a] : 1.0;
            v->origin[a] = 0;
        }
        return RAD_OK;
    }
    for (int c = 0; c < 3; c++) {
        const double *d = h->directions[c];
        double norm = sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
        if (!(norm > 0) || !isfinite(norm))
            return ri_fail(error, RAD_ERR_FORMAT,
                           "%s: NRRD space direction of axis %d has length %g; expected > 0",
                           path, c, norm);
        v->spacing[c] = norm;
        for (int r = 0; r < 3; r++)
            v->direction[3 * r + c] = sign[r] * d[r] / norm;
    }
    for (int r = 0; r < 3; r++)
        v->origin[r] = h->have_origin ? sign[r] * h->origin[r] : 0;
    return RAD_OK;
}

/* Opens the data file: the header file itself or the detached file named
 * relative to the header's folder. */
static FILE *open_data(const char *path, const nrrd_header *h, char *name, size_t size)
{
    const char *slash;

    if (h->data_file[0] == '\0')
        snprintf(name, size, "%s", path);
    else if (h->data_file[0] == '/')
        snprintf(name, size, "%s", h->data_file);
    else if ((slash = strrchr(path, '/')) != NULL)
        snprintf(name, size, "%.*s/%s", (int)(slash - path), path, h->data_file);
    else
        snprintf(name, size, "%s", h->data_file);
    return fopen(name, "rb");
}

/* Skips `lines` newline-terminated lines of f. */
static int skip_lines(FILE *f, long lines)
{
    int c;

    while (lines > 0 && (c = getc(f)) != EOF)
        if (c == '\n')
            lines--;
    return lines == 0;
}

/* Reads `bytes` bytes of voxel data into buf. */
static rad_status read_data(const char *path, const nrrd_header *h, long header_end,
                            void *buf, size_t bytes, rad_error *error)
{
    char name[NRRD_MAX_PATH + 16];
    struct stat st;
    long offset;
    FILE *f = open_data(path, h, name, sizeof name);

    if (f == NULL)
        return ri_fail(error, RAD_ERR_IO, "%s: cannot open NRRD data file %s: %s", path, name,
                       strerror(errno));
    if (fstat(fileno(f), &st) != 0) {
        fclose(f);
        return ri_fail(error, RAD_ERR_IO, "%s: cannot stat %s", path, name);
    }
    /* A device or pipe has no size to check the data against, and skipping
     * lines of /dev/zero would never end. */
    if (!S_ISREG(st.st_mode)) {
        fclose(f);
        return ri_fail(error, RAD_ERR_FORMAT,
                       "%s: NRRD data file %s is not a regular file", path, name);
    }
    offset = h->data_file[0] == '\0' ? header_end : 0;
    if (fseek(f, offset, SEEK_SET) != 0 || !skip_lines(f, h->line_skip)) {
        fclose(f);
        return ri_fail(error, RAD_ERR_FORMAT, "%s: NRRD line skip %ld passes the end of %s",
                       path, h->line_skip, name);
    }
    offset = ftell(f);

    if (!h->gzip) {
        size_t got;
        if (h->byte_skip == -1)
            offset = (long)st.st_size - (long)bytes;
        else
            offset += h->byte_skip;
        if (offset < 0 || (double)offset + (double)bytes > (double)st.st_size) {
            fclose(f);
            return ri_fail(error, RAD_ERR_FORMAT,
                           "%s: NRRD data need %zu bytes but %s has %lld bytes from offset "
                           "%ld; the file is truncated", path, bytes, name,
                           (long long)st.st_size, offset < 0 ? 0 : offset);
        }
        got = fseek(f, offset, SEEK_SET) == 0 ? fread(buf, 1, bytes, f) : 0;
        fclose(f);
        if (got != bytes)
            return ri_fail(error, RAD_ERR_IO, "%s: cannot read %zu bytes of data from %s", path,
                           bytes, name);
        return RAD_OK;
    }

    /* gzip: the byte skip counts decompressed bytes. */
    if ((double)bytes + (double)h->byte_skip >
        ((double)st.st_size - (double)offset) * DEFLATE_MAX_RATIO) {
        fclose(f);
        return ri_fail(error, RAD_ERR_FORMAT,
                       "%s: NRRD header claims %zu bytes of data but %s holds too little "
                       "compressed data for that; the file is damaged", path, bytes, name);
    }
    int fd = dup(fileno(f));
    fclose(f);
    if (fd < 0 || lseek(fd, offset, SEEK_SET) != offset) {
        if (fd >= 0)
            close(fd);
        return ri_fail(error, RAD_ERR_IO, "%s: cannot seek in %s", path, name);
    }
    gzFile g = gzdopen(fd, "rb");
    if (g == NULL) {
        close(fd);
        return ri_fail(error, RAD_ERR_NO_MEMORY, "%s: cannot start gzip decoding", path);
    }
    rad_status status = RAD_OK;
    if (h->byte_skip > 0 && gzseek(g, h->byte_skip, SEEK_CUR) != h->byte_skip)
        status = ri_fail(error, RAD_ERR_FORMAT, "%s: NRRD byte skip %ld passes the end of %s",
                         path, h->byte_skip, name);
    size_t done = 0;
    while (status == RAD_OK && done < bytes) {
        size_t want = bytes - done > (1u << 30) ? (1u << 30) : bytes - done;
        int got = gzread(g, (char *)buf + done, (unsigned)want);
        if (got <= 0) {
            int zerr;
            const char *msg = gzerror(g, &zerr);
            status = ri_fail(error, RAD_ERR_FORMAT,
                             "%s: gzip data of %s end after %zu of %zu bytes (%s); the file "
                             "is truncated or damaged", path, name, done, bytes,
                             zerr != Z_OK && msg ? msg : "end of file");
            break;
        }
        done += (size_t)got;
    }
    gzclose(g);
    return status;
}

static int host_is_big_endian(void)
{
    const uint16_t one = 1;
    return *(const unsigned char *)&one == 0;
}

static void swap_bytes(unsigned char *p, size_t count, size_t width)
{
    for (size_t i = 0; i < count; i++, p += width)
        for (size_t a = 0, b = width - 1; a < b; a++, b--) {
            unsigned char t = p[a];
            p[a] = p[b];
            p[b] = t;
        }
}

static void convert(const void *buf, nrrd_type type, size_t count, double *out)
{
#define CONVERT(ctype)                                                                  \
    do {                                                                                \
        const ctype *src = (const ctype *)buf;                                          \
        for (size_t i = 0; i < count; i++)                                              \
            out[i] = (double)src[i];                                                    \
    } while (0)

    switch (type) {
    case T_INT8: CONVERT(int8_t); break;
    case T_UINT8: CONVERT(uint8_t); break;
    case T_INT16: CONVERT(int16_t); break;
    case T_UINT16: CONVERT(uint16_t); break;
    case T_INT32: CONVERT(int32_t); break;
    case T_UINT32: CONVERT(uint32_t); break;
    case T_INT64: CONVERT(int64_t); break;
    case T_UINT64: CONVERT(uint64_t); break;
    case T_FLOAT: CONVERT(float); break;
    case T_DOUBLE: CONVERT(double); break;
    case T_NONE: break;
    }
#undef CONVERT
}

rad_status ri_read_nrrd(const char *path, rad_volume **out, rad_error *error)
{
    nrrd_header h;
    rad_volume *v = NULL;
    void *buf = NULL;
    long header_end = 0;
    size_t count, width;
    rad_status status;
    double unit[3] = {1, 1, 1}, zero[3] = {0, 0, 0};
    FILE *f;

    if (path == NULL || out == NULL)
        return ri_fail(error, RAD_ERR_ARGUMENT, "ri_read_nrrd: NULL argument");
    f = fopen(path, "rb");
    if (f == NULL)
        return ri_fail(error, RAD_ERR_IO, "cannot open %s: %s", path, strerror(errno));

    memset(&h, 0, sizeof h);
    h.big_endian = -1;
    h.gzip = -1;
    status = parse_header(f, path, &h, &header_end, error);
    fclose(f);
    if (status == RAD_OK)
        status = check_header(&h, path, error);
    if (status == RAD_OK)
        status = rad_volume_create(h.sizes, unit, zero, NULL, &v, error);
    if (status == RAD_OK)
        status = set_geometry(&h, v, path, error);
    if (status != RAD_OK) {
        rad_volume_free(v);
        return status;
    }

    count = ri_voxel_count(v);
    width = type_bytes(h.type);
    buf = malloc(count * width);
    if (buf == NULL) {
        rad_volume_free(v);
        return ri_fail(error, RAD_ERR_NO_MEMORY, "%s: cannot allocate %zu bytes", path,
                       count * width);
    }
    status = read_data(path, &h, header_end, buf, count * width, error);
    if (status == RAD_OK) {
        if (width > 1 && h.big_endian != host_is_big_endian())
            swap_bytes(buf, count, width);
        convert(buf, h.type, count, v->data);
        v->integer_valued = h.type != T_FLOAT && h.type != T_DOUBLE;
    }
    free(buf);
    if (status != RAD_OK) {
        rad_volume_free(v);
        return status;
    }
    *out = v;
    return RAD_OK;
}
