#!/bin/bash
# Live end-to-end test of `stuckscope watch` (the flight recorder) against the
# incident lab's pre-fork Python server (samples/servers/prefork.py
# --stuck-workers 2) in a network namespace this script creates. One line per
# check: "ok live watch: ...", "FAIL live watch: ...", "SKIP live watch: reason".
#
# Checks: a quiet server (no load) gives no bundle in ~5 s and watch stops
# cleanly on SIGTERM; under load a bundle appears in bounded time with the
# pre-trigger ring and the attach collection, its reports name the trigger and
# the verdict, the log line is printed, --once exits 0; rotation by --keep
# deletes only the oldest watch bundles (never look-alikes, never through a
# symlink); --cooldown allows one bundle; the server still serves, untraced;
# nothing is left running.
#
# Safety: traffic only on loopback inside stk-watch-$$; no sysctl is changed;
# load bounded by --count and `timeout`; only the process groups started here
# are killed, by their ids; the netns and temp files go on EXIT.
set -u
cd "$(dirname "$0")/../.." || exit 1
ROOT=$(pwd)
BIN=${BIN:-$ROOT/stuckscope}
SHARED=${SHARED:-$(cd .. && pwd)/shared}
PY=/usr/bin/python3
SERVERS=$ROOT/samples/servers
PORT=8000
NS=stk-watch-$$

ok() { echo "ok live watch: $1"; }
fail() { echo "FAIL live watch: $1${2:+: $2}"; }
skip() { echo "SKIP live watch: $1"; exit 0; }
check() { if eval "$2"; then ok "$1"; else fail "$1" "${3:-}"; fi; }

[ "$(id -u)" = 0 ] || skip "needs root (network namespace, ptrace)"
command -v ip >/dev/null || skip "no ip(8)"
[ -x "$BIN" ] || skip "no $BIN (run make)"
[ -x "$PY" ] || skip "no $PY"
"$BIN" watch --help >/dev/null 2>&1 || skip "watch not in this build"

# ---- 0. the command line
n=$("$BIN" watch --list-triggers 2>/dev/null | grep -cE '^(listen-overflow|accept-queue-full|close-wait-growing|syn-queue-full|worker-stuck)$')
check "--list-triggers documents the five triggers" '[ "$n" = 5 ]' "$n listed"
"$BIN" watch --help 2>/dev/null | grep -q -- '--trigger-stuck S'
check "--help documents the trigger options" '[ $? = 0 ]'
"$BIN" watch >/dev/null 2>&1; rc=$?
check "watch without --port is a usage error" '[ $rc = 1 ]' "exit $rc"
"$BIN" watch --port 8000 --trigger-stuck soon >/dev/null 2>&1; rc=$?
check "a bad threshold is a usage error" '[ $rc = 1 ]' "exit $rc"

TMP=$(mktemp -d /tmp/stk-watch-test.XXXXXX)
PGIDS=()
cleanup() {
	local g
	for g in "${PGIDS[@]}"; do
		kill -TERM -- "-$g" 2>/dev/null
	done
	sleep 0.3
	for g in "${PGIDS[@]}"; do
		kill -KILL -- "-$g" 2>/dev/null
	done
	local p
	for p in $(ip netns pids "$NS" 2>/dev/null); do
		kill -KILL "$p" 2>/dev/null
	done
	ip netns del "$NS" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ip netns add "$NS" 2>/dev/null || skip "cannot create a network namespace"
ip netns exec "$NS" ip link set lo up

# start CMD in the netns under timeout, in its own process group (setsid):
# $LAST is then the group id
start() {
	local secs=$1 out=$2 err=$3
	shift 3
	setsid ip netns exec "$NS" timeout -k 2 "$secs" "$@" >"$out" 2>"$err" &
	PGIDS+=("$!")
	LAST=$!
}
# the stuckscope under `setsid ip netns exec timeout`: timeout's child
child_of() { cat /proc/"$1"/task/*/children 2>/dev/null | tr ' ' '\n' | grep -m1 .; }
# wait up to $2 s for group leader $1 to end; its exit status in $WRC
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

PIDFILE=$TMP/prefork.pids
start 240 "$TMP/server.out" "$TMP/server.err" $PY "$SERVERS/prefork.py" --port $PORT --backlog 8 \
	--workers 4 --threads 4 --queue 4 --work-ms 50 --stuck-workers 2 --pidfile "$PIDFILE"
for _ in $(seq 100); do
	[ "$(grep -c ' thread acceptor ' "$PIDFILE" 2>/dev/null)" = 4 ] && break
	sleep 0.1
done
[ "$(grep -c ' thread acceptor ' "$PIDFILE" 2>/dev/null)" = 4 ] || skip "prefork.py did not start: $(head -c 300 "$TMP/server.err")"
PARENT=$(sed -n 's/^prefork.py: parent pid=\([0-9]*\) .*/\1/p' "$PIDFILE")
WORKERS=$(sed -n 's/^prefork.py: worker [0-9]* pid=\([0-9]*\) ppid=.*/\1/p' "$PIDFILE" | sort -n | tr '\n' ' ')

# ---- 1. a quiet server: no bundle within ~5 s; SIGTERM ends watch cleanly
Q=$TMP/quiet
start 30 "$TMP/q.out" "$TMP/q.err" "$BIN" watch --port $PORT --dir "$Q" --once --duration 1 --samples 1
QG=$LAST
sleep 5.5
qpid=$(child_of "$QG")
[ -n "$qpid" ] && kill -TERM "$qpid"
wait_for "$QG" 10
check "quiet server: no bundle in 5 s" '[ -z "$(ls -A "$Q" 2>/dev/null)" ]' "$(ls "$Q" 2>&1)"
check "quiet server: SIGTERM stops watch with exit 0" \
	'[ "$WRC" = 0 ] && grep -q "stopped after [0-9]* polls, 0 bundles" "$TMP/q.err"' \
	"exit $WRC: $(head -c 400 "$TMP/q.err")"

# ---- 2. under load: a bundle, its ring, the collection, the reports
W=$TMP/w
mkdir -p "$W"
# rotation fixtures: three old watch bundles (with trigger.json), and
# look-alikes that must survive: no trigger.json, a non-matching name, a
# symlink to a directory outside, a plain file
for d in stuckscope-watch-20200101-000000 stuckscope-watch-20200102-000000 \
	stuckscope-watch-20200103-000000; do
	mkdir -p "$W/$d/ring"
	echo '{"schema_version": 1, "stuckscope_watch_trigger": 1}' > "$W/$d/trigger.json"
	echo x > "$W/$d/ring/ss-001.txt"
done
mkdir -p "$W/stuckscope-watch-20190101-000000" "$W/stuckscope-watch-notes" "$TMP/outside"
echo keep > "$W/stuckscope-watch-20190101-000000/notes.txt"	# no trigger.json: not ours
echo '{}' > "$W/stuckscope-watch-notes/trigger.json"
echo '{}' > "$TMP/outside/trigger.json"
ln -s "$TMP/outside" "$W/stuckscope-watch-20180101-000000"
echo keep > "$W/stuckscope-watch-20170101-000000"
touch -d '2020-01-01' "$W"/stuckscope-watch-2020*

start 90 "$TMP/w.out" "$TMP/w.err" "$BIN" watch --port $PORT --dir "$W" --once --keep 3 \
	--duration 3 --samples 2
WG=$LAST
sleep 2
# bounded load: clients give up after 4 s (CLOSE_WAIT on the stuck workers)
start 60 "$TMP/clients.out" "$TMP/clients.err" $PY "$SERVERS/clients.py" get --port $PORT \
	--count 400 --concurrency 40 --timeout 4
t0=$(date +%s)
wait_for "$WG" 60
took=$(( $(date +%s) - t0 ))
check "watch --once exits 0 after its bundle (${took} s)" '[ "$WRC" = 0 ]' \
	"exit $WRC: $(head -c 600 "$TMP/w.err")"
B=$(ls -d "$W"/stuckscope-watch-* 2>/dev/null | grep -vE '20(17|18|19|20)0[0-9]{3}-000000|notes' | tail -1)
check "a bundle appeared within 60 s" '[ -n "$B" ] && [ -s "$B/manifest.json" ]' "$(ls "$W")"
B=${B:-$TMP/none}
nring=$(ls "$B"/ring/ss-*.txt 2>/dev/null | wc -l)
check "bundle holds the pre-trigger ring ($nring polls)" \
	'[ "$nring" -ge 2 ] && [ -s "$B/ring/proc-net-netstat-001.txt" ] && [ -s "$B/ring/proc-net-snmp-001.txt" ] && [ -s "$B/ring/proc-task-001.txt" ]' \
	"$(ls "$B/ring" 2>&1 | head -5)"
check "ring files start with their UTC time" \
	'for f in "$B"/ring/*.txt; do head -1 "$f" | grep -qE "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$" || exit 1; done'
check "ring ss files show the listener with its owners" \
	'grep -qE "^LISTEN +[0-9]+ +8 +127.0.0.1:$PORT .*pid=" "$B/ring/ss-001.txt"' "$(head -3 "$B/ring/ss-001.txt")"
missing=""
for f in manifest.json ss-01.txt ss-02.txt proc-net-netstat-01.txt sysctl.txt trigger.json \
	report.txt report.json report.html; do
	[ -s "$B/$f" ] || missing="$missing $f"
done
for p in $WORKERS; do
	[ -s "$B/stacks-$p-01.txt" ] || missing="$missing stacks-$p-01.txt"
done
check "bundle holds the attach collection and the reports" '[ -z "$missing" ]' "missing:$missing"
check "manifest lists the ring files" 'grep -q "\"ring/ss-001.txt\"" "$B/manifest.json"'
out=$($PY - "$B" <<'EOF' 2>&1
import json, sys, os
b = sys.argv[1]
r = json.load(open(os.path.join(b, "report.json")))
t = json.load(open(os.path.join(b, "trigger.json")))
w = r["watch"]
trig = ("listen-overflow", "accept-queue-full", "close-wait-growing", "syn-queue-full", "worker-stuck")
assert w["trigger"] in trig, w
assert t["watch"]["trigger"] == w["trigger"], (t, w)
assert r["verdict"] in ("degraded", "outage"), r["verdict"]
root = next(f for f in r["findings"] if f["id"] == r["root_cause"])
assert root["rule"] in ("workers-stuck", "accept-queue-overflow", "close-wait-accumulation"), root["rule"]
assert w["verdict"] == r["verdict"] and w["root_cause_rule"] == root["rule"], w
print(w["trigger"], r["verdict"], root["rule"])
EOF
)
mrc=$?
check "report.json names the trigger and the verdict ($out)" '[ $mrc = 0 ]' "$out"
trig=${out%% *}
check "report.txt names the trigger" 'head -1 "$B/report.txt" | grep -q "^stuckscope watch: triggered at .* by $trig: "' \
	"$(head -2 "$B/report.txt")"
check "report.html names the trigger" 'grep -q "watch-trigger.*<code>$trig</code>" "$B/report.html"'
if [ -f "$SHARED/report.schema.json" ] && $PY -c 'import jsonschema' 2>/dev/null; then
	out=$($PY tests/validate-json.py "$SHARED/report.schema.json" "$B/report.json" 2>&1)
	mrc=$?
	check "report.json validates against the JSON schemas" '[ $mrc = 0 ]' "$out"
fi
check "one log line names the bundle and the verdict" \
	'[ "$(grep -c "^stuckscope: watch: trigger .*: bundle $B: verdict \(degraded\|outage\), root cause" "$TMP/w.err")" = 1 ]' \
	"$(head -c 600 "$TMP/w.err")"

# rotation: --keep 3 with 3 old + 1 new: only the oldest old one goes
check "rotation removed the oldest watch bundle" '[ ! -e "$W/stuckscope-watch-20200101-000000" ]'
check "rotation kept the newer ones" \
	'[ -d "$W/stuckscope-watch-20200102-000000" ] && [ -d "$W/stuckscope-watch-20200103-000000" ] && [ -d "$B" ]'
check "rotation left every look-alike alone" \
	'[ -s "$W/stuckscope-watch-20190101-000000/notes.txt" ] && [ -d "$W/stuckscope-watch-notes" ] && [ -L "$W/stuckscope-watch-20180101-000000" ] && [ -s "$TMP/outside/trigger.json" ] && [ -f "$W/stuckscope-watch-20170101-000000" ]' \
	"$(ls -la "$W")"

# ---- 3. cooldown: the load goes on, one bundle only in 15 s
C=$TMP/cool
start 60 "$TMP/clients2.out" "$TMP/clients2.err" $PY "$SERVERS/clients.py" get --port $PORT \
	--count 600 --concurrency 40 --timeout 3
start 60 "$TMP/c.out" "$TMP/c.err" "$BIN" watch --port $PORT --dir "$C" --cooldown 600 \
	--duration 1 --samples 1
CG=$LAST
sleep 15
cpid=$(child_of "$CG")
[ -n "$cpid" ] && kill -TERM "$cpid"
wait_for "$CG" 20
nb=$(ls -d "$C"/stuckscope-watch-* 2>/dev/null | wc -l)
check "cooldown: one bundle in 15 s of triggers" '[ "$nb" = 1 ]' "$nb bundles: $(head -c 600 "$TMP/c.err")"
check "cooldown: later triggers are logged as held back" 'grep -q "during the cooldown" "$TMP/c.err"' \
	"$(head -c 600 "$TMP/c.err")"
check "cooldown run: SIGTERM exits 0" '[ "$WRC" = 0 ]' "exit $WRC"

# ---- 4. the target is unharmed; nothing of ours is left
sleep 1
traced=""
for p in $PARENT $WORKERS; do
	t=$(awk '/^TracerPid:/ {print $2}' /proc/$p/status 2>/dev/null)
	[ "${t:-0}" = 0 ] || traced="$traced $p(by $t)"
	[ -d /proc/$p ] || traced="$traced $p(gone)"
done
check "every server process alive and untraced" '[ -z "$traced" ]' "$traced"
out=$(ip netns exec "$NS" timeout 30 $PY "$SERVERS/clients.py" get --port $PORT --count 4 \
	--concurrency 1 --timeout 5 2>&1)
check "the server still serves" 'echo "$out" | grep -qE "ok=[1-9]"' "$out"
left=$(ps -eo pid,args | grep -F "$TMP" | grep -v grep | grep -F "stuckscope watch")
check "no stuckscope watch left running" '[ -z "$left" ]' "$left"
exit 0
