# desc: fdleak.py (RLIMIT_NOFILE 64) leaks sockets of /leak requests -> CLOSE_WAIT -> EMFILE -> accept loop spins, queue overflows
LAB_NEED_PYDBG=1
lab_begin fd-exhaustion
lab_need gdb eu-stack
PORT=8000
snap sysctl.txt sysctl -a
lab_start server 100 $PY "$SERVERS_DIR/fdleak.py" --host 127.0.0.1 --port $PORT --backlog 16 --nofile 64
SERVER_PID=$(lab_child_of "$LAB_LAST_PID")
lab_wait_listen $PORT
note "server: fdleak.py --backlog 16 --nofile 64, pid $SERVER_PID"
lab_capture capture.pcap 20000 lo tcp port $PORT
snap_ss "before load"
snap_ltn "before load"
snap_counters before
snap_host "proc-fd-$SERVER_PID-1.txt" ls -l /proc/$SERVER_PID/fd
snap_host "proc-limits-$SERVER_PID.txt" cat /proc/$SERVER_PID/limits
snap_proctask $SERVER_PID 1
lab_start leak 40 $PY "$SERVERS_DIR/clients.py" send-close --host 127.0.0.1 --port $PORT --path /leak --count 80 --concurrency 80 --wait 2 --timeout 4
LK=$LAB_LAST_PID
note "load 1: clients.py send-close --path /leak --count 80 --concurrency 80 --wait 2 (requests that hit the leaking error path)"
wait $LK
note "leak clients finished (exit $?)"
lab_keep_output leak clients-leak-output.txt
sleep 0.5
snap_ss "after the leaking requests: CLOSE-WAIT, process at its fd limit"
snap_host "proc-fd-$SERVER_PID-2.txt" ls -l /proc/$SERVER_PID/fd
snap_proctask $SERVER_PID 2
lab_start clients 40 $PY "$SERVERS_DIR/clients.py" get --host 127.0.0.1 --port $PORT --path / --count 60 --concurrency 20 --timeout 4
CL=$LAB_LAST_PID
note "load 2: clients.py get --path / --count 60 --concurrency 20 --timeout 4 (healthy requests)"
sleep 1.5
for i in $(seq 10); do snap_ltn; done
snap_ss "during healthy requests: accept queue full"
snap_sockets_extra "during healthy requests"
snap_stacks $SERVER_PID 3 py
sleep 1
snap_proctask $SERVER_PID 4
snap_host "proc-stat-$SERVER_PID.txt" cat /proc/$SERVER_PID/stat
wait $CL
note "healthy clients finished (exit $?)"
lab_keep_output clients clients-output.txt
snap_proctask $SERVER_PID 5
snap_ss "after"
snap_ltn "after"
snap_counters after
snap nstat-after-json.txt nstat -az --json
lab_capture_stop
lab_keep_output server server-output.txt
lab_stop_all
note "server stopped"

NFD=$(grep -c ' -> ' "$OUT/proc-fd-$SERVER_PID-2.txt")
CW=$(awk '$1=="CLOSE-WAIT"' "$OUT/ss-02.txt" | grep -c "pid=$SERVER_PID,")
UT3=$(awk -F'[ ]' '/task\/'$SERVER_PID'\/stat:/ {print $14+$15}' "$OUT/proc-task-$SERVER_PID-3.txt")
UT5=$(awk -F'[ ]' '/task\/'$SERVER_PID'\/stat:/ {print $14+$15}' "$OUT/proc-task-$SERVER_PID-5.txt")
OVF=$(nstat_delta "$OUT/nstat-before.txt" "$OUT/nstat-after.txt" TcpExtListenOverflows)
README_TEXT=$(cat <<TXT
## What was done

- netns \`$NS\`, sysctls at their defaults.
- Server: \`$PY samples/servers/fdleak.py --host 127.0.0.1 --port $PORT --backlog 16 --nofile 64\`, pid **$SERVER_PID**,
  single-threaded select() loop, RLIMIT_NOFILE soft limit 64 (proc-limits-$SERVER_PID.txt).
- Load 1: 80 clients ask for /leak (\`clients.py send-close --path /leak --count 80 --concurrency 80 --wait 2\`),
  wait 2 s for an answer, give up and close: the server kept every one of those sockets open.
  Result: \`$(tail -1 "$OUT/clients-leak-output.txt")\`
- Load 2: 60 ordinary requests (\`clients.py get --path / --count 60 --concurrency 20 --timeout 4\`).
  Result: \`$(tail -1 "$OUT/clients-output.txt")\`
- Evidence: ss-01..$(printf 'ss-%02d' $LAB_SS_N), ss-ltn-*, proc-fd-$SERVER_PID-1/2.txt (\`ls -l /proc/PID/fd\` before / at the limit),
  proc-limits-$SERVER_PID.txt, proc-task-$SERVER_PID-1..5.txt, eu-stack/gdb/pybt-$SERVER_PID-3.txt, server-output.txt (the
  EMFILE log lines), counters, capture.

## Root cause

A descriptor leak: the /leak error path never closes its socket, so every such client leaves a
CLOSE-WAIT socket and a descriptor behind (**$CW** CLOSE-WAIT on pid $SERVER_PID in ss-02, **$NFD** open fds of the
64 allowed in proc-fd-$SERVER_PID-2.txt). At the limit accept() fails with EMFILE (server-output.txt); the
event loop retries at once because the listening socket stays readable, so the process spins
on CPU (utime+stime of the main thread: $UT3 ticks at moment 3, $UT5 at moment 5) without
accepting: the accept queue fills (LISTEN Recv-Q 17 of 16) and overflows (ListenOverflows delta **$OVF**),
and even healthy requests time out. Expected diagnosis: fd-exhaustion (caused by
close-wait-accumulation), accept-queue overflow as the consequence; the process is busy, not stuck.
TXT
)
lab_readme $PORT "fd-exhaustion: leaked CLOSE_WAIT sockets -> EMFILE -> accept loop spins, queue overflows"
