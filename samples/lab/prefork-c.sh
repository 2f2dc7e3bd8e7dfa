# samples/lab/prefork-c.sh -- samples/servers/prefork.c scenarios; sourced after lib.sh.
#
# prefork_c_scenario NAME BINARY WORKERS BACKLOG "SWITCHES" COUNT CONCURRENCY TITLE
prefork_c_scenario() {
	local name=$1 bin=$2 workers=$3 backlog=$4 switches=$5 count=$6 conc=$7 title=$8
	lab_begin "$name"
	lab_need gdb eu-stack cc make objcopy file
	make -s -C "$SERVERS_DIR" >>"$LAB_LOG" 2>&1 || { echo "lab: build failed, see $LAB_LOG" >&2; exit 1; }
	PORT=8000
	local pidfile=/tmp/stk-lab-$name.pidfile exe=$SERVERS_DIR/build/$bin
	snap sysctl.txt sysctl -a
	# shellcheck disable=SC2086
	lab_start server 110 "$exe" --host 127.0.0.1 --port $PORT --backlog "$backlog" --workers "$workers" \
		--threads 4 --queue 4 --work-ms 50 $switches --pidfile "$pidfile"
	lab_wait_listen $PORT
	local i
	for i in $(seq 50); do
		[ "$(grep -c ' thread acceptor ' "$pidfile" 2>/dev/null)" = "$workers" ] && break
		sleep 0.1
	done
	PARENT=$(sed -n 's/^prefork: parent pid=\([0-9]*\) .*/\1/p' "$pidfile")
	WORKER_PIDS=$(sed -n 's/^prefork: worker [0-9]* pid=\([0-9]*\) ppid=.*/\1/p' "$pidfile" | sort -n | tr '\n' ' ')
	BAD_PIDS=$(sed -n 's/^prefork: worker [0-9]* pid=\([0-9]*\) ppid=.* \(BUGGY\|DEADLOCK\).*/\1/p' "$pidfile" | sort -n | tr '\n' ' ')
	note "server: samples/servers/build/$bin --backlog $backlog --workers $workers --threads 4 --queue 4 --work-ms 50 $switches"
	note "parent pid $PARENT; workers $WORKER_PIDS; bad workers $BAD_PIDS"
	lab_capture capture.pcap 40000 lo tcp port $PORT
	snap_ss "before load"
	snap_ltn "before load"
	snap_counters before
	snap_stacks_all 1 "" $PARENT $WORKER_PIDS
	lab_start clients 80 $PY "$SERVERS_DIR/clients.py" get --host 127.0.0.1 --port $PORT \
		--count "$count" --concurrency "$conc" --timeout 6
	local cl=$LAB_LAST_PID
	note "load: clients.py get --count $count --concurrency $conc --timeout 6"
	sleep 2
	for i in $(seq 20); do snap_ltn; done
	note "ss-ltn up to $(printf 'ss-ltn-%02d.txt' $LAB_LTN_N): quick ss -ltn snapshots during load"
	snap_ss "during load (2 s)"
	snap_stacks_all 2 "" $PARENT $WORKER_PIDS
	if [ -n "${PREFORK_C_MUTEX:-}" ]; then
		for i in $BAD_PIDS; do
			snap_host "gdb-mutex-$i.txt" timeout 60 gdb -nx -batch -iex 'set sysroot /' -p "$i" \
				-ex 'set pagination off' -ex 'print W.cache_mu' -ex 'print W.stats_mu' \
				-ex 'print &W.cache_mu' -ex 'print &W.stats_mu' -ex 'info threads'
		done
		note "gdb: mutex owners (print W.cache_mu / W.stats_mu) of $BAD_PIDS"
	fi
	for i in $(seq 20); do snap_ltn; done
	snap_ss "during load"
	snap_sockets_extra "during load"
	sleep 2
	snap_ss "during load"
	for i in $PARENT $WORKER_PIDS; do
		snap_proctask "$i" 3
		snap_host "eu-stack-$i-3.txt" timeout 30 eu-stack -p "$i"
	done
	note "proc-task and eu-stack of every process (moment 3)"
	wait "$cl"
	note "clients finished (exit $?)"
	lab_keep_output clients clients-output.txt
	sleep 1
	snap_ss "after load"
	snap_ltn "after load"
	for i in $PARENT $WORKER_PIDS; do snap_proctask "$i" 4; done
	snap_counters after
	snap nstat-after-json.txt nstat -az --json
	lab_capture_stop
	lab_keep_output server server-output.txt
	lab_stop_all
	note "server stopped"
	rm -f "$pidfile"

	local ovf drops maxq last cwlines p
	ovf=$(nstat_delta "$OUT/nstat-before.txt" "$OUT/nstat-after.txt" TcpExtListenOverflows)
	drops=$(nstat_delta "$OUT/nstat-before.txt" "$OUT/nstat-after.txt" TcpExtListenDrops)
	maxq=$(cat "$OUT"/ss-*.txt | awk -v p=":$PORT" '$1=="LISTEN" && substr($4, length($4)-length(p)+1)==p {print $2}' | sort -n | tail -1)
	last=$(printf 'ss-%02d.txt' $LAB_SS_N)
	cwlines=""
	for p in $WORKER_PIDS; do
		cwlines+="  - pid $p ($(case " $BAD_PIDS " in *" $p "*) echo "bug injected" ;; *) echo healthy ;; esac)): CLOSE-WAIT $(awk '$1=="CLOSE-WAIT"' "$OUT/$last" | grep -c "pid=$p,")"$'\n'
	done
	PF_OVF=$ovf PF_DROPS=$drops PF_MAXQ=$maxq PF_LAST=$last PF_CW=$cwlines
	README_TEXT=$(cat <<TXT
## What was done

- netns \`$NS\`, sysctls at their defaults (somaxconn 4096, syncookies 1, abort_on_overflow 0).
- Server: \`samples/servers/build/$bin --host 127.0.0.1 --port $PORT --backlog $backlog --workers $workers
  --threads 4 --queue 4 --work-ms 50 $switches\` (built by samples/servers/Makefile). One listening socket
  shared by $workers forked workers; each worker: acceptor, 4 handlers, backend, flusher threads;
  bounded queue of 4 between acceptor and handlers. Full pid/tid list in server-output.txt.
- Load: \`clients.py get --count $count --concurrency $conc --timeout 6\` (socket timeout 6 s per
  operation). Result: \`$(tail -1 "$OUT/clients-output.txt")\`
- Evidence: capture.pcap, ss-01 (before) .. $last (after), ss-ltn-*, counters before/after, sysctl.txt,
  netstat-antp.txt / proc-net-tcp*.txt (during load); for the parent and every worker:
  eu-stack-PID-M.txt, gdb-PID-M.txt (\`thread apply all bt\`), proc-task-PID-M.txt at moment 1 (before
  load), 2 (under load); eu-stack + proc-task at moment 3; proc-task at moment 4 (after load).

## Processes

- parent: pid **$PARENT**; workers: $WORKER_PIDS; worker(s) with the bug: **$BAD_PIDS**
$(grep -E 'thread|ppid' "$OUT/server-output.txt" | sed 's/^prefork: /  - /')

## Result

ListenOverflows delta **$ovf**, ListenDrops delta **$drops**, backlog $backlog (LISTEN Send-Q), largest LISTEN
Recv-Q seen **$maxq**. CLOSE-WAIT per worker in the last ss ($last):
$cwlines
TXT
)
	if [ "$bin" = prefork-stripped ]; then
		snap_host binary-info.txt bash -c "cd '$SERVERS_DIR/build' && file prefork-stripped prefork-stripped.debug && readelf -n prefork-stripped prefork-stripped.debug | grep -E 'File|Build ID' && readelf -x .gnu_debuglink prefork-stripped && echo \"symtab/debug_info sections left in prefork-stripped: \$(readelf -S prefork-stripped | grep -cE 'symtab|debug_info')\"; true"
	fi
	README_TEXT+=$'\n'"${PREFORK_C_TEXT:-}"
	if [ -n "${PREFORK_C_MUTEX:-}" ]; then
		local f co so ca sa
		for p in $BAD_PIDS; do
			f=$OUT/gdb-mutex-$p.txt
			co=$(grep -m1 '^\$1 = ' "$f" | grep -o '__owner = [0-9]*' | grep -o '[0-9]*')
			so=$(grep -m1 '^\$2 = ' "$f" | grep -o '__owner = [0-9]*' | grep -o '[0-9]*')
			ca=$(sed -n 's/^\$3 = .*\(0x[0-9a-f]*\) .*/\1/p' "$f")
			sa=$(sed -n 's/^\$4 = .*\(0x[0-9a-f]*\) .*/\1/p' "$f")
			README_TEXT+=$'\n\n'"### Wait-for graph of pid $p (from gdb-mutex-$p.txt, taken at $(head -1 "$f"))"$'\n\n'
			README_TEXT+="- W.cache_mu at $ca: owner tid **$co**; waiting on it: $(grep -E "futex_word=$ca" "$f" | sed -n 's/.*(LWP \([0-9]*\)) "\([^"]*\)".*/\1 (\2)/p' | tr '\n' ' ')"$'\n'
			README_TEXT+="- W.stats_mu at $sa: owner tid **$so**; waiting on it: $(grep -E "futex_word=$sa" "$f" | sed -n 's/.*(LWP \([0-9]*\)) "\([^"]*\)".*/\1 (\2)/p' | tr '\n' ' ')"$'\n'
			README_TEXT+="- cycle: tid $co holds cache_mu and waits for stats_mu; tid $so holds stats_mu and waits for cache_mu."$'\n'
		done
	fi
	lab_readme $PORT "$title"
}
