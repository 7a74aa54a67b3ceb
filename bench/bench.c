/*
 * bench.c - timings of libradiomics on real CT, run by `make bench`.
 *
 *   bench [REFDATA [ITK_GLCM]]
 *
 * REFDATA is the reference-data folder (default: the REFDATA environment
 * variable). ITK_GLCM is the program built from bench/itk_glcm.cxx. Without
 * it the ITK comparison prints a SKIP line. The CT volumes are the cases
 * listed in REFDATA/calci_sim_on_sts/boxes.csv, read from its images folder, and each is
 * a crop centred on its box. Without them the program prints a SKIP line and
 * exits with status 0.
 *
 * Every single-thread time is the median of repeated runs of the thread's
 * CPU time (CLOCK_THREAD_CPUTIME_ID). The batch speed-up uses wall-clock
 * time (CLOCK_MONOTONIC).
 * The ROI of the feature timings is a full cube of 50 mm centred on each
 * box, so after the yu2021 preset's 1 mm resampling it has about 125,000
 * voxels. The program links the static library to reach ri_glcm and
 * ri_wavelet directly.
 */
#include <malloc.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

#define MAX_CASES 8
#define REPEATS 5
#define KERNEL_REPEATS 21 /* runs of each kernel on the 50^3 block, which take milliseconds */

typedef struct bench_case {
    char id[64];
    rad_volume *ct;
    double centre[3]; /* world mm */
} bench_case;

/*
 * CPU time of the calling thread (s). Other processes on a busy machine
 * inflate wall-clock times but barely this one, so the single-thread
 * timings use it; the batch timing uses wall_seconds.
 */
static double now_seconds(void)
{
    struct timespec t;

    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

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

/*
 * Ends a result line with its target: "(target: at most T UNIT; measured /
 * target = R, met)" or "..., not met)". value and target are in base units
 * (s, or a plain ratio) and scale converts both to UNIT for printing.
 */
static void print_target(double value, double target, const char *unit, double scale)
{
    double ratio = value / target;
    const char *verdict = "not met";

    if (ratio <= 1)
        verdict = "met";
    else if (ratio != ratio)
        verdict = "not measured";
    printf("(target: at most %g %s; measured / target = %.2f, %s)\n", target * scale, unit,
           ratio, verdict);
}

/* A mask on ct's grid: 1 at voxels whose centre lies in the cube of side
 * `side` mm around centre (world coordinates), 0 elsewhere. */
static rad_volume *cube_mask(const rad_volume *ct, const double centre[3], double side)
{
    size_t size[3];
    double spacing[3], origin[3], direction[9];
    rad_volume *mask = NULL;

    rad_volume_size(ct, size);
    rad_volume_spacing(ct, spacing);
    rad_volume_origin(ct, origin);
    rad_volume_direction(ct, direction);
    if (rad_volume_create(size, spacing, origin, direction, &mask, NULL) != RAD_OK)
        return NULL;
    double *m = rad_volume_data_mutable(mask);
    for (size_t k = 0; k < size[2]; k++)
        for (size_t j = 0; j < size[1]; j++)
            for (size_t i = 0; i < size[0]; i++) {
                double ijk[3] = {(double)i, (double)j, (double)k}, world[3];
                int inside = 1;

                rad_volume_index_to_world(ct, ijk, world);
                for (int a = 0; a < 3; a++)
                    if (world[a] < centre[a] - side / 2 || world[a] > centre[a] + side / 2)
                        inside = 0;
                m[i + size[0] * (j + size[1] * k)] = inside;
            }
    return mask;
}

/* Reads up to MAX_CASES cases of boxes.csv; returns the count, or -1. */
static int load_cases(const char *refdata, bench_case *cases)
{
    char path[4096], line[512];
    int count = 0;

    snprintf(path, sizeof path, "%s/calci_sim_on_sts/boxes.csv", refdata);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return -1;
    if (fgets(line, sizeof line, f) == NULL) {
        fclose(f);
        return -1;
    }
    while (count < MAX_CASES && fgets(line, sizeof line, f) != NULL) {
        bench_case *c = &cases[count];
        size_t size[3];
        double ijk[3];

        if (sscanf(line, "%63[^,]", c->id) != 1)
            continue;
        snprintf(path, sizeof path, "%s/calci_sim_on_sts/images/%s.nii.gz", refdata, c->id);
        if (rad_volume_read(path, &c->ct, NULL) != RAD_OK)
            continue;
        /* Each image is an 80 mm crop centred on the box centre voxel. */
        rad_volume_size(c->ct, size);
        for (int a = 0; a < 3; a++)
            ijk[a] = (double)(size[a] / 2);
        rad_volume_index_to_world(c->ct, ijk, c->centre);
        count++;
    }
    fclose(f);
    return count;
}

/* Median time (s) of rad_extract on the cube of side `side` mm; NaN on failure. */
static double time_extract(const rad_params *params, const bench_case *c, double side,
                           int repeats, size_t *n_features)
{
    rad_volume *mask = cube_mask(c->ct, c->centre, side);
    double times[REPEATS];
    rad_error *error = rad_error_create();

    if (mask == NULL || repeats > REPEATS)
        return NAN;
    for (int r = 0; r < repeats; r++) {
        rad_features *features = NULL;
        double start = now_seconds();

        if (rad_extract(params, c->ct, mask, &features, error) != RAD_OK) {
            printf("  %s: rad_extract failed: %s\n", c->id, rad_error_message(error));
            rad_volume_free(mask);
            rad_error_free(error);
            return NAN;
        }
        times[r] = now_seconds() - start;
        if (n_features != NULL)
            *n_features = rad_features_count(features);
        rad_features_free(features);
    }
    rad_volume_free(mask);
    rad_error_free(error);
    return median(times, repeats);
}

/*
 * The CT around the box centre resampled to 1 mm (B-spline, as the yu2021
 * preset does) and cut to at most side^3 voxels with even sizes, because
 * PyWavelets' swtn accepts only even lengths.
 */
static rad_volume *ct_block(const bench_case *c, size_t side)
{
    double spacing[3] = {1, 1, 1}, origin[3] = {0, 0, 0};
    double direction[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1};
    rad_volume *mask = cube_mask(c->ct, c->centre, (double)side);
    rad_volume *image_1mm = NULL, *mask_1mm = NULL, *out = NULL;
    size_t block[3];

    if (mask == NULL)
        return NULL;
    if (ri_resample_pyradiomics(c->ct, mask, 1.0, spacing, RI_INTERP_BSPLINE, 0, &image_1mm,
                                &mask_1mm, NULL) != RAD_OK) {
        rad_volume_free(mask);
        return NULL;
    }
    for (int a = 0; a < 3; a++) {
        block[a] = image_1mm->size[a] < side ? image_1mm->size[a] : side;
        block[a] -= block[a] % 2;
    }
    if (rad_volume_create(block, spacing, origin, direction, &out, NULL) == RAD_OK) {
        for (size_t k = 0; k < block[2]; k++)
            for (size_t j = 0; j < block[1]; j++)
                for (size_t i = 0; i < block[0]; i++)
                    out->data[i + block[0] * (j + block[1] * k)] =
                        image_1mm->data[ri_index(image_1mm, i, j, k)];
    }
    rad_volume_free(mask);
    rad_volume_free(image_1mm);
    rad_volume_free(mask_1mm);
    return out;
}

/* The whole block as a GLCM ROI, discretised to 32 bins (binCount). */
typedef struct glcm_block {
    ri_roi roi;
    uint8_t *mask;
    int *levels;
} glcm_block;

static void glcm_block_free(glcm_block *g)
{
    free(g->mask);
    free(g->levels);
}

static int glcm_block_init(glcm_block *g, const rad_volume *block)
{
    size_t n = ri_voxel_count(block);
    int n_present = 0;

    memset(g, 0, sizeof *g);
    g->mask = malloc(n);
    g->levels = malloc(n * sizeof *g->levels);
    if (g->mask == NULL || g->levels == NULL) {
        glcm_block_free(g);
        return -1;
    }
    memset(g->mask, 1, n);
    memcpy(g->roi.size, block->size, sizeof g->roi.size);
    memcpy(g->roi.spacing, block->spacing, sizeof g->roi.spacing);
    g->roi.values = block->data;
    g->roi.mask = g->mask;
    g->roi.levels = g->levels;
    g->roi.n_voxels = n;
    ri_discretize_bin_count(block->data, g->mask, n, 32, g->levels, &g->roi.max_level,
                            &n_present);
    return 0;
}

/* Median time (s) of ri_glcm (13 matrices and their features) on the block. */
static double time_glcm(const glcm_block *g, const ri_settings *settings)
{
    double out[64], times[KERNEL_REPEATS];

    for (int r = 0; r < KERNEL_REPEATS; r++) {
        double start = now_seconds();

        if (ri_glcm(&g->roi, settings, out, NULL) != RAD_OK)
            return NAN;
        times[r] = now_seconds() - start;
    }
    return median(times, KERNEL_REPEATS);
}

/*
 * Median time (s) of the coif1 one-level 8-band wavelet of block, with the
 * 8 output bands freed after each run. With trim != 0, malloc_trim(0) runs
 * before each run, so glibc has returned the freed memory to the kernel and
 * the run pays the page faults of its fresh output memory (8 bands of
 * 1 MB for 50^3 voxels). Without it, the memory freed by earlier runs and
 * earlier sections is usually reused.
 */
static double time_wavelet(const rad_volume *block, int trim)
{
    rad_volume *bands[RI_WAVELET_BANDS];
    char names[RI_WAVELET_BANDS][32];
    double times[KERNEL_REPEATS];

    for (int r = 0; r < KERNEL_REPEATS; r++) {
        double start;

        if (trim)
            malloc_trim(0);
        start = now_seconds();
        if (ri_wavelet(block, "coif1", 1, bands, names, NULL) != RAD_OK)
            return NAN;
        times[r] = now_seconds() - start;
        for (int b = 0; b < RI_WAVELET_BANDS; b++)
            rad_volume_free(bands[b]);
    }
    return median(times, KERNEL_REPEATS);
}

/*
 * Median time (s) of PyWavelets' swtn (coif1, level 1, periodic, the
 * call pyradiomics makes) on the same block, run through /usr/bin/python3;
 * NaN when Python, numpy or pywt is missing.
 */
static double time_pywavelets(const rad_volume *block)
{
    char data_path[] = "/tmp/rad_bench_XXXXXX";
    char command[1024];
    double seconds = NAN;
    int fd = mkstemp(data_path);

    if (fd < 0)
        return NAN;
    FILE *f = fdopen(fd, "wb");
    if (f == NULL) {
        close(fd);
        unlink(data_path);
        return NAN;
    }
    fwrite(block->data, sizeof *block->data, ri_voxel_count(block), f);
    fclose(f);
    snprintf(command, sizeof command,
             "/usr/bin/python3 -c '"
             "import sys, time, numpy, pywt\n"
             "a = numpy.fromfile(\"%s\", dtype=numpy.float64).reshape(%zu, %zu, %zu)\n"
             "t = []\n"
             "for r in range(%d):\n"
             "    s = time.perf_counter()\n"
             "    pywt.swtn(a, \"coif1\", level=1, start_level=0, axes=(2, 1, 0))\n"
             "    t.append(time.perf_counter() - s)\n"
             "print(sorted(t)[len(t) // 2])'",
             data_path, block->size[2], block->size[1], block->size[0], KERNEL_REPEATS);
    FILE *p = popen(command, "r");
    if (p != NULL) {
        if (fscanf(p, "%lf", &seconds) != 1)
            seconds = NAN;
        pclose(p);
    }
    unlink(data_path);
    return seconds;
}

/*
 * Compares the matrices file of bench/itk_glcm.cxx with ri_glcm_counts:
 * each ITK matrix must equal the library's count of ordered pairs for that
 * offset plus its transpose, because ITK counts every pair in both orders.
 * Prints one check line and returns 0 when all matrices agree.
 */
static int check_itk_matrices(const char *path, const glcm_block *g)
{
    size_t ng = (size_t)g->roi.max_level;
    uint32_t *counts = malloc(ng * ng * sizeof *counts);
    int n_offsets = 0, failed = 0;
    unsigned long long total = 0;
    FILE *f = fopen(path, "r");

    if (counts == NULL || f == NULL) {
        printf("  FAIL ITK check: cannot read %s\n", path);
        free(counts);
        if (f != NULL)
            fclose(f);
        return -1;
    }
    for (;;) {
        int offset[3];

        if (fscanf(f, "%d %d %d", &offset[0], &offset[1], &offset[2]) != 3)
            break;
        if (ri_glcm_counts(&g->roi, offset, counts, NULL) != RAD_OK) {
            failed = 1;
            break;
        }
        for (size_t i = 0; i < ng * ng && !failed; i++) {
            size_t row = i / ng, column = i % ng;
            unsigned long long itk, ours = (unsigned long long)counts[i] +
                                           counts[column * ng + row];

            if (fscanf(f, "%llu", &itk) != 1) {
                printf("  FAIL ITK check: matrix of offset (%d, %d, %d) in %s has %zu of "
                       "%zu counts\n", offset[0], offset[1], offset[2], path, i, ng * ng);
                failed = 1;
            } else if (itk != ours) {
                printf("  FAIL ITK check: offset (%d, %d, %d), levels (%zu, %zu): ITK counts "
                       "%llu pairs, ri_glcm_counts + transpose %llu\n", offset[0], offset[1],
                       offset[2], row + 1, column + 1, itk, ours);
                failed = 1;
            }
            total += itk;
        }
        if (failed)
            break;
        n_offsets++;
    }
    fclose(f);
    free(counts);
    if (!failed && n_offsets != 13) {
        printf("  FAIL ITK check: %s has %d matrices; expected 13\n", path, n_offsets);
        failed = 1;
    }
    if (!failed)
        printf("  check: ITK's 13 matrices equal ri_glcm_counts plus its transpose, cell by "
               "cell (%llu counts in all)\n", total);
    return failed ? -1 : 0;
}

/*
 * Runs bench/itk_glcm.cxx's program on the block's grey levels and prints
 * its median time of the 13 matrices beside glcm_seconds, this library's
 * time, and the check of check_itk_matrices.
 */
static void compare_itk(const char *program, const glcm_block *g, double glcm_seconds)
{
    char levels_path[] = "/tmp/rad_bench_levels_XXXXXX";
    char matrices_path[] = "/tmp/rad_bench_matrices_XXXXXX";
    char command[2048];
    double seconds = NAN;
    int fd_levels = mkstemp(levels_path);
    int fd_matrices = mkstemp(matrices_path);
    FILE *f = fd_levels >= 0 ? fdopen(fd_levels, "wb") : NULL;
    const size_t *size = g->roi.size;

    if (fd_matrices >= 0)
        close(fd_matrices);
    if (f == NULL || fd_matrices < 0) {
        printf("  SKIP ITK ScalarImageToCooccurrenceMatrixFilter: cannot create files in /tmp\n");
        if (f != NULL)
            fclose(f);
        else if (fd_levels >= 0)
            close(fd_levels);
        goto done;
    }
    for (size_t v = 0; v < g->roi.n_voxels; v++) {
        int32_t level = g->levels[v];
        fwrite(&level, sizeof level, 1, f);
    }
    if (fclose(f) != 0) {
        printf("  SKIP ITK ScalarImageToCooccurrenceMatrixFilter: cannot write %s\n",
               levels_path);
        goto done;
    }
    snprintf(command, sizeof command, "'%s' '%s' %zu %zu %zu %d %d '%s'", program, levels_path,
             size[0], size[1], size[2], g->roi.max_level, KERNEL_REPEATS, matrices_path);
    FILE *p = popen(command, "r");
    if (p != NULL) {
        if (fscanf(p, "%lf", &seconds) != 1)
            seconds = NAN;
        if (pclose(p) != 0)
            seconds = NAN;
    }
    if (!(seconds >= 0)) {
        printf("  FAIL ITK ScalarImageToCooccurrenceMatrixFilter: %s did not run (see its "
               "message above)\n", program);
        goto done;
    }
    printf("  ITK 5 ScalarImageToCooccurrenceMatrixFilter, 13 matrices only (no features): "
           "%.2f ms = %.1f x this library's GLCM time\n", 1e3 * seconds,
           seconds / glcm_seconds);
    check_itk_matrices(matrices_path, g);
done:
    unlink(levels_path);
    unlink(matrices_path);
}

/* Reads a "Name:   N kB" line of /proc/self/status; returns bytes, or -1. */
static long status_bytes(const char *name)
{
    char line[256];
    long kb = -1;
    size_t length = strlen(name);
    FILE *f = fopen("/proc/self/status", "r");

    if (f == NULL)
        return -1;
    while (fgets(line, sizeof line, f) != NULL)
        if (strncmp(line, name, length) == 0 && line[length] == ':')
            sscanf(line + length + 1, "%ld", &kb);
    fclose(f);
    return kb < 0 ? -1 : kb * 1024;
}

/*
 * Peak resident memory (bytes) added by one rad_extract: the peak (VmHWM)
 * is reset through /proc/self/clear_refs after the input and mask exist,
 * and the resident size at that moment is subtracted. Returns -1 where
 * Linux does not allow the reset.
 */
static long peak_memory_of_extract(const rad_params *params, const bench_case *c, double side)
{
    rad_volume *mask = cube_mask(c->ct, c->centre, side);
    rad_features *features = NULL;
    long before, peak;
    FILE *f = fopen("/proc/self/clear_refs", "w");

    if (mask == NULL || f == NULL) {
        if (f != NULL)
            fclose(f);
        rad_volume_free(mask);
        return -1;
    }
    fputs("5", f);
    if (fclose(f) != 0) {
        rad_volume_free(mask);
        return -1;
    }
    before = status_bytes("VmRSS");
    if (rad_extract(params, c->ct, mask, &features, NULL) != RAD_OK) {
        rad_volume_free(mask);
        return -1;
    }
    peak = status_bytes("VmHWM");
    rad_features_free(features);
    rad_volume_free(mask);
    return before < 0 || peak < 0 ? -1 : peak - before;
}

typedef struct batch_job {
    const rad_params *params;
    const bench_case *cases;
    int n_cases;
    int first, stride; /* this thread takes cases first, first + stride, ... */
    int rounds;
    int failed;
} batch_job;

static void *run_batch(void *arg)
{
    batch_job *job = arg;

    for (int r = 0; r < job->rounds; r++)
        for (int c = job->first; c < job->n_cases; c += job->stride)
            if (!(time_extract(job->params, &job->cases[c], 50.0, 1, NULL) >= 0))
                job->failed = 1;
    return NULL;
}

/* Wall time (s) of `rounds` extractions of every case split over n_threads threads. */
static double time_batch(const rad_params *params, const bench_case *cases, int n_cases,
                         int n_threads, int rounds)
{
    pthread_t threads[2];
    batch_job jobs[2];
    double start = wall_seconds();

    for (int t = 0; t < n_threads; t++) {
        jobs[t] = (batch_job){params, cases, n_cases, t, n_threads, rounds, 0};
        if (pthread_create(&threads[t], NULL, run_batch, &jobs[t]) != 0)
            return NAN;
    }
    for (int t = 0; t < n_threads; t++)
        pthread_join(threads[t], NULL);
    for (int t = 0; t < n_threads; t++)
        if (jobs[t].failed)
            return NAN;
    return wall_seconds() - start;
}

int main(int argc, char **argv)
{
    const char *refdata = argc > 1 ? argv[1] : getenv("REFDATA");
    const char *itk_program = argc > 2 ? argv[2] : NULL;
    bench_case cases[MAX_CASES];
    rad_params *params = NULL;
    rad_error *error = rad_error_create();
    int n_cases;

    if (refdata == NULL || (n_cases = load_cases(refdata, cases)) <= 0) {
        printf("SKIP bench: no CT found under %s/calci_sim_on_sts "
               "(pass the reference-data folder as argument or in REFDATA)\n",
               refdata ? refdata : "(REFDATA unset)");
        rad_error_free(error);
        return 0;
    }
    if (rad_params_create("yu2021", &params, error) != RAD_OK) {
        printf("bench: %s\n", rad_error_message(error));
        rad_error_free(error);
        return 1;
    }
    double load[3] = {0, 0, 0};
    FILE *loadavg = fopen("/proc/loadavg", "r");
    if (loadavg != NULL) {
        if (fscanf(loadavg, "%lf %lf %lf", &load[0], &load[1], &load[2]) != 3)
            load[0] = -1;
        fclose(loadavg);
    }
    printf("libradiomics %s benchmark, %d CT cases from %s, %ld online CPUs, "
           "load average %.2f\n",
           rad_version_string(), n_cases, refdata, sysconf(_SC_NPROCESSORS_ONLN), load[0]);
    printf("Single-thread times are thread CPU times; the batch speed-up is wall-clock.\n");

    printf("\n1. yu2021 preset, cube ROI of 50 mm (1 mm resampling, about 125,000 voxels),"
           " median of %d runs\n", REPEATS);
    double all[MAX_CASES];
    for (int c = 0; c < n_cases; c++) {
        size_t n_features = 0;
        all[c] = time_extract(params, &cases[c], 50.0, REPEATS, &n_features);
        printf("  %-12s %4zu features  %8.1f ms\n", cases[c].id, n_features, 1e3 * all[c]);
    }
    printf("  median over cases: %.1f ms ", 1e3 * median(all, n_cases));
    print_target(median(all, n_cases), 50e-3, "ms", 1e3);

    rad_volume *block = ct_block(&cases[0], 50);
    glcm_block grey;
    if (block != NULL && glcm_block_init(&grey, block) == 0) {
        ri_settings settings = params->s;
        double glcm = time_glcm(&grey, &settings);
        double wavelet = time_wavelet(block, 0);
        double wavelet_cold = time_wavelet(block, 1);
        double pywavelets = time_pywavelets(block);

        printf("\n2. Kernels on a %zu x %zu x %zu voxel block of %s at 1 mm, median of %d runs\n",
               block->size[0], block->size[1], block->size[2], cases[0].id, KERNEL_REPEATS);
        printf("  GLCM features, 13 directions, 32 grey levels (binCount): %.2f ms ", 1e3 * glcm);
        print_target(glcm, 1.5e-3, "ms", 1e3);
        if (itk_program != NULL)
            compare_itk(itk_program, &grey, glcm);
        else
            printf("  SKIP ITK ScalarImageToCooccurrenceMatrixFilter: no itk_glcm program given "
                   "(`make bench` builds it when ITK 5's headers are installed)\n");
        printf("  coif1 wavelet, 8 bands, output memory reused from earlier runs: %.2f ms ",
               1e3 * wavelet);
        print_target(wavelet, 2e-3, "ms", 1e3);
        printf("  coif1 wavelet, 8 bands, fresh output memory (malloc_trim before each run): "
               "%.2f ms ", 1e3 * wavelet_cold);
        print_target(wavelet_cold, 2e-3, "ms", 1e3);
        if (pywavelets == pywavelets)
            printf("  PyWavelets swtn, same input and bands: %.2f ms = %.1f x this library's "
                   "time with reused memory, %.1f x with fresh memory\n", 1e3 * pywavelets,
                   pywavelets / wavelet, pywavelets / wavelet_cold);
        else
            printf("  SKIP PyWavelets: /usr/bin/python3 with numpy and pywt not available\n");
        glcm_block_free(&grey);
    }
    rad_volume_free(block);

    long roi_bytes = 125000L * (long)sizeof(double);
    long peak = peak_memory_of_extract(params, &cases[0], 50.0);
    printf("\n3. Peak memory added by one extraction (VmHWM after a reset, minus VmRSS before)\n");
    printf("  %.1f MiB = %.1f x the ROI's %ld bytes of doubles ", (double)peak / 1048576.0,
           (double)peak / (double)roi_bytes, roi_bytes);
    print_target((double)peak / (double)roi_bytes, 16, "x", 1);

    printf("\n4. Time against ROI size (cube ROI, yu2021, %s, median of 3 runs)\n",
           cases[0].id);
    printf("  %10s %10s %12s %14s\n", "volume", "side", "time", "time per cm^3");
    /* The CT crops span about 81 mm, so 500 cm^3 (a 79 mm cube) is the largest ROI. */
    const double volumes_cm3[] = {1, 3, 10, 30, 100, 300, 500};
    for (int v = 0; v < 7; v++) {
        double side = 10.0 * cbrt(volumes_cm3[v]);
        double t = time_extract(params, &cases[0], side, 3, NULL);
        printf("  %7.0f cm^3 %7.1f mm %9.1f ms %11.3f ms\n", volumes_cm3[v], side, 1e3 * t,
               1e3 * t / volumes_cm3[v]);
    }

    printf("\n5. Batch of %d cases x 2 rounds, cube ROI of 50 mm, pthreads\n", n_cases);
    double one_thread = time_batch(params, cases, n_cases, 1, 2);
    double two_threads = time_batch(params, cases, n_cases, 2, 2);
    printf("  1 thread: %.0f ms, 2 threads: %.0f ms, speed-up %.2f\n", 1e3 * one_thread,
           1e3 * two_threads, one_thread / two_threads);

    for (int c = 0; c < n_cases; c++)
        rad_volume_free(cases[c].ct);
    rad_params_free(params);
    rad_error_free(error);
    return 0;
}
