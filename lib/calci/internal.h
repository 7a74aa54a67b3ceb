/*
 * internal.h - private declarations shared by the libcalci sources.
 * Never installed. Internal names start with ci_ / CI_.
 */
#ifndef CALCI_INTERNAL_H
#define CALCI_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "calci.h"

struct calci_error {
    calci_status status;
    char message[1024];
};

/* Records status and a printf-style message in error (which may be NULL)
 * and returns status, so that callers can write `return ci_fail(...)`. */
calci_status ci_fail(calci_error *error, calci_status status, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

struct calci_dataset {
    size_t n_cases;
    size_t capacity;          /* allocated rows */
    size_t n_features;
    char **feature_names;     /* n_features */
    size_t n_comparators;
    char **comparator_names;  /* n_comparators; CSV column names minus the "cmp_" prefix */
    char **case_ids;          /* n_cases */
    char **patient_ids;       /* n_cases; equal to the case id when not given */
    char **groups;            /* n_cases; "" when not given */
    int *labels;              /* n_cases; 1, 0 or -1 (unknown) */
    calci_split *splits;      /* n_cases */
    double *values;           /* n_cases x n_features, row-major */
    double *comparators;      /* n_cases x n_comparators, row-major; NaN when missing */
    size_t *id_slots;         /* open-addressing hash of case ids: row + 1, 0 when empty;
                                 NULL until first needed (rebuilt from case_ids then) */
    size_t n_id_slots;        /* power of two, 0 while id_slots is NULL */
};

static inline double ci_value(const calci_dataset *d, size_t i, size_t j)
{
    return d->values[i * d->n_features + j];
}

/* Deterministic 64-bit generator (splitmix64 seeding xoshiro256**), so that
 * a seed gives the same split and folds on every platform. */
typedef struct ci_rng {
    uint64_t s[4];
} ci_rng;

void ci_rng_seed(ci_rng *rng, uint64_t seed);
uint64_t ci_rng_next(ci_rng *rng);
/* Uniform integer in [0, n). */
uint64_t ci_rng_below(ci_rng *rng, uint64_t n);
/* Fisher-Yates shuffle of n size_t values. */
void ci_rng_shuffle(ci_rng *rng, size_t *items, size_t n);

/*
 * Valid entries of one ROC sample reduced to what a bootstrap replicate
 * needs: the score group of each control and case in input order, groups
 * numbered from the control side (lowest score for HIGHER, highest for
 * LOWER), so that the AUC of a resample depends only on group counts.
 * Built and used by roc_bootstrap.c and roc_tests.c.
 */
typedef struct ci_boot_sample {
    size_t n_cases;
    size_t n_controls;
    size_t n_groups;
    size_t *case_groups;       /* n_cases */
    size_t *control_groups;    /* n_controls */
    uint64_t *case_counts;     /* n_groups, scratch for one replicate */
    uint64_t *control_counts;  /* n_groups, scratch for one replicate */
} ci_boot_sample;

/* Fills sample from the entries with label 0 or 1 and a non-NaN score,
 * ordered for direction (HIGHER or LOWER, not AUTO). Callers validate the
 * input with calci_roc_create first. */
calci_status ci_boot_sample_init(ci_boot_sample *sample, const double *scores, const int *labels,
                                 size_t n, calci_direction direction, calci_error *error);
void ci_boot_sample_free(ci_boot_sample *sample);
/* AUC of the resample that takes control control_draws[k] and case
 * case_draws[k] (indices in input order, n_controls and n_cases of them);
 * tied pairs count one half. */
double ci_boot_sample_auc(ci_boot_sample *sample, const size_t *control_draws,
                          const size_t *case_draws);
/* Draws count indices uniformly from [0, count) into draws. */
void ci_boot_draw(ci_rng *rng, size_t *draws, size_t count);

/* Model options (calci_options_*). Defaults in calci.h; the fields keep the
 * parsed, checked values so that the fitting code reads them directly. */
typedef enum ci_classifier {
    CI_CLASSIFIER_LR = 0,   /* "lr": L2 logistic regression */
    CI_CLASSIFIER_SVM = 1,  /* "svm": linear SVM */
    CI_CLASSIFIER_LR_L1 = 2, /* "lr_l1": L1 logistic regression */
    CI_CLASSIFIER_LR_NONE = 3 /* "lr_none": unpenalised logistic regression */
} ci_classifier;

typedef enum ci_select {
    CI_SELECT_RELIEF = 0,   /* "relief": classic Relief ranking */
    CI_SELECT_ALL = 1,      /* "all": keep every feature, in column order */
    CI_SELECT_RELIEFF = 2,  /* "relieff": ReliefF with k nearest hits and misses */
    CI_SELECT_ANOVA = 3     /* "anova": ANOVA F statistic (scikit-learn's f_classif) */
} ci_select;

typedef enum ci_cv {
    CI_CV_KFOLD = 0,        /* "kfold": one stratified grouped k-fold split */
    CI_CV_REPEATED = 1,     /* "repeated": k-fold repeated with seeds seed, seed + 1, ... */
    CI_CV_LOPO = 2,         /* "lopo": leave one patient out */
    CI_CV_NESTED = 3        /* "nested": outer k-fold around the whole fit, k chosen inside */
} ci_cv;

typedef enum ci_k_rule {
    CI_K_RULE_MAX = 0,      /* "max": k with the best CV AUC */
    CI_K_RULE_1SE = 1       /* "1se": one-standard-error rule on the CV AUC */
} ci_k_rule;

struct calci_options {
    ci_classifier classifier; /* default CI_CLASSIFIER_LR */
    double C;                 /* > 0, default 1 */
    int pcc_enabled;          /* 0 when pcc = "none" (no Pearson filter), default 1 */
    double pcc;               /* threshold in (0,1] when pcc_enabled, default 0.99 */
    ci_select select;         /* default CI_SELECT_RELIEF */
    size_t k;                 /* features kept; 0 means "auto" (default) */
    size_t k_max;             /* >= 1, default 20; largest k tried by auto */
    ci_k_rule k_rule;         /* default CI_K_RULE_MAX */
    size_t folds;             /* >= 2, default 5 */
    uint64_t seed;            /* default 1 */
    double sens_target;       /* in (0,1], default 0.90 */
    double spec_target;       /* in (0,1], default 0.90 */
    size_t relieff_k;         /* >= 1, default 10: neighbours per class in ReliefF */
    ci_cv cv;                 /* default CI_CV_KFOLD */
    size_t repeats;           /* >= 1, default 10: repetitions of "repeated" */
    int study_compatible;     /* 1: z-score and selection fitted before CV (FAE 0.2.5) */
};

/* 1 for the three logistic-regression classifiers (scored by the logistic function). */
static inline int ci_classifier_is_lr(ci_classifier c)
{
    return c != CI_CLASSIFIER_SVM;
}

#endif /* CALCI_INTERNAL_H */
