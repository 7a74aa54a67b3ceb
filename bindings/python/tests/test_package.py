"""Library loading, version check, error mapping and the aSAH example."""

import os
import subprocess
import sys
import types
from pathlib import Path

import pytest

import calci
from calci import _lib
from conftest import run_r

HERE = Path(__file__).resolve().parent


def _fake_library(prefix, major):
    """Stand-in for a ctypes library exposing only the version functions."""
    fake = types.SimpleNamespace()
    for part, value in (("major", major), ("minor", 0), ("patch", 0)):
        setattr(fake, f"{prefix}_version_{part}", lambda value=value: value)
    setattr(fake, f"{prefix}_version_string", lambda: f"{major}.0.0".encode())
    return fake


def test_versions_match_expected_major():
    assert calci.EXPECTED_MAJOR == 0
    assert calci.CALCI_VERSION.split(".")[0] == "0"
    assert calci.RADIOMICS_VERSION.split(".")[0] == "0"


def test_version_mismatch_raises_import_error():
    with pytest.raises(ImportError, match=r"libcalci version 1\.0\.0 has major version 1"):
        _lib._check_version(_fake_library("calci", 1), "calci", "libcalci")
    assert _lib._check_version(_fake_library("rad", 0), "rad", "libradiomics") == "0.0.0"


def _import_in_subprocess(env_update):
    env = dict(os.environ, **env_update)
    return subprocess.run([sys.executable, "-c", "import calci"], env=env, capture_output=True,
                          text=True)


def test_missing_library_raises_import_error(tmp_path):
    result = _import_in_subprocess({"CALCI_LIBRARY": str(tmp_path / "libcalci.so.0"),
                                    "RADIOMICS_LIBRARY": str(tmp_path / "libradiomics.so.0")})
    assert result.returncode != 0
    assert "ImportError" in result.stderr
    assert "RADIOMICS_LIBRARY" in result.stderr


def test_library_directory_is_accepted():
    library = os.environ.get("CALCI_LIBRARY")
    if not library:
        pytest.skip("CALCI_LIBRARY not set; the libraries come from the loader path")
    folder = library if os.path.isdir(library) else os.path.dirname(library)
    env = {"CALCI_LIBRARY": folder, "RADIOMICS_LIBRARY": ""}
    assert _import_in_subprocess(env).returncode == 0


def test_error_carries_status_and_message():
    with pytest.raises(calci.CalciError) as info:
        calci.Params().set("binWidth", -1)
    error = info.value
    assert isinstance(error, calci.ParameterError)
    assert error.status == 10
    assert error.status_name == "RAD_ERR_PARAMETER"
    assert error.library == "radiomics"
    assert "binWidth" in error.message
    assert str(error).startswith("RAD_ERR_PARAMETER: ")


def test_asah_example_matches_proc(asah_csv):
    out = run_r(
        "suppressMessages(library(pROC)); d <- read.csv(commandArgs(trailingOnly = TRUE)[1]);"
        "for (m in c('s100b', 'wfns', 'ndka')) {"
        "  r <- roc(d$outcome, d[[m]], levels = c('Good', 'Poor'), quiet = TRUE);"
        "  ci <- ci.auc(r, method = 'delong');"
        "  cat(m, sprintf('%.17g', c(as.numeric(r$auc), ci[1], ci[3])), '\\n') }",
        str(asah_csv))
    expected = [line.split() for line in out.splitlines() if line.strip()]
    example = HERE.parent / "examples" / "asah_roc.py"
    result = subprocess.run([sys.executable, str(example), str(asah_csv)], capture_output=True,
                            text=True, check=True)
    lines = [line.split() for line in result.stdout.splitlines()]
    assert [line[0] for line in lines] == ["s100b", "wfns", "ndka"]
    for got, ref in zip(lines, expected):
        assert got[0] == ref[0]
        # The example prints 6 decimals.
        for value, reference in zip(got[1:], ref[1:]):
            assert float(value) == pytest.approx(float(reference), abs=5e-7)
