#!/bin/sh
# The dependency rule of DESIGN.md, checked on the #include lines:
#   metrics/   PCRE2 and core types only, and no I/O calls
#   datasets/  cJSON, stb and core types; never SQLite, curl, metrics, backends
#   backends/  curl, cJSON and core types; never SQLite, datasets, metrics
#   reports/   the run log's query API; never SQLite directly
#   bench/runlog.c is the only file that includes sqlite3.h
#   backends/backend.h (the plugin header) includes only the C library
. "$(dirname "$0")/helpers.shlib"
cd "${VLEVAL_ROOT:-.}" || exit 1
CORE='sys/[a-z_]+\.h|bench/(vl|buf|alloc|banned)\.h'
bad_includes() { # folder, allowed-project-header regex, forbidden system regex
	for f in "$1"/*.c "$1"/*.h; do
		[ -f "$f" ] || continue
		grep -nE '^#include' "$f" | while IFS= read -r line; do
			inc=$(echo "$line" | sed -E 's/^[0-9]+:#include[ \t]*[<"]([^>"]*)[>"].*/\1/')
			case "$inc" in
			*/*) echo "$inc" | grep -qE "^($2)$" || echo "$f: $inc" ;;
			esac
			echo "$inc" | grep -qE "$3" && echo "$f: $inc"
		done
	done
}
out=$(bad_includes metrics "$CORE|metrics/[a-z_0-9]+\.h" 'sqlite3|curl|cjson|stb_')
[ -z "$out" ] || fail "metrics/ includes what it may not: $out"
out=$(grep -nE '\b(fopen|fprintf|printf|puts|fwrite|fread|getline)\(' metrics/*.c | grep -v snprintf || true)
[ -z "$out" ] || fail "metrics/ does I/O: $out"
out=$(bad_includes datasets "$CORE|datasets/[a-z_0-9]+\.h|cjson/cJSON\.h|bench/base64\.h" 'sqlite3|curl')
[ -z "$out" ] || fail "datasets/ includes what it may not: $out"
out=$(bad_includes backends "$CORE|backends/[a-z_0-9-]+\.h|cjson/cJSON\.h|curl/curl\.h|bench/base64\.h|datasets/image\.h" 'sqlite3')
[ -z "$out" ] || fail "backends/ includes what it may not: $out"
out=$(bad_includes reports "$CORE|reports/[a-z_0-9]+\.h|bench/runlog\.h|metrics/metric\.h" 'sqlite3|curl')
[ -z "$out" ] || fail "reports/ includes what it may not: $out"
out=$(grep -lE '#include[ \t]*<sqlite3\.h>' $(find bench datasets metrics backends reports -name '*.[ch]') | grep -v '^bench/runlog\.c$' || true)
[ -z "$out" ] || fail "SQLite used outside bench/runlog.c: $out"
out=$(grep -E '^#include' backends/backend.h | grep -vE '<(stddef|stdint|string)\.h>' || true)
[ -z "$out" ] || fail "backends/backend.h needs more than libc: $out"
for h in bench/vl.h bench/buf.h bench/alloc.h; do
	out=$(grep -E '^#include' "$h" | grep -E 'sqlite|curl|cjson|pcre' || true)
	[ -z "$out" ] || fail "$h pulls in a library: $out"
done
finish
