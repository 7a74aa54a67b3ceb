"""Python binding of libradiomics and libcalci (ctypes over the C ABI).

Read CT volumes, build box or label masks, extract pyradiomics-named
features, fit patient-grouped diagnostic models and report ROC statistics
with DeLong intervals and tests.

The shared libraries are found through ``CALCI_LIBRARY`` and
``RADIOMICS_LIBRARY`` when set, else through the dynamic loader's path. At
import the package checks that their major version is the one it expects.

Examples
--------
>>> import calci
>>> curve = calci.roc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
>>> round(curve.auc, 2)
0.75
"""

from ._lib import CALCI_VERSION, EXPECTED_MAJOR, RADIOMICS_VERSION
from .errors import (
    ArgumentError,
    CalciError,
    DataError,
    EmptyRoiError,
    FileError,
    FormatError,
    GeometryError,
    NoMemoryError,
    NotFiniteError,
    NotFoundError,
    NumericError,
    OutsideError,
    ParameterError,
    TooLargeError,
    UnsupportedError,
    VersionError,
)
from .estimator import CalciClassifier
from .model import Dataset, Model, Options, Prediction
from .roc import DeLongTest, Roc, RocPoints, delong_test, roc
from .volume import Features, Params, Volume, box_mask, check_geometry, extract

__version__ = "0.1.0"

__all__ = [
    "ArgumentError", "CALCI_VERSION", "CalciClassifier", "CalciError", "DataError", "Dataset",
    "DeLongTest", "EXPECTED_MAJOR", "EmptyRoiError", "Features", "FileError", "FormatError",
    "GeometryError", "Model", "NoMemoryError", "NotFiniteError", "NotFoundError",
    "NumericError", "Options", "OutsideError", "ParameterError", "Params", "Prediction",
    "RADIOMICS_VERSION", "Roc", "RocPoints", "TooLargeError", "UnsupportedError",
    "VersionError", "Volume", "box_mask", "check_geometry", "delong_test", "extract", "roc",
]
