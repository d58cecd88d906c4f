#!/bin/sh
# The HTML report as a browser shows it: headless Chromium loads the file
# with no console errors (the page's Content-Security-Policy would log one
# for any script or outside load), shows the leaderboard table, and renders
# a prediction holding <script> or "><img onerror=...> as text.
# Skips only when chromium is not installed (make test installs it).
. "$(dirname "$0")/helpers.shlib"
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROMIUM" ]; then
	echo "SKIP: chromium is not installed and could not be installed (make test-deps installs Debian's chromium)"
	exit 0
fi
mkdir -p "$T/data/pope"
make_pope "$T/data/pope/coco_pope_random.json" 60
DB="$T/r.db"
export VLEVAL_DATA="$T/data"
awk 'BEGIN { for (i = 1; i <= 60; i++) {
	out = (i % 2) ? "Yes" : "No"
	if (i == 2) out = "<script>console.error(\\\"xss\\\")</script> Yes"
	if (i == 4) out = "\\\"><img src=x onerror=console.error(1)> Yes"
	printf("{\"id\": \"%d\", \"output\": \"%s\"}\n", i, out) } }' > "$T/p.jsonl"
$V run --task pope_coco_random --db "$DB" --quiet --backend oracle >/dev/null
$V run --task pope_coco_random --db "$DB" --quiet --backend replay --model '<i>m</i>"><img src=y onerror=alert(3)>' \
	--set predictions="$T/p.jsonl" >/dev/null
expect_exit 0 "html report" $V report --db "$DB" --out "$T/rep" --format html
H="$T/rep/report.html"

chrome() { # extra chromium arguments...
	timeout 90 "$CHROMIUM" --headless --no-sandbox --disable-gpu --no-first-run \
		--user-data-dir="$T/profile" --enable-logging=stderr --v=0 "$@" "file://$H"
}
chrome --dump-dom > "$T/dom.html" 2> "$T/chrome.err"
check "chromium rendered the page" grep -q '</html>' "$T/dom.html"
if grep -q 'CONSOLE' "$T/chrome.err"; then
	fail "console messages while loading the report:"
	grep 'CONSOLE' "$T/chrome.err" | head -5 >&2
fi
check "leaderboard table in the DOM" grep -q 'id="leaderboard-table"' "$T/dom.html"
check "a model row in the table" grep -q '&lt;i&gt;m&lt;/i&gt;"&gt;&lt;img src=y onerror=alert(3)&gt;' "$T/dom.html"
check "the <script> prediction is text" grep -q '&lt;script&gt;console.error("xss")&lt;/script&gt; Yes' "$T/dom.html"
check "the img prediction is text" grep -q '"&gt;&lt;img src=x onerror=console.error(1)&gt; Yes' "$T/dom.html"
check "no script element in the DOM" sh -c "! grep -qi '<script' '$T/dom.html'"
check "no injected img element" sh -c "! grep -qE '<img[^>]*onerror' '$T/dom.html'"
chrome --hide-scrollbars --window-size=1280,1600 --screenshot="$T/shot.png" >/dev/null 2>&1
check "screenshot taken" [ -s "$T/shot.png" ]
[ -n "$VLEVAL_KEEP_SHOT" ] && cp "$T/shot.png" "$VLEVAL_KEEP_SHOT"
finish
