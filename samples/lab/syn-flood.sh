# samples/lab/syn-flood.sh -- SYN flood scenarios; sourced after lib.sh.
# syn_flood_scenario NAME COOKIES(0|1) TITLE
syn_flood_scenario() {
	local name=$1 cookies=$2 title=$3
	lab_begin "$name"
	lab_need hping3
	PORT=8000
	lab_sysctl net.ipv4.tcp_syncookies=$cookies net.ipv4.tcp_max_syn_backlog=128
	snap sysctl.txt sysctl -a
	lab_start server 100 $PY "$SERVERS_DIR/threaded.py" --host 127.0.0.1 --port $PORT --backlog 128
	SERVER_PID=$(lab_child_of "$LAB_LAST_PID")
	lab_wait_listen $PORT
	note "server: threaded.py --backlog 128 (healthy), pid $SERVER_PID"
	lab_capture capture.pcap 20000 lo tcp port $PORT
	snap_ss "before flood"
	snap_ltn "before flood"
	snap_counters before
	local dm0
	dm0=$(dmesg 2>/dev/null | wc -l)
	lab_start flood 30 hping3 -I lo -S -p $PORT -c 3000 -i u200 --rand-source -q 127.0.0.1
	local fl=$LAB_LAST_PID
	note "flood: hping3 -I lo -S -p $PORT -c 3000 -i u200 --rand-source 127.0.0.1 (3000 SYNs from random spoofed sources, ~0.6 s; the SYN-ACKs have no route out of the netns and are dropped)"
	sleep 0.3
	snap_ss "during flood"
	snap_ltn "during flood"
	wait $fl
	note "flood finished (exit $?)"
	lab_keep_output flood hping3-output.txt
	snap_ss "after flood: SYN queue full of half-open requests"
	snap_ltn "after flood"
	snap_counters middle
	lab_start clients 40 $PY "$SERVERS_DIR/clients.py" get --host 127.0.0.1 --port $PORT --count 100 --concurrency 10 --timeout 8
	local cl=$LAB_LAST_PID
	note "legitimate load while the SYN queue is full: clients.py get --count 100 --concurrency 10 --timeout 8"
	sleep 1.5
	snap_ss "during legitimate load"
	snap_sockets_extra "during legitimate load"
	wait $cl
	note "clients finished (exit $?)"
	lab_keep_output clients clients-output.txt
	snap_ss "after"
	snap_ltn "after"
	snap_counters after
	snap nstat-after-json.txt nstat -az --json
	snap_host dmesg-syn-flooding.txt bash -c "dmesg | tail -n +$((dm0 + 1)) | grep -i 'syn flooding' || true"
	lab_capture_stop
	lab_stop_all
	note "server stopped"
	local d
	README_TEXT=$(cat <<TXT
## What was done

- netns \`$NS\`, **net.ipv4.tcp_syncookies=$cookies**, net.ipv4.tcp_max_syn_backlog=128 (netns only); other sysctls default.
- Server: \`$PY samples/servers/threaded.py --host 127.0.0.1 --port $PORT --backlog 128\` (healthy, pid **$SERVER_PID**):
  SYN queue limit min(backlog 128, somaxconn, tcp_max_syn_backlog) related; accept queue 128.
- Flood: \`hping3 -I lo -S -p $PORT -c 3000 -i u200 --rand-source 127.0.0.1\`: 3000 SYNs with random spoofed
  source addresses. The netns has only lo, so the SYN-ACKs to those addresses have no route (IpOutNoRoutes)
  and the half-open requests stay in the SYN queue, retrying their SYN-ACK (TCPTimeouts / TCPSynRetrans).
- Then legitimate load: \`clients.py get --count 100 --concurrency 10 --timeout 8\`. Result:
  \`$(tail -1 "$OUT/clients-output.txt")\`
- Evidence: capture (tcpdump -i lo tcp port $PORT; the flood SYNs and the legitimate traffic; SYN-ACKs that had
  no route never reach lo), ss-01 .. $(printf 'ss-%02d' $LAB_SS_N) (SYN-RECV count), counters before / middle (after the flood) /
  after, hping3-output.txt, dmesg-syn-flooding.txt (the kernel's "Possible SYN flooding" line if it was logged;
  dmesg is host-wide and rate-limited).

## Counters (nstat deltas before -> after)

$(for d in TcpExtListenOverflows TcpExtListenDrops TcpExtTCPReqQFullDrop TcpExtTCPReqQFullDoCookies TcpExtSyncookiesSent TcpExtSyncookiesRecv TcpExtSyncookiesFailed IpOutNoRoutes TcpExtTCPTimeouts; do echo "- $d: $(nstat_delta "$OUT/nstat-before.txt" "$OUT/nstat-after.txt" $d)"; done)
- SYN-RECV sockets in the ss right after the flood: $(awk '$1=="SYN-RECV"' "$OUT/ss-03.txt" | wc -l)
TXT
)
	README_TEXT+=$'\n'"$SYNFLOOD_TEXT"
	lab_readme $PORT "$title"
}
