#!/bin/sh
# Checks that docs/tutorial.md shows every cell of docs/tutorial.py as it is
# now, then runs docs/tutorial.py end to end on the simulated-lesion cohort
# against the built libraries (${B:-build}/lib) and the binding in
# bindings/python/src. The run must exit 0 and write both figures to a
# temporary folder, leaving the committed figures in docs/ untouched. The data
# folder is $RADIOMICS_REFDATA, else $REFDATA, else ../shared/data.
# Prints PASS, FAIL or "SKIP tutorial: why" lines for tools/run-tests.sh.

# RADIOMICS_TEST_QUICK (set by make check-sanitizers) skips this slow script.
case "${RADIOMICS_TEST_QUICK:-0}" in
    ""|0) ;;
    *) echo "SKIP tutorial: RADIOMICS_TEST_QUICK is set; this script runs in the plain pass of make check"
       exit 0 ;;
esac

python=${PYTHON:-/usr/bin/python3}
refdata=${RADIOMICS_REFDATA:-${REFDATA:-../shared/data}}
[ -d "$refdata" ] && refdata=$(cd "$refdata" && pwd)
cd "$(dirname "$0")/.." || exit 1
libdir=${B:-build}/lib
status=0

if ! [ -x "$python" ]; then
    echo "SKIP tutorial: $python not found (Debian: python3)"
    exit 0
fi
for module in numpy pandas matplotlib; do
    if ! "$python" -c "import $module" >/dev/null 2>&1; then
        echo "SKIP tutorial: $module not importable by $python (Debian: python3-$module)"
        exit 0
    fi
done
if ! [ -e "$libdir/libcalci.so.0" ] || ! [ -e "$libdir/libradiomics.so.0" ]; then
    echo "FAIL tutorial: libcalci.so.0 or libradiomics.so.0 missing in $libdir (run make libs)"
    exit 1
fi

# docs/tutorial.md is generated from docs/tutorial.py, so every cell of the
# script must appear in it verbatim; otherwise make_tutorial.sh was not rerun.
if "$python" - docs/tutorial.py docs/tutorial.md <<'PY'
import sys

script, markdown = (open(path, encoding="utf-8").read() for path in sys.argv[1:3])
cells, stale = [], []
for number, line in enumerate(script.splitlines(), start=1):
    if line.startswith("# %%"):
        cells.append(("markdown" if "[markdown]" in line else "code", number, []))
    elif cells:
        cells[-1][2].append(line)
for kind, number, body in cells:
    if kind == "markdown":
        text = "\n".join(line[2:] if line.startswith("# ") else line.lstrip("#")
                         for line in body).strip("\n")
    else:
        text = "```python\n" + "\n".join(body).strip("\n") + "\n```"
    if text not in markdown:
        stale.append(str(number))
if stale:
    print("docs/tutorial.py cells at lines " + ", ".join(stale) + " differ from docs/tutorial.md")
sys.exit(1 if stale else 0)
PY
then
    echo "PASS tutorial.md matches tutorial.py"
else
    echo "FAIL tutorial.md is stale: run docs/make_tutorial.sh"
    status=1
fi

if ! [ -f "$refdata/calci_sim_on_sts/manifest.csv" ]; then
    echo "SKIP tutorial: $refdata/calci_sim_on_sts/manifest.csv not found (set RADIOMICS_REFDATA)"
    exit $status
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
libdir=$(cd "$libdir" && pwd)
committed_figures=$(stat -c %y docs/tutorial-box.png docs/tutorial-roc.png 2>/dev/null)

start=$(date +%s)
CALCI_LIBRARY="$libdir/libcalci.so.0" RADIOMICS_LIBRARY="$libdir/libradiomics.so.0" \
    PYTHONPATH="bindings/python/src${PYTHONPATH:+:$PYTHONPATH}" PYTHONDONTWRITEBYTECODE=1 \
    MPLBACKEND=Agg RADIOMICS_REFDATA="$refdata" \
    "$python" docs/tutorial.py "$work/figures" >"$work/log" 2>&1
rc=$?
seconds=$(($(date +%s) - start))

if [ $rc -ne 0 ]; then
    tail -n 30 "$work/log"
    echo "FAIL tutorial: docs/tutorial.py exited with status $rc"
    exit 1
fi
if grep -q '^SKIP' "$work/log"; then
    grep '^SKIP' "$work/log"
    exit $status
fi
missing=""
for figure in tutorial-box.png tutorial-roc.png; do
    [ -s "$work/figures/$figure" ] || missing="$missing $figure"
done
if [ -n "$missing" ]; then
    echo "FAIL tutorial: docs/tutorial.py did not write$missing to its output folder"
    exit 1
fi
if [ "$(stat -c %y docs/tutorial-box.png docs/tutorial-roc.png 2>/dev/null)" != "$committed_figures" ]; then
    echo "FAIL tutorial: docs/tutorial-*.png were rewritten although an output folder was given"
    exit 1
fi
echo "PASS tutorial runs ($seconds s)"
exit $status
