/*
 * predict.c - `calci predict MODEL INPUT --out FILE`: scores the cases of a
 * manifest (features extracted with the model's settings) or of a features
 * CSV with a saved model.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char predict_usage[] =
    "usage: calci predict MODEL INPUT --out FILE [--threads N]\n"
    "\n"
    "  MODEL       a model file written by `calci study` (lr.model, svm.model)\n"
    "  INPUT       a manifest (it has an image column: features are extracted with the\n"
    "              model's extraction settings) or a features CSV such as features.csv\n"
    "  --out FILE  CSV with case_id, score (probability of the positive class),\n"
    "              decision (the linear decision value) and the 0/1 call at the\n"
    "              high-sensitivity and high-specificity operating points\n"
    "  --threads N cases extracted in parallel (default 1)\n";

/* Returns 1 when the CSV at path has an "image" column (a manifest). */
static int is_manifest(const char *path, int *failed)
{
    calci_error *error = calci_error_create();
    calci_table *t = NULL;
    int manifest_like = 0;

    *failed = 0;
    if (error == NULL || calci_table_read_csv(path, &t, error) != CALCI_OK) {
        cli_error("%s", error ? calci_error_message(error) : "out of memory");
        *failed = 1;
    } else {
        manifest_like = calci_table_find_column(t, "image") != (size_t)-1;
    }
    calci_table_free(t);
    calci_error_free(error);
    return manifest_like;
}

static calci_dataset *dataset_from_manifest(const calci_model *model, const char *path,
                                            int threads)
{
    manifest *m = manifest_read(path);
    rad_params *params = m ? params_from_model(model) : NULL;
    extraction *x = params ? extract_manifest(m, params, threads, 1) : NULL;
    calci_dataset *d = NULL;
    calci_error *error = calci_error_create();

    if (x == NULL || error == NULL)
        goto done;
    if (calci_dataset_create(x->n_features, (const char *const *)x->names, 0, NULL, &d,
                             error) != CALCI_OK) {
        cli_error("%s", calci_error_message(error));
        goto done;
    }
    for (size_t i = 0; i < m->n_cases; i++) {
        const manifest_case *c = &m->cases[i];
        if (calci_dataset_add(d, c->case_id, c->patient_id, c->label, c->split, c->group,
                              &x->values[i * x->n_features], NULL, error) != CALCI_OK) {
            cli_error("%s line %zu: %s", path, c->line, calci_error_message(error));
            calci_dataset_free(d);
            d = NULL;
            goto done;
        }
    }

done:
    calci_error_free(error);
    extraction_free(x);
    rad_params_free(params);
    manifest_free(m);
    return d;
}

typedef struct predictions {
    const calci_model *model;
    const calci_dataset *d;
    const double *scores;
    const double *decision;
} predictions;

static int write_predictions(FILE *file, void *user)
{
    const predictions *p = user;
    double high_sens = calci_model_threshold_high_sensitivity(p->model);
    double high_spec = calci_model_threshold_high_specificity(p->model);

    fputs("case_id,score,decision,high_sensitivity,high_specificity\n", file);
    for (size_t i = 0; i < calci_dataset_cases(p->d); i++)
        fprintf(file, "%s,%.17g,%.17g,%d,%d\n", calci_dataset_case_id(p->d, i), p->scores[i],
                p->decision[i], p->scores[i] >= high_sens, p->scores[i] >= high_spec);
    return 0;
}

int command_predict(int argc, char **argv)
{
    const char *model_path = NULL, *input = NULL, *out = NULL;
    calci_error *error = calci_error_create();
    calci_model *model = NULL;
    calci_dataset *d = NULL;
    double *scores = NULL, *decision = NULL;
    int threads = 1, status = EXIT_INPUT, failed;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(predict_usage, stdout);
            calci_error_free(error);
            return 0;
        }
        if (strcmp(argv[i], "--out") == 0 && i + 1 < argc) {
            out = argv[++i];
        } else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc) {
            char *end;
            threads = (int)strtol(argv[++i], &end, 10);
            if (*end != '\0' || threads < 1 || threads > 256) {
                cli_error("predict: --threads \"%s\" is not a count in [1, 256]", argv[i]);
                goto usage;
            }
        } else if (argv[i][0] == '-') {
            cli_error("predict: unknown option %s", argv[i]);
            goto usage;
        } else if (model_path == NULL) {
            model_path = argv[i];
        } else if (input == NULL) {
            input = argv[i];
        } else {
            cli_error("predict: unexpected argument \"%s\"", argv[i]);
            goto usage;
        }
    }
    if (model_path == NULL || input == NULL || out == NULL) {
        cli_error("predict: give MODEL, INPUT and --out FILE");
        goto usage;
    }
    if (error == NULL) {
        cli_error("out of memory");
        return EXIT_INPUT;
    }

    if (calci_model_load(model_path, &model, error) != CALCI_OK) {
        cli_error("%s", calci_error_message(error));
        goto done;
    }
    if (is_manifest(input, &failed))
        d = dataset_from_manifest(model, input, threads);
    else if (!failed && calci_dataset_read_csv(input, &d, error) != CALCI_OK)
        cli_error("%s", calci_error_message(error));
    if (d == NULL)
        goto done;

    scores = malloc((calci_dataset_cases(d) + 1) * sizeof *scores);
    decision = malloc((calci_dataset_cases(d) + 1) * sizeof *decision);
    if (scores == NULL || decision == NULL) {
        cli_error("out of memory");
        goto done;
    }
    if (calci_model_predict(model, d, NULL, 0, scores, decision, error) != CALCI_OK) {
        cli_error("%s: %s", input, calci_error_message(error));
        goto done;
    }
    predictions p = {model, d, scores, decision};
    if (write_atomically(out, write_predictions, &p) == 0)
        status = 0;

done:
    free(scores);
    free(decision);
    calci_dataset_free(d);
    calci_model_free(model);
    calci_error_free(error);
    return status;

usage:
    fputs(predict_usage, stderr);
    calci_error_free(error);
    return EXIT_USAGE;
}
