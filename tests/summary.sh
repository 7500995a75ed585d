#!/bin/sh
# Sum the tiers' results into the one line `make test` ends with.
# $1: output of test-unit-run ("unit: N passed, N failed")
# $2: output of test-gdb-run  ("gdb: N passed, N failed")
# $3: pytest -q output of the system tests (last line "N passed, N failed, N skipped in T")
# $4: output of fuzz-console-smoke ("ok NAME" or "FAIL NAME: ...")
# $5: output of make lint ("ok NAME" or "FAIL NAME: ..." per check, then "lint: N passed, N failed")
unit=$1 gdbt=$2 system=$3 fuzz=$4 lint=${5:-}

tier() {	# tier NAME FILE -> "passed failed"
	p=$(sed -n "s/^$1: \([0-9]*\) passed, \([0-9]*\) failed.*/\1/p" "$2" 2>/dev/null | tail -n1)
	f=$(sed -n "s/^$1: \([0-9]*\) passed, \([0-9]*\) failed.*/\2/p" "$2" 2>/dev/null | tail -n1)
	if [ -z "$p" ]; then
		echo "summary: $1 tests did not report (build failure?)" >&2
		echo "0 1"
	else
		echo "$p $f"
	fi
}
set -- $(tier unit "$unit"); up=$1 uf=$2
fp=$(grep -c '^ok ' "$fuzz" 2>/dev/null); ff=$(grep -c '^FAIL' "$fuzz" 2>/dev/null)
[ "${fp:-0}" -gt 0 ] || [ "${ff:-0}" -gt 0 ] || { ff=1; echo "summary: the fuzz smoke run did not report" >&2; }
up=$((up + ${fp:-0})) uf=$((uf + ${ff:-0}))
if [ -n "$lint" ]; then
	set -- $(tier lint "$lint"); lp=$1 lf=$2
else
	lp=0 lf=0
fi
set -- $(tier gdb "$gdbt"); gp=$1 gf=$2
last=$(grep -E '(passed|failed|error|no tests ran)' "$system" 2>/dev/null | tail -n1)
sp=$(echo "$last" | sed -n 's/.*\b\([0-9][0-9]*\) passed.*/\1/p')
sf=$(echo "$last" | sed -n 's/.*\b\([0-9][0-9]*\) failed.*/\1/p')
se=$(echo "$last" | sed -n 's/.*\b\([0-9][0-9]*\) error.*/\1/p')
ss=$(echo "$last" | sed -n 's/.*\b\([0-9][0-9]*\) skipped.*/\1/p')
[ -n "$last" ] || { sf=1; echo "summary: system tests did not report"; }
sp=${sp:-0} sf=${sf:-0} se=${se:-0} ss=${ss:-0}
echo "unit+fuzz: $up passed, $uf failed; lint: $lp passed, $lf failed; gdb: $gp passed, $gf failed; system: $sp passed, $((sf + se)) failed, $ss skipped (reasons above)"
echo "$((up + lp + gp + sp)) passed, $((uf + lf + gf + sf + se)) failed"
[ $((uf + lf + gf + sf + se)) -eq 0 ]
