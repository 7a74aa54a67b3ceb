/*
 * options.c - model options: one table of keys with a parser and a
 * formatter each. Unknown keys are rejected with the closest known key
 * (Levenshtein distance, ignoring case); invalid values with the allowed
 * range and the value received.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "internal.h"

/* Largest accepted k, k_max and folds: far above any cohort this library
 * is meant for, low enough that a typo such as 1e9 is caught. */
#define MAX_COUNT 100000

/* ------------------------------------------------------------------ */
/* Value parsers                                                        */

/* Parses a decimal integer of at most 20 digits without sign or spaces. */
static int parse_unsigned(const char *text, uint64_t *out)
{
    uint64_t value = 0;

    if (text[0] == '\0' || strlen(text) > 20)
        return 0;
    for (const char *p = text; *p != '\0'; p++) {
        unsigned digit;

        if (*p < '0' || *p > '9')
            return 0;
        digit = (unsigned)(*p - '0');
        if (value > (UINT64_MAX - digit) / 10)
            return 0;
        value = value * 10 + digit;
    }
    *out = value;
    return 1;
}

static int parse_finite(const char *text, double *out)
{
    double value;

    if (ci_parse_double(text, &value) != CI_NUMBER_OK || !isfinite(value))
        return 0;
    *out = value;
    return 1;
}

static calci_status invalid_value(calci_error *error, const char *key, const char *expected,
                                  const char *value)
{
    return ci_fail(error, CALCI_ERR_PARAMETER, "invalid value \"%s\" for option %s: expected %s",
                   value, key, expected);
}

static calci_status set_classifier(calci_options *o, const char *key, const char *value,
                                   calci_error *error)
{
    if (strcmp(value, "lr") == 0)
        o->classifier = CI_CLASSIFIER_LR;
    else if (strcmp(value, "lr_l1") == 0)
        o->classifier = CI_CLASSIFIER_LR_L1;
    else if (strcmp(value, "lr_none") == 0)
        o->classifier = CI_CLASSIFIER_LR_NONE;
    else if (strcmp(value, "svm") == 0)
        o->classifier = CI_CLASSIFIER_SVM;
    else
        return invalid_value(error, key, "\"lr_l1\", \"lr_none\", \"lr\" or \"svm\"", value);
    return CALCI_OK;
}

static calci_status set_c(calci_options *o, const char *key, const char *value,
                          calci_error *error)
{
    double c;

    if (!parse_finite(value, &c) || !(c > 0))
        return invalid_value(error, key, "a finite number > 0", value);
    o->C = c;
    return CALCI_OK;
}

static calci_status set_pcc(calci_options *o, const char *key, const char *value,
                            calci_error *error)
{
    double threshold;

    if (strcmp(value, "none") == 0) {
        o->pcc_enabled = 0;
        return CALCI_OK;
    }
    if (!parse_finite(value, &threshold) || !(threshold > 0 && threshold <= 1))
        return invalid_value(error, key, "a number in (0, 1] or \"none\"", value);
    o->pcc_enabled = 1;
    o->pcc = threshold;
    return CALCI_OK;
}

static calci_status set_select(calci_options *o, const char *key, const char *value,
                               calci_error *error)
{
    if (strcmp(value, "relief") == 0)
        o->select = CI_SELECT_RELIEF;
    else if (strcmp(value, "relieff") == 0)
        o->select = CI_SELECT_RELIEFF;
    else if (strcmp(value, "anova") == 0)
        o->select = CI_SELECT_ANOVA;
    else if (strcmp(value, "all") == 0)
        o->select = CI_SELECT_ALL;
    else
        return invalid_value(error, key, "\"relieff\", \"anova\", \"relief\" or \"all\"",
                             value);
    return CALCI_OK;
}

static calci_status set_relieff_k(calci_options *o, const char *key, const char *value,
                                  calci_error *error)
{
    uint64_t k;

    if (!parse_unsigned(value, &k) || k < 1 || k > MAX_COUNT)
        return invalid_value(error, key, "an integer in [1, 100000]", value);
    o->relieff_k = (size_t)k;
    return CALCI_OK;
}

static calci_status set_cv(calci_options *o, const char *key, const char *value,
                           calci_error *error)
{
    if (strcmp(value, "kfold") == 0)
        o->cv = CI_CV_KFOLD;
    else if (strcmp(value, "repeated") == 0)
        o->cv = CI_CV_REPEATED;
    else if (strcmp(value, "lopo") == 0)
        o->cv = CI_CV_LOPO;
    else if (strcmp(value, "nested") == 0)
        o->cv = CI_CV_NESTED;
    else
        return invalid_value(error, key, "\"kfold\", \"repeated\", \"lopo\" or \"nested\"",
                             value);
    return CALCI_OK;
}

static calci_status set_repeats(calci_options *o, const char *key, const char *value,
                                calci_error *error)
{
    uint64_t repeats;

    if (!parse_unsigned(value, &repeats) || repeats < 1 || repeats > MAX_COUNT)
        return invalid_value(error, key, "an integer in [1, 100000]", value);
    o->repeats = (size_t)repeats;
    return CALCI_OK;
}

static calci_status set_study_compatible(calci_options *o, const char *key, const char *value,
                                         calci_error *error)
{
    if (strcmp(value, "true") == 0)
        o->study_compatible = 1;
    else if (strcmp(value, "false") == 0)
        o->study_compatible = 0;
    else
        return invalid_value(error, key, "\"true\" or \"false\"", value);
    return CALCI_OK;
}

static calci_status set_k(calci_options *o, const char *key, const char *value,
                          calci_error *error)
{
    uint64_t k;

    if (strcmp(value, "auto") == 0) {
        o->k = 0;
        return CALCI_OK;
    }
    if (!parse_unsigned(value, &k) || k < 1 || k > MAX_COUNT)
        return invalid_value(error, key, "an integer in [1, 100000] or \"auto\"", value);
    o->k = (size_t)k;
    return CALCI_OK;
}

static calci_status set_k_max(calci_options *o, const char *key, const char *value,
                              calci_error *error)
{
    uint64_t k_max;

    if (!parse_unsigned(value, &k_max) || k_max < 1 || k_max > MAX_COUNT)
        return invalid_value(error, key, "an integer in [1, 100000]", value);
    o->k_max = (size_t)k_max;
    return CALCI_OK;
}

static calci_status set_k_rule(calci_options *o, const char *key, const char *value,
                               calci_error *error)
{
    if (strcmp(value, "max") == 0)
        o->k_rule = CI_K_RULE_MAX;
    else if (strcmp(value, "1se") == 0)
        o->k_rule = CI_K_RULE_1SE;
    else
        return invalid_value(error, key, "\"max\" or \"1se\"", value);
    return CALCI_OK;
}

static calci_status set_folds(calci_options *o, const char *key, const char *value,
                              calci_error *error)
{
    uint64_t folds;

    if (!parse_unsigned(value, &folds) || folds < 2 || folds > MAX_COUNT)
        return invalid_value(error, key, "an integer in [2, 100000]", value);
    o->folds = (size_t)folds;
    return CALCI_OK;
}

static calci_status set_seed(calci_options *o, const char *key, const char *value,
                             calci_error *error)
{
    uint64_t seed;

    if (!parse_unsigned(value, &seed))
        return invalid_value(error, key, "an integer in [0, 18446744073709551615]", value);
    o->seed = seed;
    return CALCI_OK;
}

static calci_status parse_target(const char *key, const char *value, double *out,
                                 calci_error *error)
{
    double target;

    if (!parse_finite(value, &target) || !(target > 0 && target <= 1))
        return invalid_value(error, key, "a number in (0, 1]", value);
    *out = target;
    return CALCI_OK;
}

static calci_status set_sens_target(calci_options *o, const char *key, const char *value,
                                    calci_error *error)
{
    return parse_target(key, value, &o->sens_target, error);
}

static calci_status set_spec_target(calci_options *o, const char *key, const char *value,
                                    calci_error *error)
{
    return parse_target(key, value, &o->spec_target, error);
}

/* ------------------------------------------------------------------ */
/* Value formatters                                                     */

/* Shortest of %.15g, %.16g, %.17g that parses back to the same double. */
static void format_number(double value, char *buf, size_t size)
{
    char text[CI_NUMBER_BUFSIZE];

    ci_format_double(value, text);
    for (int digits = 15; digits <= 17; digits++) {
        char shorter[CI_NUMBER_BUFSIZE];
        double back;

        snprintf(shorter, sizeof shorter, "%.*g", digits, value);
        if (ci_parse_double(shorter, &back) == CI_NUMBER_OK && back == value) {
            snprintf(buf, size, "%s", shorter);
            return;
        }
    }
    snprintf(buf, size, "%s", text);
}

static void get_classifier(const calci_options *o, char *buf, size_t size)
{
    static const char *const names[] = {"lr", "svm", "lr_l1", "lr_none"};
    snprintf(buf, size, "%s", names[o->classifier]);
}

static void get_c(const calci_options *o, char *buf, size_t size)
{
    format_number(o->C, buf, size);
}

static void get_pcc(const calci_options *o, char *buf, size_t size)
{
    if (o->pcc_enabled)
        format_number(o->pcc, buf, size);
    else
        snprintf(buf, size, "none");
}

static void get_select(const calci_options *o, char *buf, size_t size)
{
    static const char *const names[] = {"relief", "all", "relieff", "anova"};
    snprintf(buf, size, "%s", names[o->select]);
}

static void get_relieff_k(const calci_options *o, char *buf, size_t size)
{
    snprintf(buf, size, "%zu", o->relieff_k);
}

static void get_cv(const calci_options *o, char *buf, size_t size)
{
    static const char *const names[] = {"kfold", "repeated", "lopo", "nested"};
    snprintf(buf, size, "%s", names[o->cv]);
}

static void get_repeats(const calci_options *o, char *buf, size_t size)
{
    snprintf(buf, size, "%zu", o->repeats);
}

static void get_study_compatible(const calci_options *o, char *buf, size_t size)
{
    snprintf(buf, size, "%s", o->study_compatible ? "true" : "false");
}

static void get_k(const calci_options *o, char *buf, size_t size)
{
    if (o->k == 0)
        snprintf(buf, size, "auto");
    else
        snprintf(buf, size, "%zu", o->k);
}

static void get_k_max(const calci_options *o, char *buf, size_t size)
{
    snprintf(buf, size, "%zu", o->k_max);
}

static void get_k_rule(const calci_options *o, char *buf, size_t size)
{
    snprintf(buf, size, "%s", o->k_rule == CI_K_RULE_1SE ? "1se" : "max");
}

static void get_folds(const calci_options *o, char *buf, size_t size)
{
    snprintf(buf, size, "%zu", o->folds);
}

static void get_seed(const calci_options *o, char *buf, size_t size)
{
    snprintf(buf, size, "%llu", (unsigned long long)o->seed);
}

static void get_sens_target(const calci_options *o, char *buf, size_t size)
{
    format_number(o->sens_target, buf, size);
}

static void get_spec_target(const calci_options *o, char *buf, size_t size)
{
    format_number(o->spec_target, buf, size);
}

/* ------------------------------------------------------------------ */
/* Key table                                                            */

typedef struct option_key {
    const char *name;
    calci_status (*set)(calci_options *, const char *, const char *, calci_error *);
    void (*get)(const calci_options *, char *, size_t);
} option_key;

static const option_key option_keys[] = {
    {"classifier", set_classifier, get_classifier},
    {"C", set_c, get_c},
    {"pcc", set_pcc, get_pcc},
    {"select", set_select, get_select},
    {"k", set_k, get_k},
    {"k_max", set_k_max, get_k_max},
    {"k_rule", set_k_rule, get_k_rule},
    {"folds", set_folds, get_folds},
    {"seed", set_seed, get_seed},
    {"sens_target", set_sens_target, get_sens_target},
    {"spec_target", set_spec_target, get_spec_target},
    {"relieff_k", set_relieff_k, get_relieff_k},
    {"cv", set_cv, get_cv},
    {"repeats", set_repeats, get_repeats},
    {"study_compatible", set_study_compatible, get_study_compatible},
};

#define KEY_COUNT (sizeof option_keys / sizeof option_keys[0])

/* Levenshtein distance between a and b, ignoring ASCII case; keys longer
 * than 63 bytes count as that prefix. */
static size_t edit_distance(const char *a, const char *b)
{
    size_t row[64];
    size_t la = strlen(a), lb = strlen(b);

    if (la > 63)
        la = 63;
    if (lb > 63)
        lb = 63;
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diagonal = row[0];

        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t above = row[j];
            size_t cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
            size_t best = diagonal + cost;

            if (above + 1 < best)
                best = above + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diagonal = above;
        }
    }
    return row[lb];
}

static const option_key *find_key(const char *key, calci_error *error)
{
    const option_key *closest = &option_keys[0];
    size_t best = (size_t)-1;

    for (size_t i = 0; i < KEY_COUNT; i++)
        if (strcmp(option_keys[i].name, key) == 0)
            return &option_keys[i];
    for (size_t i = 0; i < KEY_COUNT; i++) {
        size_t d = edit_distance(key, option_keys[i].name);

        if (d < best) {
            best = d;
            closest = &option_keys[i];
        }
    }
    ci_fail(error, CALCI_ERR_PARAMETER,
            "unknown option \"%s\"; the closest known option is \"%s\" (options: classifier, "
            "C, pcc, select, k, k_max, k_rule, folds, seed, sens_target, spec_target, "
            "relieff_k, cv, repeats, study_compatible)",
            key, closest->name);
    return NULL;
}

/* ------------------------------------------------------------------ */
/* Public functions                                                     */

calci_status calci_options_create(calci_options **out, calci_error *error)
{
    calci_options *o;

    if (out == NULL)
        return ci_fail(error, CALCI_ERR_ARGUMENT, "calci_options_create: out is NULL");
    o = calloc(1, sizeof *o);
    if (o == NULL)
        return ci_fail(error, CALCI_ERR_NO_MEMORY, "out of memory creating options");
    o->classifier = CI_CLASSIFIER_LR;
    o->C = 1.0;
    o->pcc_enabled = 1;
    o->pcc = 0.99;
    o->select = CI_SELECT_RELIEF;
    o->k = 0;
    o->k_max = 20;
    o->k_rule = CI_K_RULE_MAX;
    o->folds = 5;
    o->seed = 1;
    o->sens_target = 0.90;
    o->spec_target = 0.90;
    o->relieff_k = 10;
    o->cv = CI_CV_KFOLD;
    o->repeats = 10;
    o->study_compatible = 0;
    *out = o;
    return CALCI_OK;
}

calci_options *calci_options_copy(const calci_options *options)
{
    calci_options *copy;

    if (options == NULL)
        return NULL;
    copy = malloc(sizeof *copy);
    if (copy != NULL)
        *copy = *options;
    return copy;
}

void calci_options_free(calci_options *options)
{
    free(options);
}

calci_status calci_options_set(calci_options *options, const char *key, const char *value,
                               calci_error *error)
{
    const option_key *entry;
    calci_options updated;
    calci_status status;

    if (options == NULL || key == NULL || value == NULL)
        return ci_fail(error, CALCI_ERR_ARGUMENT, "calci_options_set: options, key or value is NULL");
    entry = find_key(key, error);
    if (entry == NULL)
        return CALCI_ERR_PARAMETER;

    /* Parse into a copy, so that options stay unchanged on failure. */
    updated = *options;
    status = entry->set(&updated, entry->name, value, error);
    if (status == CALCI_OK)
        *options = updated;
    return status;
}

calci_status calci_options_get(const calci_options *options, const char *key, char *buf,
                               size_t buf_size, calci_error *error)
{
    const option_key *entry;
    char text[64];

    if (options == NULL || key == NULL || buf == NULL)
        return ci_fail(error, CALCI_ERR_ARGUMENT, "calci_options_get: options, key or buf is NULL");
    entry = find_key(key, error);
    if (entry == NULL)
        return CALCI_ERR_PARAMETER;

    entry->get(options, text, sizeof text);
    if (strlen(text) >= buf_size)
        return ci_fail(error, CALCI_ERR_ARGUMENT,
                       "buffer of %zu bytes too small for option %s: %zu bytes needed", buf_size,
                       entry->name, strlen(text) + 1);
    memcpy(buf, text, strlen(text) + 1);
    return CALCI_OK;
}
