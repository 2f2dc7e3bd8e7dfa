#!/bin/bash
# Live tests of the Python-level frames in `stuckscope stacks` and `attach`
# (issue 6: CPython 3.11, interpreter found through its symbols): real
# /usr/bin/python3 processes, no mocks. One line per check:
#   "ok live pystacks: ...", "FAIL live pystacks: ...", "SKIP live pystacks: reason".
#
# 1. a program with threads in Condition.wait() (lost notify), idle in
#    queue.get(), in socket.accept(), and a busy one: the Python frames are
#    shown above the native ones and decide the classification (stuck vs
#    waiting-for-work); DWARF offsets and the built-in table agree; the frames
#    equal gdb's `py-bt` for the same threads (when gdb and python3.11-dbg's
#    gdb helpers are there).
# 2. a Python process churning threads and deep recursion, sampled 40 times:
#    exit 0 every time, never a crash, nothing left traced.
# 3. samples/servers/prefork.py --stuck-workers 1 in a network namespace made
#    here, under light bounded load: the stuck worker's handlers are stuck in
#    Condition.wait() in prefork.py handle(), a healthy worker's handlers wait
#    for work in queue.get(); `attach --pid` writes the Python frames to the
#    bundle and its report carries them.
# Every process started here is stopped by PID (or its process group, made
# with setsid); every stuckscope run is under `timeout`; traffic stays on the
# loopback of stk-py-$$; the namespace and temp files go on EXIT.
set -u
cd "$(dirname "$0")/../.." || exit 1
ROOT=$PWD
SS=${STUCKSCOPE:-$ROOT/stuckscope}
PY=/usr/bin/python3
T="live pystacks"

ok() { echo "ok $T: $*"; }
fail() { echo "FAIL $T: $*"; }
skip() { echo "SKIP $T: $*"; }

if [ ! -x "$SS" ]; then skip "no $SS (run make)"; exit 0; fi
if ! "$SS" stacks --help >/dev/null 2>&1; then skip "stacks not in this build"; exit 0; fi
if [ "$(id -u)" != 0 ] && [ "$(cat /proc/sys/kernel/yama/ptrace_scope 2>/dev/null || echo 0)" != 0 ]; then
	skip "ptrace not permitted (not root, kernel.yama.ptrace_scope != 0)"; exit 0
fi
[ -x "$PY" ] || { skip "no $PY"; exit 0; }
ver=$("$PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
[ "$ver" = 3.11 ] || { skip "$PY is Python $ver, the reader follows CPython 3.11"; exit 0; }

W=$(mktemp -d /tmp/stuckscope-live-pystacks.XXXXXX)
NS=stk-py-$$
PIDS=()
PGIDS=()
NS_MADE=0
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
	for p in "${PGIDS[@]}"; do kill -TERM -- "-$p" 2>/dev/null; done
	[ ${#PGIDS[@]} -gt 0 ] && sleep 0.3
	for p in "${PGIDS[@]}"; do kill -KILL -- "-$p" 2>/dev/null; done
	if [ $NS_MADE = 1 ]; then
		for p in $(ip netns pids "$NS" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
		ip netns del "$NS" 2>/dev/null
	fi
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

tracer_of() { awk '/^TracerPid:/ {print $2}' /proc/"$1"/status 2>/dev/null; }
not_stopped() {
	local pid=$1 i bad
	for i in $(seq 100); do
		bad=$(for s in /proc/"$pid"/task/*/stat; do sed 's/.*) \(.\).*/\1/' "$s" 2>/dev/null; done | grep -c '[tT]')
		[ "$bad" = 0 ] && return 0
		sleep 0.01
	done
	return 1
}

# ---- 1. the four kinds of Python threads
cat >"$W/pyw.py" <<'EOF'
import os, queue, socket, sys, threading
q = queue.Queue()
cv = threading.Condition()
def lost_notify():
    with cv:
        cv.wait()
def idle_getter():
    q.get()
def acceptor():
    s = socket.socket()
    s.bind(("127.0.0.1", 0)); s.listen(5)
    s.accept()
def busy():
    x = 0
    while True:
        x += 1
for f in (lost_notify, lost_notify, idle_getter, idle_getter, acceptor, busy):
    threading.Thread(target=f, name=f.__name__, daemon=True).start()
print("ready %d" % os.getpid(), flush=True)
for line in sys.stdin:
    print("pong", flush=True)
EOF
mkfifo "$W/pyw.in"
"$PY" "$W/pyw.py" <"$W/pyw.in" >"$W/pyw.out" 2>&1 &
P=$!
PIDS+=("$P")
exec {FD}>"$W/pyw.in"
for _ in $(seq 100); do grep -q '^ready' "$W/pyw.out" && break; sleep 0.05; done
sleep 0.3	# every thread reaches its wait
timeout 60 "$SS" stacks --pid "$P" --samples 3 --interval 100 >"$W/s1.txt" 2>"$W/s1.err"; rc=$?
[ $rc = 0 ] && ok "stacks --pid of a python3 process: exit 0" || fail "exit $rc: $(head -3 "$W/s1.err")"
grep -q '^Python frames: CPython 3\.11\.[0-9]* in python3' "$W/s1.txt" &&
	ok "the interpreter found: $(grep '^Python frames' "$W/s1.txt")" || fail "no 'Python frames: CPython 3.11' line"
# Python frames above the native ones, for the Condition.wait group
awk '/^2 threads +stuck +Condition.wait\(\) in pyw.py:6 \(lost_notify\)/ {g=1; next}
     g && /^  python \(innermost first\):/ {p=1; next}
     g && p && /#0  wait  \/usr\/lib\/python3.11\/threading.py:[0-9]+/ {w=1; next}
     g && p && w && /#1  lost_notify  .*pyw.py:6$/ {l=1; next}
     g && l && /^  native:/ {n=1}
     g && n && /PyThread_acquire_lock_timed/ {print "yes"; exit}
     /^$/ {g=0}' "$W/s1.txt" | grep -q yes &&
	ok "Condition.wait threads: 2 stuck, python frames (wait <- lost_notify pyw.py:6) above the native ones" ||
	fail "Condition.wait group wrong: $(grep -E '^[0-9]+ thread' "$W/s1.txt" | tr '\n' '|')"
grep -qE '^2 threads +waiting-for-work +queue\.get\(\) in pyw\.py:8 \(idle_getter\)' "$W/s1.txt" &&
	ok "queue.get threads: 2 waiting-for-work, same native stack as the stuck ones" ||
	fail "queue.get group wrong: $(grep -E '^[0-9]+ thread' "$W/s1.txt" | tr '\n' '|')"
grep -qE '^1 thread +waiting-for-work +socket\.accept\(\) in pyw\.py:12 \(acceptor\)' "$W/s1.txt" &&
	ok "accept thread: waiting-for-work in socket.accept() pyw.py:12" || fail "accept thread not classified"
grep -qE '#0  busy  .*pyw\.py:1[56]$' "$W/s1.txt" && ok "busy thread: python frame busy pyw.py:15/16" ||
	fail "no busy frame"
[ "$(tracer_of "$P")" = 0 ] && not_stopped "$P" && ok "target left untraced and running" ||
	fail "target left traced or stopped"
echo ping >&"$FD"; sleep 0.2
grep -q pong "$W/pyw.out" && ok "target answers after sampling" || fail "target silent after sampling"

# JSON: python_stack per group; the DWARF offsets and the built-in table agree
timeout 60 "$SS" stacks --pid "$P" --samples 1 --format json >"$W/j1.json" 2>>"$W/s1.err"
STUCKSCOPE_PY_OFFSETS=table timeout 60 "$SS" stacks --pid "$P" --samples 1 --format json \
	>"$W/j2.json" 2>>"$W/s1.err"
if "$PY" - "$W/j1.json" "$W/j2.json" <<'EOF'
import json, sys
def stacks(path):
    d = json.load(open(path))
    out = {}
    for g in d["groups"]:
        for t in g["threads"]:
            if g["state"] != "running":
                out[t["tid"]] = [(f["function"], f["file"], f["line"]) for f in g["python_stack"]]
    return d, out
d1, a = stacks(sys.argv[1])
d2, b = stacks(sys.argv[2])
assert "DWARF" in (d1["python"] or "") or "table" in (d1["python"] or ""), d1["python"]
assert "table (forced)" in d2["python"], d2["python"]
assert a == b, (a, b)
assert sum(1 for s in a.values() if s) >= 6, a
EOF
then ok "JSON python_stack; DWARF offsets and the built-in 3.11 table give the same frames"
else fail "JSON python_stack / table comparison"; fi

# gdb's py-bt for the same threads (python3.11-dbg ships the gdb helpers)
GDBPY=/usr/share/gdb/auto-load/usr/bin/python3.11-gdb.py
if command -v gdb >/dev/null && [ -f "$GDBPY" ]; then
	timeout 120 gdb -nx -batch -p "$P" -ex "set sysroot /" -ex "source $GDBPY" \
		-ex "thread apply all py-bt" >"$W/gdb.txt" 2>&1
	not_stopped "$P"
	if "$PY" - "$W/j1.json" "$W/gdb.txt" <<'EOF'
import json, re, sys
d = json.load(open(sys.argv[1]))
ours = {}
for g in d["groups"]:
    if g["state"] == "running":
        continue            # the busy thread moves between the two looks
    for t in g["threads"]:
        ours[t["tid"]] = [(f["function"], f["file"], f["line"]) for f in g["python_stack"]]
gdb, tid = {}, None
for line in open(sys.argv[2]):
    m = re.match(r'Thread \d+ \(.*LWP (\d+)', line)
    if m:
        tid = int(m.group(1)); gdb[tid] = []; continue
    m = re.match(r'\s+File "(.*)", line (\d+), in (\S+)', line)
    if m and tid is not None:
        gdb[tid].append((m.group(3), m.group(1), int(m.group(2))))
compared = 0
for tid, frames in ours.items():
    if tid in gdb and gdb[tid]:
        assert frames == gdb[tid], (tid, frames, gdb[tid])
        compared += 1
assert compared >= 6, (compared, sorted(gdb), sorted(ours))
EOF
	then ok "Python frames equal gdb py-bt's for every waiting thread"
	else fail "Python frames differ from gdb py-bt (see $(head -c 300 "$W/gdb.txt"))"; fi
else
	skip "no gdb or no $GDBPY (python3.11-dbg): py-bt comparison not run"
fi
kill -KILL "$P" 2>/dev/null; wait "$P" 2>/dev/null
exec {FD}>&-

# ---- 2. churn: threads born and dying, deep recursion, frames changing all the time
cat >"$W/churn.py" <<'EOF'
import os, sys, threading, time
def rec(n):
    if n == 0:
        time.sleep(0.0005)
        return 0
    return rec(n - 1) + 1
def worker():
    for _ in range(50):
        rec(60)
def spawner():
    while True:
        ts = [threading.Thread(target=worker) for _ in range(4)]
        for t in ts: t.start()
        for t in ts: t.join()
for _ in range(2):
    threading.Thread(target=spawner, daemon=True).start()
print("ready", flush=True)
time.sleep(120)
EOF
"$PY" "$W/churn.py" >"$W/churn.out" 2>&1 &
CP=$!
PIDS+=("$CP")
for _ in $(seq 100); do grep -q '^ready' "$W/churn.out" && break; sleep 0.05; done
bad=0 deep=0
for i in $(seq 8); do
	timeout 60 "$SS" stacks --pid "$CP" --samples 5 --interval 0 >"$W/c.txt" 2>"$W/c.err" || bad=$((bad + 1))
	grep -q '#6[0-9] *rec ' "$W/c.txt" && deep=$((deep + 1))
done
[ $bad = 0 ] && ok "churning Python process sampled 40 times: exit 0 every time" ||
	fail "churning Python process: $bad/8 runs failed: $(head -2 "$W/c.err")"
[ $deep -gt 0 ] && ok "deep recursion read (60+ rec frames seen in $deep/8 runs)" ||
	fail "no deep rec() chain seen"
[ "$(tracer_of "$CP")" = 0 ] && not_stopped "$CP" && kill -0 "$CP" 2>/dev/null &&
	ok "churning target alive, untraced, running" || fail "churning target harmed"
kill -KILL "$CP" 2>/dev/null; wait "$CP" 2>/dev/null

# a process without Python: no Python line at all
sleep 30 &
SP=$!
PIDS+=("$SP")
timeout 30 "$SS" stacks --pid "$SP" --samples 1 >"$W/sleep.txt" 2>&1
grep -qi 'python' "$W/sleep.txt" && fail "a process without Python mentions Python" ||
	ok "a process without Python: nothing said about Python"
kill -KILL "$SP" 2>/dev/null; wait "$SP" 2>/dev/null

# ---- 3. the pre-fork server with one stuck worker, in a namespace of our own
if ! command -v ip >/dev/null || [ "$(id -u)" != 0 ]; then
	skip "prefork.py: needs root and ip(8) for a network namespace"; exit 0
fi
if ! ip netns add "$NS" 2>/dev/null; then skip "prefork.py: cannot create a network namespace"; exit 0; fi
NS_MADE=1
ip netns exec "$NS" ip link set lo up
PORT=8000
PIDFILE=$W/prefork.pids
setsid ip netns exec "$NS" timeout -k 2 150 "$PY" samples/servers/prefork.py --port $PORT \
	--backlog 8 --workers 2 --threads 3 --queue 2 --work-ms 20 --stuck-workers 1 \
	--pidfile "$PIDFILE" >"$W/server.out" 2>&1 &
PGIDS+=("$!")
for _ in $(seq 100); do
	[ "$(grep -c ' thread acceptor ' "$PIDFILE" 2>/dev/null)" = 2 ] && break
	sleep 0.1
done
if [ "$(grep -c ' thread acceptor ' "$PIDFILE" 2>/dev/null)" != 2 ]; then
	fail "prefork.py did not start: $(head -c 300 "$W/server.out")"; exit 0
fi
BUGGY=$(sed -n 's/^prefork.py: worker [0-9]* pid=\([0-9]*\) ppid=.*BUGGY.*/\1/p' "$PIDFILE" | head -1)
HEALTHY=$(sed -n 's/^prefork.py: worker [0-9]* pid=\([0-9]*\) ppid=.* healthy$/\1/p' "$PIDFILE" | head -1)
# light, bounded load: 60 requests, 6 at a time, 2 s timeout each
setsid ip netns exec "$NS" timeout -k 2 40 "$PY" samples/servers/clients.py get --port $PORT \
	--count 60 --concurrency 6 --timeout 2 >"$W/clients.out" 2>&1 &
CL=$!
PGIDS+=("$CL")
# until every handler of the buggy worker has taken a request and blocked
# (its handler threads' wchan is futex_wait_queue and the log says served)
for _ in $(seq 60); do
	n=$(timeout 30 "$SS" stacks --pid "$BUGGY" --samples 1 2>/dev/null | grep -cE '#[0-9]+ +handle +.*prefork\.py')
	[ "${n:-0}" -ge 1 ] && break
	sleep 0.25
done
wait "$CL" 2>/dev/null
timeout 60 "$SS" stacks --pid "$BUGGY" --samples 3 --interval 200 >"$W/p1.txt" 2>"$W/p1.err"; rc=$?
[ $rc = 0 ] && ok "stacks --pid of the stuck prefork worker ($BUGGY): exit 0" ||
	fail "prefork worker: exit $rc $(head -2 "$W/p1.err")"
grep -qE '^[0-9]+ threads? +stuck +Condition\.wait\(\) in prefork\.py:[0-9]+ \(handle\)' "$W/p1.txt" &&
	ok "stuck worker: handlers stuck in Condition.wait() in prefork.py handle()" ||
	fail "stuck worker: no 'stuck Condition.wait() in prefork.py (handle)' group: $(grep -E '^[0-9]+ thread' "$W/p1.txt" | tr '\n' '|')"
grep -qE '#[0-9]+ +handle +/.*samples/servers/prefork\.py:[0-9]+$' "$W/p1.txt" &&
	grep -qE '#[0-9]+ +handler +/.*samples/servers/prefork\.py:[0-9]+$' "$W/p1.txt" &&
	ok "stuck worker: Python frames handle / handler with prefork.py file:line" ||
	fail "stuck worker: no handle/handler Python frames"
mkdir -p tests/artifacts && cp "$W/p1.txt" tests/artifacts/pystacks-prefork-stuck-worker.txt
timeout 60 "$SS" stacks --pid "$HEALTHY" --samples 3 --interval 200 >"$W/p2.txt" 2>"$W/p2.err"
grep -qE '^3 threads +waiting-for-work +queue\.get\(\) in prefork\.py:[0-9]+ \(handler\)' "$W/p2.txt" &&
	ok "healthy worker: 3 handlers waiting-for-work in queue.get() (prefork.py handler)" ||
	fail "healthy worker: $(grep -E '^[0-9]+ thread' "$W/p2.txt" | tr '\n' '|')"
grep -qE '^1 thread +waiting-for-work +socket\.accept\(\) in prefork\.py:[0-9]+ \(acceptor\)' "$W/p2.txt" &&
	ok "healthy worker: acceptor waiting-for-work in socket.accept()" ||
	fail "healthy worker acceptor: $(grep -E '^[0-9]+ thread' "$W/p2.txt" | tr '\n' '|')"

# attach --pid: the bundle keeps the Python frames; its report shows them
B=$W/bundle
ip netns exec "$NS" timeout 90 "$SS" attach --pid "$BUGGY" --duration 1 --samples 2 -o "$B" \
	--format json >"$W/a.json" 2>"$W/a.err"; rc=$?
ls "$B"/pystacks-"$BUGGY"-0[12].txt >/dev/null 2>&1 &&
	grep -qE 'File ".*prefork\.py", line [0-9]+, in handle' "$B/pystacks-$BUGGY-01.txt" &&
	ok "attach: the bundle holds pystacks-PID-NN.txt (py-bt layout) with handle() frames" ||
	fail "attach: no pystacks file in the bundle (exit $rc: $(head -c 300 "$W/a.err"))"
if "$PY" - "$W/a.json" "$BUGGY" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
pid = int(sys.argv[2])
txt = json.dumps(d)
assert '"handle"' in txt and "prefork.py" in txt, "no handle/prefork.py python frame in the report"
EOF
then ok "attach: the report carries the Python frames (handle, prefork.py)"
else fail "attach: report without Python frames"; fi
not_stopped "$BUGGY" && [ "$(tracer_of "$BUGGY")" = 0 ] && ok "prefork workers left untraced and running" ||
	fail "prefork worker left stopped or traced"
exit 0
