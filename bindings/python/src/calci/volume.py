"""CT volumes, extraction parameters, box masks and feature extraction.

Axis order: NumPy arrays of voxels are indexed ``[k, j, i]`` (z, y, x), the
order of ``SimpleITK.GetArrayFromImage``, so that the C buffer (x fastest)
is the array's C-contiguous memory and no copy is needed to read it.
nibabel's ``get_fdata()`` is indexed ``[i, j, k]``: pass it with
``axes="xyz"`` or transpose it with ``.T``. Geometry (size, spacing, origin,
direction) is always given in (x, y, z) = (i, j, k) order, in NIfTI RAS
millimetres. SimpleITK reports LPS coordinates, so its origin and direction
need the signs of the x and y rows flipped.
"""

from __future__ import annotations

import ctypes
import os
from collections.abc import Iterable, Sequence
from typing import Any, Optional, Union

import numpy as np
import numpy.typing as npt

from . import _lib
from .errors import rad_call

PathLike = Union[str, "os.PathLike[str]"]

_rad = _lib.rad


class _BufferView:
    """NumPy array-interface exporter that keeps the owning handle alive."""

    def __init__(self, handle: _lib.Handle, address: int, shape: tuple[int, ...],
                 readonly: bool) -> None:
        self._handle = handle
        self.__array_interface__ = {
            "shape": shape,
            "typestr": "<f8",
            "data": (address, readonly),
            "version": 3,
        }


def _doubles(values: Iterable[float], count: int, argument: str) -> Any:
    items = [float(v) for v in values]
    if len(items) != count:
        raise ValueError(f"{argument} needs {count} numbers, got {len(items)}")
    return (ctypes.c_double * count)(*items)


class Volume:
    """A 3-D image or mask with its geometry, owned by libradiomics.

    Create one with :meth:`from_array`, :meth:`read` or :func:`box_mask`.
    The voxel memory is released when the volume and every array view of it
    are gone, or when :meth:`close` (or the end of a ``with`` block) drops the
    volume's reference while no view remains.
    """

    def __init__(self, handle: _lib.Handle) -> None:
        self._handle: Optional[_lib.Handle] = handle

    # -- construction -------------------------------------------------

    @classmethod
    def _adopt(cls, ptr: Any) -> "Volume":
        return cls(_lib.Handle(ptr.value, _rad.rad_volume_free))

    @classmethod
    def empty(cls, size: Sequence[int], spacing: Sequence[float] = (1.0, 1.0, 1.0),
              origin: Sequence[float] = (0.0, 0.0, 0.0),
              direction: Optional[npt.ArrayLike] = None) -> "Volume":
        """Create a volume of zeros.

        Parameters
        ----------
        size : sequence of 3 int
            Voxel counts along x, y and z.
        spacing : sequence of 3 float
            Voxel spacing in mm along x, y and z (all > 0).
        origin : sequence of 3 float
            World position (RAS mm) of the centre of voxel (0, 0, 0).
        direction : array_like, shape (3, 3), optional
            Matrix whose columns are the unit world directions of the i, j and
            k axes; identity when omitted.

        Returns
        -------
        Volume
        """
        c_size = (ctypes.c_size_t * 3)(*[int(n) for n in size])
        c_spacing = _doubles(spacing, 3, "spacing")
        c_origin = _doubles(origin, 3, "origin")
        c_direction = None
        if direction is not None:
            matrix = np.asarray(direction, dtype=np.float64)
            if matrix.shape != (3, 3):
                raise ValueError(f"direction must have shape (3, 3), got {matrix.shape}")
            c_direction = _doubles(matrix.ravel(), 9, "direction")
        ptr = ctypes.c_void_p()
        rad_call(_rad.rad_volume_create, c_size, c_spacing, c_origin, c_direction,
                 ctypes.byref(ptr))
        return cls._adopt(ptr)

    @classmethod
    def from_array(cls, array: npt.ArrayLike, spacing: Sequence[float] = (1.0, 1.0, 1.0),
                   origin: Sequence[float] = (0.0, 0.0, 0.0),
                   direction: Optional[npt.ArrayLike] = None, axes: str = "zyx") -> "Volume":
        """Create a volume holding a copy of a 3-D array.

        Parameters
        ----------
        array : array_like, 3-D
            Voxel values, indexed ``[z, y, x]`` (``axes="zyx"``, SimpleITK's
            order) or ``[x, y, z]`` (``axes="xyz"``, nibabel's order).
            Converted to float64 during the single copy into the C buffer.
        spacing, origin, direction
            Geometry in (x, y, z) order, as for :meth:`empty`.
        axes : {"zyx", "xyz"}
            Index order of `array`.

        Returns
        -------
        Volume

        Notes
        -----
        The C API offers no way to wrap memory it does not own, so the voxels
        are copied once.
        """
        data = np.asarray(array)
        if data.ndim != 3:
            raise ValueError(f"array must be 3-D, got {data.ndim} dimensions")
        if axes == "xyz":
            data = data.transpose()
        elif axes != "zyx":
            raise ValueError(f"axes must be 'zyx' or 'xyz', got {axes!r}")
        size = (data.shape[2], data.shape[1], data.shape[0])
        volume = cls.empty(size, spacing, origin, direction)
        volume.writable_array()[...] = data
        return volume

    @classmethod
    def read(cls, path: PathLike) -> "Volume":
        """Read a NIfTI-1/2 (.nii, .nii.gz) or NRRD (.nrrd, .nhdr) file.

        Raises
        ------
        FileError, FormatError, UnsupportedError, TooLargeError
        """
        ptr = ctypes.c_void_p()
        rad_call(_rad.rad_volume_read, _lib.encode(path), ctypes.byref(ptr))
        return cls._adopt(ptr)

    def write(self, path: PathLike) -> None:
        """Write the volume as NIfTI-1 with float32 voxels (.nii or .nii.gz)."""
        rad_call(_rad.rad_volume_write, self.ptr, _lib.encode(path))

    def copy(self) -> "Volume":
        """Return an independent copy with the same voxels and geometry."""
        return Volume.from_array(self.array, self.spacing, self.origin, self.direction)

    # -- lifetime -----------------------------------------------------

    @property
    def ptr(self) -> int:
        """Address of the C ``rad_volume``; ValueError after :meth:`close`."""
        if self._handle is None:
            raise ValueError("operation on a closed Volume")
        return self._handle.ptr

    def close(self) -> None:
        """Drop this volume's reference to the C object."""
        self._handle = None

    def __enter__(self) -> "Volume":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # -- geometry -----------------------------------------------------

    @property
    def size(self) -> tuple[int, int, int]:
        """Voxel counts along x, y and z."""
        out = (ctypes.c_size_t * 3)()
        _rad.rad_volume_size(self.ptr, out)
        return (int(out[0]), int(out[1]), int(out[2]))

    @property
    def shape(self) -> tuple[int, int, int]:
        """Shape of :attr:`array`: (z, y, x) voxel counts."""
        nx, ny, nz = self.size
        return (nz, ny, nx)

    def _vector(self, function: Any) -> tuple[float, float, float]:
        out = (ctypes.c_double * 3)()
        function(self.ptr, out)
        return (out[0], out[1], out[2])

    @property
    def spacing(self) -> tuple[float, float, float]:
        """Voxel spacing in mm along x, y and z."""
        return self._vector(_rad.rad_volume_spacing)

    @property
    def origin(self) -> tuple[float, float, float]:
        """World position (RAS mm) of the centre of voxel (0, 0, 0)."""
        return self._vector(_rad.rad_volume_origin)

    @property
    def direction(self) -> np.ndarray:
        """3x3 matrix whose columns are the world directions of i, j and k."""
        out = (ctypes.c_double * 9)()
        _rad.rad_volume_direction(self.ptr, out)
        return np.array(out[:], dtype=np.float64).reshape(3, 3)

    @property
    def affine(self) -> np.ndarray:
        """4x4 voxel-to-RAS matrix, as nibabel's ``img.affine``."""
        affine = np.eye(4)
        affine[:3, :3] = self.direction * np.asarray(self.spacing)[np.newaxis, :]
        affine[:3, 3] = self.origin
        return affine

    def index_to_world(self, ijk: Sequence[float]) -> np.ndarray:
        """Return the world position (RAS mm) of the continuous index (i, j, k)."""
        out = (ctypes.c_double * 3)()
        _rad.rad_volume_index_to_world(self.ptr, _doubles(ijk, 3, "ijk"), out)
        return np.array(out[:])

    def world_to_index(self, point: Sequence[float]) -> np.ndarray:
        """Return the continuous index (i, j, k) of a world point (RAS mm)."""
        out = (ctypes.c_double * 3)()
        _rad.rad_volume_world_to_index(self.ptr, _doubles(point, 3, "point"), out)
        return np.array(out[:])

    # -- voxels -------------------------------------------------------

    def _view(self, readonly: bool) -> np.ndarray:
        handle = self._handle
        if handle is None:
            raise ValueError("operation on a closed Volume")
        function = _rad.rad_volume_data if readonly else _rad.rad_volume_data_mutable
        address = function(handle.ptr)
        exporter = _BufferView(handle, address, self.shape, readonly)
        return np.asarray(exporter)

    @property
    def array(self) -> np.ndarray:
        """Read-only float64 view of the voxels, indexed [z, y, x], without copy."""
        return self._view(readonly=True)

    def writable_array(self) -> np.ndarray:
        """Return a writable float64 view of the voxels, indexed [z, y, x].

        Do not modify a volume while another thread reads it.
        """
        return self._view(readonly=False)

    def __repr__(self) -> str:
        if self._handle is None:
            return "<calci.Volume closed>"
        return f"<calci.Volume size={self.size} spacing={self.spacing}>"


class Params:
    """Extraction parameters (pyradiomics setting names), owned by libradiomics.

    Create them from a preset, or from a YAML parameter file with :meth:`read`.

    Parameters
    ----------
    preset : {"pyradiomics", "yu2021", "ibsi"}
        ``"pyradiomics"`` is pyradiomics' defaults (original image, bin width
        25). ``"yu2021"`` is the 774 features of Yu et al. 2021. ``"ibsi"``
        enables every IBSI 1 feature class of the library, only features with
        an IBSI tag, with IBSI's bin edges and excess kurtosis. The ``"ibsi"``
        preset keeps pyradiomics' pre-processing, and the files in
        ``examples/params`` add IBSI's for each IBSI 1 configuration.

    Raises
    ------
    ParameterError
        Unknown preset.
    """

    def __init__(self, preset: str = "pyradiomics") -> None:
        ptr = ctypes.c_void_p()
        rad_call(_rad.rad_params_create, _lib.encode(preset), ctypes.byref(ptr))
        self._handle: Optional[_lib.Handle] = _lib.Handle(ptr.value, _rad.rad_params_free)

    @classmethod
    def read(cls, path: PathLike) -> "Params":
        """Read a pyradiomics YAML parameter file.

        The parameters start from the ``"pyradiomics"`` preset. The file's
        ``setting`` keys are those of :meth:`set`, ``imageType`` enables
        ``Original`` and ``Wavelet``, and ``featureClass`` enables the listed
        classes and disables the others. ``examples/params`` in the source
        repository contains the IBSI 1 configurations.

        Parameters
        ----------
        path : str or os.PathLike
            YAML file in the subset the library reads: block mappings, flow
            and block lists, plain and quoted scalars, ``#`` comments.

        Returns
        -------
        Params

        Raises
        ------
        FileError
            The file cannot be opened or read.
        FormatError
            YAML syntax outside the accepted subset.
        ParameterError
            Unknown key (the message names the closest known key) or invalid value.
        UnsupportedError
            An image type or setting the library lacks, such as LoG.

        Every message names the file. Errors in its contents also name the
        line (``params.yaml:3: ...``).
        """
        ptr = ctypes.c_void_p()
        rad_call(_rad.rad_params_read, _lib.encode(path), ctypes.byref(ptr))
        params = cls.__new__(cls)
        params._handle = _lib.Handle(ptr.value, _rad.rad_params_free)
        return params

    @property
    def ptr(self) -> int:
        """Address of the C ``rad_params``; ValueError after :meth:`close`."""
        if self._handle is None:
            raise ValueError("operation on closed Params")
        return self._handle.ptr

    @staticmethod
    def _text(value: Any) -> str:
        if value is None:
            return "none"
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (list, tuple, np.ndarray)):
            return ",".join(Params._text(v) for v in value)
        if isinstance(value, float):
            return repr(value)
        return str(value)

    def set(self, key: str, value: Any) -> "Params":
        """Set one setting by its pyradiomics name.

        Parameters
        ----------
        key : str
            Setting name, such as ``"binWidth"`` or ``"resampledPixelSpacing"``.
        value : str, number, bool, sequence or None
            Written as the library's text form: booleans as ``true``/``false``,
            sequences joined by commas and None as ``none``.

        Returns
        -------
        Params
            This object, so that calls can be chained.

        Raises
        ------
        ParameterError
            Unknown key (the message names the closest known key) or invalid value.
        """
        rad_call(_rad.rad_params_set, self.ptr, _lib.encode(key),
                 _lib.encode(self._text(value)))
        return self

    def get(self, key: str) -> str:
        """Return the current value of a setting as text."""
        buf = ctypes.create_string_buffer(1024)
        rad_call(_rad.rad_params_get, self.ptr, _lib.encode(key), buf, len(buf))
        return buf.value.decode("utf-8")

    def enable_image_type(self, image_type: str, enabled: bool = True) -> "Params":
        """Enable or disable the ``"Original"`` or ``"Wavelet"`` image type."""
        rad_call(_rad.rad_params_enable_image_type, self.ptr, _lib.encode(image_type),
                 int(bool(enabled)))
        return self

    def enable_features(self, feature_class: str, names: Optional[Sequence[str]] = None,
                        enabled: bool = True) -> "Params":
        """Enable features of one class.

        Parameters
        ----------
        feature_class : str
            pyradiomics' classes ``"firstorder"``, ``"shape"``, ``"glcm"``,
            ``"glrlm"``, ``"glszm"``, ``"gldm"``, ``"ngtdm"``, or the IBSI-only
            classes ``"morph"`` (morphology), ``"ih"`` (intensity histogram),
            ``"stat"`` (IBSI statistics pyradiomics lacks), ``"ivh"``
            (intensity-volume histogram), ``"loc"`` (local intensity) and
            ``"gldzm"``.
        names : sequence of str, optional
            pyradiomics feature names (``"Contrast"``); for the IBSI-only
            classes, IBSI tags with or without the class prefix (``"ih_p10"``
            or ``"p10"``). When omitted, the class's default-on features, which
            for the IBSI-only classes are all their features.
        enabled : bool
            False disables the whole class.

        Raises
        ------
        ParameterError
            Unknown class or feature name.
        """
        c_names = None
        if names is not None:
            encoded = [_lib.encode(n) for n in names]
            c_names = (ctypes.c_char_p * (len(encoded) + 1))(*encoded, None)
        rad_call(_rad.rad_params_enable_features, self.ptr, _lib.encode(feature_class),
                 c_names, int(bool(enabled)))
        return self

    def copy(self) -> "Params":
        """Return an independent copy."""
        ptr = _rad.rad_params_copy(self.ptr)
        if not ptr:
            raise MemoryError("rad_params_copy failed")
        clone = Params.__new__(Params)
        clone._handle = _lib.Handle(ptr, _rad.rad_params_free)
        return clone

    def close(self) -> None:
        """Release the C object."""
        self._handle = None

    def __enter__(self) -> "Params":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def _params_ptr(params: Optional[Params]) -> Optional[int]:
    return None if params is None else params.ptr


class Features(dict):
    """Feature values by name, in the library's order.

    The names are pyradiomics' (``"original_firstorder_Mean"``), or IBSI's
    when :func:`extract` was called with ``names="ibsi"``.

    Attributes
    ----------
    min_grey_levels : int
        Smallest number of grey levels left by discretisation over the image
        types. Texture features degenerate below about 8 levels.
    ibsi_tags : dict of str to str
        IBSI 1 tag of each feature, with its aggregation suffix
        (``"stat_mean"``, ``"cm_joint_max_3D_avg"``, ``"szm_sze_3D"``), by
        the same keys as the values. The tag does not name the image type.
        ``""`` for a feature without an IBSI tag.
    ibsi_ids : dict of str to str
        IBSI 1 permanent identifier of each feature (``"Q4LE"`` for
        ``stat_mean``) by the same keys, ``""`` for a feature without one.
    """

    min_grey_levels: int = 0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ibsi_tags: dict[str, str] = {}
        self.ibsi_ids: dict[str, str] = {}


def _ibsi_name(name: str, tag: str) -> str:
    """Return the ``--names ibsi`` name of the calci program for one feature.

    That is the tag, prefixed by the image type and ``_`` for filtered images
    (``"wavelet-LHL_stat_mean"``), or the pyradiomics name when there is no tag.
    """
    if not tag:
        return name
    image_type, underscore, _ = name.partition("_")
    if not underscore or not image_type or image_type == "original":
        return tag
    return f"{image_type}_{tag}"


def box_mask(volume: Volume, center: Sequence[float], size_mm: float,
             params: Optional[Params] = None) -> Volume:
    """Build the subcutaneous-tissue mask of a cube on the image's grid.

    Parameters
    ----------
    volume : Volume
        CT image in HU.
    center : sequence of 3 float
        Cube centre, world RAS mm.
    size_mm : float
        Cube edge in mm.
    params : Params, optional
        Source of the ``box*`` thresholds; library defaults when omitted.

    Returns
    -------
    Volume
        Mask with 1 in subcutaneous voxels inside the cube and 0 elsewhere.

    Raises
    ------
    OutsideError, EmptyRoiError, ArgumentError
    """
    ptr = ctypes.c_void_p()
    rad_call(_rad.rad_box_mask, _params_ptr(params), volume.ptr, _doubles(center, 3, "center"),
             float(size_mm), ctypes.byref(ptr))
    return Volume._adopt(ptr)


def check_geometry(image: Volume, mask: Volume, tolerance_mm: float = 1e-3) -> None:
    """Raise GeometryError unless `mask` lies on `image`'s grid within `tolerance_mm`."""
    rad_call(_rad.rad_check_geometry, image.ptr, mask.ptr, float(tolerance_mm))


def extract(image: Volume, mask: Volume, params: Optional[Params] = None,
            as_frame: bool = False, names: str = "pyradiomics") -> Any:
    """Compute the enabled features of `image` inside `mask`.

    Parameters
    ----------
    image, mask : Volume
        The mask's voxels equal to the ``label`` setting form the region.
    params : Params, optional
        Extraction parameters; the ``"pyradiomics"`` preset when omitted.
    as_frame : bool
        Return a one-row pandas DataFrame instead of a dict (needs pandas).
    names : {"pyradiomics", "ibsi"}
        Keys of the result. ``"pyradiomics"``: pyradiomics names
        (``"original_firstorder_Mean"``). ``"ibsi"``: the names of
        ``calci extract --names ibsi``, which are IBSI 1 tags with their
        aggregation suffix (``"stat_mean"``, ``"cm_joint_max_3D_avg"``),
        prefixed by the image type for filtered images
        (``"wavelet-LHL_stat_mean"``). A feature without a tag keeps its
        pyradiomics name. pyradiomics' firstorder Entropy and Uniformity
        share their tags with ``ih_entropy`` and ``ih_uniformity``, so when
        two features get the same name, only the first in the library's
        order is kept.

    Returns
    -------
    Features or pandas.DataFrame
        Values by name. A Features result also gives each feature's IBSI tag
        and identifier in :attr:`Features.ibsi_tags` and :attr:`Features.ibsi_ids`.

    Raises
    ------
    ValueError
        `names` is neither ``"pyradiomics"`` nor ``"ibsi"``.
    GeometryError, EmptyRoiError, NotFiniteError, ArgumentError
    """
    if names not in ("pyradiomics", "ibsi"):
        raise ValueError(f"names must be 'pyradiomics' or 'ibsi', got {names!r}")
    if params is None:
        params = Params("pyradiomics")
    ptr = ctypes.c_void_p()
    rad_call(_rad.rad_extract, params.ptr, image.ptr, mask.ptr, ctypes.byref(ptr))
    handle = _lib.Handle(ptr.value, _rad.rad_features_free)
    count = _rad.rad_features_count(handle.ptr)
    result = Features()
    for i in range(count):
        name = _lib.decode(_rad.rad_features_name(handle.ptr, i))
        tag = _lib.decode(_rad.rad_features_ibsi_tag(handle.ptr, i)) or ""
        if names == "ibsi":
            name = _ibsi_name(name, tag)
            if name in result:
                continue
        result[name] = float(_rad.rad_features_value(handle.ptr, i))
        result.ibsi_tags[name] = tag
        result.ibsi_ids[name] = _lib.decode(_rad.rad_features_ibsi_id(handle.ptr, i)) or ""
    result.min_grey_levels = int(_rad.rad_features_min_grey_levels(handle.ptr))
    del handle
    if as_frame:
        import pandas as pd

        return pd.DataFrame([result])
    return result
