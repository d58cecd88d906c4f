#!/bin/sh
# `vleval synth`: byte-identical output per seed (a pinned hash of the whole
# tree), every built-in synth_* task and the CHAIR files pass `vleval
# validate`, POPE's three negative samplings are the paper's, and
# vleval-pixels answers the worker protocol.
. "$(dirname "$0")/helpers.shlib"
ROOT=${VLEVAL_ROOT:-.}
BUILD=${VLEVAL_BUILD:-$ROOT/build}
cd "$T" || exit 1
tree_hash() { (cd "$1" && find synth -type f | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-64); }

expect_exit 0 "synth seed 1" $V synth --out "$T/a" --seed 1 --images 8
check "counts printed" grep -q '^synth: 8 images, 24 VQA questions, 40 captions' "$T/out"
expect_exit 0 "synth seed 1 again" $V synth --out "$T/b" --seed 1 --images 8 --quiet
expect_exit 0 "synth seed 2" $V synth --out "$T/c" --seed 2 --images 8 --quiet
check "same seed, same bytes" [ "$(tree_hash "$T/a")" = "$(tree_hash "$T/b")" ]
check "another seed, other bytes" [ "$(tree_hash "$T/a")" != "$(tree_hash "$T/c")" ]
# The pinned hash: the suite is the same on every machine with Debian's stb
# (PNG encoder) and this generator.  A deliberate change to the generator
# changes it: update it in the same commit and say why.
GOLDEN=1b9210e7f597dc03e7b3baa0857ed5e64a89ad232f8ebdaf709dba5183f3812d
check "pinned tree hash for seed 1" [ "$(tree_hash "$T/a")" = "$GOLDEN" ]
expect_exit 2 "zero images refused" $V synth --out "$T/d" --images 0

# a larger suite: every synth_* task validates with no bad record
expect_exit 0 "synth 80 images" $V synth --out "$T/data" --images 80 --quiet
for t in synth_vqa synth_caption synth_grounding synth_pope synth_mcq synth_chair; do
	expect_exit 0 "validate $t" $V validate --task "$t" --data-dir "$T/data"
	check "$t: no bad record" grep -q ' 0 bad records.* (0 bad), 0 without ground truth' "$T/out"
done
check "the group selects them all" sh -c "$V tasks synth --data-dir '$T/data' | grep -c '^synth_' | grep -qx 6"
# CHAIR with the suite's vocabulary: every instance category is in it, the
# oracle (a reference caption) hallucinates nothing
expect_exit 0 "chair oracle" $V run --task synth_chair --backend oracle --data-dir "$T/data" --db "$T/c.db" --quiet --resamples 0
check "chair: every sample scored" [ "$(sq "$T/c.db" "select count(*) from errors")" = 0 ]
check "chair: oracle CHAIRs 0" [ "$(sq "$T/c.db" "select value from metrics where name='CHAIRs' and subset=''")" = 0.0 ]
check "chair: mentions counted" [ "$(sq "$T/c.db" "select value > 200 from metrics where name='mentions' and subset=''")" = 1 ]

# POPE as the paper defines it, checked against the COCO instances file
check "POPE negative sampling" python3 - "$T/data/synth" <<'PY'
import collections, itertools, json, sys
root = sys.argv[1]
inst = json.load(open(root + "/coco/instances_synth.json"))
name = {c["id"]: c["name"] for c in inst["categories"]}
file_of = {im["id"]: im["file_name"] for im in inst["images"]}
objs = collections.defaultdict(set)
for a in inst["annotations"]:
    objs[file_of[a["image_id"]]].add(name[a["category_id"]])
freq = collections.Counter(o for s in objs.values() for o in s)
co = collections.Counter()
for s in objs.values():
    for a, b in itertools.permutations(s, 2):
        co[a, b] += 1
cats = sorted(name.values(), key=lambda n: [k for k, v in name.items() if v == n][0])
def obj(q):
    t = q["text"]
    assert t.startswith("Is there a") and t.endswith(" in the image?"), t
    return t[len("Is there a"):-len(" in the image?")].lstrip("n ").strip()
qs = {s: [json.loads(l) for l in open(root + "/pope/synth_pope_%s.json" % s)]
      for s in ("random", "popular", "adversarial")}
assert len(qs["random"]) == len(qs["popular"]) == len(qs["adversarial"]) > 0
for s, rows in qs.items():
    for i in range(0, len(rows), 6):
        img = rows[i]["image"]
        group = rows[i:i + 6]
        assert all(r["image"] == img for r in group)
        yes = [obj(r) for r in group if r["label"] == "yes"]
        no = [obj(r) for r in group if r["label"] == "no"]
        assert len(yes) == 3 and len(no) == 3 and len(set(yes)) == 3 and len(set(no)) == 3
        assert set(yes) <= objs[img], (img, yes)
        assert not set(no) & objs[img], (img, no)
        absent = [c for c in cats if c not in objs[img]]
        if s == "popular":
            # the most frequent absent objects, ties to the smaller id
            want = sorted(absent, key=lambda c: -freq[c])[:3]
            assert no == want, (img, no, want)
        if s == "adversarial":
            chosen = []
            for g in yes:
                best = max((c for c in absent if c not in chosen), key=lambda c: (co[g, c], -cats.index(c)))
                chosen.append(best)
            assert no == chosen, (img, no, chosen)
    # the yes questions are the same objects in every file
    assert [r["text"] for r in rows if r["label"] == "yes"] == \
           [r["text"] for r in qs["random"] if r["label"] == "yes"]
PY

# vleval-pixels speaks the worker protocol (make valgrind: under valgrind)
P=${VLEVAL_PIXELS:-$BUILD/vleval-pixels}
IMG="$T/data/synth/images/synth_000001.png"
printf '{"id": "7", "messages": [{"role": "user", "content": [{"type": "text", "text": "How many shapes are in the image?"}, {"type": "image", "path": "%s"}]}]}\n{"id": 8, "messages": []}\nnot json\n' "$IMG" \
	| "$P" > "$T/px.out" 2>"$T/px.err"
check "pixels answers" grep -Eq '^\{"id": "7", "text": "[0-9]+"\}$' "$T/px.out"
check "pixels reports a request without image" grep -q '^{"id": 8, "error": "pixels: the request has no image"}$' "$T/px.out"
check "pixels ignores stray lines" [ "$(wc -l < "$T/px.out")" = 2 ]
finish
