"""scikit-learn compatible classifier over :class:`calci.Model`.

When scikit-learn is importable, :class:`CalciClassifier` derives from
``BaseEstimator`` and ``ClassifierMixin`` (``score``, ``clone``, grid search
and pipelines work). Otherwise it is a plain class with the same methods.
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np
import numpy.typing as npt

from .model import Dataset, Model

try:
    from sklearn.base import BaseEstimator, ClassifierMixin
    from sklearn.utils.multiclass import check_classification_targets
    from sklearn.utils.validation import check_array, check_X_y

    HAVE_SKLEARN = True
except ImportError:  # scikit-learn is optional
    HAVE_SKLEARN = False

    class BaseEstimator:  # type: ignore[no-redef]
        """Stand-in providing get_params/set_params without scikit-learn."""

        _param_names: tuple[str, ...] = ()

        def get_params(self, deep: bool = True) -> dict[str, Any]:
            return {name: getattr(self, name) for name in self._param_names}

        def set_params(self, **params: Any) -> "BaseEstimator":
            for name, value in params.items():
                if name not in self._param_names:
                    raise ValueError(f"invalid parameter {name!r} for {type(self).__name__}; "
                                     f"valid parameters: {', '.join(self._param_names)}")
                setattr(self, name, value)
            return self

    class ClassifierMixin:  # type: ignore[no-redef]
        """Stand-in providing score() without scikit-learn."""

        def score(self, X: npt.ArrayLike, y: npt.ArrayLike) -> float:
            return float(np.mean(self.predict(X) == np.asarray(y)))  # type: ignore[attr-defined]

    def check_array(X: Any, **_: Any) -> np.ndarray:  # type: ignore[misc]
        values = np.asarray(X, dtype=np.float64)
        if values.ndim != 2:
            raise ValueError(f"Expected a 2-D array (n_samples, n_features), got shape "
                             f"{values.shape}; reshape your data")
        if not np.all(np.isfinite(values)):
            raise ValueError("X contains NaN or infinity")
        return values

    def check_X_y(X: Any, y: Any, **_: Any) -> tuple[np.ndarray, np.ndarray]:  # type: ignore[misc]
        values = check_array(X)
        target = np.asarray(y)
        if target.ndim != 1 or target.shape[0] != values.shape[0]:
            raise ValueError(f"y must be 1-D with {values.shape[0]} entries, got shape "
                             f"{target.shape}")
        return values, target

    def check_classification_targets(y: Any) -> None:  # type: ignore[misc]
        if np.asarray(y).dtype.kind == "f" and not np.all(np.mod(y, 1) == 0):
            raise ValueError("Unknown label type: continuous")


class CalciClassifier(ClassifierMixin, BaseEstimator):
    """Binary classifier: z-score, Pearson filter, Relief top-k, then LR or linear SVM.

    The feature count k is chosen by cross-validation grouped by patient
    (``groups`` in :meth:`fit`). Parameters mirror libcalci's model options.

    Parameters
    ----------
    classifier : {"lr", "svm"}
        L2 logistic regression or linear SVM (probabilities by Platt scaling).
    C : float
        Inverse regularisation strength (> 0).
    pcc : float or None
        Pearson filter threshold in (0, 1]; None disables the filter.
    select : {"relief", "all"}
        Feature ranking.
    k : int or None
        Number of features kept; None chooses it by cross-validation.
    k_max : int
        Largest k tried when `k` is None.
    k_rule : {"max", "1se"}
        Choice of k from the CV AUC curve.
    folds : int
        Cross-validation folds, stratified and grouped by patient.
    seed : int
        Seed of the fold assignment.

    Attributes
    ----------
    classes_ : ndarray of shape (2,)
        Class labels; ``classes_[1]`` is the positive class.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when `X` in :meth:`fit` was a DataFrame with string column names.
    model_ : Model
        The fitted libcalci model.
    """

    _param_names = ("classifier", "C", "pcc", "select", "k", "k_max", "k_rule", "folds", "seed")

    def __init__(self, classifier: str = "lr", C: float = 1.0, pcc: Optional[float] = 0.99,
                 select: str = "relief", k: Optional[int] = None, k_max: int = 20,
                 k_rule: str = "max", folds: int = 5, seed: int = 1) -> None:
        self.classifier = classifier
        self.C = C
        self.pcc = pcc
        self.select = select
        self.k = k
        self.k_max = k_max
        self.k_rule = k_rule
        self.folds = folds
        self.seed = seed

    def _more_tags(self) -> dict[str, Any]:
        return {"binary_only": True}

    def _feature_names(self, n_features: int) -> list[str]:
        return [f"x{j}" for j in range(n_features)]

    def _dataset(self, X: Any, labels: Optional[np.ndarray] = None,
                 groups: Optional[npt.ArrayLike] = None) -> Dataset:
        values = np.asarray(X, dtype=np.float64)
        n = values.shape[0]
        y = np.full(n, -1, dtype=np.intc) if labels is None else labels
        patients = None if groups is None else [str(g) for g in np.asarray(groups)]
        return Dataset.from_arrays(values, y, patient_ids=patients,
                                   feature_names=self._feature_names(values.shape[1]))

    def fit(self, X: npt.ArrayLike, y: npt.ArrayLike,
            groups: Optional[npt.ArrayLike] = None,
            sample_weight: Optional[npt.ArrayLike] = None) -> "CalciClassifier":
        """Fit the model.

        Parameters
        ----------
        X : array_like of shape (n_samples, n_features)
        y : array_like of shape (n_samples,)
            Two distinct class labels; the larger (after sorting) is positive.
        groups : array_like of shape (n_samples,), optional
            Patient of each sample; samples of one patient stay in one CV fold.
            Each sample is its own patient when omitted.
        sample_weight : array_like of shape (n_samples,), optional
            Weight of each sample (finite, >= 0), used by the z-score and the
            classifier as in :meth:`Model.fit`; feature selection ignores it.

        Returns
        -------
        CalciClassifier
            self

        Raises
        ------
        ValueError
            `y` does not hold exactly two classes.
        DataError
            NaN or infinite values, or too few patients of a class for `folds`.
        """
        if hasattr(X, "columns"):
            columns = np.asarray(X.columns, dtype=object)
            if all(isinstance(c, str) for c in columns):
                self.feature_names_in_ = columns
        values, target = check_X_y(X, y, dtype=np.float64, y_numeric=False)
        check_classification_targets(target)
        classes = np.unique(target)
        if classes.size != 2:
            raise ValueError(f"CalciClassifier is a binary classifier and needs exactly 2 "
                             f"classes in y, got {classes.size} class(es)")
        labels = (target == classes[1]).astype(np.intc)

        with self._dataset(values, labels, groups) as dataset:
            self.model_ = Model.fit(dataset, rows=np.arange(values.shape[0]),
                                    sample_weight=sample_weight, classifier=self.classifier,
                                    C=self.C, pcc=self.pcc, select=self.select, k=self.k,
                                    k_max=self.k_max, k_rule=self.k_rule, folds=self.folds,
                                    seed=self.seed)
        self.classes_ = classes
        self.n_features_in_ = values.shape[1]
        return self

    def _predict_raw(self, X: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        model = getattr(self, "model_", None)
        if model is None:
            try:
                from sklearn.exceptions import NotFittedError
            except ImportError:
                NotFittedError = AttributeError  # noqa: N806
            raise NotFittedError("CalciClassifier is not fitted yet; call fit first")
        values = check_array(X, dtype=np.float64)
        if values.shape[1] != self.n_features_in_:
            raise ValueError(f"X has {values.shape[1]} features, but CalciClassifier was "
                             f"fitted with {self.n_features_in_} features")
        with self._dataset(values) as dataset:
            result = model.predict(dataset)
        return result.probability, result.decision

    def decision_function(self, X: npt.ArrayLike) -> np.ndarray:
        """Return the linear decision value; positive means ``classes_[1]``."""
        return self._predict_raw(X)[1]

    def predict_proba(self, X: npt.ArrayLike) -> np.ndarray:
        """Return class probabilities, shape (n_samples, 2), columns as ``classes_``."""
        probability = self._predict_raw(X)[0]
        return np.column_stack([1.0 - probability, probability])

    def predict(self, X: npt.ArrayLike) -> np.ndarray:
        """Return ``classes_[1]`` where the decision value is > 0, else ``classes_[0]``."""
        decision = self.decision_function(X)
        return self.classes_[(decision > 0).astype(int)]
