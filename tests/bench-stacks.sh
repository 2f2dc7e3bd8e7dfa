#!/bin/bash
# bench-stacks.sh — `stuckscope stacks` side by side with eu-stack, gdb and
# the floor (../shared/bench/sample-floor), in one run, on
# ../shared/bench/threads N for N = 8 32 128 512 (or the sizes given).
# Every sampler runs pinned to CPU 0 (taskset -c 0); the target's monitor
# thread, alone on CPU 1, measures how long it was stopped (gap_max_us,
# printed on SIGUSR1). Reports wall time, the stop window and ratios.
#   usage: tests/bench-stacks.sh [N...]      (SHARED=../shared by default)
set -u
cd "$(dirname "$0")/.." || exit 1
ROOT=$PWD
SHARED=${SHARED:-$(cd .. && pwd)/shared}
SS=${STUCKSCOPE:-$ROOT/stuckscope}
SIZES=${*:-8 32 128 512}
[ -x "$SS" ] || { echo "bench-stacks: build stuckscope first (make)" >&2; exit 1; }
for tool in eu-stack gdb taskset; do
	command -v $tool >/dev/null || echo "bench-stacks: $tool missing, its column stays empty" >&2
done

W=$(mktemp -d /tmp/stuckscope-bench-stacks.XXXXXX)
TP=
cleanup() { [ -n "$TP" ] && kill -KILL "$TP" 2>/dev/null && wait "$TP" 2>/dev/null; rm -rf "$W"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

cp -r "$SHARED/bench/." "$W/bench/" && chmod -R u+w "$W/bench"
make -s -C "$W/bench" threads sample-floor >/dev/null 2>"$W/make.err" ||
	{ echo "bench-stacks: cannot build $SHARED/bench: $(head -3 "$W/make.err")" >&2; exit 1; }

now_ms() { date +%s%3N; }
# gap: reset the monitor window before, read it after
gap_reset() { kill -USR1 "$TP"; sleep 0.05; }
gap_read() {
	local before
	before=$(grep -c gap_max_us "$W/threads.out")
	kill -USR1 "$TP"
	for _ in $(seq 100); do [ "$(grep -c gap_max_us "$W/threads.out")" -gt "$before" ] && break; sleep 0.01; done
	grep gap_max_us "$W/threads.out" | tail -1 | sed 's/.*gap_max_us=\([0-9]*\).*/\1/'
}

printf '%-5s %-22s %10s %14s %14s %12s %10s\n' threads tool wall_ms per_sample_ms stop_window_ms gap_max_ms vs_floor
for N in $SIZES; do
	"$W/bench/threads" "$N" >"$W/threads.out" 2>&1 &
	TP=$!
	for _ in $(seq 200); do grep -q ready "$W/threads.out" && break; sleep 0.05; done
	sleep 0.2

	# the floor: 5 samples
	gap_reset
	t0=$(now_ms)
	taskset -c 0 "$W/bench/sample-floor" -n 5 "$TP" >"$W/floor.txt" 2>&1
	t1=$(now_ms)
	fgap=$(gap_read)
	fwall=$((t1 - t0))
	fwin=$(sed -n 's/^summary.* stop_window_ms \([0-9.]*\) .*/\1/p' "$W/floor.txt")
	fsample=$(sed -n 's/^summary.* total_ms \([0-9.]*\) .*/\1/p' "$W/floor.txt" | head -1)

	# stuckscope: 5 samples
	gap_reset
	t0=$(now_ms)
	taskset -c 0 "$SS" stacks --pid "$TP" --samples 5 --format json >"$W/ss.json" 2>"$W/ss.err"
	t1=$(now_ms)
	sgap=$(gap_read)
	swall=$((t1 - t0))
	read -r swin ssample scold <<<"$(/usr/bin/python3 - "$W/ss.json" <<'EOF'
import json, statistics, sys
try:
    d = json.load(open(sys.argv[1]))
    s = d["sampling"]
    warm = s[1:] or s
    print("%.3f %.3f %.3f" % (statistics.median(x["stop_window_ms"] for x in warm),
                              statistics.median(x["wall_ms"] for x in warm), s[0]["wall_ms"]))
except Exception:
    print("- - -")
EOF
)"

	# eu-stack: one sample, one thread stopped at a time
	ewall=-; egap=-
	if command -v eu-stack >/dev/null; then
		gap_reset
		t0=$(now_ms)
		taskset -c 0 eu-stack -p "$TP" >/dev/null 2>&1
		t1=$(now_ms)
		egap=$(gap_read)
		ewall=$((t1 - t0))
	fi
	# gdb: one sample, whole process stopped while it works
	gwall=-; ggap=-
	if command -v gdb >/dev/null; then
		gap_reset
		t0=$(now_ms)
		taskset -c 0 gdb -q -nx -batch -ex 'set pagination off' -ex 'thread apply all bt' -p "$TP" >/dev/null 2>&1
		t1=$(now_ms)
		ggap=$(gap_read)
		gwall=$((t1 - t0))
	fi
	kill -TERM "$TP" 2>/dev/null; wait "$TP" 2>/dev/null; TP=

	ratio() { /usr/bin/python3 -c "import sys; a,b=sys.argv[1],sys.argv[2]; print('%.2fx' % (float(a)/float(b)) if a not in '-' and b not in '-' and float(b) > 0 else '-')" "$1" "$2"; }
	ms3() { [ "$1" = - ] && echo - || /usr/bin/python3 -c "import sys; print('%.1f' % (float(sys.argv[1])/1000))" "$1"; }
	printf '%-5s %-22s %10s %14s %14s %12s %10s\n' "$N" "sample-floor -n 5" "$fwall" "$fsample" "$fwin" "$(ms3 "$fgap")" "1.00x"
	printf '%-5s %-22s %10s %14s %14s %12s %10s\n' "$N" "stuckscope stacks -n 5" "$swall" "$ssample" "$swin" "$(ms3 "$sgap")" "$(ratio "$swall" "$fwall")"
	printf '%-5s %-22s %10s %14s %14s %12s %10s\n' "$N" "eu-stack -p (1 sample)" "$ewall" "$ewall" "-" "$(ms3 "$egap")" "$(ratio "$ewall" "$fwall")"
	printf '%-5s %-22s %10s %14s %14s %12s %10s\n' "$N" "gdb -batch bt (1)" "$gwall" "$gwall" "-" "$(ms3 "$ggap")" "$(ratio "$gwall" "$fwall")"
	echo "      stuckscope first (cold) sample: ${scold} ms wall; per_sample/stop_window: median of samples 2-5 (floor: its own median)"
done
echo "wall_ms: the whole command; gap_max_ms: longest time the target's monitor thread was stopped (over all samples of the command)"
