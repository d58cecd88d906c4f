#!/bin/sh
# base64.sh - base64 encode throughput of every encoder path the CPU runs
# (64 MiB and 100 KB buffers) and decode throughput, each against memcpy
# measured in the same run.
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
exec "$ROOT/$BUILD/tests/perf/base64_speed"
