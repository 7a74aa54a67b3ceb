#!/bin/sh
# End-to-end runs of `calci study` on real CT:
#  1. the simulated-lesion cohort on real CT crops (box mode, automatic
#     subcutaneous segmentation): the models must separate lesions from
#     untouched tissue on the held-out patients;
#  2. the 35 soft-tissue-sarcoma CT scans with their tumour masks and the
#     real lung-metastasis labels: the study must finish and report AUCs.
# Prints PASS/FAIL/SKIP lines that tools/run-tests.sh counts.

# RADIOMICS_TEST_QUICK (set by make check-sanitizers) skips this slow script.
case "${RADIOMICS_TEST_QUICK:-0}" in
    ""|0) ;;
    *) echo "SKIP e2e study: RADIOMICS_TEST_QUICK is set; this script runs in the plain pass of make check"
       exit 0 ;;
esac

refdata=${RADIOMICS_REFDATA:-${REFDATA:-../shared/data}}
# Manifest paths are relative to the manifest's folder, so make refdata absolute.
[ -d "$refdata" ] && refdata=$(cd "$refdata" && pwd)
calci=${CALCI:-build/bin/calci}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

check_summary() {
    # $1 summary.json, $2 minimum test AUC, $3 name
    python3 - "$1" "$2" "$3" <<'PY'
import json, math, sys
path, minimum, name = sys.argv[1], float(sys.argv[2]), sys.argv[3]
s = json.load(open(path))
ok = True
for m in s["models"]:
    auc = m["test"]["auc"]
    lo, hi = m["test"]["auc_ci95"]
    good = auc is not None and minimum <= auc <= 1 and lo <= auc <= hi
    good = good and m["test"]["ci_method"] == "DeLong" and len(m["features"]) >= 1
    good = good and all(p["tp"] + p["fn"] == m["test"]["positive"] for p in m["operating_points"])
    print("%s %s %s: test AUC %.3f (%.3f-%.3f), CV AUC %.3f, %d features" % (
        "PASS" if good else "FAIL", name, m["classifier"], auc, lo, hi, m["cv_auc"],
        len(m["features"])))
    ok = ok and good
sys.exit(0 if ok else 1)
PY
}

# 1. Simulated calciphylaxis-like lesions on real CT, box mode.
sim="$refdata/calci_sim_on_sts"
if [ -f "$sim/manifest.csv" ]; then
    if "$calci" study "$sim/manifest.csv" --out "$work/sim" --threads 2 --quiet \
        >"$work/sim.log" 2>&1; then
        cat "$work/sim.log"
        check_summary "$work/sim/summary.json" 0.75 "study on simulated lesions"
        for f in features.csv summary.json lr.model svm.model report.html roc_lr.csv; do
            if [ -s "$work/sim/$f" ]; then echo "PASS study writes $f"
            else echo "FAIL study writes $f"; fi
        done
        rows=$(($(wc -l <"$work/sim/features.csv") - 1))
        if [ "$rows" -eq 111 ]; then echo "PASS features.csv has one row per case"
        else echo "FAIL features.csv has $rows rows, expected 111"; fi
        if "$calci" predict "$work/sim/lr.model" "$work/sim/features.csv" --out "$work/pred.csv" \
            && [ "$(($(wc -l <"$work/pred.csv") - 1))" -eq 111 ]; then
            echo "PASS predict scores every case of features.csv"
        else
            echo "FAIL predict on features.csv"
        fi
    else
        cat "$work/sim.log"
        echo "FAIL study on simulated lesions exited with an error"
    fi
else
    echo "SKIP study on simulated lesions: $sim not found (set RADIOMICS_REFDATA)"
fi

# 2. Soft-tissue sarcoma CT with tumour masks and lung-metastasis labels.
sts="$refdata/ibsi_validation_sts/nifti"
labels="$refdata/sts_lung_metastasis_labels/labels.csv"
if [ -d "$sts" ] && [ -f "$labels" ]; then
    manifest="$work/sts.csv"
    echo "case_id,patient_id,label,image,mask" >"$manifest"
    for dir in "$sts"/STS_*; do
        id=$(basename "$dir")
        label=$(awk -F, -v id="$id" '$1 == id { print $2 }' "$labels" | tr -d '\r')
        [ -f "$dir/CT_image.nii.gz" ] || continue
        echo "$id,$id,$label,$dir/CT_image.nii.gz,$dir/CT_mask.nii.gz" >>"$manifest"
    done
    n=$(($(wc -l <"$manifest") - 1))
    if "$calci" study "$manifest" --out "$work/sts" --threads 2 --quiet --seed 7 \
        >"$work/sts.log" 2>&1; then
        cat "$work/sts.log"
        echo "PASS study on $n real STS CT scans finished"
        check_summary "$work/sts/summary.json" 0 "study on STS lung metastasis"
    else
        cat "$work/sts.log"
        echo "FAIL study on $n real STS CT scans exited with an error"
    fi
else
    echo "SKIP study on STS CT: $sts or $labels not found (set RADIOMICS_REFDATA)"
fi

# 3. Bad input: exit status 1 with a message, 2 for bad usage, never a crash.
"$calci" study "$work/missing.csv" --out "$work/x" 2>"$work/err.txt"
rc=$?
if [ $rc -eq 1 ] && grep -q "missing.csv" "$work/err.txt"; then
    echo "PASS missing manifest gives exit status 1 naming the file"
else
    echo "FAIL missing manifest: exit status $rc, message: $(cat "$work/err.txt")"
fi
"$calci" study --bogus 2>/dev/null
rc=$?
if [ $rc -eq 2 ]; then echo "PASS unknown option gives exit status 2"
else echo "FAIL unknown option: exit status $rc"; fi
