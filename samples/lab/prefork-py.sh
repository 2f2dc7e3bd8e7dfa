# samples/lab/prefork-py.sh -- the motivating incident with samples/servers/prefork.py;
# sourced by scenarios/prefork-condvar-*.sh after lib.sh.
#
# prefork_py_scenario NAME WORKERS BACKLOG STUCK COUNT CONCURRENCY [HOST] [EXTRA-CAPTURE]
prefork_py_scenario() {
	local name=$1 workers=$2 backlog=$3 stuck=$4 count=$5 conc=$6 host=${7:-127.0.0.1}
	LAB_NEED_PYDBG=1
	lab_begin "$name"
	lab_need gdb eu-stack
	PORT=8000
	local pidfile=/tmp/stk-lab-$name.pidfile
	snap sysctl.txt sysctl -a
	lab_start server 110 $PY "$SERVERS_DIR/prefork.py" --host "$host" --port $PORT --backlog "$backlog" \
		--workers "$workers" --threads 4 --queue 4 --work-ms 50 --stuck-workers "$stuck" --pidfile "$pidfile"
	lab_wait_listen $PORT
	local i
	for i in $(seq 50); do
		[ "$(grep -c ' thread acceptor ' "$pidfile" 2>/dev/null)" = "$workers" ] && break
		sleep 0.1
	done
	PARENT=$(sed -n 's/^prefork.py: parent pid=\([0-9]*\) .*/\1/p' "$pidfile")
	WORKER_PIDS=$(sed -n 's/^prefork.py: worker [0-9]* pid=\([0-9]*\) ppid=.*/\1/p' "$pidfile" | sort -n | tr '\n' ' ')
	STUCK_PIDS=$(sed -n 's/^prefork.py: worker [0-9]* pid=\([0-9]*\) ppid=.*BUGGY.*/\1/p' "$pidfile" | sort -n | tr '\n' ' ')
	HEALTHY_PIDS=$(sed -n 's/^prefork.py: worker [0-9]* pid=\([0-9]*\) ppid=.* healthy$/\1/p' "$pidfile" | sort -n | tr '\n' ' ')
	note "server: prefork.py --host $host --port $PORT --backlog $backlog --workers $workers --threads 4 --queue 4 --work-ms 50 --stuck-workers $stuck"
	note "parent pid $PARENT; workers $WORKER_PIDS; buggy workers $STUCK_PIDS; healthy workers $HEALTHY_PIDS"

	local lo_host=$host
	lab_capture capture.pcap 80000 lo tcp port $PORT
	if [ -n "${PREFORK_PY_ANY:-}" ]; then
		# the same traffic on the "any" pseudo-device: Linux cooked capture (SLL2 with tcpdump 4.99)
		lab_capture capture-any.pcap 4000 any tcp port $PORT
	fi
	snap_ss "before load"
	snap_ltn "before load"
	snap_counters before
	# moment 1: every process idle, before any request (idle looks like stuck in native frames)
	snap_stacks_all 1 py $PARENT $WORKER_PIDS

	lab_start clients 80 $PY "$SERVERS_DIR/clients.py" get --host "$host" --port $PORT \
		--count "$count" --concurrency "$conc" --timeout 6
	local cl=$LAB_LAST_PID
	note "load: clients.py get --count $count --concurrency $conc --timeout 6 (each client gives up after 6 s)"
	sleep 2
	for i in $(seq 20); do snap_ltn; done
	note "ss-ltn up to $(printf 'ss-ltn-%02d.txt' $LAB_LTN_N): quick ss -ltn snapshots during load"
	snap_ss "during load (2 s)"
	# moment 2: under load; buggy workers stuck, healthy ones busy
	snap_stacks_all 2 py $PARENT $WORKER_PIDS
	for i in $(seq 20); do snap_ltn; done
	note "ss-ltn up to $(printf 'ss-ltn-%02d.txt' $LAB_LTN_N): quick ss -ltn snapshots during load"
	snap_ss "during load"
	snap_sockets_extra "during load"
	sleep 2
	for i in $(seq 20); do snap_ltn; done
	note "ss-ltn up to $(printf 'ss-ltn-%02d.txt' $LAB_LTN_N): quick ss -ltn snapshots during load"
	snap_ss "during load"
	# moment 3: cheap samples (no gdb) to show the stuck threads did not move
	for i in $PARENT $WORKER_PIDS; do
		snap_proctask "$i" 3
		snap_host "eu-stack-$i-3.txt" timeout 30 eu-stack -p "$i"
	done
	note "proc-task and eu-stack of every process (moment 3)"
	wait "$cl"
	note "clients finished (exit $?)"
	lab_keep_output clients clients-output.txt
	sleep 1
	snap_ss "after load: clients gone, CLOSE-WAIT left on the stuck workers"
	snap_ltn "after load"
	for i in $PARENT $WORKER_PIDS; do snap_proctask "$i" 4; done
	note "proc-task of every process (moment 4, after load)"
	snap_counters after
	snap nstat-after-json.txt nstat -az --json
	lab_capture_stop
	lab_keep_output server server-output.txt
	lab_stop_all
	note "server stopped"
	rm -f "$pidfile"

	# ---- README
	local ovf drops maxq last cwlines stucktids p
	ovf=$(nstat_delta "$OUT/nstat-before.txt" "$OUT/nstat-after.txt" TcpExtListenOverflows)
	drops=$(nstat_delta "$OUT/nstat-before.txt" "$OUT/nstat-after.txt" TcpExtListenDrops)
	maxq=$(cat "$OUT"/ss-*.txt | awk -v p=":$PORT" '$1=="LISTEN" && substr($4, length($4)-length(p)+1)==p {print $2}' | sort -n | tail -1)
	last=$(printf 'ss-%02d.txt' $LAB_SS_N)
	cwlines=""
	for p in $WORKER_PIDS; do
		cwlines+="  - pid $p ($(case " $STUCK_PIDS " in *" $p "*) echo buggy/stuck ;; *) echo healthy ;; esac)): CLOSE-WAIT $(awk '$1=="CLOSE-WAIT"' "$OUT/$last" | grep -c "pid=$p,")"$'\n'
	done
	stucktids=""
	for p in $STUCK_PIDS; do
		stucktids+="  - pid $p: handlers $(sed -n "s/^prefork.py: worker [0-9]* pid=$p thread handler-[0-9]* tid=\([0-9]*\)/\1/p" "$OUT/server-output.txt" | tr '\n' ' ')(blocked in Condition.wait, lost notify), acceptor $(sed -n "s/^prefork.py: worker [0-9]* pid=$p thread acceptor tid=\([0-9]*\)/\1/p" "$OUT/server-output.txt") (blocked in queue.put on the full queue)"$'\n'
	done
	local ck_sent ck_recv reqq synr
	ck_sent=$(nstat_delta "$OUT/nstat-before.txt" "$OUT/nstat-after.txt" TcpExtSyncookiesSent)
	ck_recv=$(nstat_delta "$OUT/nstat-before.txt" "$OUT/nstat-after.txt" TcpExtSyncookiesRecv)
	reqq=$(nstat_delta "$OUT/nstat-before.txt" "$OUT/nstat-after.txt" TcpExtTCPReqQFullDoCookies)
	synr=$(nstat_delta "$OUT/nstat-before.txt" "$OUT/nstat-after.txt" TcpExtTCPSynRetrans)
	README_TEXT=$(cat <<TXT
## What was done

- netns \`$NS\`, sysctls at their defaults (somaxconn 4096, syncookies 1, abort_on_overflow 0,
  tcp_syn_linear_timeouts 4).
- Server: \`$PY samples/servers/prefork.py --host $host --port $PORT --backlog $backlog --workers $workers
  --threads 4 --queue 4 --work-ms 50 --stuck-workers $stuck\`: one listening socket (backlog $backlog) shared by
  $workers forked workers; each worker = acceptor thread + 4 handler threads + backend thread, bounded
  queue of 4 between acceptor and handlers; each request takes 50 ms of work.
  The first $stuck workers run the buggy code path (lost \`threading.Condition\` notification).
  Full pid/tid list: server-output.txt.
- Load: \`clients.py get --count $count --concurrency $conc --timeout 6\` (Python threads, one GET per
  connection, socket timeout 6 s per operation: a client gives up and closes when connect() or a recv() waits 6 s). Result line in clients-output.txt:
  \`$(tail -1 "$OUT/clients-output.txt")\`
- Evidence: capture.pcap (tcpdump -i lo -s 128; capture-any.pcap on -i any where present, capped at 4000 packets), ss-01 (before) .. $last (after), ss-ltn-* (60 quick
  \`ss -ltn\` during load), counters before/after, sysctl.txt, netstat-antp.txt and proc-net-tcp*.txt
  (during load); stacks of the parent and every worker: moment 1 (before load, all idle) and 2 (under load)
  with eu-stack-PID-M.txt, gdb-PID-M.txt (\`thread apply all bt\`), pybt-PID-M.txt (\`thread apply all py-bt\`,
  python3-dbg's gdb helpers), proc-task-PID-M.txt; moment 3 (later under load) eu-stack + proc-task;
  moment 4 (after load) proc-task. Stack dumps stop the process for ~1 s each: visible as a dip in the capture.

## Processes

- parent: pid **$PARENT** (only waits in os.wait(); holds the listening socket too)
- workers: $WORKER_PIDS
- buggy (stuck) workers: **$STUCK_PIDS**; healthy workers: $HEALTHY_PIDS
- stuck threads (tids):
$stucktids
## Root cause

In the buggy workers every handler thread waits on a \`threading.Condition\` whose notify() already
happened (wait() without a predicate): each handler blocks forever after its first request, the
bounded queue fills, and the acceptor blocks in \`queue.put()\`, so those workers stop calling accept().
Each holds 4 (handlers) + 4 (queue) + 1 (acceptor) = 9 accepted connections that it never answers; when
their clients give up they turn into CLOSE_WAIT owned by that worker. The healthy workers keep
serving (8 threads x 50 ms = at most ~160 requests/s together), which is less than the load, so the shared accept
queue (limit $backlog, LISTEN Send-Q $backlog) overflows: ListenOverflows delta **$ovf**, ListenDrops delta **$drops**,
largest LISTEN Recv-Q seen **$maxq**. Clients see SYNs unanswered and retransmitted.

CLOSE-WAIT per worker in the last ss ($last):
$cwlines
How to tell the stuck workers from the healthy ones (DESIGN.md): in the native stacks (eu-stack, gdb)
every blocked Python thread -- stuck handler, acceptor blocked on the full queue, idle handler of a
healthy worker waiting in queue.get(), idle backend -- shows the same
\`PyThread_acquire_lock_timed -> sem_clockwait/futex\` frames. The Python frames (pybt-*.txt) show the
difference: stuck handlers are in \`handle\` -> \`slot.cond.wait()\` (prefork.py), the stuck acceptor in
\`acceptor\` -> \`self.conns.put(conn)\`, idle handlers in \`handler\` -> \`self.conns.get()\`; healthy
acceptors are in \`accept\` (native: accept/accept4 syscall). Also: the stuck workers' CPU time
(proc-task stat utime/stime) does not move between moments 2, 3 and 4, and they own the CLOSE-WAIT sockets.

## Observed side effects (read from the evidence, not assumed)

- With tcp_syncookies=1 (default) the small backlog also caps the SYN queue: the bursts of
  (retransmitted) SYNs made the kernel answer with SYN cookies without any flood:
  TcpExtTCPReqQFullDoCookies +$reqq, TcpExtSyncookiesSent +$ck_sent, TcpExtSyncookiesRecv +$ck_recv
  (Recv counts every ACK validated as a cookie, including the client's retransmits of data whose
  cookie ACK was dropped because the accept queue was full -- so it can exceed Sent).
  Such cookie connections are dropped silently: the client believes it is connected, sends its
  request and FIN, and ends in FIN-WAIT-1 / retransmitting, with no server socket at all.
- TcpExtTCPSynRetrans (+$synr) counts the clients' SYN retransmits plus the server's SYN-ACK
  retransmits; compare syn_retransmits and synack_retransmits_after_ack from pcap-stats below.
- SYN retransmit offsets follow tcp_syn_linear_timeouts=4 (+1, +2, +3, +4, +5 s after the first SYN);
  clients give up at 6 s.
TXT
)
	lab_readme $PORT "$name: pre-fork Python server, $workers workers, backlog $backlog, $stuck workers stuck on a lost condition-variable notification"
}
