#!/bin/bash
# Replay every fuzz harness over its seeds and kept crashers under the
# ASan+UBSan build (no new fuzzing: that is `make fuzz`). One line per harness.
set -u
cd "$(dirname "$0")/../.." || exit 1
SHARED=${SHARED:-../shared}
while read -r h seeds; do
	case "$h" in ''|'#'*) continue ;; esac
	bin=build-asan/fuzz/$h
	if [ ! -x "$bin" ]; then
		echo "FAIL fuzz-regress $h: $bin not built"
		continue
	fi
	# shellcheck disable=SC2086
	paths=$(eval echo $seeds)
	extra=""
	for c in tests/fuzz/crashers/*; do
		[ -e "$c" ] && extra="$extra $c"
	done
	# shellcheck disable=SC2086
	if out=$(timeout 600 "$bin" $paths $extra 2>&1); then
		echo "ok fuzz-regress $h: $(tail -1 <<<"$out")"
	else
		echo "FAIL fuzz-regress $h: $(tail -5 <<<"$out" | tr '\n' ' ')"
	fi
done < tests/fuzz/SEEDS
