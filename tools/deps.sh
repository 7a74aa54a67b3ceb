#!/bin/sh
# Installs the Debian packages the build and the tests need, when missing.
# As root it runs apt-get itself; otherwise it prints the command to run.
#   tools/deps.sh build   what building the libraries and programs needs
#   tools/deps.sh check   that, plus the reference tools the tests run
#                         (R's pROC, scikit-learn, PyWavelets, valgrind,
#                         Open MPI for calci-mpi)
#   tools/deps.sh bench   build, plus what `make bench` compares against:
#                         PyWavelets, ITK 5 (its C++ headers and libraries
#                         for bench/itk_glcm.cxx), R's pROC, scikit-learn
set -e
packages="build-essential pkg-config libnifti2-dev libgsl-dev libopenblas-dev liblapacke-dev zlib1g-dev check"
case "${1:-build}" in
check)
    packages="$packages python3 python3-numpy python3-pywt python3-sklearn python3-pytest python3-pandas python3-setuptools python3-venv python3-nibabel r-base-dev r-cran-proc r-cran-testthat valgrind libopenmpi-dev openmpi-bin abigail-tools libtsan2 python3-matplotlib"
    ;;
bench)
    packages="$packages python3 python3-numpy python3-pywt python3-sklearn r-cran-proc libinsighttoolkit5-dev"
    ;;
build) ;;
*)
    echo "deps: unknown group \"$1\"; expected build, check or bench" >&2
    exit 2
    ;;
esac
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
