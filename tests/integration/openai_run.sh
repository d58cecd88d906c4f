#!/bin/sh
# `vleval run --backend openai` end to end against the fake chat-completions
# server (tests/tools/fakeserver) on a free loopback port.  The questions
# carry fault directives, so one run meets 429 + Retry-After, 500s, a reset,
# malformed JSON, a timeout, and a sample that keeps failing; then: resume
# retries only the failed sample, a rerun is served from the response cache
# with no request, --stream records time to first token, a 401 stops the run
# at once, and the API key is nowhere in the run log or the output.
. "$(dirname "$0")/helpers.shlib"
BUILD=${VLEVAL_BUILD:-build}
SERVER=$BUILD/tests/tools/fakeserver
[ -x "$SERVER" ] || { echo "FAIL: $SERVER missing (make test builds it)"; exit 1; }
# every command is bounded: a hung run fails the test instead of the suite
TO="timeout 30"

KEY="sk-e2e-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')"
export TEST_KEY="$KEY"
# the server compares the bearer token with $TEST_KEY (logs match/mismatch,
# never the key) and echoes the question back as the answer
start_fakeserver --echo --log "$T/server.log" --expect-key-env TEST_KEY --lifetime 60 ||
	{ echo "FAIL: fake server did not start"; exit 1; }
nreq() { wc -l <"$T/server.log" | tr -d ' '; }

mkdir -p "$T/tasks" "$T/data/img"
# a JPEG signature, then 2 KB of bytes
{ printf '\377\330\377\340'; head -c 2048 /dev/urandom; } >"$T/data/img/a.jpg"
for t in ft st au; do
	cat >"$T/tasks/$t.json" <<EOF
{ "name": "$t", "family": "vqa", "version": 1,
  "dataset": { "format": "jsonl", "path": "$t.jsonl", "images": "img" },
  "prompt": "{question}", "generation": { "max_tokens": 8, "temperature": 0 },
  "extract": "short", "metrics": ["exact_match"] }
EOF
done
# id|question: one fault per sample (times=N: the first N attempts fail)
q() { printf '{"id": "%s", "image": "a.jpg", "question": "%s", "answer": "x"}\n' "$1" "$2"; }
{
	i=1; while [ $i -le 20 ]; do q "ok$i" "plain question $i"; i=$((i + 1)); done
	q r429 "wait FAULT:429:retry_after=1:times=1"
	q r500 "twice FAULT:500:times=2"
	q reset "cut FAULT:reset:times=1"
	q malf "junk FAULT:malformed:times=1"
	q slow "late FAULT:slow=2500:times=1"
	q dead "broken FAULT:503:times=3"
	q long "cut short FAULT:length"
} >"$T/data/ft.jsonl"
N=27
OPTS="--tasks-dir $T/tasks --data-dir $T/data --backend openai --base-url $URL --api-key-env TEST_KEY --concurrency 8"
# retries 2: three attempts; a 1 s timeout catches the slow answer
FAST="--retries 2 --timeout 1 --set backoff_ms=20"
DB="$T/r.db"

# run 1: every sample answered except 'dead' (503 three times), recorded with its error; exit 1
PRICE="--price-input 1 --price-output 2"
expect_exit 1 "run with an exhausted sample exits 1" $TO $V run --task ft $OPTS $FAST $PRICE --db "$DB" --quiet
cp "$T/out" "$T/all.out"; cp "$T/err" "$T/all.err"
check "run 1: $N rows, $N distinct" [ "$(sq "$DB" "select count(*) || ' ' || count(distinct sample_id) from samples where run_id=1")" = "$N $N" ]
check "run 1: each row answered xor failed" \
	[ "$(sq "$DB" "select count(*) from samples where run_id=1 and (output is null) = (error is null)")" = 0 ]
check "run 1: only 'dead' failed" [ "$(sq "$DB" "select group_concat(sample_id) from samples where run_id=1 and error is not null")" = dead ]
check "run 1: each answer is its own question (echo)" \
	[ "$(sq "$DB" "select count(*) from samples where run_id=1 and output = prompt")" = $((N - 1)) ]
err=$(sq "$DB" "select error from samples where run_id=1 and sample_id='dead'")
check "error names the status and attempts ($err)" sh -c "echo '$err' | grep -q 'http 503.*after 3 attempts'"
check "failed sample has no score" [ "$(sq "$DB" "select quote(score) from samples where run_id=1 and sample_id='dead'")" = NULL ]
check "run 1: finish_reason stored, 'length' for the cut answer" \
	[ "$(sq "$DB" "select group_concat(sample_id) || ' ' || (select count(*) from samples where run_id=1 and finish_reason='stop') from samples where run_id=1 and finish_reason='length'")" = "long $((N - 2))" ]
check "run 1 status" [ "$(sq "$DB" "select status from runs where id=1")" = finished ]
for s in r429:1 r500:2 reset:1 malf:1 slow:1 dead:2 ok1:0; do
	id=${s%%:*}; want=${s#*:}
	got=$(sq "$DB" "select retries from samples where run_id=1 and sample_id='$id'")
	check "retries of $id: $got, wanted $want" [ "$got" = "$want" ]
done
# Retry-After: 1 s, so the 429 sample cannot have been answered sooner
check "Retry-After honoured" [ "$(sq "$DB" "select latency_s >= 1.0 from samples where run_id=1 and sample_id='r429'")" = 1 ]
check "timeout retried (slow sample took >= 1 s)" [ "$(sq "$DB" "select latency_s >= 1.0 from samples where run_id=1 and sample_id='slow'")" = 1 ]
# attempts on the wire: 20 plain + 2 + 3 + 2 + 2 + 2 + 3 (curl may resend a
# request by itself after a reset: at least, not exactly)
got=$(nreq)
check "server saw >= 34 requests ($got)" [ "$got" -ge 34 ]
check "every request carried the key" [ "$(grep -vc 'auth=match' "$T/server.log")" = 0 ]
# bytes sent: the body the server counted plus the request line and headers, once
body=$(grep 'text=plain_question_1$' "$T/server.log" | sed 's/.* bytes=\([0-9]*\) .*/\1/')
sent=$(sq "$DB" "select bytes_sent from samples where run_id=1 and sample_id='ok1'")
check "bytes_sent $sent = body $body + headers" [ "$((sent - body))" -gt 50 -a "$((sent - body))" -lt 1000 ]
check "no request for a plain question twice" \
	[ "$(grep -o 'text=plain_question_[0-9]*' "$T/server.log" | sort | uniq -d | wc -l)" = 0 ]

expect_exit 0 "show run 1" $TO $V show 1 --db "$DB"
check "summary counts the truncated answer" grep -q 'truncated: 1 of 26 answers were cut (finish_reason "length"' "$T/out"
expect_exit 0 "show --json run 1" $TO $V show 1 --db "$DB" --json
check "json counts the truncated answer" grep -q '"truncated":1,' "$T/out"

# resume: only the failed sample is sent again (its 503s are used up)
before=$(nreq)
expect_exit 0 "resume answers the failed sample" $TO $V run --resume 1 --data-dir "$T/data" $FAST --db "$DB" --quiet
cat "$T/out" >>"$T/all.out"; cat "$T/err" >>"$T/all.err"
check "resume sent exactly one request" [ "$(($(nreq) - before))" = 1 ]
check "resume request was the failed sample" sh -c "tail -n 1 '$T/server.log' | grep -q 'text=broken'"
check "after resume: $N rows, all answered once" \
	[ "$(sq "$DB" "select count(*) || ' ' || count(distinct sample_id) || ' ' || count(output) || ' ' || count(error) from samples where run_id=1")" = "$N $N $N 0" ]
check "after resume: one run, finished" [ "$(sq "$DB" "select count(*) || ' ' || status from runs")" = "1 finished" ]

# a rerun of the finished temperature-0 evaluation: every answer from the cache, no request
before=$(nreq)
expect_exit 0 "cached rerun" $TO $V run --task ft $OPTS $FAST $PRICE --db "$DB" --quiet
cat "$T/out" >>"$T/all.out"; cat "$T/err" >>"$T/all.err"
check "rerun: no request reached the server" [ "$(nreq)" = "$before" ]
check "rerun: every sample cached" [ "$(sq "$DB" "select count(*) || ' ' || sum(cached) || ' ' || count(error) from samples where run_id=2")" = "$N $N 0" ]
check "rerun: same answers" [ "$(sq "$DB" "select count(*) from samples a join samples b on a.sample_id = b.sample_id where a.run_id=1 and b.run_id=2 and a.output = b.output")" = $N ]
# cached answers cost nothing: run 1 spent tokens and a price, the rerun none,
# and its summary shows the cached tokens apart
check "run 1: tokens and a price" [ "$(sq "$DB" "select prompt_tokens > 0 and completion_tokens > 0 and price > 0 from runs where id=1")" = 1 ]
check "rerun: no tokens spent, price 0" [ "$(sq "$DB" "select prompt_tokens || ' ' || completion_tokens || ' ' || (price = 0) from runs where id=2")" = "0 0 1" ]
ctok=$(sq "$DB" "select sum(prompt_tokens) || ' ' || sum(completion_tokens) from samples where run_id=2")
expect_exit 0 "show the cached rerun" $TO $V show 2 --db "$DB"
check "rerun summary: price 0.0000" grep -q 'price 0.0000' "$T/out"
check "rerun: the cached cut answer keeps finish_reason length" \
	[ "$(sq "$DB" "select finish_reason from samples where run_id=2 and sample_id='long'")" = length ]
check "rerun summary: the cached cut answer counts as truncated" grep -q "truncated: 1 of $N answers" "$T/out"
check "rerun summary: tokens 0" grep -q 'tokens: prompt 0  completion 0  total 0' "$T/out"
check "rerun summary: cached tokens apart ($ctok)" \
	grep -q "cached: $N of $N answers came from the response cache and cost nothing (prompt ${ctok% *}  completion ${ctok#* } tokens not spent" "$T/out"
expect_exit 0 "show --json the cached rerun" $TO $V show 2 --db "$DB" --json
check "rerun json: cached tokens" grep -q "\"cached_prompt_tokens\":${ctok% *},\"cached_completion_tokens\":${ctok#* }" "$T/out"

# --stream: time to first token recorded; a stream cut half-way is retried
{
	i=1; while [ $i -le 10 ]; do q "s$i" "stream question $i"; i=$((i + 1)); done
	q cut "cut FAULT:stream_cut:times=1"
	q late "late FAULT:slowstream=200"
} >"$T/data/st.jsonl"
expect_exit 0 "stream run" $TO $V run --task st $OPTS $FAST --stream --no-cache --db "$DB" --quiet
cat "$T/out" >>"$T/all.out"; cat "$T/err" >>"$T/all.err"
check "stream: 12 answered, ttft in (0, latency]" \
	[ "$(sq "$DB" "select count(*) from samples where run_id=3 and error is null and output = prompt and ttft_s > 0 and ttft_s <= latency_s")" = 12 ]
check "stream: the cut stream was retried" [ "$(sq "$DB" "select retries from samples where run_id=3 and sample_id='cut'")" = 1 ]
check "stream: first token of the slow stream came at once" \
	[ "$(sq "$DB" "select ttft_s < 0.15 and latency_s >= 0.2 from samples where run_id=3 and sample_id='late'")" = 1 ]
check "stream: requests said stream" [ "$(grep -c 'stream=1' "$T/server.log")" -ge 13 ]
check "stream: ttft percentiles in runs" [ "$(sq "$DB" "select ttft_p50 > 0 from runs where id=3")" = 1 ]

# 401: the run stops at once with a clear message, exit 4, status failed
{
	q deny "FAULT:401"
	i=1; while [ $i -le 400 ]; do q "a$i" "after question $i FAULT:slow=20"; i=$((i + 1)); done
} >"$T/data/au.jsonl"
before=$(nreq)
expect_exit 4 "401 stops the run" $TO $V run --task au $(echo "$OPTS" | sed "s/--concurrency 8/--concurrency 2/") $FAST --db "$DB" --quiet
cat "$T/out" >>"$T/all.out"; cat "$T/err" >>"$T/all.err"
check "401 message names the key variable" grep -q 'refused the API key in \$TEST_KEY' "$T/err"
check "401 run status failed" [ "$(sq "$DB" "select status from runs where id=4")" = failed ]
sent=$(($(nreq) - before))
check "401 stopped at once ($sent of 401 requests sent)" [ "$sent" -lt 20 ]
check "401 not retried" [ "$(grep -c 'status=401' "$T/server.log")" = 1 ]

# the key (echoed back by the server's 401 body) is nowhere
stop_fakeserver
check "key not in the run log" sh -c "! cat '$DB'* | grep -aqF '$KEY'"
check "key not in any stored text" [ "$(sq "$DB" "select count(*) from samples where instr(coalesce(output,'') || coalesce(error,'') || coalesce(prompt,''), '$KEY')") + $(sq "$DB" "select count(*) from errors where instr(message, '$KEY')")" = "0 + 0" ]
check "key not in stdout" sh -c "! grep -qF '$KEY' '$T/all.out'"
check "key not in stderr" sh -c "! grep -qF '$KEY' '$T/all.err'"
check "key not in the server log" sh -c "! grep -qF '$KEY' '$T/server.log'"
finish
