# desc: closewait.py never closes answered-less connections: 30 clients send a GET and give up -> 30 CLOSE-WAIT on one pid
lab_begin closewait
PORT=8000
snap sysctl.txt sysctl -a
lab_start server 100 $PY "$SERVERS_DIR/closewait.py" --host 127.0.0.1 --port $PORT --backlog 128
SERVER_PID=$(lab_child_of "$LAB_LAST_PID")
lab_wait_listen $PORT
note "server: closewait.py --backlog 128, pid $SERVER_PID"
lab_capture capture.pcap 5000 lo tcp port $PORT
snap_ss "before load"
snap_ltn "before load"
snap_counters before
lab_start clients 60 $PY "$SERVERS_DIR/clients.py" send-close --host 127.0.0.1 --port $PORT --count 30 --concurrency 30 --wait 2
CL_PID=$LAB_LAST_PID
note "load: clients.py send-close --count 30 --concurrency 30 --wait 2 (each sends a GET, waits 2 s for an answer, closes)"
sleep 1
snap_ss "during: clients connected, waiting for answers"
snap_ltn "during"
wait "$CL_PID"
note "clients finished (exit $?)"
lab_keep_output clients clients-output.txt
sleep 0.5
snap_ss "after clients closed: CLOSE-WAIT on the server"
snap_sockets_extra "after clients closed"
snap_proctask $SERVER_PID 1
snap_host "proc-fd-$SERVER_PID.txt" ls -l /proc/$SERVER_PID/fd
snap_host "proc-limits-$SERVER_PID.txt" cat /proc/$SERVER_PID/limits
sleep 3
snap_ss "3 s later: CLOSE-WAIT does not time out"
snap_ltn "after"
snap_counters after
snap nstat-after-json.txt nstat -az --json
lab_keep_output server server-output.txt
lab_capture_stop
lab_stop_all
note "server stopped"

CW=$(awk '$1=="CLOSE-WAIT"' "$OUT/ss-04.txt" | grep -c "pid=$SERVER_PID,")
README_TEXT=$(cat <<TXT
## What was done

- netns \`$NS\`, sysctls at their defaults.
- Server: \`$PY samples/servers/closewait.py --host 127.0.0.1 --port $PORT --backlog 128\`, pid **$SERVER_PID**
  (single-threaded select loop; reads each request, then drops it without answering or closing — the socket
  object is kept in a list forever).
- Load: \`clients.py send-close --count 30 --concurrency 30 --wait 2\`: 30 connections, each sends a GET,
  waits 2 s for an answer, gets none, and closes (FIN). Output in clients-output.txt.
- Evidence: ss-01 (before), ss-02 (clients waiting, ESTAB), ss-03 (right after the clients closed),
  ss-04 (3 s later), netstat -antp / /proc/net/tcp* after the close, proc-task-$SERVER_PID-1.txt,
  proc-fd-$SERVER_PID.txt (\`ls -l /proc/PID/fd\`), proc-limits-$SERVER_PID.txt, capture.pcap, counters.

## Root cause

The application never calls close() on connections whose request it dropped: every client that
gives up leaves a socket in CLOSE_WAIT owned by pid $SERVER_PID (**$CW** in the last ss). The kernel never
times CLOSE_WAIT out. The client side sockets go FIN-WAIT-2 and disappear after tcp_fin_timeout
(60 s), so the last snapshot still shows them. The listener is not overflowed (backlog 128); the
process still accepts (its main thread sits in select), so this is a CLOSE_WAIT accumulation /
descriptor leak, not a stuck worker. Every request in the capture is unanswered.
TXT
)
lab_readme $PORT "closewait: a server that never closes — 30 CLOSE_WAIT on one process"
