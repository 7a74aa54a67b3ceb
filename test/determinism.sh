#!/bin/sh
# Runs `calci study` on the synthetic demo cohort three times (--threads 1
# twice, then --threads 2, each with --no-cache so that every case is
# extracted again) and checks that features.csv, summary.json, the model
# files and the ROC tables are byte-identical across runs and thread
# counts. Prints PASS/FAIL/SKIP lines that tools/run-tests.sh counts.

# RADIOMICS_TEST_QUICK (set by make check-sanitizers) skips this slow script.
case "${RADIOMICS_TEST_QUICK:-0}" in
    ""|0) ;;
    *) echo "SKIP determinism: RADIOMICS_TEST_QUICK is set; this script runs in the plain pass of make check"
       exit 0 ;;
esac

B=${B:-build}
calci=${CALCI:-$B/bin/calci}
make_cohort=$B/bin/make_demo_cohort

if [ ! -x "$calci" ] || [ ! -x "$make_cohort" ]; then
    echo "SKIP determinism: $calci or $make_cohort is not built"
    exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0

if ! "$make_cohort" "$work/cohort" --cases 24 --seed 3 > "$work/cohort.log" 2>&1; then
    cat "$work/cohort.log"
    echo "FAIL determinism: make_demo_cohort failed"
    exit 1
fi

# The same manifest path every time: summary.json and report.html record it.
run=0
for threads in 1 1 2; do
    run=$((run + 1))
    if ! "$calci" study "$work/cohort/manifest.csv" --out "$work/run$run" --threads "$threads" \
        --no-cache --quiet --bootstrap 200 > "$work/run$run.log" 2>&1; then
        cat "$work/run$run.log"
        echo "FAIL determinism: calci study --threads $threads (run $run) failed"
        exit 1
    fi
done

for f in features.csv summary.json lr.model svm.model roc_lr.csv roc_svm.csv; do
    if ! cmp -s "$work/run1/$f" "$work/run2/$f"; then
        diff "$work/run1/$f" "$work/run2/$f" | head -n 10
        echo "FAIL determinism: $f differs between two runs with --threads 1"
        failed=1
    elif ! cmp -s "$work/run1/$f" "$work/run3/$f"; then
        diff "$work/run1/$f" "$work/run3/$f" | head -n 10
        echo "FAIL determinism: $f differs between --threads 1 and --threads 2"
        failed=1
    else
        echo "PASS determinism: $f identical over two runs and 1 or 2 threads"
    fi
done
exit $failed
