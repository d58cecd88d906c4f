#!/bin/sh
# `vleval score grounding`: the reference fixture's numbers through the
# command line, raw outputs parsed with --box-format, and the errors for bad
# items (missing keys, non-numeric boxes, invalid UTF-8) with and without
# --lenient.
set -u
BIN=${VLEVAL_BIN:?}
ROOT=${VLEVAL_ROOT:?}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# 1. reference numbers (exact strings of the shortest round-trip form)
"$BIN" score grounding --items "$ROOT/tests/fixtures/reference/grounding/items.json" --json --per-sample >"$T/out.json" || fail "reference run"
python3 - "$T/out.json" "$ROOT/tests/fixtures/reference/grounding/expected.json" <<'PY' || fail "reference numbers differ"
import json, sys
got = json.load(open(sys.argv[1])); exp = json.load(open(sys.argv[2]))
for k in ("acc_at_0.5", "mean_iou", "hits", "n", "exactly_half"):
    assert abs(got[k] - exp[k]) <= 1e-12 * abs(exp[k]), (k, got[k], exp[k])
assert got["parse_failures"] == 0
assert len(got["per_item"]) == 500
for g, e in zip(got["per_item"], exp["per_item"]):
    assert g["id"] == str(e["id"]) and abs(g["iou"] - e["iou"]) <= 1e-12 and g["hit"] == e["hit"], (g, e)
PY
for v in strict_gt_0.5 plus_one_inclusive mattnet_computeIoU normalized_by_image_wh float32_torchvision; do
	"$BIN" score grounding --items "$ROOT/tests/fixtures/reference/grounding/items.json" --iou-variant "$v" --json >"$T/v.json" || fail "variant $v"
	python3 - "$T/v.json" "$ROOT/tests/fixtures/reference/grounding/expected.json" "$v" <<'PY' || fail "variant $v differs"
import json, sys
got = json.load(open(sys.argv[1])); var = json.load(open(sys.argv[2]))["variants"][sys.argv[3]]
assert abs(got["acc_at_0.5"] - var["acc"]) <= 1e-12, (got, var)
if "mean_iou" in var:
    assert abs(got["mean_iou"] - var["mean_iou"]) <= 1e-12 * var["mean_iou"], (got, var)
PY
done

# 2. raw outputs in Qwen-VL notation; one unparseable -> counted, IoU 0
cat >"$T/qwen.json" <<'J'
[{"id": "a", "image_w": 999, "image_h": 999, "gt_box": [0, 0, 100, 100],
  "output": "<ref>dog</ref><box>(0,0),(100,100)</box>"},
 {"id": "b", "image_w": 999, "image_h": 999, "gt_box": [0, 0, 100, 100],
  "output": "I can't see it"},
 {"id": "c", "image_w": 640, "image_h": 480, "gt_box": [0, 0, 10, 10], "pred_box": null},
 {"id": "d", "image_w": 640, "image_h": 480, "gt_box": [0, 0, 10, 10], "pred_box": [0, 0, 10, 5],
  "output": "ignored when pred_box is there"}]
J
"$BIN" score grounding --items "$T/qwen.json" --box-format qwen --json >"$T/q.json" || fail "qwen run"
grep -q '"acc_at_0.5": 0.5, "mean_iou": 0.375, "hits": 2, "parse_failures": 2, "exactly_half": 1, "n": 4' "$T/q.json" || { cat "$T/q.json"; fail "qwen values"; }

# 3. bad items: errors name the file and the item; --lenient skips them
cat >"$T/bad.json" <<'J'
[{"id": 1, "image_w": 10, "image_h": 10, "gt_box": [0, 0, 5, 5], "pred_box": [0, 0, 5, 5]},
 {"id": 2, "image_w": 10, "image_h": 10, "gt_box": [0, 0, 5, "x"], "pred_box": [0, 0, 5, 5]},
 {"id": 3, "image_h": 10, "gt_box": [0, 0, 5, 5], "pred_box": [0, 0, 5, 5]},
 {"id": 4, "image_w": 10, "image_h": 10, "gt_box": [0, 0, 5, 5]}]
J
"$BIN" score grounding --items "$T/bad.json" --json >"$T/o" 2>"$T/e"; rc=$?
[ "$rc" -eq 2 ] || fail "bad items: exit $rc"
grep -q "bad.json' item 1 (id 2): \"gt_box\" must be an array of 4 numbers (element 3 is not a number)" "$T/e" || { cat "$T/e"; fail "non-numeric message"; }
grep -q "item 2 (id 3): missing \"image_w\"" "$T/e" || fail "missing key message"
grep -q "item 3 (id 4): missing \"pred_box\" (or \"output\")" "$T/e" || fail "missing pred message"
[ ! -s "$T/o" ] || fail "printed values despite errors"
"$BIN" score grounding --items "$T/bad.json" --json --lenient >"$T/o" 2>"$T/e" || fail "lenient exit"
grep -q '"acc_at_0.5": 1, .*"n": 1, .*"skipped": \[".*item 1 (id 2).*item 2 (id 3).*item 3 (id 4)' "$T/o" || { cat "$T/o"; fail "lenient output"; }

# 4. invalid UTF-8 names file and line; --lenient skips the item
printf '[{"id": 1, "image_w": 10, "image_h": 10, "gt_box": [0, 0, 5, 5], "output": "[0, 0, 5, 5]"},\n {"id": 2, "image_w": 10, "image_h": 10, "gt_box": [0, 0, 5, 5], "output": "\377"}]\n' >"$T/u.json"
"$BIN" score grounding --items "$T/u.json" 2>"$T/e" >/dev/null && fail "invalid utf-8 accepted"
grep -q "cannot read '.*u.json' line 2: invalid UTF-8" "$T/e" || { cat "$T/e"; fail "utf-8 message"; }
"$BIN" score grounding --items "$T/u.json" --lenient --json 2>"$T/e" >"$T/o" || fail "lenient utf-8"
grep -q '"n": 1' "$T/o" && grep -q "item 1 (id 2): invalid UTF-8" "$T/e" || { cat "$T/o" "$T/e"; fail "lenient utf-8 output"; }

# 5. usage errors
"$BIN" score grounding --items "$T/bad.json" --box-format qwen9 2>"$T/e" && fail "unknown format accepted"
grep -q "unknown box format 'qwen9'" "$T/e" || fail "format message"
"$BIN" score grounding --items "$T/nope.json" 2>"$T/e" && fail "missing file accepted"
grep -q "nope.json" "$T/e" || fail "missing file message"

# 6. the one scoring path: --resamples adds intervals around the values and
# changes nothing else
"$BIN" score grounding --items "$ROOT/tests/fixtures/reference/grounding/items.json" --json >"$T/a.json" || fail "plain run"
"$BIN" score grounding --items "$ROOT/tests/fixtures/reference/grounding/items.json" --json --resamples 200 --seed 5 >"$T/ci.json" || fail "resamples run"
python3 - "$T/a.json" "$T/ci.json" <<'PY' || fail "intervals"
import json, sys
a, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
ci = b.pop("ci")
ok = a == b and ci["resamples"] == 200 and ci["seed"] == 5
for k in ("acc_at_0.5", "mean_iou"):
    ok = ok and ci[k][0] <= a[k] <= ci[k][1] and ci[k][0] < ci[k][1]
sys.exit(not ok)
PY
"$BIN" score grounding --items "$T/bad.json" --resamples -2 2>"$T/e" && fail "negative resamples accepted"
grep -q "resamples must be" "$T/e" || fail "resamples message"
exit 0
