#!/bin/sh
# Checks two behaviours of `calci extract`. On a mask with labels 1 and 2 it
# uses --label-value when given, else the label setting of --set or a
# parameter file, else 1. The expected values are numpy means of the image
# inside each label. With --names ibsi it writes each name once, for one
# case and for a manifest. Prints PASS/FAIL/SKIP lines that
# tools/run-tests.sh counts.
calci=${CALCI:-build/bin/calci}
python=/usr/bin/python3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ ! -x "$calci" ]; then
    echo "FAIL extract label: $calci not built"
    exit 1
fi
if ! "$python" -c "import nibabel, numpy" 2> /dev/null; then
    echo "SKIP extract label: $python lacks nibabel or numpy (Debian python3-nibabel)"
    exit 0
fi

"$python" - "$work" <<'PY' || { echo "FAIL extract label: cannot write the test volumes"; exit 1; }
import sys
import nibabel
import numpy

work = sys.argv[1]
rng = numpy.random.default_rng(7)
image = rng.integers(-100, 100, size=(12, 12, 12)).astype(numpy.int16)
mask = numpy.zeros(image.shape, dtype=numpy.uint8)
mask[2:6, 2:10, 2:10] = 1
mask[6:10, 2:10, 2:10] = 2
nibabel.save(nibabel.Nifti1Image(image, numpy.eye(4)), work + "/image.nii")
nibabel.save(nibabel.Nifti1Image(mask, numpy.eye(4)), work + "/mask.nii")
for label in (1, 2):
    with open("%s/mean%d" % (work, label), "w") as f:
        f.write("%.17g\n" % image[mask == label].mean())
PY

failed=0
check() {
    # $1 name, $2 expected label, then the extra arguments
    name=$1 label=$2
    shift 2
    if ! "$calci" extract --image "$work/image.nii" --mask "$work/mask.nii" \
            --preset pyradiomics --out "$work/out.csv" "$@" 2> "$work/stderr"; then
        echo "FAIL extract label: $name: calci extract failed: $(cat "$work/stderr")"
        failed=1
        return
    fi
    got=$(grep '^original_firstorder_Mean,' "$work/out.csv" | cut -d, -f2)
    want=$(cat "$work/mean$label")
    if "$python" -c "import sys; sys.exit(abs(float('$got') - float('$want')) > 1e-9)"; then
        echo "PASS extract label: $name uses label $label"
    else
        echo "FAIL extract label: $name: mean $got, expected $want (label $label)"
        failed=1
    fi
}

printf 'setting:\n  label: 2\n' > "$work/label2.yaml"
check "default" 1
check "--set label=2" 2 --set label=2
check "--label-value 2" 2 --label-value 2
check "--label-value over --set" 1 --label-value 1 --set label=2
check "parameter file label: 2" 2 --params "$work/label2.yaml"

# The ibsi preset computes firstorder Entropy and ih_entropy, which share a tag.
printf 'case_id,image,mask\na,image.nii,mask.nii\nb,image.nii,mask.nii\n' > "$work/manifest.csv"
if "$calci" extract --image "$work/image.nii" --mask "$work/mask.nii" --preset ibsi \
        --names ibsi --out "$work/one.csv" 2> "$work/stderr" &&
        "$calci" extract --manifest "$work/manifest.csv" --preset ibsi --names ibsi \
        --out "$work/table.csv" 2>> "$work/stderr"; then
    repeated_rows=$(cut -d, -f1 "$work/one.csv" | sort | uniq -d | head -3)
    repeated_columns=$(head -1 "$work/table.csv" | tr ',' '\n' | sort | uniq -d | head -3)
    if [ -z "$repeated_rows" ] && [ -z "$repeated_columns" ] &&
            grep -q '^ih_entropy,' "$work/one.csv"; then
        echo "PASS extract names: --names ibsi writes each name once"
    else
        echo "FAIL extract names: repeated names: $repeated_rows $repeated_columns"
        failed=1
    fi
else
    echo "FAIL extract names: calci extract failed: $(cat "$work/stderr")"
    failed=1
fi
exit $failed
