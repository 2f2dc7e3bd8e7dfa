# desc: python3 -m http.server (listen backlog 5) under ab -n 2000 -c 50: accept-queue overflow
# The motivating "backlog too small" case: socketserver's request_queue_size is 5, so the
# listener's accept queue holds 5 (+1) connections whatever net.core.somaxconn says.
lab_begin backlog5
lab_need ab
PORT=8000
WWW=/tmp/stk-lab-backlog5-www
mkdir -p "$WWW" && printf 'hello from the incident lab\n' >"$WWW/index.html"

lab_sysctl net.ipv4.tcp_max_tw_buckets=256   # keeps the ss files small; see README
snap sysctl.txt sysctl -a
lab_start server 100 $PY -m http.server --bind 127.0.0.1 --directory "$WWW" $PORT
SERVER_PID=$(lab_child_of "$LAB_LAST_PID")
lab_wait_listen $PORT
note "server: $PY -m http.server --bind 127.0.0.1 $PORT, pid $SERVER_PID (listen backlog 5)"

lab_capture capture.pcap 60000 lo tcp port $PORT
snap_ss "before load"
snap_ltn "before load"
snap_counters before

lab_start ab 60 ab -n 2000 -c 50 -s 30 -r http://127.0.0.1:$PORT/
AB_PID=$LAB_LAST_PID
note "load: ab -n 2000 -c 50 -s 30 -r http://127.0.0.1:$PORT/ (timeout 60)"
for round in 1 2 3; do
	for i in $(seq 25); do snap_ltn; done
	note "ss-ltn up to $(printf 'ss-ltn-%02d.txt' $LAB_LTN_N): quick ss -ltn snapshots during load (round $round)"
	snap_ss "during load, round $round"
	[ $round = 2 ] && snap_sockets_extra "during load"
done
wait "$AB_PID"
note "ab finished (exit $?)"
lab_keep_output ab ab-output.txt
snap_ltn "after load"
snap_ss "after load"
snap_counters after
snap nstat-after-json.txt nstat -az --json
lab_capture_stop
lab_stop_all
note "server stopped"
rm -rf "$WWW"

OVF=$(nstat_delta "$OUT/nstat-before.txt" "$OUT/nstat-after.txt" TcpExtListenOverflows)
PCS=$(cd "$OUT" && ../lab/pcap-stats capture.pcap $PORT)
CKS=$(nstat_delta "$OUT/nstat-before.txt" "$OUT/nstat-after.txt" TcpExtSyncookiesSent)
CKR=$(nstat_delta "$OUT/nstat-before.txt" "$OUT/nstat-after.txt" TcpExtSyncookiesRecv)
SYNR=$(nstat_delta "$OUT/nstat-before.txt" "$OUT/nstat-after.txt" TcpExtTCPSynRetrans)
MAXQ=$(cat "$OUT"/ss-*.txt | awk -v p=":$PORT" '$1=="LISTEN" && substr($4, length($4)-length(p)+1)==p {print $2}' | sort -n | tail -1)
NFULL=$(cat "$OUT"/ss-ltn-*.txt | awk -v p=":$PORT" '$1=="LISTEN" && substr($4, length($4)-length(p)+1)==p && $2+0 >= $3+0' | wc -l)
README_TEXT=$(cat <<TXT
## What was done

- netns \`$NS\`, sysctls at their defaults except net.ipv4.tcp_max_tw_buckets=256 (set in the netns only to keep
  the ss files small: past 256 TIME-WAIT sockets the kernel skips TIME-WAIT and counts TcpExtTCPTimeWaitOverflow;
  irrelevant here: no CLOSE-WAIT in this scenario; do not use it where CLOSE-WAIT matters -- skipped
  FIN-WAIT-2/TIME-WAIT states let a client port be reused while the server still holds the old connection) (somaxconn 4096, syncookies 1, abort_on_overflow 0).
- Server: \`$PY -m http.server --bind 127.0.0.1 --directory DIR $PORT\`, pid **$SERVER_PID**
  (one process; Python 3.11's http.server is a ThreadingHTTPServer, one thread per connection,
  but socketserver's \`request_queue_size = 5\` gives \`listen(fd, 5)\`). DIR holds a 28-byte index.html.
- Load: \`ab -n 2000 -c 50 -s 30 -r http://127.0.0.1:$PORT/\` (wrapped in \`timeout 60\`), output in ab-output.txt.
- Evidence: capture.pcap (\`tcpdump -i lo -s 128 -c 60000 tcp port $PORT\`), ss-01..ss-05 (\`ss -tanpie\`:
  before, 3x during, after), ss-ltn-01..$(printf %02d $LAB_LTN_N) (\`ss -ltn\`, 75 of them taken back to back during the
  load to catch the accept queue full), counters before/after (netstat -s, nstat -az, /proc/net/netstat,
  /proc/net/snmp), nstat-after-json.txt (\`nstat -az --json\`), netstat-antp.txt / proc-net-tcp*.txt during the
  load, sysctl.txt (\`sysctl -a\` in the netns).

## Root cause

The listen backlog is 5 (LISTEN Send-Q 5): the accept queue admits at most 5+1 connections,
so bursts of 50 concurrent connects overflow it; an overflow drops the client's SYN (or a SYN-cookie
ACK, see below) (ListenOverflows and ListenDrops delta **$OVF**, equal: every drop was an accept-queue overflow).
Raising net.core.somaxconn (already 4096) does not help; the application's backlog must grow.

## Observed (computed from this recording; differs between runs)

- Capture vs counters: $(echo "$PCS" | grep -E '^(syn_packets|syn_attempts|syn_unanswered_packets|attempts_never_answered|synack_retransmits_after_ack)' | tr '\n' ';' | sed 's/;$//; s/;/, /g').
  ListenOverflows +$OVF. SYN cookies: TcpExtSyncookiesSent +$CKS, TcpExtSyncookiesRecv +$CKR. Every
  unanswered SYN is one overflow; the rest of the overflows (if any) happened when a cookie ACK (or the
  client's data, retransmitted) found the accept queue full: dropped silently, each counted again.
- TcpExtTCPSynRetrans +$SYNR (client SYN retransmits + server SYN-ACK retransmits). ab finished in
  $(awk '/^Time taken/ {print $5" "$6}' "$OUT/ab-output.txt") and then closed the client sockets still in SYN-SENT (its 2000 answers were
  complete): those attempts end without further packets (attempts_never_answered above). SYN-SENT
  sockets in ss-02, ss-03, ss-04: $(for f in ss-02.txt ss-03.txt ss-04.txt; do printf '%s ' "$(awk '$1=="SYN-SENT"' "$OUT/$f" | wc -l)"; done).
- Largest LISTEN Recv-Q seen in any snapshot: **$MAXQ** (Send-Q 5; a full queue shows limit + 1 = 6,
  the kernel's "full" test is \`>\`). $NFULL of the $LAB_LTN_N ss -ltn snapshots show Recv-Q >= Send-Q
  (listed below); a single snapshot can easily miss the full queue, the counters cannot.
TXT
)
lab_readme $PORT "backlog5: python3 -m http.server (backlog 5) under ab -c 50 — accept-queue overflow"
