#!/bin/bash
# Run every test: unit tests (cmocka, under ASan+UBSan), golden tests, the
# corpus walk, CLI behaviour, the lab's live tests when root. Each runner prints
# one line per test: "ok ...", "FAIL ...", or "SKIP ..." ; this script counts
# them and ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/.." || exit 1
export SHARED="${SHARED:-$(cd .. && pwd)/shared}"
mkdir -p tests/artifacts
log=tests/artifacts/results.txt
: > "$log"

export ASAN_OPTIONS=halt_on_error=1:abort_on_error=0:detect_leaks=1
export LSAN_OPTIONS=suppressions=$PWD/tests/lsan.supp:print_suppressions=0
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

run_unit() {
	local bin
	for bin in build-asan/tests/test_*; do
		[ -x "$bin" ] || continue
		local name out rc
		name=$(basename "$bin")
		out=$(CMOCKA_MESSAGE_OUTPUT=TAP timeout 600 "$bin" 2>&1); rc=$?
		# TAP: "ok 3 - name" / "not ok 4 - name"
		local n_ok n_bad
		n_ok=$(grep -cE '^ok [0-9]+' <<<"$out")
		n_bad=$(grep -cE '^not ok [0-9]+' <<<"$out")
		grep -E '^ok [0-9]+' <<<"$out" | sed "s/^ok [0-9]* - /ok unit $name: /"
		grep -E '^not ok [0-9]+' <<<"$out" | sed "s/^not ok [0-9]* - /FAIL unit $name: /"
		if [ "$rc" != 0 ] && [ "$n_bad" = 0 ]; then
			echo "FAIL unit $name: exit $rc"
			tail -20 <<<"$out" | sed 's/^/    /'
		elif [ "$n_bad" != 0 ]; then
			grep -vE '^(ok|not ok) [0-9]+' <<<"$out" | tail -30 | sed 's/^/    /'
		fi
		[ "$n_ok$n_bad" = "00" ] && [ "$rc" = 0 ] && echo "FAIL unit $name: ran no test"
	done
}

{
	run_unit
	tests/golden.sh
	tests/cli.sh
	tests/badinput.sh
	tests/valgrind.sh
	if out=$(make -s lint 2>&1); then echo "ok lint"; else echo "FAIL lint: $(grep -m5 -E 'error|warning' <<<"$out" | tr '\n' ' ' | head -c 1500)"; fi
	tests/fuzz/regress.sh
	/usr/bin/python3 tests/corpus-check.py build-asan/stuckscope
	/usr/bin/python3 tests/partial.py build-asan/stuckscope
	/usr/bin/python3 tests/field.py build-asan/stuckscope
	for t in tests/live/*.sh; do
		[ -x "$t" ] && "$t"
	done
} 2>&1 | tee -a "$log" | grep -vE '^ok ' 

passed=$(grep -c '^ok ' "$log")
failed=$(grep -c '^FAIL ' "$log")
skipped=$(grep -c '^SKIP ' "$log")
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
