/*
 * mpi_extract.c - manifest extraction over MPI for calci-mpi, the calci
 * program built with -DCALCI_WITH_MPI (`make mpi`).
 *
 * Every rank parses the same command line and reads the same manifest.
 * Rank 0 reads the cached cases, then hands out the indices of the other
 * cases one at a time to whichever worker sends a request (dynamic scheduling), stores
 * the returned feature vectors in manifest order and continues as the
 * single-process program. The other ranks only extract.
 *
 * Messages, worker to rank 0 (TAG_RESULT): long header[4] = {case index or
 * -1 for the first request, 1 when the case succeeded, feature count, grey
 * levels}, followed on success by TAG_NAMES (the names as "name\0ibsi\0"
 * pairs, char) and TAG_VALUES (double). Rank 0 to worker (TAG_WORK): one
 * long, the case index or -1 to stop.
 */
#include <limits.h>
#include <mpi.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

enum { TAG_RESULT = 1, TAG_NAMES = 2, TAG_VALUES = 3, TAG_WORK = 4 };

static int world_rank, world_size;
/* Set once this rank has taken part in a whole exchange of cases. */
static int exchange_done;
/* Set on a worker rank when one of its cases failed. */
static int worker_failed;

int mpi_parallel(void)
{
    return world_size > 1;
}

int mpi_rank_is_root(void)
{
    return world_rank == 0;
}

int mpi_start(int argc, char **argv)
{
    if (MPI_Init(&argc, &argv) != MPI_SUCCESS) {
        cli_error("MPI_Init failed");
        return EXIT_INPUT;
    }
    MPI_Comm_rank(MPI_COMM_WORLD, &world_rank);
    MPI_Comm_size(MPI_COMM_WORLD, &world_size);
    if (world_size == 1)
        return 0;
    /* The other commands would run once per rank. */
    int manifest_given = 0;
    for (int i = 2; i < argc; i++)
        manifest_given |= strcmp(argv[i], "--manifest") == 0;
    if (argc >= 2 && (strcmp(argv[1], "study") == 0 ||
                      (strcmp(argv[1], "extract") == 0 && manifest_given)))
        return 0;
    if (world_rank == 0)
        cli_error("on several MPI ranks calci-mpi runs only `study` and `extract --manifest`; "
                  "run other commands with calci or on one rank");
    return EXIT_USAGE;
}

int mpi_finish(int status)
{
    if (world_size > 1 && world_rank != 0)
        status = exchange_done && !worker_failed ? 0 : EXIT_INPUT;
    /* A rank that stopped before the exchange (for example on a manifest it
     * could not read) would leave the others waiting for it forever. */
    if (world_size > 1 && !exchange_done && status != 0 && status != EXIT_USAGE)
        MPI_Abort(MPI_COMM_WORLD, status);
    MPI_Finalize();
    return status;
}

/* Waits for request by polling every millisecond. Open MPI's blocking calls
 * spin, which would take a core from the workers on a small machine. */
static void wait_request(MPI_Request *request, MPI_Status *status)
{
    struct timespec pause = {0, 1000000};
    int done = 0;

    for (;;) {
        MPI_Test(request, &done, status);
        if (done)
            return;
        nanosleep(&pause, NULL);
    }
}

/* ------------------------------------------------------------------ */
/* Worker ranks                                                         */

/* Packs the names of cf as "name\0ibsi\0" pairs; NULL without memory. */
static char *pack_names(const case_features *cf, size_t *length)
{
    size_t n = 0;
    char *blob, *p;

    for (size_t j = 0; j < cf->n_features; j++)
        n += strlen(cf->names[j]) + strlen(cf->ibsi_names[j]) + 2;
    if ((blob = malloc(n + 1)) == NULL)
        return NULL;
    p = blob;
    for (size_t j = 0; j < cf->n_features; j++) {
        size_t a = strlen(cf->names[j]) + 1, b = strlen(cf->ibsi_names[j]) + 1;
        memcpy(p, cf->names[j], a);
        memcpy(p + a, cf->ibsi_names[j], b);
        p += a + b;
    }
    *length = n;
    return blob;
}

/* Sends the result of case index (cf NULL when it failed) to rank 0. */
static void send_result(long index, const case_features *cf)
{
    long header[4] = {index, 0, 0, 0};
    size_t length = 0;
    char *names = cf ? pack_names(cf, &length) : NULL;

    if (cf != NULL && (names == NULL || length > INT_MAX || cf->n_features > INT_MAX))
        cli_error("case %ld: the feature names do not fit in one MPI message", index);
    else if (cf != NULL) {
        header[1] = 1;
        header[2] = (long)cf->n_features;
        header[3] = cf->grey_levels;
    }
    MPI_Send(header, 4, MPI_LONG, 0, TAG_RESULT, MPI_COMM_WORLD);
    if (header[1]) {
        MPI_Send(names, (int)length, MPI_CHAR, 0, TAG_NAMES, MPI_COMM_WORLD);
        MPI_Send(cf->values, (int)cf->n_features, MPI_DOUBLE, 0, TAG_VALUES, MPI_COMM_WORLD);
    } else if (index >= 0) {
        worker_failed = 1;
    }
    free(names);
}

static void run_worker(const manifest *m, const rad_params *params)
{
    long index = -1;

    send_result(-1, NULL);
    for (;;) {
        MPI_Request request;
        rad_features *f;
        case_features *cf;

        MPI_Irecv(&index, 1, MPI_LONG, 0, TAG_WORK, MPI_COMM_WORLD, &request);
        wait_request(&request, MPI_STATUS_IGNORE);
        if (index < 0 || (size_t)index >= m->n_cases)
            break;
        const manifest_case *c = &m->cases[index];
        f = extract_one(params, c->image, c->mask, c->label_value, c->has_box ? c->box : NULL,
                        c->box_size);
        cf = f ? case_features_from(f) : NULL;
        rad_features_free(f);
        send_result(index, cf);
        case_features_free(cf);
    }
    exchange_done = 1;
}

/* ------------------------------------------------------------------ */
/* Rank 0                                                               */

/* Receives the names and values that follow a successful header. NULL
 * after a message when the names do not unpack into n_features pairs. */
static case_features *receive_features(int source, const long header[4])
{
    size_t n = (size_t)header[2];
    MPI_Status status;
    int length = 0;
    char *blob;
    case_features *cf;

    MPI_Probe(source, TAG_NAMES, MPI_COMM_WORLD, &status);
    MPI_Get_count(&status, MPI_CHAR, &length);
    blob = malloc((size_t)length + 1);
    cf = case_features_alloc(n);
    if (blob == NULL || cf == NULL) {
        cli_error("out of memory receiving %zu features from rank %d", n, source);
        free(blob);
        case_features_free(cf);
        return NULL;
    }
    MPI_Recv(blob, length, MPI_CHAR, source, TAG_NAMES, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    MPI_Recv(cf->values, (int)n, MPI_DOUBLE, source, TAG_VALUES, MPI_COMM_WORLD,
             MPI_STATUS_IGNORE);
    blob[length] = '\0';
    cf->grey_levels = (int)header[3];

    const char *p = blob, *end = blob + length;
    for (size_t j = 0; j < n; j++) {
        for (int k = 0; k < 2; k++) {
            size_t len = p < end ? strlen(p) : 0;
            char *copy = p < end ? strdup(p) : NULL;
            if (copy == NULL) {
                cli_error("rank %d sent %zu features with too few names", source, n);
                free(blob);
                case_features_free(cf);
                return NULL;
            }
            if (k == 0)
                cf->names[j] = copy;
            else
                cf->ibsi_names[j] = copy;
            p += len + 1;
        }
    }
    free(blob);
    return cf;
}

static void report_progress(size_t done, size_t n, const struct timespec *start)
{
    struct timespec now;
    double elapsed;

    if (done != n && done % (n / 10 + 1) != 0)
        return;
    clock_gettime(CLOCK_MONOTONIC, &now);
    elapsed = (double)(now.tv_sec - start->tv_sec) + 1e-9 * (double)(now.tv_nsec - start->tv_nsec);
    fprintf(stderr, "calci: extracted case %zu of %zu, %.1f s elapsed, %.1f s left\n", done, n,
            elapsed, elapsed / (double)done * (double)(n - done));
}

/* Reads the cached cases into x and lists the others in pending. */
static size_t read_cache(const manifest *m, case_cache *cache, extraction *x, size_t *pending,
                         uint64_t *keys, int *keyed, int *failed)
{
    size_t n_pending = 0;

    for (size_t i = 0; i < m->n_cases; i++) {
        case_features *cf = NULL;
        keyed[i] = cache != NULL && case_cache_key(cache, &m->cases[i], &keys[i]) == 0;
        if (keyed[i])
            cf = case_cache_load(cache, &m->cases[i], keys[i]);
        if (cf == NULL)
            pending[n_pending++] = i;
        else if (extraction_store(x, m, i, cf) != 0)
            *failed = 1;
        case_features_free(cf);
    }
    return n_pending;
}

static extraction *run_root(const manifest *m, int progress, case_cache *cache)
{
    extraction *x = extraction_create(m->n_cases);
    size_t *pending = malloc((m->n_cases + 1) * sizeof *pending);
    uint64_t *keys = malloc((m->n_cases + 1) * sizeof *keys);
    int *keyed = malloc((m->n_cases + 1) * sizeof *keyed);
    size_t n_pending = 0, next = 0, finished;
    int failed = 0, active = world_size - 1;
    struct timespec start;

    if (x == NULL || pending == NULL || keys == NULL || keyed == NULL) {
        cli_error("out of memory");
        failed = 1;
    } else {
        n_pending = read_cache(m, cache, x, pending, keys, keyed, &failed);
    }
    finished = m->n_cases - n_pending;
    if (cache != NULL && progress)
        fprintf(stderr, "calci: %zu of %zu cases read from the cache %s\n", finished,
                m->n_cases, cache->dir);
    clock_gettime(CLOCK_MONOTONIC, &start);

    /* Every worker sends one request first and one result per case, and
     * gets one reply to each: a case index, or -1 once none is left. */
    while (active > 0) {
        long header[4], work = -1;
        MPI_Request request;
        MPI_Status status;

        MPI_Irecv(header, 4, MPI_LONG, MPI_ANY_SOURCE, TAG_RESULT, MPI_COMM_WORLD, &request);
        wait_request(&request, &status);
        if (header[0] >= 0) {
            size_t i = (size_t)header[0];
            case_features *cf = NULL;
            if (header[1] && i < m->n_cases && header[2] >= 0)
                cf = receive_features(status.MPI_SOURCE, header);
            finished++;
            if (failed || cf == NULL || extraction_store(x, m, i, cf) != 0) {
                if (!failed && i < m->n_cases)
                    cli_error("case %s (manifest line %zu) failed on rank %d",
                              m->cases[i].case_id, m->cases[i].line, status.MPI_SOURCE);
                failed = 1;
            } else {
                if (keyed[i])
                    case_cache_store(cache, &m->cases[i], keys[i], cf);
                if (progress)
                    report_progress(finished, m->n_cases, &start);
            }
            case_features_free(cf);
        }
        if (!failed && next < n_pending)
            work = (long)pending[next++];
        else
            active--;
        MPI_Send(&work, 1, MPI_LONG, status.MPI_SOURCE, TAG_WORK, MPI_COMM_WORLD);
    }
    exchange_done = 1;
    free(pending);
    free(keys);
    free(keyed);
    if (failed) {
        extraction_free(x);
        return NULL;
    }
    return x;
}

extraction *mpi_extract_manifest(const manifest *m, const rad_params *params, int progress,
                                 case_cache *cache)
{
    if (world_rank == 0)
        return run_root(m, progress, cache);
    run_worker(m, params);
    return NULL;
}
