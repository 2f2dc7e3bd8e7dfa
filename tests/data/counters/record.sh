#!/bin/sh
# Re-record the counter files in this directory (run as root from the
# repository root: sh tests/data/counters/record.sh).
#
# Inside a network namespace made for it (so nothing else moves the
# counters), a listener with backlog 1 that never accepts gets 8 connection
# attempts: the accept queue overflows and the clients retransmit their
# SYNs. Then everything is closed, and netstat -s, nstat and /proc/net/*
# are read one after the other while the namespace is quiet: the same
# counter must read the same in every file (tests/test_parse_*.c assert it).
# netstat -s is read twice, first and last: identical files show that
# nothing moved in between.
set -e
dir=$(cd "$(dirname "$0")" && pwd)
ns=stk-cnt-test
if [ "$1" != "--inside" ]; then
	ip netns add $ns
	trap 'ip netns delete $ns' EXIT
	ip netns exec $ns sh "$dir/record.sh" --inside
	exit 0
fi
ip link set lo up
python3 - <<'PY'
import socket, time
ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.1", 8000))
ls.listen(1)                    # accept queue limit 1; never accept()ed
cs = []
for i in range(8):
    c = socket.socket()
    c.setblocking(False)
    try:
        c.connect(("127.0.0.1", 8000))
    except BlockingIOError:
        pass
    cs.append(c)
time.sleep(2.5)                 # SYN retransmits at +1 s and +2 s
for c in cs:
    c.close()
ls.close()
PY
sleep 2
netstat -s > "$dir/netstat-s.txt"
nstat -asz > "$dir/nstat-asz.txt"                 # -a totals, -s no history file, -z zeros too
nstat -asz --json > "$dir/nstat-asz.json"
cat /proc/net/netstat > "$dir/proc-net-netstat.txt"
cat /proc/net/snmp > "$dir/proc-net-snmp.txt"
cat /proc/net/snmp6 > "$dir/proc-net-snmp6.txt"
netstat -s > "$dir/netstat-s-last.txt"
cmp "$dir/netstat-s.txt" "$dir/netstat-s-last.txt"
rm "$dir/netstat-s-last.txt"
# net.* as this namespace sees it; the TCP Fast Open key is blanked
sysctl -a 2>/dev/null | sed 's/^\(net.ipv4.tcp_fastopen_key = \).*/\1(blanked)/' > "$dir/sysctl-a.txt"
sed -i "s|^Recorded in .*|Recorded in a fresh network namespace on $(uname -r), $(netstat --version \
	| head -1), $(nstat -V), $(sysctl --version).|" "$dir/README.md"
