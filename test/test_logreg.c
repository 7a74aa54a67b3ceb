/*
 * test_logreg.c - L2, L1 and unpenalised logistic regression against
 * scikit-learn, run at test
 * time on its bundled Wisconsin breast-cancer data (569 cases, 30 features,
 * standardised with StandardScaler). The reference fit uses
 * solver='newton-cg', tol=1e-12, which converges fully (lbfgs stops short).
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_internal.h"
#include "pyref.h"
#include "testutil.h"

/* Writes x.txt (standardised features), y.txt (labels 0/1) and, for each
 * configuration, the sklearn probabilities, coefficients and intercept. */
static const char *const reference_script =
    "import sys, warnings, numpy as np\n"
    "warnings.simplefilter('ignore')\n"
    "from sklearn.datasets import load_breast_cancer\n"
    "from sklearn.preprocessing import StandardScaler\n"
    "from sklearn.linear_model import LogisticRegression\n"
    "out = sys.argv[1]\n"
    "d = load_breast_cancer()\n"
    "X = StandardScaler().fit_transform(d.data)\n"
    "y = d.target\n"
    "np.savetxt(out + '/x.txt', X, fmt='%.17g')\n"
    "np.savetxt(out + '/y.txt', y, fmt='%d')\n"
    "sw = 1.0 + (np.arange(len(y)) % 3)\n"
    "for name, C, w in (('plain', 1.0, None), ('weighted', 0.1, sw), ('strong', 100.0, None)):\n"
    "    m = LogisticRegression(penalty='l2', C=C, solver='newton-cg', tol=1e-12, max_iter=10000)\n"
    "    m.fit(X, y, sample_weight=w)\n"
    "    np.savetxt(out + '/p_' + name + '.txt', m.predict_proba(X)[:, 1], fmt='%.17g')\n"
    "    np.savetxt(out + '/w_' + name + '.txt', np.append(m.coef_[0], m.intercept_[0]), fmt='%.17g')\n"
    "for name, C, w in (('l1_plain', 0.1, None), ('l1_weighted', 0.05, sw)):\n"
    "    m = LogisticRegression(penalty='l1', C=C, solver='saga', tol=1e-12, max_iter=200000)\n"
    "    m.fit(X, y, sample_weight=w)\n"
    "    np.savetxt(out + '/w_' + name + '.txt', np.append(m.coef_[0], m.intercept_[0]), fmt='%.17g')\n"
    "m = LogisticRegression(penalty=None, solver='newton-cg', tol=1e-12, max_iter=10000)\n"
    "m.fit(X[:, [0, 1]], y, sample_weight=sw)\n"
    "np.savetxt(out + '/w_none.txt', np.append(m.coef_[0], m.intercept_[0]), fmt='%.17g')\n";

struct reference {
    const char *dir;
    double *x;
    int *y;
    size_t n, p;
};

/* Runs the script; returns 0 (after a SKIP line) when sklearn is missing. */
static int load_reference(struct reference *ref)
{
    const char *python = pyref_python("numpy sklearn", "logistic regression vs scikit-learn");
    if (python == NULL)
        return 0;
    ref->dir = test_temp_dir();
    ck_assert_int_eq(pyref_run(python, reference_script, ref->dir), 0);

    size_t nx = 0, ny = 0;
    ref->x = pyref_read(ref->dir, "x.txt", &nx);
    double *yv = pyref_read(ref->dir, "y.txt", &ny);
    ck_assert_ptr_nonnull(ref->x);
    ck_assert_ptr_nonnull(yv);
    ck_assert_uint_eq(ny, 569);
    ck_assert_uint_eq(nx, 569 * 30);
    ref->n = ny;
    ref->p = nx / ny;
    ref->y = malloc(ny * sizeof *ref->y);
    for (size_t i = 0; i < ny; i++)
        ref->y[i] = (int)yv[i];
    free(yv);
    return 1;
}

/* Fits one configuration and compares probabilities (1e-6 absolute, as the
 * task requires) and coefficients (1e-5 absolute). */
static void check_configuration(const struct reference *ref, const char *name, double C,
                                int weighted)
{
    char file[64];
    size_t count = 0;
    double *w = malloc(ref->p * sizeof *w), b = 0.0;
    double *sw = malloc(ref->n * sizeof *sw);
    for (size_t i = 0; i < ref->n; i++)
        sw[i] = 1.0 + (double)(i % 3);

    calci_error *error = calci_error_create();
    calci_status status = ci_logreg_fit(ref->x, ref->n, ref->p, ref->p, ref->y,
                                        weighted ? sw : NULL, C, w, &b, error);
    ck_assert_msg(status == CALCI_OK, "%s: %s", name, calci_error_message(error));

    snprintf(file, sizeof file, "p_%s.txt", name);
    double *expected_p = pyref_read(ref->dir, file, &count);
    ck_assert_ptr_nonnull(expected_p);
    ck_assert_uint_eq(count, ref->n);
    double max_dev = 0.0;
    for (size_t i = 0; i < ref->n; i++) {
        double f = b;
        for (size_t j = 0; j < ref->p; j++)
            f += w[j] * ref->x[i * ref->p + j];
        double dev = fabs(ci_logistic(f) - expected_p[i]);
        if (dev > max_dev)
            max_dev = dev;
    }
    printf("logreg %s: max |p - p_sklearn| = %.3g\n", name, max_dev);
    ck_assert_msg(max_dev <= 1e-6, "%s: probabilities differ by %g", name, max_dev);

    snprintf(file, sizeof file, "w_%s.txt", name);
    double *expected_w = pyref_read(ref->dir, file, &count);
    ck_assert_ptr_nonnull(expected_w);
    ck_assert_uint_eq(count, ref->p + 1);
    for (size_t j = 0; j < ref->p; j++)
        ck_assert_double_eq_tol(w[j], expected_w[j], 1e-5);
    ck_assert_double_eq_tol(b, expected_w[ref->p], 1e-5);

    free(expected_p);
    free(expected_w);
    free(w);
    free(sw);
    calci_error_free(error);
}

START_TEST(logreg_matches_sklearn)
{
    struct reference ref;
    if (!load_reference(&ref))
        return;
    check_configuration(&ref, "plain", 1.0, 0);
    check_configuration(&ref, "weighted", 0.1, 1);
    check_configuration(&ref, "strong", 100.0, 0);
    free(ref.x);
    free(ref.y);
}
END_TEST

/* Reads the sklearn coefficients and intercept of one configuration (count values). */
static double *read_coefficients(const struct reference *ref, const char *name, size_t count)
{
    char file[64];
    size_t found = 0;
    snprintf(file, sizeof file, "w_%s.txt", name);
    double *expected = pyref_read(ref->dir, file, &found);
    ck_assert_ptr_nonnull(expected);
    ck_assert_uint_eq(found, count);
    return expected;
}

/* L1 fit against LogisticRegression(penalty='l1', solver='saga', tol=1e-12):
 * coefficients and intercept within 1e-4 absolute (saga stops on a weight
 * change of 1e-12 per epoch, so its own error is far smaller), and the same
 * features set to exactly zero where sklearn's are below 1e-8. */
static void check_l1(const struct reference *ref, const char *name, double C, int weighted)
{
    double *w = malloc(ref->p * sizeof *w), b = 0.0;
    double *sw = malloc(ref->n * sizeof *sw);
    for (size_t i = 0; i < ref->n; i++)
        sw[i] = 1.0 + (double)(i % 3);
    calci_error *error = calci_error_create();
    calci_status status = ci_logreg_l1_fit(ref->x, ref->n, ref->p, ref->p, ref->y,
                                           weighted ? sw : NULL, C, w, &b, error);
    ck_assert_msg(status == CALCI_OK, "%s: %s", name, calci_error_message(error));

    double *expected = read_coefficients(ref, name, ref->p + 1);
    double max_dev = fabs(b - expected[ref->p]);
    for (size_t j = 0; j < ref->p; j++) {
        max_dev = fmax(max_dev, fabs(w[j] - expected[j]));
        ck_assert_double_eq_tol(w[j], expected[j], 1e-4);
        if (fabs(expected[j]) < 1e-8)
            ck_assert_msg(w[j] == 0.0, "%s: w[%zu] = %g, expected exactly 0", name, j, w[j]);
    }
    ck_assert_double_eq_tol(b, expected[ref->p], 1e-4);
    printf("logreg %s: max |coefficient - sklearn| = %.3g\n", name, max_dev);
    free(expected);
    free(w);
    free(sw);
    calci_error_free(error);
}

START_TEST(logreg_l1_matches_sklearn)
{
    struct reference ref;
    if (!load_reference(&ref))
        return;
    check_l1(&ref, "l1_plain", 0.1, 0);
    check_l1(&ref, "l1_weighted", 0.05, 1);
    free(ref.x);
    free(ref.y);
}
END_TEST

/* Unpenalised weighted fit on features 0 and 1 (not separable) against
 * LogisticRegression(penalty=None, solver='newton-cg', tol=1e-12): 1e-6. */
START_TEST(logreg_unpenalised_matches_sklearn)
{
    struct reference ref;
    if (!load_reference(&ref))
        return;
    double w[2], b = 0.0;
    double *sw = malloc(ref.n * sizeof *sw);
    for (size_t i = 0; i < ref.n; i++)
        sw[i] = 1.0 + (double)(i % 3);
    calci_error *error = calci_error_create();
    /* Columns 0 and 1 of the row-major table: leading dimension p. */
    calci_status status = ci_logreg_fit_unpenalised(ref.x, ref.n, 2, ref.p, ref.y, sw, w, &b,
                                                    error);
    ck_assert_msg(status == CALCI_OK, "%s", calci_error_message(error));
    double *expected = read_coefficients(&ref, "none", 3);
    ck_assert_double_eq_tol(w[0], expected[0], 1e-6);
    ck_assert_double_eq_tol(w[1], expected[1], 1e-6);
    ck_assert_double_eq_tol(b, expected[2], 1e-6);
    free(expected);
    free(sw);
    calci_error_free(error);
    free(ref.x);
    free(ref.y);
}
END_TEST

/* Perfect separation (x = -2, -1 for label 0; 1, 2 for label 1) and
 * quasi-separation (a tie at x = 0 with one case of each label on top):
 * no finite maximum exists, so the fit reports CALCI_ERR_DATA. */
START_TEST(logreg_unpenalised_separation)
{
    double x_perfect[] = {-2.0, -1.0, 1.0, 2.0};
    int y_perfect[] = {0, 0, 1, 1};
    double x_quasi[] = {-2.0, -1.0, 0.0, 0.0, 1.0, 2.0};
    int y_quasi[] = {0, 0, 0, 1, 1, 1};
    double w, b;
    calci_error *error = calci_error_create();

    ck_assert_int_eq(ci_logreg_fit_unpenalised(x_perfect, 4, 1, 1, y_perfect, NULL, &w, &b,
                                               error),
                     CALCI_ERR_DATA);
    ck_assert_ptr_nonnull(strstr(calci_error_message(error), "separated"));
    ck_assert_int_eq(ci_logreg_fit_unpenalised(x_quasi, 6, 1, 1, y_quasi, NULL, &w, &b, error),
                     CALCI_ERR_DATA);
    ck_assert_ptr_nonnull(strstr(calci_error_message(error), "separated"));
    calci_error_free(error);
}
END_TEST

/* Hand case for L1: one feature x = (-1, 1), labels (0, 1). By symmetry
 * b = 0, and for w > 0 the optimum solves 1 = 2 C / (1 + exp(w)), so
 * w = log(2 C - 1) when C > 1, and w = 0 when C <= 1 because the loss slope
 * at w = 0, C, does not exceed the penalty slope 1. Tolerances 1e-10. */
START_TEST(logreg_l1_two_points)
{
    double x[] = {-1.0, 1.0};
    int y[] = {0, 1};
    double w = 1.0, b = 1.0;

    ck_assert_int_eq(ci_logreg_l1_fit(x, 2, 1, 1, y, NULL, 2.0, &w, &b, NULL), CALCI_OK);
    ck_assert_double_eq_tol(b, 0.0, 1e-12);
    ck_assert_double_eq_tol(w, log(3.0), 1e-10);
    ck_assert_int_eq(ci_logreg_l1_fit(x, 2, 1, 1, y, NULL, 0.9, &w, &b, NULL), CALCI_OK);
    ck_assert(w == 0.0);
}
END_TEST

/* Hand case: one feature x = (-1, 1), labels (0, 1), C = 1. By symmetry b = 0
 * and the optimum solves w = 2 / (1 + exp(w)) (gradient w - 2 q = 0 with
 * q = 1 / (1 + exp(w))). Its root, from scipy.optimize.brentq, is
 * w = 0.6748316143; the fit is checked against the equation (1e-12) and the
 * root (1e-9). */
START_TEST(logreg_two_points)
{
    double x[] = {-1.0, 1.0};
    int y[] = {0, 1};
    double w = 0.0, b = 1.0;

    ck_assert_int_eq(ci_logreg_fit(x, 2, 1, 1, y, NULL, 1.0, &w, &b, NULL), CALCI_OK);
    ck_assert_double_eq_tol(b, 0.0, 1e-12);
    ck_assert_double_eq_tol(w, 2.0 / (1.0 + exp(w)), 1e-12);
    ck_assert_double_eq_tol(w, 0.674831614, 1e-9);
}
END_TEST

START_TEST(logreg_rejects_bad_c)
{
    double x[] = {-1.0, 1.0}, w, b;
    int y[] = {0, 1};
    calci_error *error = calci_error_create();

    ck_assert_int_eq(ci_logreg_fit(x, 2, 1, 1, y, NULL, 0.0, &w, &b, error), CALCI_ERR_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(calci_error_message(error), "C = 0"));
    calci_error_free(error);
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("logreg");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, logreg_matches_sklearn);
    tcase_add_test(tc, logreg_two_points);
    tcase_add_test(tc, logreg_rejects_bad_c);
    tcase_add_test(tc, logreg_l1_matches_sklearn);
    tcase_add_test(tc, logreg_unpenalised_matches_sklearn);
    tcase_add_test(tc, logreg_unpenalised_separation);
    tcase_add_test(tc, logreg_l1_two_points);
    suite_add_tcase(suite, tc);

    SRunner *runner = srunner_create(suite);
    srunner_set_fork_status(runner, CK_FORK);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
