# samples/lab/lib.sh -- shared helpers for the incident lab scenarios.
#
# Sourced by samples/lab/run before a scenario file (samples/lab/scenarios/NAME.sh).
# Every scenario:
#   lab_begin NAME            own netns stk-lab-NAME, output dir samples/NAME, cleanup trap
#   nsx CMD...                run a command inside the netns
#   lab_sysctl KEY=VALUE...   set per-netns sysctls (only inside the netns, never on the host)
#   lab_start TAG CMD...      start a long-running process in the netns under `timeout`,
#                             in its own process group; cleanup kills that group by its id
#   snap FILE CMD...          run CMD in the netns, write "<UTC timestamp>\n<stdout>" to FILE
#   note TEXT                 append "<UTC timestamp> TEXT" to timeline.txt
#
# Safety: traffic only on loopback inside the namespace; everything bounded by `timeout`;
# cleanup (trap EXIT INT TERM) kills only the process groups this script started, then
# anything still inside its own netns, then deletes the netns.

set -u
LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SAMPLES_DIR=$(dirname "$LAB_DIR")
SERVERS_DIR=$SAMPLES_DIR/servers
PY=/usr/bin/python3
LAB_RUN_DIR=/run/stk-lab          # pid files of running scenarios, read by check-clean
LAB_PGIDS=()
LAB_TCPDUMP_PIDS=()
NS=
OUT=
LAB_NAME=
LAB_LOG=

lab_ts() { date -u +%Y-%m-%dT%H:%M:%S.%3NZ; }

# command -> Debian package, installed with apt-get when missing
lab_need() {
	local missing=() cmd pkg
	for cmd in "$@"; do
		command -v "$cmd" >/dev/null 2>&1 && continue
		case $cmd in
		ab) pkg=apache2-utils ;;
		eu-stack) pkg=elfutils ;;
		netstat) pkg=net-tools ;;
		ss | nstat | ip) pkg=iproute2 ;;
		objcopy) pkg=binutils ;;
		cc | gcc) pkg=gcc ;;
		make) pkg=make ;;
		sysctl) pkg=procps ;;
		nginx) pkg=nginx-light ;;
		*) pkg=$cmd ;;
		esac
		missing+=("$pkg")
	done
	# py-bt needs the gdb helpers and debug symbols of the interpreter
	if [ -n "${LAB_NEED_PYDBG:-}" ] && [ ! -e /usr/share/gdb/auto-load/usr/bin/python3.11-gdb.py ] &&
		! ls /usr/share/gdb/auto-load/usr/bin/python3*-gdb.py >/dev/null 2>&1; then
		missing+=(python3-dbg)
	fi
	[ ${#missing[@]} -eq 0 ] && return 0
	echo "lab: installing ${missing[*]}" >&2
	if ! DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}" >&2; then
		apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}" >&2
	fi
}

lab_base_tools() {
	lab_need ip ss nstat netstat sysctl tcpdump tshark timeout
}

lab_begin() {
	LAB_NAME=$1
	NS=stk-lab-$LAB_NAME
	OUT=${LAB_OUT:-$SAMPLES_DIR/$LAB_NAME}
	[ "$(id -u)" = 0 ] || { echo "lab: must run as root" >&2; exit 1; }
	lab_base_tools
	if ip netns list | grep -qw "$NS"; then
		echo "lab: netns $NS exists (another run?); run samples/lab/check-clean" >&2
		exit 1
	fi
	rm -rf "$OUT"
	mkdir -p "$OUT" "$LAB_RUN_DIR"
	LAB_LOG=/tmp/stk-lab-$LAB_NAME.log
	: >"$LAB_LOG"
	export NSTAT_HISTORY=/tmp/stk-lab-$LAB_NAME.nstat   # keep nstat away from the host's history
	rm -f "$NSTAT_HISTORY"
	trap lab_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	ip netns add "$NS"
	nsx ip link set lo up
	note "netns $NS created, lo up (kernel $(uname -r))"
}

nsx() { ip netns exec "$NS" "$@"; }

lab_sysctl() {
	local kv
	for kv in "$@"; do
		nsx sysctl -q -w "$kv" >>"$LAB_LOG" 2>&1
		note "netns sysctl $kv"
	done
}

note() {
	printf '%s %s\n' "$(lab_ts)" "$*" >>"$OUT/timeline.txt"
	echo "[$LAB_NAME] $*" >&2
}

# snap FILE CMD... : timestamp line, then the unmodified stdout of CMD run in the netns
snap() {
	local f=$1
	shift
	{ lab_ts; nsx "$@" 2>>"$LAB_LOG"; } >"$OUT/$f"
}

# snap_host FILE CMD... : same, command run outside the netns (stack dumps, /proc/PID)
snap_host() {
	local f=$1
	shift
	{ lab_ts; "$@" 2>>"$LAB_LOG"; } >"$OUT/$f"
}

# lab_start TAG SECONDS CMD... : start CMD in the netns under timeout (own process group)
# sets LAB_LAST_PID (the pid of `timeout`, which is also the process group id)
lab_start() {
	local tag=$1 secs=$2
	shift 2
	ip netns exec "$NS" timeout -k 3 "$secs" "$@" >"/tmp/stk-lab-$LAB_NAME.$tag.out" 2>&1 &
	LAB_LAST_PID=$!
	LAB_PGIDS+=("$LAB_LAST_PID")
	echo "$LAB_LAST_PID $tag" >>"$LAB_RUN_DIR/$NS.pids"
}

# the child of timeout (the real program)
lab_child_of() {
	local i
	for i in $(seq 50); do
		local c
		c=$(cat /proc/"$1"/task/*/children 2>/dev/null | tr ' ' '\n' | grep -m1 .)
		[ -n "$c" ] && { echo "$c"; return 0; }
		sleep 0.05
	done
	return 1
}

# lab_wait_listen PORT : wait until something listens on PORT in the netns
lab_wait_listen() {
	local i
	for i in $(seq 100); do
		nsx ss -Hltn "sport = :$1" 2>/dev/null | grep -q . && return 0
		sleep 0.05
	done
	echo "lab: nothing listens on port $1" >&2
	return 1
}

# lab_capture FILE COUNT IFACE [FILTER...] : start tcpdump in the netns
lab_capture() {
	local f=$1 count=$2 iface=$3
	shift 3
	ip netns exec "$NS" timeout -k 3 110 tcpdump -Z root -B 32768 -n -i "$iface" -s 128 -c "$count" \
		-w "$OUT/$f" "$@" >>"$LAB_LOG" 2>"/tmp/stk-lab-$LAB_NAME.tcpdump.err" &
	LAB_TCPDUMP_PIDS+=($!)
	echo "$! tcpdump" >>"$LAB_RUN_DIR/$NS.pids"
	local i
	for i in $(seq 100); do
		grep -q 'listening on' "/tmp/stk-lab-$LAB_NAME.tcpdump.err" 2>/dev/null && break
		sleep 0.05
	done
	note "tcpdump started: -i $iface -s 128 -c $count -w $f $*"
}

lab_capture_stop() {
	local p
	sleep 0.5
	for p in "${LAB_TCPDUMP_PIDS[@]}"; do
		kill -INT "$p" 2>/dev/null
	done
	for p in "${LAB_TCPDUMP_PIDS[@]}"; do
		wait "$p" 2>/dev/null
	done
	cat "/tmp/stk-lab-$LAB_NAME.tcpdump.err" >>"$LAB_LOG" 2>/dev/null
	note "tcpdump stopped: $(grep -h 'packets captured' "/tmp/stk-lab-$LAB_NAME.tcpdump.err" 2>/dev/null | tr '\n' ' ')"
	LAB_TCPDUMP_PIDS=()
}

# counters: netstat -s, nstat -az, /proc/net/netstat, /proc/net/snmp (all read in the netns)
snap_counters() {
	local tag=$1
	snap "netstat-s-$tag.txt" netstat -s
	snap "nstat-$tag.txt" nstat -az
	snap "proc-net-netstat-$tag.txt" cat /proc/net/netstat
	snap "proc-net-snmp-$tag.txt" cat /proc/net/snmp
	note "counters snapshot '$tag'"
}

LAB_SS_N=0
# snap_ss : next ss-NN.txt (ss -tanpie); LABEL goes to the timeline
snap_ss() {
	LAB_SS_N=$((LAB_SS_N + 1))
	local f
	f=$(printf 'ss-%02d.txt' "$LAB_SS_N")
	snap "$f" ss -tanpie
	note "$f: ss -tanpie ($1)"
}

LAB_LTN_N=0
snap_ltn() {
	LAB_LTN_N=$((LAB_LTN_N + 1))
	local f
	f=$(printf 'ss-ltn-%02d.txt' "$LAB_LTN_N")
	snap "$f" ss -ltn
	[ -n "${1:-}" ] && note "$f: ss -ltn ($1)"
	return 0
}

snap_sockets_extra() {
	snap netstat-antp.txt netstat -antp
	snap proc-net-tcp.txt cat /proc/net/tcp
	snap proc-net-tcp6.txt cat /proc/net/tcp6
	note "netstat -antp, /proc/net/tcp, /proc/net/tcp6 ($1)"
}

# stacks of one process at one moment: eu-stack, gdb bt, optional py-bt, proc-task
snap_stacks() {
	local pid=$1 moment=$2 python=${3:-}
	snap_host "proc-task-$pid-$moment.txt" bash -c "grep -H '' /proc/$pid/task/*/stat /proc/$pid/task/*/syscall /proc/$pid/task/*/wchan /proc/$pid/task/*/comm"
	snap_host "eu-stack-$pid-$moment.txt" timeout 30 eu-stack -p "$pid"
	snap_host "gdb-$pid-$moment.txt" timeout 60 gdb -nx -batch -iex 'set sysroot /' -p "$pid" -ex 'set pagination off' -ex 'thread apply all bt'
	if [ -n "$python" ]; then
		snap_host "pybt-$pid-$moment.txt" timeout 60 gdb -nx -batch -iex 'set sysroot /' -p "$pid" -ex 'set pagination off' -ex 'thread apply all py-bt'
	fi
	note "stacks of pid $pid (moment $moment): proc-task, eu-stack, gdb${python:+, py-bt}"
}

# snap_stacks_all MOMENT PYTHON(""|py) PID... : snap_stacks for several processes in parallel
snap_stacks_all() {
	local moment=$1 python=$2 pid jobs=()
	shift 2
	for pid in "$@"; do
		snap_stacks "$pid" "$moment" "$python" &
		jobs+=($!)
	done
	wait "${jobs[@]}"
}

# proc-task only (cheap, no ptrace)
snap_proctask() {
	local pid=$1 moment=$2
	snap_host "proc-task-$pid-$moment.txt" bash -c "grep -H '' /proc/$pid/task/*/stat /proc/$pid/task/*/syscall /proc/$pid/task/*/wchan /proc/$pid/task/*/comm"
}

# keep the server's own output (pids, tids) beside the evidence
lab_keep_output() {
	local tag=$1 f=$2
	{ lab_ts; cat "/tmp/stk-lab-$LAB_NAME.$tag.out"; } >"$OUT/$f"
}

lab_stop_all() {
	local g
	for g in "${LAB_PGIDS[@]}"; do
		kill -TERM -- "-$g" 2>/dev/null
	done
	sleep 0.5
	for g in "${LAB_PGIDS[@]}"; do
		kill -KILL -- "-$g" 2>/dev/null
		wait "$g" 2>/dev/null
	done
	LAB_PGIDS=()
}

lab_cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	[ -z "$NS" ] && exit $rc
	local p
	for p in "${LAB_TCPDUMP_PIDS[@]}"; do kill -INT "$p" 2>/dev/null; done
	lab_stop_all
	for p in "${LAB_TCPDUMP_PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
	# anything still inside our own namespace was started by this scenario
	if ip netns list | grep -qw "$NS"; then
		for p in $(ip netns pids "$NS" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
		sleep 0.2
		ip netns del "$NS" 2>/dev/null
	fi
	rm -f "$LAB_RUN_DIR/$NS.pids" "${NSTAT_HISTORY:-/nonexistent}"
	[ -d "$OUT" ] && printf '%s %s\n' "$(lab_ts)" "cleanup done: processes stopped, netns $NS deleted (exit $rc)" >>"$OUT/timeline.txt"
	exit $rc
}

# helpers for the numbers section of README.md --------------------------------------------

# nstat_delta FILE_BEFORE FILE_AFTER COUNTER
nstat_val() { awk -v k="$2" '$1==k {print $2; f=1} END {if (!f) print 0}' "$1"; }
nstat_delta() { echo $(($(nstat_val "$2" "$3") - $(nstat_val "$1" "$3"))); }

# run a shell command in $OUT and print "`cmd` -> output" (for README cross-checks)
xcheck() {
	local out
	out=$(cd "$OUT" && bash -c "$1" 2>&1)
	printf -- '- `%s`\n\n  ```\n%s\n  ```\n' "$1" "$(printf '%s\n' "$out" | sed 's/^/  /')"
}

# readme_numbers PORT : the standard "numbers" section, each number with the command that
# reproduces it (run from inside the sample directory). Appended to README.md.
readme_numbers() {
	local port=$1 last_ss first_ltn
	last_ss=$(cd "$OUT" && ls ss-[0-9]*.txt 2>/dev/null | tail -1)
	first_ltn=$(cd "$OUT" && ls ss-ltn-*.txt 2>/dev/null | head -1)
	echo "## Numbers a correct diagnosis must reproduce"
	echo
	echo "All commands run from inside this directory; their output was captured when the"
	echo "sample was recorded (samples/lab/lib.sh readme_numbers)."
	echo
	echo "### Listener and accept queue (port $port)"
	echo
	echo "Listen backlog (LISTEN Send-Q, ss):"
	echo
	xcheck "awk '\$1==\"LISTEN\" && \$4 ~ /:$port\$/ {print \$3}' ${first_ltn:-ss-01.txt} | sort -u"
	echo "Effective limit = min(backlog, net.core.somaxconn); somaxconn in the netns:"
	echo
	xcheck "grep -E '^net.core.somaxconn|^net.ipv4.tcp_syncookies|^net.ipv4.tcp_abort_on_overflow|^net.ipv4.tcp_max_syn_backlog' sysctl.txt"
	echo "Largest LISTEN Recv-Q over every ss snapshot (accept queue length), and in which files:"
	echo
	xcheck "cat ss-*.txt | awk '\$1==\"LISTEN\" && \$4 ~ /:$port\$/ {print \$2}' | sort -n | tail -1"
	xcheck "for f in ss-*.txt; do awk -v f=\$f '\$1==\"LISTEN\" && \$4 ~ /:$port\$/ && \$2+0 >= \$3+0 {print f\": Recv-Q \"\$2\" Send-Q \"\$3}' \$f; done"
	echo "### Counters (netns), before -> after"
	echo
	local c b a
	echo '| counter | before | after | delta |'
	echo '|---|---|---|---|'
	for c in TcpExtListenOverflows TcpExtListenDrops TcpExtTCPReqQFullDrop TcpExtTCPReqQFullDoCookies \
		TcpExtSyncookiesSent TcpExtSyncookiesRecv TcpExtSyncookiesFailed TcpExtTCPSynRetrans \
		TcpExtTCPTimeouts TcpExtTCPAbortOnData TcpExtTCPAbortOnClose TcpExtTCPAbortOnTimeout \
		TcpExtTCPAbortFailed TcpExtTCPBacklogDrop TcpExtTCPZeroWindowDrop TcpExtTCPToZeroWindowAdv \
		TcpExtTCPFromZeroWindowAdv TcpExtTCPWantZeroWindowAdv TcpActiveOpens TcpPassiveOpens \
		TcpAttemptFails TcpEstabResets TcpRetransSegs TcpOutRsts; do
		b=$(nstat_val "$OUT/nstat-before.txt" $c)
		a=$(nstat_val "$OUT/nstat-after.txt" $c)
		echo "| $c | $b | $a | $((a - b)) |"
	done
	echo
	echo "Cross-checks (nstat, netstat -s, /proc/net/netstat):"
	echo
	xcheck "for f in nstat-before.txt nstat-after.txt; do awk '\$1==\"TcpExtListenOverflows\" || \$1==\"TcpExtListenDrops\" {print FILENAME\": \"\$1\" \"\$2}' \$f; done"
	xcheck "grep -h -E 'listen queue|SYNs to LISTEN|SYN cookies|resets sent|connection resets' netstat-s-before.txt netstat-s-after.txt"
	xcheck "awk '/^TcpExt:/ {if (!h) {split(\$0,k); h=1} else {split(\$0,v); for (i=2;i<=NF;i++) if (k[i]==\"ListenOverflows\"||k[i]==\"ListenDrops\") print FILENAME\": \"k[i]\" \"v[i]; h=0}}' proc-net-netstat-before.txt proc-net-netstat-after.txt"
	echo "### Sockets per state and CLOSE_WAIT per process (last ss: $last_ss)"
	echo
	xcheck "awk 'NR>2 && /^[A-Z]/ {print \$1}' $last_ss | sort | uniq -c"
	xcheck "awk '\$1==\"CLOSE-WAIT\"' $last_ss | grep -o 'pid=[0-9]*' | sort | uniq -c"
	xcheck "for f in ss-[0-9]*.txt; do echo \"\$f \$(head -1 \$f) CLOSE-WAIT=\$(awk '\$1==\"CLOSE-WAIT\"' \$f | wc -l) ESTAB=\$(awk '\$1==\"ESTAB\"' \$f | wc -l) SYN-SENT=\$(awk '\$1==\"SYN-SENT\"' \$f | wc -l) SYN-RECV=\$(awk '\$1==\"SYN-RECV\"' \$f | wc -l)\"; done"
	local pc
	for pc in $(cd "$OUT" && ls capture*.pcap 2>/dev/null); do
		echo "### Capture $pc"
		echo
		xcheck "capinfos -c -a -e -l -M $pc 2>/dev/null | grep -v 'File name'"
		xcheck "tshark -n -r $pc -Y 'tcp.flags.syn==1 && tcp.flags.ack==0' 2>/dev/null | wc -l"
		xcheck "tshark -n -r $pc -Y 'tcp.flags.syn==1 && tcp.flags.ack==1' 2>/dev/null | wc -l"
		xcheck "tshark -n -r $pc -Y 'tcp.flags.syn==1 && tcp.flags.ack==0 && tcp.analysis.retransmission' 2>/dev/null | wc -l"
		xcheck "tshark -n -r $pc -Y 'tcp.flags.reset==1 && tcp.srcport==$port' 2>/dev/null | wc -l"
		xcheck "../lab/pcap-stats $pc $port"
	done
}

# lab_readme PORT TITLE : README.md = $README_TEXT (the scenario's own description, root
# cause, pids/tids, observations) + the standard numbers + the list of files
lab_readme() {
	local port=$1 title=$2
	{
		echo "# $title"
		echo
		echo "Recorded by \`samples/lab/run $LAB_NAME\` on $(lab_ts) (kernel $(uname -r), $(. /etc/os-release; echo "$PRETTY_NAME"))."
		echo "Re-record with \`samples/lab/run $LAB_NAME\` (root; < 2 min). Events and their times: timeline.txt."
		echo "Every text file starts with its capture time (UTC, ISO-8601) on line 1, then the unmodified tool output."
		echo
		printf '%s\n' "${README_TEXT:-}"
		echo
		readme_numbers "$port"
		echo
		echo "## Files"
		echo
		(cd "$OUT" && ls -l --time-style=+ | awk 'NR>1 && $NF != "README.md.tmp" {printf "- %s (%s bytes)\n", $NF, $5}'; echo "- README.md (this file)")
	} >"$OUT/README.md.tmp"
	mv "$OUT/README.md.tmp" "$OUT/README.md"
}

# lab_during_load PID [ROUNDS] [QUICK]: while the load runs, QUICK back-to-back ss -ltn
# snapshots then one ss -tanpie, ROUNDS times (netstat -antp and /proc/net/tcp* in round 2)
lab_during_load() {
	local pid=$1 rounds=${2:-3} quick=${3:-25} round i
	for round in $(seq "$rounds"); do
		for i in $(seq "$quick"); do snap_ltn; done
		note "ss-ltn up to $(printf 'ss-ltn-%02d.txt' $LAB_LTN_N): quick ss -ltn snapshots during load (round $round)"
		snap_ss "during load, round $round"
		[ "$round" = 2 ] && snap_sockets_extra "during load"
	done
	return 0
}
