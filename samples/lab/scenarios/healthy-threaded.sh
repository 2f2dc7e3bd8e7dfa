# desc: healthy control: threaded HTTP server, listen backlog 1024, ab -n 1000 -c 50 (same concurrency as backlog5): no overflow
lab_begin healthy-threaded
lab_need ab
PORT=8000
lab_sysctl net.ipv4.tcp_max_tw_buckets=256   # keeps the ss files small; see README
snap sysctl.txt sysctl -a
lab_start server 100 $PY "$SERVERS_DIR/threaded.py" --host 127.0.0.1 --port $PORT --backlog 1024
SERVER_PID=$(lab_child_of "$LAB_LAST_PID")
lab_wait_listen $PORT
note "server: threaded.py --backlog 1024, pid $SERVER_PID"
lab_capture capture.pcap 60000 lo tcp port $PORT
snap_ss "before load"
snap_ltn "before load"
snap_counters before
lab_start ab 60 ab -n 1000 -c 50 -s 30 -r http://127.0.0.1:$PORT/
AB_PID=$LAB_LAST_PID
note "load: ab -n 1000 -c 50 -s 30 -r http://127.0.0.1:$PORT/ (timeout 60)"
lab_during_load $AB_PID 3 25
wait "$AB_PID"
note "ab finished (exit $?)"
lab_keep_output ab ab-output.txt
lab_keep_output server server-output.txt
snap_ltn "after load"
snap_ss "after load"
snap_counters after
snap nstat-after-json.txt nstat -az --json
lab_capture_stop
lab_stop_all
note "server stopped"

OVF=$(nstat_delta "$OUT/nstat-before.txt" "$OUT/nstat-after.txt" TcpExtListenOverflows)
DROPS=$(nstat_delta "$OUT/nstat-before.txt" "$OUT/nstat-after.txt" TcpExtListenDrops)
MAXQ=$(cat "$OUT"/ss-*.txt | awk -v p=":$PORT" '$1=="LISTEN" && substr($4, length($4)-length(p)+1)==p {print $2}' | sort -n | tail -1)
FAILED=$(awk '/^Failed requests:/ {print $3}' "$OUT/ab-output.txt")
README_TEXT=$(cat <<TXT
## What was done

- netns \`$NS\`, sysctls at their defaults except net.ipv4.tcp_max_tw_buckets=256 (set in the netns only to keep
  the ss files small: past 256 TIME-WAIT sockets the kernel skips TIME-WAIT and counts TcpExtTCPTimeWaitOverflow;
  irrelevant here: no CLOSE-WAIT in this scenario; do not use it where CLOSE-WAIT matters -- skipped
  FIN-WAIT-2/TIME-WAIT states let a client port be reused while the server still holds the old connection) (somaxconn 4096, syncookies 1, abort_on_overflow 0).
- Server: \`$PY samples/servers/threaded.py --host 127.0.0.1 --port $PORT --backlog 1024\`, pid **$SERVER_PID**
  (ThreadingHTTPServer with request_queue_size = 1024, so \`listen(fd, 1024)\`).
- Load: the same concurrency as the backlog5 sample (half the requests, to keep the sample small), \`ab -n 1000 -c 50 -s 30 -r http://127.0.0.1:$PORT/\` (timeout 60).
- Evidence: the same set of files as backlog5 (capture, ss x5, ss -ltn x$LAB_LTN_N, counters before/after, sysctl).

## Root cause

None: this is the healthy control. The expected verdict is \`healthy\`: listener backlog 1024,
ListenOverflows delta **$OVF**, ListenDrops delta **$DROPS**, largest LISTEN Recv-Q seen **$MAXQ**,
no CLOSE_WAIT, every SYN answered, ab reports **$FAILED** failed requests.
TXT
)
lab_readme $PORT "healthy-threaded: threaded server, backlog 1024, ab -c 50 — healthy control"
