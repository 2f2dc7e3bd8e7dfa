# desc: the same SYN flood with tcp_syncookies=0, tcp_max_syn_backlog=128: SYNs dropped at 3/4 of the SYN queue (ListenDrops), clients retry
source "$LAB_DIR/syn-flood.sh"
SYNFLOOD_TEXT='## Root cause / expected diagnosis

A SYN flood with syncookies off: the SYN (half-open) queue fills with requests that never complete
(SYN-RECV from spoofed sources). Without cookies, tcp_max_syn_backlog (128 here) decides: once the
SYN queue holds 3/4 of it (96), further SYNs from unproven peers are dropped -- the legitimate
clients'"'"' included (ss shows about 97 SYN-RECV at most). That drop path counts only ListenDrops:
TcpExtTCPReqQFullDrop stays 0 because the queue never reaches the listen backlog, and
ListenOverflows stays 0 because the accept queue is never full (LISTEN Recv-Q 0). ListenDrops also
includes the failed (unroutable) SYN-ACKs of the spoofed requests (compare IpOutNoRoutes). The
legitimate clients retransmit their SYNs (capture: retransmit offsets) and get in as half-open
requests expire. Not an accept-queue overflow; no worker stuck. The kernel'"'"'s "Possible SYN
flooding" line is printed at most once per listener, so dmesg-syn-flooding.txt may be empty.'
syn_flood_scenario syn-flood-nocookies 0 "syn-flood-nocookies: SYN flood with tcp_syncookies=0 — SYNs dropped at 3/4 of tcp_max_syn_backlog"
