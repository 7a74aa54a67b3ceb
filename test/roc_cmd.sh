#!/bin/sh
# Runs `calci roc` on pROC's aSAH data (outcome Good/Poor, markers wfns,
# s100b, ndka) and compares it with pROC 1.18 run at test time. AUC must
# agree to 1e-12, and the DeLong CI and the paired and unpaired DeLong
# statistics and p-values to 1e-9. The bootstrap CI must lie within
# Monte-Carlo error of pROC's (0.02 with 2000 replicates on each side).
# It also checks the JSON layout and the exit statuses for bad input (1)
# and bad usage (2).
# Prints PASS/FAIL/SKIP lines that tools/run-tests.sh counts.
refdata=${RADIOMICS_REFDATA:-${REFDATA:-../shared/data}}
calci=${CALCI:-build/bin/calci}
data="$refdata/pROC_aSAH/aSAH.csv"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ ! -f "$data" ]; then
    echo "SKIP calci roc: $data not found"
    exit 0
fi
if [ ! -x "$calci" ]; then
    echo "FAIL calci roc: $calci not built"
    exit 1
fi

# Exit statuses: bad input names the file, column or value (1); bad usage (2).
expect_status() {
    # $1 name, $2 expected status, $3 text expected on stderr, then the arguments
    name=$1 expected=$2 text=$3
    shift 3
    "$calci" roc "$@" > /dev/null 2> "$work/stderr"
    status=$?
    if [ "$status" -eq "$expected" ] && grep -q -- "$text" "$work/stderr"; then
        echo "PASS roc status $name"
    else
        echo "FAIL roc status $name: exit $status, expected $expected; stderr: $(cat "$work/stderr")"
    fi
}
expect_status "missing file" 1 "missing.csv" "$work/missing.csv" --label outcome --score s100b
expect_status "missing column" 1 '"nope"' "$data" --label outcome --positive Poor --score nope
expect_status "absent positive" 1 '"Bad"' "$data" --label outcome --positive Bad --score s100b
expect_status "text score" 1 '"gender"' "$data" --label outcome --positive Poor --score gender
expect_status "three classes" 1 "third value" "$data" --label gos6 --positive 5 --score s100b
expect_status "unknown option" 2 "--bogus" "$data" --label outcome --score s100b --bogus
expect_status "no score" 2 "--score" "$data" --label outcome
expect_status "bad ci method" 2 "--ci" "$data" --label outcome --score s100b --ci wald
expect_status "bad boot-n" 2 "--boot-n" "$data" --label outcome --score s100b --boot-n 1

if ! command -v Rscript > /dev/null 2>&1; then
    echo "SKIP calci roc versus pROC: Rscript not installed (Debian package r-cran-proc)"
    exit 0
fi
if ! command -v python3 > /dev/null 2>&1; then
    echo "SKIP calci roc versus pROC: python3 not installed (needed to read the JSON output)"
    exit 0
fi

cat > "$work/proc.R" <<'R'
if (!requireNamespace('pROC', quietly = TRUE)) { cat('NOPROC\n'); quit(status = 0) }
suppressMessages(library(pROC))
d <- read.csv(commandArgs(trailingOnly = TRUE)[1])
out <- function(key, x) cat(key, sprintf('%.17g', x), '\n')
markers <- c('wfns', 's100b', 'ndka')
curves <- list()
for (k in markers) {
  r <- roc(d$outcome, as.numeric(d[[k]]), levels = c('Good', 'Poor'), direction = 'auto',
           quiet = TRUE)
  curves[[k]] <- r
  ci <- ci.auc(r, method = 'delong')
  out(paste0(k, '.auc'), as.numeric(auc(r)))
  out(paste0(k, '.lo'), ci[1]); out(paste0(k, '.hi'), ci[3])
  set.seed(1)
  ci <- ci.auc(r, method = 'bootstrap', boot.n = 2000, progress = 'none')
  out(paste0(k, '.blo'), ci[1]); out(paste0(k, '.bhi'), ci[3])
}
for (i in 1:2) for (j in (i + 1):3) {
  a <- markers[i]; b <- markers[j]
  t <- roc.test(curves[[a]], curves[[b]], method = 'delong', paired = TRUE)
  out(paste0(a, '_', b, '.z'), t$statistic); out(paste0(a, '_', b, '.p'), t$p.value)
  t <- suppressWarnings(roc.test(curves[[a]], curves[[b]], method = 'delong', paired = FALSE))
  out(paste0(a, '_', b, '.t'), t$statistic); out(paste0(a, '_', b, '.up'), t$p.value)
}
R
if ! Rscript --vanilla "$work/proc.R" "$data" > "$work/proc.out" 2> "$work/proc.err"; then
    echo "FAIL calci roc versus pROC: Rscript failed: $(cat "$work/proc.err")"
    exit 1
fi
if grep -q NOPROC "$work/proc.out"; then
    echo "SKIP calci roc versus pROC: R package pROC not installed (Debian package r-cran-proc)"
    exit 0
fi

scores="--score wfns --score s100b --score ndka"
# shellcheck disable=SC2086
"$calci" roc "$data" --label outcome --positive Poor $scores > "$work/text.out" &&
"$calci" roc "$data" --label outcome --positive Poor $scores --json > "$work/delong.json" &&
"$calci" roc "$data" --label outcome --positive Poor $scores --json --unpaired \
    > "$work/unpaired.json" &&
"$calci" roc "$data" --label outcome --positive Poor $scores --json --ci bootstrap \
    --boot-n 2000 --seed 7 > "$work/bootstrap.json"
if [ $? -ne 0 ]; then
    echo "FAIL calci roc versus pROC: calci roc failed"
    exit 1
fi

python3 - "$work" <<'PY'
import json, sys

work = sys.argv[1]
ref = {}
for line in open(work + "/proc.out"):
    key, value = line.split()
    ref[key] = float(value)

def check(name, value, expected, tolerance, relative=False):
    scale = max(1.0, abs(expected)) if relative else 1.0
    good = value is not None and abs(value - expected) <= tolerance * scale
    print("%s roc %s: %.17g, pROC %.17g (tol %g%s)" % (
        "PASS" if good else "FAIL", name, value if value is not None else float("nan"),
        expected, tolerance, " rel" if relative else ""))

# Text output: header, one line per score, then the tests.
lines = open(work + "/text.out").read().split("\n")
good = lines[0] == "score auc ci_low ci_high" and lines[1].split()[0] == "wfns"
good = good and lines[5] == "a b method paired statistic p"
print("%s roc text layout" % ("PASS" if good else "FAIL"))
check("text wfns auc", float(lines[1].split()[1]), ref["wfns.auc"], 1e-12)

delong = json.load(open(work + "/delong.json"))
for curve in delong["curves"]:
    k = curve["score"]
    check(k + " auc", curve["auc"], ref[k + ".auc"], 1e-12)
    check(k + " delong ci low", curve["ci"][0], ref[k + ".lo"], 1e-9)
    check(k + " delong ci high", curve["ci"][1], ref[k + ".hi"], 1e-9)
    good = curve["ci_method"] == "delong"
    print("%s roc %s ci_method" % ("PASS" if good else "FAIL", k))
for test in delong["tests"]:
    key = test["a"] + "_" + test["b"]
    good = test["method"] == "delong" and test["paired"] is True
    print("%s roc %s paired fields" % ("PASS" if good else "FAIL", key))
    check(key + " paired z", test["statistic"], ref[key + ".z"], 1e-9, True)
    check(key + " paired p", test["p"], ref[key + ".p"], 1e-9 * ref[key + ".p"])

unpaired = json.load(open(work + "/unpaired.json"))
for test in unpaired["tests"]:
    key = test["a"] + "_" + test["b"]
    good = test["method"] == "delong" and test["paired"] is False
    print("%s roc %s unpaired fields" % ("PASS" if good else "FAIL", key))
    check(key + " unpaired t", test["statistic"], ref[key + ".t"], 1e-9, True)
    check(key + " unpaired p", test["p"], ref[key + ".up"], 1e-9 * ref[key + ".up"])

# Bootstrap bounds: the 2.5 % quantile of 2000 replicates has a standard
# error near 0.003 on aSAH (DeLong sd about 0.04-0.05), so two independent
# runs differ by about 0.004; 0.02 is about 5 standard errors.
bootstrap = json.load(open(work + "/bootstrap.json"))
for curve in bootstrap["curves"]:
    k = curve["score"]
    good = curve["ci_method"] == "bootstrap"
    print("%s roc %s bootstrap ci_method" % ("PASS" if good else "FAIL", k))
    check(k + " bootstrap ci low", curve["ci"][0], ref[k + ".blo"], 0.02)
    check(k + " bootstrap ci high", curve["ci"][1], ref[k + ".bhi"], 0.02)
PY
