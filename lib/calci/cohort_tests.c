/*
 * cohort_tests.c - tests of a patient-characteristics table: Pearson's
 * chi-square, Fisher's exact test (2x2 and r x c), the Mann-Whitney U test
 * and Welch's t test, each following R 4.2's stats package.
 */
#include <float.h>
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_cdf.h>

#include "cohort_tests.h"
#include "internal.h"

/* Relative tolerance of "no more likely than the observed table": R's
 * fisher.test uses 1 + 1e-7 for a 2x2 table and FEXACT's 3.45254e-7 (on
 * the log scale) for larger ones. */
#define FISHER_2X2_TOLERANCE 1e-7
#define FISHER_RXC_TOLERANCE 3.45254e-7

/* Mann-Whitney: both samples below this size and no ties give the exact p. */
#define MANN_WHITNEY_EXACT_LIMIT 50

static int alternative_valid(calci_alternative alternative)
{
    return alternative == CALCI_TWO_SIDED || alternative == CALCI_LESS ||
           alternative == CALCI_GREATER;
}

/* log(k!) for k = 0..n into a new array of n + 1 values (NULL when out of memory). */
static double *log_factorials(size_t n)
{
    double *table = malloc((n + 1) * sizeof *table);

    if (table == NULL)
        return NULL;
    for (size_t k = 0; k <= n; k++)
        table[k] = lgamma((double)k + 1.0);
    return table;
}

/* Row sums into row_sums (rows values), column sums into col_sums; returns the total. */
static size_t table_margins(const size_t *counts, size_t rows, size_t cols, size_t *row_sums,
                            size_t *col_sums)
{
    size_t total = 0;

    for (size_t j = 0; j < cols; j++)
        col_sums[j] = 0;
    for (size_t i = 0; i < rows; i++) {
        row_sums[i] = 0;
        for (size_t j = 0; j < cols; j++) {
            row_sums[i] += counts[i * cols + j];
            col_sums[j] += counts[i * cols + j];
        }
        total += row_sums[i];
    }
    return total;
}

/* ------------------------------------------------------------------ */
/* Chi-square                                                           */

calci_status calci_chisq_test(const size_t *counts, size_t rows, size_t cols, int correct,
                              double *statistic, double *df, double *p, calci_error *error)
{
    size_t *row_sums, *col_sums, total;
    double n, yates = 0.0, sum = 0.0;
    calci_status status = CALCI_OK;

    if (counts == NULL || rows < 2 || cols < 2)
        return ci_fail(error, CALCI_ERR_ARGUMENT,
                       "chi-square test: a table of at least 2 x 2 counts is required, got "
                       "%zu x %zu%s",
                       rows, cols, counts == NULL ? " (NULL)" : "");
    row_sums = malloc(rows * sizeof *row_sums);
    col_sums = malloc(cols * sizeof *col_sums);
    if (row_sums == NULL || col_sums == NULL) {
        status = ci_fail(error, CALCI_ERR_NO_MEMORY, "chi-square test: out of memory");
        goto done;
    }

    total = table_margins(counts, rows, cols, row_sums, col_sums);
    for (size_t i = 0; i < rows; i++)
        if (row_sums[i] == 0) {
            status = ci_fail(error, CALCI_ERR_DATA,
                             "chi-square test: row %zu sums to 0, so its expected counts are 0",
                             i + 1);
            goto done;
        }
    for (size_t j = 0; j < cols; j++)
        if (col_sums[j] == 0) {
            status = ci_fail(error, CALCI_ERR_DATA,
                             "chi-square test: column %zu sums to 0, so its expected counts "
                             "are 0",
                             j + 1);
            goto done;
        }
    n = (double)total;

    /* Yates: Y = min(0.5, min |O - E|) over the four cells, as R. */
    if (correct && rows == 2 && cols == 2) {
        yates = 0.5;
        for (size_t i = 0; i < 2; i++)
            for (size_t j = 0; j < 2; j++) {
                double expected = (double)row_sums[i] * (double)col_sums[j] / n;
                yates = fmin(yates, fabs((double)counts[i * cols + j] - expected));
            }
    }
    for (size_t i = 0; i < rows; i++)
        for (size_t j = 0; j < cols; j++) {
            double expected = (double)row_sums[i] * (double)col_sums[j] / n;
            double deviation = fabs((double)counts[i * cols + j] - expected) - yates;
            sum += deviation * deviation / expected;
        }

    if (statistic)
        *statistic = sum;
    if (df)
        *df = (double)((rows - 1) * (cols - 1));
    if (p)
        *p = gsl_cdf_chisq_Q(sum, (double)((rows - 1) * (cols - 1)));

done:
    free(row_sums);
    free(col_sums);
    return status;
}

/* ------------------------------------------------------------------ */
/* Fisher's exact test, 2x2                                             */

/*
 * Noncentral hypergeometric distribution of a in a 2x2 table with column
 * totals m = a + c, n = b + d and first-row total k = a + b: support
 * lo = max(0, k - n) .. hi = min(k, m), log weight
 * log C(m, t) + log C(n, k - t) + t log(odds).
 */
typedef struct hypergeometric {
    size_t lo, hi;
    double *log_weight; /* hi - lo + 1 central log weights (odds ratio 1) */
    double *density;    /* hi - lo + 1, scratch for hypergeometric_density */
} hypergeometric;

static void hypergeometric_free(hypergeometric *h)
{
    free(h->log_weight);
    free(h->density);
}

static calci_status hypergeometric_init(hypergeometric *h, size_t m, size_t n, size_t k,
                                        calci_error *error)
{
    size_t count;
    double *lf = log_factorials(m + n);

    h->lo = k > n ? k - n : 0;
    h->hi = k < m ? k : m;
    count = h->hi - h->lo + 1;
    h->log_weight = malloc(count * sizeof *h->log_weight);
    h->density = malloc(count * sizeof *h->density);
    if (lf == NULL || h->log_weight == NULL || h->density == NULL) {
        free(lf);
        hypergeometric_free(h);
        return ci_fail(error, CALCI_ERR_NO_MEMORY, "Fisher's exact test: out of memory");
    }
    for (size_t t = h->lo; t <= h->hi; t++)
        h->log_weight[t - h->lo] =
            lf[m] - lf[t] - lf[m - t] + lf[n] - lf[k - t] - lf[n - k + t];
    free(lf);
    return CALCI_OK;
}

/* Fills h->density with the probabilities at odds ratio exp(log_odds)
 * (scaled by the largest weight before exp, then normalised) and returns
 * the mean of the distribution. */
static double hypergeometric_density(hypergeometric *h, double log_odds)
{
    size_t count = h->hi - h->lo + 1;
    double largest = -INFINITY, sum = 0.0, mean = 0.0;

    for (size_t i = 0; i < count; i++) {
        h->density[i] = h->log_weight[i] + log_odds * (double)(h->lo + i);
        largest = fmax(largest, h->density[i]);
    }
    for (size_t i = 0; i < count; i++) {
        h->density[i] = exp(h->density[i] - largest);
        sum += h->density[i];
    }
    for (size_t i = 0; i < count; i++) {
        h->density[i] /= sum;
        mean += (double)(h->lo + i) * h->density[i];
    }
    return mean;
}

/*
 * Conditional MLE of the odds ratio: the root of E[a](odds) = x, found by
 * bisection on log(odds) to full double precision (the mean increases
 * with the odds). x must lie strictly inside the support.
 */
static double conditional_odds_ratio(hypergeometric *h, size_t x)
{
    double low = -1.0, high = 1.0;

    while (hypergeometric_density(h, low) > (double)x)
        low *= 2.0;
    while (hypergeometric_density(h, high) < (double)x)
        high *= 2.0;
    for (int iteration = 0; iteration < 200 && high - low > 1e-15 * fmax(1.0, fabs(low));
         iteration++) {
        double middle = 0.5 * (low + high);
        if (hypergeometric_density(h, middle) < (double)x)
            low = middle;
        else
            high = middle;
    }
    return exp(0.5 * (low + high));
}

calci_status calci_fisher_test_2x2(size_t a, size_t b, size_t c, size_t d,
                                   calci_alternative alternative, double *p, double *odds_ratio,
                                   calci_error *error)
{
    hypergeometric h;
    double sum = 0.0, observed;
    calci_status status;

    if (p == NULL)
        return ci_fail(error, CALCI_ERR_ARGUMENT, "Fisher's exact test: p must not be NULL");
    if (!alternative_valid(alternative))
        return ci_fail(error, CALCI_ERR_ARGUMENT,
                       "Fisher's exact test: alternative %d is invalid; expected "
                       "CALCI_TWO_SIDED, CALCI_LESS or CALCI_GREATER",
                       (int)alternative);
    if (a + b + c + d == 0)
        return ci_fail(error, CALCI_ERR_DATA, "Fisher's exact test: the table is empty");

    status = hypergeometric_init(&h, a + c, b + d, a + b, error);
    if (status != CALCI_OK)
        return status;

    hypergeometric_density(&h, 0.0);
    observed = h.density[a - h.lo];
    for (size_t t = h.lo; t <= h.hi; t++) {
        double density = h.density[t - h.lo];
        if ((alternative == CALCI_TWO_SIDED &&
             density <= observed * (1.0 + FISHER_2X2_TOLERANCE)) ||
            (alternative == CALCI_LESS && t <= a) || (alternative == CALCI_GREATER && t >= a))
            sum += density;
    }
    *p = fmin(1.0, sum);

    if (odds_ratio) {
        if (a == h.lo)
            *odds_ratio = 0.0;
        else if (a == h.hi)
            *odds_ratio = INFINITY;
        else
            *odds_ratio = conditional_odds_ratio(&h, a);
    }
    hypergeometric_free(&h);
    return CALCI_OK;
}

/* ------------------------------------------------------------------ */
/* Fisher's exact test, r x c, by enumeration                           */

/*
 * Every table with the observed margins is visited column by column, each
 * column filled top to bottom with its last cell and the last column
 * implied by the margins. A table's probability is
 *   P = prod r_i! prod c_j! / (n! prod x_ij!) = exp(K - S), S = sum log x_ij!,
 * so "no more likely than observed" is S >= S_obs - log(1 + tol).
 */
typedef struct fisher_walk {
    size_t rows, cols;
    size_t *row_left;   /* rows; row totals not yet placed */
    size_t *col_sums;   /* cols */
    const double *lf;   /* log factorials 0..n */
    double log_constant; /* K */
    double threshold;   /* S_obs - log(1 + tol) */
    double included;    /* sum of P over tables no more likely than observed */
    uint64_t max_tables;
    double total;       /* sum of P over all tables */
    uint64_t visited;
} fisher_walk;

/* Completes the last column from the row totals left and adds the table. */
static void fisher_add_table(fisher_walk *w, double partial)
{
    double s = partial, probability;

    for (size_t i = 0; i < w->rows; i++)
        s += w->lf[w->row_left[i]];
    probability = exp(w->log_constant - s);
    w->total += probability;
    if (s >= w->threshold)
        w->included += probability;
    w->visited++;
}

/* Fills cell (i, j) with every feasible value and recurses. left is the
 * part of column j's total not yet placed. below is the sum of the row
 * totals left in the rows under row i. */
static int fisher_fill(fisher_walk *w, size_t i, size_t j, size_t left, size_t below,
                       double partial)
{
    size_t low, high;

    if (w->visited >= w->max_tables)
        return -1;
    if (j == w->cols - 1) {
        fisher_add_table(w, partial);
        return 0;
    }
    if (i == w->rows - 1) {
        /* The last cell of the column takes what is left. */
        size_t next_below = 0;
        int result;

        w->row_left[i] -= left;
        for (size_t r = 0; r < w->rows; r++)
            next_below += w->row_left[r];
        result = fisher_fill(w, 0, j + 1, w->col_sums[j + 1], next_below - w->row_left[0],
                             partial + w->lf[left]);
        w->row_left[i] += left;
        return result;
    }

    /* Cell (i, j) takes x with x <= row_left[i], x <= left, and the rows
     * below must be able to hold the rest: left - x <= below. */
    high = w->row_left[i] < left ? w->row_left[i] : left;
    low = left > below ? left - below : 0;
    for (size_t x = low; x <= high; x++) {
        int result;
        w->row_left[i] -= x;
        result = fisher_fill(w, i + 1, j, left - x, below - w->row_left[i + 1],
                             partial + w->lf[x]);
        w->row_left[i] += x;
        if (result != 0)
            return result;
    }
    return 0;
}

calci_status calci_fisher_test(const size_t *counts, size_t rows, size_t cols, double *p,
                               calci_error *error)
{
    return ci_fisher_test_limited(counts, rows, cols, CALCI_FISHER_MAX_TABLES, p, error);
}

calci_status ci_fisher_test_limited(const size_t *counts, size_t rows, size_t cols,
                                    uint64_t max_tables, double *p, calci_error *error)
{
    fisher_walk w = {0};
    size_t *row_sums = NULL, total;
    double *lf = NULL, observed = 0.0;
    calci_status status = CALCI_OK;

    if (counts == NULL || p == NULL || rows < 2 || cols < 2)
        return ci_fail(error, CALCI_ERR_ARGUMENT,
                       "Fisher's exact test: a table of at least 2 x 2 counts and p are "
                       "required, got %zu x %zu%s",
                       rows, cols, counts == NULL || p == NULL ? " with a NULL pointer" : "");
    if (rows == 2 && cols == 2)
        return calci_fisher_test_2x2(counts[0], counts[1], counts[2], counts[3],
                                     CALCI_TWO_SIDED, p, NULL, error);

    row_sums = malloc(rows * sizeof *row_sums);
    w.row_left = malloc(rows * sizeof *w.row_left);
    w.col_sums = malloc(cols * sizeof *w.col_sums);
    if (row_sums == NULL || w.row_left == NULL || w.col_sums == NULL) {
        status = ci_fail(error, CALCI_ERR_NO_MEMORY, "Fisher's exact test: out of memory");
        goto done;
    }
    total = table_margins(counts, rows, cols, row_sums, w.col_sums);
    if (total == 0) {
        status = ci_fail(error, CALCI_ERR_DATA, "Fisher's exact test: the table is empty");
        goto done;
    }
    lf = log_factorials(total);
    if (lf == NULL) {
        status = ci_fail(error, CALCI_ERR_NO_MEMORY, "Fisher's exact test: out of memory");
        goto done;
    }

    w.rows = rows;
    w.max_tables = max_tables;
    w.cols = cols;
    w.lf = lf;
    w.log_constant = -lf[total];
    for (size_t i = 0; i < rows; i++) {
        w.log_constant += lf[row_sums[i]];
        w.row_left[i] = row_sums[i];
    }
    for (size_t j = 0; j < cols; j++)
        w.log_constant += lf[w.col_sums[j]];
    for (size_t k = 0; k < rows * cols; k++)
        observed += lf[counts[k]];
    w.threshold = observed - log1p(FISHER_RXC_TOLERANCE);

    if (fisher_fill(&w, 0, 0, w.col_sums[0], total - row_sums[0], 0.0) != 0) {
        status = ci_fail(error, CALCI_ERR_DATA,
                         "Fisher's exact test: the %zu x %zu table with %zu counts has more "
                         "than %llu tables with its margins, the limit of the enumeration; use "
                         "the chi-square test or merge levels",
                         rows, cols, total, (unsigned long long)max_tables);
        goto done;
    }
    /* Dividing by the total removes the rounding of the log factorials. */
    *p = fmin(1.0, w.included / w.total);

done:
    free(lf);
    free(row_sums);
    free(w.row_left);
    free(w.col_sums);
    return status;
}

/* ------------------------------------------------------------------ */
/* Mann-Whitney U                                                       */

typedef struct ranked_value {
    double value;
    int in_x;
} ranked_value;

static int compare_ranked(const void *a, const void *b)
{
    double u = ((const ranked_value *)a)->value, v = ((const ranked_value *)b)->value;
    return (u > v) - (u < v);
}

/*
 * Fills count[u] (u = 0..m n) with the number of ways W = u arises for
 * samples of m and n distinct values: the coefficients of the Gaussian
 * binomial [m + n choose m]_q, built by [N, k] = [N-1, k-1] + q^k [N-1, k]
 * so that only nonnegative numbers are added. Returns 0, or -1 when out of
 * memory.
 */
static int wilcoxon_counts(size_t m, size_t n, double *count)
{
    size_t width = m * n + 1;
    double *previous = calloc((m + 1) * width, sizeof *previous);
    double *current = calloc((m + 1) * width, sizeof *current);

    if (previous == NULL || current == NULL) {
        free(previous);
        free(current);
        return -1;
    }
    previous[0] = 1.0; /* [0, 0] = 1 */
    for (size_t total = 1; total <= m + n; total++) {
        size_t k_max = total < m ? total : m;
        for (size_t k = 0; k <= k_max; k++) {
            double *row = &current[k * width];
            size_t degree = k * (total - k); /* degree of [total, k] */
            /* The whole row is written, zeros above the degree, because the
             * buffer is reused two steps later. */
            for (size_t u = 0; u < width; u++) {
                double value = 0.0;
                if (u > degree) {
                    row[u] = 0.0;
                    continue;
                }
                if (k > 0)
                    value += previous[(k - 1) * width + u];
                if (k < total && u >= k)
                    value += previous[k * width + u - k];
                row[u] = value;
            }
        }
        double *swap = previous;
        previous = current;
        current = swap;
    }
    for (size_t u = 0; u < width; u++)
        count[u] = previous[m * width + u];
    free(previous);
    free(current);
    return 0;
}

/* Exact p of the observed W = q (an integer), as R's pwilcox tails. */
static calci_status mann_whitney_exact(size_t m, size_t n, double q,
                                       calci_alternative alternative, double *p,
                                       calci_error *error)
{
    size_t width = m * n + 1;
    double *count = malloc(width * sizeof *count);
    double all = 0.0, lower = 0.0, upper = 0.0;

    if (count == NULL || wilcoxon_counts(m, n, count) != 0) {
        free(count);
        return ci_fail(error, CALCI_ERR_NO_MEMORY, "Mann-Whitney test: out of memory");
    }
    for (size_t u = 0; u < width; u++) {
        all += count[u];
        if ((double)u <= q)
            lower += count[u];
        if ((double)u >= q)
            upper += count[u];
    }
    free(count);

    lower /= all; /* P(W <= q) */
    upper /= all; /* P(W >= q) */
    if (alternative == CALCI_LESS)
        *p = lower;
    else if (alternative == CALCI_GREATER)
        *p = upper;
    else
        *p = fmin(1.0, 2.0 * (q > (double)(m * n) / 2.0 ? upper : lower));
    return CALCI_OK;
}

/* Copies the non-NaN values of x and y into values; returns how many. */
static size_t gather_ranked(const double *x, size_t nx, const double *y, size_t ny,
                            ranked_value *values, size_t *kept_x)
{
    size_t count = 0;

    for (size_t i = 0; i < nx; i++)
        if (!isnan(x[i]))
            values[count++] = (ranked_value){x[i], 1};
    *kept_x = count;
    for (size_t i = 0; i < ny; i++)
        if (!isnan(y[i]))
            values[count++] = (ranked_value){y[i], 0};
    return count;
}

calci_status calci_mann_whitney_test(const double *x, size_t nx, const double *y, size_t ny,
                                     calci_alternative alternative, int correct, double *w,
                                     double *p, int *exact, calci_error *error)
{
    ranked_value *values;
    size_t count, m, n;
    double rank_sum = 0.0, tie_sum = 0.0, statistic, p_value = NAN, mn;
    int use_exact;
    calci_status status = CALCI_OK;

    if ((x == NULL && nx > 0) || (y == NULL && ny > 0))
        return ci_fail(error, CALCI_ERR_ARGUMENT, "Mann-Whitney test: a sample is NULL");
    if (!alternative_valid(alternative))
        return ci_fail(error, CALCI_ERR_ARGUMENT,
                       "Mann-Whitney test: alternative %d is invalid; expected "
                       "CALCI_TWO_SIDED, CALCI_LESS or CALCI_GREATER",
                       (int)alternative);
    values = malloc((nx + ny + 1) * sizeof *values);
    if (values == NULL)
        return ci_fail(error, CALCI_ERR_NO_MEMORY, "Mann-Whitney test: out of memory");

    count = gather_ranked(x, nx, y, ny, values, &m);
    n = count - m;
    if (m == 0 || n == 0) {
        status = ci_fail(error, CALCI_ERR_DATA,
                         "Mann-Whitney test: sample %s has no values (NaN skipped)",
                         m == 0 ? "x" : "y");
        goto done;
    }

    /* Average ranks: a tie group over sorted positions [start, end) gets
     * rank (start + end + 1) / 2; t^3 - t sums over groups for the variance. */
    qsort(values, count, sizeof *values, compare_ranked);
    for (size_t start = 0, end; start < count; start = end) {
        size_t in_x = 0;
        double t;
        for (end = start; end < count && values[end].value == values[start].value; end++)
            in_x += (size_t)values[end].in_x;
        t = (double)(end - start);
        rank_sum += (double)in_x * ((double)(start + end) + 1.0) / 2.0;
        tie_sum += t * t * t - t;
    }
    statistic = rank_sum - (double)m * ((double)m + 1.0) / 2.0;
    mn = (double)m * (double)n;
    use_exact = m < MANN_WHITNEY_EXACT_LIMIT && n < MANN_WHITNEY_EXACT_LIMIT && tie_sum == 0.0;

    if (use_exact) {
        status = mann_whitney_exact(m, n, statistic, alternative, &p_value, error);
        if (status != CALCI_OK)
            goto done;
    } else {
        double total = (double)count;
        double variance = mn / 12.0 * ((total + 1.0) - tie_sum / (total * (total - 1.0)));
        double z = statistic - mn / 2.0, shift = 0.0;

        if (!(variance > 0.0)) {
            status = ci_fail(error, CALCI_ERR_DATA,
                             "Mann-Whitney test: all %zu values are tied, so the normal "
                             "approximation has variance 0",
                             count);
            goto done;
        }
        if (correct)
            shift = alternative == CALCI_TWO_SIDED ? (z > 0) - (z < 0)
                    : alternative == CALCI_GREATER ? 1.0
                                                   : -1.0;
        z = (z - 0.5 * shift) / sqrt(variance);
        if (alternative == CALCI_LESS)
            p_value = gsl_cdf_ugaussian_P(z);
        else if (alternative == CALCI_GREATER)
            p_value = gsl_cdf_ugaussian_Q(z);
        else
            p_value = 2.0 * fmin(gsl_cdf_ugaussian_P(z), gsl_cdf_ugaussian_Q(z));
    }

    if (w)
        *w = statistic;
    if (p)
        *p = p_value;
    if (exact)
        *exact = use_exact;

done:
    free(values);
    return status;
}

/* ------------------------------------------------------------------ */
/* Welch's t test                                                       */

/* Mean and sample variance (denominator count - 1) of the non-NaN values,
 * two-pass; returns the count. Sets *infinite when a value is infinite. */
static size_t sample_moments(const double *x, size_t n, double *mean, double *variance,
                             int *infinite)
{
    size_t count = 0;
    double sum = 0.0, squares = 0.0;

    for (size_t i = 0; i < n; i++)
        if (!isnan(x[i])) {
            sum += x[i];
            count++;
            if (isinf(x[i]))
                *infinite = 1;
        }
    *mean = count > 0 ? sum / (double)count : NAN;
    for (size_t i = 0; i < n; i++)
        if (!isnan(x[i]))
            squares += (x[i] - *mean) * (x[i] - *mean);
    *variance = count > 1 ? squares / (double)(count - 1) : NAN;
    return count;
}

calci_status calci_welch_t_test(const double *x, size_t nx, const double *y, size_t ny,
                                calci_alternative alternative, double *t, double *df,
                                double *p, calci_error *error)
{
    double mean_x, mean_y, var_x, var_y, v_x, v_y, stderr_sum, statistic, degrees, p_value;
    size_t count_x, count_y;
    int infinite = 0;

    if ((x == NULL && nx > 0) || (y == NULL && ny > 0))
        return ci_fail(error, CALCI_ERR_ARGUMENT, "Welch t test: a sample is NULL");
    if (!alternative_valid(alternative))
        return ci_fail(error, CALCI_ERR_ARGUMENT,
                       "Welch t test: alternative %d is invalid; expected CALCI_TWO_SIDED, "
                       "CALCI_LESS or CALCI_GREATER",
                       (int)alternative);

    count_x = x ? sample_moments(x, nx, &mean_x, &var_x, &infinite) : 0;
    count_y = y ? sample_moments(y, ny, &mean_y, &var_y, &infinite) : 0;
    if (count_x < 2 || count_y < 2)
        return ci_fail(error, CALCI_ERR_DATA,
                       "Welch t test: sample %s has %zu values (NaN skipped); expected at "
                       "least 2",
                       count_x < 2 ? "x" : "y", count_x < 2 ? count_x : count_y);
    if (infinite)
        return ci_fail(error, CALCI_ERR_DATA, "Welch t test: a value is infinite");

    v_x = var_x / (double)count_x;
    v_y = var_y / (double)count_y;
    stderr_sum = sqrt(v_x + v_y);
    if (stderr_sum < 10.0 * DBL_EPSILON * fmax(fabs(mean_x), fabs(mean_y)) ||
        stderr_sum == 0.0)
        return ci_fail(error, CALCI_ERR_DATA,
                       "Welch t test: the data are essentially constant (standard error %g)",
                       stderr_sum);

    statistic = (mean_x - mean_y) / stderr_sum;
    degrees = (v_x + v_y) * (v_x + v_y) /
              (v_x * v_x / (double)(count_x - 1) + v_y * v_y / (double)(count_y - 1));
    if (alternative == CALCI_LESS)
        p_value = gsl_cdf_tdist_P(statistic, degrees);
    else if (alternative == CALCI_GREATER)
        p_value = gsl_cdf_tdist_Q(statistic, degrees);
    else
        p_value = 2.0 * gsl_cdf_tdist_Q(fabs(statistic), degrees);

    if (t)
        *t = statistic;
    if (df)
        *df = degrees;
    if (p)
        *p = p_value;
    return CALCI_OK;
}
