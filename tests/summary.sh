#!/bin/sh
# Sum the tiers' results into the one line `make test` ends with.
# $1: output of test-unit-run ("unit: N passed, N failed")
# $2: pytest -q output (last line "N passed, N failed, N skipped in T")
unit=$1 system=$2
up=$(sed -n 's/^unit: \([0-9]*\) passed, \([0-9]*\) failed.*/\1/p' "$unit" | tail -n1)
uf=$(sed -n 's/^unit: \([0-9]*\) passed, \([0-9]*\) failed.*/\2/p' "$unit" | tail -n1)
[ -n "$up" ] || { up=0; uf=1; echo "summary: unit tests did not report (build failure?)"; }
last=$(grep -E '(passed|failed|error|no tests ran)' "$system" | tail -n1)
sp=$(echo "$last" | sed -n 's/.*\b\([0-9][0-9]*\) passed.*/\1/p')
sf=$(echo "$last" | sed -n 's/.*\b\([0-9][0-9]*\) failed.*/\1/p')
se=$(echo "$last" | sed -n 's/.*\b\([0-9][0-9]*\) error.*/\1/p')
ss=$(echo "$last" | sed -n 's/.*\b\([0-9][0-9]*\) skipped.*/\1/p')
[ -n "$last" ] || { sf=1; echo "summary: system tests did not report"; }
sp=${sp:-0} sf=${sf:-0} se=${se:-0} ss=${ss:-0}
echo "unit: $up passed, $uf failed; system: $sp passed, $((sf + se)) failed, $ss skipped (see reasons above)"
echo "$((up + sp)) passed, $((uf + sf + se)) failed"
[ $((uf + sf + se)) -eq 0 ]
