#!/bin/sh
# Makes the synthetic demo cohort and runs the whole study on it.
# Usage: tools/demo.sh BUILD_DIR   (called by `make demo`)
set -e
build=${1:-build}
out="$build/demo"
rm -rf "$out"
mkdir -p "$out"
echo "demo: making a synthetic cohort in $out/cohort"
"$build/bin/make_demo_cohort" "$out/cohort"
echo "demo: running calci study (the study's 774 features per case)"
"$build/bin/calci" study "$out/cohort/manifest.csv" --out "$out/study" --threads 2
echo "demo: report in $out/study/report.html, summary in $out/study/summary.json"
