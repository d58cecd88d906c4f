#!/bin/sh
# base64.sh - base64 encode/decode throughput against memcpy in the same run.
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
exec "$ROOT/$BUILD/tests/perf/base64_speed"
