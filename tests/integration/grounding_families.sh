#!/bin/sh
# --model-family on grounding tasks: every family's prompt and box notation
# end to end (the oracle writes the truth in the family's notation, the
# extractor reads it back: Acc@0.5 = 1), an unknown family is an error
# listing the known ones before any data is read, `score grounding
# --model-family`, and the RefCOCO tasks' MDETR file names in the
# missing-file error.
. "$(dirname "$0")/helpers.shlib"

expect_exit 0 "synth" $V synth --out "$T/data" --images 8 --quiet
for f in qwen-vl qwen2-vl qwen2.5-vl qwen3-vl internvl paligemma cogvlm kosmos-2 shikra \
	minigpt-v2 ferret; do
	expect_exit 0 "oracle run as $f" $V run --task synth_grounding --backend oracle \
		--data-dir "$T/data" --db "$T/runs.db" --model-family "$f" --json
	check "$f: every box read back" python3 -c "
import json, sys
r = json.load(open('$T/out'))[0]
v = {m['name']: m['value'] for m in r['metrics']}
sys.exit(0 if v['acc_at_0.5'] == 1 and v['parse_failures'] == 0 else 1)"
done
# the family's notation reached the model side: PaliGemma's <loc> tokens
check "paligemma prompt and notation" sh -c "sqlite3 -batch -noheader '$T/runs.db' \
	\"select prompt, output from samples s join runs r on r.id = s.run_id \
	  where r.config like '%paligemma%' limit 1\" | grep -q '^detect .*<loc[0-9][0-9][0-9][0-9]>'"

expect_exit 2 "unknown family" $V run --task 'refcoco*' --backend oracle --data-dir "$T/empty" \
	--db "$T/runs.db" --model-family qwen25-vl
check "known families listed" grep -q "unknown model family 'qwen25-vl' (known: qwen-vl, qwen2-vl, qwen2.5-vl, qwen3-vl, internvl, paligemma, cogvlm, kosmos-2, shikra, minigpt-v2, ferret)" "$T/err"
check "no data looked at yet" sh -c "! grep -q 'missing under' '$T/err'"
# other task families take any name (a prompt variant, else the default)
expect_exit 0 "pope ignores the family" $V run --task synth_pope --backend constant \
	--data-dir "$T/data" --db "$T/runs.db" --model-family anything

# RefCOCO: MDETR's released names, and where they come from
expect_exit 2 "refcoco without data" $V run --task refcoco_testA --backend oracle \
	--data-dir "$T/empty" --db "$T/runs.db"
check "finetune_ name" grep -q "refcoco/mdetr_annotations/finetune_refcoco_testA.json" "$T/err"
check "its source" grep -q "mdetr_annotations.tar.gz (https://zenodo.org/record/4729015)" "$T/err"
for t in "refcoco+_testB:finetune_refcoco+_testB.json" "refcocog_val:finetune_refcocog_val.json" \
	"refexp_val:final_refexp_val.json"; do
	check "${t%%:*} file" sh -c "$V tasks ${t%%:*} --json | grep -q '${t#*:}'"
done

# score grounding reads outputs in a family's notation
cat > "$T/items.json" <<'JSON'
[{"id": "a", "image_w": 640, "image_h": 480, "gt_box": [320, 120, 640, 360],
  "output": "<loc0256><loc0512><loc0768><loc1023>"},
 {"id": "b", "image_w": 640, "image_h": 480, "gt_box": [0, 0, 100, 100],
  "output": "<loc0000><loc0512><loc0100><loc1023>"}]
JSON
expect_exit 0 "score grounding --model-family" $V score grounding --items "$T/items.json" \
	--model-family paligemma --json
check "paligemma boxes" python3 -c "
import json, sys
o = json.load(open('$T/out'))
sys.exit(0 if o['hits'] == 1 and o['parse_failures'] == 0 and o['box_format'] == 'paligemma' else 1)"
expect_exit 2 "score grounding unknown family" $V score grounding --items "$T/items.json" \
	--model-family pali
check "suggestion" grep -q "known: qwen-vl" "$T/err"
finish
