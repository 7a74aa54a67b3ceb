/*
 * cli.h - declarations shared by the source files of the calci program.
 */
#ifndef CALCI_CLI_H
#define CALCI_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "calci.h"
#include "radiomics.h"

/* Exit statuses: bad input (a file, a value) and bad usage (the command line). */
#define EXIT_INPUT 1
#define EXIT_USAGE 2

/* Prints "calci: <message>" on stderr. */
void cli_error(const char *format, ...) __attribute__((format(printf, 1, 2)));

/* ------------------------------------------------------------------ */
/* Manifests (manifest.c)                                               */

typedef struct manifest_case {
    char *case_id;
    char *patient_id;
    char *group;
    int label;           /* 1, 0, or -1 when empty */
    calci_split split;   /* CALCI_SPLIT_NONE when empty */
    char *image;         /* path, already joined with the manifest's folder */
    char *mask;          /* NULL in box mode */
    double label_value;  /* mask label, or NaN for the parameters' label setting (default 1) */
    int has_box;
    double box[3];       /* world RAS mm */
    double box_size;     /* mm, default 50 */
    size_t line;         /* line in the manifest, for messages */
} manifest_case;

typedef struct manifest {
    char *path;
    size_t n_cases;
    manifest_case *cases;
    size_t n_comparators;
    char **comparator_names; /* without the cmp_ prefix */
    double *comparators;     /* n_cases x n_comparators, NaN when empty */
    int any_split;           /* some row gives a split */
} manifest;

/* Reads and validates a manifest; on failure prints the reason and returns NULL. */
manifest *manifest_read(const char *path);
void manifest_free(manifest *m);

/* ------------------------------------------------------------------ */
/* Extraction (extract.c)                                               */

typedef struct extraction {
    size_t n_cases;
    size_t n_features;
    char **names;     /* n_features */
    char **ibsi_names; /* n_features: IBSI tag (prefixed by the image type unless
                        * original), or the pyradiomics name when there is none */
    double *values;   /* n_cases x n_features */
    int *grey_levels; /* per case: fewest grey levels over the image types */
    size_t first_case; /* case whose feature names are names, for messages */
} extraction;

/* Per-case feature cache of `calci study` (cache.c). */
typedef struct case_cache {
    char *dir;
    char *settings;         /* key material of the extraction settings */
    size_t settings_length; /* bytes of settings, NULs included */
} case_cache;

/*
 * Extracts the features of every case of m with threads worker threads,
 * printing progress on stderr when progress is set. Returns NULL after
 * printing the reason when a case fails. With a cache (not NULL), cases
 * found there are not extracted again, every extracted case is stored there
 * as soon as it is done, and the count of cached cases is printed on stderr
 * unless progress is 0. Only the feature vectors of finished cases are kept,
 * so memory grows with the cases in flight, not with rad_features objects.
 */
extraction *extract_manifest(const manifest *m, const rad_params *params, int threads,
                             int progress);
extraction *extract_manifest_cached(const manifest *m, const rad_params *params, int threads,
                                    int progress, case_cache *cache);
void extraction_free(extraction *x);

/* ------------------------------------------------------------------ */
/* Compact feature vectors and the case cache (cache.c)                 */

/* Features of one case as plain arrays, as cache files and MPI messages carry them. */
typedef struct case_features {
    size_t n_features;
    char **names;      /* pyradiomics names */
    char **ibsi_names; /* as extraction.ibsi_names */
    double *values;
    int grey_levels;   /* rad_features_min_grey_levels */
} case_features;

/* Allocates n_features empty names and uninitialised values; NULL without memory. */
case_features *case_features_alloc(size_t n_features);
/* Copies the names and values of f; prints the reason and returns NULL on failure. */
case_features *case_features_from(const rad_features *f);
void case_features_free(case_features *cf);

/* An extraction of n_cases cases whose names and values extraction_store fills. */
extraction *extraction_create(size_t n_cases);
/* Copies cf into row i of x. The first case stored sets the feature names, and
 * every later case must give the same names. Returns 0 or -1 after a message. */
int extraction_store(extraction *x, const manifest *m, size_t i, const case_features *cf);

/* Opens (creating the folder dir) the cache for the settings that built params
 * from preset, or from the file params_path, and the --set options. NULL after
 * a message. */
case_cache *case_cache_open(const char *dir, const rad_params *params, const char *preset,
                            const char *params_path, char **settings, size_t n_settings);
void case_cache_close(case_cache *cache);
/* FNV-1a hash of the settings, the case id, the image and mask paths with their
 * sizes and modification times, the mask label and the box. Returns -1 when
 * a file cannot be read with stat(). */
int case_cache_key(const case_cache *cache, const manifest_case *c, uint64_t *key);
/* Features of case c from the cache, or NULL when absent, stale (another key) or damaged. */
case_features *case_cache_load(const case_cache *cache, const manifest_case *c, uint64_t key);
/* Writes the cache file of case c atomically; returns 0 or -1. */
int case_cache_store(const case_cache *cache, const manifest_case *c, uint64_t key,
                     const case_features *cf);

/* ------------------------------------------------------------------ */
/* MPI build, calci-mpi (examples/calci_mpi/mpi_extract.c)              */

#ifdef CALCI_WITH_MPI
/* Calls MPI_Init; on several ranks, accepts only the commands that extract
 * a manifest. Returns 0, or an exit status after a message. */
int mpi_start(int argc, char **argv);
/* Ends MPI and returns this rank's exit status given the command's status. */
int mpi_finish(int status);
/* Non-zero when the program runs on several ranks. */
int mpi_parallel(void);
/* Non-zero on rank 0. */
int mpi_rank_is_root(void);
/* Rank 0 hands out the cases that are not in the cache to the other ranks
 * and returns the extraction; the other ranks extract what they are sent
 * and return NULL. */
extraction *mpi_extract_manifest(const manifest *m, const rad_params *params, int progress,
                                 case_cache *cache);
#endif

/* Non-zero on the MPI ranks other than 0, which only extract cases. */
int cli_extraction_worker(void);

/* Features of one case (mask or box); prints the reason and returns NULL on failure. */
rad_features *extract_one(const rad_params *params, const char *image_path,
                          const char *mask_path, double label_value, const double *box,
                          double box_size);

/* Parameters from --preset, or from the YAML file params_path when not NULL
 * (--params), then --set KEY=VALUE options; NULL after an error message. */
rad_params *params_from_options(const char *preset, const char *params_path, char **settings,
                                size_t n_settings);

/* Name of feature i for --names ibsi: the IBSI tag ("stat_mean"), prefixed by
 * the image type unless original ("wavelet-LLH_stat_mean"), or the
 * pyradiomics name when the feature has no tag. Returns a new string or NULL. */
char *feature_ibsi_name(const rad_features *features, size_t i);

/* Writes the settings of params as "key=value" info entries of model. */
int params_to_model(const rad_params *params, const char *preset, calci_model *model);
/* Rebuilds extraction parameters from a model's info entries. */
rad_params *params_from_model(const calci_model *model);

/* ------------------------------------------------------------------ */
/* JSON output (json.c)                                                 */

typedef struct json_writer {
    FILE *file;
    int depth;
    int first[32]; /* no member written yet at this depth */
} json_writer;

void json_begin_object(json_writer *w, const char *key);
void json_end_object(json_writer *w);
void json_begin_array(json_writer *w, const char *key);
void json_end_array(json_writer *w);
void json_string(json_writer *w, const char *key, const char *value);
void json_number(json_writer *w, const char *key, double value); /* NaN -> null */
void json_integer(json_writer *w, const char *key, long long value);
void json_bool(json_writer *w, const char *key, int value);

/* ------------------------------------------------------------------ */
/* Commands                                                             */

int command_study(int argc, char **argv);
int command_extract(int argc, char **argv);
int command_predict(int argc, char **argv);
int command_train(int argc, char **argv);    /* train_cmd.c */
int command_evaluate(int argc, char **argv); /* train_cmd.c */
int command_table1(int argc, char **argv);
int command_roc(int argc, char **argv);

/* ------------------------------------------------------------------ */
/* Study results shared by the summary and the report (study.c, report.c) */

typedef struct operating_point {
    const char *name;  /* "high_sensitivity" or "high_specificity" */
    double threshold;
    size_t tp, fp, tn, fn;
    double rates[4];   /* sensitivity, specificity, PPV, NPV */
    double lower[4], upper[4]; /* Clopper-Pearson 95 % intervals of rates; NaN when 0/0 */
} operating_point;

/* Specificities of the sensitivity bands: 0, 0.05, ..., 1. */
#define BAND_POINTS 21
#define BAND_SPECIFICITY(s) ((double)(s) / (BAND_POINTS - 1))

/* Bootstrap 95 % band of the sensitivity at the specificities
 * BAND_SPECIFICITY(0 .. BAND_POINTS - 1) (pROC's ci.se); NaN when the
 * bootstrap failed. */
typedef struct roc_band {
    double lower[BAND_POINTS], upper[BAND_POINTS];
} roc_band;

/* Test-set calibration: Brier score, logistic recalibration and the
 * reliability table. When a step fails its numbers stay NaN and reason contains the
 * error (for example a score of exactly 0 or 1). */
#define RELIABILITY_BINS 5
typedef struct calibration_result {
    double brier, intercept, slope;
    size_t counts[RELIABILITY_BINS];
    double mean_score[RELIABILITY_BINS], observed[RELIABILITY_BINS];
    char reason[160];
} calibration_result;

typedef struct comparison {
    char *comparator;
    size_t n_cases, n_positive;
    double auc_model, auc_comparator;
    double z, p, diff_lower, diff_upper;
    int done;          /* 0 when the subset lacks a class */
    char reason[128];
    /* 2x2 counts on the subset as {TP, TN, FN, FP}: the model at both
     * operating points, and the comparator read as positive when it is 1
     * (only when every read is 0 or 1, see comparator_binary). */
    size_t model_counts[2][4];
    size_t comparator_counts[4];
    int comparator_binary;
} comparison;

typedef struct model_result {
    const char *classifier; /* "lr" or "svm" */
    const char *title;      /* "Logistic regression", "Linear SVM" */
    calci_model *model;
    double *scores;         /* per case of the dataset */
    double cv_auc;
    double cv_auc_study_compatible; /* CV AUC with FAE 0.2.5's leaky workflow; NaN if it failed */
    double test_auc, test_ci[2];
    size_t test_positive, test_negative;
    calci_roc *test_roc;
    roc_band test_band;
    calci_roc *cv_roc;      /* pooled out-of-fold scores of the chosen k */
    double cv_ci[2];        /* DeLong's 95 % interval of the AUC of cv_roc */
    roc_band cv_band;
    calibration_result calibration; /* test set */
    operating_point points[2];
    size_t n_comparisons;
    comparison *comparisons;
} model_result;

/* Writes the HTML report; returns 0 or prints the reason and returns -1. */
int report_write(const char *path, const char *manifest_path, const calci_dataset *dataset,
                 const model_result *results, size_t n_results, int min_grey_levels,
                 size_t bootstrap_replicates);

/* Writes path through a temporary file and rename(); fn fills the file. */
int write_atomically(const char *path, int (*fn)(FILE *file, void *user), void *user);

#endif /* CALCI_CLI_H */
