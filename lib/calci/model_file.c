/*
 * model_file.c - calci_model_save / calci_model_load in the line-oriented
 * text format "calci-model 1" (docs/model-format.md), and the model's info
 * key/value pairs. Doubles are written with %.17g, which strtod reads back
 * to the same bits, so save -> load -> predict gives identical scores.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "model_internal.h"

#define FORMAT_MAJOR 1
#define MAX_COUNT 1000000 /* features or k values in one file */

static int valid_key(const char *key)
{
    if (key == NULL || key[0] == '\0')
        return 0;
    for (const char *c = key; *c; c++)
        if (!((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') ||
              *c == '_' || *c == '.' || *c == '-'))
            return 0;
    return 1;
}

static int one_line(const char *text)
{
    return strpbrk(text, "\r\n") == NULL;
}

calci_status calci_model_set_info(calci_model *model, const char *key, const char *value,
                                  calci_error *error)
{
    if (model == NULL || value == NULL)
        return ci_fail(error, CALCI_ERR_ARGUMENT, "model info: model and value must not be NULL");
    if (!valid_key(key))
        return ci_fail(error, CALCI_ERR_ARGUMENT,
                       "model info: key '%s' is invalid, expected [A-Za-z0-9_.-]+",
                       key ? key : "(null)");
    if (!one_line(value))
        return ci_fail(error, CALCI_ERR_ARGUMENT,
                       "model info: value of '%s' contains a line break, expected one line", key);

    char *copy = strdup(value);
    if (copy == NULL)
        return ci_fail(error, CALCI_ERR_NO_MEMORY, "model info: out of memory");
    for (size_t i = 0; i < model->n_info; i++)
        if (strcmp(model->info_keys[i], key) == 0) {
            free(model->info_values[i]);
            model->info_values[i] = copy;
            return CALCI_OK;
        }

    char *key_copy = strdup(key);
    char **keys = realloc(model->info_keys, (model->n_info + 1) * sizeof *keys);
    if (keys != NULL)
        model->info_keys = keys;
    char **values = keys ? realloc(model->info_values, (model->n_info + 1) * sizeof *values)
                         : NULL;
    if (values != NULL)
        model->info_values = values;
    if (key_copy == NULL || keys == NULL || values == NULL) {
        free(copy);
        free(key_copy);
        return ci_fail(error, CALCI_ERR_NO_MEMORY, "model info: out of memory");
    }
    model->info_keys[model->n_info] = key_copy;
    model->info_values[model->n_info] = copy;
    model->n_info++;
    return CALCI_OK;
}

const char *calci_model_info(const calci_model *model, const char *key)
{
    if (model == NULL || key == NULL)
        return NULL;
    for (size_t i = 0; i < model->n_info; i++)
        if (strcmp(model->info_keys[i], key) == 0)
            return model->info_values[i];
    return NULL;
}

/* ---- save ---- */

static void write_model(FILE *fp, const calci_model *m)
{
    fprintf(fp, "calci-model %d\n", FORMAT_MAJOR);
    fprintf(fp, "classifier %s\n", calci_model_classifier(m));
    fprintf(fp, "C %.17g\n", m->C);
    fprintf(fp, "intercept %.17g\n", m->intercept);
    fprintf(fp, "platt %.17g %.17g\n", m->platt_a, m->platt_b);
    fprintf(fp, "threshold_high_sensitivity %.17g\n", m->threshold_sens);
    fprintf(fp, "threshold_high_specificity %.17g\n", m->threshold_spec);
    fprintf(fp, "cv_auc %.17g\n", m->cv_auc);
    fprintf(fp, "cv_k_max %zu\n", m->cv_k_max);
    for (size_t k = 1; k <= m->cv_k_max; k++)
        fprintf(fp, "cv_auc_k %zu %.17g\n", k, m->cv_auc_k[k - 1]);
    fprintf(fp, "features %zu\n", m->n_features);
    for (size_t c = 0; c < m->n_features; c++)
        fprintf(fp, "feature %.17g %.17g %.17g %s\n", m->mean[c], m->sd[c], m->coef[c],
                m->feature_names[c]);
    for (size_t i = 0; i < m->n_info; i++)
        fprintf(fp, "info %s %s\n", m->info_keys[i], m->info_values[i]);
    fprintf(fp, "end\n");
}

calci_status calci_model_save(const calci_model *model, const char *path, calci_error *error)
{
    if (model == NULL || path == NULL)
        return ci_fail(error, CALCI_ERR_ARGUMENT, "model save: model and path must not be NULL");
    for (size_t c = 0; c < model->n_features; c++)
        if (model->feature_names[c][0] == '\0' || !one_line(model->feature_names[c]))
            return ci_fail(error, CALCI_ERR_ARGUMENT,
                           "model save: feature %zu has an empty name or a line break in it",
                           c + 1);

    size_t size = strlen(path) + 16;
    char *temp = malloc(size);
    if (temp == NULL)
        return ci_fail(error, CALCI_ERR_NO_MEMORY, "model save: out of memory");
    snprintf(temp, size, "%s.tmp.XXXXXX", path);
    int fd = mkstemp(temp);
    if (fd < 0) {
        calci_status s = ci_fail(error, CALCI_ERR_IO, "model save: cannot create '%s': %s", temp,
                                 strerror(errno));
        free(temp);
        return s;
    }
    FILE *fp = fdopen(fd, "w");
    if (fp == NULL) {
        close(fd);
        unlink(temp);
        free(temp);
        return ci_fail(error, CALCI_ERR_IO, "model save: cannot open '%s'", path);
    }

    write_model(fp, model);
    int failed = fflush(fp) != 0 || ferror(fp) || fsync(fileno(fp)) != 0;
    failed |= fclose(fp) != 0;
    if (failed || rename(temp, path) != 0) {
        int saved = errno;
        unlink(temp);
        free(temp);
        return ci_fail(error, CALCI_ERR_IO, "model save: cannot write '%s': %s", path,
                       strerror(saved));
    }
    free(temp);
    return CALCI_OK;
}

/* ---- load ---- */

struct reader {
    const char *path;
    size_t line_no;
    calci_error *error;
};

static calci_status damaged(const struct reader *rd, const char *expected)
{
    return ci_fail(rd->error, CALCI_ERR_FORMAT, "model file '%s': line %zu: expected %s",
                   rd->path, rd->line_no, expected);
}

/* Parses one double at *text (advancing it past it and one separating space). */
static int parse_double(char **text, double *value)
{
    char *end;
    errno = 0;
    *value = strtod(*text, &end);
    if (end == *text || errno == ERANGE || (*end != ' ' && *end != '\0'))
        return 0;
    *text = *end == ' ' ? end + 1 : end;
    return 1;
}

static int parse_count(const char *text, size_t *value)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (end == text || *end != '\0' || errno != 0 || text[0] == '-' || v > MAX_COUNT)
        return 0;
    *value = (size_t)v;
    return 1;
}

/* Parses the version line; 0 on success. */
static calci_status parse_version(const struct reader *rd, const char *line)
{
    const char *prefix = "calci-model ";
    if (strncmp(line, prefix, strlen(prefix)) != 0)
        return damaged(rd, "\"calci-model 1\" (not a calci model file)");
    char *end;
    const char *number = line + strlen(prefix);
    errno = 0;
    long major = strtol(number, &end, 10);
    if (end == number || errno != 0 || major < 1 || (*end != '\0' && *end != '.'))
        return damaged(rd, "\"calci-model <major version>\"");
    if (major > FORMAT_MAJOR)
        return ci_fail(rd->error, CALCI_ERR_VERSION,
                       "model file '%s': format version %ld, this library reads version %d; "
                       "update libcalci",
                       rd->path, major, FORMAT_MAJOR);
    return CALCI_OK;
}

/* Parses one "key value" line into m. */
static calci_status parse_line(struct reader *rd, char *line, calci_model *m,
                               size_t *features_seen, size_t *k_seen, int *have)
{
    char *value = strchr(line, ' ');
    if (value == NULL)
        return damaged(rd, "\"key value\"");
    *value++ = '\0';
    double a, b, c;

    if (strcmp(line, "classifier") == 0) {
        if (strcmp(value, "lr") == 0)
            m->classifier = CI_CLASSIFIER_LR;
        else if (strcmp(value, "svm") == 0)
            m->classifier = CI_CLASSIFIER_SVM;
        else if (strcmp(value, "lr_l1") == 0)
            m->classifier = CI_CLASSIFIER_LR_L1;
        else if (strcmp(value, "lr_none") == 0)
            m->classifier = CI_CLASSIFIER_LR_NONE;
        else
            return damaged(rd, "classifier lr, lr_l1, lr_none or svm");
        have[0] = 1;
    } else if (strcmp(line, "C") == 0) {
        if (!parse_double(&value, &m->C) || *value || !(m->C > 0) || !isfinite(m->C))
            return damaged(rd, "C <positive number>");
    } else if (strcmp(line, "intercept") == 0) {
        if (!parse_double(&value, &m->intercept) || *value || !isfinite(m->intercept))
            return damaged(rd, "intercept <finite number>");
        have[1] = 1;
    } else if (strcmp(line, "platt") == 0) {
        if (!parse_double(&value, &m->platt_a) || !parse_double(&value, &m->platt_b) || *value ||
            !isfinite(m->platt_a) || !isfinite(m->platt_b))
            return damaged(rd, "platt <A> <B> (finite numbers)");
    } else if (strcmp(line, "threshold_high_sensitivity") == 0) {
        /* A threshold may be -inf or +inf (every or no case positive), never NaN. */
        if (!parse_double(&value, &m->threshold_sens) || *value || isnan(m->threshold_sens))
            return damaged(rd, "threshold_high_sensitivity <number>");
    } else if (strcmp(line, "threshold_high_specificity") == 0) {
        if (!parse_double(&value, &m->threshold_spec) || *value || isnan(m->threshold_spec))
            return damaged(rd, "threshold_high_specificity <number>");
    } else if (strcmp(line, "cv_auc") == 0) {
        if (!parse_double(&value, &m->cv_auc) || *value)
            return damaged(rd, "cv_auc <number>");
    } else if (strcmp(line, "cv_k_max") == 0) {
        size_t k_max;
        if (m->cv_auc_k != NULL || !parse_count(value, &k_max))
            return damaged(rd, "one cv_k_max <count up to 1000000>");
        m->cv_auc_k = malloc((k_max + 1) * sizeof *m->cv_auc_k);
        if (m->cv_auc_k == NULL)
            return ci_fail(rd->error, CALCI_ERR_NO_MEMORY, "model load: out of memory");
        m->cv_k_max = k_max;
        for (size_t k = 0; k < k_max; k++)
            m->cv_auc_k[k] = NAN;
    } else if (strcmp(line, "cv_auc_k") == 0) {
        char *number = value, *rest = strchr(value, ' ');
        size_t k;
        if (rest == NULL || m->cv_auc_k == NULL)
            return damaged(rd, "cv_auc_k <k> <AUC> after cv_k_max");
        *rest++ = '\0';
        if (!parse_count(number, &k) || k != *k_seen + 1 || k > m->cv_k_max ||
            !parse_double(&rest, &a) || *rest)
            return damaged(rd, "cv_auc_k <k> <AUC> with k counting up from 1 to cv_k_max");
        m->cv_auc_k[k - 1] = a;
        (*k_seen)++;
    } else if (strcmp(line, "features") == 0) {
        size_t n;
        if (m->feature_names != NULL || !parse_count(value, &n))
            return damaged(rd, "one features <count up to 1000000>");
        m->feature_names = calloc(n + 1, sizeof *m->feature_names);
        m->mean = malloc((n + 1) * sizeof *m->mean);
        m->sd = malloc((n + 1) * sizeof *m->sd);
        m->coef = malloc((n + 1) * sizeof *m->coef);
        m->n_features = n;
        if (!m->feature_names || !m->mean || !m->sd || !m->coef)
            return ci_fail(rd->error, CALCI_ERR_NO_MEMORY, "model load: out of memory");
        have[2] = 1;
    } else if (strcmp(line, "feature") == 0) {
        if (m->feature_names == NULL || *features_seen >= m->n_features)
            return damaged(rd, "no more feature lines than the features count");
        if (!parse_double(&value, &a) || !parse_double(&value, &b) ||
            !parse_double(&value, &c) || *value == '\0')
            return damaged(rd, "feature <mean> <sd> <coefficient> <name>");
        if (!(b > 0.0) || !isfinite(a) || !isfinite(b) || !isfinite(c))
            return damaged(rd, "finite mean, SD > 0 and finite coefficient");
        if (!one_line(value)) /* calci_model_save rejects such a name */
            return damaged(rd, "a feature name without a carriage return");
        size_t i = (*features_seen)++;
        m->mean[i] = a;
        m->sd[i] = b;
        m->coef[i] = c;
        m->feature_names[i] = strdup(value);
        if (m->feature_names[i] == NULL)
            return ci_fail(rd->error, CALCI_ERR_NO_MEMORY, "model load: out of memory");
    } else if (strcmp(line, "info") == 0) {
        char *key = value, *text = strchr(value, ' ');
        if (text == NULL)
            return damaged(rd, "info <key> <value>");
        *text++ = '\0';
        if (!valid_key(key))
            return damaged(rd, "info key of [A-Za-z0-9_.-]+");
        return calci_model_set_info(m, key, text, rd->error);
    } else {
        return damaged(rd, "a known key (classifier, C, intercept, platt, thresholds, cv_*, "
                           "features, feature, info, end)");
    }
    return CALCI_OK;
}

calci_status calci_model_load(const char *path, calci_model **out, calci_error *error)
{
    if (path == NULL || out == NULL)
        return ci_fail(error, CALCI_ERR_ARGUMENT, "model load: path and out must not be NULL");
    FILE *fp = fopen(path, "r");
    if (fp == NULL)
        return ci_fail(error, CALCI_ERR_IO, "model load: cannot open '%s': %s", path,
                       strerror(errno));

    struct reader rd = {path, 0, error};
    calci_model *m = NULL;
    char *line = NULL;
    size_t capacity = 0, features_seen = 0, k_seen = 0;
    int have[3] = {0, 0, 0}, ended = 0;
    calci_status status = ci_model_alloc(0, 0, &m, error);
    ssize_t length;

    if (status != CALCI_OK) {
        fclose(fp);
        return status;
    }
    m->C = NAN;
    free(m->cv_auc_k);
    m->cv_auc_k = NULL;
    while (status == CALCI_OK && (length = getline(&line, &capacity, fp)) >= 0) {
        rd.line_no++;
        while (length > 0 && (line[length - 1] == '\n' || line[length - 1] == '\r'))
            line[--length] = '\0';
        if ((size_t)length != strlen(line)) {
            status = damaged(&rd, "text without NUL bytes");
        } else if (rd.line_no == 1) {
            status = parse_version(&rd, line);
        } else if (ended) {
            status = damaged(&rd, "nothing after the end line");
        } else if (line[0] == '#' || line[0] == '\0') {
            continue;
        } else if (strcmp(line, "end") == 0) {
            ended = 1;
        } else {
            status = parse_line(&rd, line, m, &features_seen, &k_seen, have);
        }
    }
    if (status == CALCI_OK && ferror(fp))
        status = ci_fail(error, CALCI_ERR_IO, "model load: cannot read '%s'", path);
    if (status == CALCI_OK && rd.line_no == 0)
        status = ci_fail(error, CALCI_ERR_FORMAT, "model file '%s' is empty", path);
    if (status == CALCI_OK && (!ended || !have[0] || !have[1] || !have[2] ||
                               features_seen != m->n_features || k_seen != m->cv_k_max)) {
        rd.line_no++;
        status = damaged(&rd, "classifier, intercept, features, every feature and cv_auc_k "
                              "line and a final end line (file truncated?)");
    }
    if (status == CALCI_OK && m->cv_auc_k == NULL) {
        m->cv_auc_k = malloc(sizeof *m->cv_auc_k);
        if (m->cv_auc_k == NULL)
            status = ci_fail(error, CALCI_ERR_NO_MEMORY, "model load: out of memory");
    }

    free(line);
    fclose(fp);
    if (status != CALCI_OK) {
        calci_model_free(m);
        return status;
    }
    *out = m;
    return CALCI_OK;
}
