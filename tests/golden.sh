#!/bin/bash
# Golden tests: tests/CASES lists "name  options -- inputs..."; the expected
# JSON and text reports live in tests/golden/<name>/. With --update, rewrite
# them (then read the diff by hand before committing). Every JSON report is
# also validated against ../shared/report.schema.json and doc/report.schema.json.
set -u
cd "$(dirname "$0")/.." || exit 1
SHARED="${SHARED:-$(cd .. && pwd)/shared}"
update=0
[ "${1:-}" = --update ] && update=1
bin=./stuckscope
out=tests/artifacts/golden
mkdir -p "$out"
jsons=()
while read -r name rest; do
	case "$name" in ''|'#'*) continue ;; esac
	opts=${rest%%--*}
	inputs=${rest#*--}
	dir=tests/golden/$name
	mkdir -p "$out/$name"
	for fmt in json text; do
		ext=$fmt; [ "$fmt" = text ] && ext=txt
		# shellcheck disable=SC2086
		NO_COLOR=1 timeout 60 $bin analyze --format "$fmt" $opts $inputs \
			> "$out/$name/actual.$ext" 2> "$out/$name/stderr.$ext"
		rc=$?
		if [ "$rc" -ge 124 ]; then
			echo "FAIL golden $name $fmt: exit $rc"
			continue
		fi
		if [ $update = 1 ]; then
			mkdir -p "$dir"
			cp "$out/$name/actual.$ext" "$dir/expected.$ext"
			echo "ok golden $name $fmt (updated)"
		elif [ ! -f "$dir/expected.$ext" ]; then
			echo "FAIL golden $name $fmt: no $dir/expected.$ext (make golden-update)"
		elif diff -u "$dir/expected.$ext" "$out/$name/actual.$ext" > "$out/$name/diff.$ext"; then
			echo "ok golden $name $fmt"
		else
			echo "FAIL golden $name $fmt: differs from $dir/expected.$ext"
			head -40 "$out/$name/diff.$ext" | sed 's/^/    /'
		fi
	done
	jsons+=("$out/$name/actual.json")
done < tests/CASES
/usr/bin/python3 tests/golden/expect.py "$out"
if [ ${#jsons[@]} -gt 0 ]; then
	/usr/bin/python3 tests/validate-json.py "$SHARED/report.schema.json" "${jsons[@]}" |
		sed -e 's/^ok /ok schema /' -e 's/^FAIL /FAIL schema /'
fi
