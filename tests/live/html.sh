#!/bin/bash
# The HTML report (issue 9), checked the way a reader gets it:
#  1. tests/html/check.py: for every recorded sample, the page and the JSON
#     report; structure ids, self-contained, numbers shown = JSON, byte-
#     identical reruns; then hostile process names / file names / frames.
#  2. tests/html/browser.py: every page in a real headless Chromium with no
#     network: no console error, no request, charts rendered, a screenshot
#     per sample in tests/artifacts/html/NAME.png.
# One line per check: "ok html: ...", "FAIL html: ...", "SKIP html: reason".
set -u
cd "$(dirname "$0")/../.." || exit 1
bin=${BIN:-./stuckscope}
out=tests/artifacts/html
if [ ! -x "$bin" ]; then
	echo "SKIP html: no $bin (make stuckscope)"
	exit 0
fi
mkdir -p "$out"
rm -f "$out"/*.html "$out"/*.json "$out"/*.png
/usr/bin/python3 tests/html/check.py --bin "$bin" --out "$out"

chrome=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$chrome" ] && [ "$(id -u)" = 0 ] && command -v apt-get > /dev/null; then
	# Debian's chromium (tests/install-deps.sh installs it too)
	DEBIAN_FRONTEND=noninteractive timeout 900 apt-get install -y -qq --no-install-recommends \
		chromium > /dev/null 2>&1
	chrome=$(command -v chromium || true)
fi
if [ -z "$chrome" ]; then
	echo "SKIP html: browser: chromium is not installed and could not be (apt-get install chromium, as root)"
	exit 0
fi
shopt -s nullglob
pages=("$out"/*.html)
if [ ${#pages[@]} = 0 ]; then
	echo "FAIL html: browser: no page was generated to load"
	exit 0
fi
timeout 600 /usr/bin/python3 tests/html/browser.py --chrome "$chrome" "${pages[@]}" ||
	[ $? != 124 ] || echo "FAIL html: browser: timed out after 600 s"
