#!/bin/sh
# Runs the Python binding's pytest suite against the freshly built library.
# bindings/python/run-tests.sh prints SKIP when numpy or pytest is missing.

# RADIOMICS_TEST_QUICK (set by make check-sanitizers) skips this slow script.
case "${RADIOMICS_TEST_QUICK:-0}" in
    ""|0) ;;
    *) echo "SKIP python binding: RADIOMICS_TEST_QUICK is set; this script runs in the plain pass of make check"
       exit 0 ;;
esac

out=$(mktemp)
if sh bindings/python/run-tests.sh "${BUILD:-build}/lib" >"$out" 2>&1; then
    cat "$out"
    grep -q '^SKIP' "$out" || echo "PASS python binding: $(tail -n 1 "$out")"
else
    cat "$out"
    echo "FAIL python binding: bindings/python/run-tests.sh failed"
fi
rm -f "$out"
