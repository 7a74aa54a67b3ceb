/*
 * extract.c - feature extraction for the calci program: one case, a whole
 * manifest on several threads, and the `calci extract` command.
 */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

/* Settings carried into model files so that `predict` extracts the same way. */
static const char *const carried_settings[] = {
    "binWidth", "resampledPixelSpacing", "interpolator", "padDistance", "normalize",
    "normalizeScale", "removeOutliers", "voxelArrayShift", "geometryTolerance",
    "minimumROIDimensions", "minimumROISize", "preCrop", "symmetricalGLCM", "distances",
    "gldm_a", "wavelet", "level", "boxAirThreshold", "boxFatMin", "boxFatMax",
    "boxMuscleMin", "boxMuscleMax", "boxBoneMin", NULL};

rad_params *params_from_options(const char *preset, const char *params_path, char **settings,
                                size_t n_settings)
{
    rad_error *error = rad_error_create();
    rad_params *params = NULL;
    rad_status status;

    if (error == NULL) {
        cli_error("out of memory");
        return NULL;
    }
    if (params_path != NULL)
        status = rad_params_read(params_path, &params, error);
    else
        status = rad_params_create(preset, &params, error);
    if (status != RAD_OK) {
        cli_error("%s", rad_error_message(error));
        rad_error_free(error);
        return NULL;
    }
    for (size_t i = 0; i < n_settings; i++) {
        char key[128];
        const char *eq = strchr(settings[i], '=');
        size_t len = eq ? (size_t)(eq - settings[i]) : 0;

        if (eq == NULL || len == 0 || len >= sizeof key) {
            cli_error("--set \"%s\": expected KEY=VALUE", settings[i]);
            goto fail;
        }
        memcpy(key, settings[i], len);
        key[len] = '\0';
        if (rad_params_set(params, key, eq + 1, error) != RAD_OK) {
            cli_error("--set %s: %s", settings[i], rad_error_message(error));
            goto fail;
        }
    }
    rad_error_free(error);
    return params;

fail:
    rad_params_free(params);
    rad_error_free(error);
    return NULL;
}

int params_to_model(const rad_params *params, const char *preset, calci_model *model)
{
    char key[160], value[256];

    if (calci_model_set_info(model, "extraction.preset", preset, NULL) != CALCI_OK)
        return -1;
    for (const char *const *s = carried_settings; *s; s++) {
        if (rad_params_get(params, *s, value, sizeof value, NULL) != RAD_OK)
            return -1;
        snprintf(key, sizeof key, "extraction.%s", *s);
        if (calci_model_set_info(model, key, value, NULL) != CALCI_OK)
            return -1;
    }
    return 0;
}

rad_params *params_from_model(const calci_model *model)
{
    const char *preset = calci_model_info(model, "extraction.preset");
    rad_error *error = rad_error_create();
    rad_params *params = NULL;
    char key[160];

    if (preset == NULL) {
        cli_error("the model file carries no extraction settings; give a features CSV");
        rad_error_free(error);
        return NULL;
    }
    if (error == NULL || rad_params_create(preset, &params, error) != RAD_OK) {
        cli_error("model extraction preset: %s", error ? rad_error_message(error) : "no memory");
        rad_error_free(error);
        return NULL;
    }
    for (const char *const *s = carried_settings; *s; s++) {
        snprintf(key, sizeof key, "extraction.%s", *s);
        const char *value = calci_model_info(model, key);
        if (value != NULL && rad_params_set(params, *s, value, error) != RAD_OK) {
            cli_error("model setting %s: %s", *s, rad_error_message(error));
            rad_params_free(params);
            rad_error_free(error);
            return NULL;
        }
    }
    rad_error_free(error);
    return params;
}

rad_features *extract_one(const rad_params *params, const char *image_path,
                          const char *mask_path, double label_value, const double *box,
                          double box_size)
{
    rad_error *error = rad_error_create();
    rad_volume *image = NULL, *mask = NULL;
    rad_params *local = NULL;
    rad_features *features = NULL;
    char label_text[64];
    int reported = 0;

    if (error == NULL) {
        cli_error("out of memory");
        return NULL;
    }
    if (rad_volume_read(image_path, &image, error) != RAD_OK)
        goto fail;
    if (mask_path != NULL) {
        if (rad_volume_read(mask_path, &mask, error) != RAD_OK)
            goto fail;
    } else if (rad_box_mask(params, image, box, box_size, &mask, error) != RAD_OK) {
        cli_error("image %s, box at %g,%g,%g: %s", image_path, box[0], box[1], box[2],
                  rad_error_message(error));
        reported = 1;
        goto fail;
    }

    /* A box mask is 0/1. A mask file's label comes from --label-value or the
     * manifest when given (not NaN), else from the label setting. */
    local = rad_params_copy(params);
    if (local == NULL)
        goto fail;
    if (mask_path == NULL || !isnan(label_value)) {
        snprintf(label_text, sizeof label_text, "%.17g", mask_path ? label_value : 1.0);
        if (rad_params_set(local, "label", label_text, error) != RAD_OK)
            goto fail;
    }
    if (rad_extract(local, image, mask, &features, error) != RAD_OK) {
        /* The library does not know the file names: say which files failed. */
        if (mask_path != NULL)
            cli_error("image %s with mask %s: %s", image_path, mask_path,
                      rad_error_message(error));
        else
            cli_error("image %s, box at %g,%g,%g: %s", image_path, box[0], box[1], box[2],
                      rad_error_message(error));
        reported = 1;
        goto fail;
    }

    rad_params_free(local);
    rad_volume_free(image);
    rad_volume_free(mask);
    rad_error_free(error);
    return features;

fail:
    if (!reported)
        cli_error("%s", rad_error_status(error) != RAD_OK ? rad_error_message(error)
                                                         : "out of memory");
    rad_params_free(local);
    rad_volume_free(image);
    rad_volume_free(mask);
    rad_error_free(error);
    return NULL;
}

char *feature_ibsi_name(const rad_features *features, size_t i)
{
    const char *name = rad_features_name(features, i);
    const char *tag = rad_features_ibsi_tag(features, i);
    const char *underscore;
    char *result;
    size_t prefix;

    if (name == NULL || tag == NULL)
        return NULL;
    if (tag[0] == '\0')
        return strdup(name);
    underscore = strchr(name, '_');
    prefix = underscore ? (size_t)(underscore - name) : 0;
    if (prefix == 0 || strncmp(name, "original_", 9) == 0)
        return strdup(tag);
    result = malloc(prefix + 1 + strlen(tag) + 1);
    if (result != NULL)
        sprintf(result, "%.*s_%s", (int)prefix, name, tag);
    return result;
}

void extraction_free(extraction *x)
{
    if (x == NULL)
        return;
    for (size_t j = 0; j < x->n_features; j++) {
        free(x->names[j]);
        if (x->ibsi_names)
            free(x->ibsi_names[j]);
    }
    free(x->names);
    free(x->ibsi_names);
    free(x->values);
    free(x->grey_levels);
    free(x);
}

/* State shared by the extraction threads. */
typedef struct work_queue {
    const manifest *m;
    const rad_params *params;
    case_cache *cache;
    extraction *x;
    size_t next;      /* next case to take */
    size_t finished;
    size_t cached;    /* cases read from the cache */
    int failed;
    int progress;
    struct timespec start;
    pthread_mutex_t lock;
} work_queue;

static double seconds_since(const struct timespec *start)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) + 1e-9 * (double)(now.tv_nsec - start->tv_nsec);
}

/* Prints "case i of n" with the elapsed and estimated remaining time: in
 * place on a terminal, otherwise one line about every 10 % of the cases. */
static void report_progress(work_queue *q)
{
    size_t n = q->m->n_cases, done = q->finished;
    double elapsed = seconds_since(&q->start);
    double remaining = elapsed / (double)done * (double)(n - done);
    int terminal = isatty(fileno(stderr));

    if (!terminal && done != n && done % (n / 10 + 1) != 0)
        return;
    fprintf(stderr, "%scalci: extracted case %zu of %zu, %.1f s elapsed, %.1f s left%s",
            terminal ? "\r" : "", done, n, elapsed, remaining,
            terminal && done != n ? "  " : "\n");
}

/* Features of case c: from the cache when it has them (*cached = 1),
 * otherwise extracted, then stored in the cache. NULL after a message. */
static case_features *case_features_of(const rad_params *params, case_cache *cache,
                                       const manifest_case *c, int *cached)
{
    uint64_t key = 0;
    int keyed = cache != NULL && case_cache_key(cache, c, &key) == 0;
    case_features *cf = keyed ? case_cache_load(cache, c, key) : NULL;
    rad_features *f;

    *cached = cf != NULL;
    if (cf != NULL)
        return cf;
    f = extract_one(params, c->image, c->mask, c->label_value, c->has_box ? c->box : NULL,
                    c->box_size);
    cf = f ? case_features_from(f) : NULL;
    rad_features_free(f);
    /* A cache file that cannot be written only costs a later rerun time. */
    if (cf != NULL && keyed)
        case_cache_store(cache, c, key, cf);
    return cf;
}

static void *extract_worker(void *arg)
{
    work_queue *q = arg;

    for (;;) {
        size_t i;
        int cached;
        pthread_mutex_lock(&q->lock);
        i = q->failed ? q->m->n_cases : q->next++;
        pthread_mutex_unlock(&q->lock);
        if (i >= q->m->n_cases)
            return NULL;

        const manifest_case *c = &q->m->cases[i];
        case_features *cf = case_features_of(q->params, q->cache, c, &cached);

        pthread_mutex_lock(&q->lock);
        q->finished++;
        q->cached += cached;
        if (cf == NULL || extraction_store(q->x, q->m, i, cf) != 0) {
            q->failed = 1;
            cli_error("case %s (manifest line %zu) failed", c->case_id, c->line);
        } else if (q->progress) {
            report_progress(q);
        }
        pthread_mutex_unlock(&q->lock);
        case_features_free(cf);
    }
}

extraction *extract_manifest(const manifest *m, const rad_params *params, int threads,
                             int progress)
{
    return extract_manifest_cached(m, params, threads, progress, NULL);
}

extraction *extract_manifest_cached(const manifest *m, const rad_params *params, int threads,
                                    int progress, case_cache *cache)
{
    work_queue q = {.m = m, .params = params, .cache = cache, .progress = progress};
    pthread_t *ids;
    int started = 0;

#ifdef CALCI_WITH_MPI
    if (mpi_parallel())
        return mpi_extract_manifest(m, params, progress, cache);
#endif
    if (threads < 1)
        threads = 1;
    if ((size_t)threads > m->n_cases)
        threads = (int)m->n_cases;
    q.x = extraction_create(m->n_cases);
    ids = calloc((size_t)threads + 1, sizeof *ids);
    if (q.x == NULL || ids == NULL) {
        cli_error("out of memory");
        extraction_free(q.x);
        free(ids);
        return NULL;
    }
    pthread_mutex_init(&q.lock, NULL);
    clock_gettime(CLOCK_MONOTONIC, &q.start);

    for (int t = 1; t < threads; t++)
        started += pthread_create(&ids[t], NULL, extract_worker, &q) == 0;
    extract_worker(&q);
    for (int t = 1; t <= started; t++)
        pthread_join(ids[t], NULL);

    if (cache != NULL && progress)
        fprintf(stderr, "calci: %zu of %zu cases read from the cache %s\n", q.cached,
                m->n_cases, cache->dir);
    if (!q.failed && m->n_cases == 0) {
        cli_error("%s has no cases", m->path);
        q.failed = 1;
    }
    pthread_mutex_destroy(&q.lock);
    free(ids);
    if (q.failed) {
        extraction_free(q.x);
        return NULL;
    }
    return q.x;
}

/* ------------------------------------------------------------------ */
/* calci extract                                                        */

static const char extract_usage[] =
    "usage: calci extract --image I (--mask M [--label-value V] | --box X,Y,Z [--box-size MM])\n"
    "                     [--preset NAME | --params FILE] [--set KEY=VALUE ...]\n"
    "                     [--threads N] [--names pyradiomics|ibsi] --out FILE\n"
    "       calci extract --manifest M [--preset NAME | --params FILE] [--set KEY=VALUE ...]\n"
    "                     [--threads N] [--names pyradiomics|ibsi] --out FILE\n"
    "\n"
    "  --image I          CT volume (NIfTI .nii/.nii.gz or NRRD)\n"
    "  --mask M           mask volume on the image grid\n"
    "  --label-value V    mask value of the region of interest (default: the label\n"
    "                     setting of --preset, --params or --set, which is 1 unless set)\n"
    "  --box X,Y,Z        centre of a cubic box in world RAS mm; the subcutaneous tissue\n"
    "                     inside it is segmented automatically\n"
    "  --box-size MM      edge of the box in mm (default 50)\n"
    "  --preset NAME      yu2021 (default: the study's 774 features), pyradiomics or ibsi\n"
    "  --params FILE      pyradiomics YAML parameter file, used in place of --preset\n"
    "  --set KEY=VALUE    a setting by its pyradiomics name, e.g. binWidth=10 (applied\n"
    "                     after --preset or --params)\n"
    "  --names STYLE      feature names: pyradiomics (default, original_firstorder_Mean)\n"
    "                     or ibsi (IBSI tags such as stat_mean, cm_joint_max_3D_avg, where\n"
    "                     the feature has one; filtered images prefix their image type;\n"
    "                     a tag that two classes share, such as ih_entropy, is written once)\n"
    "  --threads N        threads: cases extracted in parallel with --manifest, or\n"
    "                     image types and classes of the one case with --image\n"
    "                     (default 1; at most 256 with --manifest, 64 with --image)\n"
    "  --out FILE         CSV output: feature,value rows, or one row per case\n";

typedef struct single_output {
    const rad_features *features;
    int ibsi_names;
} single_output;

/*
 * Returns 1 when names[j] equals an earlier name. pyradiomics' firstorder Entropy
 * and Uniformity carry the IBSI tags ih_entropy and ih_uniformity of the ih
 * class, so with --names ibsi a run of both classes gives those names twice.
 * The writers keep the first.
 */
static int repeats_earlier(char *const *names, size_t j)
{
    for (size_t k = 0; k < j; k++)
        if (strcmp(names[k], names[j]) == 0)
            return 1;
    return 0;
}

static int write_single(FILE *file, void *user)
{
    const single_output *single = user;
    const rad_features *f = single->features;
    size_t n = rad_features_count(f);
    char **ibsi = NULL;
    int status = 0;

    if (single->ibsi_names) {
        ibsi = calloc(n ? n : 1, sizeof *ibsi);
        if (ibsi == NULL)
            return -1;
        for (size_t i = 0; i < n && status == 0; i++)
            if ((ibsi[i] = feature_ibsi_name(f, i)) == NULL)
                status = -1;
    }
    if (status == 0)
        fputs("feature,value\n", file);
    for (size_t i = 0; i < n && status == 0; i++) {
        if (ibsi != NULL && repeats_earlier(ibsi, i))
            continue;
        fprintf(file, "%s,%.17g\n", ibsi ? ibsi[i] : rad_features_name(f, i),
                rad_features_value(f, i));
    }
    for (size_t i = 0; ibsi != NULL && i < n; i++)
        free(ibsi[i]);
    free(ibsi);
    return status;
}

static int write_table(FILE *file, void *user)
{
    const void *const *pair = user;
    const manifest *m = pair[0];
    const extraction *x = pair[1];
    const int *ibsi_names = pair[2];
    unsigned char *keep = malloc(x->n_features ? x->n_features : 1);

    if (keep == NULL)
        return -1;
    for (size_t j = 0; j < x->n_features; j++)
        keep[j] = !*ibsi_names || !repeats_earlier(x->ibsi_names, j);
    fputs("case_id", file);
    for (size_t j = 0; j < x->n_features; j++)
        if (keep[j])
            fprintf(file, ",%s", *ibsi_names ? x->ibsi_names[j] : x->names[j]);
    fputc('\n', file);
    for (size_t i = 0; i < x->n_cases; i++) {
        fputs(m->cases[i].case_id, file);
        for (size_t j = 0; j < x->n_features; j++)
            if (keep[j])
                fprintf(file, ",%.17g", x->values[i * x->n_features + j]);
        fputc('\n', file);
    }
    free(keep);
    return 0;
}

static int parse_box(const char *text, double box[3])
{
    char *end;

    for (int a = 0; a < 3; a++) {
        box[a] = strtod(text, &end);
        if (end == text || !isfinite(box[a]) || (a < 2 ? *end != ',' : *end != '\0'))
            return -1;
        text = end + 1;
    }
    return 0;
}

int command_extract(int argc, char **argv)
{
    const char *image = NULL, *mask = NULL, *out = NULL, *manifest_path = NULL;
    const char *preset = "yu2021", *params_path = NULL;
    int ibsi_names = 0;
    char **settings = calloc((size_t)argc + 1, sizeof(char *));
    size_t n_settings = 0;
    double label_value = NAN, box[3], box_size = 50;
    int has_box = 0, threads = 1, status = EXIT_USAGE;
    rad_params *params = NULL;

    if (settings == NULL)
        return EXIT_INPUT;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        char *end;

        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            fputs(extract_usage, stdout);
            free(settings);
            return 0;
        }
        if (value == NULL) {
            cli_error("extract: option %s needs a value", arg);
            goto usage;
        }
        i++;
        if (strcmp(arg, "--image") == 0)
            image = value;
        else if (strcmp(arg, "--mask") == 0)
            mask = value;
        else if (strcmp(arg, "--manifest") == 0)
            manifest_path = value;
        else if (strcmp(arg, "--out") == 0)
            out = value;
        else if (strcmp(arg, "--preset") == 0)
            preset = value;
        else if (strcmp(arg, "--params") == 0)
            params_path = value;
        else if (strcmp(arg, "--set") == 0)
            settings[n_settings++] = (char *)value;
        else if (strcmp(arg, "--names") == 0) {
            if (strcmp(value, "ibsi") != 0 && strcmp(value, "pyradiomics") != 0) {
                cli_error("extract: --names \"%s\": expected pyradiomics or ibsi", value);
                goto usage;
            }
            ibsi_names = strcmp(value, "ibsi") == 0;
        } else if (strcmp(arg, "--label-value") == 0) {
            label_value = strtod(value, &end);
            if (end == value || *end != '\0' || isnan(label_value)) {
                cli_error("extract: --label-value \"%s\" is not a number", value);
                goto usage;
            }
        } else if (strcmp(arg, "--box") == 0) {
            if (parse_box(value, box) != 0) {
                cli_error("extract: --box \"%s\" is not X,Y,Z in mm", value);
                goto usage;
            }
            has_box = 1;
        } else if (strcmp(arg, "--box-size") == 0) {
            box_size = strtod(value, &end);
            if (end == value || *end != '\0' || !(box_size > 0)) {
                cli_error("extract: --box-size \"%s\" is not a positive size in mm", value);
                goto usage;
            }
        } else if (strcmp(arg, "--threads") == 0) {
            threads = (int)strtol(value, &end, 10);
            if (end == value || *end != '\0' || threads < 1 || threads > 256) {
                cli_error("extract: --threads \"%s\" is not a count in [1, 256]", value);
                goto usage;
            }
        } else {
            cli_error("extract: unknown option %s", arg);
            goto usage;
        }
    }
    if (out == NULL || (manifest_path == NULL) == (image == NULL) ||
        (image != NULL && (mask == NULL) == !has_box)) {
        cli_error("extract: give --out and either --manifest, or --image with one of --mask "
                  "and --box");
        goto usage;
    }

    status = EXIT_INPUT;
    params = params_from_options(preset, params_path, settings, n_settings);
    if (params == NULL)
        goto done;
    if (manifest_path != NULL) {
        manifest *m = manifest_read(manifest_path);
        extraction *x = m ? extract_manifest(m, params, threads, 1) : NULL;
        const void *pair[3] = {m, x, &ibsi_names};
        if (x != NULL && write_atomically(out, write_table, pair) == 0)
            status = 0;
        extraction_free(x);
        manifest_free(m);
    } else {
        /* One case: --threads sets the library's per-case "threads" setting. */
        if (threads > 1) {
            char text[16];
            rad_error *error = rad_error_create();
            snprintf(text, sizeof text, "%d", threads);
            if (error == NULL || rad_params_set(params, "threads", text, error) != RAD_OK) {
                cli_error("extract: --threads %d: %s", threads,
                          error ? rad_error_message(error) : "out of memory");
                rad_error_free(error);
                goto done;
            }
            rad_error_free(error);
        }
        rad_features *f = extract_one(params, image, mask, label_value, has_box ? box : NULL,
                                      box_size);
        single_output single = {f, ibsi_names};
        if (f != NULL && write_atomically(out, write_single, &single) == 0)
            status = 0;
        rad_features_free(f);
    }

done:
    rad_params_free(params);
    free(settings);
    return status;

usage:
    fputs(extract_usage, stderr);
    free(settings);
    return EXIT_USAGE;
}
