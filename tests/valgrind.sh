#!/bin/bash
# Valgrind memcheck over end-to-end `stuckscope analyze` runs (issue 10): the
# ASan build finds most memory errors; memcheck runs the optimised build
# users get (-O2, no instrumentation) and checks what ASan does not see the
# same way (uninitialised reads, leaks through libpcap/jansson/libdw).
# One line per run: "ok valgrind: ..." / "FAIL valgrind: ..." / "SKIP valgrind: ...".
#
# Runs: a sample with stacks (prefork-c-deadlock: gdb + eu-stack dumps), one
# with a capture (closewait: capture.pcap + ss + counters), a healthy one
# (nginx-healthy), each --format json; text and html for the first; and a
# mix of bad inputs (error paths leak most often). Zero errors, zero definite
# or indirect leaks (--error-exitcode=99 --errors-for-leak-kinds=definite,indirect).
set -u
cd "$(dirname "$0")/.." || exit 1
BIN=${BIN:-./stuckscope}

ok() { echo "ok valgrind: $1"; }
fail() { echo "FAIL valgrind: $1${2:+: $2}"; }
if ! command -v valgrind >/dev/null; then echo "SKIP valgrind: valgrind not installed"; exit 0; fi
if [ ! -x "$BIN" ]; then fail "no $BIN (run make)"; exit 0; fi

T=$(mktemp -d /tmp/stk-valgrind.XXXXXX)
trap 'rm -rf "$T"' EXIT
trap 'exit 130' INT TERM

# vg NAME ARGS...: stuckscope under memcheck; exit 99 = an error or a leak
vg() {
	local name=$1; shift
	timeout 300 valgrind -q --error-exitcode=99 --leak-check=full \
		--errors-for-leak-kinds=definite,indirect --track-origins=yes \
		--log-file="$T/vg.log" "$BIN" analyze "$@" >"$T/out" 2>"$T/err"
	local rc=$?
	if [ $rc = 99 ] || [ -s "$T/vg.log" ]; then
		fail "$name" "memcheck: $(grep -m3 -E '==[0-9]+== [A-Z]|lost' "$T/vg.log" | tr '\n' ' ' | head -c 400)"
	elif [ $rc != 0 ] && [ $rc != 2 ]; then
		fail "$name" "exit $rc: $(head -c 300 "$T/err")"
	else
		ok "$name"
	fi
}

vg "samples/prefork-c-deadlock (stacks), json" --format json samples/prefork-c-deadlock
vg "samples/prefork-c-deadlock (stacks), text" --format text samples/prefork-c-deadlock
vg "samples/prefork-c-deadlock (stacks), html" --format html samples/prefork-c-deadlock
vg "samples/closewait (capture), json" --format json samples/closewait
vg "samples/nginx-healthy (healthy), json" --format json samples/nginx-healthy

# bad inputs beside a good one: every error path
head -c 4096 /dev/urandom >"$T/garbage.bin"
: >"$T/empty.txt"
head -c 9000 samples/closewait/capture.pcap >"$T/cut.pcap"
{ head -c 20 samples/closewait/capture.pcap; printf '\223\0\0\0'; tail -c +25 samples/closewait/capture.pcap; } >"$T/linktype.pcap"
{ head -5 samples/closewait/ss-04.txt; printf 'ESTAB 0 0 1.2.3.4:1\0 x\n'; tail -n +6 samples/closewait/ss-04.txt; } >"$T/nul-ss.txt"
head -c 3000 samples/closewait/nstat-after-json.txt >"$T/cut-nstat.json"
head -c 700 tests/data/bundle/manifest.json >"$T/cut-manifest.json"
ln -s nowhere "$T/dangling.txt"
vg "bad inputs (garbage, empty, cut pcap, unknown link type, NUL, cut JSON, dangling link)" \
	--format json --at nothere.txt=2026-01-01T00:00:00Z "$T" samples/closewait/ss-04.txt
exit 0
