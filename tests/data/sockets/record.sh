#!/bin/sh
# Record the socket-table fixtures in this directory (see sockserver.py).
# Run as root (ss -p / netstat -p need it to see other processes' fds).
set -eu
cd "$(dirname "$0")"
PORT=${PORT:-18765}
python3 sockserver.py "$PORT" > /tmp/sockserver.out &
SRV=$!
sleep 1
python3 sockclients.py "$PORT" > /tmp/sockclients.out &
CLI=$!
sleep 2
ss -tanpie > ss-tanpie.txt
ss -ltn > ss-ltn.txt
ss -tan > ss-tan.txt
netstat -antp > netstat-antp.txt
cat /proc/net/tcp > proc-net-tcp.txt
cat /proc/net/tcp6 > proc-net-tcp6.txt
kill "$CLI" "$SRV"   # the server stops its workers on SIGTERM
wait
