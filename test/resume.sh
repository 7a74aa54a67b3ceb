#!/bin/sh
# `calci study` interrupted with SIGKILL and run again: no output that
# looks complete may be half-written, the rerun must read the cases done
# before from DIR/.cache, and its outputs must equal those of a clean
# --no-cache run byte for byte. Prints PASS/FAIL/SKIP lines that
# tools/run-tests.sh counts.

# RADIOMICS_TEST_QUICK (set by make check-sanitizers) skips this slow script.
case "${RADIOMICS_TEST_QUICK:-0}" in
    ""|0) ;;
    *) echo "SKIP resume: RADIOMICS_TEST_QUICK is set; this script runs in the plain pass of make check"
       exit 0 ;;
esac

calci=${CALCI:-build/bin/calci}
bin=$(dirname "$calci")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
outputs="features.csv summary.json report.html lr.model svm.model roc_lr.csv roc_svm.csv"

if [ ! -x "$calci" ] || [ ! -x "$bin/make_demo_cohort" ]; then
    echo "SKIP resume: $calci or $bin/make_demo_cohort not built"
    exit 0
fi
if ! "$bin/make_demo_cohort" "$work/demo" >"$work/demo.log" 2>&1; then
    cat "$work/demo.log"
    echo "FAIL resume: make_demo_cohort failed"
    exit 1
fi
manifest="$work/demo/manifest.csv"
n_cases=$(($(wc -l <"$manifest") - 1))
failures=0
pass() { echo "PASS $1"; }
fail() { echo "FAIL $1"; failures=$((failures + 1)); }

# Reference run without the cache.
if ! "$calci" study "$manifest" --out "$work/clean" --no-cache --quiet >"$work/clean.log" 2>&1; then
    cat "$work/clean.log"
    fail "study --no-cache on the demo cohort exited with an error"
    exit 1
fi
if [ -d "$work/clean/.cache" ]; then fail "study --no-cache created a cache folder"
else pass "study --no-cache creates no cache folder"; fi

# Interrupted run: SIGKILL once at least 5 cases are in the cache.
"$calci" study "$manifest" --out "$work/run" >"$work/first.log" 2>&1 &
pid=$!
cached=0
tries=0
while [ "$tries" -lt 1200 ]; do
    cached=$(ls "$work/run/.cache" 2>/dev/null | grep -c '\.case$')
    [ "$cached" -ge 5 ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
    tries=$((tries + 1))
done
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
cached=$(ls "$work/run/.cache" 2>/dev/null | grep -c '\.case$')
if [ "$cached" -ge 5 ] && [ "$cached" -lt "$n_cases" ]; then
    pass "study killed with $cached of $n_cases cases in the cache"
else
    fail "study killed with $cached of $n_cases cases in the cache, expected 5 to $((n_cases - 1))"
fi

# Whatever output exists after the kill must be complete.
for f in $outputs; do
    path="$work/run/$f"
    [ -e "$path" ] || continue
    case "$f" in
        features.csv) complete=$([ "$(($(wc -l <"$path") - 1))" -eq "$n_cases" ] && echo 1) ;;
        summary.json) complete=$(python3 -c 'import json,sys; json.load(open(sys.argv[1])); print(1)' "$path" 2>/dev/null) ;;
        report.html) complete=$(tail -c 200 "$path" | grep -q '</html>' && echo 1) ;;
        *) complete=1 ;;
    esac
    if [ "$complete" = 1 ]; then pass "interrupted study left a complete $f"
    else fail "interrupted study left an incomplete $f"; fi
done
if [ ! -e "$work/run/summary.json" ] && [ ! -e "$work/run/report.html" ]; then
    pass "interrupted study left no summary.json or report.html"
fi

# Rerun: it must read the cached cases and extract only the others.
start=$(date +%s.%N)
if ! "$calci" study "$manifest" --out "$work/run" >"$work/second.log" 2>&1; then
    cat "$work/second.log"
    fail "rerun of the interrupted study exited with an error"
    exit 1
fi
end=$(date +%s.%N)
hits=$(sed -n 's/^calci: \([0-9]*\) of [0-9]* cases read from the cache.*/\1/p' "$work/second.log")
if [ -n "$hits" ] && [ "$hits" -ge "$cached" ] && [ "$hits" -lt "$n_cases" ]; then
    pass "rerun read $hits cases from the cache and extracted $((n_cases - hits)) ($(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }') s)"
else
    fail "rerun read '${hits}' cases from the cache, expected at least $cached and fewer than $n_cases"
fi
for f in $outputs; do
    if cmp -s "$work/clean/$f" "$work/run/$f"; then pass "resumed study writes $f as a clean run"
    else fail "resumed study $f differs from a clean run"; fi
done

# A third run takes every case from the cache and still gives the same table.
"$calci" study "$manifest" --out "$work/run" >"$work/third.log" 2>&1
hits=$(sed -n 's/^calci: \([0-9]*\) of [0-9]* cases read from the cache.*/\1/p' "$work/third.log")
if [ "$hits" = "$n_cases" ] && cmp -s "$work/clean/features.csv" "$work/run/features.csv"; then
    pass "fully cached study reads all $n_cases cases and writes the same features.csv"
else
    fail "fully cached study read '${hits}' of $n_cases cases or changed features.csv"
fi

# A changed extraction setting must not reuse the cache.
"$calci" study "$manifest" --out "$work/run" --set binWidth=10 >"$work/fourth.log" 2>&1
hits=$(sed -n 's/^calci: \([0-9]*\) of [0-9]* cases read from the cache.*/\1/p' "$work/fourth.log")
if [ "$hits" = 0 ]; then pass "changed binWidth reads no case from the cache"
else fail "changed binWidth read '${hits}' cases from the cache, expected 0"; fi

[ "$failures" -eq 0 ]
