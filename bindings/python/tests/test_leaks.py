"""Repeated use releases every C object: resident memory stays flat.

2,000 iterations of read, parameter-file read, box-free extraction, ROC and
model fitting. A leak of 1 KiB per iteration would add about 2 MiB, above
the 1.5 MiB allowance for allocator and Python noise.
"""

import gc
import os
import sys

import numpy as np
import pytest

import calci
from conftest import REPO

ITERATIONS = 2000
WARM_UP = 200
ALLOWANCE_BYTES = 1.5 * 1024 * 1024


def _rss_bytes():
    with open("/proc/self/statm", encoding="ascii") as handle:
        pages = int(handle.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/statm")
def test_repeated_use_does_not_grow_rss(tmp_path):
    rng = np.random.default_rng(7)
    image = rng.integers(-100, 200, size=(10, 12, 14)).astype(np.float64)
    mask = np.zeros_like(image)
    mask[2:8, 3:9, 4:11] = 1
    image_path = tmp_path / "image.nii"
    calci.Volume.from_array(image, spacing=(0.8, 0.8, 2.0)).write(image_path)
    mask_volume = calci.Volume.from_array(mask, spacing=(0.8, 0.8, 2.0))
    params = calci.Params("pyradiomics")
    params_path = REPO / "examples" / "params" / "ibsi-1-config-c.yaml"
    bad_params_path = tmp_path / "bad.yaml"
    bad_params_path.write_text("setting:\n  binWidth: [1, 2\n")

    X = rng.normal(size=(40, 5))
    labels = (X[:, 0] + rng.normal(size=40) > 0).astype(int)
    scores = rng.normal(size=200)
    roc_labels = rng.integers(0, 2, size=200)

    def iteration():
        with calci.Volume.read(image_path) as volume:
            features = calci.extract(volume, mask_volume, params)
            assert len(features) > 0
            ibsi_features = calci.extract(volume, mask_volume, params, names="ibsi")
            assert len(ibsi_features.ibsi_tags) > 0
        calci.Params.read(params_path).close()
        try:
            calci.Params.read(bad_params_path)
        except calci.FormatError:
            pass
        curve = calci.roc(roc_labels, scores)
        curve.ci()
        curve.points
        calci.delong_test(curve, calci.roc(roc_labels, -scores))
        dataset = calci.Dataset.from_arrays(X, labels)
        model = calci.Model.fit(dataset, k=2, folds=3)
        model.predict(dataset)
        try:
            calci.Volume.read(tmp_path / "absent.nii")
        except calci.FileError:
            pass

    for _ in range(WARM_UP):
        iteration()
    gc.collect()
    before = _rss_bytes()
    for _ in range(ITERATIONS - WARM_UP):
        iteration()
    gc.collect()
    growth = _rss_bytes() - before
    assert growth < ALLOWANCE_BYTES, f"RSS grew by {growth / 1024:.0f} KiB"
