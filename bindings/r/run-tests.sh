#!/bin/sh
# Builds the calci R package against a freshly built C library, installs it
# into a temporary library, runs its testthat tests and R CMD check.
# Usage: bindings/r/run-tests.sh BUILD_DIR
#   BUILD_DIR is the repository's build/ folder (with lib/libcalci.so and
#   lib/libradiomics.so); the headers are taken from include/ beside it.
# Prints "SKIP ..." and exits 0 when R or testthat is missing.
set -eu

if [ $# -ne 1 ]; then
    echo "usage: $0 BUILD_DIR" >&2
    exit 2
fi

package_dir=$(cd "$(dirname "$0")" && pwd)
repo_dir=$(cd "$package_dir/../.." && pwd)
build_dir=$(cd "$1" && pwd)

if ! command -v R >/dev/null 2>&1 || ! command -v Rscript >/dev/null 2>&1; then
    echo "SKIP R binding: R is not installed (Debian package r-base-dev)"
    exit 0
fi
if ! Rscript -e 'quit(status = !requireNamespace("testthat", quietly = TRUE))' >/dev/null 2>&1; then
    echo "SKIP R binding: R package testthat is not installed (Debian package r-cran-testthat)"
    exit 0
fi
for library in libcalci.so libradiomics.so; do
    if [ ! -e "$build_dir/lib/$library" ]; then
        echo "run-tests.sh: $build_dir/lib/$library not found; run 'make all' first" >&2
        exit 1
    fi
done

# Build against the uninstalled tree; the rpath lets R load the libraries
# without LD_LIBRARY_PATH.
CALCI_CFLAGS="-I$repo_dir/include"
CALCI_LIBS="-L$build_dir/lib -Wl,-rpath,$build_dir/lib -lcalci -lradiomics"
export CALCI_CFLAGS CALCI_LIBS
if [ -z "${RADIOMICS_REFDATA:-}" ] && [ -d "$repo_dir/../shared/data" ]; then
    RADIOMICS_REFDATA=$(cd "$repo_dir/../shared/data" && pwd)
    export RADIOMICS_REFDATA
fi
# R CMD check must not reach the network: no clock check against a time
# server and no CRAN incoming checks.
_R_CHECK_FUTURE_FILE_TIMESTAMPS_=FALSE
_R_CHECK_CRAN_INCOMING_=FALSE
_R_CHECK_CRAN_INCOMING_REMOTE_=FALSE
export _R_CHECK_FUTURE_FILE_TIMESTAMPS_ _R_CHECK_CRAN_INCOMING_ _R_CHECK_CRAN_INCOMING_REMOTE_

work_dir=$(mktemp -d "${TMPDIR:-/tmp}/calci-r-XXXXXX")
trap 'rm -rf "$work_dir"' EXIT INT TERM
mkdir "$work_dir/lib"

echo "== R CMD build"
(cd "$work_dir" && R CMD build --no-build-vignettes --no-manual "$package_dir") \
    >"$work_dir/build.log" 2>&1 || { cat "$work_dir/build.log"; exit 1; }
tarball=$(ls "$work_dir"/calci_*.tar.gz)

echo "== R CMD INSTALL into a temporary library"
R CMD INSTALL -l "$work_dir/lib" "$tarball" >"$work_dir/install.log" 2>&1 ||
    { cat "$work_dir/install.log"; exit 1; }

echo "== testthat"
(cd "$package_dir/tests" && R_LIBS="$work_dir/lib${R_LIBS:+:$R_LIBS}" Rscript -e '
library(testthat)
library(calci)
results <- test_dir("testthat", package = "calci", load_package = "installed",
                    reporter = "summary", stop_on_failure = TRUE)
')

echo "== R CMD check --no-manual"
status=0
(cd "$work_dir" && R CMD check --no-manual "$tarball") >"$work_dir/check.log" 2>&1 || status=$?
if [ $status -ne 0 ] || grep -q -E '^\* .*\.\.\. (ERROR|WARNING)' "$work_dir/check.log"; then
    cat "$work_dir/check.log"
    if [ -f "$work_dir/calci.Rcheck/tests/testthat.Rout.fail" ]; then
        cat "$work_dir/calci.Rcheck/tests/testthat.Rout.fail"
    fi
    echo "FAIL R CMD check"
    exit 1
fi
grep -E '^Status:' "$work_dir/check.log" || true
echo "PASS R binding"
