/*
 * test_svm.c - linear SVM (SMO on the dual) and Platt scaling against
 * scikit-learn's SVC(kernel='linear', C=1), run at test time on its bundled
 * Wisconsin breast-cancer data (569 cases, 30 features, standardised).
 * The reference is fitted with tol=1e-9 so that libsvm's own stopping gap
 * does not blur the comparison: with the default 1e-3, scikit-learn 1.2.1's
 * coefficients on this data lie 0.999e-3 from its tol=1e-9 fit.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_internal.h"
#include "pyref.h"
#include "testutil.h"

static const char *const reference_script =
    "import sys, warnings, numpy as np\n"
    "warnings.simplefilter('ignore')\n"
    "from sklearn.datasets import load_breast_cancer\n"
    "from sklearn.preprocessing import StandardScaler\n"
    "from sklearn.svm import SVC\n"
    "out = sys.argv[1]\n"
    "d = load_breast_cancer()\n"
    "X = StandardScaler().fit_transform(d.data)\n"
    "y = d.target\n"
    "np.savetxt(out + '/x.txt', X, fmt='%.17g')\n"
    "np.savetxt(out + '/y.txt', y, fmt='%d')\n"
    "m = SVC(kernel='linear', C=1.0, tol=1e-9).fit(X, y)\n"
    "np.savetxt(out + '/f.txt', m.decision_function(X), fmt='%.17g')\n"
    "np.savetxt(out + '/w.txt', np.append(m.coef_[0], m.intercept_[0]), fmt='%.17g')\n";

static double correlation(const double *a, const double *b, size_t n)
{
    double ma = 0.0, mb = 0.0, sab = 0.0, saa = 0.0, sbb = 0.0;
    for (size_t i = 0; i < n; i++) {
        ma += a[i] / (double)n;
        mb += b[i] / (double)n;
    }
    for (size_t i = 0; i < n; i++) {
        sab += (a[i] - ma) * (b[i] - mb);
        saa += (a[i] - ma) * (a[i] - ma);
        sbb += (b[i] - mb) * (b[i] - mb);
    }
    return sab / sqrt(saa * sbb);
}

START_TEST(svm_matches_sklearn)
{
    const char *python = pyref_python("numpy sklearn", "linear SVM vs scikit-learn");
    if (python == NULL)
        return;
    const char *dir = test_temp_dir();
    ck_assert_int_eq(pyref_run(python, reference_script, dir), 0);

    size_t nx = 0, n = 0, nf = 0, nw = 0;
    double *x = pyref_read(dir, "x.txt", &nx);
    double *yv = pyref_read(dir, "y.txt", &n);
    double *expected_f = pyref_read(dir, "f.txt", &nf);
    double *expected_w = pyref_read(dir, "w.txt", &nw);
    ck_assert_ptr_nonnull(x);
    ck_assert_ptr_nonnull(yv);
    ck_assert_ptr_nonnull(expected_f);
    ck_assert_ptr_nonnull(expected_w);
    ck_assert_uint_eq(n, 569);
    ck_assert_uint_eq(nx, 569 * 30);
    ck_assert_uint_eq(nf, n);
    size_t p = nx / n;
    ck_assert_uint_eq(nw, p + 1);

    int *y = malloc(n * sizeof *y);
    for (size_t i = 0; i < n; i++)
        y[i] = (int)yv[i];
    double *w = malloc(p * sizeof *w), b = 0.0;
    double *f = malloc(n * sizeof *f);
    calci_error *error = calci_error_create();
    ck_assert_msg(ci_svm_fit(x, n, p, p, y, NULL, 1.0, w, &b, error) == CALCI_OK, "%s",
                  calci_error_message(error));

    for (size_t i = 0; i < n; i++) {
        f[i] = b;
        for (size_t j = 0; j < p; j++)
            f[i] += w[j] * x[i * p + j];
    }
    double r = correlation(f, expected_f, n);
    double max_coef = 0.0, max_f = 0.0;
    for (size_t j = 0; j < p; j++)
        max_coef = fmax(max_coef, fabs(w[j] - expected_w[j]));
    for (size_t i = 0; i < n; i++)
        max_f = fmax(max_f, fabs(f[i] - expected_f[i]));
    printf("svm: r(f, f_sklearn) = %.10f, max |w - w_sklearn| = %.3g, |b - b_sklearn| = %.3g, "
           "max |f - f_sklearn| = %.3g\n",
           r, max_coef, fabs(b - expected_w[p]), max_f);

    /* Tolerances from the task: correlation >= 0.9999, coefficients 1e-3. */
    ck_assert_double_ge(r, 0.9999);
    for (size_t j = 0; j < p; j++)
        ck_assert_double_eq_tol(w[j], expected_w[j], 1e-3);
    ck_assert_double_eq_tol(b, expected_w[p], 1e-3);

    free(x);
    free(yv);
    free(expected_f);
    free(expected_w);
    free(y);
    free(w);
    free(f);
    calci_error_free(error);
}
END_TEST

/* Hand case: x = (-1, 1) in one dimension, labels (0, 1), C = 10. The
 * maximum-margin separator is w = 1, b = 0 (margins exactly 1, both points
 * support vectors with a = 0.5 each, since w = sum a_i y_i x_i = 2a).
 * Tolerance 1e-9. */
START_TEST(svm_two_points)
{
    double x[] = {-1.0, 1.0}, w = 0.0, b = 1.0;
    int y[] = {0, 1};

    ck_assert_int_eq(ci_svm_fit(x, 2, 1, 1, y, NULL, 10.0, &w, &b, NULL), CALCI_OK);
    ck_assert_double_eq_tol(w, 1.0, 1e-9);
    ck_assert_double_eq_tol(b, 0.0, 1e-9);
}
END_TEST

/* Hand case with a bound constraint: same points, C = 0.25. The box caps
 * a_i at 0.25, so w = 2 * 0.25 = 0.5 and by symmetry b = 0. Tolerance 1e-12. */
START_TEST(svm_two_points_capped)
{
    double x[] = {-1.0, 1.0}, w = 0.0, b = 1.0;
    int y[] = {0, 1};

    ck_assert_int_eq(ci_svm_fit(x, 2, 1, 1, y, NULL, 0.25, &w, &b, NULL), CALCI_OK);
    ck_assert_double_eq_tol(w, 0.5, 1e-12);
    ck_assert_double_eq_tol(b, 0.0, 1e-12);
}
END_TEST

/* Platt scaling, hand case: decision values (-1, 1) with labels (0, 1).
 * Targets are lo = 1/3 and hi = 2/3 (one case per class). By symmetry B = 0,
 * and the fit reproduces the targets exactly: 1 / (1 + exp(A)) = 2/3, so
 * A = -log 2. Tolerance 1e-5 (the stopping gradient). */
START_TEST(platt_two_points)
{
    double f[] = {-1.0, 1.0}, a = 0.0, b = 1.0;
    int y[] = {0, 1};

    ck_assert_int_eq(ci_platt_fit(f, y, 2, &a, &b, NULL), CALCI_OK);
    ck_assert_double_eq_tol(a, -log(2.0), 1e-5);
    ck_assert_double_eq_tol(b, 0.0, 1e-5);
    ck_assert_double_eq_tol(ci_platt_score(1.0, a, b), 2.0 / 3.0, 1e-5);
}
END_TEST

START_TEST(svm_rejects_one_class)
{
    double x[] = {-1.0, 1.0}, w, b;
    int y[] = {1, 1};
    calci_error *error = calci_error_create();

    ck_assert_int_eq(ci_svm_fit(x, 2, 1, 1, y, NULL, 1.0, &w, &b, error), CALCI_ERR_DATA);
    ck_assert_ptr_nonnull(strstr(calci_error_message(error), "2 positive and 0 negative"));
    calci_error_free(error);
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("svm");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, svm_matches_sklearn);
    tcase_add_test(tc, svm_two_points);
    tcase_add_test(tc, svm_two_points_capped);
    tcase_add_test(tc, platt_two_points);
    tcase_add_test(tc, svm_rejects_one_class);
    suite_add_tcase(suite, tc);

    SRunner *runner = srunner_create(suite);
    srunner_set_fork_status(runner, CK_FORK);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
