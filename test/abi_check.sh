#!/bin/sh
# Compares the ABI of the built shared libraries ($B/lib, B=build by default)
# with the baseline dumps in abi/ (written by `make abi-dump`) and prints
# PASS/FAIL/SKIP lines that tools/run-tests.sh counts.
#
# The baseline is abi/lib<name>-<version>.abi for the Makefile's version, or
# when that is missing the newest dump of the same major version. abidiff's
# exit status is a bit set: 1 tool error, 2 usage error, 4 ABI change,
# 8 incompatible change (a removed function or variable). A FAIL line is
# printed for bit 8, and for bit 4 when a function or variable was removed
# or changed: libabigail reports a changed enumerator value (a status code
# renumbered) under bit 4 alone, and docs/ABI.md counts that as incompatible.
# Added functions are printed as "info" lines and pass.
# Run from the top of the source tree.
B=${B:-build}
failed=0

if ! command -v abidiff >/dev/null 2>&1; then
    echo "SKIP abi-diff: abidiff is not installed (apt-get install abigail-tools)"
    exit 0
fi

major=$(sed -n 's/^VERSION_MAJOR[ \t]*:=[ \t]*\([0-9]*\).*/\1/p' Makefile)
minor=$(sed -n 's/^VERSION_MINOR[ \t]*:=[ \t]*\([0-9]*\).*/\1/p' Makefile)
patch=$(sed -n 's/^VERSION_PATCH[ \t]*:=[ \t]*\([0-9]*\).*/\1/p' Makefile)
version="$major.$minor.$patch"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for lib in radiomics calci; do
    so="$B/lib/lib$lib.so.$version"
    baseline="abi/lib$lib-$version.abi"
    if [ ! -f "$baseline" ]; then
        baseline=$(ls abi/lib"$lib"-"$major".*.abi 2>/dev/null | sort -V | tail -n 1)
    fi
    if [ -z "$baseline" ] || [ ! -f "$baseline" ]; then
        echo "SKIP abi-diff $lib: no baseline abi/lib$lib-$major.*.abi (run make abi-dump)"
        continue
    fi
    if [ ! -f "$so" ]; then
        echo "SKIP abi-diff $lib: $so is not built"
        continue
    fi

    abidiff --headers-dir2 include "$baseline" "$so" > "$work/$lib.diff" 2>&1
    rc=$?
    summary=$(sed -n 's/^Functions changes summary: \([0-9]*\) Removed, \([0-9]*\) Changed.*, \([0-9]*\) Added.*/\1 \2 \3/p' "$work/$lib.diff")
    removed=$(echo "$summary" | cut -d' ' -f1)
    changed=$(echo "$summary" | cut -d' ' -f2)
    added=$(echo "$summary" | cut -d' ' -f3)
    symbol_summary=$(sed -n 's/^Function symbols changes summary: \([0-9]*\) Removed, \([0-9]*\) Added.*/\1 \2/p' "$work/$lib.diff")
    [ -n "$symbol_summary" ] || symbol_summary="0 0"
    removed=$((removed + $(echo "$symbol_summary" | cut -d' ' -f1)))
    added=$((added + $(echo "$symbol_summary" | cut -d' ' -f2)))
    var_summary=$(sed -n 's/^Variables changes summary: \([0-9]*\) Removed, \([0-9]*\) Changed.*/\1 \2/p' "$work/$lib.diff")
    var_removed=$(echo "$var_summary" | cut -d' ' -f1)
    var_changed=$(echo "$var_summary" | cut -d' ' -f2)

    if [ $((rc & 3)) -ne 0 ] || [ -z "$summary" ]; then
        cat "$work/$lib.diff"
        echo "FAIL abi-diff $lib: abidiff could not compare $baseline with $so (exit status $rc)"
        failed=1
    elif [ $((rc & 8)) -ne 0 ] ||
         { [ $((rc & 4)) -ne 0 ] &&
           [ "$removed$changed${var_removed:-0}${var_changed:-0}" != "0000" ]; }; then
        cat "$work/$lib.diff"
        echo "FAIL abi-diff $lib: $so is not compatible with $baseline ($removed removed, $changed changed functions; abidiff exit status $rc)"
        failed=1
    else
        if [ "${added:-0}" -gt 0 ]; then
            sed -n "s/^  \[A\] /info abi-diff $lib: added /p" "$work/$lib.diff"
        fi
        echo "PASS abi-diff $lib: $so is compatible with $baseline (${added:-0} functions added)"
    fi
done
exit $failed
