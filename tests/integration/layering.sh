#!/bin/sh
# The floors of DESIGN.md, checked on the #include lines:
#
#   core/                              the floor: includes only core/
#   datasets/  metrics/  backends/     core/ and their own folder
#   bench/  reports/                   anything below them; reports/ reads the
#                                      run log only through bench/runlog.h
#
# and the library rules of each floor: SQLite only in bench/runlog.c, no
# curl/SQLite/PCRE2 in core/, no I/O and no threads in metrics/, the plugin header
# backends/backend.h needs nothing but libc.  The rule is stated per floor,
# so a new file is checked without being named here.
. "$(dirname "$0")/helpers.shlib"
cd "${VLEVAL_ROOT:-.}" || exit 1

floor() { # folder -> its floor number
	case "$1" in
	core) echo 0 ;;
	datasets|metrics|backends) echo 1 ;;
	bench|reports) echo 2 ;;
	*) echo 9 ;;
	esac
}

# project includes ("folder/file.h") that break the floors
bad=""
for f in $(find core datasets metrics backends bench reports -name '*.[ch]'); do
	dir=${f%%/*}
	mine=$(floor "$dir")
	for inc in $(sed -nE 's/^#include[ \t]*"([a-z]+)\/[^"]*".*/\1/p' "$f"); do
		[ "$inc" = "$dir" ] && continue
		theirs=$(floor "$inc")
		# the top floor's two folders may use each other (a command calls
		# reports/; reports/ reads bench/runlog.h), nothing else sideways
		if [ "$theirs" -gt "$mine" ] || { [ "$theirs" -eq "$mine" ] && [ "$mine" -lt 2 ]; }; then
			bad="$bad
$f includes $inc/ (floor $theirs; $dir/ stands on floor $mine)"
		fi
	done
done
[ -z "$bad" ] || fail "include breaks the floors:$bad"

# reports/ reads the run log only through its API: of bench/, runlog.h alone
out=$(grep -nE '^#include[ \t]*"bench/' reports/*.[ch] | grep -v 'bench/runlog\.h' || true)
[ -z "$out" ] || fail "reports/ includes bench/ beyond the run log API: $out"

libs() { # folder, forbidden system-header regex
	grep -nE "^#include[ \t]*<($2)" $(find "$1" -name '*.[ch]') || true
}
out=$(libs core 'sqlite3|curl/|pcre2')
[ -z "$out" ] || fail "core/ pulls in a library above it: $out"
out=$(libs metrics 'sqlite3|curl/|cjson/|stb_')
[ -z "$out" ] || fail "metrics/ includes what it may not: $out"
out=$(libs datasets 'sqlite3|curl/')
[ -z "$out" ] || fail "datasets/ includes what it may not: $out"
out=$(libs backends 'sqlite3')
[ -z "$out" ] || fail "backends/ includes SQLite: $out"
out=$(libs reports 'sqlite3|curl/')
[ -z "$out" ] || fail "reports/ includes what it may not: $out"

out=$(grep -nE '\b(fopen|fprintf|printf|puts|fwrite|fread|getline)\(' metrics/*.c | grep -v snprintf || true)
[ -z "$out" ] || fail "metrics/ does I/O: $out"
# no threads inside metrics (the caller lends them: vl_metric.set_parallel)
# and no memory-system calls (core/alloc.h's vl_xmalloc_big holds the one)
out=$(grep -nE '\b(pthread_[a-z_]+|madvise|mmap|thrd_create)\b|#include[ \t]*<(pthread|threads|sys/mman)\.h>' $(find metrics -name '*.[ch]') || true)
[ -z "$out" ] || fail "metrics/ starts threads or calls the memory system (the caller parallelises): $out"
out=$(grep -lE '#include[ \t]*<sqlite3\.h>' $(find core bench datasets metrics backends reports -name '*.[ch]') | grep -v '^bench/runlog\.c$' || true)
[ -z "$out" ] || fail "SQLite used outside bench/runlog.c: $out"
out=$(grep -E '^#include' backends/backend.h | grep -vE '<(stddef|stdint|string)\.h>' || true)
[ -z "$out" ] || fail "backends/backend.h needs more than libc: $out"
finish
