#!/bin/bash
# Live acceptance checks of `stuckscope watch` (issue 11) not in watch.sh, in a
# network namespace this script creates. One line per check:
# "ok live watch: ...", "FAIL live watch: ...", "SKIP live watch: reason".
#
#  1. trigger latency: watch runs first, then prefork.py --stuck-workers 2 and
#     load; the first ListenOverflows increment (polled every 100 ms inside the
#     netns) to the bundle's trigger.json mtime must be <= 3 s;
#  2. that bundle's report names the stuck workers (workers-stuck pids =
#     prefork.py's BUGGY pids); the pre-trigger ring of a bundle triggered by
#     close-wait-growing/worker-stuck (run 4, a fresh server) shows the accept
#     queue filling (LISTEN Recv-Q rising toward its limit) or CLOSE-WAIT growing;
#  3. disk bound: --max-disk 1 with ~1 MB of fake old bundles: the oldest go,
#     the new bundle stays, the total is within 1 MiB;
#  4. SIGTERM during the attach collection of a triggered bundle: watch exits
#     0 promptly, the partial bundle says interrupted and `stuckscope analyze`
#     reads it (exit 0), no server process is left stopped or traced;
#  5. no false trigger: a healthy threaded.py (backlog 1024) under 30 s of wrk
#     while watch runs: no bundle, no trigger line, no ListenOverflows.
#
# Safety: traffic only on loopback inside stk-wat2-$$; no sysctl is changed;
# every process runs under `timeout`, in its own process group, killed by id on
# EXIT with the netns and temp files. Run time about 75 s.
set -u
cd "$(dirname "$0")/../.." || exit 1
ROOT=$(pwd)
BIN=${BIN:-$ROOT/stuckscope}
PY=/usr/bin/python3
SERVERS=$ROOT/samples/servers
PORT=8000
HPORT=8001
NS=stk-wat2-$$

ok() { echo "ok live watch: $1"; }
fail() { echo "FAIL live watch: $1${2:+: $2}"; }
skip() { echo "SKIP live watch: $1"; exit 0; }
check() { if eval "$2"; then ok "$1"; else fail "$1" "${3:-}"; fi; }

[ "$(id -u)" = 0 ] || skip "needs root (network namespace, ptrace)"
command -v ip >/dev/null || skip "no ip(8)"
[ -x "$BIN" ] || skip "no $BIN (run make)"
[ -x "$PY" ] || skip "no $PY"
"$BIN" watch --help >/dev/null 2>&1 || skip "watch not in this build"

TMP=$(mktemp -d /tmp/stk-wat2-test.XXXXXX)
PGIDS=()
cleanup() {
	local g p
	for g in "${PGIDS[@]}"; do kill -TERM -- "-$g" 2>/dev/null; done
	sleep 0.3
	for g in "${PGIDS[@]}"; do kill -KILL -- "-$g" 2>/dev/null; done
	for p in $(ip netns pids "$NS" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
	ip netns del "$NS" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ip netns add "$NS" 2>/dev/null || skip "cannot create a network namespace"
ip netns exec "$NS" ip link set lo up

# start CMD in the netns under timeout, in its own process group: $LAST is the group id
start() {
	local secs=$1 out=$2 err=$3
	shift 3
	setsid ip netns exec "$NS" timeout -k 2 "$secs" "$@" >"$out" 2>"$err" &
	PGIDS+=("$!")
	LAST=$!
}
child_of() { cat /proc/"$1"/task/*/children 2>/dev/null | tr ' ' '\n' | grep -m1 .; }
wait_for() {
	local pid=$1 secs=$2 i
	for i in $(seq $((secs * 10))); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then WRC=timeout; return 1; fi
	wait "$pid"; WRC=$?
	return 0
}
# ListenOverflows of the netns now
overflows() {
	ip netns exec "$NS" awk '/^TcpExt:/ { if (!h) { for (i = 1; i <= NF; i++) k[i] = $i; h = 1 }
		else for (i = 1; i <= NF; i++) if (k[i] == "ListenOverflows") print $i }' /proc/net/netstat
}
newest_bundle() { ls -d "$1"/stuckscope-watch-2* 2>/dev/null | grep -v -- '-20200' | tail -1; }

# ---- 1. latency: watch first, then the server, then load
W=$TMP/w1
mkdir -p "$W"
# disk-bound fixtures: three old watch bundles of ~350 kB each (over 1 MiB together)
for d in 20200101-000000 20200102-000000 20200103-000000; do
	mkdir -p "$W/stuckscope-watch-$d/ring"
	echo '{"schema_version": 1, "stuckscope_watch_trigger": 1}' > "$W/stuckscope-watch-$d/trigger.json"
	head -c 350000 /dev/urandom > "$W/stuckscope-watch-$d/ring/ss-001.txt"
done
touch -d '2020-01-01' "$W"/stuckscope-watch-2020*

start 90 "$TMP/w1.out" "$TMP/w1.err" "$BIN" watch --port $PORT --dir "$W" --once --keep 10 \
	--max-disk 1 --duration 4 --samples 3
WG=$LAST
# the first ListenOverflows increment, polled every 100 ms inside the netns
start 60 "$TMP/ovf.out" "$TMP/ovf.err" $PY -c '
import sys, time
def lo():
    with open("/proc/net/netstat") as f:
        rows = [l.split() for l in f if l.startswith("TcpExt:")]
    return int(rows[1][rows[0].index("ListenOverflows")])
base = lo()
while True:
    if lo() > base:
        print("%.3f" % time.time(), flush=True)
        break
    time.sleep(0.1)
'
sleep 1
PIDFILE=$TMP/prefork.pids
start 240 "$TMP/server.out" "$TMP/server.err" $PY "$SERVERS/prefork.py" --port $PORT --backlog 8 \
	--workers 4 --threads 4 --queue 4 --work-ms 50 --stuck-workers 2 --pidfile "$PIDFILE"
SG=$LAST
for _ in $(seq 100); do
	[ "$(grep -c ' thread acceptor ' "$PIDFILE" 2>/dev/null)" = 4 ] && break
	sleep 0.1
done
[ "$(grep -c ' thread acceptor ' "$PIDFILE" 2>/dev/null)" = 4 ] || skip "prefork.py did not start: $(head -c 300 "$TMP/server.err")"
PARENT=$(sed -n 's/^prefork.py: parent pid=\([0-9]*\) .*/\1/p' "$PIDFILE")
WORKERS=$(sed -n 's/^prefork.py: worker [0-9]* pid=\([0-9]*\) ppid=.*/\1/p' "$PIDFILE" | sort -n | tr '\n' ' ')
BUGGY=$(sed -n 's/^prefork.py: worker [0-9]* pid=\([0-9]*\) ppid=.* BUGGY.*/\1/p' "$PIDFILE" | sort -n | tr '\n' ' ')
# each worker's CPU ticks, polled every 100 ms: when a worker last used CPU is
# the independent start of the worker-stuck trigger's clock
start 60 "$TMP/cpu.out" "$TMP/cpu.err" $PY -c '
import sys, time
pids = [int(p) for p in sys.argv[1:]]
last = {}
end = time.time() + 55
while time.time() < end:
    for p in pids:
        try:
            f = open("/proc/%d/stat" % p).read()
        except OSError:
            continue
        st = f[f.rindex(")") + 2:].split()
        ticks = int(st[11]) + int(st[12])
        if last.get(p) != ticks:
            last[p] = ticks
            print("%d %.3f %d" % (p, time.time(), ticks), flush=True)
    time.sleep(0.1)
' $WORKERS
sleep 1.5	# watch polls the server (discovers it) before the load
start 60 "$TMP/clients.out" "$TMP/clients.err" $PY "$SERVERS/clients.py" get --port $PORT \
	--count 400 --concurrency 40 --timeout 4
wait_for "$WG" 60
check "latency run: watch --once exits 0" '[ "$WRC" = 0 ]' "exit $WRC: $(head -c 600 "$TMP/w1.err")"
B=$(newest_bundle "$W")
B=${B:-$TMP/none}
out=$($PY - "$B" "$TMP/ovf.out" "$TMP/cpu.out" <<'EOF' 2>&1
import calendar, json, os, sys, time
b, ovf, cpu = sys.argv[1], sys.argv[2], sys.argv[3]
tj = json.load(open(os.path.join(b, "trigger.json")))
tj = tj.get("watch", tj)
trig, first, at = tj["trigger"], tj["fired"][0], tj["at"]
t_fire = calendar.timegm(time.strptime(at[:19], "%Y-%m-%dT%H:%M:%S")) + float("0" + at[19:-1])
if trig == "worker-stuck":
    # the clock starts when the worker last used CPU (an independent 100 ms
    # poller) and the trigger waits 5 s of quiet: latency = fire - (quiet + 5)
    pid = first["pid"]
    last = max(float(t) for p, t, _ in (l.split() for l in open(cpu))
               if int(p) == pid and float(t) <= t_fire)
    print("%.2f worker-stuck pid %d: quiet from %.2f, fired at %.2f" % (t_fire - (last + 5.0), pid, last, t_fire))
else:
    t_bundle = os.stat(os.path.join(b, "trigger.json")).st_mtime
    for _ in range(50):     # the poller may not have written yet
        w = open(ovf).read().split()
        if w:
            break
        time.sleep(0.1)
    if w:
        print("%.2f %s after the first ListenOverflows increment" % (t_bundle - float(w[0]), trig))
    else:
        print("nan %s, with no ListenOverflows increment" % trig)
EOF
)
lat=${out%% *}
check "trigger latency: ${out#* }: ${lat} s, in [-0.5, 3] s" \
	'$PY -c "import sys; sys.exit(not (-0.5 <= float(sys.argv[1]) <= 3.0))" "$lat" 2>/dev/null' "$out"

# ---- 2. the ring and the stuck workers
out=$($PY - "$B" <<'EOF' 2>&1
import json, os, sys
r = json.load(open(os.path.join(sys.argv[1], "report.json")))
f = [x for x in r["findings"] if x["rule"] == "workers-stuck"]
print(" ".join(map(str, sorted(f[0]["pids"]))) if f else "none")
EOF
)
check "report names the stuck workers (workers-stuck pids $out = BUGGY ${BUGGY% })" '[ "$out " = "$BUGGY" ]' "$out"

# ---- 3. disk bound (the same run: --max-disk 1, --keep 10)
total=$(du -s -B1 "$W"/stuckscope-watch-* 2>/dev/null | awk '{ s += $1 } END { print s + 0 }')
nold=$(ls -d "$W"/stuckscope-watch-2020* 2>/dev/null | wc -l)
newsz=$(du -s -B1 "$B" 2>/dev/null | awk '{ print $1 }')
check "--max-disk 1: bundles total $total B (new one ${newsz} B, $nold of 3 old left): <= 1 MiB, or only the new one (alone over it) left" \
	'[ "$total" -le 1048576 ] || { [ "$nold" = 0 ] && [ -d "$B" ]; }' "$(ls "$W")"
check "--max-disk 1: the oldest went first, the new bundle stayed" \
	'[ ! -e "$W/stuckscope-watch-20200101-000000" ] && [ -s "$B/report.json" ] && { [ "$nold" = 0 ] || [ -e "$W/stuckscope-watch-20200103-000000" ]; }' \
	"$(ls "$W")"
check "--max-disk 1: rotation logged" 'grep -q "rotated out .*stuckscope-watch-20200101-000000" "$TMP/w1.err"' \
	"$(head -c 600 "$TMP/w1.err")"

# ---- 4. SIGTERM during the attach collection
# a fresh pre-fork server (port 8002) so the ring sees its workers get stuck;
# the overflow and queue triggers are off: close-wait-growing or worker-stuck
# fire a few seconds into the load, so the ring spans the onset
kill -TERM -- "-$SG" 2>/dev/null
PORT2=8002
PIDFILE=$TMP/prefork2.pids
start 240 "$TMP/server2.out" "$TMP/server2.err" $PY "$SERVERS/prefork.py" --port $PORT2 --backlog 8 \
	--workers 4 --threads 4 --queue 4 --work-ms 50 --stuck-workers 2 --pidfile "$PIDFILE"
for _ in $(seq 100); do
	[ "$(grep -c ' thread acceptor ' "$PIDFILE" 2>/dev/null)" = 4 ] && break
	sleep 0.1
done
PARENT=$(sed -n 's/^prefork.py: parent pid=\([0-9]*\) .*/\1/p' "$PIDFILE")
WORKERS=$(sed -n 's/^prefork.py: worker [0-9]* pid=\([0-9]*\) ppid=.*/\1/p' "$PIDFILE" | sort -n | tr '\n' ' ')
W2=$TMP/w2
mkdir -p "$W2"
start 90 "$TMP/w2.out" "$TMP/w2.err" "$BIN" watch --port $PORT2 --dir "$W2" --once --duration 20 \
	--samples 10 --trigger-overflow 0 --trigger-queue-full 0
WG=$LAST
sleep 2
start 60 "$TMP/clients2.out" "$TMP/clients2.err" $PY "$SERVERS/clients.py" get --port $PORT2 \
	--count 600 --concurrency 40 --timeout 3
B2=
for _ in $(seq 300); do
	B2=$(newest_bundle "$W2")
	[ -n "$B2" ] && [ -s "$B2/trigger.json" ] && break
	sleep 0.1
done
sleep 2.5	# the ring is written and the stack sampling is under way
wpid=$(child_of "$WG")
[ -n "$wpid" ] && kill -TERM "$wpid"
t0=$(date +%s.%N)
# meanwhile: no server task may be seen stopped
stopped=""
for _ in $(seq 20); do
	for p in $PARENT $WORKERS; do
		for s in /proc/$p/task/*/stat; do
			st=$(sed 's/.*) \(.\).*/\1/' "$s" 2>/dev/null)
			case "$st" in t|T) stopped="$stopped $s";; esac
		done
	done
	kill -0 "$WG" 2>/dev/null || break
	sleep 0.1
done
wait_for "$WG" 20
took=$($PY -c "import sys; print('%.1f' % ($(date +%s.%N) - $t0))")
check "SIGTERM mid-collection: watch exits 0 in ${took} s" \
	'[ -n "$B2" ] && [ -n "$wpid" ] && [ "$WRC" = 0 ] && $PY -c "import sys; sys.exit(not float(sys.argv[1]) < 10)" "$took"' \
	"bundle '$B2', exit $WRC: $(head -c 600 "$TMP/w2.err")"
B2=${B2:-$TMP/none}
check "SIGTERM mid-collection: the manifest says interrupted" \
	'$PY -c "import json,sys; sys.exit(not json.load(open(sys.argv[1]))[\"interrupted\"])" "$B2/manifest.json" 2>/dev/null' \
	"$(head -c 300 "$B2/manifest.json" 2>&1)"
"$BIN" analyze --port $PORT2 "$B2" >"$TMP/a2.out" 2>"$TMP/a2.err"; arc=$?
check "SIGTERM mid-collection: stuckscope analyze reads the partial bundle (exit 0, notes the interruption)" \
	'[ $arc = 0 ] && grep -qi "interrupted" "$TMP/a2.out"' "exit $arc: $(head -c 300 "$TMP/a2.err")"
sleep 0.5
bad="$stopped"
for p in $PARENT $WORKERS; do
	for s in /proc/$p/task/*/status; do
		t=$(awk '/^TracerPid:/ {print $2}' "$s" 2>/dev/null)
		st=$(awk '/^State:/ {print $2}' "$s" 2>/dev/null)
		[ "${t:-0}" = 0 ] || bad="$bad $s(tracer $t)"
		case "$st" in t|T) bad="$bad $s(state $st)";; esac
	done
	[ -d /proc/$p ] || bad="$bad $p(gone)"
done
check "SIGTERM mid-collection: no server task stopped or traced (during and after)" '[ -z "$bad" ]' "$bad"

out=$($PY - "$B2" $PORT2 <<'EOF' 2>&1
import glob, os, re, sys
b, port = sys.argv[1], sys.argv[2]
rows = []
for f in sorted(glob.glob(os.path.join(b, "ring", "ss-*.txt"))):
    recvq = sendq = None
    cw = 0
    for line in open(f):
        p = line.split()
        if len(p) >= 4 and p[0] == "LISTEN" and p[3].endswith(":" + port):
            recvq, sendq = int(p[1]), int(p[2])
        elif p and p[0] == "CLOSE-WAIT":
            cw += 1
    if recvq is not None:
        rows.append((recvq, sendq, cw))
assert rows, "no ring snapshot shows the listener"
q = [r[0] for r in rows]
cw = [r[2] for r in rows]
limit = rows[-1][1]
print("Recv-Q %s of %d, CLOSE-WAIT %s" % ("/".join(map(str, q)), limit, "/".join(map(str, cw))))
filling = q[-1] > q[0] or max(q) >= limit   # rising toward the limit
cw_growing = cw[-1] > cw[0]
sys.exit(0 if filling or cw_growing else 1)
EOF
)
mrc=$?
check "ring of the close-wait/stuck bundle shows Recv-Q rising or CLOSE-WAIT growing ($out)" '[ $mrc = 0 ]' "$out"

# ---- 5. no false trigger: a healthy server under wrk
for g in "${PGIDS[@]}"; do kill -TERM -- "-$g" 2>/dev/null; done
if ! command -v wrk >/dev/null; then
	echo "SKIP live watch: healthy load: no wrk"
else
	start 90 "$TMP/h.out" "$TMP/h.err" $PY "$SERVERS/threaded.py" --port $HPORT --backlog 1024
	for _ in $(seq 50); do grep -q listening "$TMP/h.out" 2>/dev/null && break; sleep 0.1; done
	W3=$TMP/w3
	mkdir -p "$W3"
	start 80 "$TMP/w3.out" "$TMP/w3.err" "$BIN" watch --port $HPORT --dir "$W3" --cooldown 0 \
		--duration 2 --samples 1
	WG=$LAST
	sleep 1.5
	ovf0=$(overflows)
	start 45 "$TMP/wrk.out" "$TMP/wrk.err" wrk -t2 -c32 -d30s --timeout 5s "http://127.0.0.1:$HPORT/"
	KG=$LAST
	wait_for "$KG" 45
	krc=$WRC
	ovf1=$(overflows)
	sleep 1.5
	wpid=$(child_of "$WG")
	[ -n "$wpid" ] && kill -TERM "$wpid"
	wait_for "$WG" 10
	reqs=$(sed -n 's/^ *\([0-9]*\) requests in \([0-9.]*s\).*/\1 in \2/p' "$TMP/wrk.out")
	rate=$(sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' "$TMP/wrk.out")
	nb=$(ls -A "$W3" | wc -l)
	polls=$(sed -n 's/.*stopped after \([0-9]*\) polls.*/\1/p' "$TMP/w3.err")
	check "healthy load: wrk ran (${reqs:-?} requests, ${rate:-?} req/s)" \
		'[ "$krc" = 0 ] && [ "${reqs%% *}" -gt 1000 ] 2>/dev/null' "exit $krc: $(head -c 400 "$TMP/wrk.out") $(head -c 300 "$TMP/wrk.err")"
	check "healthy load: no ListenOverflows (${ovf0:-?} -> ${ovf1:-?})" '[ -n "$ovf0" ] && [ "$ovf0" = "$ovf1" ]'
	check "healthy load: no bundle and no trigger in ${polls:-?} polls" \
		'[ "$nb" = 0 ] && [ "${polls:-0}" -ge 25 ] && ! grep -q "trigger" "$TMP/w3.err" && [ "$WRC" = 0 ]' \
		"$nb bundles, exit $WRC: $(head -c 600 "$TMP/w3.err")"
fi

left=$(ps -eo pid,args | grep -F "$TMP" | grep -v grep | grep -F "stuckscope watch")
check "no stuckscope watch left running" '[ -z "$left" ]' "$left"
exit 0
