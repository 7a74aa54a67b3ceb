#!/usr/bin/env python3
"""Print the AUC and DeLong 95% CI of s100b, wfns and ndka for a poor outcome.

Usage: asah_roc.py aSAH.csv

The CSV is pROC's aSAH data set as written by R's write.csv: columns
outcome ("Good"/"Poor"), wfns (grade 1-5), s100b and ndka. Cases are the
"Poor" outcomes, and the direction is chosen from the class medians as pROC's
roc() does by default. Output: one line "name auc ci_low ci_high" per marker.
"""

import csv
import sys

import numpy as np

import calci

MARKERS = ("s100b", "wfns", "ndka")


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(f"usage: {argv[0]} aSAH.csv", file=sys.stderr)
        return 2
    with open(argv[1], newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    outcome = np.array([row["outcome"] for row in rows])
    for name in MARKERS:
        scores = np.array([float(row[name]) for row in rows])
        with calci.roc(outcome, scores, positive="Poor") as curve:
            low, high = curve.ci(0.95)
            print(f"{name} {curve.auc:.6f} {low:.6f} {high:.6f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
