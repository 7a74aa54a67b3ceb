#!/bin/sh
# Builds, tests and checks the R package against the freshly built library.
# bindings/r/run-tests.sh prints a PASS or SKIP line itself.
sh bindings/r/run-tests.sh "${BUILD:-build}" 2>&1 || echo "FAIL R binding: bindings/r/run-tests.sh failed"
