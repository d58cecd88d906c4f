#!/bin/sh
# validate_speed.sh - `vleval validate` over N generated samples in the
# native JSONL format, each referencing its own tiny real PNG file (an
# 8x8 image, about 70 bytes): the run is dominated by resolving the image
# path, checking it stays in the image folder, stat and the header read.
# Prints samples/s of validate and, as a baseline measured in the same run
# over the same files, of `find DIR -type f | xargs stat` (one stat per
# file plus directory reading, no header read) and of the same validate
# with --no-images (parsing only).  Target (issue 4): >= 20,000 samples/s.
# Environment: VLEVAL_BIN, N (samples, default 20000).  Files are kept in
# tests/perf/out/validate-N/ between runs.
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
V=${VLEVAL_BIN:-$ROOT/vleval}
N=${N:-20000}
OUT=$ROOT/tests/perf/out/validate-$N
[ -x "$V" ] || { echo "validate_speed: $V not built"; exit 2; }
if [ ! -s "$OUT/data/perf.jsonl" ]; then
	mkdir -p "$OUT/data/images" "$OUT/tasks"
	python3 - "$OUT/data" "$N" <<'PY' || exit 1
import struct, sys, zlib
root, n = sys.argv[1], int(sys.argv[2])
def chunk(kind, data):
    return (struct.pack('>I', len(data)) + kind + data +
            struct.pack('>I', zlib.crc32(kind + data) & 0xffffffff))
raw = b''.join(b'\x00' + bytes(24) for _ in range(8))
png = (b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', 8, 8, 8, 2, 0, 0, 0)) +
       chunk(b'IDAT', zlib.compress(raw)) + chunk(b'IEND', b''))
with open(f'{root}/perf.jsonl', 'w') as f:
    for i in range(n):
        with open(f'{root}/images/{i:07d}.png', 'wb') as im:
            im.write(png)
        f.write('{"id": "%d", "image": "%07d.png", "question": "What colour is the square?", '
                '"answer": "black"}\n' % (i, i))
PY
	cat >"$OUT/tasks/perf_validate.json" <<'JSON'
{
  "name": "perf_validate",
  "family": "vqa",
  "version": 1,
  "description": "validate_speed.sh: generated samples, one tiny PNG each",
  "dataset": { "format": "jsonl", "path": "perf.jsonl", "images": "images" },
  "prompt": "{question}",
  "generation": { "max_tokens": 8, "temperature": 0 },
  "extract": "short",
  "metrics": ["exact_match"]
}
JSON
fi
# timed LABEL CMD...: prints "LABEL seconds samples/s" and sets last_rate
timed() {
	label=$1; shift
	t0=$(date +%s.%N)
	"$@" >"$OUT/stdout" 2>"$OUT/stderr" || { echo "validate_speed: '$label' failed"; cat "$OUT/stderr"; exit 1; }
	t1=$(date +%s.%N)
	last_rate=$(awk -v a="$t0" -v b="$t1" -v n="$N" 'BEGIN { printf("%.0f", n / (b - a)) }')
	awk -v a="$t0" -v b="$t1" -v n="$N" -v l="$label" 'BEGIN { printf("%-46s %6.3f s %9.0f samples/s\n", l, b - a, n / (b - a)) }'
}
echo "validate_speed: $N samples, one 8x8 PNG each"
timed "find | xargs stat [baseline]" sh -c "find '$OUT/data/images' -type f | xargs stat >/dev/null"
base=$last_rate
timed "vleval validate --no-images" "$V" validate --task perf_validate --tasks-dir "$OUT/tasks" --data-dir "$OUT/data" --no-images
timed "vleval validate" "$V" validate --task perf_validate --tasks-dir "$OUT/tasks" --data-dir "$OUT/data"
grep -q "$N samples, 0 bad records, $N images checked (0 bad)" "$OUT/stdout" || { echo "validate_speed: unexpected summary:"; cat "$OUT/stdout"; exit 1; }
awk -v b="$base" -v v="$last_rate" 'BEGIN {
	printf("ratio: validate runs at %.2fx the rate of find | xargs stat\n", v / b);
	printf("target >= 20000 samples/s: %s\n", v >= 20000 ? "met" : "NOT met");
}'
