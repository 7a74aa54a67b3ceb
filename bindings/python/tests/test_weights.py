"""Sample weights through Model.fit and CalciClassifier.fit.

References: scikit-learn's StandardScaler and LogisticRegression fitted with
the same sample_weight, and the identity that an integer weight equals
repeating the sample.
"""

import warnings

import numpy as np
import pytest

import calci

# Every feature kept in column order, so coefficients compare column by column.
ALL_FEATURES = {"pcc": None, "select": "all", "k": 4, "folds": 3}


def _cohort(n=40, seed=11):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    X[:, 3] = 10.0 + 5.0 * X[:, 3]
    # Noise SD 2 keeps the classes overlapping in every fold, so that the
    # unpenalised fit has a finite optimum.
    y = (X[:, 0] + 0.5 * X[:, 1] + 2.0 * rng.normal(size=n) > 0).astype(int)
    return X, y


def test_model_fit_matches_sklearn():
    pytest.importorskip("sklearn")
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    X, y = _cohort()
    w = np.random.default_rng(3).uniform(0.25, 3.0, size=len(y))
    w[[4, 17]] = 0.0
    dataset = calci.Dataset.from_arrays(X, y)
    model = calci.Model.fit(dataset, sample_weight=w, classifier="lr", C=0.5, **ALL_FEATURES)

    Z = StandardScaler().fit(X, sample_weight=w).transform(X)
    reference = LogisticRegression(C=0.5, solver="newton-cg", tol=1e-12, max_iter=100)
    # newton-cg reaches rounding level in a few iterations but its line
    # search never meets tol 1e-12, so max_iter bounds it and it warns.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference.fit(Z, y, sample_weight=w)
    expected = reference.predict_proba(Z)[:, 1]
    # Both fits converge to rounding level; 1e-6 absolute on probabilities.
    np.testing.assert_allclose(model.predict(dataset).probability, expected, rtol=0, atol=1e-6)


@pytest.mark.parametrize("classifier", ["lr", "lr_l1", "lr_none"])
def test_integer_weights_equal_repeated_samples(classifier):
    X, y = _cohort()
    w = np.arange(len(y)) // 2 % 4
    groups = np.arange(len(y))
    repeated = np.repeat(np.arange(len(y)), w)
    settings = dict(classifier=classifier, C=0.5, **ALL_FEATURES)

    weighted = calci.CalciClassifier(**settings).fit(X, y, groups=groups, sample_weight=w)
    copies = calci.CalciClassifier(**settings).fit(X[repeated], y[repeated],
                                                   groups=groups[repeated])
    # Same objective, Newton-type solvers: equal to 1e-8.
    np.testing.assert_allclose(weighted.model_.coefficients, copies.model_.coefficients,
                               rtol=0, atol=1e-8)
    assert weighted.model_.intercept == pytest.approx(copies.model_.intercept, abs=1e-8)


def test_weights_of_one_equal_no_weights():
    X, y = _cohort()
    unweighted = calci.CalciClassifier(classifier="svm").fit(X, y)
    ones = calci.CalciClassifier(classifier="svm").fit(X, y, sample_weight=np.ones(len(y)))
    np.testing.assert_array_equal(ones.decision_function(X), unweighted.decision_function(X))


def test_invalid_weights_rejected():
    X, y = _cohort()
    dataset = calci.Dataset.from_arrays(X, y)
    with pytest.raises(ValueError, match="sample_weight must have shape"):
        calci.Model.fit(dataset, sample_weight=np.ones(len(y) - 1))
    w = np.ones(len(y))
    w[6] = -1.0
    with pytest.raises(calci.ArgumentError, match="weight of case '6'"):
        calci.Model.fit(dataset, sample_weight=w)
    with pytest.raises(calci.DataError, match="positive class"):
        calci.Model.fit(dataset, sample_weight=np.where(y == 1, 0.0, 1.0))
