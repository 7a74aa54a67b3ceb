#!/bin/sh
# Checks the exported ABI of libradiomics and libcalci and prints PASS/FAIL
# lines that tools/run-tests.sh counts:
#  - every function declared with RAD_API (CALCI_API) in include/*.h is
#    listed in lib/radiomics.map (lib/calci.map), and every name listed there
#    is declared. A FAIL line names each symbol to add or remove.
#  - the version numbers agree in include/radiomics.h, include/calci.h, the
#    Makefile and the newest CHANGELOG entry, and no version node of a map
#    (RADIOMICS_0.1, ...) is newer than the library version;
#  - when the shared libraries are built ($B/lib, B=build by default), each
#    exports exactly the names of its map, at a version node of the map.
#
# Usage: sh tools/check-abi.sh              check only
#        sh tools/check-abi.sh --versions   check only the version numbers,
#          printing FAIL lines alone; the library link rules of the Makefile
#          run this, so a build with mismatched versions fails
#        sh tools/check-abi.sh --write-maps rewrite the maps from the headers:
#          names already in a node stay there, new names go to the newest
#          node, and names no longer declared are dropped (an incompatible
#          change, see docs/ABI.md).
# Run from the top of the source tree.
B=${B:-build}
failed=0

mode=$1

pass() { [ "$mode" = "--versions" ] || echo "PASS abi: $*"; }
fail() { echo "FAIL abi: $*"; failed=1; }

# Names of the functions declared with macro $1 in the headers $2...,
# sorted. A declaration may wrap; its name is the identifier before the
# first '('.
declared() {
    macro=$1
    shift
    awk -v macro="$macro" '
        pending != "" { pending = pending " " $0 }
        pending == "" && $1 == macro { pending = $0 }
        pending != "" && index(pending, "(") > 0 {
            head = substr(pending, 1, index(pending, "(") - 1)
            sub(/[ \t]+$/, "", head)
            n = split(head, words, /[ \t*]+/)
            print words[n]
            pending = ""
        }' "$@" | sort -u
}

# Names listed in the global: sections of version script $1, sorted.
mapped() {
    awk '
        /global:/ { global = 1; next }
        /local:/ || /}/ { global = 0 }
        global {
            gsub(/[ \t;]/, "")
            if ($0 != "" && $0 !~ /^#/) print
        }' "$1" | sort -u
}

# Version node names of map $1, in file order.
nodes() {
    sed -n 's/^[ \t]*\([A-Za-z_][A-Za-z0-9_.]*\)[ \t]*{.*/\1/p' "$1"
}

# Rewrites map $1 (nodes named $2_MAJOR.MINOR) so that it lists the names of
# file $3, one per line. When the map has no node, the first node gets the
# version $4 (MAJOR.MINOR).
write_map() {
    map=$1 prefix=$2 names=$3 version=$4
    tmp="$map.tmp.$$"
    if [ ! -f "$map" ] || [ -z "$(nodes "$map")" ]; then
        printf '%s_%s {\n  global:\n  local:\n    *;\n};\n' "$prefix" "$version" > "$map"
    fi
    newest=$(nodes "$map" | tail -n 1)
    awk -v names="$names" -v newest="$newest" '
        BEGIN {
            while ((getline line < names) > 0) wanted[line] = 1
        }
        # Pass 1 (the map itself): remember which node lists each name.
        FNR == NR {
            if (match($0, /^[ \t]*[A-Za-z_][A-Za-z0-9_.]*[ \t]*\{/)) {
                node = $0; sub(/^[ \t]*/, "", node); sub(/[ \t]*\{.*/, "", node)
                order[++n_nodes] = node
                tail[node] = $0; sub(/^[^{]*\{/, "", tail[node])
            } else if ($0 ~ /global:/) {
                global = 1
            } else if ($0 ~ /local:/ || $0 ~ /}/) {
                global = 0
                if ($0 ~ /}/) closing[node] = $0
            } else if (global) {
                name = $0; gsub(/[ \t;]/, "", name)
                if (name != "" && name !~ /^#/ && (name in wanted)) {
                    listed[node] = listed[node] " " name
                    placed[name] = 1
                }
            }
            next
        }
        END {
            for (name in wanted)
                if (!(name in placed)) listed[newest] = listed[newest] " " name
            for (i = 1; i <= n_nodes; i++) {
                node = order[i]
                print node " {"
                print "  global:"
                count = split(listed[node], list, " ")
                # Sort the names of this node (insertion sort; lists are short).
                for (a = 2; a <= count; a++) {
                    v = list[a]
                    for (b = a - 1; b >= 1 && list[b] > v; b--) list[b + 1] = list[b]
                    list[b + 1] = v
                }
                for (a = 1; a <= count; a++) print "    " list[a] ";"
                if (i == 1) {
                    print "  local:"
                    print "    *;"
                }
                print closing[node] == "" ? "};" : closing[node]
            }
        }' "$map" "$map" > "$tmp" && mv "$tmp" "$map"
}

# Value of "#define NAME value" in header $2, without quotes.
define_value() {
    sed -n "s/^#define $1[ \t][ \t]*\"\{0,1\}\([^\"]*\)\"\{0,1\}[ \t]*$/\1/p" "$2" | head -n 1
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Makefile version.
mk_major=$(sed -n 's/^VERSION_MAJOR[ \t]*:=[ \t]*\([0-9]*\).*/\1/p' Makefile)
mk_minor=$(sed -n 's/^VERSION_MINOR[ \t]*:=[ \t]*\([0-9]*\).*/\1/p' Makefile)
mk_patch=$(sed -n 's/^VERSION_PATCH[ \t]*:=[ \t]*\([0-9]*\).*/\1/p' Makefile)
version="$mk_major.$mk_minor.$mk_patch"

for lib in radiomics calci; do
    case $lib in
        radiomics) macro=RAD_API prefix=RADIOMICS defs=RAD ;;
        calci) macro=CALCI_API prefix=CALCI defs=CALCI ;;
    esac
    map=lib/$lib.map
    declared "$macro" include/*.h > "$work/$lib.declared"

    if [ "$1" = "--write-maps" ]; then
        write_map "$map" "$prefix" "$work/$lib.declared" "$mk_major.$mk_minor"
        echo "wrote $map: $(wc -l < "$work/$lib.declared") functions"
        continue
    fi

    # 1. Headers against the map (skipped by --versions).
    mapped "$map" > "$work/$lib.mapped"
    if [ "$mode" != "--versions" ]; then
        if [ ! -s "$work/$lib.declared" ]; then
            fail "$lib: no function declared with $macro in include/*.h"
            continue
        fi
        missing=$(comm -23 "$work/$lib.declared" "$work/$lib.mapped" | tr '\n' ' ')
        extra=$(comm -13 "$work/$lib.declared" "$work/$lib.mapped" | tr '\n' ' ')
        if [ -z "$missing" ] && [ -z "$extra" ]; then
            pass "$lib: $map lists the $(wc -l < "$work/$lib.declared") functions declared with $macro"
        else
            [ -n "$missing" ] &&
                fail "$lib: declared with $macro but missing from $map (add to its newest node, or run sh tools/check-abi.sh --write-maps): $missing"
            [ -n "$extra" ] &&
                fail "$lib: listed in $map but not declared with $macro in include/*.h: $extra"
        fi
    fi

    # 2. Versions.
    h_major=$(define_value "${defs}_VERSION_MAJOR" "include/$lib.h")
    h_minor=$(define_value "${defs}_VERSION_MINOR" "include/$lib.h")
    h_patch=$(define_value "${defs}_VERSION_PATCH" "include/$lib.h")
    h_string=$(define_value "${defs}_VERSION_STRING" "include/$lib.h")
    if [ "$h_major.$h_minor.$h_patch" = "$version" ] && [ "$h_string" = "$version" ]; then
        pass "$lib: include/$lib.h version $h_string equals the Makefile's $version"
    else
        fail "$lib: include/$lib.h has ${defs}_VERSION $h_major.$h_minor.$h_patch and string \"$h_string\" but the Makefile has $version"
    fi
    bad_nodes=""
    for node in $(nodes "$map"); do
        node_version=${node#"${prefix}"_}
        node_major=${node_version%%.*}
        node_minor=${node_version#*.}
        case "$node" in
            "${prefix}"_[0-9]*.[0-9]*) ;;
            *) bad_nodes="$bad_nodes $node(not ${prefix}_MAJOR.MINOR)"; continue ;;
        esac
        if [ "$node_major" -gt "$mk_major" ] ||
           { [ "$node_major" -eq "$mk_major" ] && [ "$node_minor" -gt "$mk_minor" ]; }; then
            bad_nodes="$bad_nodes $node(newer than $version)"
        fi
    done
    if [ -z "$bad_nodes" ]; then
        pass "$lib: version nodes of $map ($(nodes "$map" | tr '\n' ' ' | sed 's/ $//')) fit version $version"
    else
        fail "$lib: bad version nodes in $map:$bad_nodes"
    fi

    # 3. The built shared library, when present (skipped by --versions).
    so="$B/lib/lib$lib.so.$version"
    if [ "$mode" = "--versions" ]; then
        :
    elif [ ! -f "$so" ]; then
        echo "SKIP abi: $lib: $so is not built"
    elif ! command -v nm >/dev/null; then
        echo "SKIP abi: $lib: nm is not installed (binutils)"
    else
        nm -D --defined-only "$so" | awk '$2 ~ /^[TDBRVW]$/ && $3 !~ /^_/ { print $3 }' |
            grep '@' > "$work/$lib.exported"
        sed 's/@.*//' "$work/$lib.exported" | sort -u > "$work/$lib.exported.names"
        unversioned=$(sed -n "/@@*${prefix}_[0-9]/!p" "$work/$lib.exported" | tr '\n' ' ')
        not_exported=$(comm -23 "$work/$lib.mapped" "$work/$lib.exported.names" | tr '\n' ' ')
        not_mapped=$(comm -13 "$work/$lib.mapped" "$work/$lib.exported.names" | tr '\n' ' ')
        if [ -z "$not_exported$not_mapped$unversioned" ]; then
            pass "$lib: $so exports the $(wc -l < "$work/$lib.exported.names") names of $map"
        else
            [ -n "$not_exported" ] &&
                fail "$lib: in $map but not defined by $so (no implementation, or $macro missing on it): $not_exported"
            [ -n "$not_mapped" ] && fail "$lib: exported by $so but not in $map: $not_mapped"
            [ -n "$unversioned" ] && fail "$lib: exported by $so without a ${prefix}_ version: $unversioned"
        fi
    fi
done

[ "$1" = "--write-maps" ] && exit 0

# 4. CHANGELOG: the newest "## X.Y.Z" heading.
cl_version=$(sed -n 's/^## \([0-9][0-9]*\.[0-9][0-9]*\.[0-9][0-9]*\).*/\1/p' CHANGELOG | head -n 1)
if [ "$cl_version" = "$version" ]; then
    pass "CHANGELOG's newest entry $cl_version equals the Makefile's version"
else
    fail "CHANGELOG's newest entry is \"$cl_version\" but the Makefile has version $version"
fi
exit $failed
