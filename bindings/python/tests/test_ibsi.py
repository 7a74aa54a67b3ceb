"""Parameter files and IBSI names through the binding.

The calci program (the C library called from C) is the reference for the
IBSI CT phantom with the IBSI 1 configuration C file. The expected tags are
those under which IBSI 1 publishes its configuration C reference values
(stat_mean, cm_contrast_3D_avg, rlm_sre_3D_avg, szm_sze_3D,
ngt_coarseness_3D). Q4LE is IBSI 1's permanent identifier of the mean.
"""

import csv
import subprocess

import numpy as np
import pytest

import calci
from conftest import REPO, refdata

CONFIG_C = REPO / "examples" / "params" / "ibsi-1-config-c.yaml"


def _phantom():
    image = refdata("ibsi_1_ct_radiomics_phantom/nifti/image/phantom.nii.gz")
    mask = refdata("ibsi_1_ct_radiomics_phantom/nifti/mask/mask.nii.gz")
    return image, mask


def _block_case():
    rng = np.random.default_rng(7)
    image = rng.normal(40.0, 30.0, size=(12, 12, 12)).round()
    mask = np.zeros(image.shape)
    mask[2:10, 3:9, 2:10] = 1
    return calci.Volume.from_array(image), calci.Volume.from_array(mask)


def test_read_config_c_settings():
    params = calci.Params.read(CONFIG_C)
    assert float(params.get("binWidth")) == 25.0
    assert params.get("interpolator") == "sitkLinear"
    assert params.get("resampleGridAlignment") == "center"
    assert params.get("ivhDiscretisation") == "binWidth"


def test_read_accepts_str_path():
    params = calci.Params.read(str(CONFIG_C))
    assert params.get("resegmentMode") == "absolute"


def test_read_unknown_key_names_line(tmp_path):
    path = tmp_path / "unknown.yaml"
    path.write_text("setting:\n  binWidth: 25\n  bogusKey: 3\n")
    with pytest.raises(calci.ParameterError) as info:
        calci.Params.read(path)
    assert info.value.status_name == "RAD_ERR_PARAMETER"
    assert f"{path}:3:" in info.value.message
    assert "bogusKey" in info.value.message


def test_read_syntax_error_names_line(tmp_path):
    path = tmp_path / "syntax.yaml"
    path.write_text("setting:\n  binWidth: [1, 2\n")
    with pytest.raises(calci.FormatError) as info:
        calci.Params.read(path)
    assert info.value.status_name == "RAD_ERR_FORMAT"
    assert f"{path}:2:" in info.value.message


def test_read_missing_file_raises(tmp_path):
    path = tmp_path / "absent.yaml"
    with pytest.raises(calci.FileError) as info:
        calci.Params.read(path)
    assert str(path) in info.value.message


def test_ibsi_tags_of_known_features():
    image, mask = _block_case()
    params = calci.Params("pyradiomics")
    params.enable_features("ngtdm")
    features = calci.extract(image, mask, params)
    expected = {
        "original_firstorder_Mean": "stat_mean",
        "original_glcm_Contrast": "cm_contrast_3D_avg",
        "original_glrlm_ShortRunEmphasis": "rlm_sre_3D_avg",
        "original_glszm_SmallAreaEmphasis": "szm_sze_3D",
        "original_ngtdm_Coarseness": "ngt_coarseness_3D",
    }
    for name, tag in expected.items():
        assert features.ibsi_tags[name] == tag, name
    assert features.ibsi_ids["original_firstorder_Mean"] == "Q4LE"
    # TotalEnergy is pyradiomics' own feature, without an IBSI tag.
    assert features.ibsi_tags["original_firstorder_TotalEnergy"] == ""
    assert features.ibsi_ids["original_firstorder_TotalEnergy"] == ""
    assert list(features.ibsi_tags) == list(features)
    assert list(features.ibsi_ids) == list(features)


def test_ibsi_names_keep_values():
    image, mask = _block_case()
    params = calci.Params("pyradiomics")
    by_pyradiomics = calci.extract(image, mask, params)
    by_ibsi = calci.extract(image, mask, params, names="ibsi")
    assert by_ibsi["stat_mean"] == by_pyradiomics["original_firstorder_Mean"]
    assert by_ibsi["cm_contrast_3D_avg"] == by_pyradiomics["original_glcm_Contrast"]
    assert by_ibsi["original_firstorder_TotalEnergy"] == \
        by_pyradiomics["original_firstorder_TotalEnergy"]
    assert by_ibsi.ibsi_tags["stat_mean"] == "stat_mean"
    assert by_ibsi.ibsi_ids["stat_mean"] == "Q4LE"


def test_ibsi_names_prefix_filtered_images():
    image, mask = _block_case()
    params = calci.Params("pyradiomics")
    params.enable_image_type("Wavelet")
    params.enable_features("glcm", enabled=False)
    features = calci.extract(image, mask, params, names="ibsi")
    assert "stat_mean" in features
    assert "wavelet-LLH_stat_mean" in features
    assert features.ibsi_tags["wavelet-LLH_stat_mean"] == "stat_mean"


def test_extract_rejects_unknown_names():
    image, mask = _block_case()
    with pytest.raises(ValueError, match="names"):
        calci.extract(image, mask, names="mirp")


def test_config_c_matches_calci_program(tmp_path, calci_program):
    image_path, mask_path = _phantom()
    out = tmp_path / "config_c.csv"
    subprocess.run([str(calci_program), "extract", "--image", str(image_path), "--mask",
                    str(mask_path), "--params", str(CONFIG_C), "--names", "ibsi", "--out",
                    str(out)], check=True, capture_output=True)
    with open(out, newline="", encoding="utf-8") as handle:
        expected = {row["feature"]: float(row["value"]) for row in csv.DictReader(handle)}

    features = calci.extract(calci.Volume.read(image_path), calci.Volume.read(mask_path),
                             calci.Params.read(CONFIG_C), names="ibsi")
    assert list(features) == list(expected)
    for name, value in expected.items():
        # The program prints 17 significant digits, so values agree to rounding.
        assert features[name] == pytest.approx(value, rel=1e-15, abs=1e-300, nan_ok=True), name
    assert "stat_mean" in features
    assert "cm_contrast_3D_comb" in features


def test_ibsi_names_shared_tag_once():
    image, mask = _block_case()
    params = calci.Params("ibsi")
    by_pyradiomics = calci.extract(image, mask, params)
    by_ibsi = calci.extract(image, mask, params, names="ibsi")
    # firstorder Entropy and the ih class's entropy carry the tag ih_entropy.
    shared = [name for name, tag in by_pyradiomics.ibsi_tags.items() if tag == "ih_entropy"]
    assert len(shared) == 2
    assert "ih_entropy" in by_ibsi
    assert by_ibsi["ih_entropy"] == by_pyradiomics[shared[0]]
    assert len(by_ibsi) == len(set(by_pyradiomics.ibsi_tags.values()) - {""}) + \
        sum(1 for tag in by_pyradiomics.ibsi_tags.values() if tag == "")
