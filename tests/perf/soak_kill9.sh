#!/bin/sh
# Crash-and-resume soak (issue 13): SIGKILL `vleval run` at a seeded random
# moment, at --concurrency 32, against two loopback fake servers of limited
# capacity that inject transient faults (one answers 503, the other resets
# the connection half-way through an answer, each for FAULT_RATE of the
# requests; 3% of the samples are also slow), so that retries and backoffs
# are in flight when the kill lands; then `--resume`, itself killed
# sometimes.  After every kill: PRAGMA integrity_check is ok on the log as
# the kill left it (checked on a copy, so that vleval and not the sqlite3
# CLI recovers the WAL), and every sample committed before the kill is
# still there, unchanged, at the end.  When a round's resume finishes, its
# log must equal an uninterrupted run of the same command (see same_as_ref
# for the fields compared and the ones left out).  Then a full disk and a
# run log made read-only in the middle of a run: a clear error, exit 4,
# nothing committed lost, and a resume once the cause is gone finishes a log
# equal to the uninterrupted one.
#
# Data: `vleval synth` scenes; a caption task in the native JSONL format
# whose question is a (sometimes cut) reference caption that the --echo
# server returns as the answer, scored with BLEU, ROUGE-L and CIDEr-D
# (corpus metrics) and their bootstrap intervals.
#
#   sh tests/perf/soak_kill9.sh                     # 50 kills, 3,000 samples
#   CYCLES=3 IMAGES=80 sh tests/perf/soak_kill9.sh  # quick (resume_kill9.sh)
#   SEED=1234 sh tests/perf/soak_kill9.sh           # replay a schedule
# Environment: CYCLES (kills, default 50), IMAGES (synth images, 2 samples
# each, default 1500), SEED (default: from /dev/urandom, printed),
# RESUME_KILL (probability that a resume is killed too, default 0.4),
# FAULT_RATE (default 0.03), BUILD, VLEVAL_BIN.  Exit 0 when every check
# held, 1 otherwise, 2 when it could not run.
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-${VLEVAL_BUILD:-build}}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
V=${VLEVAL_BIN:-$BUILD/vleval}
SERVER=$BUILD/tests/tools/fakeserver
CYCLES=${CYCLES:-50}
IMAGES=${IMAGES:-1500}
RESUME_KILL=${RESUME_KILL:-0.4}
FAULT_RATE=${FAULT_RATE:-0.03}
SEED=${SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
[ -x "$V" ] && [ -x "$SERVER" ] || { echo "soak: build first (make, and the test tools)"; exit 2; }
command -v sqlite3 >/dev/null && command -v python3 >/dev/null ||
	{ echo "soak: needs sqlite3 and python3"; exit 2; }
T=$(mktemp -d "${TMPDIR:-/tmp}/vleval-soak.XXXXXX")
SP1= SP2=
trap 'for p in $SP1 $SP2; do kill "$p" 2>/dev/null; done; rm -rf "$T"' EXIT INT TERM
NFAIL=0
fail() { echo "FAIL: $*" >&2; NFAIL=$((NFAIL + 1)); }
sq() { sqlite3 -batch -noheader "$@"; }
t_now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(t_now)" 'BEGIN { printf("%.2f", b - a) }'; }
echo "soak: seed $SEED, $CYCLES kills, $IMAGES images ($((IMAGES * 2)) samples), resume killed with p=$RESUME_KILL"

# the seeded schedule: one uniform number in [0,1) a line
awk -v s="$SEED" 'BEGIN { srand(s); for (i = 0; i < 20000; i++) printf("%.6f\n", rand()) }' >"$T/rand"
RI=0
# U: the next number of the schedule (never in a $(...) subshell, which
# would not advance RI)
rnd() { RI=$((RI + 1)); U=$(sed -n "${RI}p" "$T/rand"); }

# data: the synthetic scenes, two samples an image
"$V" synth --out "$T/data" --images "$IMAGES" --seed 5 >/dev/null || { echo "soak: synth failed"; exit 2; }
python3 - "$T/data" <<'PY' || { echo "soak: writing the task data failed"; exit 2; }
import json, random, sys
root = sys.argv[1]
d = json.load(open(root + "/synth/coco/dataset_coco.json"))
rng = random.Random(13)
with open(root + "/synth/soak_captions.jsonl", "w") as f:
    for im in d["images"]:
        refs = [s["raw"] for s in im["sentences"]]
        for k in range(2):
            words = refs[(im["imgid"] + k) % len(refs)].split()
            r = rng.random()
            if r < 0.3 and len(words) > 3:
                del words[rng.randrange(len(words))]
            elif r < 0.45:
                words = words[:max(2, len(words) // 2)]
            cand = " ".join(words)
            if rng.random() < 0.03:   # echoed too: answers stay the same
                cand += " FAULT:slow=%d" % rng.choice([200, 400, 800])
            f.write(json.dumps({"id": "c%d-%d" % (im["imgid"], k), "image": "images/" + im["filename"],
                                "question": cand, "captions": refs}) + "\n")
PY
mkdir -p "$T/tasks"
cat >"$T/tasks/soak_caption.json" <<'JSON'
{ "name": "soak_caption", "family": "caption", "version": 1,
  "dataset": { "format": "jsonl", "path": "synth/soak_captions.jsonl", "images": "synth" },
  "prompt": "{question}", "generation": { "max_tokens": 64, "temperature": 0 },
  "extract": "none", "metrics": ["caption"] }
JSON
N=$(wc -l <"$T/data/synth/soak_captions.jsonl")

start_server() { # KIND SEED PORTFILE
	"$SERVER" --echo --capacity 32 --service-ms 20 --fail-rate "$FAULT_RATE" --fail-kind "$1" \
		--seed "$2" --lifetime 7200 >"$3" &
}
start_server 503 "$SEED" "$T/p1"; SP1=$!
start_server reset "$((SEED + 1))" "$T/p2"; SP2=$!
i=0
while { [ ! -s "$T/p1" ] || [ ! -s "$T/p2" ]; } && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
[ -s "$T/p1" ] && [ -s "$T/p2" ] || { echo "soak: fake servers did not start"; exit 2; }
URLS=http://127.0.0.1:$(cat "$T/p1")/v1,http://127.0.0.1:$(cat "$T/p2")/v1
RUN="--task soak_caption --tasks-dir $T/tasks --data-dir $T/data --backend openai --base-url $URLS"
RUN="$RUN --concurrency 32 --retries 10 --set backoff_ms=20 --set backoff_max_ms=200 --quiet"

# every field a user sees, less those that measure this machine or this
# attempt: times (created, finished, latency, the cost block's wall, CPU,
# RSS, throughput and percentiles), and per sample the retries and bytes
# sent/received (they add up every attempt, and which attempts fail is the
# servers' random draw; a kill also cuts attempts short)
cat >"$T/same.py" <<'PY'
import json, sys
RUN_OUT = {"created", "finished"}
COST_KEEP = {"prompt_tokens", "completion_tokens", "total_tokens", "answered", "failed",
             "cached", "parse_failures", "truncated", "errors_by_kind", "price",
             "cached_prompt_tokens", "cached_completion_tokens"}
SAMPLE_OUT = {"latency_s", "retries"}
def norm(path):
    d = json.load(open(path))
    for k in RUN_OUT:
        d.pop(k, None)
    d["cost"] = {k: v for k, v in d.get("cost", {}).items() if k in COST_KEEP}
    for s in d.get("samples", []):
        for k in SAMPLE_OUT:
            s.pop(k, None)
    return d
a, b = norm(sys.argv[1]), norm(sys.argv[2])
if a == b:
    sys.exit(0)
for k in sorted(set(a) | set(b)):
    if k == "samples":
        sa = {s["id"]: s for s in a.get(k, [])}
        sb = {s["id"]: s for s in b.get(k, [])}
        if set(sa) != set(sb):
            print("  sample ids differ: %d vs %d, e.g. %s" % (len(sa), len(sb), sorted(set(sa) ^ set(sb))[:3]))
        diff = [i for i in sa if i in sb and sa[i] != sb[i]]
        for i in diff[:3]:
            print("  sample %s: %s" % (i, {f: (sa[i].get(f), sb[i].get(f)) for f in sa[i] if sa[i].get(f) != sb[i].get(f)}))
        if diff:
            print("  %d samples differ" % len(diff))
    elif a.get(k) != b.get(k):
        print("  %s: %s vs %s" % (k, json.dumps(a.get(k))[:300], json.dumps(b.get(k))[:300]))
sys.exit(1)
PY
# and the rows of the log that show --json does not print, less the same
# measurements (created, latency_s, ttft_s, retries, bytes_sent/received)
ROWS="select sample_id, idx, prompt, output, extracted, parse_ok, quote(score), prompt_tokens,
	completion_tokens, http_status, cached, error, question, reference, finish_reason from samples"
dump() { # DB PREFIX: show --json with samples and errors, and the rows
	"$V" show 1 --json --samples --db "$1" >"$2.json" 2>"$2.err" || return 1
	"$V" show 1 --json --errors --db "$1" >"$2.errors.json" 2>>"$2.err" || return 1
	sq "$1" "$ROWS order by idx" >"$2.rows" &&
	sq "$1" "select metric, name, subset, quote(value), quote(ci_low), quote(ci_high), n from metrics order by 1, 2, 3;
		select status, task, task_version, family, backend, model, baseline, config, config_hash,
		  task_json, code_version, host, n_samples, n_done, n_errors, n_bad_records,
		  prompt_tokens, completion_tokens from runs;
		select kind, sample_id, message from errors order by 1, 2, 3" >"$2.meta"
}
same_as_ref() { # DB WHAT
	dump "$1" "$T/got" || { fail "$2: show failed: $(head -c 300 "$T/got.err")"; return 1; }
	ok=1
	python3 "$T/same.py" "$T/ref.json" "$T/got.json" || { fail "$2: show --json --samples differs"; ok=0; }
	python3 "$T/same.py" "$T/ref.errors.json" "$T/got.errors.json" || { fail "$2: show --json --errors differs"; ok=0; }
	cmp -s "$T/ref.rows" "$T/got.rows" || { fail "$2: sample rows differ"; diff "$T/ref.rows" "$T/got.rows" | head -5; ok=0; }
	cmp -s "$T/ref.meta" "$T/got.meta" || { fail "$2: metrics, run row or errors differ"; diff "$T/ref.meta" "$T/got.meta" | head -5; ok=0; }
	[ $ok = 1 ]
}

# the uninterrupted run
t0=$(t_now)
c0=$(awk '{ print $14 + $15 + $16 + $17 }' /proc/$$/stat)
/usr/bin/env time -f "%e %U %S" -o "$T/ref.time" $V run $RUN --db "$T/ref.db" >/dev/null 2>"$T/ref.err" ||
	{ echo "soak: the uninterrupted run failed: $(cat "$T/ref.err")"; exit 2; }
dump "$T/ref.db" "$T/ref" || { echo "soak: show on the uninterrupted run failed"; exit 2; }
REF_WALL=$(awk '{ print $1 }' "$T/ref.time")
# seconds from the start to the last answer, the rest is scoring
REF_REQ=$(sq "$T/ref.db" "select max(s.created) - r.created from samples s, runs r")
REF_REQ=$(awk -v r="$REF_REQ" -v w="$REF_WALL" 'BEGIN { r += 0.1; print (r > w ? w : r) }')
echo "uninterrupted: $N samples, wall $REF_WALL s (answers in the first ~$REF_REQ s), CPU $(awk '{ print $2 + $3 }' "$T/ref.time") s"
echo "  $(sq "$T/ref.db" "select name || ' ' || printf('%.4f [%.4f, %.4f]', value, ci_low, ci_high) from metrics where name in ('CIDEr', 'Bleu_4')" | tr '\n' ';')"

# the committed rows a kill or a full disk must not lose: id, output, error
ROWS_SQL="select sample_id || '|' || ifnull(output, '') || '|' || ifnull(error, '') from samples"
rows_of() { sq "$1" "$ROWS_SQL" | sort; }

# a copy of the log as the kill left it (database and WAL, no -shm):
# integrity there, and the committed rows (id and output) for later
KILLS=0 RKILLS=0 INTEG=0 EARLY=0 ROUNDS=0 EQUAL=0 MID=0
after_kill() { # DB WHAT
	rm -rf "$T/snap"; mkdir -p "$T/snap"
	for f in "$1" "$1-wal"; do [ -e "$f" ] && cp "$f" "$T/snap/"; done
	s=$T/snap/$(basename "$1")
	ROWS_NOW=0
	[ -e "$s" ] || return 0
	r=$(sq "$s" "pragma integrity_check" 2>&1)
	INTEG=$((INTEG + 1))
	[ "$r" = ok ] || fail "$2: integrity_check: $r"
	sq "$s" "$ROWS_SQL where error is null" 2>/dev/null >>"$T/committed"
	ROWS_NOW=$(sq "$s" "select count(*) from samples" 2>/dev/null || echo 0)
	[ "$ROWS_NOW" -lt "$N" ] && MID=$((MID + 1))   # else: killed while scoring
}
# run the command in the background; kill it D seconds later unless it has
# finished; sets KILLED (1 or 0) and RC
run_kill() { # D ARGS...
	d=$1; shift
	$V "$@" >/dev/null 2>"$T/err" &
	pid=$!
	sleep "$d"
	KILLED=0
	kill -9 $pid 2>/dev/null && KILLED=1
	wait $pid 2>/dev/null; RC=$?
	[ $KILLED = 1 ] && [ $RC != 137 ] && KILLED=0   # it was exiting already
}
# D: a moment uniform in [A, B] seconds
pick() { rnd; D=$(awk -v u="$U" -v a="$1" -v b="$2" 'BEGIN { printf("%.3f", a + u * (b - a)) }'); }

while [ $KILLS -lt "$CYCLES" ]; do
	ROUNDS=$((ROUNDS + 1))
	db=$T/r$ROUNDS.db
	: >"$T/committed"
	# three kills in four while answers come in, one anywhere (scoring too)
	rnd
	if [ "$(awk -v u="$U" 'BEGIN { print (u < 0.75) }')" = 1 ]; then
		pick 0.05 "$REF_REQ"
	else
		pick 0.05 "$REF_WALL"
	fi
	d=$D
	run_kill "$d" run $RUN --db "$db"
	if [ $KILLED = 0 ]; then
		echo "round $ROUNDS: finished before the kill at $d s (exit $RC)"
		[ $RC = 0 ] && same_as_ref "$db" "round $ROUNDS (not killed)" && EQUAL=$((EQUAL + 1))
		continue
	fi
	KILLS=$((KILLS + 1))
	after_kill "$db" "round $ROUNDS kill at $d s"; rows=$ROWS_NOW
	line="round $ROUNDS: killed at $d s ($rows/$N logged)"
	# resume; sometimes kill the resume too, at a moment within the time
	# the remaining answers take
	while :; do
		if [ ! -e "$db" ] || [ "$(sq "$db" "select count(*) from runs" 2>/dev/null || echo 0)" = 0 ]; then
			EARLY=$((EARLY + 1)); cmd="run $RUN --db $db"   # killed before its run row
		else
			cmd="run --resume last --db $db --quiet"
		fi
		rnd
		if [ $KILLS -lt "$CYCLES" ] && [ "$(awk -v u="$U" -v p="$RESUME_KILL" 'BEGIN { print (u < p) }')" = 1 ]; then
			pick 0.05 "$(awk -v r="$REF_REQ" -v w="$REF_WALL" -v k="$rows" -v n="$N" \
				'BEGIN { print r * (1 - k / n) + (w - r) }')"
			d=$D
			run_kill "$d" $cmd
			if [ $KILLED = 1 ]; then
				KILLS=$((KILLS + 1)); RKILLS=$((RKILLS + 1))
				after_kill "$db" "round $ROUNDS resume kill at $d s"; rows=$ROWS_NOW
				line="$line; resume killed at $d s ($rows/$N)"
				continue
			fi
		else
			$V $cmd >/dev/null 2>"$T/err"; RC=$?
		fi
		break
	done
	[ $RC = 0 ] || { fail "round $ROUNDS: resume exit $RC: $(head -c 300 "$T/err")"; continue; }
	# nothing committed before a kill is lost or changed
	rows_of "$db" >"$T/final"
	lost=$(sort -u "$T/committed" | comm -23 - "$T/final" | wc -l)
	[ "$lost" = 0 ] || fail "round $ROUNDS: $lost committed rows lost or changed"
	if same_as_ref "$db" "round $ROUNDS"; then
		EQUAL=$((EQUAL + 1)); line="$line; resumed: equal to the uninterrupted run"
	fi
	echo "$line"
	rm -f "$db" "$db-wal" "$db-shm"
done

# a full disk, then a log made read-only, in the middle of a run (a private
# tmpfs in a mount namespace of our own): a clear error, exit 4, what was
# committed kept; a resume once the cause is gone equals the uninterrupted run
DISK=skipped RO=skipped
if [ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null; then
	mkdir -p "$T/mnt"
	# a tmpfs that fills in the middle of the run: start at 60% of what
	# the uninterrupted run's log takes; how much of it the WAL takes
	# varies with the batches, so grow it when nothing could be committed
	# and shrink it when the run finished, at most five tries
	kb=$(( $(stat -c %s "$T/ref.db") * 6 / 10240 + 64 ))
	try=1
	while :; do
		unshare -m sh -c "mount -t tmpfs -o size=${kb}k tmpfs '$T/mnt' || exit 7
			$V run $RUN --db '$T/mnt/d.db' >/dev/null 2>'$T/disk.err'; echo \$? >'$T/disk.rc'
			sqlite3 '$T/mnt/d.db' 'pragma integrity_check' >'$T/disk.q' 2>&1
			sqlite3 '$T/mnt/d.db' \"$ROWS_SQL\" | sort >'$T/disk.committed'
			mount -o remount,size=200m '$T/mnt'
			$V run --resume last --quiet --db '$T/mnt/d.db' >/dev/null 2>'$T/disk.err2'; echo \$? >>'$T/disk.rc'
			cp '$T/mnt/d.db' '$T/disk.db'; [ -e '$T/mnt/d.db-wal' ] && cp '$T/mnt/d.db-wal' '$T/disk.db-wal'; exit 0"
		c=$(wc -l <"$T/disk.committed")
		[ $try -lt 5 ] || break
		if [ "$(head -n 1 "$T/disk.rc")" = 0 ]; then
			kb=$((kb * 2 / 3))
		elif [ "$c" = 0 ]; then
			kb=$((kb * 3 / 2))
		else
			break
		fi
		echo "full disk: ${kb} KB next (exit $(head -n 1 "$T/disk.rc"), $c committed)"
		try=$((try + 1))
		rm -f "$T/disk.db" "$T/disk.db-wal"
	done
	rcs=$(tr '\n' ' ' <"$T/disk.rc")
	[ "$rcs" = "4 0 " ] || fail "full disk: exit statuses $rcs, wanted 4 then 0 ($(cat "$T/disk.err" "$T/disk.err2" | head -c 400))"
	grep -q 'run log: cannot commit the last [0-9]* samples* of run 1: database or disk is full.*; the samples committed before are kept, and the run can be resumed' "$T/disk.err" ||
		fail "full disk: message: $(cat "$T/disk.err")"
	[ "$(cat "$T/disk.q")" = ok ] || fail "full disk: integrity after the failure: $(cat "$T/disk.q")"
	[ "$c" -gt 0 ] && [ "$c" -lt "$N" ] || fail "full disk: $c of $N samples committed before the disk filled"
	rows_of "$T/disk.db" >"$T/final"
	[ "$(comm -23 "$T/disk.committed" "$T/final" | wc -l)" = 0 ] || fail "full disk: committed rows lost"
	same_as_ref "$T/disk.db" "full disk then resume" && DISK="${kb} KB: exit 4 at $c/$N committed: $(sed 's/^vleval: error: //' "$T/disk.err" | head -n 1); resumed: equal"
	echo "full disk: $DISK"

	# read-only: a run killed in the middle, its folder then read-only (as
	# a log copied off a crashed job to read-only media): runs and show
	# read it, a resume and a new run say why they cannot write, and once
	# writable again the resume finishes a log equal to the uninterrupted run
	pick 0.1 "$(awk -v r="$REF_REQ" 'BEGIN { print r * 0.6 }')"
	ro_at=$D
	unshare -m sh -c "mount -t tmpfs -o size=200m tmpfs '$T/mnt' || exit 7
		$V run $RUN --db '$T/mnt/r.db' >/dev/null 2>'$T/ro.err0' &
		p=\$!
		sleep $ro_at
		kill -9 \$p; wait \$p 2>/dev/null
		cp '$T/mnt/r.db' '$T/ro.snap.db'; [ -e '$T/mnt/r.db-wal' ] && cp '$T/mnt/r.db-wal' '$T/ro.snap.db-wal'
		mount -o remount,ro '$T/mnt' || exit 7
		$V runs --db '$T/mnt/r.db' >'$T/ro.runs' 2>&1; echo \$? >'$T/ro.rc'
		$V show last --json --samples --db '$T/mnt/r.db' >'$T/ro.show' 2>&1; echo \$? >>'$T/ro.rc'
		$V run --resume last --quiet --db '$T/mnt/r.db' >/dev/null 2>'$T/ro.err'; echo \$? >>'$T/ro.rc'
		$V run $RUN --db '$T/mnt/r.db' >/dev/null 2>'$T/ro.err2'; echo \$? >>'$T/ro.rc'
		mount -o remount,rw '$T/mnt'
		$V run --resume last --quiet --db '$T/mnt/r.db' >/dev/null 2>'$T/ro.err3'; echo \$? >>'$T/ro.rc'
		cp '$T/mnt/r.db' '$T/ro.db'; [ -e '$T/mnt/r.db-wal' ] && cp '$T/mnt/r.db-wal' '$T/ro.db-wal'; exit 0"
	rcs=$(tr '\n' ' ' <"$T/ro.rc")
	[ "$(sq "$T/ro.snap.db" "pragma integrity_check")" = ok ] || fail "read-only log: integrity after the kill"
	rows_of "$T/ro.snap.db" >"$T/ro.committed"
	c=$(wc -l <"$T/ro.committed")
	echo "read-only log, killed at $ro_at s with $c/$N committed: exit statuses of runs, show, resume, a new run while read-only, resume after: $rcs"
	echo "  resume:  $(head -n 2 "$T/ro.err" | tr '\n' ' ')"
	echo "  new run: $(head -n 2 "$T/ro.err2" | tr '\n' ' ')"
	case $rcs in
	"0 0 "[24]" "[24]" 0 ") ;;
	*) fail "read-only log: exit statuses $rcs, wanted 0 (runs), 0 (show), 2 or 4 (resume and new run while read-only), 0: $(head -c 300 "$T/ro.runs"; head -c 300 "$T/ro.show")" ;;
	esac
	python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert len(d['samples']) == int(sys.argv[2])" "$T/ro.show" "$c" ||
		fail "read-only log: show --json --samples does not list the $c committed samples"
	grep -qi 'read-only\|readonly' "$T/ro.err" || fail "read-only log: the resume's message does not say read-only: $(cat "$T/ro.err")"
	grep -qi 'read-only\|readonly' "$T/ro.err2" || fail "read-only log: the new run's message does not say read-only: $(cat "$T/ro.err2")"
	rows_of "$T/ro.db" >"$T/final"
	[ "$(comm -23 "$T/ro.committed" "$T/final" | wc -l)" = 0 ] || fail "read-only log: committed rows lost"
	[ "$(sq "$T/ro.db" "select count(*) from runs")" = 1 ] || fail "read-only log: the refused new run left a run row"
	same_as_ref "$T/ro.db" "read-only log then resume" && RO="killed at $c/$N, read-only: runs/show/resume/new run exit $rcs; resumed: equal"
fi

c1=$(awk '{ print $14 + $15 + $16 + $17 }' /proc/$$/stat)
cs=$(cat /proc/$SP1/stat /proc/$SP2/stat 2>/dev/null | awk '{ s += $14 + $15 } END { print s + 0 }')
echo "soak: seed $SEED: $ROUNDS rounds, $KILLS kills ($RKILLS during a resume; $MID before every answer was logged, the others while scoring; $EARLY before the run row existed), $INTEG integrity checks, $EQUAL of $ROUNDS final logs equal to the uninterrupted run; full disk: $DISK; read-only: $RO"
hz=$(getconf CLK_TCK)
echo "soak: wall $(elapsed "$t0") s, CPU $(awk -v a="$c0" -v b="$c1" -v hz="$hz" 'BEGIN { printf("%.1f", (b - a) / hz) }') s in vleval, sqlite3 and the script, $(awk -v s="$cs" -v hz="$hz" 'BEGIN { printf("%.1f", s / hz) }') s in the fake servers (the uninterrupted run alone: wall $REF_WALL s, CPU $(awk '{ print $2 + $3 }' "$T/ref.time") s)"
# the cost of a crash: CPU a round took (a run, its kills and resumes, the
# checks) over the uninterrupted run's, measured in the same soak
echo "soak: CPU a round / CPU of the uninterrupted run = $(awk -v a="$c0" -v b="$c1" -v hz="$hz" -v r="$ROUNDS" \
	-v u="$(awk '{ print $2 + $3 }' "$T/ref.time")" 'BEGIN { printf("%.2f", (b - a) / hz / (r + 3) / u) }') (rounds, the uninterrupted run, the full-disk and read-only runs: all CPU since the uninterrupted run started, checks included)"
[ $NFAIL = 0 ] || { echo "soak: $NFAIL checks failed"; exit 1; }
echo "soak: ok"
