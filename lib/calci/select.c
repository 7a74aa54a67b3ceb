/* select.c - Pearson redundancy filter and classic Relief ranking (FAE 0.2.5), ReliefF and
 * the ANOVA F ranking. */
#include <cblas.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model_internal.h"

/* Largest column count whose full correlation matrix (8 n^2 bytes) is formed. */
#define GRAM_MAX_COLUMNS 8192

/* Copies column cols[c] of x, centred and divided by its Euclidean norm, to
 * out[c * n .. c * n + n). A column with zero variance becomes all zero. */
static void centre_unit_columns(const double *x, size_t n, size_t ld, const size_t *cols,
                                size_t n_cols, double *out)
{
    for (size_t c = 0; c < n_cols; c++) {
        double *v = out + c * n;
        double sum = 0.0;

        for (size_t i = 0; i < n; i++)
            sum += x[i * ld + cols[c]];
        double mean = sum / (double)n;

        double ss = 0.0;
        for (size_t i = 0; i < n; i++) {
            v[i] = x[i * ld + cols[c]] - mean;
            ss += v[i] * v[i];
        }
        double norm = sqrt(ss);
        for (size_t i = 0; i < n; i++)
            v[i] = norm > 0.0 ? v[i] / norm : 0.0;
    }
}

calci_status ci_pearson_filter(const double *x, size_t n, size_t ld, const size_t *cols,
                               size_t n_cols, double threshold, size_t *kept, size_t *n_kept,
                               calci_error *error)
{
    if (n < 2)
        return ci_fail(error, CALCI_ERR_DATA,
                       "Pearson filter: %zu case(s), expected at least 2", n);
    if (n_cols > SIZE_MAX / sizeof(double) / n)
        return ci_fail(error, CALCI_ERR_NO_MEMORY, "Pearson filter: %zu x %zu is too large",
                       n, n_cols);

    double *unit = malloc(n_cols * n * sizeof *unit + 1);
    size_t *kept_pos = malloc(n_cols * sizeof *kept_pos + 1);
    if (unit == NULL || kept_pos == NULL) {
        free(unit);
        free(kept_pos);
        return ci_fail(error, CALCI_ERR_NO_MEMORY, "Pearson filter: out of memory");
    }
    centre_unit_columns(x, n, ld, cols, n_cols, unit);

    /* r(a, b) is the dot product of the centred unit-norm columns. Up to
     * GRAM_MAX_COLUMNS columns, all products come from one BLAS dsyrk call
     * (R = U U' on the upper triangle); beyond that, pairs are computed as
     * they are needed. */
    double *gram = NULL;
    if (n_cols <= GRAM_MAX_COLUMNS && n_cols > 0) {
        gram = malloc(n_cols * n_cols * sizeof *gram);
        if (gram != NULL)
            cblas_dsyrk(CblasRowMajor, CblasUpper, CblasNoTrans, (int)n_cols, (int)n, 1.0, unit,
                        (int)n, 0.0, gram, (int)n_cols);
    }

    size_t count = 0;
    for (size_t c = 0; c < n_cols; c++) {
        int redundant = 0;

        for (size_t k = 0; k < count && !redundant; k++) {
            double r;
            if (gram != NULL) {
                r = gram[kept_pos[k] * n_cols + c]; /* kept_pos[k] < c: upper triangle */
            } else {
                const double *u = unit + kept_pos[k] * n, *v = unit + c * n;
                r = 0.0;
                for (size_t i = 0; i < n; i++)
                    r += v[i] * u[i];
            }
            if (fabs(r) > 1.0)
                r = r > 0 ? 1.0 : -1.0; /* rounding: |r| never exceeds 1 */
            if (fabs(r) > threshold)
                redundant = 1;
        }
        if (!redundant)
            kept_pos[count++] = c;
    }
    free(gram);

    for (size_t k = 0; k < count; k++)
        kept[k] = cols[kept_pos[k]];
    *n_kept = count;
    free(unit);
    free(kept_pos);
    return CALCI_OK;
}

struct rank_item {
    double magnitude;
    size_t position;
};

static int compare_rank(const void *pa, const void *pb)
{
    const struct rank_item *a = pa, *b = pb;

    if (a->magnitude > b->magnitude)
        return -1;
    if (a->magnitude < b->magnitude)
        return 1;
    return (a->position > b->position) - (a->position < b->position);
}

/* Row-major copy of the columns, each divided by its Euclidean norm (not centred). */
static void unit_norm_rows(const double *x, size_t n, size_t ld, const size_t *cols,
                           size_t n_cols, double *out)
{
    for (size_t c = 0; c < n_cols; c++) {
        double ss = 0.0;
        for (size_t i = 0; i < n; i++)
            ss += x[i * ld + cols[c]] * x[i * ld + cols[c]];
        double norm = sqrt(ss);
        for (size_t i = 0; i < n; i++)
            out[i * n_cols + c] = norm > 0.0 ? x[i * ld + cols[c]] / norm : 0.0;
    }
}

/* Squared Euclidean distances between all rows of z (n x m), full symmetric matrix. */
static void squared_distances(const double *z, size_t n, size_t m, double *dist)
{
    for (size_t i = 0; i < n; i++) {
        dist[i * n + i] = 0.0;
        for (size_t j = i + 1; j < n; j++) {
            const double *a = z + i * m, *b = z + j * m;
            double s = 0.0;
            for (size_t f = 0; f < m; f++) {
                double d = a[f] - b[f];
                s += d * d;
            }
            dist[i * n + j] = s;
            dist[j * n + i] = s;
        }
    }
}

calci_status ci_relief(const double *x, size_t n, size_t ld, const int *labels,
                       const size_t *cols, size_t n_cols, double *weights, size_t *order,
                       calci_error *error)
{
    size_t n_pos = 0;
    for (size_t i = 0; i < n; i++)
        n_pos += labels[i] == 1;
    if (n_pos < 2 || n - n_pos < 2)
        return ci_fail(error, CALCI_ERR_DATA,
                       "Relief: %zu positive and %zu negative cases, expected at least 2 of each",
                       n_pos, n - n_pos);
    if (n > SIZE_MAX / sizeof(double) / n || (n_cols > 0 && n > SIZE_MAX / sizeof(double) / n_cols))
        return ci_fail(error, CALCI_ERR_NO_MEMORY, "Relief: %zu cases x %zu features is too large",
                       n, n_cols);

    double *z = malloc(n * n_cols * sizeof *z + 1);
    double *dist = malloc(n * n * sizeof *dist);
    double *w = calloc(n_cols + 1, sizeof *w);
    struct rank_item *items = malloc((n_cols + 1) * sizeof *items);
    if (z == NULL || dist == NULL || w == NULL || items == NULL) {
        free(z);
        free(dist);
        free(w);
        free(items);
        return ci_fail(error, CALCI_ERR_NO_MEMORY, "Relief: out of memory");
    }
    unit_norm_rows(x, n, ld, cols, n_cols, z);
    squared_distances(z, n, n_cols, dist);

    for (size_t i = 0; i < n; i++) {
        size_t hit = SIZE_MAX, miss = SIZE_MAX;

        /* Strict '<' keeps the lowest row index among equally near cases. */
        for (size_t j = 0; j < n; j++) {
            if (j == i)
                continue;
            double d = dist[i * n + j];
            if (labels[j] == labels[i]) {
                if (hit == SIZE_MAX || d < dist[i * n + hit])
                    hit = j;
            } else if (miss == SIZE_MAX || d < dist[i * n + miss]) {
                miss = j;
            }
        }

        const double *a = z + i * n_cols, *h = z + hit * n_cols, *m = z + miss * n_cols;
        for (size_t f = 0; f < n_cols; f++) {
            double dh = a[f] - h[f], dm = a[f] - m[f];
            w[f] += (dm * dm - dh * dh) / (double)n;
        }
    }

    for (size_t f = 0; f < n_cols; f++) {
        items[f].magnitude = fabs(w[f]);
        items[f].position = f;
    }
    qsort(items, n_cols, sizeof *items, compare_rank);
    for (size_t f = 0; f < n_cols; f++) {
        if (weights)
            weights[f] = w[f];
        if (order)
            order[f] = items[f].position;
    }

    free(z);
    free(dist);
    free(w);
    free(items);
    return CALCI_OK;
}

/* ---- ReliefF ---- */

struct neighbour {
    double distance;
    size_t row;
};

static int compare_neighbour(const void *pa, const void *pb)
{
    const struct neighbour *a = pa, *b = pb;
    if (a->distance < b->distance)
        return -1;
    if (a->distance > b->distance)
        return 1;
    return (a->row > b->row) - (a->row < b->row);
}

/* Writes the ranking of values (descending, NaN last, lower position first
 * on ties) to order. */
static void rank_descending(const double *values, size_t n_cols, struct rank_item *items,
                            size_t *order)
{
    for (size_t f = 0; f < n_cols; f++) {
        items[f].magnitude = isnan(values[f]) ? -INFINITY : values[f];
        items[f].position = f;
    }
    qsort(items, n_cols, sizeof *items, compare_rank);
    for (size_t f = 0; f < n_cols; f++)
        order[f] = items[f].position;
}

calci_status ci_relieff(const double *x, size_t n, size_t ld, const int *labels,
                        const size_t *cols, size_t n_cols, size_t k, double *weights,
                        size_t *order, calci_error *error)
{
    size_t n_pos = 0;
    for (size_t i = 0; i < n; i++)
        n_pos += labels[i] == 1;
    if (k < 1)
        return ci_fail(error, CALCI_ERR_ARGUMENT, "ReliefF: k = 0, expected at least 1");
    if (n_pos < 2 || n - n_pos < 2)
        return ci_fail(error, CALCI_ERR_DATA,
                       "ReliefF: %zu positive and %zu negative cases, expected at least 2 of "
                       "each",
                       n_pos, n - n_pos);
    if (n > SIZE_MAX / sizeof(double) / n ||
        (n_cols > 0 && n > SIZE_MAX / sizeof(double) / n_cols))
        return ci_fail(error, CALCI_ERR_NO_MEMORY,
                       "ReliefF: %zu cases x %zu features is too large", n, n_cols);

    double *z = malloc(n * n_cols * sizeof *z + 1);
    double *dist = calloc(n * n + 1, sizeof *dist);
    double *w = calloc(n_cols + 1, sizeof *w);
    struct neighbour *hits = malloc((n + 1) * sizeof *hits);
    struct neighbour *misses = malloc((n + 1) * sizeof *misses);
    struct rank_item *items = malloc((n_cols + 1) * sizeof *items);
    calci_status status = CALCI_OK;
    if (!z || !dist || !w || !hits || !misses || !items) {
        status = ci_fail(error, CALCI_ERR_NO_MEMORY, "ReliefF: out of memory");
        goto done;
    }

    /* Range-normalised copy: z_ic = x_ic / (max_c - min_c), so that
     * diff_c(i, j) = |z_ic - z_jc|. */
    for (size_t c = 0; c < n_cols; c++) {
        double lo = x[cols[c]], hi = x[cols[c]];
        for (size_t i = 1; i < n; i++) {
            double v = x[i * ld + cols[c]];
            lo = v < lo ? v : lo;
            hi = v > hi ? v : hi;
        }
        double range = hi - lo;
        for (size_t i = 0; i < n; i++)
            z[i * n_cols + c] = range > 0.0 ? (x[i * ld + cols[c]] - lo) / range : 0.0;
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++) {
            double s = 0.0;
            for (size_t c = 0; c < n_cols; c++)
                s += fabs(z[i * n_cols + c] - z[j * n_cols + c]);
            dist[i * n + j] = s;
            dist[j * n + i] = s;
        }

    for (size_t i = 0; i < n; i++) {
        size_t n_hits = 0, n_misses = 0;
        for (size_t j = 0; j < n; j++) {
            if (j == i)
                continue;
            struct neighbour nb = {dist[i * n + j], j};
            if (labels[j] == labels[i])
                hits[n_hits++] = nb;
            else
                misses[n_misses++] = nb;
        }
        qsort(hits, n_hits, sizeof *hits, compare_neighbour);
        qsort(misses, n_misses, sizeof *misses, compare_neighbour);
        size_t k_hit = k < n_hits ? k : n_hits, k_miss = k < n_misses ? k : n_misses;

        const double *a = z + i * n_cols;
        for (size_t r = 0; r < k_hit; r++) {
            const double *h = z + hits[r].row * n_cols;
            for (size_t c = 0; c < n_cols; c++)
                w[c] -= fabs(a[c] - h[c]) / ((double)k_hit * (double)n);
        }
        for (size_t r = 0; r < k_miss; r++) {
            const double *m = z + misses[r].row * n_cols;
            for (size_t c = 0; c < n_cols; c++)
                w[c] += fabs(a[c] - m[c]) / ((double)k_miss * (double)n);
        }
    }

    if (weights)
        for (size_t c = 0; c < n_cols; c++)
            weights[c] = w[c];
    if (order)
        rank_descending(w, n_cols, items, order);

done:
    free(z);
    free(dist);
    free(w);
    free(hits);
    free(misses);
    free(items);
    return status;
}

/* ---- ANOVA F ---- */

calci_status ci_anova_f(const double *x, size_t n, size_t ld, const int *labels,
                        const size_t *cols, size_t n_cols, double *f_values, size_t *order,
                        calci_error *error)
{
    size_t n_pos = 0;
    for (size_t i = 0; i < n; i++)
        n_pos += labels[i] == 1;
    if (n_pos == 0 || n_pos == n || n < 3)
        return ci_fail(error, CALCI_ERR_DATA,
                       "ANOVA F: %zu positive and %zu negative cases, expected both classes "
                       "and at least 3 cases",
                       n_pos, n - n_pos);

    double *f = malloc((n_cols + 1) * sizeof *f);
    struct rank_item *items = malloc((n_cols + 1) * sizeof *items);
    if (f == NULL || items == NULL) {
        free(f);
        free(items);
        return ci_fail(error, CALCI_ERR_NO_MEMORY, "ANOVA F: out of memory");
    }
    double n1 = (double)n_pos, n0 = (double)(n - n_pos);
    for (size_t c = 0; c < n_cols; c++) {
        double sum[2] = {0.0, 0.0};
        for (size_t i = 0; i < n; i++)
            sum[labels[i] == 1] += x[i * ld + cols[c]];
        double mean0 = sum[0] / n0, mean1 = sum[1] / n1;
        double mean = (sum[0] + sum[1]) / (double)n;

        /* Two-pass within-group sum of squares. */
        double ssw = 0.0;
        for (size_t i = 0; i < n; i++) {
            double dev = x[i * ld + cols[c]] - (labels[i] == 1 ? mean1 : mean0);
            ssw += dev * dev;
        }
        double ssb = n0 * (mean0 - mean) * (mean0 - mean) + n1 * (mean1 - mean) * (mean1 - mean);
        double msw = ssw / (double)(n - 2);
        if (msw > 0.0)
            f[c] = ssb / msw;
        else
            f[c] = ssb > 0.0 ? INFINITY : NAN;
    }
    if (f_values)
        memcpy(f_values, f, n_cols * sizeof *f);
    if (order)
        rank_descending(f, n_cols, items, order);
    free(f);
    free(items);
    return CALCI_OK;
}
