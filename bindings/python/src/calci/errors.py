"""Exceptions raised for failed C calls.

Every failure of libradiomics or libcalci raises a :class:`CalciError`
subclass chosen by the status code. The exception carries the library's
status name (``"RAD_ERR_IO"``, ``"CALCI_ERR_DATA"``), the numeric status and
the detailed message the library recorded.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from . import _lib


class CalciError(Exception):
    """Failure reported by libradiomics or libcalci.

    Attributes
    ----------
    status : int
        Numeric status code (its value depends on `library`).
    status_name : str
        Constant name of the status, such as ``"CALCI_ERR_DATA"``.
    message : str
        Detailed message recorded by the library, or the generic description
        of the status when the library recorded none.
    library : str
        ``"radiomics"`` or ``"calci"``.
    """

    def __init__(self, message: str, status: int = 0, status_name: str = "",
                 library: str = "") -> None:
        Exception.__init__(self, message)
        self.message = message
        self.status = status
        self.status_name = status_name
        self.library = library

    def __str__(self) -> str:
        if self.status_name:
            return f"{self.status_name}: {self.message}"
        return self.message


class ArgumentError(CalciError, ValueError):
    """Invalid argument: NULL pointer, out-of-range index or number."""


class NoMemoryError(CalciError, MemoryError):
    """An allocation inside the library failed."""


class FileError(CalciError, OSError):
    """A file could not be opened, read or written."""

    def __init__(self, message: str, status: int = 0, status_name: str = "",
                 library: str = "") -> None:
        CalciError.__init__(self, message, status, status_name, library)


class FormatError(CalciError, ValueError):
    """A file is damaged or not in the expected format."""


class DataError(CalciError, ValueError):
    """The data cannot support the request (one class only, NaN values, ...)."""


class NotFoundError(CalciError, LookupError):
    """A required column or feature is missing."""


class NumericError(CalciError, ArithmeticError):
    """An iterative fit did not converge."""


class VersionError(CalciError):
    """A model file comes from a newer, incompatible version."""


class ParameterError(CalciError, ValueError):
    """Unknown parameter or option name, or an invalid value."""


class UnsupportedError(CalciError):
    """A valid file or option that this version does not handle."""


class GeometryError(CalciError, ValueError):
    """Image and mask grids differ beyond the tolerance."""


class EmptyRoiError(CalciError, ValueError):
    """The region of interest has no voxel."""


class NotFiniteError(CalciError, ValueError):
    """NaN or infinity inside the region of interest."""


class TooLargeError(CalciError, ValueError):
    """A size exceeds what the library accepts."""


class OutsideError(CalciError, ValueError):
    """A point or box lies outside the image."""


# Exception class by status name without the library prefix.
_BY_NAME: dict[str, type[CalciError]] = {
    "ERR_ARGUMENT": ArgumentError,
    "ERR_NO_MEMORY": NoMemoryError,
    "ERR_IO": FileError,
    "ERR_FORMAT": FormatError,
    "ERR_DATA": DataError,
    "ERR_NOT_FOUND": NotFoundError,
    "ERR_NUMERIC": NumericError,
    "ERR_VERSION": VersionError,
    "ERR_PARAMETER": ParameterError,
    "ERR_UNSUPPORTED": UnsupportedError,
    "ERR_GEOMETRY": GeometryError,
    "ERR_EMPTY_ROI": EmptyRoiError,
    "ERR_NOT_FINITE": NotFiniteError,
    "ERR_TOO_LARGE": TooLargeError,
    "ERR_OUTSIDE": OutsideError,
}


def _make(library: str, status: int, detail: Optional[str]) -> CalciError:
    lib = _lib.rad if library == "radiomics" else _lib.calci
    prefix = "rad" if library == "radiomics" else "calci"
    name = _lib.decode(getattr(lib, f"{prefix}_status_name")(status)) or str(status)
    generic = _lib.decode(getattr(lib, f"{prefix}_status_message")(status)) or ""
    short = name.split("_", 1)[1] if "_" in name else name
    cls = _BY_NAME.get(short, CalciError)
    return cls(detail or generic, status, name, library)


class _ErrorScope:
    """A C error object for one call, turned into an exception on failure."""

    def __init__(self, library: str) -> None:
        self.library = library
        if library == "radiomics":
            self._create: Callable[[], Any] = _lib.rad.rad_error_create
            self._free = _lib.rad.rad_error_free
            self._message = _lib.rad.rad_error_message
        else:
            self._create = _lib.calci.calci_error_create
            self._free = _lib.calci.calci_error_free
            self._message = _lib.calci.calci_error_message
        self.ptr: Any = None

    def __enter__(self) -> "_ErrorScope":
        self.ptr = self._create()
        if not self.ptr:
            raise MemoryError("calci: cannot allocate an error object")
        return self

    def __exit__(self, *exc: Any) -> None:
        self._free(self.ptr)
        self.ptr = None

    def check(self, status: int) -> None:
        """Raise the exception for `status` unless it is 0 (success)."""
        if status != 0:
            raise _make(self.library, status, _lib.decode(self._message(self.ptr)))


def rad_call(function: Callable[..., int], *args: Any) -> None:
    """Call a libradiomics function whose last argument is a ``rad_error *``."""
    with _ErrorScope("radiomics") as scope:
        scope.check(function(*args, scope.ptr))


def calci_call(function: Callable[..., int], *args: Any) -> None:
    """Call a libcalci function whose last argument is a ``calci_error *``."""
    with _ErrorScope("calci") as scope:
        scope.check(function(*args, scope.ptr))
