#!/bin/sh
# `vleval demo` end to end on a small synthetic suite (pixels and the three
# baselines on every synth_* task), and `vleval validate` on its data: all
# well, then a missing and a corrupt image, each named with its sample.
. "$(dirname "$0")/helpers.shlib"
cd "$T" || exit 1
expect_exit 0 "demo" $V demo --out "$T/demo" --images 30
check "report written" [ -s "$T/demo/report.md" ]
check "leaderboard printed" grep -q '^| 1 | pixels | ' "$T/out"
check "where the report is" grep -q "report: $T/demo/report.html (charts)" "$T/out"
check "html report written" grep -q 'id=leaderboard-table' "$T/demo/report.html"
check "charts drawn" [ -s "$T/demo/chart-scores.png" ]
check "json report parses" python3 -c "
import json
r = json.load(open('$T/demo/report.json'))['runs']
tasks = {x['task'] for x in r}
assert tasks == {'synth_vqa', 'synth_caption', 'synth_grounding', 'synth_pope', 'synth_mcq',
                 'synth_chair'}, tasks
assert len(r) == 24, len(r)
pope = {x['model']: x['value'] for x in r if x['task'] == 'synth_pope'}
assert pope['oracle'] == 1.0 and max(pope.values()) == 1.0, pope
"
check "baselines labelled" grep -q 'random \*baseline\*' "$T/demo/report.md"
# pixels reads the images: better than both chance baselines on every task,
# never better than the oracle, and short of it somewhere (it is meant to
# err); CHAIR is lower-is-better, and the constant "yes" mentions nothing
# there, so only random is below pixels
check "pixels between chance and the oracle" python3 -c "
import json
by = {}
for x in json.load(open('$T/demo/report.json'))['runs']:
    assert x['cost']['failed'] == 0, x
    by.setdefault(x['task'], {})[x['model']] = x['value']
for t, v in by.items():
    if t == 'synth_chair':
        assert v['oracle'] <= v['pixels'] < v['random'], (t, v)
    else:
        assert max(v['random'], v['constant']) < v['pixels'] <= v['oracle'], (t, v)
assert any(v['pixels'] < v['oracle'] for t, v in by.items() if t != 'synth_chair'), by
"
check "runs logged" [ "$(sq "$T/demo/vleval.db" "select count(*) from runs where status='finished'")" = 24 ]
check "pixels ran as a worker" [ "$(sq "$T/demo/vleval.db" "select count(*) from runs where backend='worker' and model='pixels'")" = 6 ]
# without vleval-pixels beside vleval or on PATH: the baselines alone, said once
# (make valgrind: $V is a wrapper that runs the binary VLEVAL_VG_REAL names)
mkdir -p "$T/lone" && cp "${VLEVAL_VG_REAL:-$V}" "$T/lone/vleval"
lone=$T/lone/vleval
[ -n "${VLEVAL_VG_REAL:-}" ] && lone=$V
expect_exit 0 "demo without pixels" env PATH=/usr/bin:/bin VLEVAL_VG_REAL="$T/lone/vleval" \
	"$lone" demo --out "$T/lone/d" --images 3 --quiet
check "pixels missing said" grep -q "vleval-pixels is neither beside vleval nor on PATH" "$T/err"
check "baselines ran" grep -q "18 runs (3 baselines; pixels not found)" "$T/out"
expect_exit 0 "validate synth_pope" $V validate --task synth_pope --data-dir "$T/demo/data"
check "validate ok" grep -q '^ok$' "$T/out"
n=$(sed -n 's/.* \([0-9]*\) samples, 0 bad records, \([0-9]*\) images checked (0 bad).*/\1 \2/p' "$T/out")
check "every sample's image checked" [ -n "$n" ] && [ "${n% *}" = "${n#* }" ]
rm "$T/demo/data/synth/images/synth_000005.png"
echo "not an image" > "$T/demo/data/synth/images/synth_000007.png"
expect_exit 1 "validate finds problems" $V validate --task synth_pope --data-dir "$T/demo/data"
check "missing image named" grep -q "sample '[a-z]*/[0-9]*': cannot open image '.*synth_000005.png'" "$T/out"
check "corrupt image named" grep -q "sample '[a-z]*/[0-9]*': cannot read image header of '.*synth_000007.png'" "$T/out"
# an image reference escaping the image folder is refused
printf '%s\n' '{"question_id": 1, "image": "../../../etc/passwd", "text": "q", "label": "yes"}' \
	> "$T/demo/data/synth/pope/synth_pope_random.json"
expect_exit 1 "escape refused" $V validate --task synth_pope --data-dir "$T/demo/data"
check "escape named" grep -q "escapes the image folder" "$T/out"
finish
