#!/bin/bash
# make fuzz: run each libFuzzer harness (clang, -fsanitize=fuzzer,address,
# undefined) for FUZZ_TIME seconds (default 60) from its seeds; crashes land
# in tests/fuzz/crashers/ (keep them: regress.sh replays them in CI).
set -u
cd "$(dirname "$0")/../.." || exit 1
SHARED=${SHARED:-../shared}
t=${FUZZ_TIME:-60}
mkdir -p build-fuzz/work tests/fuzz/crashers
while read -r h seeds; do
	case "$h" in ''|'#'*) continue ;; esac
	[ -n "${FUZZ_ONLY:-}" ] && [ "$FUZZ_ONLY" != "$h" ] && continue
	work=build-fuzz/work/$h
	mkdir -p "$work"
	# shellcheck disable=SC2086
	for p in $(eval echo $seeds); do cp -r "$p" "$work/" 2>/dev/null; done
	find "$work" -type f -size +1M -delete
	echo "== $h ($t s)"
	build-fuzz/$h -max_total_time="$t" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix=tests/fuzz/crashers/"$h"- -print_final_stats=1 "$work" 2>&1 |
		grep -E 'stat::number_of_executed_units|stat::peak_rss|cov:|ERROR|SUMMARY' | tail -4
done < tests/fuzz/SEEDS
