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

finish
