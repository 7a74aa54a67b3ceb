"""Load libradiomics and libcalci and declare the C prototypes.

The libraries are searched in this order:

1. the file named by ``RADIOMICS_LIBRARY`` / ``CALCI_LIBRARY`` (a directory
   there means the library's soname inside it);
2. for libradiomics, the directory of ``CALCI_LIBRARY`` when only that is set;
3. the dynamic loader's normal path (``LD_LIBRARY_PATH``, ``ld.so.cache``).

libradiomics is loaded first with ``RTLD_GLOBAL``, so libcalci's dependency on
``libradiomics.so.0`` resolves to the same copy even when neither library is
on the loader path.
"""

from __future__ import annotations

import ctypes
import os
from ctypes import (
    POINTER,
    c_char_p,
    c_double,
    c_int,
    c_size_t,
    c_uint64,
    c_void_p,
)
from typing import Any, Optional

#: Major version of the C ABI this package is written against.
EXPECTED_MAJOR = 0

RADIOMICS_SONAME = "libradiomics.so.0"
CALCI_SONAME = "libcalci.so.0"

c_double_p = POINTER(c_double)
c_int_p = POINTER(c_int)
c_size_t_p = POINTER(c_size_t)
c_void_pp = POINTER(c_void_p)


def _candidate(variable: str, soname: str) -> Optional[str]:
    """Return the path named by an environment variable, or None when unset."""
    value = os.environ.get(variable)
    if not value:
        return None
    if os.path.isdir(value):
        return os.path.join(value, soname)
    return value


def _open(path: str, variable: Optional[str]) -> ctypes.CDLL:
    try:
        return ctypes.CDLL(path, mode=ctypes.RTLD_GLOBAL)
    except OSError as exc:
        where = f" (from {variable})" if variable else ""
        raise ImportError(
            f"calci: cannot load {path}{where}: {exc}. Build the C libraries with "
            f"`make libs` and set CALCI_LIBRARY and RADIOMICS_LIBRARY to their paths, "
            f"or install them where the dynamic loader finds them."
        ) from exc


def _load() -> tuple[ctypes.CDLL, ctypes.CDLL]:
    rad_path = _candidate("RADIOMICS_LIBRARY", RADIOMICS_SONAME)
    calci_path = _candidate("CALCI_LIBRARY", CALCI_SONAME)

    rad_variable: Optional[str] = "RADIOMICS_LIBRARY" if rad_path else None
    if rad_path is None and calci_path is not None:
        beside = os.path.join(os.path.dirname(os.path.abspath(calci_path)), RADIOMICS_SONAME)
        if os.path.exists(beside):
            rad_path, rad_variable = beside, "CALCI_LIBRARY's directory"
    rad = _open(rad_path or RADIOMICS_SONAME, rad_variable)
    calci = _open(calci_path or CALCI_SONAME, "CALCI_LIBRARY" if calci_path else None)
    return rad, calci


def _declare(lib: ctypes.CDLL, name: str, restype: Any, *argtypes: Any) -> None:
    function = getattr(lib, name)
    function.restype = restype
    function.argtypes = list(argtypes)


def _check_version(lib: ctypes.CDLL, prefix: str, libname: str) -> str:
    for part in ("major", "minor", "patch"):
        _declare(lib, f"{prefix}_version_{part}", c_int)
    _declare(lib, f"{prefix}_version_string", c_char_p)
    major = getattr(lib, f"{prefix}_version_major")()
    text = getattr(lib, f"{prefix}_version_string")().decode()
    if major != EXPECTED_MAJOR:
        raise ImportError(
            f"calci: {libname} version {text} has major version {major}, but this "
            f"package needs major version {EXPECTED_MAJOR}; install a matching "
            f"library or a matching calci package."
        )
    return text


def _declare_radiomics(lib: ctypes.CDLL) -> None:
    d = _declare
    d(lib, "rad_status_name", c_char_p, c_int)
    d(lib, "rad_status_message", c_char_p, c_int)
    d(lib, "rad_error_create", c_void_p)
    d(lib, "rad_error_free", None, c_void_p)
    d(lib, "rad_error_status", c_int, c_void_p)
    d(lib, "rad_error_message", c_char_p, c_void_p)

    d(lib, "rad_volume_create", c_int, c_size_t_p, c_double_p, c_double_p, c_double_p,
      c_void_pp, c_void_p)
    d(lib, "rad_volume_read", c_int, c_char_p, c_void_pp, c_void_p)
    d(lib, "rad_volume_write", c_int, c_void_p, c_char_p, c_void_p)
    d(lib, "rad_volume_free", None, c_void_p)
    d(lib, "rad_volume_size", None, c_void_p, c_size_t_p)
    d(lib, "rad_volume_spacing", None, c_void_p, c_double_p)
    d(lib, "rad_volume_origin", None, c_void_p, c_double_p)
    d(lib, "rad_volume_direction", None, c_void_p, c_double_p)
    d(lib, "rad_volume_data", c_void_p, c_void_p)
    d(lib, "rad_volume_data_mutable", c_void_p, c_void_p)
    d(lib, "rad_volume_index_to_world", None, c_void_p, c_double_p, c_double_p)
    d(lib, "rad_volume_world_to_index", None, c_void_p, c_double_p, c_double_p)

    d(lib, "rad_params_create", c_int, c_char_p, c_void_pp, c_void_p)
    d(lib, "rad_params_copy", c_void_p, c_void_p)
    d(lib, "rad_params_free", None, c_void_p)
    d(lib, "rad_params_set", c_int, c_void_p, c_char_p, c_char_p, c_void_p)
    d(lib, "rad_params_get", c_int, c_void_p, c_char_p, c_char_p, c_size_t, c_void_p)
    d(lib, "rad_params_enable_image_type", c_int, c_void_p, c_char_p, c_int, c_void_p)
    d(lib, "rad_params_enable_features", c_int, c_void_p, c_char_p, POINTER(c_char_p), c_int,
      c_void_p)
    d(lib, "rad_params_read", c_int, c_char_p, c_void_pp, c_void_p)

    d(lib, "rad_box_mask", c_int, c_void_p, c_void_p, c_double_p, c_double, c_void_pp,
      c_void_p)
    d(lib, "rad_check_geometry", c_int, c_void_p, c_void_p, c_double, c_void_p)

    d(lib, "rad_extract", c_int, c_void_p, c_void_p, c_void_p, c_void_pp, c_void_p)
    d(lib, "rad_features_free", None, c_void_p)
    d(lib, "rad_features_count", c_size_t, c_void_p)
    d(lib, "rad_features_name", c_char_p, c_void_p, c_size_t)
    d(lib, "rad_features_value", c_double, c_void_p, c_size_t)
    d(lib, "rad_features_min_grey_levels", c_int, c_void_p)
    d(lib, "rad_features_ibsi_tag", c_char_p, c_void_p, c_size_t)
    d(lib, "rad_features_ibsi_id", c_char_p, c_void_p, c_size_t)


def _declare_calci(lib: ctypes.CDLL) -> None:
    d = _declare
    d(lib, "calci_status_name", c_char_p, c_int)
    d(lib, "calci_status_message", c_char_p, c_int)
    d(lib, "calci_error_create", c_void_p)
    d(lib, "calci_error_free", None, c_void_p)
    d(lib, "calci_error_status", c_int, c_void_p)
    d(lib, "calci_error_message", c_char_p, c_void_p)

    d(lib, "calci_dataset_create", c_int, c_size_t, POINTER(c_char_p), c_size_t,
      POINTER(c_char_p), c_void_pp, c_void_p)
    d(lib, "calci_dataset_add", c_int, c_void_p, c_char_p, c_char_p, c_int, c_int, c_char_p,
      c_double_p, c_double_p, c_void_p)
    d(lib, "calci_dataset_read_csv", c_int, c_char_p, c_void_pp, c_void_p)
    d(lib, "calci_dataset_write_csv", c_int, c_void_p, c_char_p, c_void_p)
    d(lib, "calci_dataset_free", None, c_void_p)
    for name in ("cases", "features", "comparators"):
        d(lib, f"calci_dataset_{name}", c_size_t, c_void_p)
    for name in ("feature_name", "comparator_name", "case_id", "patient_id", "group"):
        d(lib, f"calci_dataset_{name}", c_char_p, c_void_p, c_size_t)
    d(lib, "calci_dataset_label", c_int, c_void_p, c_size_t)
    d(lib, "calci_dataset_split", c_int, c_void_p, c_size_t)
    d(lib, "calci_dataset_value", c_double, c_void_p, c_size_t, c_size_t)
    d(lib, "calci_dataset_comparator", c_double, c_void_p, c_size_t, c_size_t)
    d(lib, "calci_dataset_set_split", c_int, c_void_p, c_size_t, c_int, c_void_p)
    d(lib, "calci_split_by_patient", c_int, c_void_p, c_double, c_uint64, c_void_p)

    d(lib, "calci_options_create", c_int, c_void_pp, c_void_p)
    d(lib, "calci_options_copy", c_void_p, c_void_p)
    d(lib, "calci_options_free", None, c_void_p)
    d(lib, "calci_options_set", c_int, c_void_p, c_char_p, c_char_p, c_void_p)
    d(lib, "calci_options_get", c_int, c_void_p, c_char_p, c_char_p, c_size_t, c_void_p)

    d(lib, "calci_model_fit", c_int, c_void_p, c_void_p, c_size_t_p, c_size_t, c_void_pp,
      c_void_p)
    d(lib, "calci_model_free", None, c_void_p)
    d(lib, "calci_model_predict", c_int, c_void_p, c_void_p, c_size_t_p, c_size_t, c_double_p,
      c_double_p, c_void_p)
    d(lib, "calci_model_save", c_int, c_void_p, c_char_p, c_void_p)
    d(lib, "calci_model_load", c_int, c_char_p, c_void_pp, c_void_p)
    d(lib, "calci_model_classifier", c_char_p, c_void_p)
    d(lib, "calci_model_feature_count", c_size_t, c_void_p)
    d(lib, "calci_model_feature_name", c_char_p, c_void_p, c_size_t)
    d(lib, "calci_model_coefficient", c_double, c_void_p, c_size_t)
    d(lib, "calci_model_intercept", c_double, c_void_p)
    d(lib, "calci_model_cv_auc", c_double, c_void_p)
    d(lib, "calci_model_cv_k_max", c_size_t, c_void_p)
    d(lib, "calci_model_cv_auc_at", c_double, c_void_p, c_size_t)
    d(lib, "calci_model_threshold_high_sensitivity", c_double, c_void_p)
    d(lib, "calci_model_threshold_high_specificity", c_double, c_void_p)
    d(lib, "calci_model_set_info", c_int, c_void_p, c_char_p, c_char_p, c_void_p)
    d(lib, "calci_model_info", c_char_p, c_void_p, c_char_p)

    d(lib, "calci_roc_create", c_int, c_double_p, c_int_p, c_size_t, c_int, c_void_pp, c_void_p)
    d(lib, "calci_roc_free", None, c_void_p)
    d(lib, "calci_roc_positives", c_size_t, c_void_p)
    d(lib, "calci_roc_negatives", c_size_t, c_void_p)
    d(lib, "calci_roc_direction", c_int, c_void_p)
    d(lib, "calci_roc_auc", c_double, c_void_p)
    d(lib, "calci_roc_delong_variance", c_double, c_void_p)
    d(lib, "calci_roc_ci_delong", None, c_void_p, c_double, c_double_p, c_double_p)
    d(lib, "calci_roc_points", c_size_t, c_void_p)
    d(lib, "calci_roc_point", None, c_void_p, c_size_t, c_double_p, c_double_p, c_double_p)
    d(lib, "calci_roc_threshold_for_sensitivity", c_double, c_void_p, c_double)
    d(lib, "calci_roc_threshold_for_specificity", c_double, c_void_p, c_double)
    d(lib, "calci_roc_test_delong", c_int, c_void_p, c_void_p, c_double, c_double_p, c_double_p,
      c_double_p, c_double_p, c_void_p)


rad, calci = _load()
RADIOMICS_VERSION = _check_version(rad, "rad", "libradiomics")
CALCI_VERSION = _check_version(calci, "calci", "libcalci")
_declare_radiomics(rad)
_declare_calci(calci)


class Handle:
    """Owner of one C object, freed when the last Python reference goes.

    Wrapper classes and NumPy views of C-owned memory both refer to the
    handle, so closing a wrapper never frees memory a live view still uses.
    """

    __slots__ = ("ptr", "_free", "__weakref__")

    def __init__(self, ptr: int, free: Any) -> None:
        self.ptr = ptr
        self._free = free

    def __del__(self) -> None:
        ptr, self.ptr = self.ptr, None
        if ptr:
            self._free(ptr)


def encode(text: Any) -> bytes:
    """Encode a str, bytes or os.PathLike as a C string argument (UTF-8)."""
    if isinstance(text, os.PathLike):
        text = os.fspath(text)
    if isinstance(text, bytes):
        return text
    return str(text).encode("utf-8")


def decode(raw: Optional[bytes]) -> Optional[str]:
    return None if raw is None else raw.decode("utf-8", errors="replace")
