/*
 * main.c - the calci command-line program: command dispatch and helpers.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const char usage_text[] =
    "usage: calci COMMAND [OPTIONS]\n"
    "\n"
    "Commands:\n"
    "  study MANIFEST --out DIR     extract features for every case, split by patient,\n"
    "                               train logistic regression and linear SVM, test,\n"
    "                               compare with the cmp_* columns, write a report\n"
    "  extract --image I (--mask M [--label-value V] | --box X,Y,Z [--box-size MM])\n"
    "          --out FILE           features of one case as feature,value rows\n"
    "  extract --manifest M --out FILE\n"
    "                               one row of features per case of a manifest\n"
    "  predict MODEL INPUT --out FILE\n"
    "                               score a manifest or a features CSV with a saved model\n"
    "  train FILE --id COL --label COL --classifier lr|svm --out MODEL\n"
    "                               fit a model on a CSV of numeric features\n"
    "  evaluate MODEL FILE --label COL [--json]\n"
    "                               AUC with DeLong CI, operating points, Brier score\n"
    "                               and calibration of a saved model on a labelled CSV\n"
    "  roc FILE --label COL --score COL [--score COL ...]\n"
    "                               AUC with a DeLong or bootstrap CI per score, and a\n"
    "                               test for each pair of scores (as R's pROC)\n"
    "  table1 CLINICAL.csv --group COL [--categorical COL ...] [--continuous COL ...]\n"
    "                               patient characteristics of two groups with the\n"
    "                               chi-square, Fisher or Mann-Whitney p (Table 1)\n"
    "  version                      print the program and library versions\n"
    "\n"
    "Run `calci COMMAND --help` for the options of a command.\n";

void cli_error(const char *format, ...)
{
    va_list args;

    fputs("calci: ", stderr);
    va_start(args, format);
    vfprintf(stderr, format, args);
    va_end(args);
    fputc('\n', stderr);
}

int write_atomically(const char *path, int (*fn)(FILE *file, void *user), void *user)
{
    size_t len = strlen(path) + 32;
    char *temp = malloc(len);
    FILE *file;
    int fd, failed;

    if (temp == NULL) {
        cli_error("out of memory writing %s", path);
        return -1;
    }
    snprintf(temp, len, "%s.tmp-XXXXXX", path);
    fd = mkstemp(temp);
    if (fd < 0 || (file = fdopen(fd, "w")) == NULL) {
        cli_error("cannot create %s: %s", temp, strerror(errno));
        if (fd >= 0)
            close(fd);
        free(temp);
        return -1;
    }
    failed = fn(file, user) != 0;
    failed |= ferror(file) != 0;
    failed |= fclose(file) != 0;
    if (failed || rename(temp, path) != 0) {
        cli_error("cannot write %s: %s", path, errno ? strerror(errno) : "write failed");
        unlink(temp);
        free(temp);
        return -1;
    }
    free(temp);
    return 0;
}

int cli_extraction_worker(void)
{
#ifdef CALCI_WITH_MPI
    return mpi_parallel() && !mpi_rank_is_root();
#else
    return 0;
#endif
}

static int run_command(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage_text, stderr);
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "study") == 0)
        return command_study(argc - 1, argv + 1);
    if (strcmp(argv[1], "extract") == 0)
        return command_extract(argc - 1, argv + 1);
    if (strcmp(argv[1], "predict") == 0)
        return command_predict(argc - 1, argv + 1);
    if (strcmp(argv[1], "train") == 0)
        return command_train(argc - 1, argv + 1);
    if (strcmp(argv[1], "evaluate") == 0)
        return command_evaluate(argc - 1, argv + 1);
    if (strcmp(argv[1], "roc") == 0)
        return command_roc(argc - 1, argv + 1);
    if (strcmp(argv[1], "table1") == 0)
        return command_table1(argc - 1, argv + 1);
    if (strcmp(argv[1], "version") == 0 || strcmp(argv[1], "--version") == 0) {
        printf("calci %s (libcalci %s, libradiomics %s)\n", CALCI_VERSION_STRING,
               calci_version_string(), rad_version_string());
        return 0;
    }
    if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
        strcmp(argv[1], "-h") == 0) {
        fputs(usage_text, stdout);
        return 0;
    }
    cli_error("unknown command \"%s\"", argv[1]);
    fputs(usage_text, stderr);
    return EXIT_USAGE;
}

int main(int argc, char **argv)
{
#ifdef CALCI_WITH_MPI
    int status = mpi_start(argc, argv);

    if (status != 0)
        return mpi_finish(status);
    return mpi_finish(run_command(argc, argv));
#else
    return run_command(argc, argv);
#endif
}
