/*
 * bench_stats.c - timings of libcalci's statistics against R's pROC and
 * scikit-learn, measured in the same run on the same data.
 *
 *   bench_stats
 *
 * 1. DeLong's paired test on n = 100,000 paired scores: building both ROC
 *    curves and calci_roc_test_delong, against pROC's roc() twice and
 *    roc.test(method = "delong") through Rscript, timed inside R with
 *    system.time (elapsed).
 * 2. Cross-validation of 160 lesions x 774 features, k = 1 .. 30, for L2
 *    logistic regression and linear SVM (C = 1): calci_model_fit with
 *    select = anova, pcc = none, folds = 5 (the fit also refits the chosen
 *    k on all cases), against scikit-learn run by /usr/bin/python3: per fold
 *    StandardScaler, f_classif ranking, LogisticRegression and
 *    SVC(kernel = "linear") on the top k, timed inside Python with
 *    time.perf_counter.
 * Every time is the median of REPEATS runs of wall-clock time
 * (CLOCK_MONOTONIC), as the references are timed. A reference whose tool is
 * missing gets a SKIP line. Data are synthetic, from a fixed seed, and
 * written to a temporary folder that is removed at the end.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "calci.h"

#define REPEATS 3
#define DELONG_N 100000
#define CV_CASES 160
#define CV_FEATURES 774
#define CV_K_MAX 30

static double wall_seconds(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

static double median(double *x, int n)
{
    qsort(x, (size_t)n, sizeof *x, compare_double);
    return n % 2 ? x[n / 2] : 0.5 * (x[n / 2 - 1] + x[n / 2]);
}

/* Deterministic generator for the data (xorshift64*), uniform in [0, 1). */
static unsigned long long rng_state = 88172645463325252ULL;

static double uniform(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (double)((rng_state * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

/* Standard normal draw by the Box-Muller transform. */
static double normal(void)
{
    double u = uniform(), v = uniform();

    return sqrt(-2.0 * log(1.0 - u)) * cos(6.283185307179586 * v);
}

/* Runs command and reads its "seconds S" line and, when check is set, its
 * "z Z" line into *check; returns S, or NaN on failure. */
static double run_reference(const char *command, double *check)
{
    FILE *pipe = popen(command, "r");
    char line[256];
    double value = NAN;

    if (pipe == NULL)
        return NAN;
    while (fgets(line, sizeof line, pipe)) {
        if (sscanf(line, "seconds %lf", &value) == 1)
            continue;
        if (check != NULL)
            sscanf(line, "z %lf", check);
    }
    if (pclose(pipe) != 0)
        return NAN;
    return value;
}

static int have_command(const char *probe)
{
    return system(probe) == 0;
}

/* ------------------------------------------------------------------ */
/* DeLong's paired test                                                 */

static const char delong_script[] =
    "suppressMessages(library(pROC))\n"
    "d <- read.csv(commandArgs(TRUE)[1])\n"
    "times <- replicate(%d, system.time({\n"
    "  a <- roc(d$label, d$a, levels = c(0, 1), direction = '<', quiet = TRUE)\n"
    "  b <- roc(d$label, d$b, levels = c(0, 1), direction = '<', quiet = TRUE)\n"
    "  test <<- roc.test(a, b, method = 'delong')\n"
    "})[['elapsed']])\n"
    "cat(sprintf('seconds %%.6f\\nz %%.10f\\n', median(times), test$statistic))\n";

static void bench_delong(const char *dir)
{
    double *a = malloc(DELONG_N * sizeof *a), *b = malloc(DELONG_N * sizeof *b);
    int *labels = malloc(DELONG_N * sizeof *labels);
    double times[REPEATS], z = NAN, z_reference = NAN, ours, reference;
    char data_path[512], script_path[512], command[1400];
    FILE *file;

    if (a == NULL || b == NULL || labels == NULL) {
        printf("FAIL DeLong benchmark: out of memory\n");
        goto done;
    }
    for (size_t i = 0; i < DELONG_N; i++) {
        double shared = normal();
        labels[i] = i % 2;
        /* Rounded to 4 decimals so that the CSV round trip keeps every value
         * and the data have ties, as real scores do. */
        a[i] = round((shared + 1.0 * labels[i] + 0.5 * normal()) * 1e4) / 1e4;
        b[i] = round((shared + 0.8 * labels[i] + 0.5 * normal()) * 1e4) / 1e4;
    }
    for (int r = 0; r < REPEATS; r++) {
        calci_roc *roc_a = NULL, *roc_b = NULL;
        double start = wall_seconds();
        if (calci_roc_create(a, labels, DELONG_N, CALCI_DIRECTION_HIGHER, &roc_a, NULL) !=
                CALCI_OK ||
            calci_roc_create(b, labels, DELONG_N, CALCI_DIRECTION_HIGHER, &roc_b, NULL) !=
                CALCI_OK ||
            calci_roc_test_delong(roc_a, roc_b, 0.95, &z, NULL, NULL, NULL, NULL) != CALCI_OK) {
            printf("FAIL DeLong benchmark: calci_roc_test_delong failed\n");
            calci_roc_free(roc_a);
            calci_roc_free(roc_b);
            goto done;
        }
        times[r] = wall_seconds() - start;
        calci_roc_free(roc_a);
        calci_roc_free(roc_b);
    }
    ours = median(times, REPEATS);
    printf("DeLong paired test, n = %d: libcalci %.2f ms (z = %.6f)\n", DELONG_N, 1e3 * ours, z);

    if (!have_command("Rscript -e 'quit(status = !requireNamespace(\"pROC\", quietly = TRUE))' "
                      ">/dev/null 2>&1")) {
        printf("SKIP DeLong against pROC: Rscript or the R package pROC is not installed "
               "(Debian packages r-base-core, r-cran-proc)\n");
        goto done;
    }
    snprintf(data_path, sizeof data_path, "%s/delong.csv", dir);
    snprintf(script_path, sizeof script_path, "%s/delong.R", dir);
    file = fopen(data_path, "w");
    if (file == NULL) {
        printf("FAIL DeLong against pROC: cannot write %s\n", data_path);
        goto done;
    }
    fputs("label,a,b\n", file);
    for (size_t i = 0; i < DELONG_N; i++)
        fprintf(file, "%d,%.4f,%.4f\n", labels[i], a[i], b[i]);
    fclose(file);
    file = fopen(script_path, "w");
    if (file == NULL) {
        printf("FAIL DeLong against pROC: cannot write %s\n", script_path);
        goto done;
    }
    fprintf(file, delong_script, REPEATS);
    fclose(file);
    snprintf(command, sizeof command, "Rscript --vanilla '%s' '%s' 2>/dev/null", script_path,
             data_path);
    reference = run_reference(command, &z_reference);
    if (isnan(reference))
        printf("FAIL DeLong against pROC: Rscript failed\n");
    else
        printf("DeLong paired test, n = %d: pROC roc() x 2 + roc.test %.2f ms (z = %.6f), "
               "libcalci %.1f x faster\n",
               DELONG_N, 1e3 * reference, z_reference, reference / ours);
    remove(data_path);
    remove(script_path);

done:
    free(a);
    free(b);
    free(labels);
}

/* ------------------------------------------------------------------ */
/* Cross-validation over k                                              */

static const char cv_script[] =
    "import sys, time\n"
    "import numpy as np\n"
    "from sklearn.feature_selection import f_classif\n"
    "from sklearn.linear_model import LogisticRegression\n"
    "from sklearn.metrics import roc_auc_score\n"
    "from sklearn.model_selection import StratifiedKFold\n"
    "from sklearn.preprocessing import StandardScaler\n"
    "from sklearn.svm import SVC\n"
    "data = np.loadtxt(sys.argv[1], delimiter=',', skiprows=1)\n"
    "y, X = data[:, 0].astype(int), data[:, 1:]\n"
    "repeats, k_max = int(sys.argv[2]), int(sys.argv[3])\n"
    "def run():\n"
    "    oof = {c: np.zeros((k_max, len(y))) for c in ('lr', 'svm')}\n"
    "    for train, test in StratifiedKFold(5, shuffle=True, random_state=1).split(X, y):\n"
    "        scaler = StandardScaler().fit(X[train])\n"
    "        xtr, xte = scaler.transform(X[train]), scaler.transform(X[test])\n"
    "        order = np.argsort(-np.nan_to_num(f_classif(xtr, y[train])[0]), kind='stable')\n"
    "        for k in range(1, k_max + 1):\n"
    "            cols = order[:k]\n"
    "            lr = LogisticRegression(C=1.0, max_iter=1000).fit(xtr[:, cols], y[train])\n"
    "            oof['lr'][k - 1, test] = lr.decision_function(xte[:, cols])\n"
    "            svm = SVC(kernel='linear', C=1.0).fit(xtr[:, cols], y[train])\n"
    "            oof['svm'][k - 1, test] = svm.decision_function(xte[:, cols])\n"
    "    return [max(roc_auc_score(y, oof[c][k]) for k in range(k_max)) for c in oof]\n"
    "times = []\n"
    "for _ in range(repeats):\n"
    "    start = time.perf_counter()\n"
    "    best = run()\n"
    "    times.append(time.perf_counter() - start)\n"
    "print('seconds %.6f' % sorted(times)[len(times) // 2])\n"
    "print('best_auc %.4f %.4f' % tuple(best))\n";

/* Fits one classifier with k = 1 .. CV_K_MAX by 5-fold CV; seconds or NaN. */
static double time_fit(const calci_dataset *d, const char *classifier, double *cv_auc)
{
    calci_options *options = NULL;
    calci_model *model = NULL;
    calci_error *error = calci_error_create();
    char k_max[16];
    double seconds = NAN, start;

    snprintf(k_max, sizeof k_max, "%d", CV_K_MAX);
    if (error == NULL || calci_options_create(&options, error) != CALCI_OK ||
        calci_options_set(options, "classifier", classifier, error) != CALCI_OK ||
        calci_options_set(options, "select", "anova", error) != CALCI_OK ||
        calci_options_set(options, "pcc", "none", error) != CALCI_OK ||
        calci_options_set(options, "k_max", k_max, error) != CALCI_OK ||
        calci_options_set(options, "folds", "5", error) != CALCI_OK)
        goto done;
    start = wall_seconds();
    if (calci_model_fit(options, d, NULL, 0, &model, error) != CALCI_OK)
        goto done;
    seconds = wall_seconds() - start;
    *cv_auc = calci_model_cv_auc(model);

done:
    if (isnan(seconds))
        printf("FAIL CV benchmark (%s): %s\n", classifier,
               error ? calci_error_message(error) : "out of memory");
    calci_model_free(model);
    calci_options_free(options);
    calci_error_free(error);
    return seconds;
}

static void bench_cv(const char *dir)
{
    double *values = malloc((size_t)CV_CASES * CV_FEATURES * sizeof *values);
    char **names = malloc(CV_FEATURES * sizeof *names);
    int labels[CV_CASES];
    calci_dataset *d = NULL;
    double times[REPEATS], ours, reference, auc_lr = NAN, auc_svm = NAN;
    char data_path[512], script_path[512], command[1400], id[32];
    FILE *file;

    if (values == NULL || names == NULL) {
        printf("FAIL CV benchmark: out of memory\n");
        goto done;
    }
    for (size_t j = 0; j < CV_FEATURES; j++)
        names[j] = NULL;
    for (size_t j = 0; j < CV_FEATURES; j++) {
        names[j] = malloc(32);
        if (names[j] == NULL) {
            printf("FAIL CV benchmark: out of memory\n");
            goto done;
        }
        snprintf(names[j], 32, "feature_%zu", j);
    }
    /* The first 20 features carry the class with decreasing strength. */
    for (size_t i = 0; i < CV_CASES; i++) {
        labels[i] = (int)(i % 2);
        for (size_t j = 0; j < CV_FEATURES; j++)
            values[i * CV_FEATURES + j] =
                round((normal() + (j < 20 ? labels[i] * (1.0 - 0.04 * (double)j) : 0.0)) * 1e6) /
                1e6;
    }
    if (calci_dataset_create(CV_FEATURES, (const char *const *)names, 0, NULL, &d, NULL) !=
        CALCI_OK) {
        printf("FAIL CV benchmark: calci_dataset_create failed\n");
        goto done;
    }
    for (size_t i = 0; i < CV_CASES; i++) {
        snprintf(id, sizeof id, "lesion_%zu", i);
        if (calci_dataset_add(d, id, NULL, labels[i], CALCI_SPLIT_TRAIN, NULL,
                              &values[i * CV_FEATURES], NULL, NULL) != CALCI_OK) {
            printf("FAIL CV benchmark: calci_dataset_add failed\n");
            goto done;
        }
    }
    for (int r = 0; r < REPEATS; r++) {
        double lr = time_fit(d, "lr", &auc_lr), svm = time_fit(d, "svm", &auc_svm);
        if (isnan(lr) || isnan(svm))
            goto done;
        times[r] = lr + svm;
    }
    ours = median(times, REPEATS);
    printf("5-fold CV, k = 1..%d, %d x %d, LR + linear SVM: libcalci %.1f ms (best CV AUC "
           "%.3f, %.3f)\n",
           CV_K_MAX, CV_CASES, CV_FEATURES, 1e3 * ours, auc_lr, auc_svm);

    if (!have_command("/usr/bin/python3 -c 'import sklearn' >/dev/null 2>&1")) {
        printf("SKIP CV against scikit-learn: /usr/bin/python3 cannot import sklearn (Debian "
               "package python3-sklearn)\n");
        goto done;
    }
    snprintf(data_path, sizeof data_path, "%s/cv.csv", dir);
    snprintf(script_path, sizeof script_path, "%s/cv.py", dir);
    file = fopen(data_path, "w");
    if (file == NULL) {
        printf("FAIL CV against scikit-learn: cannot write %s\n", data_path);
        goto done;
    }
    fputs("label", file);
    for (size_t j = 0; j < CV_FEATURES; j++)
        fprintf(file, ",%s", names[j]);
    fputc('\n', file);
    for (size_t i = 0; i < CV_CASES; i++) {
        fprintf(file, "%d", labels[i]);
        for (size_t j = 0; j < CV_FEATURES; j++)
            fprintf(file, ",%.6f", values[i * CV_FEATURES + j]);
        fputc('\n', file);
    }
    fclose(file);
    file = fopen(script_path, "w");
    if (file == NULL) {
        printf("FAIL CV against scikit-learn: cannot write %s\n", script_path);
        goto done;
    }
    fputs(cv_script, file);
    fclose(file);
    snprintf(command, sizeof command, "/usr/bin/python3 '%s' '%s' %d %d 2>/dev/null",
             script_path, data_path, REPEATS, CV_K_MAX);
    reference = run_reference(command, NULL);
    if (isnan(reference))
        printf("FAIL CV against scikit-learn: python3 failed\n");
    else
        printf("5-fold CV, k = 1..%d, %d x %d, LR + linear SVM: scikit-learn %.1f ms, "
               "libcalci %.1f x faster\n",
               CV_K_MAX, CV_CASES, CV_FEATURES, 1e3 * reference, reference / ours);
    remove(data_path);
    remove(script_path);

done:
    calci_dataset_free(d);
    if (names != NULL)
        for (size_t j = 0; j < CV_FEATURES; j++)
            free(names[j]);
    free(names);
    free(values);
}

int main(void)
{
    char dir[] = "/tmp/calci_bench_XXXXXX";

    if (mkdtemp(dir) == NULL) {
        fprintf(stderr, "bench_stats: cannot create a temporary folder\n");
        return 1;
    }
    printf("libcalci %s; times are medians of %d runs (wall clock)\n", calci_version_string(),
           REPEATS);
    bench_delong(dir);
    bench_cv(dir);
    rmdir(dir);
    return 0;
}
