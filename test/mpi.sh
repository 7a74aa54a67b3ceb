#!/bin/sh
# calci-mpi on 2 ranks (1 coordinator, 1 worker) must write the same
# features table as calci, byte for byte, for `extract --manifest` and for
# `study`. Skipped without mpicc and mpirun. Prints PASS/FAIL/SKIP lines
# that tools/run-tests.sh counts.

# RADIOMICS_TEST_QUICK (set by make check-sanitizers) skips this slow script.
case "${RADIOMICS_TEST_QUICK:-0}" in
    ""|0) ;;
    *) echo "SKIP calci-mpi: RADIOMICS_TEST_QUICK is set; this script runs in the plain pass of make check"
       exit 0 ;;
esac

calci=${CALCI:-build/bin/calci}
bin=$(dirname "$calci")
calci_mpi="$bin/calci-mpi"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if ! command -v mpicc >/dev/null || ! command -v mpirun >/dev/null; then
    echo "SKIP calci-mpi: mpicc or mpirun not installed (apt-get install libopenmpi-dev openmpi-bin)"
    exit 0
fi
if [ ! -x "$calci_mpi" ]; then
    ${MAKE:-make} --no-print-directory mpi >"$work/make.log" 2>&1 || {
        cat "$work/make.log"
        echo "FAIL calci-mpi: make mpi failed"
        exit 1
    }
fi
if [ ! -x "$calci" ] || [ ! -x "$bin/make_demo_cohort" ]; then
    echo "SKIP calci-mpi: $calci or $bin/make_demo_cohort not built"
    exit 0
fi

# Keep every MPI connection on this machine: shared memory and loopback
# only, no TCP transport between ranks, no remote launcher.
export OMPI_MCA_btl=self,vader
export OMPI_MCA_pml=ob1
export OMPI_MCA_btl_tcp_if_include=lo
export OMPI_MCA_oob_tcp_if_include=lo
export OMPI_MCA_plm_rsh_agent=false
mpi_run() {
    timeout 600 mpirun --allow-run-as-root --oversubscribe --host localhost:2 -np 2 "$@"
}

"$bin/make_demo_cohort" "$work/demo" >/dev/null 2>&1 || {
    echo "FAIL calci-mpi: make_demo_cohort failed"
    exit 1
}
manifest="$work/demo/manifest.csv"
failures=0

"$calci" extract --manifest "$manifest" --out "$work/single.csv" 2>"$work/single.log" || {
    cat "$work/single.log"
    echo "FAIL calci extract --manifest exited with an error"
    exit 1
}
if mpi_run "$calci_mpi" extract --manifest "$manifest" --out "$work/mpi.csv" >"$work/mpi.log" 2>&1 &&
    cmp -s "$work/single.csv" "$work/mpi.csv"; then
    echo "PASS calci-mpi extract on 2 ranks equals calci extract byte for byte"
else
    cat "$work/mpi.log"
    echo "FAIL calci-mpi extract on 2 ranks differs from calci extract"
    failures=$((failures + 1))
fi

"$calci" study "$manifest" --out "$work/study_single" --no-cache --quiet >/dev/null 2>&1
if mpi_run "$calci_mpi" study "$manifest" --out "$work/study_mpi" --quiet >"$work/study.log" 2>&1; then
    for f in features.csv summary.json lr.model svm.model; do
        if cmp -s "$work/study_single/$f" "$work/study_mpi/$f"; then
            echo "PASS calci-mpi study on 2 ranks writes $f as calci"
        else
            echo "FAIL calci-mpi study on 2 ranks writes another $f"
            failures=$((failures + 1))
        fi
    done
else
    cat "$work/study.log"
    echo "FAIL calci-mpi study on 2 ranks exited with an error"
    failures=$((failures + 1))
fi

# A case that fails on a worker must end every rank with an error, not hang.
sed '2s|images/[^,]*|images/missing.nii.gz|' "$manifest" >"$work/demo/broken.csv"
if mpi_run "$calci_mpi" extract --manifest "$work/demo/broken.csv" --out "$work/broken_out.csv" \
    >"$work/broken.log" 2>&1; then
    echo "FAIL calci-mpi extract with a missing image exited with status 0"
    failures=$((failures + 1))
elif [ -e "$work/broken_out.csv" ]; then
    echo "FAIL calci-mpi extract with a missing image wrote $work/broken_out.csv"
    failures=$((failures + 1))
else
    echo "PASS calci-mpi extract with a missing image fails without output"
fi

[ "$failures" -eq 0 ]
