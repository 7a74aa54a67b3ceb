#!/bin/sh
# Exit statuses and messages of `calci` for bad input users reported:
# status 1 with a message naming the file and the problem for missing,
# empty, truncated and non-NIfTI images and for CSV files with duplicate ids
# or decimal commas; status 2 for a usage error; status 0 for an image
# whose path has non-ASCII characters. Prints PASS/FAIL/SKIP lines that
# tools/run-tests.sh counts.
B=${B:-build}
calci=${CALCI:-$B/bin/calci}
make_cohort=$B/bin/make_demo_cohort

if [ ! -x "$calci" ] || [ ! -x "$make_cohort" ]; then
    echo "SKIP bad-input: $calci or $make_cohort is not built"
    exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0

# expect NAME STATUS WORDS COMMAND...: runs COMMAND and checks its exit
# status and that its stderr contains WORDS (a fixed string; "" for none).
expect() {
    name=$1 status=$2 words=$3
    shift 3
    "$@" > "$work/out" 2> "$work/err"
    rc=$?
    if [ "$rc" -ne "$status" ]; then
        cat "$work/err"
        echo "FAIL bad-input $name: exit status $rc, expected $status"
        failed=1
    elif [ -n "$words" ] && ! grep -qF -- "$words" "$work/err"; then
        cat "$work/err"
        echo "FAIL bad-input $name: stderr lacks \"$words\""
        failed=1
    else
        echo "PASS bad-input $name"
    fi
}

"$make_cohort" "$work/cohort" --cases 4 > /dev/null 2>&1 || {
    echo "FAIL bad-input: make_demo_cohort failed"
    exit 1
}
image=$work/cohort/images/P001_b1.nii.gz
box=$(sed -n 's/^P001_b1,[^,]*,[^,]*,[^,]*,[^,]*,\([^,]*\),\([^,]*\),\([^,]*\),.*/\1,\2,\3/p' \
    "$work/cohort/manifest.csv")

expect missing-image 1 "$work/absent.nii.gz" \
    "$calci" extract --image "$work/absent.nii.gz" --box "$box" --out "$work/f.csv"

: > "$work/empty.nii.gz"
expect zero-byte-image 1 "0 bytes" \
    "$calci" extract --image "$work/empty.nii.gz" --box "$box" --out "$work/f.csv"

size=$(wc -c < "$image")
head -c $((size / 2)) "$image" > "$work/cut.nii.gz"
expect truncated-gzip 1 "$work/cut.nii.gz" \
    "$calci" extract --image "$work/cut.nii.gz" --box "$box" --out "$work/f.csv"

printf 'not an image\n' > "$work/notes.txt"
expect not-nifti 1 "$work/notes.txt" \
    "$calci" extract --image "$work/notes.txt" --box "$box" --out "$work/f.csv"

expect usage-error 2 "usage" "$calci" extract --image "$image" --bogus

mkdir -p "$work/Patienten Körper"
cp "$image" "$work/Patienten Körper/Bild_日本.nii.gz"
expect non-ascii-path 0 "" \
    "$calci" extract --image "$work/Patienten Körper/Bild_日本.nii.gz" --box "$box" \
    --out "$work/Ergebnis_ö.csv"

printf 'case_id,label,f1,f2\na,1,1,2\na,0,2,3\nb,0,1,1\nc,1,3,1\n' > "$work/dup.csv"
expect csv-duplicate-id 1 "dup.csv" \
    "$calci" train "$work/dup.csv" --id case_id --label label --classifier lr --out "$work/m"

printf 'case_id,label,f1\na,1,"1,5"\nb,0,2\nc,1,3\nd,0,1\n' > "$work/comma.csv"
expect csv-decimal-comma 1 "1,5" \
    "$calci" train "$work/comma.csv" --id case_id --label label --classifier lr --out "$work/m"

exit $failed
