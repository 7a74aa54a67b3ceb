/*
 * test_weights.c - calci_model_fit_weighted: sample weights in the z-score
 * and every classifier, in the final fit and inside cross-validation folds.
 *
 * References: scikit-learn run at test time (StandardScaler.fit and the
 * classifiers' fit with sample_weight), and two identities that hold for any
 * correct weighting: an integer weight equals repeating the case, and weight
 * 0 equals leaving the case out.
 *
 * Every fit keeps all four features in column order (pcc none, select all,
 * k = 4), so the model's coefficients are on the same weighted z-scored
 * columns as the reference's.
 */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calci.h"
#include "pyref.h"
#include "testutil.h"

#define N_CASES 48
#define N_FEATURES 4

/* ---- deterministic test data (splitmix64, Box-Muller) ---- */

static uint64_t test_state;

static uint64_t next_u64(void)
{
    uint64_t z = (test_state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static double uniform01(void)
{
    return ((double)(next_u64() >> 11) + 0.5) / 9007199254740992.0;
}

static double normal01(void)
{
    return sqrt(-2.0 * log(uniform01())) * cos(6.283185307179586 * uniform01());
}

/*
 * 24 positive and 24 negative cases, one per patient, 4 features: N(0, 1)
 * noise on all, plus 0.8 on features 0 and 1 and 0.4 on feature 2 in
 * positive cases (overlapping classes, so the unpenalised fit exists).
 * Feature 3 gets scale 5 and offset 10 so that the z-score matters.
 */
struct cohort {
    double x[N_CASES * N_FEATURES];
    int y[N_CASES];
};

static void make_cohort(struct cohort *c)
{
    test_state = 77;
    for (size_t i = 0; i < N_CASES; i++) {
        c->y[i] = i % 2 == 0;
        for (size_t j = 0; j < N_FEATURES; j++)
            c->x[i * N_FEATURES + j] = normal01();
        if (c->y[i]) {
            c->x[i * N_FEATURES + 0] += 0.8;
            c->x[i * N_FEATURES + 1] += 0.8;
            c->x[i * N_FEATURES + 2] += 0.4;
        }
        c->x[i * N_FEATURES + 3] = 10.0 + 5.0 * c->x[i * N_FEATURES + 3];
    }
}

/* Real-valued weights in [0.25, 3), with weight 0 on cases 5, 16, 27 and 38. */
static void real_weights(double *w)
{
    test_state = 991;
    for (size_t i = 0; i < N_CASES; i++)
        w[i] = i % 11 == 5 ? 0.0 : 0.25 + 2.75 * uniform01();
}

/* Integer weights 0, 1, 2, 3 in turn (each class gets every value). */
static void integer_weights(double *w)
{
    for (size_t i = 0; i < N_CASES; i++)
        w[i] = (double)((i / 2) % 4);
}

/*
 * Builds a dataset with case i repeated repeats[i] times (once each when
 * repeats is NULL); the copies share patient "P<i>" and are training cases.
 */
static calci_dataset *make_dataset(const struct cohort *c, const size_t *repeats)
{
    const char *names[N_FEATURES] = {"f0", "f1", "f2", "f3"};
    calci_dataset *d = NULL;
    ck_assert_int_eq(calci_dataset_create(N_FEATURES, names, 0, NULL, &d, NULL), CALCI_OK);
    for (size_t i = 0; i < N_CASES; i++) {
        size_t copies = repeats ? repeats[i] : 1;
        for (size_t r = 0; r < copies; r++) {
            char case_id[32], patient_id[32];
            snprintf(patient_id, sizeof patient_id, "P%zu", i);
            snprintf(case_id, sizeof case_id, "P%zu-%zu", i, r);
            ck_assert_int_eq(calci_dataset_add(d, case_id, patient_id, c->y[i],
                                               CALCI_SPLIT_TRAIN, NULL, c->x + i * N_FEATURES,
                                               NULL, NULL),
                             CALCI_OK);
        }
    }
    return d;
}

/* Options that keep every feature in column order: pcc none, select all, k = 4. */
static calci_options *make_options(const char *classifier, const char *C, const char *cv)
{
    calci_options *o = NULL;
    ck_assert_int_eq(calci_options_create(&o, NULL), CALCI_OK);
    ck_assert_int_eq(calci_options_set(o, "classifier", classifier, NULL), CALCI_OK);
    ck_assert_int_eq(calci_options_set(o, "C", C, NULL), CALCI_OK);
    ck_assert_int_eq(calci_options_set(o, "pcc", "none", NULL), CALCI_OK);
    ck_assert_int_eq(calci_options_set(o, "select", "all", NULL), CALCI_OK);
    ck_assert_int_eq(calci_options_set(o, "k", "4", NULL), CALCI_OK);
    ck_assert_int_eq(calci_options_set(o, "folds", "3", NULL), CALCI_OK);
    ck_assert_int_eq(calci_options_set(o, "cv", cv, NULL), CALCI_OK);
    return o;
}

/* Fits and asserts success, printing the library's message on failure. */
static calci_model *fit(const char *classifier, const char *C, const char *cv,
                        const calci_dataset *d, const double *weights)
{
    calci_options *o = make_options(classifier, C, cv);
    calci_error *error = calci_error_create();
    calci_model *m = NULL;
    calci_status status = calci_model_fit_weighted(o, d, NULL, 0, weights, &m, error);
    ck_assert_msg(status == CALCI_OK, "%s fit: %s", classifier, calci_error_message(error));
    ck_assert_uint_eq(calci_model_feature_count(m), N_FEATURES);
    for (size_t j = 0; j < N_FEATURES; j++) {
        char name[8];
        snprintf(name, sizeof name, "f%zu", j);
        ck_assert_str_eq(calci_model_feature_name(m, j), name);
    }
    calci_error_free(error);
    calci_options_free(o);
    return m;
}

/* ---- scikit-learn references ---- */

/*
 * Reads x.txt, y.txt and w.txt (real_weights). newton-cg reaches rounding
 * level within a few iterations but its line search never meets tol 1e-12
 * on this data. So max_iter 100 bounds the run time without changing the
 * result (an estimated 5 ms per fit with scikit-learn 1.2.1, from 0.53 s
 * for 10000 iterations). Each fit standardises with
 * StandardScaler().fit(X, sample_weight=w) and passes sample_weight=w to
 * the classifier. Writes probabilities (p_*), decision values (f_*) and
 * coefficients followed by the intercept (coef_*), and oof_lr.txt: the
 * probability of each case from the fit on all other cases with weight
 * (leave-one-out, the lopo folds of one-case patients).
 */
static const char *const reference_script =
    "import sys, warnings, numpy as np\n"
    "warnings.simplefilter('ignore')\n"
    "from sklearn.preprocessing import StandardScaler\n"
    "from sklearn.linear_model import LogisticRegression\n"
    "from sklearn.svm import SVC\n"
    "out = sys.argv[1]\n"
    "X = np.loadtxt(out + '/x.txt')\n"
    "y = np.loadtxt(out + '/y.txt').astype(int)\n"
    "w = np.loadtxt(out + '/w.txt')\n"
    "def zscore(train, sw):\n"
    "    return StandardScaler().fit(X[train], sample_weight=sw)\n"
    "def save(name, values):\n"
    "    np.savetxt(out + '/' + name + '.txt', np.ravel(values), fmt='%.17g')\n"
    "def lr(penalty, C, solver, tol, max_iter):\n"
    "    return LogisticRegression(penalty=penalty, C=C, solver=solver, tol=tol, max_iter=max_iter)\n"
    "allrows = np.arange(len(y))\n"
    "Z = zscore(allrows, w).transform(X)\n"
    "m = lr('l2', 0.5, 'newton-cg', 1e-12, 100).fit(Z, y, sample_weight=w)\n"
    "save('p_lr', m.predict_proba(Z)[:, 1])\n"
    "save('coef_lr', np.append(m.coef_[0], m.intercept_[0]))\n"
    "m = lr(None, 1.0, 'newton-cg', 1e-12, 100).fit(Z, y, sample_weight=w)\n"
    "save('p_none', m.predict_proba(Z)[:, 1])\n"
    "m = lr('l1', 0.2, 'saga', 1e-12, 200000).fit(Z, y, sample_weight=w)\n"
    "save('coef_l1', np.append(m.coef_[0], m.intercept_[0]))\n"
    "m = SVC(kernel='linear', C=0.5).fit(Z, y, sample_weight=w)\n"
    "save('f_svm', m.decision_function(Z))\n"
    "save('coef_svm', np.append(m.coef_[0], m.intercept_[0]))\n"
    "oof = np.empty(len(y))\n"
    "for i in allrows:\n"
    "    train = allrows != i\n"
    "    scaler = zscore(train, w[train])\n"
    "    m = lr('l2', 0.5, 'newton-cg', 1e-12, 100)\n"
    "    m.fit(scaler.transform(X[train]), y[train], sample_weight=w[train])\n"
    "    oof[i] = m.predict_proba(scaler.transform(X[[i]]))[0, 1]\n"
    "save('oof_lr', oof)\n";

struct reference {
    const char *dir;
    struct cohort cohort;
    double weights[N_CASES];
};

/* Reference folder written once by main before the tests fork: NULL when
 * scikit-learn is missing; reference_failed when the script failed. */
static const char *reference_dir;
static int reference_failed;

static void run_reference_script(void)
{
    struct cohort c;
    double w[N_CASES], labels[N_CASES];
    const char *python = pyref_python("numpy sklearn", "sample weights vs scikit-learn");
    if (python == NULL)
        return;
    make_cohort(&c);
    real_weights(w);
    for (size_t i = 0; i < N_CASES; i++)
        labels[i] = c.y[i];
    const char *dir = test_temp_dir();
    if (dir == NULL || pyref_write(dir, "x.txt", c.x, N_CASES, N_FEATURES) != 0 ||
        pyref_write(dir, "y.txt", labels, N_CASES, 1) != 0 ||
        pyref_write(dir, "w.txt", w, N_CASES, 1) != 0 ||
        pyref_run(python, reference_script, dir) != 0) {
        reference_failed = 1;
        return;
    }
    reference_dir = dir;
}

/* Fills ref; returns 0 when scikit-learn is missing (main printed SKIP). */
static int load_reference(struct reference *ref)
{
    ck_assert_msg(!reference_failed, "the scikit-learn reference script failed");
    if (reference_dir == NULL)
        return 0;
    ref->dir = reference_dir;
    make_cohort(&ref->cohort);
    real_weights(ref->weights);
    return 1;
}

static double *read_expected(const struct reference *ref, const char *name, size_t count)
{
    size_t found = 0;
    double *values = pyref_read(ref->dir, name, &found);
    ck_assert_ptr_nonnull(values);
    ck_assert_uint_eq(found, count);
    return values;
}

/* Predicts every case of d; scores and decision values go to the arrays. */
static void predict_all(const calci_model *m, const calci_dataset *d, double *scores,
                        double *decision)
{
    calci_error *error = calci_error_create();
    ck_assert_msg(calci_model_predict(m, d, NULL, 0, scores, decision, error) == CALCI_OK, "%s",
                  calci_error_message(error));
    calci_error_free(error);
}

/* Largest |a_i - b_i|. */
static double max_abs_diff(const double *a, const double *b, size_t n)
{
    double dev = 0.0;
    for (size_t i = 0; i < n; i++)
        dev = fmax(dev, fabs(a[i] - b[i]));
    return dev;
}

/* Coefficients of m followed by its intercept (N_FEATURES + 1 values). */
static void model_coefficients(const calci_model *m, double *out)
{
    for (size_t j = 0; j < N_FEATURES; j++)
        out[j] = calci_model_coefficient(m, j);
    out[N_FEATURES] = calci_model_intercept(m);
}

/* L2 logistic regression, C = 0.5, against LogisticRegression(newton-cg,
 * tol 1e-12): probabilities within 1e-6, coefficients within 1e-5. */
START_TEST(weighted_lr_matches_sklearn)
{
    struct reference ref;
    if (!load_reference(&ref))
        return;
    calci_dataset *d = make_dataset(&ref.cohort, NULL);
    calci_model *m = fit("lr", "0.5", "kfold", d, ref.weights);
    double p[N_CASES], f[N_CASES], coef[N_FEATURES + 1];
    predict_all(m, d, p, f);
    model_coefficients(m, coef);

    double *expected_p = read_expected(&ref, "p_lr.txt", N_CASES);
    double *expected_coef = read_expected(&ref, "coef_lr.txt", N_FEATURES + 1);
    double dev_p = max_abs_diff(p, expected_p, N_CASES);
    double dev_coef = max_abs_diff(coef, expected_coef, N_FEATURES + 1);
    printf("weighted lr: max |p - sklearn| = %.3g, max |coef - sklearn| = %.3g\n", dev_p,
           dev_coef);
    ck_assert_msg(dev_p <= 1e-6, "probabilities differ by %g", dev_p);
    ck_assert_msg(dev_coef <= 1e-5, "coefficients differ by %g", dev_coef);

    free(expected_p);
    free(expected_coef);
    calci_model_free(m);
    calci_dataset_free(d);
}
END_TEST

/* Unpenalised logistic regression against LogisticRegression(penalty=None,
 * newton-cg, tol 1e-12): probabilities within 1e-6. */
START_TEST(weighted_lr_none_matches_sklearn)
{
    struct reference ref;
    if (!load_reference(&ref))
        return;
    calci_dataset *d = make_dataset(&ref.cohort, NULL);
    calci_model *m = fit("lr_none", "1", "kfold", d, ref.weights);
    double p[N_CASES], f[N_CASES];
    predict_all(m, d, p, f);

    double *expected_p = read_expected(&ref, "p_none.txt", N_CASES);
    double dev_p = max_abs_diff(p, expected_p, N_CASES);
    printf("weighted lr_none: max |p - sklearn| = %.3g\n", dev_p);
    ck_assert_msg(dev_p <= 1e-6, "probabilities differ by %g", dev_p);

    free(expected_p);
    calci_model_free(m);
    calci_dataset_free(d);
}
END_TEST

/* L1 logistic regression, C = 0.2, against LogisticRegression(penalty='l1',
 * saga, tol 1e-12): coefficients and intercept within 1e-4 (saga's own
 * error at that tolerance is far smaller). */
START_TEST(weighted_lr_l1_matches_saga)
{
    struct reference ref;
    if (!load_reference(&ref))
        return;
    calci_dataset *d = make_dataset(&ref.cohort, NULL);
    calci_model *m = fit("lr_l1", "0.2", "kfold", d, ref.weights);
    double coef[N_FEATURES + 1];
    model_coefficients(m, coef);

    double *expected = read_expected(&ref, "coef_l1.txt", N_FEATURES + 1);
    double dev = max_abs_diff(coef, expected, N_FEATURES + 1);
    printf("weighted lr_l1: max |coef - saga| = %.3g\n", dev);
    for (size_t j = 0; j <= N_FEATURES; j++)
        ck_assert_double_eq_tol(coef[j], expected[j], 1e-4);

    free(expected);
    calci_model_free(m);
    calci_dataset_free(d);
}
END_TEST

/*
 * Linear SVM, C = 0.5, against SVC(kernel='linear').fit(sample_weight),
 * i.e. libsvm with C_i = C w_i. Both stop at libsvm's gap 1e-3, so the
 * decision values must correlate at >= 0.9999 and the coefficients agree
 * within 1e-3 absolute.
 */
START_TEST(weighted_svm_matches_sklearn)
{
    struct reference ref;
    if (!load_reference(&ref))
        return;
    calci_dataset *d = make_dataset(&ref.cohort, NULL);
    calci_model *m = fit("svm", "0.5", "kfold", d, ref.weights);
    double p[N_CASES], f[N_CASES], coef[N_FEATURES + 1];
    predict_all(m, d, p, f);
    model_coefficients(m, coef);

    double *expected_f = read_expected(&ref, "f_svm.txt", N_CASES);
    double *expected_coef = read_expected(&ref, "coef_svm.txt", N_FEATURES + 1);
    double mf = 0.0, me = 0.0, sff = 0.0, see = 0.0, sfe = 0.0;
    for (size_t i = 0; i < N_CASES; i++) {
        mf += f[i] / N_CASES;
        me += expected_f[i] / N_CASES;
    }
    for (size_t i = 0; i < N_CASES; i++) {
        sff += (f[i] - mf) * (f[i] - mf);
        see += (expected_f[i] - me) * (expected_f[i] - me);
        sfe += (f[i] - mf) * (expected_f[i] - me);
    }
    double r = sfe / sqrt(sff * see);
    double dev_coef = max_abs_diff(coef, expected_coef, N_FEATURES);
    printf("weighted svm: r(f, f_sklearn) = %.10f, max |w - w_sklearn| = %.3g, "
           "|b - b_sklearn| = %.3g\n",
           r, dev_coef, fabs(coef[N_FEATURES] - expected_coef[N_FEATURES]));
    ck_assert_double_ge(r, 0.9999);
    for (size_t j = 0; j < N_FEATURES; j++)
        ck_assert_double_eq_tol(coef[j], expected_coef[j], 1e-3);

    free(expected_f);
    free(expected_coef);
    calci_model_free(m);
    calci_dataset_free(d);
}
END_TEST

/*
 * Weights inside cross-validation folds: with cv = lopo and one case per
 * patient, each case's out-of-fold score comes from a fit on all other
 * cases. scikit-learn refits the weighted z-score and LogisticRegression on
 * the same training parts; scores within 1e-6.
 */
START_TEST(weighted_folds_match_sklearn)
{
    struct reference ref;
    if (!load_reference(&ref))
        return;
    calci_dataset *d = make_dataset(&ref.cohort, NULL);
    calci_model *m = fit("lr", "0.5", "lopo", d, ref.weights);
    double oof[N_CASES];
    ck_assert_uint_eq(calci_model_oof_count(m), N_CASES);
    ck_assert_int_eq(calci_model_oof_scores(m, oof, N_CASES, NULL), CALCI_OK);

    double *expected = read_expected(&ref, "oof_lr.txt", N_CASES);
    double dev = max_abs_diff(oof, expected, N_CASES);
    printf("weighted lr, leave-one-out: max |oof - sklearn| = %.3g\n", dev);
    ck_assert_msg(dev <= 1e-6, "out-of-fold scores differ by %g", dev);

    free(expected);
    calci_model_free(m);
    calci_dataset_free(d);
}
END_TEST

/* ---- identities ---- */

/*
 * Integer weights against a dataset with each case repeated that many times
 * (weight 0: left out). The objectives are the same function, so the
 * coefficients agree to the solver's tolerance: 1e-8 for the Newton-type
 * logistic fits, 1e-3 for the SVM, whose SMO stops at libsvm's gap 1e-3.
 * With cv = lopo the folds are the same patients in both datasets, so the
 * out-of-fold scores of the cases kept must agree too.
 */
static void check_repeats(const char *classifier, const char *C, double tol)
{
    struct cohort c;
    double w[N_CASES];
    size_t repeats[N_CASES];
    make_cohort(&c);
    integer_weights(w);
    for (size_t i = 0; i < N_CASES; i++)
        repeats[i] = (size_t)w[i];

    calci_dataset *weighted = make_dataset(&c, NULL);
    calci_dataset *repeated = make_dataset(&c, repeats);
    calci_model *mw = fit(classifier, C, "lopo", weighted, w);
    calci_model *mr = fit(classifier, C, "lopo", repeated, NULL);
    double cw[N_FEATURES + 1], cr[N_FEATURES + 1];
    model_coefficients(mw, cw);
    model_coefficients(mr, cr);
    double dev = max_abs_diff(cw, cr, N_FEATURES + 1);

    /* Out-of-fold scores: case i of the weighted dataset against the first
     * copy of case i in the repeated one. */
    size_t n_repeated = calci_model_oof_count(mr);
    double oof_w[N_CASES], *oof_r = malloc(n_repeated * sizeof *oof_r);
    ck_assert_int_eq(calci_model_oof_scores(mw, oof_w, N_CASES, NULL), CALCI_OK);
    ck_assert_int_eq(calci_model_oof_scores(mr, oof_r, n_repeated, NULL), CALCI_OK);
    double dev_oof = 0.0;
    size_t row = 0;
    for (size_t i = 0; i < N_CASES; i++) {
        if (repeats[i] > 0)
            dev_oof = fmax(dev_oof, fabs(oof_w[i] - oof_r[row]));
        row += repeats[i];
    }
    ck_assert_uint_eq(row, n_repeated);
    printf("%s: integer weights vs repeated cases: max |coef diff| = %.3g, max |oof diff| = "
           "%.3g\n",
           classifier, dev, dev_oof);
    for (size_t j = 0; j <= N_FEATURES; j++)
        ck_assert_double_eq_tol(cw[j], cr[j], tol);
    /* SVM scores pass through Platt scaling. It is unweighted, so it is fitted
     * on different cases in the two datasets and only logistic scores compare. */
    if (strcmp(classifier, "svm") != 0)
        ck_assert_msg(dev_oof <= tol, "out-of-fold scores differ by %g", dev_oof);

    free(oof_r);
    calci_model_free(mw);
    calci_model_free(mr);
    calci_dataset_free(weighted);
    calci_dataset_free(repeated);
}

START_TEST(integer_weights_equal_repeats_lr) { check_repeats("lr", "0.5", 1e-8); }
END_TEST
START_TEST(integer_weights_equal_repeats_lr_l1) { check_repeats("lr_l1", "0.2", 1e-8); }
END_TEST
START_TEST(integer_weights_equal_repeats_lr_none) { check_repeats("lr_none", "1", 1e-8); }
END_TEST
START_TEST(integer_weights_equal_repeats_svm) { check_repeats("svm", "0.5", 1e-3); }
END_TEST

/*
 * Weight 0 on cases 5, 16, 27 and 38 (weight 1 elsewhere) against the
 * dataset without them, for every classifier. A zero-weight case adds exact
 * zeros to every weighted sum and gets an empty SVM box, so the
 * coefficients agree within 1e-8.
 */
START_TEST(zero_weight_equals_dropping)
{
    static const char *const classifiers[][2] = {
        {"lr", "0.5"}, {"lr_l1", "0.2"}, {"lr_none", "1"}, {"svm", "0.5"}};
    struct cohort c;
    double w[N_CASES];
    size_t repeats[N_CASES];
    make_cohort(&c);
    for (size_t i = 0; i < N_CASES; i++) {
        w[i] = i % 11 == 5 ? 0.0 : 1.0;
        repeats[i] = (size_t)w[i];
    }
    calci_dataset *weighted = make_dataset(&c, NULL);
    calci_dataset *dropped = make_dataset(&c, repeats);

    for (size_t k = 0; k < 4; k++) {
        calci_model *mw = fit(classifiers[k][0], classifiers[k][1], "kfold", weighted, w);
        calci_model *md = fit(classifiers[k][0], classifiers[k][1], "kfold", dropped, NULL);
        double cw[N_FEATURES + 1], cd[N_FEATURES + 1];
        model_coefficients(mw, cw);
        model_coefficients(md, cd);
        printf("%s: weight 0 vs dropped cases: max |coef diff| = %.3g\n", classifiers[k][0],
               max_abs_diff(cw, cd, N_FEATURES + 1));
        for (size_t j = 0; j <= N_FEATURES; j++)
            ck_assert_double_eq_tol(cw[j], cd[j], 1e-8);
        calci_model_free(mw);
        calci_model_free(md);
    }
    calci_dataset_free(weighted);
    calci_dataset_free(dropped);
}
END_TEST

/* Weights of 1 give exactly the model of calci_model_fit (the same sums in
 * the same order), and NULL weights are calci_model_fit; with cv = nested
 * the outer fits receive the weights too and give the same nested AUC. */
START_TEST(unit_weights_equal_unweighted)
{
    struct cohort c;
    double ones[N_CASES];
    make_cohort(&c);
    for (size_t i = 0; i < N_CASES; i++)
        ones[i] = 1.0;
    calci_dataset *d = make_dataset(&c, NULL);
    calci_options *o = make_options("svm", "0.5", "kfold");
    calci_model *plain = NULL;
    ck_assert_int_eq(calci_model_fit(o, d, NULL, 0, &plain, NULL), CALCI_OK);
    calci_model *unit = fit("svm", "0.5", "kfold", d, ones);
    calci_model *null_weights = fit("svm", "0.5", "kfold", d, NULL);

    for (size_t j = 0; j < N_FEATURES; j++) {
        ck_assert_double_eq(calci_model_coefficient(unit, j), calci_model_coefficient(plain, j));
        ck_assert_double_eq(calci_model_coefficient(null_weights, j),
                            calci_model_coefficient(plain, j));
    }
    ck_assert_double_eq(calci_model_intercept(unit), calci_model_intercept(plain));
    ck_assert_double_eq(calci_model_cv_auc(unit), calci_model_cv_auc(plain));

    calci_model_free(plain);
    calci_model_free(unit);
    calci_model_free(null_weights);

    ck_assert_int_eq(calci_options_set(o, "cv", "nested", NULL), CALCI_OK);
    ck_assert_int_eq(calci_model_fit(o, d, NULL, 0, &plain, NULL), CALCI_OK);
    ck_assert_int_eq(calci_model_fit_weighted(o, d, NULL, 0, ones, &unit, NULL), CALCI_OK);
    ck_assert(!isnan(calci_model_cv_auc_nested(plain)));
    ck_assert_double_eq(calci_model_cv_auc_nested(unit), calci_model_cv_auc_nested(plain));
    calci_model_free(plain);
    calci_model_free(unit);
    calci_options_free(o);
    calci_dataset_free(d);
}
END_TEST

/* ---- invalid weights ---- */

/* Fits with w and expects status, with expected_text in the message. */
static void check_rejected(const calci_dataset *d, const char *cv, const double *w,
                           calci_status status, const char *expected_text)
{
    calci_options *o = make_options("lr", "1", cv);
    calci_error *error = calci_error_create();
    calci_model *m = NULL;
    ck_assert_int_eq(calci_model_fit_weighted(o, d, NULL, 0, w, &m, error), status);
    ck_assert_ptr_null(m);
    ck_assert_msg(strstr(calci_error_message(error), expected_text) != NULL,
                  "message '%s' lacks '%s'", calci_error_message(error), expected_text);
    calci_error_free(error);
    calci_options_free(o);
}

START_TEST(invalid_weights_rejected)
{
    struct cohort c;
    double w[N_CASES];
    make_cohort(&c);
    calci_dataset *d = make_dataset(&c, NULL);

    const double bad[] = {-0.5, NAN, INFINITY};
    for (size_t k = 0; k < 3; k++) {
        for (size_t i = 0; i < N_CASES; i++)
            w[i] = 1.0;
        w[7] = bad[k];
        check_rejected(d, "kfold", w, CALCI_ERR_ARGUMENT, "weight of case 'P7-0'");
    }

    /* Every positive case (even rows) at weight 0: no finite optimum. */
    for (size_t i = 0; i < N_CASES; i++)
        w[i] = c.y[i] ? 0.0 : 1.0;
    check_rejected(d, "kfold", w, CALCI_ERR_DATA, "the training set has total weight 0 on the positive class");

    /* One positive case with weight > 0: the leave-one-out fold that leaves
     * it out trains on positives of total weight 0. */
    w[0] = 1.0;
    check_rejected(d, "lopo", w, CALCI_ERR_DATA, "cross-validation fold 1");

    calci_dataset_free(d);
}
END_TEST

int main(void)
{
    run_reference_script();
    Suite *s = suite_create("weights");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, weighted_lr_matches_sklearn);
    tcase_add_test(tc, weighted_lr_none_matches_sklearn);
    tcase_add_test(tc, weighted_lr_l1_matches_saga);
    tcase_add_test(tc, weighted_svm_matches_sklearn);
    tcase_add_test(tc, weighted_folds_match_sklearn);
    tcase_add_test(tc, integer_weights_equal_repeats_lr);
    tcase_add_test(tc, integer_weights_equal_repeats_lr_l1);
    tcase_add_test(tc, integer_weights_equal_repeats_lr_none);
    tcase_add_test(tc, integer_weights_equal_repeats_svm);
    tcase_add_test(tc, zero_weight_equals_dropping);
    tcase_add_test(tc, unit_weights_equal_unweighted);
    tcase_add_test(tc, invalid_weights_rejected);
    suite_add_tcase(s, tc);

    SRunner *sr = srunner_create(s);
    srunner_set_fork_status(sr, CK_FORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
