#!/bin/bash
# Live lab test: re-record a real incident from scratch (real server in its own netns,
# real ss/nstat/tcpdump), analyze the recording, and check the diagnosis against the
# numbers the recording itself reports (its README). Then kill a scenario midway and
# check that nothing is left behind (no netns, no process, host sysctls unchanged).
# Needs root and ip netns; prints SKIP otherwise.
set -u
cd "$(dirname "$0")/../.." || exit 1
bin=./stuckscope
if [ "$(id -u)" != 0 ] || ! ip netns list >/dev/null 2>&1; then
	echo "SKIP live lab: needs root and ip netns"
	exit 0
fi
tmp=$(mktemp -d /tmp/stk-lab-test.XXXXXX)
pgid=
cleanup() {
	[ -n "$pgid" ] && kill -TERM -- "-$pgid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

host_before=$(sysctl -n net.core.somaxconn net.ipv4.tcp_syncookies net.ipv4.tcp_abort_on_overflow | tr '\n' ' ')

# 1. record closewait from scratch and diagnose it
if LAB_OUT=$tmp/closewait timeout 170 samples/lab/run closewait >"$tmp/run.log" 2>&1; then
	echo "ok live lab: closewait recorded from scratch"
else
	echo "FAIL live lab: closewait recording failed: $(tail -3 "$tmp/run.log" | tr '\n' ' ')"
fi
want=$(grep -o -E 'pid \*\*[0-9]+\*\*' "$tmp/closewait/README.md" 2>/dev/null | head -1 | tr -dc 0-9)
cw=$(awk '$1=="CLOSE-WAIT"' "$(ls "$tmp"/closewait/ss-[0-9]*.txt 2>/dev/null | tail -1)" 2>/dev/null | wc -l)
$bin analyze --format json "$tmp/closewait" >"$tmp/report.json" 2>/dev/null
if /usr/bin/python3 - "$tmp/report.json" "$want" "$cw" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); pid = int(sys.argv[2]); cw = int(sys.argv[3])
root = next(f for f in d["findings"] if f["id"] == d["root_cause"])
assert root["rule"] == "close-wait-accumulation", root["rule"]
assert root["pids"] == [pid], (root["pids"], pid)
procs = {p["pid"]: p["close_wait"] for p in d["processes"]}
assert cw > 0 and procs.get(pid) == cw, (procs, pid, cw)
PY
then
	echo "ok live lab: fresh closewait diagnosed: close-wait-accumulation on pid $want ($cw, = awk over the last ss)"
else
	echo "FAIL live lab: fresh closewait diagnosis (pid $want, $cw CLOSE-WAIT by awk)"
fi

# 2. a scenario killed midway leaves nothing behind
setsid bash -c "LAB_OUT=$tmp/killed exec samples/lab/run prefork-condvar-w4" >"$tmp/killed.log" 2>&1 &
pgid=$!
sleep 12
kill -TERM -- "-$pgid" 2>/dev/null
# let the scenario's own cleanup run to its end (it may take a few seconds);
# only a cleanup that hangs is killed, and then the check below fails
for _ in $(seq 1 60); do
	[ -z "$(ps -o pid= -g "$pgid" 2>/dev/null)" ] && break
	sleep 1
done
if [ -n "$(ps -o pid= -g "$pgid" 2>/dev/null)" ]; then
	echo "FAIL live lab: scenario cleanup still running 60 s after SIGTERM"
	kill -KILL -- "-$pgid" 2>/dev/null
fi
pgid=
if out=$(samples/lab/check-clean 2>&1); then
	echo "ok live lab: scenario killed midway left no netns and no process"
else
	echo "FAIL live lab: scenario killed midway left something: $(grep -v 'host ' <<<"$out" | tr '\n' ' ')"
fi
host_after=$(sysctl -n net.core.somaxconn net.ipv4.tcp_syncookies net.ipv4.tcp_abort_on_overflow | tr '\n' ' ')
if [ "$host_before" = "$host_after" ]; then
	echo "ok live lab: host sysctls unchanged ($host_after)"
else
	echo "FAIL live lab: host sysctls changed: $host_before -> $host_after"
fi
