/*
 * params_yaml.c - rad_params_read: pyradiomics YAML parameter files.
 *
 * The parser accepts a strict YAML subset, enough for pyradiomics' files.
 * It reads block mappings nested by indentation (spaces only) and block
 * lists ("- a", indented under their key or at the key's indentation). On a
 * key's line it reads flow lists ("[1, 2, 3]", one level), flow mappings of
 * scalars ("{}", "{wavelet: coif1}") and plain, 'single' or "double" quoted
 * scalars. "#" comments and a leading "---" are skipped. Tabs, anchors (&), aliases (*), tags (!),
 * block scalars (| and >), mappings inside lists and duplicate keys are
 * rejected with the line number. Scalars stay text; rad_params_set parses
 * them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Largest parameter file read (bytes) and deepest nesting accepted. */
#define MAX_FILE_BYTES (1 << 20)
#define MAX_DEPTH 16

typedef enum node_kind { NODE_NULL, NODE_SCALAR, NODE_LIST, NODE_MAP } node_kind;

typedef struct node {
    node_kind kind;
    int line;
    char *text;            /* NODE_SCALAR */
    size_t count;          /* items of a list, entries of a map */
    struct node **items;   /* list items, or map values */
    char **keys;           /* map keys */
    int *key_lines;
} node;

typedef struct source_line {
    int number;  /* 1-based line in the file */
    int indent;  /* leading spaces */
    char *text;  /* content after the indentation, comment and trailing spaces removed */
} source_line;

typedef struct parser {
    const char *path;
    source_line *lines;
    size_t n_lines;
    size_t pos;
    rad_error *error;
} parser;

static void node_free(node *n)
{
    if (n == NULL)
        return;
    free(n->text);
    for (size_t i = 0; i < n->count; i++) {
        node_free(n->items[i]);
        if (n->keys)
            free(n->keys[i]);
    }
    free(n->items);
    free(n->keys);
    free(n->key_lines);
    free(n);
}

static node *node_new(node_kind kind, int line)
{
    node *n = calloc(1, sizeof *n);

    if (n != NULL) {
        n->kind = kind;
        n->line = line;
    }
    return n;
}

/* Appends item (and key, for maps) to n; frees item and returns 0 on failure. */
static int node_append(node *n, char *key, int key_line, node *item)
{
    node **items = realloc(n->items, (n->count + 1) * sizeof *items);

    if (items == NULL) {
        node_free(item);
        free(key);
        return 0;
    }
    n->items = items;
    if (n->kind == NODE_MAP) {
        char **keys = realloc(n->keys, (n->count + 1) * sizeof *keys);
        if (keys == NULL) {
            node_free(item);
            free(key);
            return 0;
        }
        n->keys = keys;
        int *lines = realloc(n->key_lines, (n->count + 1) * sizeof *lines);
        if (lines == NULL) {
            node_free(item);
            free(key);
            return 0;
        }
        n->key_lines = lines;
        n->keys[n->count] = key;
        n->key_lines[n->count] = key_line;
    }
    n->items[n->count++] = item;
    return 1;
}

static rad_status syntax_error(parser *p, int line, const char *what)
{
    return ri_fail(p->error, RAD_ERR_FORMAT, "%s:%d: %s", p->path, line, what);
}

static rad_status no_memory(parser *p)
{
    return ri_fail(p->error, RAD_ERR_NO_MEMORY, "%s: out of memory reading parameters", p->path);
}

/* ------------------------------------------------------------------ */
/* Lines                                                                */

/*
 * Removes a comment ("#" at the start or after a space, outside quotes) and
 * trailing spaces in place. Returns 0 on an unterminated quote.
 */
static int strip_comment(char *text)
{
    char quote = 0;
    size_t n;

    for (char *c = text; *c; c++) {
        if (quote) {
            if (*c == quote)
                quote = 0;
            continue;
        }
        if ((*c == '\'' || *c == '"') && (c == text || strchr(" [{,:", c[-1]) != NULL))
            quote = *c;
        else if (*c == '#' && (c == text || c[-1] == ' ')) {
            *c = '\0';
            break;
        }
    }
    n = strlen(text);
    while (n > 0 && text[n - 1] == ' ')
        text[--n] = '\0';
    return quote == 0;
}

/* Splits buffer (modified in place) into the non-blank lines of p. */
static rad_status split_lines(parser *p, char *buffer)
{
    size_t capacity = 0;
    int number = 0;
    char *next = buffer;

    while (next != NULL && *next != '\0') {
        char *line = next, *end = strchr(line, '\n');
        int indent = 0;

        number++;
        next = end ? end + 1 : NULL;
        if (end)
            *end = '\0';
        if (end && end > line && end[-1] == '\r')
            end[-1] = '\0';
        if (strchr(line, '\t') != NULL)
            return syntax_error(p, number, "tab character; YAML indentation uses spaces");
        while (line[indent] == ' ')
            indent++;
        line += indent;
        if (!strip_comment(line))
            return syntax_error(p, number, "unterminated quoted string");
        if (*line == '\0')
            continue;
        if (p->n_lines == 0 && strcmp(line, "---") == 0 && indent == 0)
            continue;
        if (strcmp(line, "---") == 0 || strcmp(line, "...") == 0)
            return syntax_error(p, number, "a second YAML document is not supported");
        if (p->n_lines == capacity) {
            size_t cap = capacity ? 2 * capacity : 64;
            source_line *lines = realloc(p->lines, cap * sizeof *lines);
            if (lines == NULL)
                return no_memory(p);
            p->lines = lines;
            capacity = cap;
        }
        p->lines[p->n_lines].number = number;
        p->lines[p->n_lines].indent = indent;
        p->lines[p->n_lines].text = line;
        p->n_lines++;
    }
    return RAD_OK;
}

/* ------------------------------------------------------------------ */
/* Scalars and flow collections                                         */

/* Parses one scalar from text[0..length) into *out (NODE_NULL or NODE_SCALAR). */
static rad_status parse_scalar(parser *p, int line, const char *text, size_t length,
                               node **out)
{
    char *value;
    size_t n = 0;
    node *result;

    while (length > 0 && text[0] == ' ') {
        text++;
        length--;
    }
    while (length > 0 && text[length - 1] == ' ')
        length--;
    if (length > 0 && strchr("&*!|>%@`", text[0]) != NULL)
        return syntax_error(p, line,
                            "anchors, aliases, tags and block scalars are not supported");
    value = malloc(length + 1);
    if (value == NULL)
        return no_memory(p);
    if (length >= 2 && (text[0] == '\'' || text[0] == '"') && text[length - 1] == text[0]) {
        char quote = text[0];
        for (size_t i = 1; i + 1 < length; i++) {
            if (quote == '\'' && text[i] == '\'' && text[i + 1] == '\'' && i + 2 < length)
                i++; /* '' is one quote */
            else if (quote == '"' && text[i] == '\\' && i + 2 < length)
                i++; /* \" and \\ keep the next character */
            else if (text[i] == quote) {
                free(value);
                return syntax_error(p, line, "text after a closing quote");
            }
            value[n++] = text[i];
        }
        value[n] = '\0';
        result = node_new(NODE_SCALAR, line);
    } else {
        if (length > 0 && (text[0] == '\'' || text[0] == '"')) {
            free(value);
            return syntax_error(p, line, "unterminated quoted string");
        }
        memcpy(value, text, length);
        value[length] = '\0';
        n = length;
        int is_null = n == 0 || strcmp(value, "null") == 0 || strcmp(value, "Null") == 0 ||
                      strcmp(value, "NULL") == 0 || strcmp(value, "~") == 0;
        result = node_new(is_null ? NODE_NULL : NODE_SCALAR, line);
    }
    if (result == NULL) {
        free(value);
        return no_memory(p);
    }
    if (result->kind == NODE_SCALAR)
        result->text = value;
    else
        free(value);
    *out = result;
    return RAD_OK;
}

/* Index in text of the first ':' that ends a mapping key (followed by a space
 * or the end), outside quotes; -1 when none. */
static long key_colon(const char *text)
{
    char quote = 0;

    for (const char *c = text; *c; c++) {
        if (quote) {
            if (*c == quote)
                quote = 0;
        } else if ((*c == '\'' || *c == '"') && c == text) {
            quote = *c;
        } else if (*c == ':' && (c[1] == ' ' || c[1] == '\0')) {
            return c - text;
        }
    }
    return -1;
}

/* Parses "[a, b]" or "{k: v, ...}" (text is the whole value). */
static rad_status parse_flow(parser *p, int line, const char *text, node **out)
{
    size_t length = strlen(text);
    char open = text[0], close = open == '[' ? ']' : '}';
    node *result;
    const char *item, *end;

    if (length < 2 || text[length - 1] != close)
        return syntax_error(p, line, open == '[' ? "flow list does not end with ]"
                                                 : "flow mapping does not end with }");
    result = node_new(open == '[' ? NODE_LIST : NODE_MAP, line);
    if (result == NULL)
        return no_memory(p);
    item = text + 1;
    end = text + length - 1;
    while (item < end) {
        const char *comma = item;
        char quote = 0;
        node *value = NULL;
        char *key = NULL;
        rad_status status;

        while (comma < end && (quote || *comma != ',')) {
            if (quote && *comma == quote)
                quote = 0;
            else if (!quote && (*comma == '\'' || *comma == '"'))
                quote = *comma;
            else if (!quote && (*comma == '[' || *comma == '{')) {
                node_free(result);
                return syntax_error(p, line, "nested flow collections are not supported");
            }
            comma++;
        }
        size_t span = (size_t)(comma - item);
        char *piece = malloc(span + 1);
        if (piece == NULL) {
            node_free(result);
            return no_memory(p);
        }
        memcpy(piece, item, span);
        piece[span] = '\0';
        if (result->kind == NODE_MAP) {
            long colon = key_colon(piece);
            if (colon < 0) {
                free(piece);
                node_free(result);
                return syntax_error(p, line, "flow mapping entry without \"key: value\"");
            }
            node *key_node = NULL;
            status = parse_scalar(p, line, piece, (size_t)colon, &key_node);
            if (status == RAD_OK && key_node->kind != NODE_SCALAR) {
                node_free(key_node);
                free(piece);
                node_free(result);
                return syntax_error(p, line, "empty key in a flow mapping");
            }
            if (status == RAD_OK) {
                key = key_node->text;
                key_node->text = NULL;
                node_free(key_node);
                status = parse_scalar(p, line, piece + colon + 1, strlen(piece + colon + 1),
                                      &value);
            }
        } else {
            status = parse_scalar(p, line, piece, span, &value);
            if (status == RAD_OK && value->kind == NODE_NULL && comma < end) {
                node_free(value);
                status = syntax_error(p, line, "empty item in a flow list");
            }
        }
        free(piece);
        if (status != RAD_OK) {
            free(key);
            node_free(result);
            return status;
        }
        if (!(result->kind == NODE_LIST && value->kind == NODE_NULL && result->count == 0 &&
              comma >= end)) {
            if (!node_append(result, key, line, value)) {
                node_free(result);
                return no_memory(p);
            }
        } else {
            node_free(value); /* "[ ]" */
        }
        item = comma < end ? comma + 1 : end;
    }
    *out = result;
    return RAD_OK;
}

/* Parses a value written on the key's line. */
static rad_status parse_inline(parser *p, int line, const char *text, node **out)
{
    if (text[0] == '[' || text[0] == '{')
        return parse_flow(p, line, text, out);
    return parse_scalar(p, line, text, strlen(text), out);
}

/* ------------------------------------------------------------------ */
/* Blocks                                                               */

static rad_status parse_block(parser *p, int indent, int depth, node **out);

static int is_list_item(const char *text)
{
    return text[0] == '-' && (text[1] == ' ' || text[1] == '\0');
}

/* Parses the value of a key or list item whose inline part is empty. */
static rad_status parse_nested(parser *p, int parent_indent, int line, int depth,
                               int allow_same_indent_list, node **out)
{
    if (p->pos < p->n_lines) {
        const source_line *next = &p->lines[p->pos];
        if (next->indent > parent_indent ||
            (allow_same_indent_list && next->indent == parent_indent &&
             is_list_item(next->text)))
            return parse_block(p, next->indent, depth + 1, out);
    }
    *out = node_new(NODE_NULL, line);
    return *out ? RAD_OK : no_memory(p);
}

static rad_status parse_list(parser *p, int indent, int depth, node *list)
{
    while (p->pos < p->n_lines && p->lines[p->pos].indent == indent &&
           is_list_item(p->lines[p->pos].text)) {
        const source_line *l = &p->lines[p->pos++];
        const char *rest = l->text + 1;
        node *item = NULL;
        rad_status status;

        while (*rest == ' ')
            rest++;
        if (*rest == '\0')
            status = parse_nested(p, indent, l->number, depth, 0, &item);
        else if (key_colon(rest) >= 0 && rest[0] != '[' && rest[0] != '{')
            return syntax_error(p, l->number, "mappings inside lists are not supported");
        else
            status = parse_inline(p, l->number, rest, &item);
        if (status != RAD_OK)
            return status;
        if (!node_append(list, NULL, 0, item))
            return no_memory(p);
    }
    return RAD_OK;
}

static rad_status parse_map(parser *p, int indent, int depth, node *map)
{
    while (p->pos < p->n_lines && p->lines[p->pos].indent == indent) {
        const source_line *l = &p->lines[p->pos];
        long colon;
        node *key_node = NULL, *value = NULL;
        rad_status status;

        if (is_list_item(l->text))
            return syntax_error(p, l->number, "list item where a \"key: value\" was expected");
        colon = key_colon(l->text);
        if (colon < 0)
            return syntax_error(p, l->number, "expected \"key: value\"");
        p->pos++;
        status = parse_scalar(p, l->number, l->text, (size_t)colon, &key_node);
        if (status != RAD_OK)
            return status;
        if (key_node->kind != NODE_SCALAR) {
            node_free(key_node);
            return syntax_error(p, l->number, "empty key");
        }
        for (size_t i = 0; i < map->count; i++)
            if (strcmp(map->keys[i], key_node->text) == 0) {
                node_free(key_node);
                return syntax_error(p, l->number, "duplicate key");
            }
        const char *rest = l->text + colon + 1;
        while (*rest == ' ')
            rest++;
        if (*rest == '\0')
            status = parse_nested(p, indent, l->number, depth, 1, &value);
        else
            status = parse_inline(p, l->number, rest, &value);
        if (status != RAD_OK) {
            node_free(key_node);
            return status;
        }
        char *key = key_node->text;
        key_node->text = NULL;
        node_free(key_node);
        if (!node_append(map, key, l->number, value))
            return no_memory(p);
    }
    return RAD_OK;
}

/* Parses the block starting at p->pos whose lines have the given indentation. */
static rad_status parse_block(parser *p, int indent, int depth, node **out)
{
    const source_line *first = &p->lines[p->pos];
    node *result;
    rad_status status;

    if (depth > MAX_DEPTH)
        return syntax_error(p, first->number, "nesting deeper than 16 levels");
    result = node_new(is_list_item(first->text) ? NODE_LIST : NODE_MAP, first->number);
    if (result == NULL)
        return no_memory(p);
    status = result->kind == NODE_LIST ? parse_list(p, indent, depth, result)
                                       : parse_map(p, indent, depth, result);
    if (status == RAD_OK && p->pos < p->n_lines && p->lines[p->pos].indent > indent)
        status = syntax_error(p, p->lines[p->pos].number, "unexpected indentation");
    if (status != RAD_OK) {
        node_free(result);
        return status;
    }
    *out = result;
    return RAD_OK;
}

/* Reads the file and parses it into *root (NODE_NULL for an empty file). */
static rad_status parse_file(parser *p, char **buffer_out, node **root)
{
    FILE *file = fopen(p->path, "rb");
    char *buffer;
    size_t n;
    rad_status status;

    if (file == NULL)
        return ri_fail(p->error, RAD_ERR_IO, "cannot open parameter file %s", p->path);
    buffer = malloc(MAX_FILE_BYTES + 1);
    if (buffer == NULL) {
        fclose(file);
        return no_memory(p);
    }
    n = fread(buffer, 1, MAX_FILE_BYTES + 1, file);
    if (ferror(file)) {
        fclose(file);
        free(buffer);
        return ri_fail(p->error, RAD_ERR_IO, "cannot read parameter file %s", p->path);
    }
    fclose(file);
    if (n > MAX_FILE_BYTES) {
        free(buffer);
        return ri_fail(p->error, RAD_ERR_TOO_LARGE,
                       "parameter file %s is larger than %d bytes", p->path, MAX_FILE_BYTES);
    }
    if (memchr(buffer, '\0', n) != NULL) {
        free(buffer);
        return ri_fail(p->error, RAD_ERR_FORMAT, "%s: NUL byte; expected a YAML text file",
                       p->path);
    }
    buffer[n] = '\0';
    *buffer_out = buffer;
    status = split_lines(p, buffer);
    if (status != RAD_OK)
        return status;
    if (p->n_lines == 0) {
        *root = node_new(NODE_NULL, 1);
        return *root ? RAD_OK : no_memory(p);
    }
    if (p->lines[0].indent != 0)
        return syntax_error(p, p->lines[0].number, "the first line is indented");
    status = parse_block(p, 0, 0, root);
    if (status == RAD_OK && p->pos < p->n_lines) {
        node_free(*root);
        *root = NULL;
        return syntax_error(p, p->lines[p->pos].number, "indentation does not match any key");
    }
    return status;
}

/* ------------------------------------------------------------------ */
/* Parameters from the tree                                             */

/* Closest entry of known[0..n) to key. */
static const char *closest(const char *key, const char *const *known, size_t n)
{
    const char *best_name = known[0];
    size_t best = (size_t)-1;

    for (size_t i = 0; i < n; i++) {
        size_t d = ri_edit_distance(key, known[i]);
        if (d < best) {
            best = d;
            best_name = known[i];
        }
    }
    return best_name;
}

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

static rad_status unknown(parser *p, int line, const char *section, const char *key,
                          const char *const *known, size_t n)
{
    return ri_fail(p->error, RAD_ERR_PARAMETER, "%s:%d: unknown %s key \"%s\"; did you mean \"%s\"?",
                   p->path, line, section, key, closest(key, known, n));
}

static rad_status expect_map(parser *p, const node *n, const char *what)
{
    if (n->kind == NODE_MAP || n->kind == NODE_NULL)
        return RAD_OK;
    return ri_fail(p->error, RAD_ERR_PARAMETER, "%s:%d: %s must be a mapping of \"key: value\"",
                   p->path, n->line, what);
}

/* Re-records a failure of a library call with the file and line in front. */
static rad_status at_line(parser *p, int line, rad_status status, const rad_error *inner)
{
    return ri_fail(p->error, status, "%s:%d: %s", p->path, line, inner->message);
}

/* pyradiomics settings that change nothing here, whatever their value. */
static const char *const ignored_settings[] = {
    "enableCExtensions",
};

/* Known setting keys, for hints: rad_params_set's keys and the list above. */
static const char *const known_settings[] = {
    "binWidth", "resampledPixelSpacing", "interpolator", "padDistance", "normalize",
    "normalizeScale", "removeOutliers", "voxelArrayShift", "label", "geometryTolerance",
    "minimumROIDimensions", "minimumROISize", "preCrop", "ibsiBinEdges", "excessKurtosis",
    "symmetricalGLCM", "distances", "gldm_a", "wavelet", "level", "boxAirThreshold",
    "boxFatMin", "boxFatMax", "boxMuscleMin", "boxMuscleMax", "boxBoneMin", "additionalInfo",
    "enableCExtensions", "correctMask", "force2Ddimension", "resegmentMode", "resegmentShape",
    "force2D", "resegmentRange", "weightingNorm", "binCount", "textureAggregation",
    "resegmentOutliers", "resampleGridAlignment", "roundIntensities", "maskInterpolator",
    "maskPartialVolume", "ivhDiscretisation", "ivhBinWidth", "ivhBinCount",
};

static int in_list(const char *key, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(key, list[i]) == 0)
            return 1;
    return 0;
}

/* Joins a list of scalars with commas into buf. */
static rad_status join_list(parser *p, const node *list, char *buf, size_t size)
{
    size_t used = 0;

    buf[0] = '\0';
    for (size_t i = 0; i < list->count; i++) {
        const node *item = list->items[i];
        if (item->kind != NODE_SCALAR)
            return ri_fail(p->error, RAD_ERR_PARAMETER, "%s:%d: list items must be scalars",
                           p->path, item->line);
        int written = snprintf(buf + used, size - used, i ? ",%s" : "%s", item->text);
        if (written < 0 || (size_t)written >= size - used)
            return ri_fail(p->error, RAD_ERR_PARAMETER, "%s:%d: list too long", p->path,
                           list->line);
        used += (size_t)written;
    }
    return RAD_OK;
}

/* Sets key to the scalar or list value through rad_params_set. */
static rad_status set_value(parser *p, rad_params *params, const char *key, int line,
                            const node *value)
{
    rad_error inner = {RAD_OK, ""};
    char buf[512];
    rad_status status;

    if (value->kind == NODE_MAP)
        return ri_fail(p->error, RAD_ERR_PARAMETER,
                       "%s:%d: setting %s: expected a value or a list, not a mapping", p->path,
                       line, key);
    if (value->kind == NODE_LIST) {
        status = join_list(p, value, buf, sizeof buf);
        if (status != RAD_OK)
            return status;
    } else {
        snprintf(buf, sizeof buf, "%s", value->text);
    }
    status = rad_params_set(params, key, buf, &inner);
    return status == RAD_OK ? RAD_OK : at_line(p, line, status, &inner);
}

static rad_status read_settings(parser *p, const node *section, rad_params *params)
{
    rad_status status = expect_map(p, section, "setting");

    for (size_t i = 0; status == RAD_OK && i < section->count; i++) {
        const char *key = section->keys[i];
        const node *value = section->items[i];
        int line = section->key_lines[i];

        if (in_list(key, ignored_settings, COUNT_OF(ignored_settings)))
            continue;
        if (!in_list(key, known_settings, COUNT_OF(known_settings))) {
            status = unknown(p, line, "setting", key, known_settings, COUNT_OF(known_settings));
            break;
        }
        if (value->kind == NODE_NULL)
            continue; /* pyradiomics' "key:" with no value keeps the default */
        status = set_value(p, params, key, line, value);
    }
    return status;
}

static const char *const known_image_types[] = {
    "Original", "Wavelet", "LoG", "Square", "SquareRoot", "Logarithm", "Exponential",
    "Gradient", "LBP2D", "LBP3D",
};

static rad_status read_wavelet(parser *p, const node *value, rad_params *params)
{
    static const char *const known[] = {"wavelet", "level", "start_level"};
    rad_status status = expect_map(p, value, "imageType Wavelet");

    for (size_t i = 0; status == RAD_OK && i < value->count; i++) {
        const char *key = value->keys[i];
        int line = value->key_lines[i];
        const node *item = value->items[i];

        if (strcmp(key, "start_level") == 0) {
            if (item->kind != NODE_NULL && strcmp(item->text ? item->text : "", "0") != 0)
                status = ri_fail(p->error, RAD_ERR_UNSUPPORTED,
                                 "%s:%d: Wavelet start_level other than 0 is not supported",
                                 p->path, line);
        } else if (strcmp(key, "wavelet") == 0 || strcmp(key, "level") == 0) {
            if (item->kind != NODE_NULL)
                status = set_value(p, params, key, line, item);
        } else if (in_list(key, known_settings, COUNT_OF(known_settings))) {
            status = ri_fail(p->error, RAD_ERR_UNSUPPORTED,
                             "%s:%d: per-image-type setting %s is not supported; put it under "
                             "setting:",
                             p->path, line, key);
        } else {
            status = unknown(p, line, "Wavelet", key, known, COUNT_OF(known));
        }
    }
    return status;
}

static rad_status read_image_types(parser *p, const node *section, rad_params *params)
{
    rad_status status = expect_map(p, section, "imageType");

    if (status != RAD_OK)
        return status;
    params->s.original_enabled = 0;
    params->s.wavelet_enabled = 0;
    for (size_t i = 0; status == RAD_OK && i < section->count; i++) {
        const char *key = section->keys[i];
        const node *value = section->items[i];
        int line = section->key_lines[i];

        if (strcmp(key, "Original") == 0) {
            status = expect_map(p, value, "imageType Original");
            if (status == RAD_OK && value->count > 0)
                status = ri_fail(p->error, RAD_ERR_UNSUPPORTED,
                                 "%s:%d: per-image-type settings of Original are not supported; "
                                 "put them under setting:",
                                 p->path, value->key_lines[0]);
            params->s.original_enabled = 1;
        } else if (strcmp(key, "Wavelet") == 0) {
            status = read_wavelet(p, value, params);
            params->s.wavelet_enabled = 1;
        } else if (in_list(key, known_image_types, COUNT_OF(known_image_types))) {
            status = ri_fail(p->error, RAD_ERR_UNSUPPORTED,
                             "%s:%d: image type %s is not supported; this version has Original "
                             "and Wavelet",
                             p->path, line, key);
        } else {
            status = unknown(p, line, "imageType", key, known_image_types,
                             COUNT_OF(known_image_types));
        }
    }
    return status;
}

static const char *const known_classes[] = {
    "firstorder", "shape", "glcm", "glrlm", "glszm", "gldm", "ngtdm",
    "morph", "ih", "stat", "ivh", "loc", "gldzm",
};

static rad_status read_feature_classes(parser *p, const node *section, rad_params *params)
{
    rad_status status = expect_map(p, section, "featureClass");

    if (status != RAD_OK)
        return status;
    for (int c = 0; c < RI_CLASS_COUNT; c++)
        memset(params->s.enabled[c], 0, ri_feature_table_of((ri_feature_class)c)->count);
    for (size_t i = 0; status == RAD_OK && i < section->count; i++) {
        const char *key = section->keys[i];
        const node *value = section->items[i];
        int line = section->key_lines[i];
        rad_error inner = {RAD_OK, ""};
        const char **names = NULL;

        if (!in_list(key, known_classes, COUNT_OF(known_classes)) &&
            rad_params_enable_features(params, key, NULL, 0, &inner) != RAD_OK)
            return unknown(p, line, "featureClass", key, known_classes,
                           COUNT_OF(known_classes));
        if (value->kind == NODE_SCALAR || value->kind == NODE_MAP)
            return ri_fail(p->error, RAD_ERR_PARAMETER,
                           "%s:%d: featureClass %s: expected nothing, [] or a list of feature "
                           "names",
                           p->path, line, key);
        if (value->kind == NODE_LIST && value->count > 0) {
            names = calloc(value->count + 1, sizeof *names);
            if (names == NULL)
                return no_memory(p);
            for (size_t k = 0; k < value->count; k++) {
                if (value->items[k]->kind != NODE_SCALAR) {
                    free(names);
                    return ri_fail(p->error, RAD_ERR_PARAMETER,
                                   "%s:%d: feature names must be scalars", p->path,
                                   value->items[k]->line);
                }
                names[k] = value->items[k]->text;
            }
        }
        status = rad_params_enable_features(params, key, names, 1, &inner);
        free(names);
        if (status != RAD_OK)
            return at_line(p, line, status, &inner);
    }
    return status;
}

static rad_status apply_tree(parser *p, const node *root, rad_params *params)
{
    static const char *const sections[] = {"setting", "imageType", "featureClass",
                                           "voxelSetting"};
    rad_status status = expect_map(p, root, "the file's top level");

    /* Settings first, so that the image types and classes see their values. */
    for (size_t pass = 0; pass < 3 && status == RAD_OK; pass++) {
        for (size_t i = 0; status == RAD_OK && i < root->count; i++) {
            const char *key = root->keys[i];
            int line = root->key_lines[i];

            if (!in_list(key, sections, COUNT_OF(sections)))
                return unknown(p, line, "top-level", key, sections, COUNT_OF(sections));
            if (strcmp(key, "voxelSetting") == 0)
                return ri_fail(p->error, RAD_ERR_UNSUPPORTED,
                               "%s:%d: voxelSetting: voxel-based extraction is not supported",
                               p->path, line);
            if (pass == 0 && strcmp(key, "setting") == 0)
                status = read_settings(p, root->items[i], params);
            else if (pass == 1 && strcmp(key, "imageType") == 0)
                status = read_image_types(p, root->items[i], params);
            else if (pass == 2 && strcmp(key, "featureClass") == 0)
                status = read_feature_classes(p, root->items[i], params);
        }
    }
    return status;
}

rad_status rad_params_read(const char *path, rad_params **out, rad_error *error)
{
    parser p = {path, NULL, 0, 0, error};
    rad_params *params = NULL;
    char *buffer = NULL;
    node *root = NULL;
    rad_status status;

    if (path == NULL || out == NULL)
        return ri_fail(error, RAD_ERR_ARGUMENT, "rad_params_read: NULL argument");
    status = parse_file(&p, &buffer, &root);
    if (status == RAD_OK)
        status = rad_params_create("pyradiomics", &params, error);
    if (status == RAD_OK)
        status = apply_tree(&p, root, params);
    node_free(root);
    free(p.lines);
    free(buffer);
    if (status != RAD_OK) {
        rad_params_free(params);
        return status;
    }
    *out = params;
    return RAD_OK;
}
