#!/bin/sh
# Tests of `calci train` and `calci evaluate` on pROC's aSAH data and on
# scikit-learn's breast-cancer data (written to CSV at test time). Prints
# PASS/FAIL/SKIP lines that tools/run-tests.sh counts.
refdata=${RADIOMICS_REFDATA:-${REFDATA:-../shared/data}}
calci=${CALCI:-build/bin/calci}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python=""
for p in python3 /usr/bin/python3; do
    if $p -c "import numpy, sklearn" >/dev/null 2>&1; then python=$p; break; fi
done

asah="$refdata/pROC_aSAH/aSAH.csv"
if [ ! -f "$asah" ]; then
    echo "SKIP train aSAH: $asah not found"
else
    # An id column first, then outcome, age, wfns, s100b, ndka (gos6 defines
    # the outcome and gender is text, so both are left out here).
    awk -F, 'NR == 1 { print "id,outcome,age,wfns,s100b,ndka"; next }
             { print "c" NR "," $2 "," $4 "," $5 "," $6 "," $7 }' "$asah" > "$work/asah.csv"
    awk -F, 'NR == 1 { print "id,outcome,gender,age"; next }
             { print "c" NR "," $2 "," $3 "," $4 }' "$asah" > "$work/asah_text.csv"

    # A text feature column is an error that names the column.
    if "$calci" train "$work/asah_text.csv" --id id --label outcome --positive Poor \
        --classifier lr --out "$work/bad.model" 2> "$work/err.txt"; then
        echo "FAIL train rejects text column: exit status 0"
    elif grep -q '"gender"' "$work/err.txt"; then
        echo "PASS train rejects text column"
    else
        echo "FAIL train rejects text column: message $(cat "$work/err.txt")"
    fi

    # A missing label column is an error naming it.
    if "$calci" train "$work/asah.csv" --id id --label result --classifier lr \
        --out "$work/bad.model" 2> "$work/err.txt"; then
        echo "FAIL train missing label column: exit status 0"
    elif grep -q '"result"' "$work/err.txt"; then
        echo "PASS train missing label column"
    else
        echo "FAIL train missing label column: message $(cat "$work/err.txt")"
    fi

    # All four features, no filter: the model is scikit-learn's
    # LogisticRegression(C=1) on z-scored columns, so the in-sample AUC of
    # `calci evaluate` must match sklearn's within 1e-9.
    if ! "$calci" train "$work/asah.csv" --id id --label outcome --positive Poor \
        --classifier lr --pcc none --select all --k 4 --out "$work/asah.model" \
        > "$work/train.txt" 2>&1; then
        echo "FAIL train aSAH lr: $(cat "$work/train.txt")"
    elif ! "$calci" evaluate "$work/asah.model" "$work/asah.csv" --label outcome \
        --positive Poor --json > "$work/eval.json" 2> "$work/err.txt"; then
        echo "FAIL evaluate aSAH lr: $(cat "$work/err.txt")"
    elif [ -z "$python" ]; then
        echo "PASS train and evaluate aSAH lr (run)"
        echo "SKIP evaluate aSAH vs scikit-learn: no python3 with numpy and sklearn"
    else
        "$python" - "$work/asah.csv" "$work/eval.json" <<'PY'
import csv, json, sys, warnings
warnings.simplefilter('ignore')
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
rows = list(csv.DictReader(open(sys.argv[1])))
X = np.array([[float(r[c].strip('"')) for c in ("age", "wfns", "s100b", "ndka")] for r in rows])
y = np.array([1 if r["outcome"] == "Poor" else 0 for r in rows])
Z = (X - X.mean(0)) / X.std(0)
p = LogisticRegression(C=1.0, tol=1e-10, solver="newton-cg", max_iter=10000).fit(Z, y).predict_proba(Z)[:, 1]
auc = roc_auc_score(y, p)
brier = float(np.mean((p - y) ** 2))
e = json.load(open(sys.argv[2]))
ok = abs(e["auc"] - auc) < 1e-9 and abs(e["brier"] - brier) < 1e-6
ok = ok and e["auc_ci_lower"] <= e["auc"] <= e["auc_ci_upper"]
ok = ok and e["positives"] == int(y.sum()) and e["negatives"] == int(len(y) - y.sum())
print("%s evaluate aSAH vs scikit-learn: AUC %.6f (sklearn %.6f), Brier %.6f (sklearn %.6f), "
      "calibration slope %s" % ("PASS" if ok else "FAIL", e["auc"], auc, e["brier"], brier,
                                e["calibration_slope"]))
PY
    fi
fi

if [ -z "$python" ]; then
    echo "SKIP train breast cancer: no python3 with numpy and sklearn"
    exit 0
fi
"$python" - "$work/bc.csv" <<'PY'
import sys
from sklearn.datasets import load_breast_cancer
d = load_breast_cancer()
with open(sys.argv[1], "w") as f:
    f.write("id,diagnosis," + ",".join(n.replace(" ", "_") for n in d.feature_names) + "\n")
    for i, (row, t) in enumerate(zip(d.data, d.target)):
        f.write("b%d,%s,%s\n" % (i, "benign" if t == 1 else "malignant",
                                 ",".join("%.17g" % v for v in row)))
PY
for spec in "svm anova" "lr relieff" "lr_l1 relief"; do
    set -- $spec
    name="train breast cancer $1 $2"
    if ! "$calci" train "$work/bc.csv" --id id --label diagnosis --positive malignant \
        --classifier "$1" --select "$2" --k auto --out "$work/bc.model" > "$work/train.txt" 2>&1; then
        echo "FAIL $name: $(cat "$work/train.txt")"
        continue
    fi
    # In-sample AUC of the diagnosis models is far above 0.95 (sklearn's own
    # linear models reach about 0.99 on these 30 features).
    if "$calci" evaluate "$work/bc.model" "$work/bc.csv" --label diagnosis --positive malignant \
        > "$work/eval.txt" 2>&1 &&
        awk '/^auc/ { exit !($2 > 0.95 && $2 <= 1) }' "$work/eval.txt"; then
        echo "PASS $name: $(grep '^auc' "$work/eval.txt")"
    else
        echo "FAIL $name: $(cat "$work/eval.txt")"
    fi
done
