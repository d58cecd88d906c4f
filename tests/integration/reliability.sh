#!/bin/sh
# Regression tests for the defects of the reliability review (issue 13):
# each block names the defect it guards against.  Quick (a few seconds).
. "${VLEVAL_ROOT:-.}/tests/integration/helpers.shlib"
R=${VLEVAL_ROOT:-.}
F=$R/tests/fixtures/reference/captions

# 8. score caption reads no uninitialised memory (caption_set.c's n-gram
# grouping probed keys[] of empty slots); valgrind when it is installed and
# the binary is not built with a sanitizer (they do not mix)
if command -v valgrind >/dev/null 2>&1 && ! grep -qa __asan_init "$V" &&
   ! grep -qa __tsan_init "$V"; then
	expect_exit 0 "valgrind clean on score caption" \
		valgrind -q --error-exitcode=99 "$V" score caption --refs "$F/refs.json" \
		--preds "$F/cands.json" --json
fi

# a fake chat-completions server that echoes the question
BUILD=${VLEVAL_BUILD:-build}
SERVER=$BUILD/tests/tools/fakeserver
SPID=
trap '[ -n "$SPID" ] && kill "$SPID" 2>/dev/null; rm -rf "$T"' EXIT
"$SERVER" --echo --log "$T/server.log" --lifetime 60 >"$T/port" &
SPID=$!
i=0
while [ ! -s "$T/port" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
PORT=$(cat "$T/port")
[ -n "$PORT" ] || { echo "FAIL: fake server did not start"; exit 1; }
TO="timeout 30"
mkdir -p "$T/tasks" "$T/data/img"
{ printf '\377\330\377\340'; head -c 512 /dev/urandom; } >"$T/data/img/a.jpg"
cat >"$T/tasks/rt.json" <<JSON
{ "name": "rt", "family": "vqa", "version": 1,
  "dataset": { "format": "jsonl", "path": "rt.jsonl", "images": "img" },
  "prompt": "{question}", "generation": { "max_tokens": 8, "temperature": 0 },
  "extract": "short", "metrics": ["exact_match"] }
JSON
q() { printf '{"id": "%s", "image": "a.jpg", "question": "%s", "answer": "x"}\n' "$1" "$2"; }
OPTS="--tasks-dir $T/tasks --data-dir $T/data --backend openai --concurrency 4 --retries 1 --set backoff_ms=10 --quiet"

# 1. a password in --base-url reaches neither the run log nor show --config
{ q a "plain a"; q b "plain b"; } >"$T/data/rt.jsonl"
expect_exit 0 "run with userinfo in the URL" $TO $V run --task rt $OPTS \
	--base-url "http://alice:PW-s3cr3t@127.0.0.1:$PORT/v1" --db "$T/u.db"
check "password not in the run log" [ "$(grep -c 'PW-s3cr3t' "$T/u.db" "$T/u.db-wal" 2>/dev/null | awk -F: '{ s += $2 } END { print s + 0 }')" = 0 ]
check "config keeps the host" sh -c "sqlite3 '$T/u.db' 'select config from runs' | grep -q 'http://127.0.0.1:$PORT/v1'"
expect_exit 0 "show --config" $V show 1 --config --db "$T/u.db"
check "show --config has no password" sh -c "! grep -q 'PW-s3cr3t' '$T/out'"
check "show --config shows the URL" grep -q "127.0.0.1:$PORT" "$T/out"

finish
