#!/bin/sh
# format-check.sh CLANG_FORMAT WORKDIR FILE...: how many lines of each FILE
# clang-format (with the repository's .clang-format) would change; ends with
# "ok format-check" or "FAIL format-check: N lines in M files (make format)".
# The files are formatted as copies under WORKDIR, in one clang-format run.
set -u
cf=$1 work=$2/format
shift 2
rm -rf "$work" && mkdir -p "$work"
tar cf - .clang-format "$@" | tar xf - -C "$work"
if ! (cd "$work" && $cf -i "$@"); then
	echo "FAIL format-check: $cf failed"
	exit 1
fi
lines=0 files=0
for f in "$@"; do
	n=$(diff "$f" "$work/$f" | grep -c '^<')
	if [ "$n" -gt 0 ]; then
		# the first few, so that make test's log stays readable
		[ "$files" -lt 10 ] && echo "  $f: $n lines"
		lines=$((lines + n)) files=$((files + 1))
	fi
done
if [ "$files" -eq 0 ]; then
	echo "ok format-check"
	exit 0
fi
[ "$files" -gt 10 ] && echo "  ... and $((files - 10)) more files"
echo "FAIL format-check: $lines lines in $files files differ from .clang-format (make format rewrites them)"
exit 1
