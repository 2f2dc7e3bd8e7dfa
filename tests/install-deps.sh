#!/bin/sh
# Install the Debian packages stuckscope needs to build and test, when missing.
# Runs as root on a fresh Debian 12 (the README's two commands call it).
# chromium: tests/live/html.sh loads every HTML report in a headless browser.
# python3-dbg: python3.11's DWARF (pystack.c reads struct offsets from it) and
# gdb's py-bt, which tests/live/pystacks.sh compares the Python frames with.
set -e
need="gcc make pkg-config libpcap-dev libunwind-dev libelf-dev libdw-dev libjansson-dev
libmnl-dev libcmocka-dev python3 python3-jsonschema iproute2 net-tools tcpdump tshark
elfutils gdb apache2-utils chromium python3-dbg"
missing=""
for p in $need; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "stuckscope: missing Debian packages:$missing (run as root, or apt-get install them)" >&2
	exit 1
fi
echo "installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
