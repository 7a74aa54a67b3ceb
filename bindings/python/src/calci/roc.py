"""ROC curves, AUC with DeLong confidence intervals and DeLong's paired test.

The conventions follow pROC: tied positive/negative pairs count one half,
``direction="auto"`` picks the direction from the class medians, and
thresholds are -Inf, +Inf and the midpoints between successive distinct
scores.
"""

from __future__ import annotations

import ctypes
from typing import Any, NamedTuple, Optional

import numpy as np
import numpy.typing as npt

from . import _lib
from .errors import calci_call

_calci = _lib.calci

_DIRECTIONS = {"auto": 0, "higher": 1, "<": 1, "lower": 2, ">": 2}
_DIRECTION_NAMES = {1: "<", 2: ">"}


class RocPoints(NamedTuple):
    """Curve points from sensitivity 1 to sensitivity 0, in pROC's order."""

    thresholds: np.ndarray
    sensitivity: np.ndarray
    specificity: np.ndarray


class DeLongTest(NamedTuple):
    """Result of DeLong's test for two paired ROC curves."""

    z: float
    p: float
    difference: float
    ci_low: float
    ci_high: float


def _labels_array(labels: npt.ArrayLike, positive: Any) -> np.ndarray:
    values = np.asarray(labels)
    if positive is not None:
        return np.where(values == positive, 1, 0).astype(np.intc)
    if values.dtype == bool:
        return values.astype(np.intc)
    if not np.issubdtype(values.dtype, np.number):
        raise ValueError(
            "labels must be numbers (1 positive, 0 negative, -1 unknown) or booleans; "
            "pass positive=<value> for other label types")
    as_int = values.astype(np.intc)
    if not np.array_equal(as_int, values):
        raise ValueError("labels must be whole numbers 1, 0 or -1")
    return as_int


class Roc:
    """ROC curve of scores against binary labels, owned by libcalci.

    Create one with :func:`roc`.
    """

    def __init__(self, handle: _lib.Handle) -> None:
        self._handle: Optional[_lib.Handle] = handle

    @property
    def ptr(self) -> int:
        """Address of the C ``calci_roc``; ValueError after :meth:`close`."""
        if self._handle is None:
            raise ValueError("operation on a closed Roc")
        return self._handle.ptr

    def close(self) -> None:
        """Release the C object."""
        self._handle = None

    def __enter__(self) -> "Roc":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    @property
    def auc(self) -> float:
        """Area under the curve."""
        return float(_calci.calci_roc_auc(self.ptr))

    @property
    def positives(self) -> int:
        """Number of positive cases used."""
        return int(_calci.calci_roc_positives(self.ptr))

    @property
    def negatives(self) -> int:
        """Number of negative cases used."""
        return int(_calci.calci_roc_negatives(self.ptr))

    @property
    def direction(self) -> str:
        """Direction used, in pROC's notation: ``"<"`` when positives score higher."""
        return _DIRECTION_NAMES[int(_calci.calci_roc_direction(self.ptr))]

    @property
    def variance(self) -> float:
        """DeLong variance of the AUC (NaN when a class has one case)."""
        return float(_calci.calci_roc_delong_variance(self.ptr))

    def ci(self, level: float = 0.95) -> tuple[float, float]:
        """Return the DeLong confidence interval of the AUC, clipped to [0, 1].

        Parameters
        ----------
        level : float
            Confidence level in (0, 1).

        Returns
        -------
        (float, float)
            Lower and upper bounds; NaN when the variance is NaN.
        """
        if not 0.0 < level < 1.0:
            raise ValueError(f"level must lie in (0, 1), got {level}")
        low, high = ctypes.c_double(), ctypes.c_double()
        _calci.calci_roc_ci_delong(self.ptr, float(level), ctypes.byref(low), ctypes.byref(high))
        return (low.value, high.value)

    @property
    def points(self) -> RocPoints:
        """Thresholds, sensitivities and specificities of the curve points."""
        ptr = self.ptr
        count = int(_calci.calci_roc_points(ptr))
        out = np.empty((3, count), dtype=np.float64)
        t, se, sp = ctypes.c_double(), ctypes.c_double(), ctypes.c_double()
        for i in range(count):
            _calci.calci_roc_point(ptr, i, ctypes.byref(t), ctypes.byref(se), ctypes.byref(sp))
            out[0, i], out[1, i], out[2, i] = t.value, se.value, sp.value
        return RocPoints(out[0], out[1], out[2])

    def threshold_for_sensitivity(self, target: float) -> float:
        """Return the threshold with the best specificity among sensitivity >= target.

        For a ``">"`` curve a case is positive when score <= threshold.
        """
        return float(_calci.calci_roc_threshold_for_sensitivity(self.ptr, float(target)))

    def threshold_for_specificity(self, target: float) -> float:
        """Return the threshold with the best sensitivity among specificity >= target."""
        return float(_calci.calci_roc_threshold_for_specificity(self.ptr, float(target)))

    def __repr__(self) -> str:
        if self._handle is None:
            return "<calci.Roc closed>"
        return (f"<calci.Roc auc={self.auc:.4f} positives={self.positives} "
                f"negatives={self.negatives} direction='{self.direction}'>")


def roc(labels: npt.ArrayLike, scores: npt.ArrayLike, direction: str = "auto",
        positive: Any = None) -> Roc:
    """Build the ROC curve of `scores` against `labels`.

    Parameters
    ----------
    labels : array_like
        1 (positive), 0 (negative) or -1 (skipped), or booleans; any values
        when `positive` is given.
    scores : array_like of float
        Scores; NaN entries are skipped.
    direction : {"auto", "<", ">", "higher", "lower"}
        ``"<"`` (``"higher"``): positives score higher; ``">"``
        (``"lower"``): positives score lower; ``"auto"``: pROC's rule from
        the class medians.
    positive : optional
        Label value of the positive class; every other value is negative.

    Returns
    -------
    Roc

    Raises
    ------
    DataError
        Either class is empty.
    ArgumentError
        A label other than -1, 0, 1.
    """
    if direction not in _DIRECTIONS:
        raise ValueError(f"direction must be one of {sorted(_DIRECTIONS)}, got {direction!r}")
    y = np.ascontiguousarray(_labels_array(labels, positive), dtype=np.intc)
    x = np.ascontiguousarray(scores, dtype=np.float64)
    if x.ndim != 1 or y.ndim != 1 or x.shape != y.shape:
        raise ValueError(f"labels and scores must be 1-D of equal length, got shapes "
                         f"{y.shape} and {x.shape}")
    ptr = ctypes.c_void_p()
    calci_call(_calci.calci_roc_create, x.ctypes.data_as(_lib.c_double_p),
               y.ctypes.data_as(_lib.c_int_p), x.size, _DIRECTIONS[direction],
               ctypes.byref(ptr))
    return Roc(_lib.Handle(ptr.value, _calci.calci_roc_free))


def delong_test(roc_a: Roc, roc_b: Roc, level: float = 0.95) -> DeLongTest:
    """Compare two paired ROC curves (same cases, same order) by DeLong's test.

    Parameters
    ----------
    roc_a, roc_b : Roc
    level : float
        Confidence level of the interval of the AUC difference.

    Returns
    -------
    DeLongTest
        z statistic, two-sided p-value, AUC difference (a - b) and its
        confidence interval (not clipped).

    Raises
    ------
    ArgumentError
        The curves differ in cases, or `level` is outside (0, 1).
    """
    z, p, low, high = (ctypes.c_double() for _ in range(4))
    calci_call(_calci.calci_roc_test_delong, roc_a.ptr, roc_b.ptr, float(level),
               ctypes.byref(z), ctypes.byref(p), ctypes.byref(low), ctypes.byref(high))
    return DeLongTest(z.value, p.value, roc_a.auc - roc_b.auc, low.value, high.value)
