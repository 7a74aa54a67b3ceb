#!/bin/sh
# Installs the Debian packages the build and the tests need, when missing.
# As root it runs apt-get itself; otherwise it prints the command to run.
#   tools/deps.sh build   what building the libraries and programs needs
#   tools/deps.sh check   that, plus the reference tools the tests run
#                         (R's pROC, scikit-learn, PyWavelets, valgrind,
#                         Open MPI for calci-mpi)
set -e
packages="build-essential pkg-config libnifti2-dev libgsl-dev libopenblas-dev liblapacke-dev zlib1g-dev check"
if [ "${1:-build}" = check ]; then
    packages="$packages python3 python3-numpy python3-pywt python3-sklearn python3-pytest python3-pandas python3-setuptools python3-venv python3-nibabel r-base-dev r-cran-proc r-cran-testthat valgrind libopenmpi-dev openmpi-bin abigail-tools libtsan2 python3-matplotlib"
fi
missing=""
for p in $packages; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then
    echo "deps: installing$missing" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends $missing >/dev/null
else
    echo "deps: missing Debian packages; run as root:" >&2
    echo "  apt-get install$missing" >&2
    exit 1
fi
