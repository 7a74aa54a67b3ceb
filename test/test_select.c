/*
 * test_select.c - z-score, Pearson redundancy filter, classic Relief and
 * ReliefF on small matrices whose results are worked out by hand in the
 * comments, and the ANOVA F ranking against scikit-learn's f_classif.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "model_internal.h"
#include "pyref.h"
#include "testutil.h"

/* Column (1, 2, 3, 4): mean 2.5, population SD sqrt(((1.5^2 + 0.5^2) * 2) / 4)
 * = sqrt(1.25). Column (7, 7, 7, 7) is constant: SD reported as 1, flagged.
 * Tolerance 1e-15. */
START_TEST(zscore_population_sd)
{
    double x[] = {1, 7, 2, 7, 3, 7, 4, 7};
    double mean[2], sd[2], z[8];
    unsigned char constant[2];

    ck_assert_uint_eq(ci_zscore_fit(x, 4, 2, 2, mean, sd, constant), 1);
    ck_assert_double_eq_tol(mean[0], 2.5, 1e-15);
    ck_assert_double_eq_tol(sd[0], sqrt(1.25), 1e-15);
    ck_assert_int_eq(constant[0], 0);
    ck_assert_double_eq_tol(mean[1], 7.0, 1e-15);
    ck_assert_double_eq(sd[1], 1.0);
    ck_assert_int_eq(constant[1], 1);

    ci_zscore_apply(x, 4, 2, 2, mean, sd, z);
    ck_assert_double_eq_tol(z[0], -1.5 / sqrt(1.25), 1e-15);
    ck_assert_double_eq_tol(z[6], 1.5 / sqrt(1.25), 1e-15);
    ck_assert_double_eq(z[1], 0.0);
}
END_TEST

/*
 * Five columns over four cases:
 *   a = (1, 2, 3, 4), b = 2a, c = (1, -1, 1, -1), d = (4, 3, 2, 1), e = (1, 2, 3, 5).
 * Centred: a -> (-1.5, -0.5, 0.5, 1.5), |a|^2 = 5; c -> c, |c|^2 = 4;
 * e -> (-1.75, -0.75, 0.25, 2.25), |e|^2 = 8.75.
 *   r(a, b) = 1, r(a, d) = -1,
 *   r(a, c) = -2 / sqrt(5 * 4) = -0.447,
 *   r(a, e) = 6.5 / sqrt(5 * 8.75) = 0.98271,
 *   r(c, e) = -3 / sqrt(4 * 8.75) = -0.507.
 * Walking a, b, c, d, e: threshold 0.99 keeps a, c, e (b and d have |r| = 1
 * with a); threshold 0.98 also drops e.
 */
static const double pearson_x[] = {
    1, 2, 1, 4, 1, /* case 1: a b c d e */
    2, 4, -1, 3, 2, /* case 2 */
    3, 6, 1, 2, 3, /* case 3 */
    4, 8, -1, 1, 5, /* case 4 */
};

START_TEST(pearson_keeps_first_of_pair)
{
    size_t cols[] = {0, 1, 2, 3, 4}, kept[5], n_kept = 0;

    ck_assert_int_eq(ci_pearson_filter(pearson_x, 4, 5, cols, 5, 0.99, kept, &n_kept, NULL),
                     CALCI_OK);
    ck_assert_uint_eq(n_kept, 3);
    ck_assert_uint_eq(kept[0], 0);
    ck_assert_uint_eq(kept[1], 2);
    ck_assert_uint_eq(kept[2], 4);
}
END_TEST

START_TEST(pearson_threshold_098)
{
    size_t cols[] = {0, 1, 2, 3, 4}, kept[5], n_kept = 0;

    ck_assert_int_eq(ci_pearson_filter(pearson_x, 4, 5, cols, 5, 0.98, kept, &n_kept, NULL),
                     CALCI_OK);
    ck_assert_uint_eq(n_kept, 2);
    ck_assert_uint_eq(kept[0], 0);
    ck_assert_uint_eq(kept[1], 2);
}
END_TEST

/* Walking order decides which of a pair survives: b, a, e -> b kept, a
 * dropped (r = 1), e dropped (r(b, e) = r(a, e) = 0.98271 > 0.98). */
START_TEST(pearson_walk_order)
{
    size_t cols[] = {1, 0, 4}, kept[3], n_kept = 0;

    ck_assert_int_eq(ci_pearson_filter(pearson_x, 4, 5, cols, 3, 0.98, kept, &n_kept, NULL),
                     CALCI_OK);
    ck_assert_uint_eq(n_kept, 1);
    ck_assert_uint_eq(kept[0], 1);
}
END_TEST

/*
 * Relief, four cases, labels (1, 1, 0, 0), features
 *   case 0 (1, 1), case 1 (1, 2), case 2 (3, 1), case 3 (3, 2).
 * Column norms sqrt(20) and sqrt(10); squared unit-norm distances:
 *   d(0,1) = 0.1, d(0,2) = 0.2, d(0,3) = 0.3, d(1,2) = 0.3, d(1,3) = 0.2, d(2,3) = 0.1.
 * Every case: hit differs only in feature 2 by 1/sqrt(10) (0.1 squared), the
 * nearest miss only in feature 1 by 2/sqrt(20) (0.2 squared), so each case
 * adds (0.2, -0.1) and w = 4 (0.2, -0.1) / 4 = (0.2, -0.1). Rank: 1, 2.
 * Tolerance 1e-15.
 */
START_TEST(relief_hand_example)
{
    double x[] = {1, 1, 1, 2, 3, 1, 3, 2};
    int labels[] = {1, 1, 0, 0};
    size_t cols[] = {0, 1}, order[2];
    double w[2];

    ck_assert_int_eq(ci_relief(x, 4, 2, labels, cols, 2, w, order, NULL), CALCI_OK);
    ck_assert_double_eq_tol(w[0], 0.2, 1e-15);
    ck_assert_double_eq_tol(w[1], -0.1, 1e-15);
    ck_assert_uint_eq(order[0], 0);
    ck_assert_uint_eq(order[1], 1);
}
END_TEST

/* Same data with the columns given as (f2, f1, f1 again): distances double in
 * f1 but the nearest hits and misses stay the same, so w = (-0.1, 0.2, 0.2)
 * and the tie between positions 1 and 2 goes to the lower: order 1, 2, 0. */
START_TEST(relief_rank_tie_lower_wins)
{
    double x[] = {1, 1, 1, 2, 3, 1, 3, 2};
    int labels[] = {1, 1, 0, 0};
    size_t cols[] = {1, 0, 0}, order[3];
    double w[3];

    ck_assert_int_eq(ci_relief(x, 4, 2, labels, cols, 3, w, order, NULL), CALCI_OK);
    ck_assert_double_eq_tol(w[0], -0.1, 1e-15);
    ck_assert_double_eq_tol(w[1], 0.2, 1e-15);
    ck_assert_double_eq(w[1], w[2]);
    ck_assert_uint_eq(order[0], 1);
    ck_assert_uint_eq(order[1], 2);
    ck_assert_uint_eq(order[2], 0);
}
END_TEST

/*
 * Equidistant neighbours: labels (1, 1, 0, 0), features
 *   case 0 (2, 2), case 1 (5, 5), case 2 (3, 2), case 3 (2, 3),
 * both column norms sqrt(42), so work in raw units and divide by 42.
 *   case 0: hit 1 (diff (3, 3)); misses 2 and 3 both at distance 1, the
 *           lower index 2 wins (diff (1, 0)): adds (1 - 9, 0 - 9) = (-8, -9).
 *   case 1: hit 0 (3, 3); misses 2 and 3 both at 13, 2 wins (diff (2, 3)):
 *           adds (4 - 9, 9 - 9) = (-5, 0).
 *   case 2: hit 3 (diff (1, -1)); miss 0 at 1 (diff (1, 0)): adds (0, -1).
 *   case 3: hit 2 (diff (-1, 1)); miss 0 at 1 (diff (0, 1)): adds (-1, 0).
 * w = (-14, -10) / 42 / 4 = (-1/12, -5/84). Picking case 3 on the ties would
 * give (-10, -14) / 168 instead. Tolerance 1e-15.
 */
START_TEST(relief_neighbour_tie_lower_wins)
{
    double x[] = {2, 2, 5, 5, 3, 2, 2, 3};
    int labels[] = {1, 1, 0, 0};
    size_t cols[] = {0, 1}, order[2];
    double w[2];

    ck_assert_int_eq(ci_relief(x, 4, 2, labels, cols, 2, w, order, NULL), CALCI_OK);
    ck_assert_double_eq_tol(w[0], -1.0 / 12.0, 1e-15);
    ck_assert_double_eq_tol(w[1], -5.0 / 84.0, 1e-15);
    ck_assert_uint_eq(order[0], 0);
    ck_assert_uint_eq(order[1], 1);
}
END_TEST

START_TEST(relief_needs_two_per_class)
{
    double x[] = {1, 2, 3};
    int labels[] = {1, 0, 0};
    size_t cols[] = {0};

    ck_assert_int_eq(ci_relief(x, 3, 1, labels, cols, 1, NULL, NULL, NULL), CALCI_ERR_DATA);
}
END_TEST

/*
 * ReliefF hand example: cases (f0, f1, label) = (0, 0, 0), (1, 2, 0),
 * (2, 1, 1), (4, 2, 1). Ranges 4 and 2, so the normalised columns are
 * f0 = (0, .25, .5, 1), f1 = (0, 1, .5, 1) and the Manhattan distances
 * d01 = 1.25, d02 = 1, d03 = 2, d12 = .75, d13 = .75, d23 = 1.
 * With k = 10 each case has its only hit (k_h = 1) and both misses (k_m = 2):
 *   case 0: hit 1 (.25, 1), misses mean (.75, .75) -> (+.5, -.25)
 *   case 1: hit 0 (.25, 1), misses mean (.5, .25)  -> (+.25, -.75)
 *   case 2: hit 3 (.5, .5), misses mean (.375, .5) -> (-.125, 0)
 *   case 3: hit 2 (.5, .5), misses mean (.875, .5) -> (+.375, 0)
 * so w = (1, -1) / 4 = (0.25, -0.25). With k = 1 the nearest miss is taken,
 * case 1's tie d12 = d13 going to the lower row 2:
 *   case 0: miss 2 (.5, .5) -> (+.25, -.5);  case 1: miss 2 (.25, .5) -> (0, -.5)
 *   case 2: miss 1 (.25, .5) -> (-.25, 0);   case 3: miss 1 (.75, 0) -> (+.25, -.5)
 * so w = (.25, -1.5) / 4 = (0.0625, -0.375). Tolerance 1e-15.
 */
START_TEST(relieff_hand_example)
{
    double x[] = {0, 0, 1, 2, 2, 1, 4, 2};
    int labels[] = {0, 0, 1, 1};
    size_t cols[] = {0, 1}, order[2];
    double w[2];

    ck_assert_int_eq(ci_relieff(x, 4, 2, labels, cols, 2, 10, w, order, NULL), CALCI_OK);
    ck_assert_double_eq_tol(w[0], 0.25, 1e-15);
    ck_assert_double_eq_tol(w[1], -0.25, 1e-15);
    ck_assert_uint_eq(order[0], 0);
    ck_assert_uint_eq(order[1], 1);

    ck_assert_int_eq(ci_relieff(x, 4, 2, labels, cols, 2, 1, w, order, NULL), CALCI_OK);
    ck_assert_double_eq_tol(w[0], 0.0625, 1e-15);
    ck_assert_double_eq_tol(w[1], -0.375, 1e-15);
}
END_TEST

/* Ranking by signed weight: given as (f1, f0), the weights are (-0.25, 0.25)
 * and f0 (position 1) ranks first, although both have |w| = 0.25. */
START_TEST(relieff_ranks_signed_weight)
{
    double x[] = {0, 0, 1, 2, 2, 1, 4, 2};
    int labels[] = {0, 0, 1, 1};
    size_t cols[] = {1, 0}, order[2];

    ck_assert_int_eq(ci_relieff(x, 4, 2, labels, cols, 2, 10, NULL, order, NULL), CALCI_OK);
    ck_assert_uint_eq(order[0], 1);
    ck_assert_uint_eq(order[1], 0);
}
END_TEST

START_TEST(relieff_rejects_bad_input)
{
    double x[] = {1, 2, 3, 4};
    int labels[] = {1, 0, 0, 0};
    size_t cols[] = {0};

    ck_assert_int_eq(ci_relieff(x, 4, 1, labels, cols, 1, 10, NULL, NULL, NULL), CALCI_ERR_DATA);
    labels[1] = 1;
    ck_assert_int_eq(ci_relieff(x, 4, 1, labels, cols, 1, 0, NULL, NULL, NULL),
                     CALCI_ERR_ARGUMENT);
}
END_TEST

/* Hand example for ANOVA F: column (1, 2, 3 | 5, 6, 7), groups of 3 with
 * means 2 and 6, grand mean 4: SSB = 3 * 4 + 3 * 4 = 24, SSW = 2 + 2 = 4,
 * F = (24 / 1) / (4 / 4) = 24. Column (1, 1, 2 | 1, 1, 2) has equal group
 * means: F = 0. Column (3, 3, 3 | 4, 4, 4) is constant within groups: +inf.
 * Tolerance 1e-12. */
START_TEST(anova_hand_example)
{
    double x[] = {1, 1, 3, 2, 1, 3, 3, 2, 3, 5, 1, 4, 6, 1, 4, 7, 2, 4};
    int labels[] = {0, 0, 0, 1, 1, 1};
    size_t cols[] = {0, 1, 2}, order[3];
    double f[3];

    ck_assert_int_eq(ci_anova_f(x, 6, 3, labels, cols, 3, f, order, NULL), CALCI_OK);
    ck_assert_double_eq_tol(f[0], 24.0, 1e-12);
    ck_assert_double_eq_tol(f[1], 0.0, 1e-12);
    ck_assert(isinf(f[2]) && f[2] > 0);
    ck_assert_uint_eq(order[0], 2);
    ck_assert_uint_eq(order[1], 0);
    ck_assert_uint_eq(order[2], 1);
}
END_TEST

/* ANOVA F of the 30 raw breast-cancer columns against sklearn's f_classif,
 * relative tolerance 1e-10. */
static const char *const anova_script =
    "import sys, numpy as np\n"
    "from sklearn.datasets import load_breast_cancer\n"
    "from sklearn.feature_selection import f_classif\n"
    "out = sys.argv[1]\n"
    "d = load_breast_cancer()\n"
    "np.savetxt(out + '/x.txt', d.data, fmt='%.17g')\n"
    "np.savetxt(out + '/y.txt', d.target, fmt='%d')\n"
    "np.savetxt(out + '/f.txt', f_classif(d.data, d.target)[0], fmt='%.17g')\n";

START_TEST(anova_matches_sklearn)
{
    const char *python = pyref_python("numpy sklearn", "ANOVA F vs scikit-learn");
    if (python == NULL)
        return;
    const char *dir = test_temp_dir();
    ck_assert_int_eq(pyref_run(python, anova_script, dir), 0);
    size_t nx = 0, ny = 0, nf = 0;
    double *x = pyref_read(dir, "x.txt", &nx);
    double *yv = pyref_read(dir, "y.txt", &ny);
    double *expected = pyref_read(dir, "f.txt", &nf);
    ck_assert_ptr_nonnull(x);
    ck_assert_ptr_nonnull(yv);
    ck_assert_ptr_nonnull(expected);
    ck_assert_uint_eq(nf, 30);
    ck_assert_uint_eq(nx, ny * 30);

    int *y = malloc(ny * sizeof *y);
    size_t cols[30];
    double f[30];
    for (size_t i = 0; i < ny; i++)
        y[i] = (int)yv[i];
    for (size_t j = 0; j < 30; j++)
        cols[j] = j;
    ck_assert_int_eq(ci_anova_f(x, ny, 30, y, cols, 30, f, NULL, NULL), CALCI_OK);
    double max_rel = 0.0;
    for (size_t j = 0; j < 30; j++) {
        double rel = fabs(f[j] - expected[j]) / fabs(expected[j]);
        max_rel = fmax(max_rel, rel);
        ck_assert_msg(rel <= 1e-10, "F[%zu] = %.17g, sklearn %.17g", j, f[j], expected[j]);
    }
    printf("anova: max relative deviation from f_classif = %.3g\n", max_rel);
    free(x);
    free(yv);
    free(y);
    free(expected);
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("select");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, zscore_population_sd);
    tcase_add_test(tc, pearson_keeps_first_of_pair);
    tcase_add_test(tc, pearson_threshold_098);
    tcase_add_test(tc, pearson_walk_order);
    tcase_add_test(tc, relief_hand_example);
    tcase_add_test(tc, relief_rank_tie_lower_wins);
    tcase_add_test(tc, relief_neighbour_tie_lower_wins);
    tcase_add_test(tc, relief_needs_two_per_class);
    tcase_add_test(tc, relieff_hand_example);
    tcase_add_test(tc, relieff_ranks_signed_weight);
    tcase_add_test(tc, relieff_rejects_bad_input);
    tcase_add_test(tc, anova_hand_example);
    tcase_add_test(tc, anova_matches_sklearn);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(suite, tc);

    SRunner *runner = srunner_create(suite);
    srunner_set_fork_status(runner, CK_FORK);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
