/*
 * cache.c - compact per-case feature vectors and the per-case cache of
 * `calci study` (DIR/.cache/), which lets an interrupted study resume.
 *
 * A cache file is text, one per case, written through a temporary file and
 * rename():
 *   calci case cache 1
 *   key <16 hex digits>
 *   case <case id>
 *   grey_levels <n>
 *   features <n>
 *   <pyradiomics name> TAB <IBSI name> TAB <IEEE-754 bits, 16 hex digits>
 * Values are stored as their bit pattern so that a cached case reproduces
 * the printed table byte for byte, NaN signs included.
 * NOTE: a process killed while writing leaves a "<name>.case.tmp-XXXXXX"
 * file behind; it is never read, and nothing deletes it.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

#define CACHE_MAGIC "calci case cache 1"
/* Upper bound on the features of one case accepted from a cache file. */
#define CACHE_MAX_FEATURES 100000

/* ------------------------------------------------------------------ */
/* Compact feature vectors                                              */

case_features *case_features_alloc(size_t n_features)
{
    case_features *cf = calloc(1, sizeof *cf);

    if (cf == NULL)
        return NULL;
    cf->n_features = n_features;
    cf->names = calloc(n_features + 1, sizeof *cf->names);
    cf->ibsi_names = calloc(n_features + 1, sizeof *cf->ibsi_names);
    cf->values = malloc((n_features + 1) * sizeof *cf->values);
    if (cf->names == NULL || cf->ibsi_names == NULL || cf->values == NULL) {
        case_features_free(cf);
        return NULL;
    }
    return cf;
}

void case_features_free(case_features *cf)
{
    if (cf == NULL)
        return;
    for (size_t j = 0; j < cf->n_features; j++) {
        if (cf->names)
            free(cf->names[j]);
        if (cf->ibsi_names)
            free(cf->ibsi_names[j]);
    }
    free(cf->names);
    free(cf->ibsi_names);
    free(cf->values);
    free(cf);
}

case_features *case_features_from(const rad_features *f)
{
    size_t n = rad_features_count(f);
    case_features *cf = case_features_alloc(n);

    if (cf == NULL)
        goto no_memory;
    for (size_t j = 0; j < n; j++) {
        cf->names[j] = strdup(rad_features_name(f, j));
        cf->ibsi_names[j] = feature_ibsi_name(f, j);
        if (cf->names[j] == NULL || cf->ibsi_names[j] == NULL)
            goto no_memory;
        cf->values[j] = rad_features_value(f, j);
    }
    cf->grey_levels = rad_features_min_grey_levels(f);
    return cf;

no_memory:
    cli_error("out of memory copying %zu feature values", n);
    case_features_free(cf);
    return NULL;
}

extraction *extraction_create(size_t n_cases)
{
    extraction *x = calloc(1, sizeof *x);

    if (x == NULL)
        return NULL;
    x->n_cases = n_cases;
    x->grey_levels = calloc(n_cases + 1, sizeof *x->grey_levels);
    if (x->grey_levels == NULL) {
        free(x);
        return NULL;
    }
    return x;
}

/* Takes the feature names of cf as the names of every case. */
static int adopt_names(extraction *x, const case_features *cf)
{
    size_t n = cf->n_features;

    x->names = calloc(n + 1, sizeof *x->names);
    x->ibsi_names = calloc(n + 1, sizeof *x->ibsi_names);
    x->values = malloc((x->n_cases * n + 1) * sizeof *x->values);
    if (x->names == NULL || x->ibsi_names == NULL || x->values == NULL)
        return -1;
    /* n_features counts the names allocated so far, for extraction_free. */
    for (size_t j = 0; j < n; j++) {
        x->names[j] = strdup(cf->names[j]);
        x->ibsi_names[j] = strdup(cf->ibsi_names[j]);
        x->n_features = j + 1;
        if (x->names[j] == NULL || x->ibsi_names[j] == NULL)
            return -1;
    }
    x->n_features = n;
    return 0;
}

int extraction_store(extraction *x, const manifest *m, size_t i, const case_features *cf)
{
    if (x->names == NULL) {
        x->first_case = i;
        if (adopt_names(x, cf) != 0) {
            cli_error("out of memory storing the features of %zu cases", x->n_cases);
            return -1;
        }
    }
    if (cf->n_features != x->n_features) {
        cli_error("case %s gave %zu features, case %s gave %zu", m->cases[i].case_id,
                  cf->n_features, m->cases[x->first_case].case_id, x->n_features);
        return -1;
    }
    for (size_t j = 0; j < x->n_features; j++)
        if (strcmp(cf->names[j], x->names[j]) != 0) {
            cli_error("case %s gave feature %zu as %s, case %s as %s", m->cases[i].case_id,
                      j + 1, cf->names[j], m->cases[x->first_case].case_id, x->names[j]);
            return -1;
        }
    memcpy(&x->values[i * x->n_features], cf->values, x->n_features * sizeof *cf->values);
    x->grey_levels[i] = cf->grey_levels;
    return 0;
}

/* ------------------------------------------------------------------ */
/* Cache keys                                                           */

/* Growable text buffer for the key material. */
typedef struct text_buffer {
    char *data;
    size_t length, capacity;
    int failed;
} text_buffer;

static void text_append(text_buffer *t, const char *bytes, size_t n)
{
    if (t->failed)
        return;
    if (t->length + n + 1 > t->capacity) {
        size_t capacity = (t->length + n + 1) * 2;
        char *data = realloc(t->data, capacity);
        if (data == NULL) {
            t->failed = 1;
            return;
        }
        t->data = data;
        t->capacity = capacity;
    }
    memcpy(t->data + t->length, bytes, n);
    t->length += n;
    t->data[t->length] = '\0';
}

/* Appends "name=value" and a NUL byte, so that fields cannot run together. */
static void text_field(text_buffer *t, const char *name, const char *value)
{
    text_append(t, name, strlen(name));
    text_append(t, "=", 1);
    text_append(t, value, strlen(value));
    text_append(t, "", 1);
}

/* Appends the whole content of a file; returns -1 when it cannot be read. */
static int text_file(text_buffer *t, const char *path)
{
    FILE *file = fopen(path, "rb");
    char chunk[4096];
    size_t n;

    if (file == NULL)
        return -1;
    while ((n = fread(chunk, 1, sizeof chunk, file)) > 0)
        text_append(t, chunk, n);
    n = (size_t)ferror(file);
    fclose(file);
    text_append(t, "", 1);
    return n != 0 ? -1 : 0;
}

/* 64-bit FNV-1a hash. */
static uint64_t fnv1a(const char *bytes, size_t n)
{
    uint64_t h = UINT64_C(14695981039346656037);

    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)bytes[i];
        h *= UINT64_C(1099511628211);
    }
    return h;
}

/* Settings whose values rad_params_get reports; the per-case "label" is
 * hashed from the manifest instead. */
static const char *const hashed_settings[] = {
    "binWidth", "resampledPixelSpacing", "interpolator", "padDistance", "normalize",
    "normalizeScale", "removeOutliers", "voxelArrayShift", "geometryTolerance",
    "minimumROIDimensions", "minimumROISize", "preCrop", "symmetricalGLCM", "distances",
    "gldm_a", "wavelet", "level", "ibsiBinEdges", "excessKurtosis", "boxAirThreshold",
    "boxFatMin", "boxFatMax", "boxMuscleMin", "boxMuscleMax", "boxBoneMin", NULL};

case_cache *case_cache_open(const char *dir, const rad_params *params, const char *preset,
                            const char *params_path, char **settings, size_t n_settings)
{
    case_cache *cache = calloc(1, sizeof *cache);
    text_buffer t = {0};
    char value[256];

    if (cache == NULL || (cache->dir = strdup(dir)) == NULL)
        goto no_memory;
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        cli_error("cannot create the cache folder %s: %s (run with --no-cache to skip it)",
                  dir, strerror(errno));
        goto fail;
    }
    /* The enabled image types and features are not readable through
     * rad_params_get, so the key takes the preset name, the bytes of the
     * --params file and the --set options that produced params. */
    text_field(&t, "calci", CALCI_VERSION_STRING);
    text_field(&t, "libcalci", calci_version_string());
    text_field(&t, "libradiomics", rad_version_string());
    text_field(&t, "preset", params_path ? "" : preset);
    if (params_path != NULL) {
        text_field(&t, "params", params_path);
        if (text_file(&t, params_path) != 0) {
            cli_error("cannot read %s for the cache key: %s", params_path, strerror(errno));
            goto fail;
        }
    }
    for (size_t i = 0; i < n_settings; i++)
        text_field(&t, "set", settings[i]);
    for (const char *const *s = hashed_settings; *s; s++)
        if (rad_params_get(params, *s, value, sizeof value, NULL) == RAD_OK)
            text_field(&t, *s, value);
    if (t.failed)
        goto no_memory;
    cache->settings = t.data;
    cache->settings_length = t.length;
    return cache;

no_memory:
    cli_error("out of memory opening the case cache");
fail:
    free(t.data);
    case_cache_close(cache);
    return NULL;
}

void case_cache_close(case_cache *cache)
{
    if (cache == NULL)
        return;
    free(cache->dir);
    free(cache->settings);
    free(cache);
}

/* Appends path, size and modification time of a file; -1 when stat fails. */
static int text_file_identity(text_buffer *t, const char *name, const char *path)
{
    struct stat st;
    char text[96];

    if (stat(path, &st) != 0)
        return -1;
    text_field(t, name, path);
    snprintf(text, sizeof text, "%jd %jd.%09ld", (intmax_t)st.st_size,
             (intmax_t)st.st_mtim.tv_sec, (long)st.st_mtim.tv_nsec);
    text_field(t, "identity", text);
    return 0;
}

int case_cache_key(const case_cache *cache, const manifest_case *c, uint64_t *key)
{
    text_buffer t = {0};
    char text[160];
    int status = -1;

    text_append(&t, cache->settings, cache->settings_length);
    text_field(&t, "case", c->case_id);
    if (text_file_identity(&t, "image", c->image) != 0)
        goto done;
    if (c->mask != NULL) {
        if (text_file_identity(&t, "mask", c->mask) != 0)
            goto done;
        snprintf(text, sizeof text, "%.17g", c->label_value);
        text_field(&t, "label", text);
    } else {
        snprintf(text, sizeof text, "%.17g,%.17g,%.17g %.17g", c->box[0], c->box[1],
                 c->box[2], c->box_size);
        text_field(&t, "box", text);
    }
    if (!t.failed) {
        *key = fnv1a(t.data, t.length);
        status = 0;
    }

done:
    free(t.data);
    return status;
}

/* ------------------------------------------------------------------ */
/* Cache files                                                          */

/* DIR/<case id>.case, with every byte other than A-Z, a-z, 0-9, '_' and '-'
 * written as %XX, so that each case id gives its own file name. */
static char *cache_path(const case_cache *cache, const char *case_id)
{
    size_t len = strlen(cache->dir) + 3 * strlen(case_id) + 16;
    char *path = malloc(len);
    char *p;

    if (path == NULL)
        return NULL;
    p = path + sprintf(path, "%s/", cache->dir);
    for (const unsigned char *s = (const unsigned char *)case_id; *s; s++) {
        if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
            (*s >= '0' && *s <= '9') || *s == '_' || *s == '-')
            *p++ = (char)*s;
        else
            p += sprintf(p, "%%%02X", *s);
    }
    strcpy(p, ".case");
    return path;
}

/* Reads one line without its newline; NULL at the end of the file. */
static char *read_line(FILE *file, char **line, size_t *capacity)
{
    ssize_t n = getline(line, capacity, file);

    if (n <= 0 || (*line)[n - 1] != '\n')
        return NULL;
    (*line)[n - 1] = '\0';
    return *line;
}

/* Parses "<prefix> <unsigned decimal>"; returns -1 on any other text. */
static int parse_count(const char *line, const char *prefix, unsigned long long max,
                       unsigned long long *out)
{
    size_t len = strlen(prefix);
    char *end;

    if (line == NULL || strncmp(line, prefix, len) != 0 || line[len] != ' ' ||
        line[len + 1] < '0' || line[len + 1] > '9')
        return -1;
    errno = 0;
    *out = strtoull(line + len + 1, &end, 10);
    return *end != '\0' || errno != 0 || *out > max ? -1 : 0;
}

/* Splits "name TAB ibsi TAB bits" into cf's slot j; -1 on malformed text. */
static int parse_feature(char *line, case_features *cf, size_t j)
{
    char *tab1 = strchr(line, '\t');
    char *tab2 = tab1 ? strchr(tab1 + 1, '\t') : NULL;
    uint64_t bits;
    char *end;

    if (tab2 == NULL || tab1 == line || strlen(tab2 + 1) != 16)
        return -1;
    *tab1 = *tab2 = '\0';
    errno = 0;
    bits = strtoull(tab2 + 1, &end, 16);
    if (*end != '\0' || errno != 0)
        return -1;
    memcpy(&cf->values[j], &bits, sizeof bits);
    cf->names[j] = strdup(line);
    cf->ibsi_names[j] = strdup(tab1 + 1);
    return cf->names[j] == NULL || cf->ibsi_names[j] == NULL ? -1 : 0;
}

case_features *case_cache_load(const case_cache *cache, const manifest_case *c, uint64_t key)
{
    char *path = cache_path(cache, c->case_id);
    FILE *file = path ? fopen(path, "r") : NULL;
    char *line = NULL, expected[64];
    size_t capacity = 0;
    unsigned long long grey_levels, n;
    case_features *cf = NULL;

    if (file == NULL)
        goto fail;
    snprintf(expected, sizeof expected, "key %016" PRIx64, key);
    if (read_line(file, &line, &capacity) == NULL || strcmp(line, CACHE_MAGIC) != 0 ||
        read_line(file, &line, &capacity) == NULL || strcmp(line, expected) != 0 ||
        read_line(file, &line, &capacity) == NULL || strncmp(line, "case ", 5) != 0 ||
        strcmp(line + 5, c->case_id) != 0)
        goto fail;
    if (parse_count(read_line(file, &line, &capacity), "grey_levels", INT_MAX, &grey_levels) ||
        parse_count(read_line(file, &line, &capacity), "features", CACHE_MAX_FEATURES, &n))
        goto fail;
    if ((cf = case_features_alloc((size_t)n)) == NULL)
        goto fail;
    cf->grey_levels = (int)grey_levels;
    for (size_t j = 0; j < cf->n_features; j++)
        if (read_line(file, &line, &capacity) == NULL || parse_feature(line, cf, j) != 0)
            goto fail;
    if (getc(file) != EOF)
        goto fail;
    fclose(file);
    free(line);
    free(path);
    return cf;

fail:
    /* A missing, stale or damaged file only means the case is extracted again. */
    case_features_free(cf);
    if (file != NULL)
        fclose(file);
    free(line);
    free(path);
    return NULL;
}

typedef struct cache_entry {
    const manifest_case *c;
    uint64_t key;
    const case_features *cf;
} cache_entry;

static int write_entry(FILE *file, void *user)
{
    const cache_entry *e = user;
    const case_features *cf = e->cf;

    fprintf(file, "%s\nkey %016" PRIx64 "\ncase %s\ngrey_levels %d\nfeatures %zu\n",
            CACHE_MAGIC, e->key, e->c->case_id, cf->grey_levels, cf->n_features);
    for (size_t j = 0; j < cf->n_features; j++) {
        uint64_t bits;
        memcpy(&bits, &cf->values[j], sizeof bits);
        fprintf(file, "%s\t%s\t%016" PRIx64 "\n", cf->names[j], cf->ibsi_names[j], bits);
    }
    return 0;
}

int case_cache_store(const case_cache *cache, const manifest_case *c, uint64_t key,
                     const case_features *cf)
{
    cache_entry entry = {c, key, cf};
    char *path = cache_path(cache, c->case_id);
    int status;

    if (path == NULL) {
        cli_error("out of memory writing the cache of case %s", c->case_id);
        return -1;
    }
    /* Names with a tab or newline would not read back; such a case is not cached. */
    for (size_t j = 0; j < cf->n_features; j++)
        if (strpbrk(cf->names[j], "\t\n") || strpbrk(cf->ibsi_names[j], "\t\n")) {
            free(path);
            return -1;
        }
    status = write_atomically(path, write_entry, &entry);
    free(path);
    return status;
}
