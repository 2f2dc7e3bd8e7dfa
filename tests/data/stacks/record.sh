#!/bin/bash
# record.sh — re-record the stack dumps in this directory from real processes.
#
# Starts src/condwait (threads in pthread_cond_wait, pthread_cond_timedwait and
# pthread_mutex_lock; built with -g, plus a stripped copy), src/pyworkers.py
# under Debian's /usr/bin/python3 (threads in Condition.wait, Queue.get and
# Lock.acquire) and `sleep` (one thread), dumps them with gdb, eu-stack, a
# pstack/gstack equivalent and procfs, then kills them by pid and waits for
# them. Needs root or ptrace rights, gdb, elfutils, python3.11-dbg (gdb's
# py-bt comes from /usr/share/gdb/auto-load/usr/bin/python3.11-gdb.py).
#
# Every file starts with `date -u +%Y-%m-%dT%H:%M:%S.%3NZ` output: the
# analyzer reads it as the snapshot time. Files recorded in one step share one
# timestamp (they are one moment: stack_model.h merges them into one sample).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here}
tmp=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
	rm -rf "$tmp"
}
trap cleanup EXIT

cc -g -O0 -pthread -o "$tmp/condwait" "$here/src/condwait.c"
cp "$tmp/condwait" "$tmp/condwait-stripped"
strip "$tmp/condwait-stripped"

now() { date -u +%Y-%m-%dT%H:%M:%S.%3NZ; }

# start PROG... : run it in the background (a child of this shell, so it is
# killed and reaped on exit), wait until it has printed its pid; sets $pid
start() {
	: >"$tmp/pid.out"
	"$@" >"$tmp/pid.out" 2>/dev/null &
	pid=$!
	pids+=("$pid")
	for _ in $(seq 50); do [ -s "$tmp/pid.out" ] && break; sleep 0.1; done
	sleep 0.5	# let every thread reach its wait
}

gdbbt() { gdb -nx -batch -p "$1" "${@:2}" 2>&1; }
# What the RHEL gdb package's gstack/pstack script prints: gdb's backtrace
# with only the "Thread" and "#" lines kept.
pstack_like() {
	gdb --quiet -nx -batch -p "$1" -ex 'thread apply all bt' 2>&1 |
		sed -n -e 's/^\(#.*\)/\1/p' -e 's/^\(Thread.*\)/\1/p'
}
procgrep() { grep -H '' /proc/"$1"/task/*/{stat,syscall,wchan,comm} 2>&1 || true; }

# ---- C process with -g
start "$tmp/condwait"
t=$(now)
{ echo "$t"; procgrep "$pid"; } >"$out/proc-task-condwait.txt"
{ echo "$t"; gdbbt "$pid" -ex 'thread apply all bt'; } >"$out/gdb-condwait-bt.txt"
t=$(now)
{ echo "$t"; gdbbt "$pid" -ex 'thread apply all bt full'; } >"$out/gdb-condwait-bt-full.txt"
t=$(now)
{ echo "$t"; eu-stack -p "$pid" 2>&1; } >"$out/eu-stack-condwait.txt"
t=$(now)
{ echo "$t"; eu-stack -p "$pid" -s -m -i 2>&1; } >"$out/eu-stack-condwait-smi.txt"
t=$(now)
{ echo "$t"; eu-stack -p "$pid" -v 2>&1; } >"$out/eu-stack-condwait-v.txt"
t=$(now)
{ echo "$t"; eu-stack -p "$pid" -b -m -s -a 2>&1; } >"$out/eu-stack-condwait-bmsa.txt"
t=$(now)
{ echo "$t"; pstack_like "$pid"; } >"$out/pstack-condwait.txt"

# ---- the same program stripped
start "$tmp/condwait-stripped"
t=$(now)
{ echo "$t"; gdbbt "$pid" -ex 'thread apply all bt'; } >"$out/gdb-condwait-stripped-bt.txt"
t=$(now)
{ echo "$t"; eu-stack -p "$pid" -m 2>&1; } >"$out/eu-stack-condwait-stripped.txt"

# ---- one thread: pstack's compact form (no "Thread" line)
sleep 1000 &
pids+=($!)
pid=$!
sleep 0.3
t=$(now)
{ echo "$t"; gdb --quiet -nx -batch -p "$pid" -ex 'bt' 2>&1 |
	sed -n -e 's/^\(#.*\)/\1/p' -e 's/^\(Thread.*\)/\1/p'; } >"$out/pstack-sleep-single.txt"

# ---- Python
start /usr/bin/python3 "$here/src/pyworkers.py"
t=$(now)
{ echo "$t"; procgrep "$pid"; } >"$out/proc-task-pyworkers.txt"
{ echo "$t"; gdbbt "$pid" -ex 'thread apply all bt' -ex 'thread apply all py-bt'; } \
	>"$out/gdb-pyworkers-bt-py-bt.txt"
t=$(now)
{ echo "$t"; gdbbt "$pid" -ex 'thread apply all py-bt'; } >"$out/gdb-pyworkers-py-bt.txt"
t=$(now)
{ echo "$t"; gdbbt "$pid" -ex 'thread apply all py-bt-full'; } >"$out/gdb-pyworkers-py-bt-full.txt"
t=$(now)
{ echo "$t"; eu-stack -p "$pid" -m 2>&1; } >"$out/eu-stack-pyworkers.txt"

# file names and pids of this machine are in the dumps; nothing else
echo "recorded into $out"
