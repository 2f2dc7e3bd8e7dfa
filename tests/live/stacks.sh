#!/bin/bash
# Live tests of `stuckscope stacks` (issue 6): real processes, no mocks.
# Prints one line per check: "ok live stacks: ...", "FAIL live stacks: ...",
# "SKIP live stacks: reason". Every process started here is stopped by PID
# on every path (trap); every stuckscope run is under `timeout`.
set -u
cd "$(dirname "$0")/../.." || exit 1
ROOT=$PWD
SS=${STUCKSCOPE:-$ROOT/stuckscope}
T=live\ stacks

ok() { echo "ok $T: $*"; }
fail() { echo "FAIL $T: $*"; }
skip() { echo "SKIP $T: $*"; }

if [ ! -x "$SS" ]; then skip "no $SS (run make)"; exit 0; fi
if ! "$SS" stacks --help >/dev/null 2>&1; then skip "stacks not in this build"; exit 0; fi
if [ "$(id -u)" != 0 ] && [ "$(cat /proc/sys/kernel/yama/ptrace_scope 2>/dev/null || echo 0)" != 0 ]; then
	skip "ptrace not permitted (not root, kernel.yama.ptrace_scope != 0)"; exit 0
fi
command -v gcc >/dev/null || { skip "no gcc to build the target"; exit 0; }

W=$(mktemp -d /tmp/stuckscope-live-stacks.XXXXXX)
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do
		kill -CONT "$p" 2>/dev/null
		kill -KILL "$p" 2>/dev/null
	done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- build the target: with -g, and stripped with a .gnu_debuglink
if ! gcc -O1 -g -pthread -o "$W/target" tests/live/stacks-target.c 2>"$W/cc.err"; then
	fail "cannot build tests/live/stacks-target.c: $(head -3 "$W/cc.err")"; exit 0
fi
cp "$W/target" "$W/target-stripped"
objcopy --only-keep-debug "$W/target" "$W/target-stripped.debug" &&
	objcopy --strip-all "$W/target-stripped" &&
	(cd "$W" && objcopy --add-gnu-debuglink=target-stripped.debug target-stripped) ||
	fail "objcopy could not make the stripped copy"
cp "$W/target" "$W/target-nodebug" && objcopy --strip-all "$W/target-nodebug"
cat > "$W/tracer.c" <<'EOF'
#include <stdio.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <unistd.h>
int main(int argc, char **argv) {
	int pid = atoi(argv[1]);
	if (ptrace(PTRACE_SEIZE, pid, 0, 0) < 0) { perror("PTRACE_SEIZE"); return 1; }
	printf("tracing\n"); fflush(stdout);
	pause();
	return 0;
}
EOF
gcc -o "$W/tracer" "$W/tracer.c" || fail "cannot build the tracer"

# start_target NAME BIN ARGS...: runs BIN with stdin from a fifo (kept open
# on fd by a holder) and stdout to $W/NAME.out; sets TP (pid), HOLDER, WAITER
start_target() {
	local name=$1; shift
	mkfifo "$W/$name.in"
	"$@" <"$W/$name.in" >"$W/$name.out" 2>&1 &
	TP=$!
	PIDS+=("$TP")
	exec {FD}>"$W/$name.in"
	eval "FD_$name=$FD"
	local i
	for i in $(seq 200); do grep -q '^ready' "$W/$name.out" && break; sleep 0.05; done
	if ! grep -q '^ready' "$W/$name.out"; then fail "$name: target never ready"; return 1; fi
	HOLDER=$(sed -n 's/.*holder=\([0-9]*\).*/\1/p' "$W/$name.out")
	WAITER=$(sed -n 's/.*waiter=\([0-9]*\).*/\1/p' "$W/$name.out")
}

# ping NAME: one line in, wait for one more "pong" out (1 s)
ping() {
	local name=$1 fd before i
	eval "fd=\$FD_$name"
	before=$(grep -c pong "$W/$name.out")
	echo ping >&"$fd"
	for i in $(seq 100); do
		[ "$(grep -c pong "$W/$name.out")" -gt "$before" ] && return 0
		sleep 0.01
	done
	return 1
}

# no thread of PID in t/T state (waits up to 1 s for the kernel to finish
# releasing tracees of a killed tracer)
not_stopped() {
	local pid=$1 i bad
	for i in $(seq 100); do
		bad=$(for s in /proc/"$pid"/task/*/stat; do sed 's/.*) \(.\).*/\1/' "$s" 2>/dev/null; done | grep -c '[tT]')
		[ "$bad" = 0 ] && return 0
		sleep 0.01
	done
	return 1
}

tracer_of() { awk '/^TracerPid:/ {print $2}' /proc/"$1"/status; }

# ---- 1. the -g target: names, file:line, states, mutex owner
start_target main "$W/target" 4 || exit 0
MAIN=$TP
timeout 30 "$SS" stacks --pid "$MAIN" --samples 3 --interval 50 >"$W/s1.txt" 2>"$W/s1.err"
rc=$?
[ $rc = 0 ] && ok "sampled a 8-thread target (exit 0)" || fail "exit $rc: $(head -3 "$W/s1.err")"
grep -q 'pthread_cond_wait' "$W/s1.txt" && ok "frames name pthread_cond_wait" ||
	fail "no pthread_cond_wait in the frames"
grep -qE 'wait_for_job \(target\) .*stacks-target\.c:[0-9]+' "$W/s1.txt" &&
	ok "the target's own function with file:line" || fail "no 'wait_for_job (target) stacks-target.c:N' frame"
grep -qE '^4 threads +stuck .*wait_for_job' "$W/s1.txt" && ok "4 condvar waiters grouped, classified stuck" ||
	fail "4 condvar waiters not one stuck group: $(grep -E '^[0-9]+ thread' "$W/s1.txt" | tr '\n' '|')"
grep -qE '^1 thread +running' "$W/s1.txt" && grep -qE 'crunch \(target\)' "$W/s1.txt" &&
	ok "the spinning thread is running (crunch)" || fail "spinning thread not shown running in crunch"
grep -qE '^sample 1: .*stop window [0-9.]+ ms|  sample 1: .*stop window [0-9.]+ ms' "$W/s1.txt" &&
	ok "footer reports the stop window" || fail "no stop window in the footer"
timeout 30 "$SS" stacks --pid "$MAIN" --samples 2 --interval 20 --format json >"$W/s1.json" 2>>"$W/s1.err"
if /usr/bin/python3 - "$W/s1.json" "$WAITER" "$HOLDER" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
waiter, holder = int(sys.argv[2]), int(sys.argv[3])
for g in d["groups"]:
    for t in g["threads"]:
        if t["tid"] == waiter:
            assert g["blocked_on"] == "mutex", g["blocked_on"]
            assert t["lock_owner_tid"] == holder, (t["lock_owner_tid"], holder)
            assert g["state"] == "stuck", g["state"]
            sys.exit(0)
sys.exit(1)
EOF
then ok "mutex waiter: blocked on mutex, lock_owner_tid = holder ($HOLDER)"
else fail "mutex waiter/owner wrong in JSON"; fi
/usr/bin/python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d['schema_version']==1 and d['samples']==2 and all(s['stop_window_ms'] is not None for s in d['sampling'])" "$W/s1.json" 2>/dev/null &&
	ok "JSON document: schema_version, samples, per-sample stop window" || fail "JSON document incomplete"
[ "$(tracer_of "$MAIN")" = 0 ] && not_stopped "$MAIN" && ok "target left untraced and running" ||
	fail "target left traced or stopped"

# ---- 2. keeps serving during and after sampling
timeout 60 "$SS" stacks --pid "$MAIN" --samples 40 --interval 10 >/dev/null 2>&1 &
SP=$!; PIDS+=("$SP")
served=0
for i in 1 2 3 4 5; do ping main && served=$((served + 1)); sleep 0.05; done
wait "$SP"; rc=$?
[ "$served" = 5 ] && ok "target answered 5/5 pings while being sampled" || fail "target answered $served/5 pings while sampled"
[ $rc = 0 ] || fail "background sampling exit $rc"
ping main && ok "target answers after sampling" || fail "target silent after sampling"

# ---- 3. SIGKILL of stuckscope mid-sample, 20 times
bad=0
for i in $(seq 20); do
	timeout 30 "$SS" stacks --pid "$MAIN" --samples 100000 --interval 0 >/dev/null 2>&1 &
	SP=$!
	sleep "0.0$((RANDOM % 9 + 1))"
	kill -KILL "$SP" 2>/dev/null
	wait "$SP" 2>/dev/null
	if ! not_stopped "$MAIN" || [ "$(tracer_of "$MAIN")" != 0 ]; then bad=$((bad + 1)); fi
done
[ $bad = 0 ] && ping main && ok "kill -9 of stuckscope mid-sample x20: target never left in t/T, still answers" ||
	fail "kill -9 mid-sample: target left stopped/traced $bad/20 times"

# ---- 4. SIGINT / SIGTERM mid-sample: handlers detach
bad=0
for sig in INT TERM INT TERM; do
	timeout 30 "$SS" stacks --pid "$MAIN" --samples 100000 --interval 0 >/dev/null 2>&1 &
	SP=$!
	sleep 0.05
	kill -"$sig" "$SP" 2>/dev/null
	wait "$SP" 2>/dev/null
	not_stopped "$MAIN" && [ "$(tracer_of "$MAIN")" = 0 ] || bad=$((bad + 1))
done
[ $bad = 0 ] && ok "SIGINT/SIGTERM mid-sample: every thread detached" || fail "SIGINT/SIGTERM left the target stopped $bad/4"

# ---- 5. stripped binary + .gnu_debuglink; stripped without any debug info
start_target strip "$W/target-stripped" 2 || true
timeout 30 "$SS" stacks --pid "$TP" --samples 1 >"$W/s5.txt" 2>&1
grep -qE 'wait_for_job \(target-stripped\) .*stacks-target\.c:[0-9]+' "$W/s5.txt" &&
	ok "stripped binary: names and file:line from the .gnu_debuglink file" ||
	fail "stripped binary not symbolized through .gnu_debuglink"
start_target nodebug "$W/target-nodebug" 2 || true
timeout 30 "$SS" stacks --pid "$TP" --samples 1 --format json >"$W/s5.json" 2>&1
/usr/bin/python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert any(m.endswith('target-nodebug') for m in d['modules_without_debuginfo']); assert any(f['function'] and 'pthread_cond_wait' in f['function'] for g in d['groups'] for f in g['stack'])" "$W/s5.json" 2>/dev/null &&
	ok "binary without symbols: reported in modules_without_debuginfo, libc frames still named" ||
	fail "binary without symbols not reported"

# ---- 6. targets that cannot be sampled: clear message, exit 2, no hang
expect_err() { # what pid pattern
	local what=$1 pid=$2 pat=$3 out rc
	out=$(timeout 10 "$SS" stacks --pid "$pid" --samples 1 2>&1 >/dev/null); rc=$?
	if [ $rc = 2 ] && grep -qE "^stuckscope: $pid: .*$pat" <<<"$out"; then
		ok "$what: exit 2, '$out'"
	else
		fail "$what: exit $rc, '$out' (wanted /$pat/)"
	fi
}
start_target stopme "$W/target" 2 || true
kill -STOP "$TP"
expect_err "SIGSTOPped target" "$TP" "stopped"
state=$(sed 's/.*) \(.\).*/\1/' /proc/"$TP"/stat)
[ "$state" = T ] && ok "SIGSTOPped target left stopped as found" || fail "SIGSTOPped target state $state"
kill -CONT "$TP"

bash -c 'sleep 0.01 & exec sleep 30' & ZP=$!; PIDS+=("$ZP")
sleep 0.3
Z=$(cat /proc/"$ZP"/task/"$ZP"/children 2>/dev/null | awk '{print $1}')
if [ -n "$Z" ] && grep -q '^State:.*Z' /proc/"$Z"/status 2>/dev/null; then
	expect_err "zombie" "$Z" "zombie"
else
	skip "could not make a zombie"
fi

NP=4000000
while [ -e /proc/$NP ]; do NP=$((NP + 1)); done
expect_err "nonexistent pid" "$NP" "no such process"

start_target traced "$W/target" 2 || true
"$W/tracer" "$TP" >"$W/tracer.out" 2>&1 & TR=$!; PIDS+=("$TR")
for i in $(seq 100); do grep -q tracing "$W/tracer.out" && break; sleep 0.02; done
expect_err "target traced by another tracer" "$TP" "already traced by pid $TR"
kill -KILL "$TR"; wait "$TR" 2>/dev/null

out=$(timeout 10 "$SS" stacks --pid 2>&1); rc=$?
[ $rc = 1 ] && ok "usage error: exit 1" || fail "usage error: exit $rc"
out=$(timeout 10 "$SS" stacks --pid 1 --format xml 2>&1); rc=$?
[ $rc = 1 ] && ok "bad --format: exit 1" || fail "bad --format: exit $rc"

# ---- 7. 500 threads
start_target big "$W/target" 497 || true
timeout 60 "$SS" stacks --pid "$TP" --samples 3 --interval 20 --format json >"$W/s7.json" 2>"$W/s7.err"; rc=$?
if [ $rc = 0 ] && /usr/bin/python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d['threads']>=500, d['threads']; assert all(s['stopped']>=500 for s in d['sampling'])" "$W/s7.json"; then
	ok "500 threads: all stopped together in every sample"
else
	fail "500 threads: exit $rc $(head -2 "$W/s7.err")"
fi
not_stopped "$TP" && ping big && ok "500 threads: target running and answering after" || fail "500-thread target stopped"

# ---- 8. threads created and exiting during sampling
start_target churn "$W/target" 2 churn || true
timeout 60 "$SS" stacks --pid "$TP" --samples 30 --interval 5 >"$W/s8.txt" 2>"$W/s8.err"; rc=$?
[ $rc = 0 ] && not_stopped "$TP" && [ "$(tracer_of "$TP")" = 0 ] && ping churn &&
	ok "threads created/exiting during sampling: exit 0, target running, nothing left traced" ||
	fail "churning target: exit $rc $(head -2 "$W/s8.err")"

# ---- 9. Python threads in Condition.wait() / queue.get()
if [ -x /usr/bin/python3 ]; then
	cat >"$W/py.py" <<'EOF'
import os, queue, sys, threading
q = queue.Queue()
cv = threading.Condition()
def waiter():
    with cv:
        cv.wait()
def getter():
    q.get()
for f in (waiter, waiter, getter, getter):
    threading.Thread(target=f, daemon=True).start()
print("ready %d" % os.getpid(), flush=True)
for line in sys.stdin:
    print("pong", flush=True)
EOF
	start_target py /usr/bin/python3 "$W/py.py" || true
	sleep 0.2
	# native frames alone: the 4 threads look the same (STUCKSCOPE_NO_PYTHON
	# turns the Python frame reader off)
	STUCKSCOPE_NO_PYTHON=1 timeout 30 "$SS" stacks --pid "$TP" --samples 2 --interval 50 >"$W/s9.txt" 2>"$W/s9.err"; rc=$?
	if [ $rc = 0 ] && grep -qE '^4 threads' "$W/s9.txt" && grep -qE 'PyThread_acquire_lock_timed|sem_clockwait|do_futex_wait' "$W/s9.txt"; then
		ok "python3 threads in Condition.wait/queue.get, native frames only: 4 grouped, lock-wait frames named"
	else
		fail "python3 target: exit $rc $(grep -E '^[0-9]+ thread' "$W/s9.txt" | tr '\n' '|') $(head -2 "$W/s9.err")"
	fi
	# with the Python frames (CPython 3.11, tests/live/pystacks.sh): told apart
	if [ "$(/usr/bin/python3 -c 'import sys; print(sys.version_info[:2] == (3, 11))')" = True ]; then
		timeout 30 "$SS" stacks --pid "$TP" --samples 2 --interval 50 >"$W/s9p.txt" 2>"$W/s9p.err"
		grep -qE '^2 threads +stuck +Condition\.wait\(\) in py\.py:6 \(waiter\)' "$W/s9p.txt" &&
			grep -qE '^2 threads +waiting-for-work +queue\.get\(\) in py\.py:8 \(getter\)' "$W/s9p.txt" &&
			ok "python3 threads with Python frames: 2 stuck in Condition.wait, 2 waiting for work in queue.get" ||
			fail "python3 target with Python frames: $(grep -E '^[0-9]+ thread' "$W/s9p.txt" | tr '\n' '|')"
	else
		skip "python3 is not 3.11: Python frames not checked here"
	fi
	ping py && ok "python3 target answers after sampling" || fail "python3 target silent"
else
	skip "no /usr/bin/python3"
fi
exit 0
