/*
 * glcm.c - grey level co-occurrence matrix features with pyradiomics'
 * definitions (radiomics/glcm.py, pyradiomics 2.x and 3.x).
 *
 * Conventions:
 * - Directions: every offset (dx, dy, dz) whose Chebyshev norm is one of
 *   settings->distances, one of each +/- pair (13 for distance 1 in 3-D).
 *   In a ROI one voxel thick the out-of-plane directions have no pair and
 *   drop out, leaving the 4 in-plane directions.
 * - Only levels present in the ROI index the matrix, and i, j are the level
 *   values themselves (pyradiomics deletes the rows and columns of absent
 *   levels). Ng in Idmn and Idn is the largest level, as in pyradiomics.
 * - With symmetrical_glcm, P + P^T per direction. Each direction's matrix is
 *   normalised to p = P / sum(P); features are computed per direction and
 *   averaged over the directions with at least one pair, skipping a
 *   direction whose value is NaN (numpy.nanmean).
 * - log base 2 with pyradiomics' epsilon: H = -sum p log2(p + eps).
 *
 * - textureAggregation's other IBSI methods merge the counts of several
 *   offsets (3D_comb) or use the in-plane offsets (dz = 0) per axial slice.
 *   2D_avg averages over (slice, offset) matrices, and 2D_comb merges a
 *   slice's offsets and averages over slices. 2_5D_avg merges each offset
 *   over the slices and averages over offsets, and 2_5D_comb merges all.
 *   A matrix without a pair adds nothing to an average.

 *
 * Against IBSI (cm_*_3D_avg, symmetric matrices) the same formulas hold;
 * IBSI's joint variance is SumSquares, its sum variance is SumVariance
 * (equal to ClusterTendency), and IBSI has no MCC.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>

#include "aggregation.h"
#include "texture.h"

/* numpy.spacing(1) = 2^-52. */
#define EPSILON 2.220446049250313e-16

/* Largest number of distinct grey levels accepted (matrix of 4096^2 counts). */
#define MAX_GLCM_LEVELS 4096

enum {
    CM_AUTOCORRELATION,
    CM_JOINT_AVERAGE,
    CM_CLUSTER_PROMINENCE,
    CM_CLUSTER_SHADE,
    CM_CLUSTER_TENDENCY,
    CM_CONTRAST,
    CM_CORRELATION,
    CM_DIFFERENCE_AVERAGE,
    CM_DIFFERENCE_ENTROPY,
    CM_DIFFERENCE_VARIANCE,
    CM_JOINT_ENERGY,
    CM_JOINT_ENTROPY,
    CM_IMC1,
    CM_IMC2,
    CM_IDM,
    CM_MCC,
    CM_IDMN,
    CM_ID,
    CM_IDN,
    CM_INVERSE_VARIANCE,
    CM_MAXIMUM_PROBABILITY,
    CM_SUM_AVERAGE,
    CM_SUM_ENTROPY,
    CM_SUM_SQUARES,
    CM_DISSIMILARITY,
    CM_HOMOGENEITY1,
    CM_HOMOGENEITY2,
    CM_SUM_VARIANCE,
    CM_COUNT
};

/* degenerate_value: pyradiomics' values on a region with one grey level (level 1). */
static const ri_feature_def glcm_defs[CM_COUNT] = {
    {"Autocorrelation", "cm_auto_corr", "QWB0", 1, 0, 1.0},
    {"JointAverage", "cm_joint_avg", "60VM", 1, 0, 1.0},
    {"ClusterProminence", "cm_clust_prom", "AE86", 1, 0, 0.0},
    {"ClusterShade", "cm_clust_shade", "7NFM", 1, 0, 0.0},
    {"ClusterTendency", "cm_clust_tend", "DG8W", 1, 0, 0.0},
    {"Contrast", "cm_contrast", "ACUI", 1, 0, 0.0},
    {"Correlation", "cm_corr", "NI2N", 1, 0, 1.0},
    {"DifferenceAverage", "cm_diff_avg", "TF7R", 1, 0, 0.0},
    {"DifferenceEntropy", "cm_diff_entr", "NTRS", 1, 0, 0.0},
    {"DifferenceVariance", "cm_diff_var", "D3YU", 1, 0, 0.0},
    {"JointEnergy", "cm_energy", "8ZQL", 1, 0, 1.0},
    {"JointEntropy", "cm_joint_entr", "TU9B", 1, 0, 0.0},
    {"Imc1", "cm_info_corr1", "R8DG", 1, 0, 0.0},
    {"Imc2", "cm_info_corr2", "JN9H", 1, 0, 0.0},
    {"Idm", "cm_inv_diff_mom", "WF0Z", 1, 0, 1.0},
    {"MCC", "", "", 1, 0, 1.0},
    {"Idmn", "cm_inv_diff_mom_norm", "1QCO", 1, 0, 1.0},
    {"Id", "cm_inv_diff", "IB1Z", 1, 0, 1.0},
    {"Idn", "cm_inv_diff_norm", "NDRX", 1, 0, 1.0},
    {"InverseVariance", "cm_inv_var", "E8JP", 1, 0, 0.0},
    {"MaximumProbability", "cm_joint_max", "GYBY", 1, 0, 1.0},
    {"SumAverage", "cm_sum_avg", "ZGXS", 1, 0, 2.0},
    {"SumEntropy", "cm_sum_entr", "P6QZ", 1, 0, 0.0},
    {"SumSquares", "cm_joint_var", "UR99", 1, 0, 0.0},
    /* Deprecated in pyradiomics because each equals another feature:
     * Dissimilarity = DifferenceAverage, Homogeneity1 = Id,
     * Homogeneity2 = Idm, SumVariance = ClusterTendency. Computed here. */
    {"Dissimilarity", "cm_dissimilarity", "8S9J", 0, 1, 0.0},
    {"Homogeneity1", "", "", 0, 1, 1.0},
    {"Homogeneity2", "", "", 0, 1, 1.0},
    {"SumVariance", "cm_sum_var", "OEEB", 0, 1, 0.0},
};

const ri_feature_table ri_glcm_table = {"glcm", glcm_defs, CM_COUNT};

/* Number of small pair counts whose log2(p + eps) direction_features caches per matrix. */
#define LOG_CACHE_SIZE 4096

/* Scratch memory for the per-direction feature computation. */
typedef struct glcm_work {
    int n;              /* distinct levels present */
    int ng;             /* largest level */
    const double *grey; /* grey[a]: level value of compact index a */
    double *p;          /* n x n probabilities */
    double *px, *py;    /* marginals */
    double *sum_k;      /* p_{x+y}(k), k = 0..2 ng */
    double *diff_k;     /* p_{x-y}(k), k = 0..ng - 1 */
    double *log_px;     /* log2(px(i)) where px(i) > 0 */
    double *log_py;     /* log2(py(j)) where py(j) > 0 */
    uint32_t *nonzero;  /* (i << 16) | j of the cells with p > 0, at most n x n */
    int symmetric;      /* 1 when p is symmetric, so px = py bit for bit and log_py = log_px */
    /*
     * NULL, or the pair counts (n x n) that p was normalised from: p(i, j) =
     * (counts(i, j) + counts(j, i) when symmetric) / total. With them, equal
     * counts share one log2(p + eps) through log_of_count.
     */
    const uint32_t *counts;
    double *log_of_count;   /* [LOG_CACHE_SIZE] log2(p + eps) of count c, valid if
                               count_stamp[c] == stamp */
    unsigned *count_stamp;  /* [LOG_CACHE_SIZE] stamp at which log_of_count[c] was set */
    unsigned stamp;         /* matrix generation, incremented for each matrix */
    int with_mcc;       /* MCC enabled: q, eigen and eigen_work are allocated */
    gsl_matrix *q;      /* MCC matrix, n x n */
    gsl_vector *eigen;
    gsl_eigen_symm_workspace *eigen_work;
} glcm_work;

/*
 * Builds the offsets: all (dx, dy, dz) with max(|dx|, |dy|, |dz|) in
 * distances, keeping the one of each +/- pair whose first non-zero
 * component (z, then y, then x) is positive. Returns the count, or -1 when
 * the list would exceed capacity.
 */
static int build_offsets(const int *distances, int n_distances, int (*offsets)[3], int capacity)
{
    int count = 0;

    for (int d = 0; d < n_distances; d++) {
        int r = distances[d];

        for (int prev = 0; prev < d; prev++)
            if (distances[prev] == r)
                r = 0;
        if (r <= 0)
            continue;
        for (int dz = 0; dz <= r; dz++) {
            for (int dy = -r; dy <= r; dy++) {
                for (int dx = -r; dx <= r; dx++) {
                    int norm = abs(dx) > abs(dy) ? abs(dx) : abs(dy);

                    norm = norm > dz ? norm : dz;
                    if (norm != r)
                        continue;
                    if (dz == 0 && (dy < 0 || (dy == 0 && dx < 0)))
                        continue;
                    if (count == capacity)
                        return -1;
                    offsets[count][0] = dx;
                    offsets[count][1] = dy;
                    offsets[count][2] = dz;
                    count++;
                }
            }
        }
    }
    return count;
}

/* Copies of the scratch matrix that consecutive voxels of a row update in turn. */
#define PAIR_LANES 4

/*
 * Counts the pairs of the box positions lo..hi - 1 (per axis) without a
 * branch. The counts go into `lanes` (1 or PAIR_LANES) scratch matrices of
 * (n + 1) x (n + 1) cells, whose first row and column receive the pairs with
 * a voxel outside the ROI (index -1). Consecutive voxels of a row update the
 * lanes in turn, so runs of equal pairs do not wait on one memory cell.
 * Then sums the lanes' ROI cells into counts and returns the number of pairs.
 */
static size_t count_pairs_padded(const int *compact, const size_t size[3], const long lo[3],
                                 const long hi[3], long step, int n, int lanes,
                                 uint32_t *scratch, uint32_t *counts)
{
    size_t width = (size_t)n + 1, cells = width * width, pairs = 0;
    uint32_t *origin[PAIR_LANES];

    memset(scratch, 0, (size_t)lanes * cells * sizeof *scratch);
    /*
     * Cell (a + 1, b + 1), so that a = -1 or b = -1 lands in row or column 0.
     * With fewer than PAIR_LANES lanes, the missing lanes alias lane 0.
     */
    for (int lane = 0; lane < PAIR_LANES; lane++)
        origin[lane] = scratch + (size_t)(lane < lanes ? lane : 0) * cells + width + 1;

    for (long z = lo[2]; z < hi[2]; z++) {
        for (long y = lo[1]; y < hi[1]; y++) {
            const int *row = compact + (size_t)size[0] * ((size_t)y + size[1] * (size_t)z);
            const ptrdiff_t w = (ptrdiff_t)width;
            long x = lo[0];

            for (; x + PAIR_LANES <= hi[0]; x += PAIR_LANES) {
                origin[0][row[x] * w + row[x + step]]++;
                origin[1][row[x + 1] * w + row[x + 1 + step]]++;
                origin[2][row[x + 2] * w + row[x + 2 + step]]++;
                origin[3][row[x + 3] * w + row[x + 3 + step]]++;
            }
            for (; x < hi[0]; x++)
                origin[0][row[x] * w + row[x + step]]++;
        }
    }
    for (size_t a = 0; a < (size_t)n; a++) {
        for (size_t b = 0; b < (size_t)n; b++) {
            uint32_t total = 0;
            for (int lane = 0; lane < lanes; lane++)
                total += origin[lane][a * width + b];
            counts[a * (size_t)n + b] = total;
            pairs += total;
        }
    }
    return pairs;
}

/*
 * Counts the ordered pairs (voxel, voxel + offset) with both voxels in the
 * ROI into counts[a * n + b], a and b compact level indices (-1 outside).
 * One pass over the box restricted to the positions whose neighbour lies in
 * it. Returns the number of pairs.
 */
static size_t count_pairs(const int *compact, const size_t size[3], const int offset[3], int n,
                          uint32_t *counts)
{
    long lo[3], hi[3];
    size_t pairs = 0;
    long step = offset[0] + (long)size[0] * (offset[1] + (long)size[1] * offset[2]);

    memset(counts, 0, (size_t)n * (size_t)n * sizeof *counts);
    for (int axis = 0; axis < 3; axis++) {
        lo[axis] = offset[axis] < 0 ? -offset[axis] : 0;
        hi[axis] = (long)size[axis] - (offset[axis] > 0 ? offset[axis] : 0);
        if (hi[axis] <= lo[axis])
            return 0;
    }

    /*
     * The branch-free count clears and reads back lanes x (n + 1)^2 scratch
     * cells, which pays off while that is no more than the box's voxel
     * count. With more levels it uses one lane, and with more still the
     * loop below.
     */
    size_t width = (size_t)n + 1, n_box = size[0] * size[1] * size[2];
    int lanes = PAIR_LANES * width * width <= n_box ? PAIR_LANES : width * width <= n_box;
    if (lanes > 0) {
        uint32_t *scratch = malloc((size_t)lanes * width * width * sizeof *scratch);
        if (scratch != NULL) {
            pairs = count_pairs_padded(compact, size, lo, hi, step, n, lanes, scratch, counts);
            free(scratch);
            return pairs;
        }
        /* Out of memory, so fall back to the loop below, which needs no scratch. */
    }

    for (long z = lo[2]; z < hi[2]; z++) {
        for (long y = lo[1]; y < hi[1]; y++) {
            const int *row = compact + (size_t)size[0] * ((size_t)y + size[1] * (size_t)z);

            for (long x = lo[0]; x < hi[0]; x++) {
                int a = row[x];
                int b = row[x + step];

                if (a >= 0 && b >= 0) {
                    counts[(size_t)a * (size_t)n + (size_t)b]++;
                    pairs++;
                }
            }
        }
    }
    return pairs;
}

/* The 13 offsets at distance 1 in 3-D, which share one counting pass. */
#define UNIT_OFFSETS 13

/* Largest joint pair table of count_unit_pairs in bytes (a chosen bound). */
#define MAX_JOINT_BYTES ((size_t)64 << 20)

/*
 * Joint table of the pair counts of the 13 offsets at distance 1.
 * cells[(a * width + b) * UNIT_OFFSETS + o] counts the pairs (v, v + offsets[o]),
 * where a and b are the compact indices + 1 of v and v + offsets[o].
 * A voxel outside the ROI has index 0.
 */
typedef struct unit_pairs {
    uint32_t *cells;
    size_t width; /* n + 1 */
    int n;        /* grid->n_rows */
} unit_pairs;

/* Returns 1 when the joint table of n levels fits the bounds of count_unit_pairs for grid. */
static int unit_pairs_fit(const ri_level_grid *grid, int n)
{
    size_t width = (size_t)n + 1, n_box = grid->count;

    /* Clearing and reading the table costs about its size, so use it only up to the voxel count. */
    return width * width <= n_box &&
           width * width <= MAX_JOINT_BYTES / UNIT_OFFSETS / sizeof(uint32_t);
}

/*
 * Counts the pairs of the 13 offsets in one pass over the ROI box of grid.
 * The grid's padding makes every neighbour at distance 1 a valid index, so
 * no offset needs its own box bounds. Each voxel updates 13 different
 * cells in turn, which keeps runs of equal pairs from waiting on one memory
 * cell. Returns 0 when out of memory.
 */
static int count_unit_pairs(const ri_level_grid *grid, const int (*offsets)[3], unit_pairs *pairs)
{
    size_t width = (size_t)grid->n_rows + 1;
    ptrdiff_t steps[UNIT_OFFSETS];
    int *slot_of_cell = malloc(((size_t)grid->max_level + 2) * sizeof *slot_of_cell);
    int *slots = malloc((grid->count + RI_INT4_LANES) * sizeof *slots);

    pairs->n = grid->n_rows;
    pairs->width = width;
    pairs->cells = calloc(width * width * UNIT_OFFSETS, sizeof *pairs->cells);
    if (slot_of_cell == NULL || slots == NULL || pairs->cells == NULL) {
        free(slot_of_cell);
        free(slots);
        free(pairs->cells);
        pairs->cells = NULL;
        return 0;
    }

    /* slots[v] = UNIT_OFFSETS x (compact index + 1), or 0 on padding and outside the ROI. */
    slot_of_cell[0] = 0;
    slot_of_cell[1] = 0;
    for (int level = 1; level <= grid->max_level; level++)
        slot_of_cell[level + 1] = (grid->row_of_level[level] + 1) * UNIT_OFFSETS;
    for (size_t v = 0; v < grid->count + RI_INT4_LANES; v++)
        slots[v] = slot_of_cell[grid->cells[v] + 1];
    for (int o = 0; o < UNIT_OFFSETS; o++)
        steps[o] = ri_grid_offset(grid, offsets[o]);

    for (size_t z = 1; z + 1 < grid->size[2]; z++) {
        for (size_t y = 1; y + 1 < grid->size[1]; y++) {
            const int *row = slots + y * (size_t)grid->stride[1] + z * (size_t)grid->stride[2];

            for (size_t x = 1; x + 1 < grid->size[0]; x++) {
                /* assume_aligned keeps cell a pointer, so o becomes an address displacement. */
                uint32_t *cell = __builtin_assume_aligned(
                    pairs->cells + (ptrdiff_t)row[x] * (ptrdiff_t)width, sizeof(uint32_t));

#pragma GCC unroll 13
                for (int o = 0; o < UNIT_OFFSETS; o++)
                    cell[(ptrdiff_t)row[(ptrdiff_t)x + steps[o]] + o]++;
            }
        }
    }
    free(slots);
    free(slot_of_cell);
    return 1;
}

/* Copies the ROI pairs of offset o from the joint table into counts (n x n), returning their number. */
static size_t unit_offset_counts(const unit_pairs *pairs, int o, uint32_t *counts)
{
    size_t n = (size_t)pairs->n, total = 0;

    for (size_t a = 0; a < n; a++) {
        const uint32_t *row = pairs->cells + ((a + 1) * pairs->width + 1) * UNIT_OFFSETS + o;
        for (size_t b = 0; b < n; b++) {
            counts[a * n + b] = row[b * UNIT_OFFSETS];
            total += row[b * UNIT_OFFSETS];
        }
    }
    return total;
}

/*
 * Source of the pair counts of the 3D_avg path: the joint table when unit is
 * set, else one pass over the compact levels per offset.
 */
typedef struct pair_source {
    const unit_pairs *unit; /* joint table, whose offsets are the 13 at distance 1, or NULL */
    const int *compact;     /* compact indices of the ROI box, -1 outside (unit == NULL) */
    const size_t *size;     /* box size (unit == NULL) */
} pair_source;

static size_t source_counts(const pair_source *source, const int offset[3], int o, int n,
                            uint32_t *counts)
{
    if (source->unit != NULL)
        return unit_offset_counts(source->unit, o, counts);
    return count_pairs(source->compact, source->size, offset, n, counts);
}

/*
 * MCC = sqrt(second largest eigenvalue of Q), Q(i, j) = sum_k p(i,k) p(j,k)
 * / (px(i) py(k)). Q = Dx^-1/2 S Dx^1/2 with the symmetric positive
 * semi-definite S(i, j) = sum_k p(i,k) p(j,k) / (sqrt(px(i) px(j)) py(k)),
 * so the eigenvalues are those of S (rows with px = 0 add zeros) and a
 * symmetric solver applies. pyradiomics adds eps to px(i) py(k) and uses a
 * general eigen solver; the two agree to about eps / min(px py).
 */
static double mcc_value(glcm_work *w)
{
    int n = w->n;
    double first = -INFINITY, second = -INFINITY;

    if (n < 2)
        return 1.0;
    for (int i = 0; i < n; i++) {
        for (int j = i; j < n; j++) {
            double s = 0.0;

            if (w->px[i] > 0.0 && w->px[j] > 0.0) {
                for (int k = 0; k < n; k++)
                    if (w->py[k] > 0.0)
                        s += w->p[i * n + k] * w->p[j * n + k] / w->py[k];
                s /= sqrt(w->px[i] * w->px[j]);
            }
            gsl_matrix_set(w->q, (size_t)i, (size_t)j, s);
            gsl_matrix_set(w->q, (size_t)j, (size_t)i, s);
        }
    }
    if (gsl_eigen_symm(w->q, w->eigen, w->eigen_work) != GSL_SUCCESS)
        return NAN;
    for (int i = 0; i < n; i++) {
        double value = gsl_vector_get(w->eigen, (size_t)i);

        if (value > first) {
            second = first;
            first = value;
        } else if (value > second) {
            second = value;
        }
    }
    /* A round-off negative eigenvalue stands for 0 (numpy: real part of a complex root). */
    return second > 0.0 ? sqrt(second) : 0.0;
}

/* Entropy -sum q log2(q + eps) of a distribution of m values. */
static double entropy(const double *q, int m)
{
    double h = 0.0;

    for (int k = 0; k < m; k++)
        if (q[k] > 0.0)
            h -= q[k] * log2(q[k] + EPSILON);
    return h;
}

/*
 * Computes log2(px py + eps) from log_px = log2(px) and log_py = log2(py),
 * where px > 0 and py > 0. With x = eps / (px py), log2(px py + eps) = log2(px) +
 * log2(py) + log2(1 + x), and log2(1 + x) = (x - x^2 / 2) / ln 2 with an
 * error below x^3 / 2 when x < 2^-20, far below one ulp of the result. The
 * sum of two logarithms differs from the logarithm of the rounded product by
 * a few ulp. Smaller products call log2.
 */
static double log2_product_eps(double pxpy, double log_px, double log_py)
{
    double x = EPSILON / pxpy;

    if (x < 0x1p-20)
        return log_px + log_py + x * (1.0 - 0.5 * x) * (1.0 / M_LN2);
    return log2(pxpy + EPSILON);
}

/*
 * Returns log2(p + eps) of cell (i, j) of w->p. Cells with the same small
 * count have the same p, so they share one log2 call per matrix.
 */
static double log2_cached(glcm_work *w, int i, int j, double p)
{
    if (w->counts == NULL)
        return log2(p + EPSILON);
    size_t n = (size_t)w->n;
    uint64_t count = w->counts[(size_t)i * n + (size_t)j];
    if (w->symmetric)
        count += w->counts[(size_t)j * n + (size_t)i];
    if (count >= LOG_CACHE_SIZE)
        return log2(p + EPSILON);
    if (w->count_stamp[count] != w->stamp) {
        w->count_stamp[count] = w->stamp;
        w->log_of_count[count] = log2(p + EPSILON);
    }
    return w->log_of_count[count];
}

/*
 * Writes the features of one direction's normalised matrix w->p into f,
 * with the formulas of pyradiomics' docstrings (i, j grey levels;
 * mu_x = sum p i; sigma_x^2 = sum p (i - mu_x)^2; k = i + j or |i - j|).
 * One sweep over the n x n cells finds the marginals, the sums that need no
 * mean and the non-zero cells. The central moments then visit only those
 * cells. HXY1 and HXY2 take log2(px py + eps) from the n logarithms of the
 * marginals (log2_product_eps).
 */
static void direction_features(glcm_work *w, double *f)
{
    int n = w->n, ng = w->ng;
    const double *g = w->grey;
    double ux = 0.0, uy = 0.0, autocorr = 0.0, energy = 0.0, hxy = 0.0, max_p = 0.0;
    double var_x = 0.0, var_y = 0.0, cov = 0.0, contrast = 0.0;
    double c2 = 0.0, c3 = 0.0, c4 = 0.0, hx, hy, hxy1 = 0.0, hxy2 = 0.0, sigma_product;
    double diff_avg = 0.0, diff_var = 0.0, idm = 0.0, idmn = 0.0, id = 0.0, idn = 0.0;
    double inv_var = 0.0, sum_avg = 0.0, sum_var = 0.0;
    size_t n_nonzero = 0;

    w->stamp++;
    memset(w->px, 0, (size_t)n * sizeof *w->px);
    memset(w->py, 0, (size_t)n * sizeof *w->py);
    memset(w->sum_k, 0, (size_t)(2 * ng + 1) * sizeof *w->sum_k);
    memset(w->diff_k, 0, (size_t)ng * sizeof *w->diff_k);

    /* Marginals, means, sums and differences; empty cells add 0 to every sum. */
    for (int i = 0; i < n; i++) {
        const double *row = w->p + (size_t)i * (size_t)n;

        for (int j = 0; j < n; j++) {
            double p = row[j];

            if (p == 0.0)
                continue;
            w->nonzero[n_nonzero++] = (uint32_t)i << 16 | (uint32_t)j;
            w->px[i] += p;
            w->py[j] += p;
            ux += p * g[i];
            uy += p * g[j];
            autocorr += p * g[i] * g[j];
            energy += p * p;
            hxy -= p * log2_cached(w, i, j, p);
            if (p > max_p)
                max_p = p;
            w->sum_k[(int)(g[i] + g[j])] += p;
            w->diff_k[(int)fabs(g[i] - g[j])] += p;
        }
    }

    for (int i = 0; i < n; i++) {
        w->log_px[i] = w->px[i] > 0.0 ? log2(w->px[i]) : 0.0;
        if (w->symmetric)
            w->log_py[i] = w->log_px[i];
        else
            w->log_py[i] = w->py[i] > 0.0 ? log2(w->py[i]) : 0.0;
    }

    /*
     * HXY2 sums over every cell with px(i) py(j) > 0 in row order, like a
     * dense loop over all cells. HXY2 - HXY can be small next to both (Imc2
     * near 0), so a different summation order would change Imc2.
     */
    for (int i = 0; i < n; i++) {
        if (!(w->px[i] > 0.0))
            continue;
        for (int j = 0; j < n; j++) {
            double pxpy = w->px[i] * w->py[j];
            if (pxpy > 0.0)
                hxy2 -= pxpy * log2_product_eps(pxpy, w->log_px[i], w->log_py[j]);
        }
    }

    /* Central moments around (mu_x, mu_y), over the non-zero cells. */
    for (size_t c = 0; c < n_nonzero; c++) {
        int i = (int)(w->nonzero[c] >> 16), j = (int)(w->nonzero[c] & 0xffffu);
        double p = w->p[(size_t)i * (size_t)n + (size_t)j];
        /* The same expressions as a dense loop over all cells, so the sums match it bit for bit. */
        double di = g[i] - ux, dj = g[j] - uy, t = g[i] + g[j] - ux - uy;

        var_x += p * di * di;
        var_y += p * dj * dj;
        cov += p * di * dj;
        contrast += p * (g[i] - g[j]) * (g[i] - g[j]);
        c2 += p * t * t;
        c3 += p * t * t * t;
        c4 += p * t * t * t * t;
        hxy1 -= p * log2_product_eps(w->px[i] * w->py[j], w->log_px[i], w->log_py[j]);
    }
    hx = entropy(w->px, n);
    hy = entropy(w->py, n);

    for (int k = 0; k < ng; k++) {
        double q = w->diff_k[k];

        diff_avg += k * q;
        idm += q / (1.0 + (double)k * k);
        idmn += q / (1.0 + (double)k * k / ((double)ng * ng));
        id += q / (1.0 + k);
        idn += q / (1.0 + (double)k / ng);
        if (k > 0)
            inv_var += q / ((double)k * k);
    }
    for (int k = 0; k < ng; k++)
        diff_var += (k - diff_avg) * (k - diff_avg) * w->diff_k[k];
    for (int k = 2; k <= 2 * ng; k++)
        sum_avg += k * w->sum_k[k];
    for (int k = 2; k <= 2 * ng; k++)
        sum_var += (k - sum_avg) * (k - sum_avg) * w->sum_k[k];

    f[CM_AUTOCORRELATION] = autocorr;
    f[CM_JOINT_AVERAGE] = ux;
    f[CM_CLUSTER_PROMINENCE] = c4;
    f[CM_CLUSTER_SHADE] = c3;
    f[CM_CLUSTER_TENDENCY] = c2;
    f[CM_CONTRAST] = contrast;
    /* Correlation = cov / (sigma_x sigma_y + eps); 1 when sigma_x sigma_y = 0. */
    sigma_product = sqrt(var_x) * sqrt(var_y);
    f[CM_CORRELATION] = sigma_product == 0.0 ? 1.0 : cov / (sigma_product + EPSILON);
    f[CM_DIFFERENCE_AVERAGE] = diff_avg;
    f[CM_DIFFERENCE_ENTROPY] = entropy(w->diff_k, ng);
    f[CM_DIFFERENCE_VARIANCE] = diff_var;
    f[CM_JOINT_ENERGY] = energy;
    f[CM_JOINT_ENTROPY] = hxy;
    /* Imc1 = (HXY - HXY1) / max(HX, HY), 0 when both are 0. */
    f[CM_IMC1] = fmax(hx, hy) == 0.0 ? 0.0 : (hxy - hxy1) / fmax(hx, hy);
    /* Imc2 = sqrt(1 - exp(-2 (HXY2 - HXY))): 0 when HXY2 = HXY, NaN when negative. */
    if (hxy2 == hxy)
        f[CM_IMC2] = 0.0;
    else
        f[CM_IMC2] = hxy2 > hxy ? sqrt(1.0 - exp(-2.0 * (hxy2 - hxy))) : NAN;
    f[CM_IDM] = idm;
    /* The eigen solve is the costliest step, so it runs only when MCC is enabled. */
    f[CM_MCC] = w->with_mcc ? mcc_value(w) : NAN;
    f[CM_IDMN] = idmn;
    f[CM_ID] = id;
    f[CM_IDN] = idn;
    f[CM_INVERSE_VARIANCE] = inv_var;
    f[CM_MAXIMUM_PROBABILITY] = max_p;
    f[CM_SUM_AVERAGE] = sum_avg;
    f[CM_SUM_ENTROPY] = entropy(w->sum_k, 2 * ng + 1);
    f[CM_SUM_SQUARES] = var_x;
    f[CM_DISSIMILARITY] = diff_avg;
    f[CM_HOMOGENEITY1] = id;
    f[CM_HOMOGENEITY2] = idm;
    f[CM_SUM_VARIANCE] = sum_var;
}

static void work_free(glcm_work *w)
{
    free(w->p);
    free(w->px);
    free(w->py);
    free(w->sum_k);
    free(w->diff_k);
    free(w->log_px);
    free(w->log_py);
    free(w->nonzero);
    free(w->log_of_count);
    free(w->count_stamp);
    if (w->q)
        gsl_matrix_free(w->q);
    if (w->eigen)
        gsl_vector_free(w->eigen);
    if (w->eigen_work)
        gsl_eigen_symm_free(w->eigen_work);
}

static int work_alloc(glcm_work *w, int n, int ng, int with_mcc)
{
    memset(w, 0, sizeof *w);
    w->n = n;
    w->ng = ng;
    w->with_mcc = with_mcc;
    w->p = malloc((size_t)n * (size_t)n * sizeof *w->p);
    w->px = malloc((size_t)n * sizeof *w->px);
    w->py = malloc((size_t)n * sizeof *w->py);
    w->sum_k = malloc((size_t)(2 * ng + 1) * sizeof *w->sum_k);
    w->diff_k = malloc((size_t)ng * sizeof *w->diff_k);
    w->log_px = malloc((size_t)n * sizeof *w->log_px);
    w->log_py = malloc((size_t)n * sizeof *w->log_py);
    w->nonzero = malloc((size_t)n * (size_t)n * sizeof *w->nonzero);
    w->log_of_count = malloc(LOG_CACHE_SIZE * sizeof *w->log_of_count);
    w->count_stamp = calloc(LOG_CACHE_SIZE, sizeof *w->count_stamp);
    if (!(w->p && w->px && w->py && w->sum_k && w->diff_k && w->log_px && w->log_py &&
          w->nonzero && w->log_of_count && w->count_stamp))
        return 0;
    if (!with_mcc)
        return 1;
    w->q = gsl_matrix_alloc((size_t)n, (size_t)n);
    w->eigen = gsl_vector_alloc((size_t)n);
    w->eigen_work = gsl_eigen_symm_alloc((size_t)n);
    return w->q && w->eigen && w->eigen_work;
}

/*
 * Maps each ROI voxel to the compact index of its level (0..n-1, in
 * increasing level order; -1 outside) and fills grey[] with the level
 * values. Returns n, the number of levels present.
 */
static int compact_levels(const ri_roi *roi, size_t n_box, int *compact, int *index_of,
                          double *grey)
{
    int n = 0;

    for (int level = 0; level <= roi->max_level; level++)
        index_of[level] = -1;
    for (size_t v = 0; v < n_box; v++)
        if (roi->mask[v])
            index_of[roi->levels[v]] = 0;
    for (int level = 1; level <= roi->max_level; level++) {
        if (index_of[level] == 0) {
            grey[n] = level;
            index_of[level] = n++;
        }
    }
    for (size_t v = 0; v < n_box; v++)
        compact[v] = roi->mask[v] ? index_of[roi->levels[v]] : -1;
    return n;
}

static rad_status check_roi(const ri_roi *roi, size_t n_box, rad_error *error)
{
    if (roi->n_voxels == 0)
        return ri_fail(error, RAD_ERR_EMPTY_ROI, "glcm: the ROI has no voxel");
    if (roi->max_level < 1)
        return ri_fail(error, RAD_ERR_ARGUMENT, "glcm: max_level is %d, expected >= 1",
                       roi->max_level);
    for (size_t v = 0; v < n_box; v++)
        if (roi->mask[v] && (roi->levels[v] < 1 || roi->levels[v] > roi->max_level))
            return ri_fail(error, RAD_ERR_ARGUMENT,
                           "glcm: voxel %zu has level %d, expected 1..%d", v, roi->levels[v],
                           roi->max_level);
    return RAD_OK;
}

/* Number of offsets of Chebyshev norm r, one per +/- pair. */
static int offsets_at(int r)
{
    return ((2 * r + 1) * (2 * r + 1) * (2 * r + 1) - (2 * r - 1) * (2 * r - 1) * (2 * r - 1)) / 2;
}

int ri_glcm_offsets(const int *distances, int n_distances, int (**offsets)[3])
{
    int capacity = 0;

    *offsets = NULL;
    for (int d = 0; d < n_distances; d++) {
        if (distances[d] < 1 || distances[d] > RI_MAX_GLCM_DISTANCE)
            return -1;
        capacity += offsets_at(distances[d]);
    }
    *offsets = malloc((size_t)capacity * sizeof **offsets);
    if (*offsets == NULL)
        return -1;
    return build_offsets(distances, n_distances, *offsets, capacity);
}

/*
 * Computes ri_glcm_counts through the joint table of count_unit_pairs, so
 * that the tests can compare it with a slow twin. Returns RAD_ERR_UNSUPPORTED, and sets
 * no error, when offset is not one of the 13 at distance 1 or the table does
 * not fit.
 */
static rad_status unit_counts_by_level(const ri_roi *roi, const int offset[3], uint32_t *counts,
                                       rad_error *error)
{
    int one = 1, (*offsets)[3] = NULL, o = 0;
    int n_offsets = ri_glcm_offsets(&one, 1, &offsets);
    ri_level_grid grid;
    unit_pairs pairs = {NULL, 0, 0};
    size_t ng = (size_t)roi->max_level;

    if (n_offsets != UNIT_OFFSETS) {
        free(offsets);
        return ri_fail(error, RAD_ERR_NO_MEMORY, "glcm: out of memory for 13 offsets");
    }
    while (o < UNIT_OFFSETS && memcmp(offsets[o], offset, sizeof offsets[o]) != 0)
        o++;
    if (o == UNIT_OFFSETS || ri_level_grid_build(roi, &grid, NULL) != RAD_OK) {
        free(offsets);
        return RAD_ERR_UNSUPPORTED;
    }
    rad_status status = RAD_ERR_UNSUPPORTED;
    if (unit_pairs_fit(&grid, grid.n_rows)) {
        status = RAD_OK;
        if (!count_unit_pairs(&grid, (const int (*)[3])offsets, &pairs))
            status = ri_fail(error, RAD_ERR_NO_MEMORY,
                             "glcm: out of memory for the pairs of %d grey levels", grid.n_rows);
    }
    if (status == RAD_OK) {
        memset(counts, 0, ng * ng * sizeof *counts);
        for (size_t a = 0; a < (size_t)grid.n_rows; a++)
            for (size_t b = 0; b < (size_t)grid.n_rows; b++)
                counts[((size_t)grid.row_level[a] - 1) * ng + (size_t)grid.row_level[b] - 1] =
                    pairs.cells[((a + 1) * pairs.width + b + 1) * UNIT_OFFSETS + (size_t)o];
    }
    free(pairs.cells);
    ri_level_grid_free(&grid);
    free(offsets);
    return status;
}

rad_status ri_glcm_counts(const ri_roi *roi, const int offset[3], uint32_t *counts,
                          rad_error *error)
{
    size_t n_box = roi->size[0] * roi->size[1] * roi->size[2];
    size_t ng = (size_t)roi->max_level;
    rad_status status = check_roi(roi, n_box, error);
    int *level_image;

    if (status != RAD_OK)
        return status;
    status = unit_counts_by_level(roi, offset, counts, error);
    if (status != RAD_ERR_UNSUPPORTED)
        return status;
    level_image = malloc(n_box * sizeof *level_image);
    if (level_image == NULL)
        return ri_fail(error, RAD_ERR_NO_MEMORY, "glcm: out of memory for %zu voxels", n_box);
    for (size_t v = 0; v < n_box; v++)
        level_image[v] = roi->mask[v] ? roi->levels[v] - 1 : -1;
    count_pairs(level_image, roi->size, offset, (int)ng, counts);
    free(level_image);
    return RAD_OK;
}

/*
 * Adds the features of each offset's normalised matrix to sums[] and
 * valid[] (NaN values skipped). Returns the number of offsets with a pair.
 */
static int accumulate_directions(const ri_settings *settings, const pair_source *source,
                                 int (*offsets)[3], int n_offsets, uint32_t *counts,
                                 glcm_work *w, double *sums, int *valid)
{
    int n = w->n;
    int n_used = 0;
    double f[CM_COUNT];

    for (int o = 0; o < n_offsets; o++) {
        size_t pairs;
        double total;

        if (ri_step_excluded_2d(settings, offsets[o]))
            continue;
        pairs = source_counts(source, offsets[o], o, n, counts);
        if (pairs == 0)
            continue;
        total = settings->symmetrical_glcm ? 2.0 * (double)pairs : (double)pairs;
        for (int a = 0; a < n; a++) {
            for (int b = 0; b < n; b++) {
                double c = counts[(size_t)a * n + b];

                if (settings->symmetrical_glcm)
                    c += counts[(size_t)b * n + a];
                w->p[a * n + b] = c / total;
            }
        }

        w->counts = counts;
        direction_features(w, f);
        w->counts = NULL;
        n_used++;
        for (int c = 0; c < CM_COUNT; c++) {
            if (!isnan(f[c])) {
                sums[c] += f[c];
                valid[c]++;
            }
        }
    }
    return n_used;
}

/*
 * weightingNorm: one matrix, sum over offsets of weight x symmetrised
 * counts, normalised to sum 1 (pyradiomics' order: symmetrise, weight, sum,
 * normalise). Writes its features to out; returns 0 when no offset has a pair.
 */
static int weighted_matrix(const ri_roi *roi, const ri_settings *settings,
                           const pair_source *source, int (*offsets)[3], int n_offsets,
                           uint32_t *counts, glcm_work *w, double *out)
{
    int n = w->n;
    double total = 0;

    for (int c = 0; c < n * n; c++)
        w->p[c] = 0;
    for (int o = 0; o < n_offsets; o++) {
        double weight;

        if (ri_step_excluded_2d(settings, offsets[o]))
            continue;
        if (source_counts(source, offsets[o], o, n, counts) == 0)
            continue;
        weight = ri_direction_weight(settings, roi->spacing, offsets[o], 1);
        for (int a = 0; a < n; a++) {
            for (int b = 0; b < n; b++) {
                double c = counts[(size_t)a * n + b];

                if (settings->symmetrical_glcm)
                    c += counts[(size_t)b * n + a];
                w->p[a * n + b] += weight * c;
            }
        }
    }
    for (int c = 0; c < n * n; c++)
        total += w->p[c];
    if (!(total > 0))
        return 0;
    for (int c = 0; c < n * n; c++)
        w->p[c] /= total;
    direction_features(w, out);
    return 1;
}

/*
 * Adds the (symmetrised) pair counts of offset in the box of the given size
 * to w->p, which contains raw counts until add_matrix_features normalises
 * them. Returns the number of counts added.
 */
static double add_offset_counts(const int *compact, const size_t size[3], const int offset[3],
                                uint32_t *counts, int symmetric, glcm_work *w)
{
    int n = w->n;
    size_t pairs = count_pairs(compact, size, offset, n, counts);

    if (pairs == 0)
        return 0.0;
    for (int a = 0; a < n; a++) {
        for (int b = 0; b < n; b++) {
            double c = counts[(size_t)a * n + b];

            if (symmetric)
                c += counts[(size_t)b * n + a];
            w->p[a * n + b] += c;
        }
    }
    return symmetric ? 2.0 * (double)pairs : (double)pairs;
}

/* Normalises the raw counts in w->p, whose sum is total, and adds the matrix's features to mean. */
static void add_matrix_features(glcm_work *w, double total, ri_feature_mean *mean, int *n_used)
{
    double f[CM_COUNT];

    if (!(total > 0))
        return;
    for (int c = 0; c < w->n * w->n; c++)
        w->p[c] /= total;
    direction_features(w, f);
    ri_feature_mean_add(mean, f);
    (*n_used)++;
}

static void clear_matrix(glcm_work *w)
{
    memset(w->p, 0, (size_t)w->n * (size_t)w->n * sizeof *w->p);
}

/*
 * Adds the features of the IBSI aggregation method (other than 3D_avg, see
 * the file comment) to mean. Returns the number of matrices with a pair.
 */
static int aggregate_methods(const ri_roi *roi, const ri_settings *settings,
                             ri_aggregation method, const int *compact, int (*offsets)[3],
                             int n_offsets, uint32_t *counts, glcm_work *w,
                             ri_feature_mean *mean)
{
    size_t plane = roi->size[0] * roi->size[1];
    size_t slice_size[3] = {roi->size[0], roi->size[1], 1};
    int symmetric = settings->symmetrical_glcm != 0;
    int n_used = 0;
    double total = 0.0;

    switch (method) {
    case RI_AGG_3D_COMB:
        clear_matrix(w);
        for (int o = 0; o < n_offsets; o++)
            total += add_offset_counts(compact, roi->size, offsets[o], counts, symmetric, w);
        add_matrix_features(w, total, mean, &n_used);
        break;
    case RI_AGG_2D_AVG:
        for (size_t z = 0; z < roi->size[2]; z++)
            for (int o = 0; o < n_offsets; o++) {
                if (offsets[o][2] != 0)
                    continue;
                clear_matrix(w);
                total = add_offset_counts(compact + z * plane, slice_size, offsets[o], counts,
                                          symmetric, w);
                add_matrix_features(w, total, mean, &n_used);
            }
        break;
    case RI_AGG_2D_COMB:
        for (size_t z = 0; z < roi->size[2]; z++) {
            clear_matrix(w);
            total = 0.0;
            for (int o = 0; o < n_offsets; o++)
                if (offsets[o][2] == 0)
                    total += add_offset_counts(compact + z * plane, slice_size, offsets[o],
                                               counts, symmetric, w);
            add_matrix_features(w, total, mean, &n_used);
        }
        break;
    case RI_AGG_2_5D_AVG:
        for (int o = 0; o < n_offsets; o++) {
            if (offsets[o][2] != 0)
                continue;
            clear_matrix(w);
            total = 0.0;
            for (size_t z = 0; z < roi->size[2]; z++)
                total += add_offset_counts(compact + z * plane, slice_size, offsets[o], counts,
                                           symmetric, w);
            add_matrix_features(w, total, mean, &n_used);
        }
        break;
    case RI_AGG_2_5D_COMB:
        clear_matrix(w);
        for (int o = 0; o < n_offsets; o++)
            if (offsets[o][2] == 0)
                for (size_t z = 0; z < roi->size[2]; z++)
                    total += add_offset_counts(compact + z * plane, slice_size, offsets[o],
                                               counts, symmetric, w);
        add_matrix_features(w, total, mean, &n_used);
        break;
    default:
        break;
    }
    return n_used;
}

/* Returns 1 when every distance is 1, the only distance of the joint pair table. */
static int unit_distances_only(const int *distances, int n_distances)
{
    for (int d = 0; d < n_distances; d++)
        if (distances[d] != 1)
            return 0;
    return 1;
}

/* Computes ri_glcm with an aggregation method. RI_AGG_3D_AVG is pyradiomics' computation. */
static rad_status glcm_compute(const ri_roi *roi, const ri_level_grid *grid,
                               const ri_settings *settings, ri_aggregation method, double *out,
                               rad_error *error)
{
    size_t n_box = roi->size[0] * roi->size[1] * roi->size[2];
    int default_distance = 1;
    const int *distances = settings->n_distances > 0 ? settings->distances : &default_distance;
    int n_distances = settings->n_distances > 0 ? settings->n_distances : 1;
    int *compact = NULL, *index_of = NULL;
    double *grey = NULL;
    uint32_t *counts = NULL;
    int (*offsets)[3] = NULL;
    double sums[CM_COUNT] = {0};
    int valid[CM_COUNT] = {0};
    ri_level_grid own_grid;
    unit_pairs unit = {NULL, 0, 0};
    pair_source source = {NULL, NULL, roi->size};
    glcm_work w;
    int n, n_offsets, n_used, with_mcc;
    rad_status status;

    memset(&w, 0, sizeof w);
    memset(&own_grid, 0, sizeof own_grid);
    for (int d = 0; d < n_distances; d++)
        if (distances[d] < 1 || distances[d] > RI_MAX_GLCM_DISTANCE)
            return ri_fail(error, RAD_ERR_PARAMETER,
                           "glcm: distance %d is invalid, expected 1..%d", distances[d],
                           RI_MAX_GLCM_DISTANCE);
    if (grid == NULL) {
        status = check_roi(roi, n_box, error);
        if (status != RAD_OK)
            return status;
    }
    n_offsets = ri_glcm_offsets(distances, n_distances, &offsets);
    if (n_offsets < 0)
        return ri_fail(error, RAD_ERR_NO_MEMORY, "glcm: out of memory for %d distances",
                       n_distances);

    /*
     * 3D_avg at distance 1 counts the pairs of all 13 offsets in one pass
     * over the padded level grid. The other cases count each offset over
     * the compact levels of the box.
     */
    if (method == RI_AGG_3D_AVG && unit_distances_only(distances, n_distances) &&
        n_offsets == UNIT_OFFSETS) {
        if (grid == NULL && ri_level_grid_build(roi, &own_grid, NULL) == RAD_OK)
            grid = &own_grid;
        if (grid != NULL && grid->n_rows <= MAX_GLCM_LEVELS && unit_pairs_fit(grid, grid->n_rows)) {
            if (!count_unit_pairs(grid, (const int (*)[3])offsets, &unit)) {
                status = ri_fail(error, RAD_ERR_NO_MEMORY,
                                 "glcm: out of memory for the pairs of %d grey levels",
                                 grid->n_rows);
                goto done;
            }
            source.unit = &unit;
        }
    }

    if (source.unit != NULL) {
        n = grid->n_rows;
        grey = malloc((size_t)n * sizeof *grey);
        if (grey == NULL) {
            status = ri_fail(error, RAD_ERR_NO_MEMORY, "glcm: out of memory for %d grey levels", n);
            goto done;
        }
        memcpy(grey, grid->row_level, (size_t)n * sizeof *grey);
    } else {
        if (grid != NULL && grid != &own_grid) {
            /* check_roi above ran only without a grid, so check a caller's grid here. */


            status = check_roi(roi, n_box, error);
            if (status != RAD_OK)
                goto done;
        }
        compact = malloc(n_box * sizeof *compact);
        index_of = malloc(((size_t)roi->max_level + 1) * sizeof *index_of);
        grey = malloc(((size_t)roi->max_level + 1) * sizeof *grey);
        if (compact == NULL || index_of == NULL || grey == NULL) {
            status = ri_fail(error, RAD_ERR_NO_MEMORY, "glcm: out of memory for %zu voxels", n_box);
            goto done;
        }
        n = compact_levels(roi, n_box, compact, index_of, grey);
        source.compact = compact;
    }
    if (n > MAX_GLCM_LEVELS) {
        status = ri_fail(error, RAD_ERR_TOO_LARGE,
                         "glcm: %d grey levels in the ROI, at most %d are supported "
                         "(increase binWidth)", n, MAX_GLCM_LEVELS);
        goto done;
    }
    counts = malloc((size_t)n * (size_t)n * sizeof *counts);
    /* Without an enabled list (settings from tests) every feature is computed. */
    with_mcc = settings->enabled[RI_CLASS_GLCM] == NULL || settings->enabled[RI_CLASS_GLCM][CM_MCC];
    if (counts == NULL || !work_alloc(&w, n, roi->max_level, with_mcc)) {
        status = ri_fail(error, RAD_ERR_NO_MEMORY,
                         "glcm: out of memory for a %d x %d matrix", n, n);
        goto done;
    }
    w.grey = grey;
    w.symmetric = settings->symmetrical_glcm != 0;

    if (method != RI_AGG_3D_AVG) {
        ri_feature_mean mean;

        ri_feature_mean_init(&mean, CM_COUNT);
        n_used = aggregate_methods(roi, settings, method, compact, offsets, n_offsets, counts,
                                   &w, &mean);
        ri_feature_mean_get(&mean, sums);
        for (int c = 0; c < CM_COUNT; c++)
            valid[c] = !isnan(sums[c]);
    } else if (settings->weighting_norm != RI_WEIGHTING_NONE) {
        double f[CM_COUNT];

        n_used = weighted_matrix(roi, settings, &source, offsets, n_offsets, counts, &w, f);
        for (int c = 0; c < CM_COUNT && n_used; c++) {
            sums[c] = f[c];
            valid[c] = !isnan(f[c]);
        }
    } else {
        n_used = accumulate_directions(settings, &source, offsets, n_offsets, counts, &w, sums,
                                       valid);
    }
    if (n_used == 0) {
        status = ri_fail(error, RAD_ERR_EMPTY_ROI,
                         "glcm: no pair of ROI voxels at the requested distances");
        goto done;
    }
    for (int c = 0; c < CM_COUNT; c++)
        out[c] = valid[c] > 0 ? sums[c] / valid[c] : NAN;
    status = RAD_OK;

done:
    work_free(&w);
    free(unit.cells);
    ri_level_grid_free(&own_grid);
    free(offsets);
    free(counts);
    free(grey);
    free(index_of);
    free(compact);
    return status;
}

rad_status ri_glcm(const ri_roi *roi, const ri_settings *settings, double *out,
                   rad_error *error)
{
    return glcm_compute(roi, NULL, settings, RI_AGG_3D_AVG, out, error);
}

rad_status ri_glcm_on_grid(const ri_roi *roi, const ri_level_grid *grid,
                           const ri_settings *settings, double *out, rad_error *error)
{
    return glcm_compute(roi, grid, settings, RI_AGG_3D_AVG, out, error);
}

rad_status ri_glcm_aggregated(const ri_roi *roi, const ri_settings *settings,
                              ri_aggregation method, double *out, rad_error *error)
{
    if ((unsigned)method >= RI_AGG_COUNT)
        return ri_fail(error, RAD_ERR_ARGUMENT, "glcm: aggregation method %d is invalid",
                       (int)method);
    return glcm_compute(roi, NULL, settings, method, out, error);
}
