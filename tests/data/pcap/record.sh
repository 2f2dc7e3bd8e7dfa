#!/usr/bin/env bash
# Record the real overflow captures in tests/data/pcap/ (see README there).
# Runs as root; traffic stays on loopback inside a network namespace made
# here and deleted at the end; every process is bounded by `timeout` and
# stopped by its PID; no host sysctl is touched (tcp_abort_on_overflow is
# set inside the namespace only).
#
#   tests/data/pcap/record.sh [OUTDIR]
set -euo pipefail
out=${1:-$(cd "$(dirname "$0")" && pwd)}
ns=stk-cap-test
nsx() { ip netns exec "$ns" "$@"; }
cleanup() {
	for p in ${pids:-}; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	ip netns del "$ns" 2>/dev/null || true
}
trap cleanup EXIT
ip netns del "$ns" 2>/dev/null || true
ip netns add "$ns"
nsx ip link set lo up

# A listener with a small backlog whose process calls accept() once every
# ACCEPT_EVERY seconds (0 = never) and then never reads, answers or closes
# (a stuck handler). On loopback a handshake completes before the next SYN
# is processed, so a listener that never accepts shows only dropped SYNs:
# the final ACK can only find the queue full when the queue had room at
# SYN time, i.e. right after a slow accept() (sk_acceptq_is_full() is tested
# in tcp_conn_request() for the SYN and in tcp_v4_syn_recv_sock() for the ACK).
server() {	# ADDR PORT SECONDS BACKLOG ACCEPT_EVERY
	nsx timeout "$3" python3 -c '
import socket, sys, time
fam = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
s = socket.socket(fam, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2])))
s.listen(int(sys.argv[4]))
every = float(sys.argv[5])
held = []
end = time.time() + float(sys.argv[3])
while time.time() < end:
    time.sleep(every if every > 0 else 1)
    if every > 0:
        held.append(s.accept()[0])' "$1" "$2" "$3" "$4" "$5" &
	pids="${pids:-} $!"
}

# N clients at once: connect (12 s), send a request, wait 3 s for an answer, close.
clients() {	# ADDR PORT N
	nsx timeout 15 python3 -c '
import socket, sys, threading
addr, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
def one(i):
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.settimeout(12)
    try:
        s.connect((addr, port))
        s.sendall(b"GET / HTTP/1.0\r\n\r\n")
        s.settimeout(3)
        s.recv(100)
    except OSError:
        pass
    finally:
        s.close()
ts = [threading.Thread(target=one, args=(i,)) for i in range(n)]
for t in ts: t.start()
for t in ts: t.join()' "$1" "$2" "$3" || true
}

record() {	# NAME IFACE ADDR PORT BACKLOG ACCEPT_EVERY
	local name=$1 iface=$2 addr=$3 port=$4
	server "$addr" "$port" 25 "$5" "$6"
	sleep 0.5
	nsx timeout 22 tcpdump -q -i "$iface" -s 128 -c 2000 -w "$out/$name" "tcp port $port" 2>/dev/null &
	local tp=$!
	pids="${pids:-} $tp"
	sleep 1
	clients "$addr" "$port" 20
	sleep 1
	kill -INT "$tp" 2>/dev/null || true
	wait "$tp" 2>/dev/null || true
	echo "$name: $(tcpdump -r "$out/$name" 2>/dev/null | wc -l) packets"
}

record noaccept-lo.pcap lo 127.0.0.1 8000 1 0
record slowaccept-aoo0-lo.pcap lo 127.0.0.1 8001 2 2
record slowaccept-any-sll2.pcap any 127.0.0.1 8002 2 2
record slowaccept-ipv6-lo.pcap lo ::1 8003 2 2
nsx sysctl -qw net.ipv4.tcp_abort_on_overflow=1
record slowaccept-aoo1-lo.pcap lo 127.0.0.1 8004 2 2
