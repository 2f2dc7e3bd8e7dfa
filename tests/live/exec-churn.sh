#!/bin/bash
# Live torture test of the stack sampler against a process that keeps
# exec'ing (issue 16: sampling while a thread calls execve() hung `stacks`
# in PTRACE_SEIZE after 10 to 171 runs of 5 samples here before the fix;
# the old binary fails checks 1 and 2 below). The target,
# tests/live/exec-churn-target.c, runs threads, fork()+exec()s a child every
# 2 ms and execve()s itself every 25 ms, alternately from a non-leader thread
# and from the main thread (both go through de_thread(), fs/exec.c).
#
# 1000 samples in all, each `stacks` run under `timeout`:
#  - 45 fast runs of 20 samples 1 ms apart: every run ends within its
#    timeout, exits 0 or says "target is exec'ing; retry", and afterwards no
#    thread of the target is stopped (t/T) or traced (TracerPid);
#  - 4 slow runs of 25 samples 20 ms apart, watched while they sleep between
#    samples: a snapshot of the target's threads taken while stuckscope
#    stayed asleep in clock_nanosleep (same syscall and same voluntary
#    context-switch count before and after) must show no thread traced by it
#    or stopped — after stuckscope exits the kernel's exit_ptrace() releases
#    every tracee, so only this catches a thread left attached between samples;
#  - an exec wedged by another tracer (a helper holds threads it never
#    reaps, so de_thread() waits forever with cred_guard_mutex held):
#    `stacks` must end at its SEIZE deadline with "target is exec'ing; retry".
# Prints "ok live exec-churn: ...", "FAIL live exec-churn: ...: detail",
# "SKIP live exec-churn: reason" (not root). About 40 s on 2 cores; check 1
# stops starting runs after 100 s, every run is under a 15 s timeout. Every
# process started here is stopped by its PID on every path (trap EXIT).
set -u
cd "$(dirname "$0")/../.." || exit 1
ROOT=$PWD
SS=${STUCKSCOPE:-$ROOT/stuckscope}
T=live\ exec-churn

ok() { echo "ok $T: $*"; }
fail() { echo "FAIL $T: $*"; }
skip() { echo "SKIP $T: $*"; }

if [ "$(id -u)" != 0 ]; then skip "not root (ptrace of a process that execs, as on an incident)"; exit 0; fi
if [ ! -x "$SS" ]; then fail "no $SS (run make)"; exit 0; fi
command -v gcc >/dev/null || { fail "no gcc to build the target"; exit 0; }

W=$(mktemp -d /tmp/stuckscope-live-exec-churn.XXXXXX)
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
T0=$SECONDS

if ! gcc -O1 -g -pthread -o "$W/target" tests/live/exec-churn-target.c 2>"$W/cc.err"; then
	fail "cannot build tests/live/exec-churn-target.c: $(head -3 "$W/cc.err")"; exit 0
fi
# the other tracer of check 3: seizes every thread but the leader, never waits
cat > "$W/hold.c" <<'EOF'
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <unistd.h>
int main(int argc, char **argv) {
	char path[64]; int pid = atoi(argv[1]), n = 0;
	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	DIR *d = opendir(path); struct dirent *e;
	while (d && (e = readdir(d)))
		if (atoi(e->d_name) > 0 && atoi(e->d_name) != pid &&
		    ptrace(PTRACE_SEIZE, atoi(e->d_name), 0, 0) == 0)
			n++;
	printf("held %d\n", n); fflush(stdout);
	for (;;) pause();
}
EOF
gcc -o "$W/hold" "$W/hold.c" 2>"$W/cc2.err" || { fail "cannot build the holder: $(head -3 "$W/cc2.err")"; exit 0; }

"$W/target" >"$W/target.out" 2>&1 &
TP=$!
PIDS+=("$TP")
for _ in $(seq 100); do grep -q '^ready' "$W/target.out" && break; sleep 0.02; done
grep -q '^ready' "$W/target.out" || { fail "target never ready: $(head -3 "$W/target.out")"; exit 0; }

# the target's generation: argv[1] of its current image (0 at the start);
# the cmdline reads empty for a moment in the middle of an exec
generation() {
	local a i
	for i in $(seq 50); do
		a=$(tr '\0' ' ' 2>/dev/null <"/proc/$TP/cmdline"); a=${a#* }; a=${a%% *}
		[ -n "$a" ] && break
		sleep 0.002
	done
	echo "${a:-?}"
}

# "" when every thread of the target is neither stopped nor traced (by
# TRACER, or by anyone when TRACER is ""), else what is wrong; bash builtins
# only, so a snapshot takes well under a millisecond
bad_threads() {
	local tracer=$1 st k v state tp out=""
	for st in /proc/"$TP"/task/*/status; do
		state=""; tp=""
		while read -r k v; do
			case $k in
			State:) state=${v%% *} ;;
			TracerPid:) tp=$v; break ;;
			esac
		done 2>/dev/null <"$st"
		[ -z "$tp" ] && continue		# thread gone meanwhile
		if [ "$state" = t ] || [ "$state" = T ]; then out+=" ${st%/status} state $state"; fi
		if [ -n "$tracer" ] && [ "$tp" = "$tracer" ]; then out+=" ${st%/status} traced by stuckscope";
		elif [ -z "$tracer" ] && [ "$tp" != 0 ]; then out+=" ${st%/status} TracerPid $tp"; fi
	done
	echo "$out"
}

now_ms() { local t; t=$(date +%s%N); echo $((t / 1000000)); }

TAKEN=0 EXECS=0 IMAGES=0 DROPPED=0 CAPPED=0 ASKED=0 HANGS=0 BADEXIT=0 LEFT=0 MAXMS=0 RUNS=0
FIRST_BAD="" FIRST_LEFT=""
# run_stacks SAMPLES INTERVAL [watch]: one `stacks` run, checked
run_stacks() {
	local n=$1 iv=$2 watch=${3:-} t0 t1 rc ms snaps=0 viol=0 sc1 sc2 v1 v2 b k v c
	ASKED=$((ASKED + n)); RUNS=$((RUNS + 1))
	t0=$(now_ms)
	timeout -k 2 15 "$SS" stacks --pid "$TP" --samples "$n" --interval "$iv" \
		>"$W/out.txt" 2>"$W/err.txt" &
	local tpid=$!
	if [ -n "$watch" ]; then
		local sp=""
		for _ in $(seq 200); do
			sp=$(cat /proc/"$tpid"/task/*/children 2>/dev/null | awk '{print $1}')
			[ -n "$sp" ] && break; sleep 0.005
		done
		# snapshots while stuckscope sleeps between samples (clock_nanosleep, 230)
		while [ -n "$sp" ] && [ -d /proc/"$sp" ] && kill -0 "$tpid" 2>/dev/null; do
			read -r sc1 _ 2>/dev/null <"/proc/$sp/syscall" || break
			v1=""; while read -r k v; do [ "$k" = voluntary_ctxt_switches: ] && v1=$v; done 2>/dev/null <"/proc/$sp/status"
			b=$(bad_threads "$sp")
			read -r sc2 _ 2>/dev/null <"/proc/$sp/syscall" || break
			v2=""; while read -r k v; do [ "$k" = voluntary_ctxt_switches: ] && v2=$v; done 2>/dev/null <"/proc/$sp/status"
			if [ "$sc1" = 230 ] && [ "$sc2" = 230 ] && [ -n "$v1" ] && [ "$v1" = "$v2" ]; then
				snaps=$((snaps + 1))
				if [ -n "$b" ]; then viol=$((viol + 1)); [ -z "$FIRST_LEFT" ] && FIRST_LEFT="between samples:$b"; fi
			fi
			sleep 0.003
		done
		SNAPS=$((SNAPS + snaps)); LEFT=$((LEFT + viol))
	fi
	wait "$tpid"; rc=$?
	t1=$(now_ms); ms=$((t1 - t0))
	[ "$ms" -gt "$MAXMS" ] && MAXMS=$ms
	BADEXIT_THIS=1
	if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		HANGS=$((HANGS + 1)); [ -z "$FIRST_BAD" ] && FIRST_BAD="hung: killed by timeout after ${ms} ms"
	elif [ "$rc" = 0 ] || { [ "$rc" = 2 ] && grep -q "^stuckscope: [0-9]*: target is exec'ing; retry" "$W/err.txt"; }; then
		BADEXIT_THIS=0
	else
		BADEXIT=$((BADEXIT + 1))
		[ -z "$FIRST_BAD" ] && FIRST_BAD="exit $rc: $(head -2 "$W/err.txt" | tr '\n' ' ')"
	fi
	# counts: a kept sample has a line in the sampling footer
	TAKEN=$((TAKEN + $(grep -cE '^  sample [0-9]+: [0-9]+ threads stopped' "$W/out.txt")))
	EXECS=$((EXECS + $(grep -c "target is exec'ing; retry" "$W/out.txt")))
	IMAGES=$((IMAGES + $(grep -c "exec'd a new program since the previous sample" "$W/out.txt")))
	DROPPED=$((DROPPED + $(grep -c '^note: sample [0-9]*: dropped' "$W/out.txt")))
	c=$(sed -n 's/^note: \([0-9]*\) sample(s) dropped: the process exec.d more than.*/\1/p' "$W/out.txt" | head -1)
	CAPPED=$((CAPPED + ${c:-0}))
	if [ "$rc" = 2 ] && [ "$BADEXIT_THIS" = 0 ]; then EXECS=$((EXECS + n)); fi	# all met an exec
	# after the run: nothing stopped, nothing traced (waits up to 1 s for the
	# kernel to finish releasing tracees of an exited tracer)
	for _ in $(seq 100); do b=$(bad_threads ""); [ -z "$b" ] && break; sleep 0.01; done
	if [ -n "$b" ]; then LEFT=$((LEFT + 1)); [ -z "$FIRST_LEFT" ] && FIRST_LEFT="after a run:$b"; fi
}

GEN0=$(generation)
SNAPS=0
# ---- 1. 45 fast runs x 20 samples, 4 watched runs x 25 samples = 1000
for i in $(seq 49); do
	if [ $((i % 12)) = 0 ]; then run_stacks 25 20 watch; else run_stacks 20 1; fi
	kill -0 "$TP" 2>/dev/null || { fail "the target died: $(tail -3 "$W/target.out")"; exit 0; }
	[ $((SECONDS - T0)) -gt 100 ] && break		# the time bound of the whole test
done
GEN1=$(generation)
echo "    $ASKED samples asked in $RUNS runs: $TAKEN kept in the reports, $EXECS met an exec (\"target is exec'ing; retry\"), $IMAGES new programs between samples, $DROPPED dropped (symbols unreadable mid-exec), $CAPPED dropped (more than 4 programs in one run); slowest run $MAXMS ms; the target exec'd $((GEN1 - GEN0)) times"
[ "$ASKED" -ge 1000 ] && ok "1000 samples asked of a target that execs every 25 ms ($RUNS runs)" ||
	fail "only $ASKED samples asked: the time bound was reached"
[ "$HANGS" = 0 ] && ok "no hang: every run ended within its 15 s timeout (slowest ${MAXMS} ms)" ||
	fail "$HANGS run(s) hung: $FIRST_BAD"
[ "$BADEXIT" = 0 ] && ok "every run exited 0 or with \"target is exec'ing; retry\"" ||
	fail "$BADEXIT run(s) failed otherwise: $FIRST_BAD"
[ "$LEFT" = 0 ] && ok "the target never left stopped or traced (after $RUNS runs; $SNAPS snapshots while stuckscope slept between samples)" ||
	fail "the target was left stopped or traced $LEFT time(s): $FIRST_LEFT"
[ "$SNAPS" -gt 0 ] && ok "$SNAPS snapshots taken while stuckscope slept between samples" ||
	fail "no snapshot caught stuckscope asleep between samples: check 2 did not run"
[ $((EXECS + IMAGES)) -gt 0 ] && [ $((GEN1 - GEN0)) -gt 10 ] &&
	ok "execs were met: $EXECS during a sample, $IMAGES between samples, $((GEN1 - GEN0)) in all" ||
	fail "the exec paths were not exercised: $EXECS/$IMAGES exec outcomes, $((GEN1 - GEN0)) execs"
# every sample asked is accounted for: taken, or dropped for a stated reason
[ $((TAKEN + EXECS + DROPPED + CAPPED)) = "$ASKED" ] &&
	ok "every sample accounted for: $TAKEN kept, $EXECS exec'ing, $((DROPPED + CAPPED)) dropped with a note" ||
	fail "$ASKED samples asked but $TAKEN kept + $EXECS exec'ing + $((DROPPED + CAPPED)) dropped"
# sampled = the threads were stopped, unwound and let go (kept in the
# report, or dropped afterwards for want of symbol tables)
SAMPLED=$((ASKED - EXECS))
[ "$SAMPLED" -ge $((ASKED / 2)) ] && ok "$SAMPLED of $ASKED samples taken despite the execs ($TAKEN kept in the reports)" ||
	fail "only $SAMPLED of $ASKED samples taken: $EXECS met an exec"

# ---- 2. an exec that cannot finish: another tracer holds threads it never reaps
GW=$(generation)
"$W/hold" "$TP" >"$W/hold.out" 2>&1 &
HP=$!
PIDS+=("$HP")
wedged=""
for _ in $(seq 200); do
	st=$(sed 's/.*) \(.\).*/\1/' /proc/"$TP"/stat 2>/dev/null)
	nz=$(cat /proc/"$TP"/task/*/stat 2>/dev/null | sed 's/.*) \(.\).*/\1/' | grep -c Z)
	# de_thread(): the exec'ing thread in D (TASK_KILLABLE), held threads zombies
	if grep -q '^held [1-9]' "$W/hold.out" && [ "$nz" -gt 0 ] &&
		grep -qE 'begin_new_exec|de_thread' /proc/"$TP"/task/*/wchan 2>/dev/null; then
		wedged=1; break
	fi
	sleep 0.01
done
if [ -z "$wedged" ]; then
	fail "could not wedge an exec with another tracer: $(cat "$W/hold.out") state $st"
else
	t0=$(now_ms)
	timeout -k 2 15 "$SS" stacks --pid "$TP" --samples 3 --interval 10 >"$W/w.out" 2>"$W/w.err"
	rc=$?
	ms=$(( $(now_ms) - t0 ))
	if [ "$rc" = 2 ] && grep -q "target is exec'ing; retry (PTRACE_SEIZE waited [0-9]* ms for its cred_guard_mutex)" "$W/w.err"; then
		ok "a wedged exec: stacks ended at its SEIZE deadline in $ms ms: $(head -1 "$W/w.err")"
	else
		fail "a wedged exec: exit $rc in $ms ms: $(head -2 "$W/w.err" | tr '\n' ' ')"
	fi
	# the holder's own tracees are its business; nobody else may trace one
	others=$(cat /proc/"$TP"/task/*/status 2>/dev/null | awk -v h="$HP" '/^TracerPid:/ && $2 != 0 && $2 != h' | wc -l)
	[ "$others" = 0 ] && ok "after it, no thread of the target traced by anyone but the other tracer" ||
		fail "after a wedged exec, $others thread(s) traced by someone else than the holder"
fi
kill -KILL "$HP" 2>/dev/null; wait "$HP" 2>/dev/null
# the holder gone, exit_ptrace() releases its zombies, the wedged exec
# completes and the target goes on exec'ing: two generations past GW
g=""
for _ in $(seq 200); do
	g=$(generation)
	[ "$g" != "?" ] && [ "$GW" != "?" ] && [ "$g" -ge $((GW + 2)) ] && break
	sleep 0.01
done
if [ "$g" != "?" ] && [ "$GW" != "?" ] && [ "$g" -ge $((GW + 2)) ] && [ -z "$(bad_threads "")" ]; then
	ok "the target execs on once the other tracer is gone (generation $GW -> $g)"
else
	fail "the target is stuck after the other tracer left: state $(sed 's/.*) \(.\).*/\1/' /proc/"$TP"/stat)"
fi
echo "    the whole test: $((SECONDS - T0)) s"
exit 0
