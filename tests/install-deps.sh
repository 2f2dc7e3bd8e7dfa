#!/bin/sh
# Install the Debian packages stuckscope needs, when missing. Runs as root on a
# fresh Debian 12 (the README's two commands call it):
#
#   tests/install-deps.sh build   what `make` and `make demo` need: the compiler
#                                 and the libraries stuckscope links
#   tests/install-deps.sh test    everything `make test` uses, so that a fresh
#                                 machine skips nothing for a missing package
#
# Why each test package is here:
#   libcmocka-dev        the unit tests
#   python3-jsonschema   every JSON report is validated against both schemas
#   iproute2 net-tools   the live tests run `ss`/`netstat` and create netns
#   tcpdump tshark       captures are cross-checked against tshark's counts
#   elfutils gdb         eu-stack and gdb dumps are compared with `stacks`
#   python3-dbg          python3.11's DWARF (pystack.c reads struct offsets
#                        from it) and gdb's py-bt, compared in pystacks.sh
#   apache2-utils wrk    load for the live tests (ab, wrk)
#   nginx                the healthy-server case of tests/live/attach2.sh
#   chromium             tests/live/html.sh loads every HTML report headless
#   cppcheck clang-tidy  `make lint`
#   valgrind             tests/valgrind.sh
#   util-linux           setpriv: attacks and refusals as an unprivileged user
set -e
build="gcc make pkg-config libpcap-dev libunwind-dev libelf-dev libdw-dev libjansson-dev
libmnl-dev libarchive-dev"
test="$build libcmocka-dev python3 python3-jsonschema iproute2 net-tools tcpdump tshark
elfutils gdb apache2-utils wrk nginx-light chromium python3-dbg cppcheck clang-tidy valgrind
util-linux"
case "${1:-test}" in
build) need=$build ;;
test) need=$test ;;
*) echo "usage: tests/install-deps.sh build|test" >&2; exit 1 ;;
esac
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
# A package's service (nginx) must not start listening on the host: the tests
# start their own instance inside a network namespace. policy-rc.d answering
# 101 tells invoke-rc.d "action forbidden"; ours is removed afterwards.
policy=""
if [ ! -e /usr/sbin/policy-rc.d ]; then
	policy=/usr/sbin/policy-rc.d
	printf '#!/bin/sh\nexit 101\n' > "$policy"
	chmod 755 "$policy"
	trap 'rm -f "$policy"' EXIT
fi
apt-get update -qq >/dev/null
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
