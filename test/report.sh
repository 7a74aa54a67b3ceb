#!/bin/sh
# Checks the sections of DIR/report.html and the statistics that
# `calci study` adds to summary.json, on the synthetic demo cohort
# (make_demo_cohort): Table 3 with Clopper-Pearson intervals, Table 4
# comparator subsets, cross-validated and test ROC curves with bootstrap
# sensitivity bands, the calibration plot, Table S1 and the leakage line.
# The Clopper-Pearson intervals are compared with R's binom.test when
# Rscript is installed. Prints PASS/FAIL/SKIP lines that tools/run-tests.sh
# counts.

# RADIOMICS_TEST_QUICK (set by make check-sanitizers) skips this slow script.
case "${RADIOMICS_TEST_QUICK:-0}" in
    ""|0) ;;
    *) echo "SKIP report checks: RADIOMICS_TEST_QUICK is set; this script runs in the plain pass of make check"
       exit 0 ;;
esac

calci=${CALCI:-build/bin/calci}
bin=$(dirname "$calci")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ ! -x "$bin/make_demo_cohort" ] || [ ! -x "$calci" ]; then
    echo "SKIP report checks: $bin/make_demo_cohort or $calci not built (run make all)"
    exit 0
fi
if ! "$bin/make_demo_cohort" "$work/demo" >"$work/cohort.log" 2>&1; then
    cat "$work/cohort.log"
    echo "FAIL report checks: make_demo_cohort exited with an error"
    exit 1
fi
if ! "$calci" study "$work/demo/manifest.csv" --out "$work/out" --threads 2 --quiet \
    --bootstrap 500 >"$work/study.log" 2>&1; then
    cat "$work/study.log"
    echo "FAIL report checks: study on the demo cohort exited with an error"
    exit 1
fi

report="$work/out/report.html"
check_contains() {
    # $1 fixed text, $2 name
    if grep -qF -- "$1" "$report"; then echo "PASS report has $2"
    else echo "FAIL report has $2 (\"$1\" not found)"; fi
}
check_contains 'id="table3"' "Table 3 (test set with rate intervals)"
check_contains 'Clopper-Pearson' "the name of the rate interval"
check_contains 'class="table4"' "Table 4 (comparator subsets)"
check_contains 'id="roc-cv"' "the cross-validated ROC plot"
check_contains 'id="roc-test"' "the test ROC plot"
check_contains 'class="band"' "a sensitivity band"
check_contains 'id="calibration"' "the calibration plot"
check_contains 'Brier score' "the Brier score caption"
check_contains 'selected features' "the feature table (Table S1)"
check_contains 'Leakage:' "the leakage line"
check_contains 'Comparison with other tests' "the comparator tests"
bands=$(grep -c 'class="band"' "$report")
if [ "$bands" -eq 4 ]; then echo "PASS report draws 4 bands (2 models x 2 curves)"
else echo "FAIL report draws $bands bands, expected 4"; fi
if grep -qiE '<script|<link|<img|src=|href=|@import|url\(' "$report"; then
    echo "FAIL report is self-contained (script, link or external reference found)"
else
    echo "PASS report is self-contained"
fi

# Consistency of the new summary.json fields; prints "CP x n" lines for the
# Clopper-Pearson reference below.
python3 - "$work/out/summary.json" "$work/cp.txt" <<'PY'
import json, math, sys
s = json.load(open(sys.argv[1]))
cp = open(sys.argv[2], "w")
def check(ok, name):
    print(("PASS " if ok else "FAIL ") + name)
for m in s["models"]:
    c = m["classifier"]
    t = m["test"]
    lo, hi = t["auc_ci95"]
    check(lo <= t["auc"] <= hi, "%s test AUC %.3f lies in its CI (%.3f-%.3f)" % (c, t["auc"], lo, hi))
    cv = m["cv_roc"]
    lo, hi = cv["auc_ci95"]
    check(lo <= cv["auc"] <= hi, "%s CV ROC AUC %.3f lies in its CI (%.3f-%.3f)" % (c, cv["auc"], lo, hi))
    check(abs(cv["auc"] - m["cv_auc"]) <= 1e-12, "%s CV ROC AUC equals cv_auc" % c)
    check(cv["positive"] + cv["negative"] == s["train"]["positive"] + s["train"]["negative"],
          "%s CV ROC covers the training cases" % c)
    for name, band in (("CV", cv["sensitivity_band95"]), ("test", t["sensitivity_band95"])):
        ok = len(band["specificity"]) == len(band["lower"]) == len(band["upper"]) == 21
        ok = ok and band["replicates"] == 500
        ok = ok and all(l is not None and u is not None and 0 <= l <= u <= 1
                        for l, u in zip(band["lower"], band["upper"]))
        check(ok, "%s %s band has 21 points with 0 <= lower <= upper <= 1" % (c, name))
    cal = t["calibration"]
    check(cal["slope"] is not None and math.isfinite(cal["slope"]), "%s calibration slope is finite" % c)
    check(cal["intercept"] is not None and math.isfinite(cal["intercept"]),
          "%s calibration intercept is finite" % c)
    check(cal["brier"] is not None and 0 <= cal["brier"] <= 1, "%s Brier score lies in [0, 1]" % c)
    check(sum(b["cases"] for b in cal["reliability"]) == t["positive"] + t["negative"],
          "%s reliability groups cover the test cases" % c)
    for p in m["operating_points"]:
        counts = {"sensitivity": (p["tp"], p["tp"] + p["fn"]), "specificity": (p["tn"], p["tn"] + p["fp"]),
                  "ppv": (p["tp"], p["tp"] + p["fp"]), "npv": (p["tn"], p["tn"] + p["fn"])}
        for rate, (x, n) in counts.items():
            lo, hi = p[rate + "_ci95"]
            est = p[rate]
            if n == 0:
                check(lo is None and hi is None and est is None, "%s %s %s is empty for 0/0" % (c, p["name"], rate))
                continue
            check(lo <= est <= hi and abs(est - x / n) <= 1e-12,
                  "%s %s %s %d/%d = %.3f lies in its Clopper-Pearson CI (%.3f-%.3f)"
                  % (c, p["name"], rate, x, n, est, lo, hi))
            cp.write("%d %d %.17g %.17g %s_%s_%s\n" % (x, n, lo, hi, c, p["name"], rate))
    for cmp in m["comparisons"]:
        k = cmp["counts"]
        for key, counts in k.items():
            total = counts["tp"] + counts["tn"] + counts["fn"] + counts["fp"]
            check(total == cmp["cases"] and counts["tp"] + counts["fn"] == cmp["positive"],
                  "%s %s subset counts (%s) add up to %d cases, %d positive"
                  % (c, cmp["comparator"], key, cmp["cases"], cmp["positive"]))
PY

# Clopper-Pearson intervals against R's binom.test (exact), tolerance 1e-9.
if command -v Rscript >/dev/null 2>&1; then
    Rscript --vanilla -e '
for (line in readLines(commandArgs(TRUE)[1])) {
  f <- strsplit(line, " ")[[1]]
  ci <- binom.test(as.integer(f[1]), as.integer(f[2]))$conf.int
  d <- max(abs(ci[1] - as.numeric(f[3])), abs(ci[2] - as.numeric(f[4])))
  cat(sprintf("%s Clopper-Pearson %s (%s/%s) matches binom.test, max deviation %.2g\n",
              if (d <= 1e-9) "PASS" else "FAIL", f[5], f[1], f[2], d))
}' "$work/cp.txt"
else
    echo "SKIP Clopper-Pearson against binom.test: Rscript not installed (Debian package r-base-core)"
fi
