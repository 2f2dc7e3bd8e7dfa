# desc: SYN flood (hping3 --rand-source) against a healthy server, tcp_syncookies=1: SYN queue full, cookies keep it serving
source "$LAB_DIR/syn-flood.sh"
SYNFLOOD_TEXT='## Root cause / expected diagnosis

A SYN flood: the SYN (half-open) queue fills with requests that never complete (SYN-RECV sockets
from spoofed sources), not the accept queue. With syncookies on, the kernel answers further SYNs
with cookies instead of queueing them (TcpExtTCPReqQFullDoCookies, SyncookiesSent), so legitimate
clients still connect (SyncookiesRecv) and are served: degraded but working. The accept queue is
never full (LISTEN Recv-Q stays 0): this is not an accept-queue overflow and no worker is stuck.

Observed: cookie SYN-ACKs to the spoofed sources also have no route; the kernel counts those failed
replies in ListenDrops (tcp_conn_request drop path) -- so ListenDrops moves while ListenOverflows does not.'
syn_flood_scenario syn-flood-cookies 1 "syn-flood-cookies: SYN flood with tcp_syncookies=1 — SYN queue full, cookies sent, still serving"
