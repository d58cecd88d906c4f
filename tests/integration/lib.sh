# Shared by the integration scripts (sourced, not run).
# Provides: $V (the vleval binary), $T (a fresh temp dir removed at exit),
# fail MSG, check DESC CMD..., expect_exit CODE DESC CMD..., make_pope FILE N.
V=${VLEVAL_BIN:-./vleval}
T=$(mktemp -d "${TMPDIR:-/tmp}/vleval-it.XXXXXX")
trap 'rm -rf "$T"' EXIT
NFAIL=0
fail() { echo "FAIL: $*" >&2; NFAIL=$((NFAIL + 1)); }
check() { desc=$1; shift; if "$@"; then :; else fail "$desc"; fi; }
expect_exit() {
	want=$1; desc=$2; shift 2
	"$@" >"$T/out" 2>"$T/err"; got=$?
	[ "$got" -eq "$want" ] || { fail "$desc: exit $got, wanted $want"; sed 's/^/    /' "$T/err" >&2; }
}
# make_pope FILE N: N POPE questions in the official JSON-lines layout,
# labels alternating yes/no, 6 questions per image.
make_pope() {
	awk -v n="$2" 'BEGIN { for (i = 1; i <= n; i++)
		printf("{\"question_id\": %d, \"image\": \"COCO_val2014_%012d.jpg\", \"text\": \"Is there a thing %d in the image?\", \"label\": \"%s\"}\n",
		       i, int((i - 1) / 6), i, (i % 2) ? "yes" : "no") }' > "$1"
}
sq() { sqlite3 -batch -noheader "$@"; }
finish() { [ "$NFAIL" -eq 0 ] && echo "ok" || { echo "$NFAIL checks failed"; exit 1; }; }
