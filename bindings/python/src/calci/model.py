"""Datasets of feature vectors and the fitted diagnostic models of libcalci."""

from __future__ import annotations

import ctypes
import math
import os
import tempfile
from collections.abc import Sequence
from typing import Any, NamedTuple, Optional, Union

import numpy as np
import numpy.typing as npt

from . import _lib
from .errors import calci_call

_calci = _lib.calci

PathLike = Union[str, "os.PathLike[str]"]

SPLIT_NONE, SPLIT_TRAIN, SPLIT_TEST = 0, 1, 2
_SPLIT_CODES = {"none": SPLIT_NONE, "": SPLIT_NONE, "train": SPLIT_TRAIN, "test": SPLIT_TEST}
_SPLIT_NAMES = {SPLIT_NONE: "none", SPLIT_TRAIN: "train", SPLIT_TEST: "test"}


def _split_code(value: Any) -> int:
    if isinstance(value, (int, np.integer)) and int(value) in _SPLIT_NAMES:
        return int(value)
    if isinstance(value, str) and value.lower() in _SPLIT_CODES:
        return _SPLIT_CODES[value.lower()]
    raise ValueError(f"split must be 'train', 'test' or 'none', got {value!r}")


def _weights_array(sample_weight: Optional[npt.ArrayLike], n_cases: int) -> Any:
    """Return sample weights as a contiguous float64 array of n_cases, or None."""
    if sample_weight is None:
        return None
    weights = np.ascontiguousarray(sample_weight, dtype=np.float64)
    if weights.shape != (n_cases,):
        raise ValueError(f"sample_weight must have shape ({n_cases},), one weight per case of "
                         f"the dataset, got {weights.shape}")
    return weights


def _declare_fit_weighted() -> Any:
    """Declare calci_model_fit_weighted's prototype on first use and return it."""
    function = _calci.calci_model_fit_weighted
    if not function.argtypes:
        _lib._declare(_calci, "calci_model_fit_weighted", ctypes.c_int, ctypes.c_void_p,
                      ctypes.c_void_p, _lib.c_size_t_p, ctypes.c_size_t, _lib.c_double_p,
                      _lib.c_void_pp, ctypes.c_void_p)
    return function


def _rows_array(rows: Optional[npt.ArrayLike], n_cases: int) -> tuple[Any, int, Any]:
    """Return (C pointer or None, count, keep-alive array) for a row selection."""
    if rows is None:
        return None, 0, None
    index = np.asarray(rows)
    if index.dtype == bool:
        if index.shape != (n_cases,):
            raise ValueError(f"boolean rows need {n_cases} entries, got {index.shape}")
        index = np.flatnonzero(index)
    index = np.ascontiguousarray(index, dtype=np.uintp)
    if index.ndim != 1:
        raise ValueError("rows must be 1-D")
    return index.ctypes.data_as(_lib.c_size_t_p), index.size, index


class Dataset:
    """Table of cases: ids, patient ids, labels, splits and feature values.

    Create one with :meth:`read_csv` or :meth:`from_arrays`.
    """

    def __init__(self, handle: _lib.Handle) -> None:
        self._handle: Optional[_lib.Handle] = handle

    @property
    def ptr(self) -> int:
        """Address of the C ``calci_dataset``; ValueError after :meth:`close`."""
        if self._handle is None:
            raise ValueError("operation on a closed Dataset")
        return self._handle.ptr

    def close(self) -> None:
        """Release the C object."""
        self._handle = None

    def __enter__(self) -> "Dataset":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    @classmethod
    def _adopt(cls, ptr: Any) -> "Dataset":
        return cls(_lib.Handle(ptr.value, _calci.calci_dataset_free))

    @classmethod
    def read_csv(cls, path: PathLike) -> "Dataset":
        """Read a CSV table in libcalci's dataset format.

        Columns ``case_id`` (else the first column), ``patient_id``,
        ``label``, ``split``, ``group`` and ``cmp_*`` are recognised; every
        other column is a numeric feature.

        Raises
        ------
        FileError, FormatError, DataError
        """
        ptr = ctypes.c_void_p()
        calci_call(_calci.calci_dataset_read_csv, _lib.encode(path), ctypes.byref(ptr))
        return cls._adopt(ptr)

    @classmethod
    def from_arrays(cls, X: npt.ArrayLike, labels: npt.ArrayLike,
                    case_ids: Optional[Sequence[Any]] = None,
                    patient_ids: Optional[Sequence[Any]] = None,
                    feature_names: Optional[Sequence[str]] = None,
                    splits: Optional[Sequence[Any]] = None,
                    groups: Optional[Sequence[Any]] = None,
                    comparators: Optional[npt.ArrayLike] = None,
                    comparator_names: Optional[Sequence[str]] = None) -> "Dataset":
        """Build a dataset from a feature matrix and per-case vectors.

        Parameters
        ----------
        X : array_like, shape (n_cases, n_features)
            Feature values (copied).
        labels : array_like of int, shape (n_cases,)
            1 (positive), 0 (negative) or -1 (unknown).
        case_ids : sequence, optional
            Unique case ids; ``"0"``, ``"1"``, ... when omitted.
        patient_ids : sequence, optional
            Patient of each case; the case id when omitted (one case per patient).
        feature_names : sequence of str, optional
            ``"f0"``, ``"f1"``, ... when omitted.
        splits : sequence of {"train", "test", "none"}, optional
            ``"none"`` for every case when omitted.
        groups : sequence of str, optional
        comparators : array_like, shape (n_cases, n_comparators), optional
            Scores of other tests; NaN where missing.
        comparator_names : sequence of str, optional
            Required with `comparators`.

        Returns
        -------
        Dataset

        Raises
        ------
        ArgumentError
            A duplicate or empty case id, or a label other than -1, 0, 1.
        """
        values = np.ascontiguousarray(X, dtype=np.float64)
        if values.ndim != 2:
            raise ValueError(f"X must be 2-D, got {values.ndim} dimensions")
        n_cases, n_features = values.shape
        y = np.asarray(labels)
        if y.shape != (n_cases,):
            raise ValueError(f"labels must have shape ({n_cases},), got {y.shape}")
        names = ([f"f{j}" for j in range(n_features)] if feature_names is None
                 else [str(n) for n in feature_names])
        if len(names) != n_features:
            raise ValueError(f"feature_names has {len(names)} names for {n_features} columns")
        ids = [str(i) for i in range(n_cases)] if case_ids is None else [str(c) for c in case_ids]
        # Lists by position: indexing a pandas Series with [i] would look up
        # index labels, which a sorted or filtered frame no longer numbers 0..n-1.
        patient_ids = None if patient_ids is None else [str(p) for p in patient_ids]
        groups = None if groups is None else [str(g) for g in groups]
        splits = None if splits is None else list(splits)
        cmp_values, cmp_names = None, []
        if comparators is not None:
            cmp_values = np.ascontiguousarray(comparators, dtype=np.float64)
            if cmp_values.ndim == 1:
                cmp_values = cmp_values.reshape(-1, 1)
            if comparator_names is None or len(comparator_names) != cmp_values.shape[1]:
                raise ValueError("comparator_names must name every comparator column")
            cmp_names = [str(n) for n in comparator_names]
        per_case = {"case_ids": ids, "patient_ids": patient_ids, "splits": splits,
                    "groups": groups, "comparators": cmp_values}
        for column_name, column in per_case.items():
            if column is not None and len(column) != n_cases:
                raise ValueError(f"{column_name} has {len(column)} entries for {n_cases} cases")

        c_names = (ctypes.c_char_p * max(n_features, 1))(*[_lib.encode(n) for n in names])
        c_cmp_names = (ctypes.c_char_p * max(len(cmp_names), 1))(
            *[_lib.encode(n) for n in cmp_names])
        ptr = ctypes.c_void_p()
        calci_call(_calci.calci_dataset_create, n_features, c_names, len(cmp_names),
                   c_cmp_names, ctypes.byref(ptr))
        dataset = cls._adopt(ptr)

        row_type = ctypes.c_double * max(n_features, 1)
        for i in range(n_cases):
            label = int(y[i])
            if label != y[i]:
                raise ValueError(f"label of case {ids[i]!r} must be 1, 0 or -1, got {y[i]!r}")
            patient = None if patient_ids is None else _lib.encode(patient_ids[i])
            group = None if groups is None else _lib.encode(groups[i])
            split = SPLIT_NONE if splits is None else _split_code(splits[i])
            row = values[i].ctypes.data_as(_lib.c_double_p) if n_features else row_type()
            cmp_row = None
            if cmp_values is not None:
                cmp_row = cmp_values[i].ctypes.data_as(_lib.c_double_p)
            calci_call(_calci.calci_dataset_add, dataset.ptr, _lib.encode(ids[i]), patient,
                       label, split, group, row, cmp_row)
        return dataset

    def write_csv(self, path: PathLike) -> None:
        """Write the dataset in the format :meth:`read_csv` reads."""
        calci_call(_calci.calci_dataset_write_csv, self.ptr, _lib.encode(path))

    @property
    def n_cases(self) -> int:
        """Number of cases."""
        return int(_calci.calci_dataset_cases(self.ptr))

    def __len__(self) -> int:
        return self.n_cases

    @property
    def n_features(self) -> int:
        """Number of feature columns."""
        return int(_calci.calci_dataset_features(self.ptr))

    def _strings(self, function: Any, count: int) -> list[Optional[str]]:
        ptr = self.ptr
        return [_lib.decode(function(ptr, i)) for i in range(count)]

    @property
    def feature_names(self) -> list[str]:
        """Feature column names."""
        return [str(n) for n in self._strings(_calci.calci_dataset_feature_name,
                                              self.n_features)]

    @property
    def comparator_names(self) -> list[str]:
        """Comparator column names (without the ``cmp_`` prefix of the CSV)."""
        count = int(_calci.calci_dataset_comparators(self.ptr))
        return [str(n) for n in self._strings(_calci.calci_dataset_comparator_name, count)]

    @property
    def case_ids(self) -> list[str]:
        """Case ids."""
        return [str(n) for n in self._strings(_calci.calci_dataset_case_id, self.n_cases)]

    @property
    def patient_ids(self) -> list[str]:
        """Patient id of each case."""
        return [str(n) for n in self._strings(_calci.calci_dataset_patient_id, self.n_cases)]

    @property
    def groups(self) -> list[Optional[str]]:
        """Group of each case, or None."""
        return self._strings(_calci.calci_dataset_group, self.n_cases)

    @property
    def labels(self) -> np.ndarray:
        """Labels (1, 0, -1) as an int array."""
        ptr = self.ptr
        return np.array([_calci.calci_dataset_label(ptr, i) for i in range(self.n_cases)],
                        dtype=np.intc)

    @property
    def splits(self) -> list[str]:
        """Split of each case: ``"train"``, ``"test"`` or ``"none"``."""
        ptr = self.ptr
        return [_SPLIT_NAMES[_calci.calci_dataset_split(ptr, i)] for i in range(self.n_cases)]

    @property
    def X(self) -> np.ndarray:
        """Feature matrix, shape (n_cases, n_features), as a new array."""
        ptr = self.ptr
        n, m = self.n_cases, self.n_features
        out = np.empty((n, m), dtype=np.float64)
        value = _calci.calci_dataset_value
        for i in range(n):
            for j in range(m):
                out[i, j] = value(ptr, i, j)
        return out

    @property
    def comparators(self) -> np.ndarray:
        """Comparator matrix, shape (n_cases, n_comparators), NaN where missing."""
        ptr = self.ptr
        n, m = self.n_cases, int(_calci.calci_dataset_comparators(ptr))
        out = np.empty((n, m), dtype=np.float64)
        for i in range(n):
            for j in range(m):
                out[i, j] = _calci.calci_dataset_comparator(ptr, i, j)
        return out

    def set_split(self, i: int, split: Any) -> None:
        """Assign case `i` to ``"train"``, ``"test"`` or ``"none"``."""
        calci_call(_calci.calci_dataset_set_split, self.ptr, int(i), _split_code(split))

    def split_by_patient(self, train_fraction: float = 0.7, seed: int = 1) -> None:
        """Assign unassigned cases to training or test by patient, stratified by label.

        Raises
        ------
        ArgumentError
            `train_fraction` outside (0, 1).
        DataError
            A patient already has cases on both sides.
        """
        calci_call(_calci.calci_split_by_patient, self.ptr, float(train_fraction), int(seed))

    def to_frame(self) -> Any:
        """Return the dataset as a pandas DataFrame indexed by case id (needs pandas)."""
        import pandas as pd

        frame = pd.DataFrame(self.X, columns=self.feature_names,
                             index=pd.Index(self.case_ids, name="case_id"))
        frame.insert(0, "patient_id", self.patient_ids)
        frame.insert(1, "label", self.labels)
        frame.insert(2, "split", self.splits)
        return frame

    def __repr__(self) -> str:
        if self._handle is None:
            return "<calci.Dataset closed>"
        return f"<calci.Dataset cases={self.n_cases} features={self.n_features}>"


class Options:
    """Model options of libcalci, set by name (see :meth:`Model.fit`)."""

    def __init__(self, **settings: Any) -> None:
        ptr = ctypes.c_void_p()
        calci_call(_calci.calci_options_create, ctypes.byref(ptr))
        self._handle: Optional[_lib.Handle] = _lib.Handle(ptr.value, _calci.calci_options_free)
        for key, value in settings.items():
            self.set(key, value)

    @property
    def ptr(self) -> int:
        """Address of the C ``calci_options``."""
        if self._handle is None:
            raise ValueError("operation on closed Options")
        return self._handle.ptr

    @staticmethod
    def _text(key: str, value: Any) -> str:
        if value is None:
            return "auto" if key == "k" else "none"
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, float):
            return repr(value)
        return str(value)

    def set(self, key: str, value: Any) -> "Options":
        """Set one option; None means ``"auto"`` for ``k`` and ``"none"`` otherwise.

        Raises
        ------
        ParameterError
            Unknown key or invalid value.
        """
        calci_call(_calci.calci_options_set, self.ptr, _lib.encode(key),
                   _lib.encode(self._text(key, value)))
        return self

    def get(self, key: str) -> str:
        """Return the current value of an option as text."""
        buf = ctypes.create_string_buffer(256)
        calci_call(_calci.calci_options_get, self.ptr, _lib.encode(key), buf, len(buf))
        return buf.value.decode("utf-8")


class Prediction(NamedTuple):
    """Model outputs for each scored case."""

    probability: np.ndarray
    decision: np.ndarray


class Model:
    """Fitted diagnostic model: z-score, Pearson filter, Relief top-k, LR or SVM.

    Create one with :meth:`fit` or :meth:`load`.
    """

    def __init__(self, handle: _lib.Handle) -> None:
        self._handle: Optional[_lib.Handle] = handle

    @property
    def ptr(self) -> int:
        """Address of the C ``calci_model``; ValueError after :meth:`close`."""
        if self._handle is None:
            raise ValueError("operation on a closed Model")
        return self._handle.ptr

    def close(self) -> None:
        """Release the C object."""
        self._handle = None

    def __enter__(self) -> "Model":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    @classmethod
    def fit(cls, dataset: Dataset, rows: Optional[npt.ArrayLike] = None,
            options: Optional[Options] = None, sample_weight: Optional[npt.ArrayLike] = None,
            **settings: Any) -> "Model":
        """Fit a model, choosing the feature count by patient-grouped cross-validation.

        Parameters
        ----------
        dataset : Dataset
        rows : array_like of int or bool, optional
            Cases to fit on. When omitted: the cases with split ``"train"``,
            or every case with a known label when no case is marked.
        options : Options, optional
            Base options; `settings` override them.
        sample_weight : array_like of float, shape (n_cases,), optional
            Weight of each case of `dataset` (finite, >= 0; only the fitted
            rows are read). It enters the z-score and the classifier, in the
            final fit and in every cross-validation fold, as scikit-learn's
            ``sample_weight`` does (SVM: per-case C_i = C w_i). The Pearson
            filter, the feature ranking, Platt scaling and the CV AUC stay
            unweighted. All 1 when omitted.
        **settings
            Option values by name: ``classifier`` ("lr" or "svm"), ``C``,
            ``pcc`` (None for no filter), ``select`` ("relief" or "all"),
            ``k`` (int, or None / "auto"), ``k_max``, ``k_rule`` ("max" or
            "1se"), ``folds``, ``seed``, ``sens_target``, ``spec_target``.

        Returns
        -------
        Model

        Raises
        ------
        ArgumentError
            A negative, NaN or infinite weight.
        DataError, NumericError, ParameterError
        """
        opts = Options()
        if options is not None:
            copied = _calci.calci_options_copy(options.ptr)
            if not copied:
                raise MemoryError("calci_options_copy failed")
            opts._handle = _lib.Handle(copied, _calci.calci_options_free)
        for key, value in settings.items():
            opts.set(key, value)

        if rows is None and SPLIT_TRAIN not in (
                _calci.calci_dataset_split(dataset.ptr, i) for i in range(dataset.n_cases)):
            rows = np.flatnonzero(dataset.labels >= 0)
        c_rows, n_rows, keep = _rows_array(rows, dataset.n_cases)
        weights = _weights_array(sample_weight, dataset.n_cases)
        ptr = ctypes.c_void_p()
        if weights is None:
            calci_call(_calci.calci_model_fit, opts.ptr, dataset.ptr, c_rows, n_rows,
                       ctypes.byref(ptr))
        else:
            calci_call(_declare_fit_weighted(), opts.ptr, dataset.ptr, c_rows, n_rows,
                       weights.ctypes.data_as(_lib.c_double_p), ctypes.byref(ptr))
        del keep, weights
        return cls(_lib.Handle(ptr.value, _calci.calci_model_free))

    def predict(self, dataset: Dataset, rows: Optional[npt.ArrayLike] = None) -> Prediction:
        """Score cases of `dataset`, matching features by name.

        Parameters
        ----------
        dataset : Dataset
        rows : array_like of int or bool, optional
            Cases to score; all when omitted.

        Returns
        -------
        Prediction
            Probability of the positive class and the linear decision value.

        Raises
        ------
        NotFoundError
            The dataset lacks a feature of the model.
        """
        c_rows, n_rows, keep = _rows_array(rows, dataset.n_cases)
        count = dataset.n_cases if rows is None else n_rows
        probability = np.empty(count, dtype=np.float64)
        decision = np.empty(count, dtype=np.float64)
        calci_call(_calci.calci_model_predict, self.ptr, dataset.ptr, c_rows, n_rows,
                   probability.ctypes.data_as(_lib.c_double_p),
                   decision.ctypes.data_as(_lib.c_double_p))
        del keep
        return Prediction(probability, decision)

    def save(self, path: PathLike) -> None:
        """Save the model as versioned text."""
        calci_call(_calci.calci_model_save, self.ptr, _lib.encode(path))

    @classmethod
    def load(cls, path: PathLike) -> "Model":
        """Load a model saved by :meth:`save` or the ``calci`` program.

        Raises
        ------
        FileError, FormatError, VersionError
        """
        ptr = ctypes.c_void_p()
        calci_call(_calci.calci_model_load, _lib.encode(path), ctypes.byref(ptr))
        return cls(_lib.Handle(ptr.value, _calci.calci_model_free))

    def __getstate__(self) -> dict[str, str]:
        """Return the model file text, so that models pickle (joblib, multiprocessing)."""
        with tempfile.TemporaryDirectory(prefix="calci-") as folder:
            path = os.path.join(folder, "model.txt")
            self.save(path)
            with open(path, encoding="utf-8") as handle:
                return {"model_text": handle.read()}

    def __setstate__(self, state: dict[str, str]) -> None:
        with tempfile.TemporaryDirectory(prefix="calci-") as folder:
            path = os.path.join(folder, "model.txt")
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(state["model_text"])
            ptr = ctypes.c_void_p()
            calci_call(_calci.calci_model_load, _lib.encode(path), ctypes.byref(ptr))
        self._handle = _lib.Handle(ptr.value, _calci.calci_model_free)

    @property
    def classifier(self) -> str:
        """``"lr"`` or ``"svm"``."""
        return str(_lib.decode(_calci.calci_model_classifier(self.ptr)))

    @property
    def feature_names(self) -> list[str]:
        """Names of the selected features."""
        ptr = self.ptr
        count = int(_calci.calci_model_feature_count(ptr))
        return [str(_lib.decode(_calci.calci_model_feature_name(ptr, i))) for i in range(count)]

    @property
    def coefficients(self) -> np.ndarray:
        """Coefficients of the selected features, on z-scored values."""
        ptr = self.ptr
        count = int(_calci.calci_model_feature_count(ptr))
        return np.array([_calci.calci_model_coefficient(ptr, i) for i in range(count)])

    @property
    def intercept(self) -> float:
        """Intercept of the linear decision function."""
        return float(_calci.calci_model_intercept(self.ptr))

    @property
    def cv_auc(self) -> float:
        """Pooled out-of-fold AUC of the chosen k (NaN for a loaded model without it)."""
        return float(_calci.calci_model_cv_auc(self.ptr))

    @property
    def cv_auc_by_k(self) -> np.ndarray:
        """CV AUC of k = 1 .. k_max at index k - 1; NaN where not evaluated."""
        ptr = self.ptr
        k_max = int(_calci.calci_model_cv_k_max(ptr))
        return np.array([_calci.calci_model_cv_auc_at(ptr, k) for k in range(1, k_max + 1)],
                        dtype=np.float64)

    @property
    def threshold_high_sensitivity(self) -> float:
        """Probability threshold of the high-sensitivity operating point."""
        return float(_calci.calci_model_threshold_high_sensitivity(self.ptr))

    @property
    def threshold_high_specificity(self) -> float:
        """Probability threshold of the high-specificity operating point."""
        return float(_calci.calci_model_threshold_high_specificity(self.ptr))

    def set_info(self, key: str, value: str) -> None:
        """Store one line of metadata under `key` ([A-Za-z0-9_.-]+) in the model."""
        calci_call(_calci.calci_model_set_info, self.ptr, _lib.encode(key), _lib.encode(value))

    def info(self, key: str) -> Optional[str]:
        """Return a metadata value, or None."""
        return _lib.decode(_calci.calci_model_info(self.ptr, _lib.encode(key)))

    def __repr__(self) -> str:
        if self._handle is None:
            return "<calci.Model closed>"
        cv = self.cv_auc
        cv_text = "nan" if math.isnan(cv) else f"{cv:.4f}"
        return (f"<calci.Model {self.classifier} features={len(self.feature_names)} "
                f"cv_auc={cv_text}>")
