#!/bin/bash
# Attach under stress (issue 10): stuckscope must never harm a busy target.
# One line per check: "ok live stress: ...", "FAIL live stress: ...",
# "SKIP live stress: reason".
#
#  a. `stacks --pid W --samples 3` and `attach --port 8000 --duration 3`
#     against samples/servers/prefork.py under full wrk load: requests keep
#     succeeding (wrk's errors stay under 1%), the server answers afterwards.
#  b. a target that creates and exits threads all the time
#     (samples/servers/threaded.py: one thread per connection, under wrk).
#  c. a worker killed mid-attach: attach finishes with a note, exit 0.
#  d. SIGKILL of `stuckscope stacks` at a random point (0-300 ms), 100 times:
#     after each, no thread of the target in t/T state or traced (TracerPid 0
#     in every /proc/W/task/*/status); the target keeps serving.
#  e. another tracer first (a PTRACE_SEIZE program; gdb -p in batch mode):
#     a message naming the tracer, exit 2, no hang; the target left as found.
#
# Safety: loopback only, inside the network namespace stk-stress-$$ made
# here; wrk load bounded by -d and `timeout`; every process started here runs
# in its own process group (setsid) and only those groups, and what is left
# inside our netns, are killed; the netns and temp files go on EXIT.
set -u
cd "$(dirname "$0")/../.." || exit 1
ROOT=$PWD
BIN=${BIN:-$ROOT/stuckscope}
PY=/usr/bin/python3
SERVERS=$ROOT/samples/servers
NS=stk-stress-$$

ok() { echo "ok live stress: $1"; }
fail() { echo "FAIL live stress: $1${2:+: $2}"; }
skip() { echo "SKIP live stress: $1"; exit 0; }
check() { if eval "$2"; then ok "$1"; else fail "$1" "${3:-}"; fi; }

[ "$(id -u)" = 0 ] || skip "needs root (network namespace, ptrace)"
command -v ip >/dev/null || skip "no ip(8)"
command -v wrk >/dev/null || skip "no wrk (apt-get install -y wrk)"
command -v gcc >/dev/null || skip "no gcc to build the tracer"
[ -x "$BIN" ] || skip "no $BIN (run make)"
"$BIN" attach --help >/dev/null 2>&1 || skip "attach not in this build"
"$BIN" stacks --help >/dev/null 2>&1 || skip "stacks not in this build"

TMP=$(mktemp -d /tmp/stk-stress.XXXXXX)
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

# start SECS OUT CMD...: in the netns, under timeout, in its own process
# group; LAST = its pid (= its group id)
start() {
	local secs=$1 out=$2
	shift 2
	setsid ip netns exec "$NS" timeout -k 2 "$secs" "$@" >"$out" 2>&1 &
	LAST=$!
	PGIDS+=("$LAST")
}
nsrun() { ip netns exec "$NS" "$@"; }

# wrk's errors: socket errors + non-2xx; prints "REQUESTS ERRORS"
wrk_errors() {
	$PY - "$1" <<'EOF'
import re, sys
t = open(sys.argv[1]).read()
m = re.search(r"(\d+) requests in", t)
req = int(m.group(1)) if m else 0
err = 0
m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", t)
if m:
    err += sum(int(x) for x in m.groups())
m = re.search(r"Non-2xx or 3xx responses: (\d+)", t)
if m:
    err += int(m.group(1))
print(req, err)
EOF
}
# one GET through the netns loopback; true when it is answered 200
answers() {
	nsrun timeout 10 $PY -c '
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(b"GET / HTTP/1.0\r\nHost: x\r\n\r\n")
d = b""
while True:
    b = s.recv(4096)
    if not b:
        break
    d += b
sys.exit(0 if d.startswith(b"HTTP/1.") and b" 200 " in d.split(b"\r\n")[0] else 1)' "$1" 2>/dev/null
}
# no thread of PID in t/T state and none traced (waits up to 1 s for the
# kernel to finish releasing the tracees of a killed tracer)
released() {
	local pid=$1 i s bad
	for i in $(seq 100); do
		bad=0
		for s in /proc/"$pid"/task/*/stat; do
			case "$(sed 's/.*) \(.\).*/\1/' "$s" 2>/dev/null)" in t|T) bad=1 ;; esac
		done
		for s in /proc/"$pid"/task/*/status; do
			[ "$(awk '/^TracerPid:/ {print $2}' "$s" 2>/dev/null)" = 0 ] || [ ! -e "$s" ] || bad=1
		done
		[ $bad = 0 ] && return 0
		sleep 0.01
	done
	return 1
}

# ---- the target: prefork.py, healthy, 4 workers x 4 threads
PIDFILE=$TMP/prefork.pids
start 170 "$TMP/server.out" $PY "$SERVERS/prefork.py" --port 8000 --backlog 128 --workers 4 \
	--threads 4 --queue 16 --work-ms 1 --pidfile "$PIDFILE"
for _ in $(seq 100); do
	[ "$(grep -c ' thread acceptor ' "$PIDFILE" 2>/dev/null)" = 4 ] && break
	sleep 0.1
done
[ "$(grep -c ' thread acceptor ' "$PIDFILE" 2>/dev/null)" = 4 ] || skip "prefork.py did not start: $(head -c 300 "$TMP/server.out")"
mapfile -t WORKERS < <(sed -n 's/^prefork.py: worker [0-9]* pid=\([0-9]*\) ppid=.*/\1/p' "$PIDFILE" | sort -n)
W=${WORKERS[0]}
answers 8000 || skip "prefork.py does not answer"

# ---- a. stacks and attach under full wrk load
start 30 "$TMP/wrk-a.out" wrk -t2 -c64 -d12s --timeout 5s http://127.0.0.1:8000/
WRK=$LAST
sleep 2
timeout 60 "$BIN" stacks --pid "$W" --samples 3 --format json >"$TMP/a-stacks.json" 2>"$TMP/a-stacks.err"
rc=$?
check "a: stacks --pid W --samples 3 under wrk load: exit 0, every thread sampled" \
	'[ $rc = 0 ] && $PY -c "import json,sys; d=json.load(open(sys.argv[1])); assert d[\"threads\"] >= 5 and len(d[\"sampling\"]) == 3" "$TMP/a-stacks.json"' \
	"exit $rc: $(head -c 300 "$TMP/a-stacks.err")"
B=$TMP/bundle-a
nsrun timeout 60 "$BIN" attach --port 8000 --duration 3 -o "$B" --format json >"$TMP/a-attach.json" 2>"$TMP/a-attach.err"
rc=$?
check "a: attach --port 8000 --duration 3 under wrk load: exit 0, the 4 workers found" \
	'[ $rc = 0 ] && $PY -c "
import json, sys
m = json.load(open(sys.argv[1] + \"/manifest.json\"))
w = set(int(x) for x in sys.argv[2].split())
assert w <= set(m[\"target_pids\"]), (m[\"target_pids\"], w)
json.load(open(sys.argv[3]))" "$B" "${WORKERS[*]}" "$TMP/a-attach.json"' \
	"exit $rc: $(head -c 300 "$TMP/a-attach.err")"
wait "$WRK"
read -r req err < <(wrk_errors "$TMP/wrk-a.out")
check "a: wrk kept succeeding while sampled ($req requests, $err errors)" \
	'[ "${req:-0}" -gt 1000 ] && [ $((err * 100)) -le "$req" ]' "$(tail -5 "$TMP/wrk-a.out" | tr '\n' ' ')"
check "a: every worker released and answering afterwards" \
	'for p in "${WORKERS[@]}"; do released "$p" || exit 1; done; answers 8000'

# ---- b. a target creating and exiting threads all the time (one thread per
# connection) under wrk
start 60 "$TMP/threaded.out" $PY "$SERVERS/threaded.py" --port 8001 --backlog 256
TH=$LAST
for _ in $(seq 50); do answers 8001 && break; sleep 0.1; done
TPID=$(sed -n 's/^threaded.py: pid=\([0-9]*\) .*/\1/p' "$TMP/threaded.out")
if [ -z "$TPID" ]; then
	fail "b: threaded.py did not start" "$(head -c 300 "$TMP/threaded.out")"
else
	start 30 "$TMP/wrk-b.out" wrk -t2 -c32 -d8s --timeout 5s http://127.0.0.1:8001/
	WRK=$LAST
	sleep 1
	timeout 60 "$BIN" stacks --pid "$TPID" --samples 20 --interval 20 >"$TMP/b-stacks.txt" 2>"$TMP/b-stacks.err"
	rc1=$?
	nsrun timeout 60 "$BIN" attach --port 8001 --duration 3 -o "$TMP/bundle-b" --format json \
		>"$TMP/b-attach.json" 2>"$TMP/b-attach.err"
	rc2=$?
	wait "$WRK"
	read -r req err < <(wrk_errors "$TMP/wrk-b.out")
	check "b: thread churn: stacks x20 and attach exit 0" '[ $rc1 = 0 ] && [ $rc2 = 0 ]' \
		"stacks exit $rc1 $(head -c 200 "$TMP/b-stacks.err"); attach exit $rc2 $(head -c 200 "$TMP/b-attach.err")"
	check "b: thread churn: target released, answering; wrk $req requests, $err errors" \
		'released "$TPID" && answers 8001 && [ "${req:-0}" -gt 500 ] && [ $((err * 100)) -le "$req" ]' \
		"$(tail -4 "$TMP/wrk-b.out" | tr '\n' ' ')"
	kill -TERM -- "-$TH" 2>/dev/null
fi

# ---- d. SIGKILL of stuckscope stacks at a random point, 100 times, under load
start 90 "$TMP/wrk-d.out" wrk -t1 -c8 -d60s --timeout 5s http://127.0.0.1:8000/
WRK=$LAST
bad=0
badwhy=""
t0=$(date +%s)
for i in $(seq 100); do
	timeout 30 "$BIN" stacks --pid "$W" --samples 100000 --interval 0 >/dev/null 2>&1 &
	SP=$!
	sleep "$(printf '0.%03d' $((RANDOM % 301)))"
	kill -KILL "$SP" 2>/dev/null
	wait "$SP" 2>/dev/null
	if ! released "$W"; then
		bad=$((bad + 1))
		badwhy="$badwhy #$i:$(for s in /proc/$W/task/*/status; do awk '/^(State|TracerPid):/ {printf "%s ", $2}' "$s"; done)"
		# leave it running for the next round
		kill -CONT "$W" 2>/dev/null
	fi
	[ $(($(date +%s) - t0)) -gt 55 ] && break
done
kill -INT -- "-$WRK" 2>/dev/null
wait "$WRK" 2>/dev/null
read -r req err < <(wrk_errors "$TMP/wrk-d.out")
check "d: kill -9 of stacks at a random 0-300 ms, $i times: never a thread left in t/T or traced" \
	'[ $bad = 0 ] && [ "$i" = 100 ]' "$bad bad:$badwhy (ran $i)"
check "d: the target kept serving ($req requests, $err errors) and answers" \
	'answers 8000 && [ "${req:-0}" -gt 100 ] && [ $((err * 100)) -le "$req" ]' "$(tail -4 "$TMP/wrk-d.out" | tr '\n' ' ')"

# ---- e. another tracer first: a PTRACE_SEIZE program, then gdb -p
cat >"$TMP/tracer.c" <<'EOF'
#include <stdio.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <unistd.h>
int main(int argc, char **argv)
{
	(void)argc;
	if (ptrace(PTRACE_SEIZE, atoi(argv[1]), 0, 0) < 0) { perror("PTRACE_SEIZE"); return 1; }
	printf("tracing\n");
	fflush(stdout);
	pause();
	return 0;
}
EOF
W2=${WORKERS[1]}
if gcc -o "$TMP/tracer" "$TMP/tracer.c" 2>"$TMP/cc.err"; then
	setsid "$TMP/tracer" "$W2" >"$TMP/tracer.out" 2>&1 &
	TR=$!
	PGIDS+=("$TR")
	for _ in $(seq 100); do grep -q tracing "$TMP/tracer.out" && break; sleep 0.02; done
	out=$(timeout 20 "$BIN" stacks --pid "$W2" --samples 3 2>&1 >/dev/null)
	rc=$?
	check "e: PTRACE_SEIZE tracer first: exit 2 naming it ('$out')" \
		'[ $rc = 2 ] && grep -q "traced by pid $TR (tracer)" <<<"$out"' "exit $rc"
	kill -KILL "$TR" 2>/dev/null
	wait "$TR" 2>/dev/null
	check "e: after the other tracer is gone: released, answering" 'released "$W2" && answers 8000'
else
	fail "e: cannot build the tracer" "$(head -3 "$TMP/cc.err")"
fi
if command -v gdb >/dev/null; then
	# gdb stops every thread while attached; it detaches when its batch ends
	setsid timeout -k 2 40 gdb -nx -q -batch -p "$W2" -ex 'shell sleep 6' >"$TMP/gdb.out" 2>&1 &
	GDB=$!
	PGIDS+=("$GDB")
	tr=0
	for _ in $(seq 300); do
		tr=$(awk '/^TracerPid:/ {print $2}' /proc/"$W2"/status 2>/dev/null)
		[ "${tr:-0}" != 0 ] && break
		sleep 0.05
	done
	if [ "${tr:-0}" = 0 ]; then
		fail "e: gdb -p did not attach" "$(head -c 300 "$TMP/gdb.out")"
	else
		s0=$(date +%s%N)
		out=$(timeout 20 "$BIN" stacks --pid "$W2" --samples 3 2>&1 >/dev/null)
		rc=$?
		ms=$((($(date +%s%N) - s0) / 1000000))
		check "e: gdb -p first: exit 2 in $ms ms naming it ('$out')" \
			'[ $rc = 2 ] && grep -q "traced by pid $tr (gdb)" <<<"$out" && [ $ms -lt 10000 ]' "exit $rc"
		wait "$GDB"
		check "e: after gdb detached: released, answering" 'released "$W2" && answers 8000'
	fi
else
	echo "SKIP live stress: e: no gdb"
fi

# ---- c. a worker killed mid-attach: a note, exit 0
VICTIM=${WORKERS[3]}
start 30 "$TMP/wrk-c.out" wrk -t1 -c8 -d6s --timeout 5s http://127.0.0.1:8000/
nsrun timeout 60 "$BIN" attach --port 8000 --duration 4 -o "$TMP/bundle-c" --format json \
	>"$TMP/c-attach.json" 2>"$TMP/c-attach.err" &
AP=$!
sleep 1.5
kill -KILL "$VICTIM"
wait "$AP"
rc=$?
note=$($PY -c '
import json, sys
d = json.load(open(sys.argv[1]))
v = sys.argv[2]
print(next((n for n in d["notes"] if v in n), ""))' "$TMP/c-attach.json" "$VICTIM" 2>&1)
check "c: worker $VICTIM killed mid-attach: exit 0, the report says so ('$note')" \
	'[ $rc = 0 ] && [ -n "$note" ]' "exit $rc: $(head -c 300 "$TMP/c-attach.err")"
check "c: the other workers released and answering" \
	'for p in "${WORKERS[@]:0:3}"; do released "$p" || exit 1; done; answers 8000'

left=$(ps -eo pid,args | grep -F "$BIN" | grep -E -e "$TMP" -e "--pid ($W|$W2|${TPID:-none}) " | grep -v grep)
check "nothing of ours left running" '[ -z "$left" ]' "$left"
exit 0
