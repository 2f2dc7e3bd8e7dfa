# desc: SO_REUSEPORT: 4 workers with one listening socket each (backlog 8); worker 1 stops accepting -> only its queue overflows
LAB_NEED_PYDBG=1
lab_begin reuseport-stuck
lab_need gdb eu-stack
PORT=8000
PIDFILE=/tmp/stk-lab-reuseport-stuck.pidfile
snap sysctl.txt sysctl -a
lab_start server 100 $PY "$SERVERS_DIR/reuseport.py" --host 127.0.0.1 --port $PORT --backlog 8 --workers 4 \
	--work-ms 10 --stuck-worker 1 --stuck-after 3 --pidfile $PIDFILE
lab_wait_listen $PORT
for i in $(seq 50); do [ "$(grep -c 'own listening socket' $PIDFILE)" = 4 ] && break; sleep 0.1; done
sleep 0.3
PARENT=$(sed -n 's/^reuseport.py: parent pid=\([0-9]*\) .*/\1/p' $PIDFILE)
WORKER_PIDS=$(sed -n 's/^reuseport.py: worker [0-9]* pid=\([0-9]*\) .*/\1/p' $PIDFILE | sort -n | tr '\n' ' ')
STUCK_PID=$(sed -n 's/^reuseport.py: worker [0-9]* pid=\([0-9]*\) .*BUGGY.*/\1/p' $PIDFILE)
note "server: reuseport.py --backlog 8 --workers 4 --work-ms 10 --stuck-worker 1 --stuck-after 3; parent $PARENT, workers $WORKER_PIDS, stuck $STUCK_PID"
lab_capture capture.pcap 40000 lo tcp port $PORT
snap_ss "before load"
snap_ltn "before load"
snap_counters before
lab_start clients 60 $PY "$SERVERS_DIR/clients.py" get --host 127.0.0.1 --port $PORT --count 500 --concurrency 30 --timeout 5
CL=$LAB_LAST_PID
note "load: clients.py get --count 500 --concurrency 30 --timeout 5"
sleep 2
for i in $(seq 10); do snap_ltn; done
note "ss-ltn up to $(printf 'ss-ltn-%02d.txt' $LAB_LTN_N) during load"
snap_ss "during load"
snap_stacks_all 1 py $PARENT $WORKER_PIDS
for i in $(seq 10); do snap_ltn; done
snap_ss "during load"
snap_sockets_extra "during load"
sleep 2
for i in $(seq 10); do snap_ltn; done
snap_ss "during load"
for i in $PARENT $WORKER_PIDS; do snap_proctask $i 2; done
wait $CL
note "clients finished (exit $?)"
lab_keep_output clients clients-output.txt
sleep 0.5
snap_ss "after load"
snap_ltn "after load"
snap_counters after
snap nstat-after-json.txt nstat -az --json
lab_capture_stop
lab_keep_output server server-output.txt
lab_stop_all
note "server stopped"
rm -f $PIDFILE

OVF=$(nstat_delta "$OUT/nstat-before.txt" "$OUT/nstat-after.txt" TcpExtListenOverflows)
README_TEXT=$(cat <<TXT
## What was done

- netns \`$NS\`, sysctls at their defaults.
- Server: \`$PY samples/servers/reuseport.py --host 127.0.0.1 --port $PORT --backlog 8 --workers 4 --work-ms 10
  --stuck-worker 1 --stuck-after 3\`: 4 single-threaded workers, each with its **own** SO_REUSEPORT listening socket
  (4 LISTEN lines on the same port in ss, each with its own inode, Send-Q 8 and owner pid).
- parent pid **$PARENT**, workers $WORKER_PIDS; worker 1 = pid **$STUCK_PID** serves 3 requests, then blocks forever
  in \`threading.Condition.wait()\` (main thread, tid = pid $STUCK_PID) and stops calling accept().
- Load: \`clients.py get --count 500 --concurrency 30 --timeout 5\`. Result:
  \`$(tail -1 "$OUT/clients-output.txt")\`
- Evidence: capture, ss-01..$(printf 'ss-%02d' $LAB_SS_N), ss-ltn-*, counters, eu-stack/gdb/pybt/proc-task of all processes
  (moment 1, under load), proc-task (moment 2).

## Root cause

The kernel spreads connections over the 4 listening sockets by a hash of the 4-tuple; the socket of
pid $STUCK_PID is never accepted from again, so its accept queue stays full (Recv-Q 9 of Send-Q 8) and every
SYN hashed to it is dropped (ListenOverflows delta **$OVF**), retransmitted to the same socket, and dropped
again until the client gives up (each connection has a 1 in 4 chance to hash to it; the clients' timeouts
  are in the result line above) while the other three
sockets drain normally (Recv-Q 0). Per-socket evidence: the LISTEN line whose owner is pid $STUCK_PID.
The nstat counters are per netns, not per socket: attribute the overflows with the ss -ltn/-tanpie lines
(which socket is full) and the capture.
TXT
)
lab_readme $PORT "reuseport-stuck: SO_REUSEPORT, one of 4 workers stops accepting — its own queue overflows"
