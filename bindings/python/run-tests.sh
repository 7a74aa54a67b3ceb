#!/bin/sh
# Run the Python binding's tests against freshly built libraries, without
# installing anything.
#
#   bindings/python/run-tests.sh BUILD_LIB_DIR [PYTEST_ARGS...]
#
# BUILD_LIB_DIR holds libcalci.so.0 and libradiomics.so.0 (build/lib). The
# interpreter is /usr/bin/python3 unless PYTHON is set. Prints a SKIP line and
# exits 0 when the interpreter, NumPy or pytest is missing.
set -u

here=$(cd "$(dirname "$0")" && pwd)
if [ $# -lt 1 ]; then
    echo "usage: $0 BUILD_LIB_DIR [PYTEST_ARGS...]" >&2
    exit 2
fi
libdir=$1
shift
python=${PYTHON:-/usr/bin/python3}

if ! [ -x "$python" ]; then
    echo "SKIP python binding: $python not found (Debian: python3)"
    exit 0
fi
for module in numpy pytest; do
    if ! "$python" -c "import $module" >/dev/null 2>&1; then
        echo "SKIP python binding: $module not importable by $python (Debian: python3-$module)"
        exit 0
    fi
done
if ! [ -e "$libdir/libcalci.so.0" ] || ! [ -e "$libdir/libradiomics.so.0" ]; then
    echo "python binding: libcalci.so.0 or libradiomics.so.0 missing in $libdir (run make libs)" >&2
    exit 1
fi

libdir=$(cd "$libdir" && pwd)
CALCI_LIBRARY="$libdir/libcalci.so.0"
RADIOMICS_LIBRARY="$libdir/libradiomics.so.0"
PYTHONPATH="$here/src${PYTHONPATH:+:$PYTHONPATH}"
PYTHONDONTWRITEBYTECODE=1
export CALCI_LIBRARY RADIOMICS_LIBRARY PYTHONPATH PYTHONDONTWRITEBYTECODE

exec "$python" -m pytest -p no:cacheprovider -q -rs "$here/tests" "$@"
