#!/bin/sh
# Builds, tests and checks the R package against the freshly built library.
# bindings/r/run-tests.sh prints a PASS or SKIP line itself.

# RADIOMICS_TEST_QUICK (set by make check-sanitizers) skips this slow script.
case "${RADIOMICS_TEST_QUICK:-0}" in
    ""|0) ;;
    *) echo "SKIP R binding: RADIOMICS_TEST_QUICK is set; this script runs in the plain pass of make check"
       exit 0 ;;
esac

sh bindings/r/run-tests.sh "${BUILD:-build}" 2>&1 || echo "FAIL R binding: bindings/r/run-tests.sh failed"
