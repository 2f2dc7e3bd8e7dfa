#!/bin/bash
# Safe to run as root (issue 16): each attack of the hostile-input pass, made
# by an unprivileged user against a root-run stuckscope, leaves the victim
# file unchanged; what stuckscope writes is private (directories 0700, files
# 0600). One line per check: "ok live security: ...", "FAIL live security:
# ...", "SKIP live security: reason". The rules are in base/outfile.h and the
# man page's SECURITY section.
#
#  1. attach -o DIR, DIR prepared by the user with ss-01.txt -> victim
#  2. attach -o DIR, DIR empty but root's and mode 0777
#  3. attach with its default name, the user having pre-created that name
#     (and the next seconds') in the working directory, each a symlink
#  4. watch --dir the user owns; watch --dir root's but 1777
#  5. analyze -o FILE where the user planted FILE -> victim
#  6. analyze DIR -o DIR/capture.pcap (an input)
#  7. the bundle attach writes: directory 0700, every file 0600, root's
#
# Safety: the server runs in a network namespace made here; the user
# stksec-$$ is created here and removed on EXIT with its files; only
# processes started here are stopped, by process group.
set -u
cd "$(dirname "$0")/../.." || exit 1
ROOT=$(pwd)
BIN=${BIN:-$ROOT/stuckscope}
PY=/usr/bin/python3
NS=stk-sec-$$
U=stksec$$
PORT=8000

ok() { echo "ok live security: $1"; }
fail() { echo "FAIL live security: $1${2:+: $2}"; }
skip() { echo "SKIP live security: $1"; exit 0; }
check() { if eval "$2"; then ok "$1"; else fail "$1" "${3:-}"; fi; }

[ "$(id -u)" = 0 ] || skip "needs root (the attacks are against a root-run stuckscope)"
command -v useradd >/dev/null || skip "no useradd"
command -v setpriv >/dev/null || skip "no setpriv"
[ -x "$BIN" ] || skip "no $BIN (run make)"

TMP=$(mktemp -d /tmp/stk-sec-test.XXXXXX)
chmod 755 "$TMP"
PGIDS=()
cleanup() {
	local g p
	for g in "${PGIDS[@]}"; do kill -TERM -- "-$g" 2>/dev/null; done
	sleep 0.2
	for g in "${PGIDS[@]}"; do kill -KILL -- "-$g" 2>/dev/null; done
	for p in $(ip netns pids "$NS" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
	ip netns del "$NS" 2>/dev/null
	rm -rf "$TMP"
	userdel "$U" 2>/dev/null
}
trap cleanup EXIT
trap 'exit 130' INT TERM

useradd --system --no-create-home --shell /usr/sbin/nologin "$U" 2>/dev/null || skip "cannot create a test user"
as_user() { setpriv --reuid="$U" --regid="$U" --clear-groups -- "$@"; }

# the victim: a root-owned file with known content
VICTIM=$TMP/victim
echo "root's file, must stay as it is" > "$VICTIM"
chmod 644 "$VICTIM"
SUM=$(sha256sum "$VICTIM")
victim_ok() { [ "$(sha256sum "$VICTIM")" = "$SUM" ] && [ "$(stat -c %U "$VICTIM")" = root ]; }

# a server to attach to, in its own network namespace
ip netns add "$NS" 2>/dev/null || skip "cannot create a network namespace"
ip netns exec "$NS" ip link set lo up
setsid ip netns exec "$NS" timeout -k 2 120 $PY samples/servers/threaded.py --port $PORT \
	>"$TMP/server.out" 2>&1 &
PGIDS+=("$!")
for _ in $(seq 50); do
	ip netns exec "$NS" ss -Hltn "sport = :$PORT" 2>/dev/null | grep -q LISTEN && break
	sleep 0.1
done
attach() { ip netns exec "$NS" timeout 60 "$BIN" attach --port $PORT --duration 1 --samples 1 "$@"; }

# ---- 1. -o DIR prepared by the user, holding a symlink to the victim
UD=$TMP/userdir
mkdir "$UD"
chown "$U:$U" "$UD"
as_user ln -s "$VICTIM" "$UD/ss-01.txt"
as_user ln -s "$VICTIM" "$UD/sysctl.txt"
out=$(attach -o "$UD" 2>&1 >/dev/null)
rc=$?
check "attach -o a directory the user owns: refused (exit $rc)" \
	'[ $rc != 0 ] && victim_ok && grep -q "not by us" <<<"$out"' "$out"

# ---- 2. -o an empty directory of root's that others can write
WD=$TMP/worldw
mkdir -m 0777 "$WD"
chmod 0777 "$WD"
out=$(attach -o "$WD" 2>&1 >/dev/null)
rc=$?
check "attach -o a directory others can write: refused (exit $rc)" \
	'[ $rc != 0 ] && [ -z "$(ls -A "$WD")" ] && grep -q "writable by others" <<<"$out"' "$out"

# ---- 3. the default name pre-created by the user, for this second and the next few
CWD=$TMP/shared
mkdir -m 1777 "$CWD"
chmod 1777 "$CWD"
now=$(date +%s)
for s in 0 1 2 3 4 5 6 7 8 9 10; do
	n=stuckscope-$(date -d "@$((now + s))" +%Y%m%d-%H%M%S)
	as_user ln -s "$VICTIM" "$CWD/$n.x" 2>/dev/null
	as_user mkdir "$CWD/$n"
	as_user ln -s "$VICTIM" "$CWD/$n/ss-01.txt"
	as_user ln -s "$VICTIM" "$CWD/$n/manifest.json"
done
out=$(cd "$CWD" && attach --format json 2>&1 >/dev/null)
rc=$?
mine=$(find "$CWD" -maxdepth 1 -type d -user root -name 'stuckscope-*' | head -1)
check "attach's default name planted by the user: another, new directory used (exit $rc, ${mine##*/})" \
	'[ $rc = 0 ] && victim_ok && [ -n "$mine" ] && [ -s "$mine/manifest.json" ]' "$out"

# ---- 7. what attach wrote is private
if [ -n "$mine" ]; then
	bad=$(find "$mine" \( -type d ! -perm 0700 \) -o \( -type f ! -perm 0600 \) -o ! -user root)
	check "bundle: directory 0700, every file 0600, all root's ($(find "$mine" -type f | wc -l) files)" \
		'[ -z "$bad" ]' "$(ls -la "$mine" | head -5)"
fi

# ---- 4. watch --dir the user owns / others can write
out=$(ip netns exec "$NS" timeout 20 "$BIN" watch --port $PORT --dir "$UD" --once 2>&1)
rc=$?
check "watch --dir the user owns: refused at start (exit $rc)" \
	'[ $rc = 1 ] && victim_ok && grep -q "not by us" <<<"$out"' "$out"
out=$(ip netns exec "$NS" timeout 20 "$BIN" watch --port $PORT --dir "$CWD" --once 2>&1)
rc=$?
check "watch --dir others can write (1777): refused at start (exit $rc)" \
	'[ $rc = 1 ] && grep -q "writable by others" <<<"$out"' "$out"

# ---- 5. analyze -o FILE planted by the user
EV=$TMP/evidence
mkdir "$EV"
cp samples/closewait/ss-01.txt samples/closewait/ss-02.txt "$EV/"
as_user ln -s "$VICTIM" "$CWD/report.html"
"$BIN" analyze --format html -o "$CWD/report.html" "$EV" >/dev/null 2>&1
rc=$?
check "analyze -o a symlink the user planted: replaced, not followed (exit $rc)" \
	'[ $rc = 0 ] && victim_ok && [ ! -L "$CWD/report.html" ] && [ "$(stat -c %U:%a "$CWD/report.html")" = root:600 ] && grep -q "<html" "$CWD/report.html"' \
	"$(ls -la "$CWD/report.html")"

# ---- 6. an output that is one of the inputs
before=$(sha256sum "$EV/ss-01.txt")
out=$("$BIN" analyze -o "$EV/ss-01.txt" "$EV" 2>&1 >/dev/null)
rc=$?
check "analyze DIR -o DIR/input: refused (exit $rc), the input unchanged" \
	'[ $rc = 1 ] && [ "$(sha256sum "$EV/ss-01.txt")" = "$before" ] && grep -q "one of the inputs" <<<"$out"' "$out"
exit 0
