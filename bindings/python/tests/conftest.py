"""Shared fixtures: reference data, R's pROC and the calci program.

Reference data is read from $RADIOMICS_REFDATA, else from ../shared/data
beside the repository. Tests that need absent data or tools are skipped
with the reason.
"""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]


def refdata_dir() -> Path:
    """Return the reference-data folder ($RADIOMICS_REFDATA or ../shared/data)."""
    env = os.environ.get("RADIOMICS_REFDATA")
    return Path(env) if env else REPO.parent / "shared" / "data"


def refdata(relative: str) -> Path:
    """Return a reference file, or skip the test when it is absent."""
    path = refdata_dir() / relative
    if not path.exists():
        pytest.skip(f"reference data {relative} not found under {refdata_dir()}")
    return path


@pytest.fixture(scope="session")
def asah_csv() -> Path:
    return refdata("pROC_aSAH/aSAH.csv")


def run_r(script: str, *args: str) -> str:
    """Run an R script with Rscript and return its standard output.

    `args` reach the script through ``commandArgs(trailingOnly = TRUE)``.

    Skips the test when Rscript or the pROC package is not installed.
    """
    rscript = shutil.which("Rscript")
    if rscript is None:
        pytest.skip("Rscript not installed (Debian: r-base-core)")
    check = subprocess.run([rscript, "-e", "quit(status = !requireNamespace('pROC', quietly = TRUE))"],
                           capture_output=True, text=True)
    if check.returncode != 0:
        pytest.skip("R package pROC not installed (Debian: r-cran-proc)")
    result = subprocess.run([rscript, "-e", script, *args], capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        raise RuntimeError(f"Rscript failed: {result.stderr}")
    return result.stdout


@pytest.fixture(scope="session")
def calci_program() -> Path:
    """Return the calci command-line program built beside the libraries."""
    env = os.environ.get("CALCI_PROGRAM")
    candidates = [Path(env)] if env else []
    library = os.environ.get("CALCI_LIBRARY")
    if library:
        base = Path(library) if Path(library).is_dir() else Path(library).parent
        candidates.append(base.parent / "bin" / "calci")
    candidates.append(REPO / "build" / "bin" / "calci")
    for path in candidates:
        if path.is_file() and os.access(path, os.X_OK):
            return path
    pytest.skip("calci program not built (make build/bin/calci)")
