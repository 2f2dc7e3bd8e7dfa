#!/bin/bash
# bench-watch.sh — what `stuckscope watch` costs a loaded server, side by side
# in one run: the server's request rate under wrk without watch, then with
# watch polling it (default --interval 1), and the CPU watch used meanwhile
# (utime + stime of watch and its children from /proc/PID/stat over the same
# window). Goal: watch under 1 % of one core.
#
# The server is samples/servers/prefork.c (pre-forked workers sharing one
# listener, healthy: --work-ms 0), in a network namespace this script creates,
# loopback only; wrk runs there too. Needs root and wrk (Debian package wrk).
#   usage: tests/bench-watch.sh [SECONDS per run, default 10] [INTERVAL, default 1]
set -u
cd "$(dirname "$0")/.." || exit 1
ROOT=$PWD
SS=${STUCKSCOPE:-$ROOT/stuckscope}
SECS=${1:-10}
INTERVAL=${2:-1}
PORT=8000
NS=stk-benchw-$$
[ "$(id -u)" = 0 ] || { echo "bench-watch: needs root (network namespace)" >&2; exit 1; }
[ -x "$SS" ] || { echo "bench-watch: build stuckscope first (make)" >&2; exit 1; }
if ! command -v wrk >/dev/null; then
	echo "bench-watch: installing wrk" >&2
	apt-get install -y -q wrk >/dev/null 2>&1 || { echo "bench-watch: no wrk" >&2; exit 1; }
fi
SERVER=$ROOT/samples/servers/build/prefork
[ -x "$SERVER" ] || make -s -C samples/servers >/dev/null 2>&1
[ -x "$SERVER" ] || { echo "bench-watch: cannot build samples/servers/prefork" >&2; exit 1; }

W=$(mktemp -d /tmp/stuckscope-bench-watch.XXXXXX)
SPG= WPID=
cleanup() {
	[ -n "$WPID" ] && kill -TERM "$WPID" 2>/dev/null
	[ -n "$SPG" ] && kill -TERM -- "-$SPG" 2>/dev/null
	sleep 0.3
	[ -n "$SPG" ] && kill -KILL -- "-$SPG" 2>/dev/null
	local p
	for p in $(ip netns pids "$NS" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
	ip netns del "$NS" 2>/dev/null
	[ -n "${KEEP_W:-}" ] || rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ip netns add "$NS" || exit 1
ip netns exec "$NS" ip link set lo up
setsid ip netns exec "$NS" timeout -k 2 $((SECS * 4 + 60)) "$SERVER" --port $PORT --backlog 1024 \
	--workers 4 --threads 4 --queue 64 --work-ms 0 --pidfile "$W/pids" >"$W/server.out" 2>&1 &
SPG=$!
for _ in $(seq 50); do
	ip netns exec "$NS" ss -Hltn "sport = :$PORT" | grep -q LISTEN && break
	sleep 0.1
done

run_wrk() {	# prints requests/s
	ip netns exec "$NS" timeout $((SECS + 10)) wrk -t2 -c32 -d"${SECS}s" \
		"http://127.0.0.1:$PORT/" 2>&1 | tee -a "$W/wrk.out" |
		awk '/^Requests\/sec:/ {print $2}'
}
ticks() {	# utime stime cutime cstime of a pid, in clock ticks
	awk '{ sub(/^.*\) /, ""); print $12 + $13 + $14 + $15 }' "/proc/$1/stat"
}

ip netns exec "$NS" timeout 5 wrk -t2 -c32 -d2s "http://127.0.0.1:$PORT/" >/dev/null 2>&1	# warm-up
rate_without=$(run_wrk)

ip netns exec "$NS" "$SS" watch --port $PORT --dir "$W/bundles" --interval "$INTERVAL" \
	--cooldown 3600 --duration 2 --samples 2 >"$W/watch.out" 2>"$W/watch.err" &
WPID=$!	# ip netns exec execs: this is stuckscope itself
sleep 2
hz=$(getconf CLK_TCK)
t0=$(ticks "$WPID"); s0=$(date +%s.%N)
rate_with=$(run_wrk)
t1=$(ticks "$WPID"); s1=$(date +%s.%N)
kill -TERM "$WPID"; wait "$WPID" 2>/dev/null; WPID=
bundles=$(ls -d "$W"/bundles/stuckscope-watch-* 2>/dev/null | wc -l)

awk -v a="$rate_without" -v b="$rate_with" -v t0="$t0" -v t1="$t1" -v hz="$hz" \
    -v s0="$s0" -v s1="$s1" -v iv="$INTERVAL" -v nb="$bundles" 'BEGIN {
	wall = s1 - s0; cpu = (t1 - t0) / hz; change = 0
	if (a + 0 > 0) change = 100 * (b - a) / a
	printf "bench-watch: prefork.c (4 workers x 4 threads), wrk -t2 -c32, %.1f s per run, watch --interval %s\n", wall, iv
	printf "  %-28s %12s\n", "run", "requests/s"
	printf "  %-28s %12.0f\n", "without watch", a
	printf "  %-28s %12.0f   (%+.1f %%)\n", "with watch", b, change
	printf "  watch CPU over the run: %.3f s in %.1f s = %.3f %% of one core (goal <= 1 %%)\n",
	       cpu, wall, 100 * cpu / wall
	printf "  bundles written during the run: %d (a trigger would add a collection)\n", nb
}'
grep 'stopped after' "$W/watch.err" | sed 's/^/  /'
