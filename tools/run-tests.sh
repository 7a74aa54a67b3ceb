#!/bin/sh
# Runs each test program or script given as an argument and prints a total.
# Check suites report "N%: Checks: C, Failures: F, Errors: E"; a test script
# prints "PASS name", "FAIL name" or "SKIP name: reason" lines.
# TEST_WRAPPER, when set, is a command put before each test program (not
# before scripts), for example "valgrind --error-exitcode=99". An argument
# --wrapper=COMMAND sets TEST_WRAPPER for the programs after it (an empty
# COMMAND clears it), so one run with one total can mix wrapped and
# unwrapped programs.
passed=0 failed=0 skipped=0 broken=""
for t in "$@"; do
    case "$t" in
        --wrapper=*) TEST_WRAPPER=${t#--wrapper=}; continue ;;
    esac
    out=$(mktemp)
    case "$t" in
        *.sh) sh "$t" >"$out" 2>&1 ;;
        *) $TEST_WRAPPER "$t" >"$out" 2>&1 ;;
    esac
    rc=$?
    cat "$out"
    checks=$(sed -n 's/.*Checks: \([0-9]*\), Failures: \([0-9]*\), Errors: \([0-9]*\).*/\1 \2 \3/p' "$out")
    if [ -n "$checks" ]; then
        c=$(echo "$checks" | cut -d' ' -f1)
        f=$(echo "$checks" | cut -d' ' -f2)
        e=$(echo "$checks" | cut -d' ' -f3)
        passed=$((passed + c - f - e))
        failed=$((failed + f + e))
    fi
    p=$(grep -c '^PASS ' "$out"); f=$(grep -c '^FAIL ' "$out"); s=$(grep -c '^SKIP' "$out")
    passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
    if [ $rc -ne 0 ]; then
        broken="$broken $(basename "$t")"
        [ -z "$checks" ] && [ "$f" -eq 0 ] && failed=$((failed + 1))
    fi
    rm -f "$out"
done
[ -n "$broken" ] && echo "failing test programs:$broken"
echo "tests: $passed passed, $failed failed, $skipped skipped"
[ -z "$broken" ] && [ "$failed" -eq 0 ]
