"""ROC, DeLong CI and DeLong test against R's pROC on the aSAH data.

pROC runs at test time (Debian r-cran-proc); nothing is hard-coded, and the
tests skip when Rscript, pROC or the data are absent.
"""

import csv
import math

import numpy as np
import pytest

import calci
from conftest import run_r

MARKERS = ("s100b", "wfns", "ndka")

PROC_SCRIPT = r"""
suppressMessages(library(pROC))
d <- read.csv(commandArgs(trailingOnly = TRUE)[1])
g <- function(x) paste(sprintf("%.17g", x), collapse = " ")
curves <- list()
for (m in c("s100b", "wfns", "ndka")) {
  for (dir in c("auto", "<", ">")) {
    r <- roc(d$outcome, d[[m]], levels = c("Good", "Poor"), direction = dir, quiet = TRUE)
    if (dir == "auto") curves[[m]] <- r
    ci95 <- ci.auc(r, method = "delong", conf.level = 0.95)
    ci90 <- ci.auc(r, method = "delong", conf.level = 0.90)
    cat("auc", m, dir, r$direction,
        g(c(as.numeric(r$auc), ci95[1], ci95[3], ci90[1], ci90[3], var(r, method = "delong"))),
        "\n")
  }
  co <- coords(curves[[m]], "all", ret = c("threshold", "sensitivity", "specificity"),
               transpose = FALSE)
  cat("thr", m, g(co$threshold), "\n")
  cat("sens", m, g(co$sensitivity), "\n")
  cat("spec", m, g(co$specificity), "\n")
}
for (p in list(c("s100b", "wfns"), c("s100b", "ndka"), c("wfns", "ndka"))) {
  t <- roc.test(curves[[p[1]]], curves[[p[2]]], method = "delong", paired = TRUE)
  cat("test", p[1], p[2], g(c(t$statistic, t$p.value, t$conf.int[1], t$conf.int[2])), "\n")
}
"""

# pROC and libcalci both compute in double precision; the sums differ only
# in order, so 1e-12 absolute covers the rounding.
TOL = 1e-12


@pytest.fixture(scope="module")
def asah(asah_csv):
    with open(asah_csv, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    outcome = np.array([row["outcome"] for row in rows])
    scores = {m: np.array([float(row[m]) for row in rows]) for m in MARKERS}
    return outcome, scores


@pytest.fixture(scope="module")
def proc(asah_csv):
    """Parse pROC's output into {"auc": {(marker, dir): ...}, "coords": ..., "test": ...}."""
    out = run_r(PROC_SCRIPT, str(asah_csv))
    result = {"auc": {}, "coords": {}, "test": {}}
    for line in out.splitlines():
        parts = line.split()
        if not parts:
            continue
        if parts[0] == "auc":
            result["auc"][(parts[1], parts[2])] = (parts[3], [float(x) for x in parts[4:]])
        elif parts[0] in ("thr", "sens", "spec"):
            result["coords"].setdefault(parts[1], {})[parts[0]] = np.array(
                [float(x) for x in parts[2:]])
        elif parts[0] == "test":
            result["test"][(parts[1], parts[2])] = [float(x) for x in parts[3:]]
    return result


@pytest.mark.parametrize("marker", MARKERS)
@pytest.mark.parametrize("direction", ["auto", "<", ">"])
def test_auc_and_ci_match_proc(asah, proc, marker, direction):
    outcome, scores = asah
    expected_direction, (auc, lo95, hi95, lo90, hi90, variance) = proc["auc"][(marker, direction)]
    with calci.roc(outcome, scores[marker], direction=direction, positive="Poor") as curve:
        assert curve.direction == expected_direction
        assert curve.positives == 41
        assert curve.negatives == 72
        assert curve.auc == pytest.approx(auc, abs=TOL)
        assert curve.variance == pytest.approx(variance, abs=TOL)
        assert curve.ci() == pytest.approx((lo95, hi95), abs=TOL)
        assert curve.ci(0.90) == pytest.approx((lo90, hi90), abs=TOL)


@pytest.mark.parametrize("marker", MARKERS)
def test_points_match_proc_coords(asah, proc, marker):
    outcome, scores = asah
    expected = proc["coords"][marker]
    curve = calci.roc(outcome, scores[marker], positive="Poor")
    points = curve.points
    assert points.thresholds.shape == expected["thr"].shape
    np.testing.assert_allclose(points.thresholds, expected["thr"], rtol=0, atol=TOL)
    np.testing.assert_allclose(points.sensitivity, expected["sens"], rtol=0, atol=TOL)
    np.testing.assert_allclose(points.specificity, expected["spec"], rtol=0, atol=TOL)


def _best_threshold(coords, rate, other, target):
    """Apply the documented rule to pROC's coordinates: best `other` among rate >= target,
    ties broken by the higher `rate`, then the lower threshold."""
    keep = coords[rate] >= target
    candidates = sorted(zip(-coords[other][keep], -coords[rate][keep], coords["thr"][keep]))
    return candidates[0][2]


@pytest.mark.parametrize("marker", MARKERS)
@pytest.mark.parametrize("target", [0.8, 0.9, 0.95])
def test_operating_thresholds_follow_proc_coords(asah, proc, marker, target):
    outcome, scores = asah
    coords = proc["coords"][marker]
    curve = calci.roc(outcome, scores[marker], positive="Poor")
    assert curve.direction == "<"
    assert curve.threshold_for_sensitivity(target) == pytest.approx(
        _best_threshold(coords, "sens", "spec", target), abs=TOL)
    assert curve.threshold_for_specificity(target) == pytest.approx(
        _best_threshold(coords, "spec", "sens", target), abs=TOL)


@pytest.mark.parametrize("pair", [("s100b", "wfns"), ("s100b", "ndka"), ("wfns", "ndka")])
def test_delong_paired_test_matches_proc(asah, proc, pair):
    outcome, scores = asah
    z, p, lo, hi = proc["test"][pair]
    roc_a = calci.roc(outcome, scores[pair[0]], positive="Poor")
    roc_b = calci.roc(outcome, scores[pair[1]], positive="Poor")
    result = calci.delong_test(roc_a, roc_b)
    assert result.z == pytest.approx(z, abs=1e-10)
    assert result.p == pytest.approx(p, abs=1e-12)
    assert result.ci_low == pytest.approx(lo, abs=TOL)
    assert result.ci_high == pytest.approx(hi, abs=TOL)
    assert result.difference == pytest.approx(roc_a.auc - roc_b.auc, abs=0)


def test_labels_forms_agree():
    scores = np.array([0.1, 0.4, 0.35, 0.8, 0.5])
    numeric = calci.roc([0, 0, 1, 1, -1], scores)
    boolean = calci.roc(np.array([False, False, True, True]), scores[:4])
    strings = calci.roc(["n", "n", "p", "p"], scores[:4], positive="p")
    # Hand count: of the 4 positive/negative pairs, (0.35, 0.4) is the only discordant one.
    assert numeric.auc == pytest.approx(0.75, abs=1e-15)
    assert numeric.positives == 2
    assert numeric.negatives == 2
    assert boolean.auc == numeric.auc
    assert strings.auc == numeric.auc


def test_nan_scores_are_skipped():
    curve = calci.roc([0, 0, 1, 1, 1], [0.1, 0.4, 0.35, 0.8, math.nan])
    assert curve.positives == 2


def test_one_class_raises_data_error():
    with pytest.raises(calci.DataError) as info:
        calci.roc([1, 1, 1], [0.1, 0.2, 0.3])
    assert info.value.status_name == "CALCI_ERR_DATA"
    assert info.value.library == "calci"
    assert info.value.message


def test_invalid_label_raises_argument_error():
    with pytest.raises(calci.ArgumentError) as info:
        calci.roc([0, 2, 1], [0.1, 0.2, 0.3])
    assert info.value.status_name == "CALCI_ERR_ARGUMENT"


def test_invalid_arguments_raise_value_error():
    with pytest.raises(ValueError, match="direction"):
        calci.roc([0, 1], [0.1, 0.2], direction="up")
    with pytest.raises(ValueError, match="equal length"):
        calci.roc([0, 1, 1], [0.1, 0.2])
    with pytest.raises(ValueError, match="positive="):
        calci.roc(["a", "b"], [0.1, 0.2])
    curve = calci.roc([0, 1], [0.1, 0.2])
    with pytest.raises(ValueError, match="level"):
        curve.ci(1.5)


def test_delong_test_rejects_unpaired_curves():
    roc_a = calci.roc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    roc_b = calci.roc([0, 1, 1], [0.1, 0.4, 0.35])
    with pytest.raises(calci.ArgumentError):
        calci.delong_test(roc_a, roc_b)


def test_closed_roc_raises():
    with calci.roc([0, 1], [0.1, 0.2]) as curve:
        assert curve.auc == 1.0
    with pytest.raises(ValueError, match="closed"):
        curve.auc
