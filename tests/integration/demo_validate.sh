#!/bin/sh
# `vleval demo` end to end, and `vleval validate` on its data: all well,
# then a missing and a corrupt image, each named with its sample.
. "$(dirname "$0")/helpers.shlib"
cd "$T" || exit 1
expect_exit 0 "demo" $V demo --out "$T/demo" --quiet
check "report written" [ -s "$T/demo/report.md" ]
check "json report parses" python3 -c "import json; r=json.load(open('$T/demo/report.json')); assert len(r['runs']) >= 6, r"
check "oracle tops demo_pope" python3 -c "
import json; r=json.load(open('$T/demo/report.json'))
pope={x['model']: x['value'] for x in r['runs'] if x['task']=='demo_pope'}
assert pope['oracle'] == 1.0 and max(pope.values()) == 1.0, pope"
check "html report written" grep -q 'id=leaderboard-table' "$T/demo/report.html"
check "baselines labelled" grep -q 'random \*baseline\*' "$T/demo/report.md"
expect_exit 0 "validate demo_pope" $V validate --task demo_pope --data-dir "$T/demo/data"
check "validate ok" grep -q '^ok$' "$T/out"
check "240 samples, 240 images" grep -q '240 samples, 0 bad records, 240 images checked (0 bad)' "$T/out"
rm "$T/demo/data/demo/images/img_0005.png"
echo "not an image" > "$T/demo/data/demo/images/img_0007.png"
expect_exit 1 "validate finds problems" $V validate --task demo_pope --data-dir "$T/demo/data"
check "missing image named" grep -q "sample 'p5-yes': cannot open image '.*img_0005.png'" "$T/out"
check "corrupt image named" grep -q "sample 'p7-yes': cannot read image header of '.*img_0007.png'" "$T/out"
check "counts" grep -q '240 images checked (4 bad)' "$T/out"
# an image reference escaping the image folder is refused
printf '%s\n' '{"id": "x", "image": "../../etc/passwd", "question": "q", "label": "yes"}' > "$T/demo/data/demo/pope.jsonl"
expect_exit 1 "escape refused" $V validate --task demo_pope --data-dir "$T/demo/data"
check "escape named" grep -q "escapes the image folder" "$T/out"
finish
