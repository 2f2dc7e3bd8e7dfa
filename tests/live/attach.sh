#!/bin/bash
# Live end-to-end test of `stuckscope attach` against the incident lab's
# pre-fork Python server (samples/servers/prefork.py --stuck-workers 2) in a
# network namespace this script creates. One line per check:
#   "ok live attach: ...", "FAIL live attach: ...", "SKIP live attach: reason".
#
# Checks: the bundle's files and manifest, workers found = the server's pids,
# the verdict and root cause, the report against the JSON schemas, --pid
# discovery, a container-like attach from the HOST namespace to the target in
# the netns (sockets, counters and sysctls must be the netns's), SIGINT
# stopping early with the bundle still analyzed, the target still serving and
# left untraced, nothing left running.
#
# Safety: traffic only on loopback inside stk-att-$$; sysctls set only inside
# it; load bounded by --count and `timeout`; only the process groups started
# here are killed, by their ids; the netns and temp files go on EXIT.
set -u
cd "$(dirname "$0")/../.." || exit 1
ROOT=$(pwd)
BIN=${BIN:-$ROOT/stuckscope}
SHARED=${SHARED:-$(cd .. && pwd)/shared}
PY=/usr/bin/python3
SERVERS=$ROOT/samples/servers
PORT=8000
NS=stk-att-$$
SOMAXCONN=1234		# a value no host has: proves sysctls come from the netns

ok() { echo "ok live attach: $1"; }
fail() { echo "FAIL live attach: $1${2:+: $2}"; }
skip() { echo "SKIP live attach: $1"; exit 0; }
check() { if eval "$2"; then ok "$1"; else fail "$1" "${3:-}"; fi; }

[ "$(id -u)" = 0 ] || skip "needs root (network namespace, ptrace)"
command -v ip >/dev/null || skip "no ip(8)"
[ -x "$BIN" ] || skip "no $BIN (run make)"
[ -x "$PY" ] || skip "no $PY"
"$BIN" attach --help >/dev/null 2>&1 || skip "attach not in this build"

TMP=$(mktemp -d /tmp/stk-att-test.XXXXXX)
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
	# anything still inside our netns is ours
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
ip netns exec "$NS" sysctl -q -w net.core.somaxconn=$SOMAXCONN >/dev/null 2>&1

# start CMD in the netns under timeout, in its own process group (setsid):
# $! is then the group id
start() {
	local secs=$1 out=$2
	shift 2
	setsid ip netns exec "$NS" timeout -k 2 "$secs" "$@" >"$out" 2>&1 &
	PGIDS+=("$!")
	LAST=$!
}

PIDFILE=$TMP/prefork.pids
start 150 "$TMP/server.out" $PY "$SERVERS/prefork.py" --port $PORT --backlog 8 --workers 4 \
	--threads 4 --queue 4 --work-ms 50 --stuck-workers 2 --pidfile "$PIDFILE"
for _ in $(seq 100); do
	[ "$(grep -c ' thread acceptor ' "$PIDFILE" 2>/dev/null)" = 4 ] && break
	sleep 0.1
done
[ "$(grep -c ' thread acceptor ' "$PIDFILE" 2>/dev/null)" = 4 ] || skip "prefork.py did not start: $(head -c 300 "$TMP/server.out")"
PARENT=$(sed -n 's/^prefork.py: parent pid=\([0-9]*\) .*/\1/p' "$PIDFILE")
WORKERS=$(sed -n 's/^prefork.py: worker [0-9]* pid=\([0-9]*\) ppid=.*/\1/p' "$PIDFILE" | sort -n | tr '\n' ' ')
BUGGY=$(sed -n 's/^prefork.py: worker [0-9]* pid=\([0-9]*\) ppid=.*BUGGY.*/\1/p' "$PIDFILE" | sort -n | tr '\n' ' ')
HEALTHY=$(sed -n 's/^prefork.py: worker [0-9]* pid=\([0-9]*\) ppid=.* healthy$/\1/p' "$PIDFILE" | sort -n | head -1)
EXPECT=$(echo "$PARENT $WORKERS" | tr ' ' '\n' | grep . | sort -n | tr '\n' ' ')

# bounded load: clients give up after 4 s (CLOSE_WAIT on the stuck workers)
start 60 "$TMP/clients.out" $PY "$SERVERS/clients.py" get --port $PORT --count 400 \
	--concurrency 40 --timeout 4

# The precondition, checked the way a user would: every buggy worker holds
# connections nobody reads (ESTAB with unread Recv-Q, or CLOSE-WAIT) in two
# `ss -tnp` looks 0.5 s apart. Under a loaded machine the load may take a few
# seconds to reach a worker; wait for it (bounded), never attach before.
waiting_conns() {	# PID -> connections it owns that nobody reads
	ip netns exec "$NS" ss -Htnp 2>/dev/null | awk -v pid="pid=$1," '
		index($0, pid) && (($1 == "ESTAB" && $2 > 0) || $1 == "CLOSE-WAIT") { n++ }
		END { print n + 0 }'
}
held=""
for _ in $(seq 40); do
	held=""
	for p in $BUGGY; do
		a=$(waiting_conns "$p"); sleep 0.25; b=$(waiting_conns "$p")
		[ "$a" -gt 0 ] && [ "$b" -gt 0 ] && held="$held $p"
	done
	[ "$(echo $held)" = "$(echo $BUGGY)" ] && break
	sleep 0.25
done
check "precondition: every buggy worker holds connections nobody reads (${held# })" \
	'[ "$(echo $held)" = "$(echo $BUGGY)" ]' "buggy $BUGGY, holding:$held"

# ---- 1. attach --port from inside the netns
B1=$TMP/b1
ip netns exec "$NS" timeout 90 "$BIN" attach --port $PORT --duration 5 -o "$B1" --format json \
	>"$TMP/r1.json" 2>"$TMP/r1.err"
rc=$?
check "attach --port exits 0" '[ $rc = 0 ]' "exit $rc: $(head -c 400 "$TMP/r1.err")"
missing=""
for f in manifest.json ss-01.txt ss-05.txt proc-net-netstat-01.txt proc-net-netstat-05.txt \
	proc-net-snmp-01.txt sysctl.txt; do
	[ -s "$B1/$f" ] || missing="$missing $f"
done
for p in $EXPECT; do
	for f in proc-task-$p-01.txt proc-task-$p-05.txt proc-fd-$p-01.txt proc-limits-$p.txt; do
		[ -s "$B1/$f" ] || missing="$missing $f"
	done
done
check "bundle has the expected files" '[ -z "$missing" ]' "missing:$missing"
check "bundle has stack samples of every worker" \
	'for p in $WORKERS; do [ -s "$B1/stacks-$p-01.txt" ] || exit 1; done' \
	"$(ls "$B1" | grep -c stacks) stack files"
check "every text file starts with its UTC time" \
	'for f in "$B1"/*.txt; do head -1 "$f" | grep -qE "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$" || exit 1; done'

manifest_py() {
	$PY - "$1" "$2" <<'EOF'
import json, os, sys
d, want = sys.argv[1], sorted(int(x) for x in sys.argv[2].split())
m = json.load(open(os.path.join(d, "manifest.json")))
assert m["stuckscope_bundle"] == 1, "stuckscope_bundle"
for k in ("version", "host", "kernel", "target_pids", "ports", "snapshots", "failed"):
    assert k in m, "no key " + k
for s in m["snapshots"]:
    assert os.path.exists(os.path.join(d, s["file"])), "listed, missing: " + s["file"]
    assert s["at"].endswith("Z") and s["kind"], s
assert sorted(m["target_pids"]) == want, "targets %s, server %s" % (sorted(m["target_pids"]), want)
print(m.get("netns"), json.dumps(m["failed"]))
EOF
}
out=$(manifest_py "$B1" "$EXPECT" 2>&1)
mrc=$?
check "manifest valid, workers found = the server's pids" '[ $mrc = 0 ]' "$out"

report_py() {
	$PY - "$1" "$2" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
buggy = set(int(x) for x in sys.argv[2].split())
assert r["verdict"] in ("degraded", "outage"), "verdict " + r["verdict"]
root = next(f for f in r["findings"] if f["id"] == r["root_cause"])
assert root["rule"] in ("workers-stuck", "close-wait-accumulation", "accept-queue-overflow"), \
    "root cause " + root["rule"]
stuck = set(p["pid"] for p in r["processes"] if p["state"] == "stuck")
assert buggy <= stuck or buggy <= set(root["pids"]), "stuck %s, buggy %s" % (stuck, buggy)
print(r["verdict"], root["rule"])
EOF
}
out=$(report_py "$TMP/r1.json" "$BUGGY" 2>&1)
mrc=$?
check "verdict and root cause name the stuck workers ($out)" '[ $mrc = 0 ]' "$out"
if [ -f "$SHARED/report.schema.json" ] && $PY -c 'import jsonschema' 2>/dev/null; then
	out=$($PY tests/validate-json.py "$SHARED/report.schema.json" "$TMP/r1.json" 2>&1)
	mrc=$?
	check "report validates against the JSON schemas" '[ $mrc = 0 ]' "$out"
fi
out=$("$BIN" analyze --format json "$B1" 2>/dev/null | $PY -c 'import json,sys; r=json.load(sys.stdin); print(r["verdict"], r["root_cause"])')
out1=$($PY -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["verdict"], r["root_cause"])' "$TMP/r1.json")
check "stuckscope analyze BUNDLE gives the same verdict" '[ "$out" = "$out1" ]' "analyze: $out, attach: $out1"

# ---- 1b. the first minute: the handlers of the buggy workers are all stuck
# while their acceptors still accept (a queue of 64 never fills), so each
# accepts into a queue nobody drains. Those workers are stuck, not healthy
# (before classify.c weighed undrained work, they were reported healthy).
FM_PORT=8001
FM_PIDS=$TMP/fm.pids
start 60 "$TMP/fm-server.out" $PY "$SERVERS/prefork.py" --port $FM_PORT --backlog 64 --workers 4 \
	--threads 4 --queue 64 --work-ms 50 --stuck-workers 2 --pidfile "$FM_PIDS"
FM_G=$LAST
for _ in $(seq 100); do
	[ "$(grep -c ' thread acceptor ' "$FM_PIDS" 2>/dev/null)" = 4 ] && break
	sleep 0.1
done
FM_BUGGY=$(sed -n 's/^prefork.py: worker [0-9]* pid=\([0-9]*\) ppid=.*BUGGY.*/\1/p' "$FM_PIDS" | sort -n | tr '\n' ' ')
start 40 "$TMP/fm-clients.out" $PY "$SERVERS/clients.py" get --port $FM_PORT --count 200 \
	--concurrency 20 --timeout 4
for _ in $(seq 40); do
	n=0
	for p in $FM_BUGGY; do
		[ "$(ip netns exec "$NS" ss -Htnp 2>/dev/null | grep -c "pid=$p,")" -ge 6 ] && n=$((n + 1))
	done
	[ "$n" = 2 ] && break
	sleep 0.25
done
ip netns exec "$NS" timeout 60 "$BIN" attach --port $FM_PORT --duration 3 --samples 3 -o "$TMP/bfm" \
	--format json >"$TMP/rfm.json" 2>"$TMP/rfm.err"
out=$($PY - "$TMP/rfm.json" "$FM_BUGGY" <<'EOF' 2>&1
import json, sys
r = json.load(open(sys.argv[1]))
buggy = set(int(x) for x in sys.argv[2].split())
procs = {p["pid"]: p for p in r["processes"]}
stuck = set(p for p in procs if procs[p]["state"] == "stuck")
accepting = set(p for p in buggy if any(t["blocked_on"] == "accept" for t in procs[p]["threads"]))
assert stuck == buggy, "stuck %s, buggy %s" % (sorted(stuck), sorted(buggy))
print("stuck %s, of them still in accept(): %s" % (sorted(stuck), sorted(accepting)))
EOF
)
mrc=$?
check "first minute: workers whose handlers are all stuck are stuck while they accept ($out)" \
	'[ $mrc = 0 ] && [ -n "$FM_BUGGY" ]' "$out $(head -c 300 "$TMP/rfm.err")"
kill -TERM -- "-$FM_G" 2>/dev/null

# ---- 2. --pid discovery (a healthy worker named: finds the whole family)
B2=$TMP/b2
ip netns exec "$NS" timeout 60 "$BIN" attach --pid "$HEALTHY" --duration 1 --samples 2 -o "$B2" \
	--format json >"$TMP/r2.json" 2>"$TMP/r2.err"
rc=$?
out=$(manifest_py "$B2" "$EXPECT" 2>&1)
mrc=$?
check "attach --pid finds the port and every worker" '[ $rc = 0 ] && [ $mrc = 0 ]' \
	"exit $rc: $out $(head -c 300 "$TMP/r2.err")"

# ---- 3. container-like: from the HOST namespace, --pid of a target in the netns
B3=$TMP/b3
timeout 60 "$BIN" attach --pid "$HEALTHY" --duration 1 --samples 2 --capture -o "$B3" \
	--format json >"$TMP/r3.json" 2>"$TMP/r3.err"
rc=$?
out=$(manifest_py "$B3" "$EXPECT" 2>&1)
mrc=$?
check "host-side attach --pid exits 0 and finds the workers" '[ $rc = 0 ] && [ $mrc = 0 ] && [ "${out%% *}" = target ]' \
	"exit $rc: $out $(head -c 300 "$TMP/r3.err")"
check "host-side attach reads the netns's sysctls" \
	'grep -qx "net.core.somaxconn = $SOMAXCONN" "$B3/sysctl.txt"' "$(grep somaxconn "$B3/sysctl.txt" 2>&1)"
lino=$(ip netns exec "$NS" ss -Hltne "sport = :$PORT" 2>/dev/null | grep -o 'ino:[0-9]*' | head -1)
check "host-side attach reads the netns's sockets" \
	'[ -n "$lino" ] && grep -q "127.0.0.1:$PORT .*$lino" "$B3/ss-01.txt"' "netns listener $lino"
# the netns's counters: Tcp PassiveOpens there counts our 400+ connections,
# and is not the host's
passive() { $PY -c '
import sys
rows = [l.split() for l in open(sys.argv[1]) if l.startswith("Tcp:")]
print(rows[1][rows[0].index("PassiveOpens")])' "$1"; }
b3p=$(passive "$B3/proc-net-snmp-01.txt" 2>/dev/null)
nsp=$(ip netns exec "$NS" cat /proc/net/snmp > "$TMP/ns-snmp" && passive "$TMP/ns-snmp")
hostp=$(passive /proc/net/snmp)
check "host-side attach copies the netns's counters" \
	'[ -n "$b3p" ] && [ "$b3p" -ge 400 ] && [ "$b3p" -le "$nsp" ] && [ "$hostp" != "$nsp" ]' \
	"bundle PassiveOpens $b3p, netns $nsp, host $hostp"
check "--capture wrote a capture in the netns" '[ -s "$B3/capture.pcap" ] && grep -q capture.pcap "$B3/manifest.json"' \
	"$(grep -A2 capture "$B3/manifest.json" | head -5)"

# ---- 4. SIGINT stops early; what was collected is still analyzed
B4=$TMP/b4
ip netns exec "$NS" timeout 60 "$BIN" attach --port $PORT --duration 30 --samples 4 -o "$B4" \
	--format json >"$TMP/r4.json" 2>"$TMP/r4.err" &
apid=$!
sleep 2.5
# `ip netns exec` execs: $! is timeout; its child is stuckscope
spid=$(cat /proc/$apid/task/*/children 2>/dev/null | tr ' ' '\n' | grep -m1 .)
[ -n "$spid" ] && kill -INT "$spid"
wait $apid
rc=$?
check "SIGINT: exits 0 with a report" '[ $rc = 0 ] && $PY -c "import json,sys; json.load(open(sys.argv[1]))" "$TMP/r4.json"' \
	"exit $rc: $(head -c 300 "$TMP/r4.err")"
check "SIGINT: manifest says interrupted" \
	'$PY -c "import json,sys; m=json.load(open(sys.argv[1])); assert m[\"interrupted\"] and m[\"snapshots_done\"] < 4" "$B4/manifest.json"'

# ---- 5. the target is unharmed
sleep 1
traced=""
for p in $EXPECT; do
	t=$(awk '/^TracerPid:/ {print $2}' /proc/$p/status 2>/dev/null)
	[ "${t:-0}" = 0 ] || traced="$traced $p(by $t)"
	[ -d /proc/$p ] || traced="$traced $p(gone)"
done
check "every server process alive and untraced" '[ -z "$traced" ]' "$traced"
out=$(ip netns exec "$NS" timeout 20 $PY "$SERVERS/clients.py" get --port $PORT --count 4 \
	--concurrency 1 --timeout 5 2>&1)
check "the target still serves afterwards" 'echo "$out" | grep -qE "ok=[1-9]"' "$out"
left=$(ps -eo pid,args | grep -F "$TMP" | grep -v grep | grep -F stuckscope)
check "no stuckscope left running" '[ -z "$left" ]' "$left"
exit 0
