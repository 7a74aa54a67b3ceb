#!/bin/sh
# Tests of `calci table1` on a small clinical CSV made here: the p-values,
# the chosen test and the medians and quartiles are compared with base R
# (wilcox.test, chisq.test, fisher.test, quantile type 7), which reads the
# same CSV. p-values are written with 6 significant digits, so they are
# compared to 1e-5 relative. Prints PASS/FAIL/SKIP lines that
# tools/run-tests.sh counts.
calci=${CALCI:-build/bin/calci}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ ! -x "$calci" ]; then
    echo "SKIP table1: $calci not built (make build/bin/calci)"
    exit 0
fi

# 48 patients from a fixed linear congruential generator: age with ties
# across groups (normal approximation), a lab value without ties (exact
# Mann-Whitney) and with missing cells, sex as a 2x2 table with large
# expected counts (Yates chi-square), site as a 3x2 table (chi-square),
# grade with a rare level (Fisher's exact test, 4x2) and an empty group cell.
awk 'BEGIN {
    s = 12345
    print "patient_id,arm,age,crp,sex,site,grade"
    for (i = 1; i <= 48; i++) {
        s = (s * 1103515245 + 12345) % 2147483648; u1 = s / 2147483648
        s = (s * 1103515245 + 12345) % 2147483648; u2 = s / 2147483648
        s = (s * 1103515245 + 12345) % 2147483648; u3 = s / 2147483648
        arm = (i % 2) ? "calciphylaxis" : "control"
        age = 40 + int(30 * u1) + ((i % 2) ? 5 : 0)
        crp = (i % 7 == 3) ? "" : sprintf("%.3f", 1 + 20 * u2 + ((i % 2) ? 4 : 0) + i / 1000)
        sex = (u3 < ((i % 2) ? 0.6 : 0.35)) ? "F" : "M"
        site = (u2 < 0.33) ? "leg" : (u2 < 0.66 ? "trunk" : "arm")
        grade = (i % 11 == 0) ? "4" : ((u1 < 0.4) ? "1" : ((u1 < 0.8) ? "2" : "3"))
        if (i == 48) arm = ""
        printf "P%02d,%s,%d,%s,%s,%s,%s\n", i, arm, age, crp, sex, site, grade
    }
}' > "$work/clinical.csv"

if ! "$calci" table1 "$work/clinical.csv" --group arm --continuous age crp \
        --categorical sex site grade --out "$work/table1.csv" --html "$work/table1.html" \
        > "$work/log" 2>&1; then
    echo "FAIL table1 runs: $(cat "$work/log")"
    exit 1
fi
echo "PASS table1 runs"

if grep -q "<table>" "$work/table1.html" && grep -q "crp, median (IQR)" "$work/table1.html"; then
    echo "PASS table1 html"
else
    echo "FAIL table1 html: no table or no crp row in $work/table1.html"
fi

# Errors: a missing column and a group column with three values.
if "$calci" table1 "$work/clinical.csv" --group arm --continuous nothing > "$work/log" 2>&1; then
    echo "FAIL table1 missing column: exit status 0"
elif grep -q 'no column "nothing"' "$work/log"; then
    echo "PASS table1 missing column"
else
    echo "FAIL table1 missing column: $(cat "$work/log")"
fi
if "$calci" table1 "$work/clinical.csv" --group site --continuous age > "$work/log" 2>&1; then
    echo "FAIL table1 three groups: exit status 0"
elif grep -q "expected exactly two groups" "$work/log"; then
    echo "PASS table1 three groups"
else
    echo "FAIL table1 three groups: $(cat "$work/log")"
fi

if ! command -v Rscript > /dev/null 2>&1; then
    echo "SKIP table1 against R: Rscript not installed (Debian package r-base-core)"
    exit 0
fi

cat > "$work/check.R" <<'R'
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1], colClasses = "character", na.strings = c("", "NA"))
out <- read.csv(args[2], colClasses = "character", check.names = FALSE)
d <- d[!is.na(d$arm), ]
groups <- sort(unique(d$arm))
close_to <- function(a, b) abs(a - b) <= 1e-5 * abs(b)
report <- function(ok, name, detail) {
  cat(if (ok) "PASS" else "FAIL", name, if (!ok) detail, "\n")
}
for (v in c("age", "crp")) {
  x <- as.numeric(d[[v]][d$arm == groups[1]]); y <- as.numeric(d[[v]][d$arm == groups[2]])
  p <- suppressWarnings(wilcox.test(x, y))$p.value
  row <- out[out$variable == v, ]
  report(close_to(as.numeric(row$p), p), paste0("table1 ", v, " Mann-Whitney p"),
         sprintf("calci %s, R %.10g", row$p, p))
  q <- quantile(x, c(0.5, 0.25, 0.75), na.rm = TRUE)
  want <- sprintf("%.1f (%.1f-%.1f)", q[1], q[2], q[3])
  report(row[[3]] == want, paste0("table1 ", v, " median and quartiles"),
         sprintf("calci %s, R %s", row[[3]], want))
}
for (v in c("sex", "site", "grade")) {
  x <- table(d[[v]], d$arm)
  expected <- outer(rowSums(x), colSums(x)) / sum(x)
  if (any(expected < 5)) {
    p <- fisher.test(x)$p.value; test <- "Fisher's exact"
  } else {
    p <- chisq.test(x)$p.value; test <- "chi-square"
  }
  row <- out[out$variable == v, ]
  report(close_to(as.numeric(row$p), p) && row$test == test, paste0("table1 ", v, " ", test, " p"),
         sprintf("calci %s (%s), R %.10g (%s)", row$p, row$test, p, test))
  counts <- sprintf("%d (%.1f%%)", x[, 1], 100 * x[, 1] / sum(x[, 1]))
  levels_rows <- out[which(out$variable == v) + seq_len(nrow(x)), ]
  report(all(levels_rows$level == rownames(x)) && all(levels_rows[[3]] == counts),
         paste0("table1 ", v, " counts"),
         paste(levels_rows[[3]], collapse = " / "))
}
R
Rscript --vanilla "$work/check.R" "$work/clinical.csv" "$work/table1.csv" 2>&1
