#!/usr/bin/env bash
# bench-capture.sh — capture analysis against its floors and the tools people
# use instead, side by side in one run (DESIGN.md "Quality bars": ratios, not
# timed tests).
#
#   tests/bench-capture.sh                 # 320 000 connections (~3.5 M packets, ~1 GB)
#   NCONN=32000 tests/bench-capture.sh     # quick
#
# Builds ../shared/bench in a writable copy, generates the synthetic capture
# (gen-capture.sh, deterministic) at NCONN and at NCONN/10 connections (same
# arrival rate, so the same concurrency for 10x the length), then:
#   - hyperfine: `stuckscope analyze --format json`, flow-floor, pcap-floor on
#     the big capture; tcpdump -nr and tshark -q -z conv,tcp on the small one
#     (they take ~20 s per 3.5 M packets) next to stuckscope on the same file;
#   - /usr/bin/time -v: peak RSS of each, and of stuckscope on both sizes
#     (memory must follow concurrency, not file size).
# Goals: stuckscope within 1.2x flow-floor's time, peak RSS <= 64 MiB and flat.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
SHARED=${SHARED:-$(cd .. && pwd)/shared}
NCONN=${NCONN:-320000}
RUNS=${RUNS:-5}
work=${BENCH_WORK:-${TMPDIR:-/tmp}/stuckscope-bench}
data=${BENCH_DATA:-$work/data}
mkdir -p "$work" "$data"

need() { command -v "$1" >/dev/null || { echo "bench-capture: $1 not installed" >&2; exit 77; }; }
need hyperfine
[ -x /usr/bin/time ] || { echo "bench-capture: /usr/bin/time not installed" >&2; exit 77; }

# the floors, built in a writable copy of shared/bench
rm -rf "$work/bench"
cp -r "$SHARED/bench" "$work/bench"
make -s -C "$work/bench" gencap pcap-floor flow-floor >/dev/null

# stuckscope itself, or (before the CLI exists) the parser driver
make -s stuckscope >/dev/null 2>&1 || true
if [ -x ./stuckscope ] && ./stuckscope analyze --format json "$root/tests/data/pcap/noaccept-lo.pcap" >/dev/null 2>&1; then
	ss_cmd() { echo "$root/stuckscope analyze --format json $1"; }
	ss_name="stuckscope analyze --format json"
else
	make -s build/libstuckscope.a >/dev/null
	${CC:-gcc} -std=c11 -O2 -D_GNU_SOURCE -Ianalyzer -o build/pcap_stats tests/pcap_stats.c \
		build/libstuckscope.a $(pkg-config --libs libpcap libunwind-ptrace libelf libdw jansson libmnl 2>/dev/null || echo -lpcap) -lm -lpthread
	ss_cmd() { echo "$root/build/pcap_stats $1"; }
	ss_name="pcap_stats (parser driver)"
fi

gen() {	# NCONN FILE
	if [ ! -s "$2" ] || [ "$(cat "$2.nconn" 2>/dev/null)" != "$1" ]; then
		NCONN=$1 BENCH_DATA="$data/tmp" "$work/bench/gen-capture.sh" >/dev/null 2>&1
		mv "$data/tmp/big.pcap" "$2"
		echo "$1" > "$2.nconn"
	fi
}
big=$data/capture-$NCONN.pcap
small=$data/capture-$((NCONN / 10)).pcap
gen "$NCONN" "$big"
gen $((NCONN / 10)) "$small"
packets() { "$work/bench/pcap-floor" "$1" | awk '{print $2; exit}'; }

# mean seconds of each command, from hyperfine's CSV (commands are named
# cmd1, cmd2... so that no comma lands in the CSV)
bench() {	# CSV CMD...
	local csv=$1 i=0
	shift
	local args=()
	for c in "$@"; do
		i=$((i + 1))
		args+=(-n "cmd$i" "$c")
	done
	hyperfine -N -w 1 -r "$RUNS" --export-csv "$csv" "${args[@]}" >/dev/null 2>&1 ||
		hyperfine -w 1 -r "$RUNS" --export-csv "$csv" "${args[@]}" >/dev/null
}
mean() { awk -F, -v n="$2" 'NR == n + 1 { print $2 }' "$1"; }
cpu() { awk -F, -v n="$2" 'NR == n + 1 { print $5 + $6 }' "$1"; }	# user + system
rss() { /usr/bin/time -f %M sh -c "$1 >/dev/null 2>&1" 2>&1 | tail -1; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

echo "capture: $(packets "$big") packets, $(($(stat -L -c %s "$big") / 1048576)) MiB ($NCONN connections); small: $(packets "$small") packets"
echo

bench "$work/big.csv" "$(ss_cmd "$big")" "$work/bench/flow-floor $big" "$work/bench/pcap-floor $big"
t_ss=$(mean "$work/big.csv" 1)
t_ff=$(mean "$work/big.csv" 2)
t_pf=$(mean "$work/big.csv" 3)
c_ss=$(cpu "$work/big.csv" 1)
c_ff=$(cpu "$work/big.csv" 2)
c_pf=$(cpu "$work/big.csv" 3)

tools=("$(ss_cmd "$small")")
names=("$ss_name")
if command -v tcpdump >/dev/null; then tools+=("tcpdump -nr $small"); names+=("tcpdump -nr"); fi
if command -v tshark >/dev/null; then tools+=("tshark -r $small -q -z conv,tcp"); names+=("tshark -q -z conv,tcp"); fi
RUNS=$(( RUNS < 3 ? RUNS : 3 )) bench "$work/small.csv" "${tools[@]}"

# wall time, and CPU time (user + system), which a busy machine disturbs less
printf '%-36s %8s %8s %8s %8s %12s\n' "big capture" "wall s" "/ floor" "cpu s" "/ floor" "peak RSS MiB"
row() {
	printf '%-36s %8.3f %8.2f %8.3f %8.2f %12s\n' "$1" "$2" \
		"$(awk -v a="$2" -v b="$t_ff" 'BEGIN { print a / b }')" "$3" \
		"$(awk -v a="$3" -v b="$c_ff" 'BEGIN { print a / b }')" "$4"
}
row "$ss_name" "$t_ss" "$c_ss" "$(mib "$(rss "$(ss_cmd "$big")")")"
row "flow-floor" "$t_ff" "$c_ff" "$(mib "$(rss "$work/bench/flow-floor $big")")"
row "pcap-floor" "$t_pf" "$c_pf" "$(mib "$(rss "$work/bench/pcap-floor $big")")"
echo
t_small=$(mean "$work/small.csv" 1)
printf '%-36s %10s %10s %12s\n' "small capture (1/10)" "mean s" "/ ours" "peak RSS MiB"
for i in "${!tools[@]}"; do
	t=$(mean "$work/small.csv" $((i + 1)))
	printf '%-36s %10.3f %10.2f %12s\n' "${names[$i]}" "$t" \
		"$(awk -v a="$t" -v b="$t_small" 'BEGIN { print a / b }')" "$(mib "$(rss "${tools[$i]}")")"
done
echo
r_small=$(rss "$(ss_cmd "$small")")
r_big=$(rss "$(ss_cmd "$big")")
echo "memory vs capture size at the same concurrency: $(mib "$r_small") MiB at $((NCONN / 10)) connections, $(mib "$r_big") MiB at $NCONN"
awk -v t="$t_ss" -v f="$t_ff" -v ct="$c_ss" -v cf="$c_ff" -v r="$r_big" -v s="$r_small" 'BEGIN {
	ok = 1
	if (t > 1.2 * f && ct > 1.2 * cf) { print "goal missed: more than 1.2x flow-floor"; ok = 0 }
	if (r > 64 * 1024) { print "goal missed: peak RSS over 64 MiB"; ok = 0 }
	if (r > 1.5 * s + 8192) { print "goal missed: RSS grows with the capture"; ok = 0 }
	if (ok) print "goals met: <= 1.2x flow-floor, <= 64 MiB, flat"
}'

# The documented ceiling, enforced: the 1 GB capture analyzed with the address
# space limited (ulimit -v) to 128 MiB: it must finish, and with the same
# counts as without the limit (memory follows concurrent flows, not file size).
lim_out=$( (ulimit -v 131072; $(ss_cmd "$big")) 2>&1 | md5sum)
free_out=$($(ss_cmd "$big") 2>&1 | md5sum)
if [ "$lim_out" = "$free_out" ]; then
	echo "ulimit -v 128 MiB: the $(du -m "$big" | cut -f1) MiB capture analyzed, same report"
else
	echo "ulimit -v 128 MiB: FAILED on the big capture (report differs or the run died)"
fi
