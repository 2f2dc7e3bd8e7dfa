# desc: slowreader.py stops reading request bodies: ESTAB Recv-Q grows to the receive buffer, zero window, client Send-Q grows
LAB_NEED_PYDBG=1
lab_begin slow-reader
lab_need gdb eu-stack
PORT=8000
snap sysctl.txt sysctl -a
lab_start server 100 $PY "$SERVERS_DIR/slowreader.py" --host 127.0.0.1 --port $PORT --backlog 128 --rcvbuf 65536
SERVER_PID=$(lab_child_of "$LAB_LAST_PID")
lab_wait_listen $PORT
note "server: slowreader.py --backlog 128 --rcvbuf 65536, pid $SERVER_PID"
lab_capture capture.pcap 20000 lo tcp port $PORT
snap_ss "before load"
snap_ltn "before load"
snap_counters before
lab_start clients 60 $PY "$SERVERS_DIR/clients.py" post-body --host 127.0.0.1 --port $PORT --concurrency 8 --body 8388608 --duration 20
CL=$LAB_LAST_PID
note "load: clients.py post-body --concurrency 8 --body 8388608 --duration 20 (8 uploads of 8 MiB, sending as fast as allowed for 20 s)"
sleep 2
snap_ss "during upload (2 s)"
snap_stacks $SERVER_PID 1 py
sleep 3
snap_ss "during upload"
snap_sockets_extra "during upload"
sleep 4
snap_ss "during upload"
snap_proctask $SERVER_PID 2
wait $CL
note "clients finished (exit $?)"
lab_keep_output clients clients-output.txt
snap_ss "after: clients closed"
snap_ltn "after"
snap_counters after
snap nstat-after-json.txt nstat -az --json
lab_capture_stop
lab_keep_output server server-output.txt
lab_stop_all
note "server stopped"

RQ=$(awk -v p=":$PORT" '$1=="ESTAB" && substr($4, length($4)-length(p)+1)==p {print $2}' "$OUT/ss-04.txt" | sort -n | uniq -c | tr '\n' ';')
SQ=$(awk -v p=":$PORT" '$1=="ESTAB" && substr($5, length($5)-length(p)+1)==p {print $3}' "$OUT/ss-04.txt" | sort -n | uniq -c | tr '\n' ';')
ZW=$(nstat_delta "$OUT/nstat-before.txt" "$OUT/nstat-after.txt" TcpExtTCPToZeroWindowAdv)
README_TEXT=$(cat <<TXT
## What was done

- netns \`$NS\`, sysctls at their defaults.
- Server: \`$PY samples/servers/slowreader.py --host 127.0.0.1 --port $PORT --backlog 128 --rcvbuf 65536\`, pid **$SERVER_PID**:
  one thread per connection reads the headers, then waits forever on a threading.Event and never reads
  the body (tids in server-output.txt).
- Load: \`clients.py post-body --concurrency 8 --body 8388608 --duration 20\`: 8 connections each POST an 8 MiB body,
  sending as fast as the server's window allows for 20 s, then close. Result in clients-output.txt.
- Evidence: ss-01 (before), ss-02, ss-03, ss-04 (during the upload; times on their line 1 and in timeline.txt), ss-05 (after the clients closed), capture
  (zero-window advertisements and window probes), counters, eu-stack/gdb/pybt/proc-task of the server
  (moment 1), proc-task (moment 2).

## Root cause

The application stopped reading established connections: each server-side ESTAB socket has a Recv-Q
at the receive-buffer limit and advertises a zero window; the client side shows the unsent body in its
Send-Q and probes the window. No accept-queue problem (LISTEN Recv-Q 0), no CLOSE-WAIT while the clients
are connected.

ss-04.txt, server side (local port $PORT) ESTAB Recv-Q values (count value;): \`$RQ\`
ss-04.txt, client side (peer port $PORT) ESTAB Send-Q values (count value;): \`$SQ\`
TcpExtTCPToZeroWindowAdv delta: $ZW.
When the clients close, their FIN queues behind the unsent data: the server sockets stay ESTAB with
full Recv-Q (ss-05) -- the client sockets sit in FIN-WAIT-1 retrying zero-window probes.
TXT
)
lab_readme $PORT "slow-reader: the application stops reading request bodies — Recv-Q full, zero window"
