"""CalciClassifier against scikit-learn's estimator contract.

The contract is checked with sklearn.utils.estimator_checks (scikit-learn's
own test suite for third-party estimators); outputs are checked to equal
those of calci.Model fitted on the same data.
"""

import pickle

import numpy as np
import pytest

import calci

sklearn = pytest.importorskip("sklearn")
from sklearn.base import clone  # noqa: E402
from sklearn.model_selection import GroupKFold, cross_val_score  # noqa: E402
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

# check_fit2d_1feature fits 10 samples with one or two cases of a class, fewer
# than the 2 per class that Relief needs in each cross-validation fold.
EXPECTED_FAILURES = {"check_fit2d_1feature"}


@parametrize_with_checks([calci.CalciClassifier(folds=2)])
def test_sklearn_estimator_checks(estimator, check):
    name = getattr(check, "func", check).__name__
    if name in EXPECTED_FAILURES:
        pytest.skip(f"{name}: data too small for patient-grouped cross-validation")
    check(estimator)


def _cohort(n=80, seed=4):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 6))
    y = np.where(X[:, 2] - X[:, 4] + rng.normal(size=n) > 0, "lesion", "control")
    groups = np.repeat(np.arange(n // 2), 2)
    return X, y, groups


def test_matches_model_outputs():
    X, y, groups = _cohort()
    estimator = calci.CalciClassifier(classifier="svm", C=0.5, k_max=4).fit(X, y, groups=groups)
    labels = (y == "lesion").astype(int)
    dataset = calci.Dataset.from_arrays(X, labels, patient_ids=[str(g) for g in groups],
                                        feature_names=[f"x{j}" for j in range(6)])
    model = calci.Model.fit(dataset, classifier="svm", C=0.5, k_max=4)
    expected = model.predict(dataset)
    np.testing.assert_array_equal(estimator.predict_proba(X)[:, 1], expected.probability)
    np.testing.assert_array_equal(estimator.decision_function(X), expected.decision)
    assert estimator.model_.feature_names == model.feature_names


def test_classes_and_predict_consistency():
    X, y, groups = _cohort()
    estimator = calci.CalciClassifier().fit(X, y, groups)
    np.testing.assert_array_equal(estimator.classes_, ["control", "lesion"])
    proba = estimator.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=0, atol=1e-15)
    predicted = estimator.predict(X)
    np.testing.assert_array_equal(predicted == "lesion", estimator.decision_function(X) > 0)
    assert estimator.score(X, y) == np.mean(predicted == y)


def test_clone_and_params_round_trip():
    estimator = calci.CalciClassifier(classifier="svm", C=2.0, pcc=None, k=3, seed=9)
    params = estimator.get_params()
    assert params == {"classifier": "svm", "C": 2.0, "pcc": None, "select": "relief", "k": 3,
                      "k_max": 20, "k_rule": "max", "folds": 5, "seed": 9}
    copy = clone(estimator)
    assert copy.get_params() == params
    copy.set_params(C=0.1, k=None)
    assert copy.C == 0.1
    assert estimator.C == 2.0
    with pytest.raises(ValueError):
        copy.set_params(gamma=1.0)


def test_grouped_cross_validation():
    X, y, groups = _cohort()
    scores = cross_val_score(calci.CalciClassifier(k=2), X, y, groups=groups,
                             cv=GroupKFold(n_splits=3), scoring="roc_auc")
    assert scores.shape == (3,)
    assert np.all((scores >= 0) & (scores <= 1))


def test_pickle_round_trip():
    X, y, groups = _cohort()
    estimator = calci.CalciClassifier().fit(X, y, groups)
    again = pickle.loads(pickle.dumps(estimator))
    np.testing.assert_allclose(again.predict_proba(X), estimator.predict_proba(X),
                               rtol=1e-14, atol=0)


def test_dataframe_feature_names():
    pd = pytest.importorskip("pandas")
    X, y, groups = _cohort()
    frame = pd.DataFrame(X, columns=[f"feature_{j}" for j in range(6)])
    estimator = calci.CalciClassifier(k=2).fit(frame, y, groups)
    assert list(estimator.feature_names_in_) == list(frame.columns)
    assert estimator.n_features_in_ == 6
    with pytest.raises(ValueError, match="features"):
        estimator.predict(X[:, :5])


def test_unfitted_predict_raises():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        calci.CalciClassifier().predict(np.zeros((2, 3)))
