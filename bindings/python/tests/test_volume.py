"""Volumes, parameters, box masks and extraction through the binding.

References: nibabel (an independent NIfTI reader and writer), the NRRD
format specification for a hand-written header, NumPy for first-order
statistics of a region, and the calci program (the C library called from C)
for features of the simulated cohort.
"""

import csv
import gc
import subprocess

import numpy as np
import pytest

import calci
from conftest import refdata


def _rotation_z(degrees):
    a = np.radians(degrees)
    return np.array([[np.cos(a), -np.sin(a), 0.0], [np.sin(a), np.cos(a), 0.0], [0.0, 0.0, 1.0]])


def test_from_array_round_trip():
    data = np.arange(2 * 3 * 4, dtype=np.int16).reshape(2, 3, 4)
    direction = _rotation_z(30)
    volume = calci.Volume.from_array(data, spacing=(0.5, 0.75, 2.5), origin=(-10, 20.5, 3),
                                     direction=direction)
    assert volume.size == (4, 3, 2)
    assert volume.shape == (2, 3, 4)
    assert volume.array.dtype == np.float64
    np.testing.assert_array_equal(volume.array, data)
    assert volume.spacing == (0.5, 0.75, 2.5)
    assert volume.origin == (-10.0, 20.5, 3.0)
    np.testing.assert_allclose(volume.direction, direction, rtol=0, atol=1e-15)


def test_xyz_axes_equal_transposed_zyx():
    xyz = np.random.default_rng(1).normal(size=(4, 3, 2))
    from_xyz = calci.Volume.from_array(xyz, axes="xyz")
    from_zyx = calci.Volume.from_array(xyz.T)
    assert from_xyz.size == (4, 3, 2)
    np.testing.assert_array_equal(from_xyz.array, from_zyx.array)
    with pytest.raises(ValueError, match="axes"):
        calci.Volume.from_array(xyz, axes="yxz")


def test_array_is_zero_copy_view():
    volume = calci.Volume.from_array(np.zeros((2, 2, 2)))
    view = volume.array
    assert not view.flags.writeable
    assert view.flags.c_contiguous
    with pytest.raises(ValueError):
        view[0, 0, 0] = 1.0
    writable = volume.writable_array()
    writable[1, 0, 1] = 7.0
    assert np.shares_memory(view, writable)
    assert view[1, 0, 1] == 7.0


def test_view_outlives_closed_volume():
    volume = calci.Volume.from_array(np.full((3, 3, 3), 2.0))
    view = volume.array
    volume.close()
    del volume
    gc.collect()
    assert view.sum() == 54.0


def test_closed_volume_raises():
    with calci.Volume.from_array(np.zeros((1, 1, 1))) as volume:
        assert volume.size == (1, 1, 1)
    with pytest.raises(ValueError, match="closed"):
        volume.size


def test_index_to_world_matches_affine():
    volume = calci.Volume.from_array(np.zeros((3, 4, 5)), spacing=(0.8, 0.9, 3.0),
                                     origin=(5, -6, 7), direction=_rotation_z(-20))
    ijk = np.array([1.5, 2.0, 0.25])
    # x = D diag(spacing) ijk + origin (NIfTI sform convention).
    expected = volume.direction @ (np.array(volume.spacing) * ijk) + np.array(volume.origin)
    np.testing.assert_allclose(volume.index_to_world(ijk), expected, rtol=0, atol=1e-12)
    np.testing.assert_allclose(volume.world_to_index(expected), ijk, rtol=0, atol=1e-12)


def test_write_read_against_nibabel(tmp_path):
    nib = pytest.importorskip("nibabel")
    data = np.random.default_rng(2).integers(-1000, 1000, size=(3, 4, 5)).astype(np.float64)
    affine = np.eye(4)
    affine[:3, :3] = _rotation_z(15) * np.array([0.7, 0.8, 2.0])
    affine[:3, 3] = (12.0, -30.0, 100.0)
    path = tmp_path / "written_by_nibabel.nii.gz"
    nib.save(nib.Nifti1Image(data.T.astype(np.float32), affine), str(path))

    volume = calci.Volume.read(path)
    # Integers are exact in float32; geometry passes through float32 header fields.
    np.testing.assert_array_equal(volume.array, data)
    np.testing.assert_allclose(volume.affine, affine, rtol=0, atol=1e-5)

    out = tmp_path / "written_by_calci.nii"
    volume.write(out)
    image = nib.load(str(out))
    np.testing.assert_array_equal(np.asarray(image.dataobj).T, data)
    np.testing.assert_allclose(image.affine, affine, rtol=0, atol=1e-5)
    point = nib.affines.apply_affine(image.affine, [1, 2, 3])
    np.testing.assert_allclose(volume.index_to_world([1, 2, 3]), point, rtol=0, atol=1e-4)


def test_read_hand_written_nrrd(tmp_path):
    data = np.arange(24, dtype="<f8").reshape(2, 3, 4)
    header = (
        "NRRD0004\n"
        "type: double\n"
        "dimension: 3\n"
        "space: left-posterior-superior\n"
        "sizes: 4 3 2\n"
        "space directions: (2,0,0) (0,3,0) (0,0,4)\n"
        "kinds: domain domain domain\n"
        "endian: little\n"
        "encoding: raw\n"
        "space origin: (10,20,30)\n"
        "\n"
    )
    path = tmp_path / "ramp.nrrd"
    path.write_bytes(header.encode("ascii") + data.tobytes())
    volume = calci.Volume.read(path)
    np.testing.assert_array_equal(volume.array, data)
    assert volume.spacing == pytest.approx((2.0, 3.0, 4.0), abs=1e-12)
    # LPS to RAS flips the signs of x and y (NRRD specification, "space").
    assert volume.origin == pytest.approx((-10.0, -20.0, 30.0), abs=1e-12)
    np.testing.assert_allclose(volume.direction, np.diag([-1.0, -1.0, 1.0]), rtol=0, atol=1e-12)


def test_missing_file_raises_file_error(tmp_path):
    missing = tmp_path / "absent.nii.gz"
    with pytest.raises(calci.FileError) as info:
        calci.Volume.read(missing)
    assert isinstance(info.value, OSError)
    assert info.value.status_name == "RAD_ERR_IO"
    assert info.value.library == "radiomics"
    assert "absent.nii.gz" in info.value.message


def test_params_set_and_get():
    params = calci.Params("pyradiomics")
    params.set("binWidth", 10.0).set("normalize", True)
    assert float(params.get("binWidth")) == 10.0
    assert params.get("normalize") == "true"
    copy = params.copy()
    params.set("binWidth", 5)
    assert float(copy.get("binWidth")) == 10.0


def test_params_unknown_key_names_it():
    params = calci.Params()
    with pytest.raises(calci.ParameterError) as info:
        params.set("binWidht", 10)
    assert info.value.status_name == "RAD_ERR_PARAMETER"
    assert "binWidht" in info.value.message
    assert isinstance(info.value, ValueError)


def test_params_unknown_preset():
    with pytest.raises(calci.ParameterError):
        calci.Params("no-such-preset")


def _block_case():
    rng = np.random.default_rng(3)
    image = rng.integers(-100, 200, size=(12, 14, 16)).astype(np.float64)
    mask = np.zeros_like(image)
    mask[3:9, 4:10, 5:12] = 1
    return image, mask


def test_extract_first_order_matches_numpy():
    image, mask = _block_case()
    params = calci.Params("pyradiomics")
    params.enable_features("firstorder", ["Mean", "Minimum", "Maximum", "Variance", "Range"])
    for feature_class in ("glcm", "glrlm", "glszm", "gldm"):
        params.enable_features(feature_class, enabled=False)
    features = calci.extract(calci.Volume.from_array(image), calci.Volume.from_array(mask),
                             params)
    roi = image[mask == 1]
    # pyradiomics' defaults neither resample nor normalise, so the statistics are
    # those of the ROI voxels; Variance is the population variance.
    assert features["original_firstorder_Mean"] == pytest.approx(roi.mean(), rel=1e-12)
    assert features["original_firstorder_Minimum"] == roi.min()
    assert features["original_firstorder_Maximum"] == roi.max()
    assert features["original_firstorder_Range"] == roi.max() - roi.min()
    assert features["original_firstorder_Variance"] == pytest.approx(roi.var(), rel=1e-12)


def test_extract_as_frame():
    pd = pytest.importorskip("pandas")
    image, mask = _block_case()
    frame = calci.extract(calci.Volume.from_array(image), calci.Volume.from_array(mask),
                          as_frame=True)
    assert isinstance(frame, pd.DataFrame)
    assert frame.shape[0] == 1
    assert "original_glcm_Contrast" in frame.columns


def test_extract_geometry_mismatch_raises():
    image, mask = _block_case()
    with pytest.raises(calci.GeometryError) as info:
        calci.extract(calci.Volume.from_array(image),
                      calci.Volume.from_array(mask, spacing=(2, 2, 2)))
    assert info.value.status_name == "RAD_ERR_GEOMETRY"


def test_extract_empty_mask_raises():
    image, _ = _block_case()
    with pytest.raises(calci.EmptyRoiError):
        calci.extract(calci.Volume.from_array(image), calci.Volume.from_array(0 * image))


def _first_cases(count):
    manifest = refdata("calci_sim_on_sts/manifest.csv")
    with open(manifest, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))[:count]
    return manifest.parent, rows


def test_box_mask_on_simulated_cohort():
    folder, rows = _first_cases(2)
    for row in rows:
        image = calci.Volume.read(folder / row["image"])
        center = [float(row[k]) for k in ("box_x", "box_y", "box_z")]
        size = float(row["box_size"])
        mask = calci.box_mask(image, center, size)
        assert mask.size == image.size
        np.testing.assert_allclose(mask.affine, image.affine, rtol=0, atol=1e-9)
        values = mask.array
        assert set(np.unique(values)) <= {0.0, 1.0}
        assert values.sum() > 0
        # Every voxel of the mask has its centre inside the cube (world mm).
        k, j, i = np.nonzero(values)
        ijk1 = np.stack([i, j, k, np.ones_like(i)]).astype(np.float64)
        world = (image.affine @ ijk1)[:3].T
        assert np.all(np.abs(world - np.array(center)) <= size / 2 + 1e-6)


@pytest.mark.parametrize("preset", ["pyradiomics", "yu2021"])
def test_extraction_matches_calci_program(tmp_path, calci_program, preset):
    folder, rows = _first_cases(2)
    for row in rows:
        image_path = folder / row["image"]
        center = [float(row[k]) for k in ("box_x", "box_y", "box_z")]
        out = tmp_path / f"{row['case_id']}_{preset}.csv"
        subprocess.run([str(calci_program), "extract", "--image", str(image_path), "--box",
                        ",".join(row[k] for k in ("box_x", "box_y", "box_z")), "--box-size",
                        row["box_size"], "--preset", preset, "--out", str(out)], check=True,
                       capture_output=True)
        with open(out, newline="", encoding="utf-8") as handle:
            expected = {r["feature"]: float(r["value"]) for r in csv.DictReader(handle)}

        image = calci.Volume.read(image_path)
        params = calci.Params(preset)
        mask = calci.box_mask(image, center, float(row["box_size"]), params)
        features = calci.extract(image, mask, params)
        assert list(features) == list(expected)
        for name, value in expected.items():
            # The program prints 17 significant digits, so values agree to rounding.
            assert features[name] == pytest.approx(value, rel=1e-15, abs=1e-300, nan_ok=True), name
