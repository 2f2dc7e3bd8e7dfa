/* parse_netstat_s.c — net-tools `netstat -s`: MIB sections ("Ip:", "Tcp:",
 * "TcpExt:", ...) followed by indented English sentences, mapped back to the
 * kernel's counter names (incident.h: TcpExt bare, other MIBs prefixed as
 * nstat does).
 *
 * How netstat builds the text (net-tools statistics.c, printval()): it reads
 * /proc/net/snmp and /proc/net/netstat, looks each field up in a per-MIB
 * table of printf formats and prints the sentence; fields it has no sentence
 * for are printed as "Name: value" (only when non-zero), and "opt_number"
 * fields are left out when zero. So an absent counter here means "zero or
 * unknown", never "missing". The table below holds every wording net-tools
 * has used since 1999 (git history of statistics.c: "active connections
 * openings" -> "active connection openings", "segments send out" -> "sent
 * out", "retransmited" -> "retransmitted", "SYNs to LISTEN sockets ignored" ->
 * "dropped", trailing full stops dropped...): corpus files from CentOS 7
 * (blog-yaoice-*) and RHEL 8 (sos-rhcos42-*) use the old and new wordings.
 *
 * A sentence not in the table is reported once (DIAG_UNKNOWN_FIELD) and
 * skipped: we never invent a counter name from English text. */
#include <stdio.h>
#include <string.h>

#include "model/analysis.h"
#include "parsers.h"
#include "format.h"

#define PROV_TEXT_MAX 300
/* A kernel has a few hundred counters (nstat -az: 390 on 6.18); beyond this
 * a file is not what it claims, and each insert scans the snapshot. */
#define MAX_COUNTERS 4096
#define NAME_MAX_LEN 96
#define SENTENCE_MAX 256	/* longest net-tools sentence is ~90 bytes */
#define UNKNOWN_SEEN_MAX 64

/* The ICMP histogram lines ("echo replies: 12") are the same words for
 * input and output; which one follows "ICMP input/output histogram:". */
enum hist { HIST_NONE, HIST_IN, HIST_OUT };

struct sentence {
	const char *section;	/* MIB as printed: "Tcp", "TcpExt", "Icmp6" */
	enum hist hist;
	const char *pre, *post;	/* text before and after the number */
	const char *name;	/* kernel counter name (incident.h convention) */
};

/* Generated from every version of net-tools statistics.c (Iptab, Icmptab,
 * Tcptab, Udptab, Tcpexttab, Ip6tab, Icmp6tab, Udp6tab, Sctptab), with
 * "%llu"/"%u"/"%d" as the split point. Entries without a number ("RTO
 * algorithm is %s", "Forwarding is %s", MaxConn/RtoMin/RtoMax with no text)
 * are not printed as numbers and are left out. */
static const struct sentence sentences[] = {
	/* Ip */
	{ "Ip", HIST_NONE, "Default TTL is ", "", "IpDefaultTTL" },
	{ "Ip", HIST_NONE, "", " forwarded", "IpForwDatagrams" },
	{ "Ip", HIST_NONE, "", " fragments created", "IpFragCreates" },
	{ "Ip", HIST_NONE, "", " fragments failed", "IpFragFails" },
	{ "Ip", HIST_NONE, "", " outgoing packets failed fragmentation", "IpFragFails" },
	{ "Ip", HIST_NONE, "", " fragments received ok", "IpFragOKs" },
	{ "Ip", HIST_NONE, "", " outgoing packets fragmented ok", "IpFragOKs" },
	{ "Ip", HIST_NONE, "", " with invalid addresses", "IpInAddrErrors" },
	{ "Ip", HIST_NONE, "", " incoming packets delivered", "IpInDelivers" },
	{ "Ip", HIST_NONE, "", " incoming packets discarded", "IpInDiscards" },
	{ "Ip", HIST_NONE, "", " with invalid headers", "IpInHdrErrors" },
	{ "Ip", HIST_NONE, "", " total packets received", "IpInReceives" },
	{ "Ip", HIST_NONE, "", " with unknown protocol", "IpInUnknownProtos" },
	{ "Ip", HIST_NONE, "", " outgoing packets dropped", "IpOutDiscards" },
	{ "Ip", HIST_NONE, "", " dropped because of missing route", "IpOutNoRoutes" },
	{ "Ip", HIST_NONE, "", " requests sent out", "IpOutRequests" },
	{ "Ip", HIST_NONE, "", " packet reassembles failed", "IpReasmFails" },
	{ "Ip", HIST_NONE, "", " packet reassemblies failed", "IpReasmFails" },
	{ "Ip", HIST_NONE, "", " packets reassembled ok", "IpReasmOKs" },
	{ "Ip", HIST_NONE, "", " reassemblies required", "IpReasmReqds" },
	{ "Ip", HIST_NONE, "", " fragments dropped after timeout", "IpReasmTimeout" },
	/* Icmp */
	{ "Icmp", HIST_IN, "address mask replies: ", "", "IcmpInAddrMaskReps" },
	{ "Icmp", HIST_IN, "address mask request: ", "", "IcmpInAddrMasks" },
	{ "Icmp", HIST_IN, "destination unreachable: ", "", "IcmpInDestUnreachs" },
	{ "Icmp", HIST_IN, "echo replies: ", "", "IcmpInEchoReps" },
	{ "Icmp", HIST_IN, "echo requests: ", "", "IcmpInEchos" },
	{ "Icmp", HIST_NONE, "", " input ICMP message failed", "IcmpInErrors" },
	{ "Icmp", HIST_NONE, "", " input ICMP message failed.", "IcmpInErrors" },
	{ "Icmp", HIST_NONE, "", " ICMP messages received", "IcmpInMsgs" },
	{ "Icmp", HIST_IN, "wrong parameters: ", "", "IcmpInParmProbs" },
	{ "Icmp", HIST_IN, "redirects: ", "", "IcmpInRedirects" },
	{ "Icmp", HIST_IN, "source quenches: ", "", "IcmpInSrcQuenchs" },
	{ "Icmp", HIST_IN, "source quenchs: ", "", "IcmpInSrcQuenchs" },
	{ "Icmp", HIST_IN, "timeout in transit: ", "", "IcmpInTimeExcds" },
	{ "Icmp", HIST_IN, "timestamp reply: ", "", "IcmpInTimestampReps" },
	{ "Icmp", HIST_IN, "timestamp request: ", "", "IcmpInTimestamps" },
	{ "Icmp", HIST_OUT, "address mask replies: ", "", "IcmpOutAddrMaskReps" },
	{ "Icmp", HIST_OUT, "address mask requests: ", "", "IcmpOutAddrMasks" },
	{ "Icmp", HIST_OUT, "destination unreachable: ", "", "IcmpOutDestUnreachs" },
	{ "Icmp", HIST_OUT, "echo replies: ", "", "IcmpOutEchoReps" },
	{ "Icmp", HIST_OUT, "echo request: ", "", "IcmpOutEchos" },
	{ "Icmp", HIST_OUT, "echo requests: ", "", "IcmpOutEchos" },
	{ "Icmp", HIST_NONE, "", " ICMP messages failed", "IcmpOutErrors" },
	{ "Icmp", HIST_NONE, "", " ICMP messages sent", "IcmpOutMsgs" },
	{ "Icmp", HIST_OUT, "wrong parameters: ", "", "IcmpOutParmProbs" },
	{ "Icmp", HIST_OUT, "redirect: ", "", "IcmpOutRedirects" },
	{ "Icmp", HIST_OUT, "source quench: ", "", "IcmpOutSrcQuenchs" },
	{ "Icmp", HIST_OUT, "time exceeded: ", "", "IcmpOutTimeExcds" },
	{ "Icmp", HIST_OUT, "timestamp replies: ", "", "IcmpOutTimestampReps" },
	{ "Icmp", HIST_OUT, "timestamp requests: ", "", "IcmpOutTimestamps" },
	/* Tcp */
	{ "Tcp", HIST_NONE, "", " active connection openings", "TcpActiveOpens" },
	{ "Tcp", HIST_NONE, "", " active connections openings", "TcpActiveOpens" },
	{ "Tcp", HIST_NONE, "", " active opens", "TcpActiveOpens" },
	{ "Tcp", HIST_NONE, "", " failed connection attempts", "TcpAttemptFails" },
	{ "Tcp", HIST_NONE, "", " connections established", "TcpCurrEstab" },
	{ "Tcp", HIST_NONE, "", " connection resets received", "TcpEstabResets" },
	{ "Tcp", HIST_NONE, "", " bad segments received", "TcpInErrs" },
	{ "Tcp", HIST_NONE, "", " bad segments received.", "TcpInErrs" },
	{ "Tcp", HIST_NONE, "", " segments received", "TcpInSegs" },
	{ "Tcp", HIST_NONE, "", " resets sent", "TcpOutRsts" },
	{ "Tcp", HIST_NONE, "", " segments send out", "TcpOutSegs" },
	{ "Tcp", HIST_NONE, "", " segments sent out", "TcpOutSegs" },
	{ "Tcp", HIST_NONE, "", " passive connection openings", "TcpPassiveOpens" },
	{ "Tcp", HIST_NONE, "", " passive opens", "TcpPassiveOpens" },
	{ "Tcp", HIST_NONE, "", " segments retransmited", "TcpRetransSegs" },
	{ "Tcp", HIST_NONE, "", " segments retransmitted", "TcpRetransSegs" },
	/* Udp */
	{ "Udp", HIST_NONE, "", " packets with invalid checksum", "UdpInCsumErrors" },
	{ "Udp", HIST_NONE, "", " packets received", "UdpInDatagrams" },
	{ "Udp", HIST_NONE, "", " packet receive errors", "UdpInErrors" },
	{ "Udp", HIST_NONE, "", " packets to unknown port received", "UdpNoPorts" },
	{ "Udp", HIST_NONE, "", " packets to unknown port received.", "UdpNoPorts" },
	{ "Udp", HIST_NONE, "", " packets send", "UdpOutDatagrams" },
	{ "Udp", HIST_NONE, "", " packets sent", "UdpOutDatagrams" },
	{ "Udp", HIST_NONE, "", " receive buffer errors", "UdpRcvbufErrors" },
	{ "Udp", HIST_NONE, "", " send buffer errors", "UdpSndbufErrors" },
	/* TcpExt */
	{ "TcpExt", HIST_NONE, "", " delayed acks further delayed because of locked socket", "DelayedACKLocked" },
	{ "TcpExt", HIST_NONE, "Quick ack mode was activated ", " times", "DelayedACKLost" },
	{ "TcpExt", HIST_NONE, "", " delayed acks sent", "DelayedACKs" },
	{ "TcpExt", HIST_NONE, "", " resets received for embryonic SYN_RECV sockets", "EmbryonicRsts" },
	{ "TcpExt", HIST_NONE, "", " SYNs to LISTEN sockets dropped", "ListenDrops" },
	{ "TcpExt", HIST_NONE, "", " SYNs to LISTEN sockets ignored", "ListenDrops" },
	{ "TcpExt", HIST_NONE, "", " times the listen queue of a socket overflowed", "ListenOverflows" },
	{ "TcpExt", HIST_NONE, "", " ICMP packets dropped because socket was locked", "LockDroppedIcmps" },
	{ "TcpExt", HIST_NONE, "", " packets dropped from out-of-order queue because of socket buffer overrun", "OfoPruned" },
	{ "TcpExt", HIST_NONE, "", " ICMP packets dropped because they were out-of-window", "OutOfWindowIcmps" },
	{ "TcpExt", HIST_NONE, "", " active connections rejected because of time stamp", "PAWSActive" },
	{ "TcpExt", HIST_NONE, "", " packetes rejected in established connections because of timestamp", "PAWSEstab" },
	{ "TcpExt", HIST_NONE, "", " packets rejected in established connections because of timestamp", "PAWSEstab" },
	{ "TcpExt", HIST_NONE, "", " packets rejects in established connections because of timestamp", "PAWSEstab" },
	{ "TcpExt", HIST_NONE, "", " passive connections rejected because of time stamp", "PAWSPassive" },
	{ "TcpExt", HIST_NONE, "", " packets pruned from receive queue because of socket buffer overrun", "PruneCalled" },
	{ "TcpExt", HIST_NONE, "", " packets pruned from out-of-order queue", "RcvPruned" },
	{ "TcpExt", HIST_NONE, "", " packets pruned from receive queue", "RcvPruned" },
	{ "TcpExt", HIST_NONE, "Ran ", " times out of system memory during packet sending", "SockMallocOOM" },
	{ "TcpExt", HIST_NONE, "", " SYN cookies failed", "SyncookiesFailed" },
	{ "TcpExt", HIST_NONE, "", " invalid SYN cookies received", "SyncookiesFailed" },
	{ "TcpExt", HIST_NONE, "", " SYN cookies received", "SyncookiesRecv" },
	{ "TcpExt", HIST_NONE, "", " SYN cookies sent", "SyncookiesSent" },
	{ "TcpExt", HIST_NONE, "", " times unable to send RST due to no memory", "TCPAbortFailed" },
	{ "TcpExt", HIST_NONE, "", " times unabled to send RST due to no memory", "TCPAbortFailed" },
	{ "TcpExt", HIST_NONE, "", " connections reset due to early user close", "TCPAbortOnClose" },
	{ "TcpExt", HIST_NONE, "", " connections reset due to unexpected data", "TCPAbortOnData" },
	{ "TcpExt", HIST_NONE, "", " connections aborted after user close in linger timeout", "TCPAbortOnLinger" },
	{ "TcpExt", HIST_NONE, "", " connections aborted due to memory pressure", "TCPAbortOnMemory" },
	{ "TcpExt", HIST_NONE, "", " connections reset due to unexpected SYN", "TCPAbortOnSyn" },
	{ "TcpExt", HIST_NONE, "", " connections aborted due to timeout", "TCPAbortOnTimeout" },
	{ "TcpExt", HIST_NONE, "", " DSACKs for out of order packets received", "TCPDSACKOfoRecv" },
	{ "TcpExt", HIST_NONE, "", " DSACKs sent for out of order packets", "TCPDSACKOfoSent" },
	{ "TcpExt", HIST_NONE, "", " DSACKs sent for old packets", "TCPDSACKOldSent" },
	{ "TcpExt", HIST_NONE, "", " DSACKs received", "TCPDSACKRecv" },
	{ "TcpExt", HIST_NONE, "", " congestion windows recovered without slow start by DSACK", "TCPDSACKUndo" },
	{ "TcpExt", HIST_NONE, "", " congestion window recovered using DSACK", "TCPDSackUndo" },
	{ "TcpExt", HIST_NONE, "", " congestion window recovered without slow start using DSACK", "TCPDSackUndo" },
	{ "TcpExt", HIST_NONE, "", " bytes directly in process context from backlog", "TCPDirectCopyFromBacklog" },
	{ "TcpExt", HIST_NONE, "", " of bytes directly received from backlog", "TCPDirectCopyFromBacklog" },
	{ "TcpExt", HIST_NONE, "", " packets directly received from backlog", "TCPDirectCopyFromBacklog" },
	{ "TcpExt", HIST_NONE, "", " bytes directly received in process context from prequeue", "TCPDirectCopyFromPrequeue" },
	{ "TcpExt", HIST_NONE, "", " of bytes directly received from prequeue", "TCPDirectCopyFromPrequeue" },
	{ "TcpExt", HIST_NONE, "", " packets directly received from prequeue", "TCPDirectCopyFromPrequeue" },
	{ "TcpExt", HIST_NONE, "Detected reordering ", " times using FACK", "TCPFACKReorder" },
	{ "TcpExt", HIST_NONE, "", " fast retransmits", "TCPFastRetrans" },
	{ "TcpExt", HIST_NONE, "", " forward retransmits", "TCPForwardRetrans" },
	{ "TcpExt", HIST_NONE, "", " congestion windows fully recovered", "TCPFullUndo" },
	{ "TcpExt", HIST_NONE, "", " congestion windows fully recovered without slow start", "TCPFullUndo" },
	{ "TcpExt", HIST_NONE, "", " predicted acknowledgments", "TCPHPAcks" },
	{ "TcpExt", HIST_NONE, "", " packet headers predicted", "TCPHPHits" },
	{ "TcpExt", HIST_NONE, "", " packets header predicted", "TCPHPHits" },
	{ "TcpExt", HIST_NONE, "", " packet headers predicted and directly queued to user", "TCPHPHitsToUser" },
	{ "TcpExt", HIST_NONE, "", " packets header predicted and directly queued to user", "TCPHPHitsToUser" },
	{ "TcpExt", HIST_NONE, "", " TCP data loss events", "TCPLoss" },
	{ "TcpExt", HIST_NONE, "", " timeouts in loss state", "TCPLossFailures" },
	{ "TcpExt", HIST_NONE, "", " congestion windows recovered after partial ack", "TCPLossUndo" },
	{ "TcpExt", HIST_NONE, "", " congestion windows recovered without slow start after partial ack", "TCPLossUndo" },
	{ "TcpExt", HIST_NONE, "", " retransmits lost", "TCPLostRetransmit" },	/* net-tools keys it "TCPLostRetransmits", which no kernel has */
	{ "TcpExt", HIST_NONE, "TCP ran low on memory ", " times", "TCPMemoryPressures" },
	{ "TcpExt", HIST_NONE, "", " congestion windows partially recovered using Hoe heuristic", "TCPPartialUndo" },
	{ "TcpExt", HIST_NONE, "", " packets dropped from prequeue", "TCPPrequeueDropped" },
	{ "TcpExt", HIST_NONE, "", " packets directly queued to recvmsg prequeue", "TCPPrequeued" },
	{ "TcpExt", HIST_NONE, "", " packets directly queued to recvmsg prequeue.", "TCPPrequeued" },
	{ "TcpExt", HIST_NONE, "", " acknowledgments not containing data payload received", "TCPPureAcks" },
	{ "TcpExt", HIST_NONE, "", " acknowledgments not containing data received", "TCPPureAcks" },
	{ "TcpExt", HIST_NONE, "", " packets collapsed in receive queue due to low socket buffer", "TCPRcvCollapsed" },
	{ "TcpExt", HIST_NONE, "", " timeouts after reno fast retransmit", "TCPRenoFailures" },
	{ "TcpExt", HIST_NONE, "", " times recovered from packet loss due to fast retransmit", "TCPRenoRecovery" },
	{ "TcpExt", HIST_NONE, "", " classic Reno fast retransmits failed", "TCPRenoRecoveryFail" },
	{ "TcpExt", HIST_NONE, "", " reno fast retransmits failed", "TCPRenoRecoveryFailed" },
	{ "TcpExt", HIST_NONE, "Detected reordering ", " times using reno fast retransmit", "TCPRenoReorder" },
	{ "TcpExt", HIST_NONE, "", " bad SACK blocks received", "TCPSACKReneging" },
	{ "TcpExt", HIST_NONE, "", " bad SACKs received", "TCPSACKReneging" },
	{ "TcpExt", HIST_NONE, "Detected reordering ", " times using SACK", "TCPSACKReorder" },
	{ "TcpExt", HIST_NONE, "", " timeouts after SACK recovery", "TCPSackFailures" },
	{ "TcpExt", HIST_NONE, "", " times recovered from packet loss by selective acknowledgements", "TCPSackRecovery" },
	{ "TcpExt", HIST_NONE, "", " times recovered from packet loss due to SACK data", "TCPSackRecovery" },
	{ "TcpExt", HIST_NONE, "", " SACK retransmits failed", "TCPSackRecoveryFail" },
	{ "TcpExt", HIST_NONE, "", " sack retransmits failed", "TCPSackRecoveryFail" },
	{ "TcpExt", HIST_NONE, "", " times receiver scheduled too late for direct processing", "TCPSchedulerFailed" },
	{ "TcpExt", HIST_NONE, "", " retransmits in slow start", "TCPSlowStartRetrans" },
	{ "TcpExt", HIST_NONE, "Detected reordering ", " times using time stamp", "TCPTSReorder" },
	{ "TcpExt", HIST_NONE, "", " other TCP timeouts", "TCPTimeouts" },
	{ "TcpExt", HIST_NONE, "", " TCP sockets finished time wait in fast timer", "TW" },
	{ "TcpExt", HIST_NONE, "", " TCP sockets finished time wait in slow timer", "TWKilled" },
	{ "TcpExt", HIST_NONE, "", " time wait sockets recycled by time stamp", "TWRecycled" },
	/* Ip6 */
	{ "Ip6", HIST_NONE, "", " fragments created", "Ip6FragCreates" },
	{ "Ip6", HIST_NONE, "", " fragments failed", "Ip6FragFails" },
	{ "Ip6", HIST_NONE, "", " outgoing packets failed fragmentation", "Ip6FragFails" },
	{ "Ip6", HIST_NONE, "", " fragments received ok", "Ip6FragOKs" },
	{ "Ip6", HIST_NONE, "", " outgoing packets fragmented ok", "Ip6FragOKs" },
	{ "Ip6", HIST_NONE, "", " with invalid addresses", "Ip6InAddrErrors" },
	{ "Ip6", HIST_NONE, "", " incoming packets delivered", "Ip6InDelivers" },
	{ "Ip6", HIST_NONE, "", " incoming packets discarded", "Ip6InDiscards" },
	{ "Ip6", HIST_NONE, "", " with invalid headers", "Ip6InHdrErrors" },
	{ "Ip6", HIST_NONE, "", " incoming multicast packets", "Ip6InMcastPkts" },
	{ "Ip6", HIST_NONE, "", " incoming packets with no route", "Ip6InNoRoutes" },
	{ "Ip6", HIST_NONE, "", " total packets received", "Ip6InReceives" },
	{ "Ip6", HIST_NONE, "", " with packets too big", "Ip6InTooBigErrors" },
	{ "Ip6", HIST_NONE, "", " with truncated packets", "Ip6InTruncatedPkts" },
	{ "Ip6", HIST_NONE, "", " with unknown protocol", "Ip6InUnknownProtos" },
	{ "Ip6", HIST_NONE, "", " outgoing packets dropped", "Ip6OutDiscards" },
	{ "Ip6", HIST_NONE, "", " forwarded", "Ip6OutForwDatagrams" },
	{ "Ip6", HIST_NONE, "", " outgoing multicast packets", "Ip6OutMcastPkts" },
	{ "Ip6", HIST_NONE, "", " dropped because of missing route", "Ip6OutNoRoutes" },
	{ "Ip6", HIST_NONE, "", " requests sent out", "Ip6OutRequests" },
	{ "Ip6", HIST_NONE, "", " packet reassembles failed", "Ip6ReasmFails" },
	{ "Ip6", HIST_NONE, "", " packet reassemblies failed", "Ip6ReasmFails" },
	{ "Ip6", HIST_NONE, "", " packets reassembled ok", "Ip6ReasmOKs" },
	{ "Ip6", HIST_NONE, "", " reassemblies required", "Ip6ReasmReqds" },
	{ "Ip6", HIST_NONE, "", " fragments dropped after timeout", "Ip6ReasmTimeout" },
	/* Icmp6 */
	{ "Icmp6", HIST_IN, "destination unreachable: ", "", "Icmp6InDestUnreachs" },
	{ "Icmp6", HIST_IN, "echo replies: ", "", "Icmp6InEchoReplies" },
	{ "Icmp6", HIST_IN, "echo requests: ", "", "Icmp6InEchos" },
	{ "Icmp6", HIST_NONE, "", " input ICMP message failed", "Icmp6InErrors" },
	{ "Icmp6", HIST_NONE, "", " input ICMP message failed.", "Icmp6InErrors" },
	{ "Icmp6", HIST_IN, "group member queries: ", "", "Icmp6InGroupMembQueries" },
	{ "Icmp6", HIST_IN, "group member reductions: ", "", "Icmp6InGroupMembReductions" },
	{ "Icmp6", HIST_IN, "group member responses: ", "", "Icmp6InGroupMembResponses" },
	{ "Icmp6", HIST_NONE, "", " ICMP messages received", "Icmp6InMsgs" },
	{ "Icmp6", HIST_IN, "neighbour advertisement: ", "", "Icmp6InNeighborAdvertisements" },
	{ "Icmp6", HIST_IN, "neighbour solicits: ", "", "Icmp6InNeighborSolicits" },
	{ "Icmp6", HIST_IN, "parameter problem: ", "", "Icmp6InParmProblems" },
	{ "Icmp6", HIST_IN, "packets too big: ", "", "Icmp6InPktTooBigs" },
	{ "Icmp6", HIST_IN, "redirects: ", "", "Icmp6InRedirects" },
	{ "Icmp6", HIST_IN, "router advertisement: ", "", "Icmp6InRouterAdvertisements" },
	{ "Icmp6", HIST_IN, "router solicits: ", "", "Icmp6InRouterSolicits" },
	{ "Icmp6", HIST_IN, "received ICMPv6 time exceeded: ", "", "Icmp6InTimeExcds" },
	{ "Icmp6", HIST_OUT, "destination unreachable: ", "", "Icmp6OutDestUnreachs" },
	{ "Icmp6", HIST_OUT, "echo replies: ", "", "Icmp6OutEchoReplies" },
	{ "Icmp6", HIST_OUT, "echo requests: ", "", "Icmp6OutEchos" },
	{ "Icmp6", HIST_OUT, "group member queries: ", "", "Icmp6OutGroupMembQueries" },
	{ "Icmp6", HIST_OUT, "group member reductions: ", "", "Icmp6OutGroupMembReductions" },
	{ "Icmp6", HIST_OUT, "group member responses: ", "", "Icmp6OutGroupMembResponses" },
	{ "Icmp6", HIST_NONE, "", " ICMP messages sent", "Icmp6OutMsgs" },
	{ "Icmp6", HIST_OUT, "neighbor advertisements: ", "", "Icmp6OutNeighborAdvertisements" },
	{ "Icmp6", HIST_OUT, "neighbor solicits: ", "", "Icmp6OutNeighborSolicits" },
	{ "Icmp6", HIST_OUT, "parameter problem: ", "", "Icmp6OutParmProblems" },
	{ "Icmp6", HIST_OUT, "packets too big: ", "", "Icmp6OutPktTooBigs" },
	{ "Icmp6", HIST_OUT, "redirects: ", "", "Icmp6OutRedirects" },
	{ "Icmp6", HIST_OUT, "router advertisement: ", "", "Icmp6OutRouterAdvertisements" },
	{ "Icmp6", HIST_OUT, "router solicits: ", "", "Icmp6OutRouterSolicits" },
	{ "Icmp6", HIST_OUT, "sent ICMPv6 time exceeded: ", "", "Icmp6OutTimeExcds" },
	/* Udp6 */
	{ "Udp6", HIST_NONE, "", " packets with invalid checksum", "Udp6InCsumErrors" },
	{ "Udp6", HIST_NONE, "", " packets received", "Udp6InDatagrams" },
	{ "Udp6", HIST_NONE, "", " packet receive errors", "Udp6InErrors" },
	{ "Udp6", HIST_NONE, "", " packets to unknown port received", "Udp6NoPorts" },
	{ "Udp6", HIST_NONE, "", " packets to unknown port received.", "Udp6NoPorts" },
	{ "Udp6", HIST_NONE, "", " packets sent", "Udp6OutDatagrams" },
	{ "Udp6", HIST_NONE, "", " receive buffer errors", "Udp6RcvbufErrors" },
	{ "Udp6", HIST_NONE, "", " send buffer errors", "Udp6SndbufErrors" },
	/* Sctp */
	{ "Sctp", HIST_NONE, "", " Number of Aborteds", "SctpAborteds" },
	{ "Sctp", HIST_NONE, "", " Active Associations", "SctpActiveEstabs" },
	{ "Sctp", HIST_NONE, "", " Number of Packets with invalid Checksum", "SctpChecksumErrors" },
	{ "Sctp", HIST_NONE, "", " Current Associations", "SctpCurrEstab" },
	{ "Sctp", HIST_NONE, "", " Number of messages fragmented", "SctpFragUsrMsgs" },
	{ "Sctp", HIST_NONE, "", " Number of control chunks received", "SctpInCtrlChunks" },
	{ "Sctp", HIST_NONE, "", " Number of ordered chunks received", "SctpInOrderChunks" },
	{ "Sctp", HIST_NONE, "", " Number of SCTP packets received", "SctpInSCTPPacks" },
	{ "Sctp", HIST_NONE, "", " Number of Unordered chunks received", "SctpInUnorderChunks" },
	{ "Sctp", HIST_NONE, "", " Number of control chunks sent", "SctpOutCtrlChunks" },
	{ "Sctp", HIST_NONE, "", " Number of Out of Blue packets", "SctpOutOfBlues" },
	{ "Sctp", HIST_NONE, "", " Number of ordered chunks sent", "SctpOutOrderChunks" },
	{ "Sctp", HIST_NONE, "", " Number of SCTP packets sent", "SctpOutSCTPPacks" },
	{ "Sctp", HIST_NONE, "", " Number of Unordered chunks sent", "SctpOutUnorderChunks" },
	{ "Sctp", HIST_NONE, "", " Passive Associations", "SctpPassiveEstabs" },
	{ "Sctp", HIST_NONE, "", " Number of messages reassembled", "SctpReasmUsrMsgs" },
	{ "Sctp", HIST_NONE, "", " Number of Graceful Terminations", "SctpShutdowns" },
};

struct nss_state {
	struct analysis *an;
	struct input *in;
	struct counter_snapshot *snap;
	bool limit_noted;
	bool fragment_noted;
	char section[32];	/* current MIB; "" before the first header */
	bool in_section;
	enum hist hist;
	uint64_t n;
	/* unknown sentences already reported ("Section|pre#post") */
	const char *unknown_seen[UNKNOWN_SEEN_MAX];
	size_t n_unknown_seen;
};

static bool is_mib_char(char ch)
{
	return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
	       ch == '_';
}

static bool is_upper(char ch)
{
	return ch >= 'A' && ch <= 'Z';
}

/* "123" or "-123" (old net-tools printed some counters with %d). */
static bool is_number_token(struct span t)
{
	size_t i = t.n && t.p[0] == '-' ? 1 : 0;
	if (i == t.n)
		return false;
	for (; i < t.n; i++)
		if (t.p[i] < '0' || t.p[i] > '9')
			return false;
	return true;
}

static struct provenance nss_prov(struct nss_state *st, const struct textcur *c, struct span t)
{
	struct provenance p = { 0 };
	p.file = st->in->display;
	p.line = c->line;
	p.at = st->in->at;
	p.text = arena_strndup(&st->an->arena, t.p, t.n < PROV_TEXT_MAX ? t.n : PROV_TEXT_MAX);
	return p;
}

static void nss_set(struct nss_state *st, const struct textcur *c, struct span t, const char *name,
		    int64_t v)
{
	if (!st->snap) {
		st->snap = incident_add_counter_snapshot(&st->an->inc, st->in->display,
							 st->in->index, CNTSRC_NETSTAT_S);
		st->snap->at = st->in->at;
		st->snap->at_src = st->in->at_src;
		st->snap->increments = false;	/* netstat -s prints totals since boot */
	}
	if (st->snap->counters.n >= MAX_COUNTERS) {
		if (!st->limit_noted)
			diag_add(&st->an->diags, DIAG_LIMIT, st->in->display, c->line, -1,
				 "more than %d counters in one snapshot", MAX_COUNTERS);
		st->limit_noted = true;
		return;
	}
	struct provenance p = nss_prov(st, c, t);
	counter_snapshot_set(&st->an->inc, st->snap, name, v, &p);
	st->n++;
}

/* The name netstat printed as "Name: value" under a section, in the
 * incident's convention. IPv6 and SCTP tables carry their prefix already
 * ("Ip6InReceives", "SctpCurrEstab" come verbatim from /proc/net/snmp6 and
 * /proc/net/sctp/snmp); TcpExt fields are bare. */
static bool nss_raw_name(const char *section, struct span field, char *buf, size_t size)
{
	size_t sl = strlen(section);
	int n;
	if (strcmp(section, "TcpExt") == 0 ||
	    (sl && field.n > sl && memcmp(field.p, section, sl) == 0))
		n = snprintf(buf, size, "%.*s", (int)field.n, field.p);
	else
		n = snprintf(buf, size, "%s%.*s", section, (int)field.n, field.p);
	return n > 0 && (size_t)n < size;
}

static const struct sentence *nss_lookup(const struct nss_state *st, struct span pre, struct span post)
{
	for (size_t i = 0; i < sizeof(sentences) / sizeof(sentences[0]); i++) {
		const struct sentence *s = &sentences[i];
		if (strcmp(s->section, st->section) != 0)
			continue;
		if (s->hist != HIST_NONE && s->hist != st->hist)
			continue;
		if (span_eq(pre, s->pre) && span_eq(post, s->post))
			return s;
	}
	return NULL;
}

/* "    1234 times the listen queue of a socket overflowed" with no section
 * header above it (`netstat -s | grep -i listen`): the sentence alone names
 * the counter when one MIB has it; "    12 packets received" is Udp's and
 * Udp6's, so it names none. Raw "TCPBacklogDrop: 3" lines are TcpExt's: every
 * kernel name with the TCP prefix is (include/uapi/linux/snmp.h,
 * LINUX_MIB_TCP*). The number is split off as nss_line() does. */
enum frag { FRAG_NONE, FRAG_ONE, FRAG_AMBIGUOUS };

static enum frag nss_fragment(struct span t, struct span *num, const char **name,
			      char *raw, size_t raw_size, const char *sections[2])
{
	struct span rest = t, tok;
	bool found = false;
	while (span_token(&rest, &tok)) {
		if (is_number_token(tok)) {
			found = true;
			break;
		}
	}
	if (!found || t.n > SENTENCE_MAX)
		return FRAG_NONE;
	struct span pre = span_make(t.p, (size_t)(tok.p - t.p));
	struct span post = span_make(tok.p + tok.n, (size_t)(t.p + t.n - (tok.p + tok.n)));
	*num = tok;
	if (post.n == 0 && pre.n >= 5 && span_starts(pre, "TCP") && pre.p[pre.n - 1] == ' ' &&
	    pre.p[pre.n - 2] == ':') {
		struct span field = span_make(pre.p, pre.n - 2);
		bool ok = field.n < raw_size;
		for (size_t i = 0; ok && i < field.n; i++)
			ok = is_mib_char(field.p[i]);
		if (!ok)
			return FRAG_NONE;
		memcpy(raw, field.p, field.n);
		raw[field.n] = '\0';
		*name = raw;
		sections[0] = "TcpExt";
		return FRAG_ONE;
	}
	const struct sentence *hit = NULL;
	for (size_t i = 0; i < sizeof(sentences) / sizeof(sentences[0]); i++) {
		const struct sentence *st = &sentences[i];
		if (st->hist != HIST_NONE || !span_eq(pre, st->pre) || !span_eq(post, st->post))
			continue;
		if (hit && strcmp(hit->name, st->name) != 0) {
			sections[0] = hit->section;
			sections[1] = st->section;
			return FRAG_AMBIGUOUS;
		}
		hit = st;
	}
	if (!hit)
		return FRAG_NONE;
	*name = hit->name;
	sections[0] = hit->section;
	return FRAG_ONE;
}

/* Report an unknown sentence once per input (the same wording on several
 * lines, e.g. a file holding two netstat -s runs, is reported once). */
static void nss_unknown(struct nss_state *st, const struct textcur *c, struct span line,
			struct span t, struct span pre, struct span post)
{
	char key[SENTENCE_MAX + 40];
	snprintf(key, sizeof(key), "%s|%.*s#%.*s", st->section, (int)pre.n, pre.p, (int)post.n,
		 post.p);
	for (size_t i = 0; i < st->n_unknown_seen; i++)
		if (strcmp(st->unknown_seen[i], key) == 0)
			return;
	if (st->n_unknown_seen < UNKNOWN_SEEN_MAX)
		st->unknown_seen[st->n_unknown_seen++] = arena_strdup(&st->an->arena, key);
	diag_add(&st->an->diags, DIAG_UNKNOWN_FIELD, st->in->display, c->line,
		 textcur_offset(c, &line),
		 "sentence under '%s' matches no kernel counter, not stored: '%.*s'",
		 st->section[0] ? st->section : "(no section)", (int)(t.n < 120 ? t.n : 120), t.p);
}

/* A line of netstat -s output cut from its section (grep): read by its
 * sentence alone; true when the line was dealt with. */
static bool nss_fragment_line(struct nss_state *st, const struct textcur *c, struct span line,
			      struct span t)
{
	struct span num;
	const char *name = NULL, *sections[2] = { "?", "?" };
	char raw[NAME_MAX_LEN];
	enum frag fr = nss_fragment(t, &num, &name, raw, sizeof(raw), sections);
	if (fr == FRAG_NONE)
		return false;
	if (fr == FRAG_AMBIGUOUS) {
		diag_add(&st->an->diags, DIAG_UNKNOWN_FIELD, st->in->display, c->line,
			 textcur_offset(c, &line),
			 "sentence without its section header is both %s's and %s's, not "
			 "stored: '%.*s'", sections[0], sections[1],
			 (int)(t.n < 120 ? t.n : 120), t.p);
		return true;
	}
	int64_t v;
	if (!span_i64(num, &v)) {
		diag_add(&st->an->diags, DIAG_BAD_NUMBER, st->in->display, c->line,
			 textcur_offset(c, &num), "value of %s '%.*s' out of range", name,
			 (int)num.n, num.p);
		return true;
	}
	if (!st->fragment_noted) {
		st->fragment_noted = true;
		diag_add(&st->an->diags, DIAG_NOTE, st->in->display, c->line,
			 textcur_offset(c, &line),
			 "netstat -s lines without their section header (grep?): read by their "
			 "sentences");
	}
	nss_set(st, c, t, name, v);
	return true;
}

static void nss_line(struct nss_state *st, const struct textcur *c, struct span line)
{
	struct analysis *an = st->an;
	const char *file = st->in->display;
	int64_t off = textcur_offset(c, &line);
	struct span t = span_trim(line);
	bool indented = line.n && span_is_space(line.p[0]);

	if (span_eq(t, "--"))
		return;		/* grep -A/-B between groups of lines */
	if (!st->in_section && nss_fragment_line(st, c, line, t))
		return;

	/* A section header: "Tcp:" at column 0 (net-tools newtable()). */
	if (!indented && t.n >= 2 && t.p[t.n - 1] == ':') {
		size_t k = t.n - 1;
		bool ok = k < sizeof(st->section);
		for (size_t i = 0; ok && i < k; i++)
			ok = is_mib_char(t.p[i]);
		if (ok) {
			memcpy(st->section, t.p, k);
			st->section[k] = '\0';
			st->in_section = true;
			st->hist = HIST_NONE;
			return;
		}
	}
	if (!indented) {
		/* a shell prompt or other text around the output */
		if (span_contains(t, "netstat"))
			diag_add(&an->diags, DIAG_SKIPPED, file, c->line, off,
				 "not netstat -s output (command line?): '%.*s'",
				 (int)(t.n < 120 ? t.n : 120), t.p);
		else
			diag_add(&an->diags, DIAG_BAD_LINE, file, c->line, off,
				 "expected a section header like 'Tcp:' or an indented line: '%.*s'",
				 (int)(t.n < 120 ? t.n : 120), t.p);
		return;
	}
	if (!st->in_section) {
		diag_add(&an->diags, DIAG_BAD_LINE, file, c->line, off,
			 "counter line before any section header: '%.*s'",
			 (int)(t.n < 120 ? t.n : 120), t.p);
		return;
	}
	if (span_eq(t, "ICMP input histogram:")) {
		st->hist = HIST_IN;
		return;
	}
	if (span_eq(t, "ICMP output histogram:")) {
		st->hist = HIST_OUT;
		return;
	}
	if (t.n > SENTENCE_MAX) {
		diag_add(&an->diags, DIAG_BAD_LINE, file, c->line, off,
			 "line too long for a netstat -s sentence (%zu bytes)", t.n);
		return;
	}

	/* The number: the first whitespace-separated token made of digits.
	 * No net-tools sentence has another all-digit word. */
	struct span rest = t, tok;
	bool found = false;
	while (span_token(&rest, &tok)) {
		if (is_number_token(tok)) {
			found = true;
			break;
		}
	}
	if (!found) {
		diag_add(&an->diags, DIAG_BAD_LINE, file, c->line, off,
			 "no number in netstat -s line: '%.*s'", (int)t.n, t.p);
		return;
	}
	struct span pre = span_make(t.p, (size_t)(tok.p - t.p));
	struct span post = span_make(tok.p + tok.n, (size_t)(t.p + t.n - (tok.p + tok.n)));
	int64_t v = 0;
	bool num_ok = span_i64(tok, &v);

	const struct sentence *s = nss_lookup(st, pre, post);
	char name[NAME_MAX_LEN];
	const char *cname = s ? s->name : NULL;
	if (!cname && post.n == 0 && pre.n >= 3 && is_upper(pre.p[0]) &&
	    pre.p[pre.n - 1] == ' ' && pre.p[pre.n - 2] == ':') {
		/* "TCPSynRetrans: 439": a field net-tools has no sentence for,
		 * printed under its kernel name (statistics.c printval()) */
		struct span field = span_make(pre.p, pre.n - 2);
		bool ok = field.n > 0;
		for (size_t i = 0; ok && i < field.n; i++)
			ok = is_mib_char(field.p[i]);
		if (ok && nss_raw_name(st->section, field, name, sizeof(name)))
			cname = name;
	}
	if (!cname) {
		nss_unknown(st, c, line, t, pre, post);
		return;
	}
	if (!num_ok) {
		diag_add(&an->diags, DIAG_BAD_NUMBER, file, c->line, textcur_offset(c, &tok),
			 "value of %s '%.*s' out of range", cname, (int)tok.n, tok.p);
		return;
	}
	nss_set(st, c, t, cname, v);
}

int netstat_s_parse(struct analysis *an, struct input *in)
{
	struct nss_state st = { .an = an, .in = in };
	struct textcur c;
	struct span line;
	input_textcur(in, &c);
	while (textcur_next(&c, &line)) {
		if (c.has_nul) {
			diag_add(&an->diags, DIAG_BINARY, in->display, c.line,
				 textcur_offset(&c, &line), "NUL byte in a text line, line skipped");
			continue;
		}
		if (c.cut) {
			diag_add(&an->diags, DIAG_LONG_LINE, in->display, c.line,
				 textcur_offset(&c, &line), "line longer than %zu bytes skipped",
				 c.max_line);
			continue;
		}
		if (span_trim(line).n == 0)
			continue;
		nss_line(&st, &c, line);
	}
	in->records = st.n;
	return st.n ? 0 : -1;
}

/* netstat -s: a section name alone ("Tcp:"), then indented English
 * sentences ("    12 times the listen queue of a socket overflowed"). */
static int netstat_s_sniff(const struct sniff_view *v)
{
	int sections = 0, phrases = 0;
	for (size_t i = 0; i < v->n; i++) {
		const struct sniff_line *l = &v->lines[i];
		struct span t = l->t;
		if (t.n > 1 && t.p[t.n - 1] == ':' && l->ntok == 1 &&
		    sniff_is_counter_name(span_make(t.p, t.n - 1)))
			sections++;
		if (l->indented && l->ntok >= 2) {
			int64_t n;
			if (span_i64(l->tok[0], &n) || span_contains(t, ": "))
				phrases++;
		}
	}
	if (sections >= 1 && phrases >= 2)
		return SNIFF_ROWS_NETSTAT_S;
	if (sections)
		return 0;
	/* no section header: `netstat -s | grep -i listen` keeps sentences
	 * only; they must be net-tools' own, and most of the lines */
	int known = 0, other = 0;
	for (size_t i = 0; i < v->n; i++) {
		const struct sniff_line *l = &v->lines[i];
		struct span num;
		const char *name, *sect[2];
		char raw[NAME_MAX_LEN];
		if (nss_fragment(l->t, &num, &name, raw, sizeof(raw), sect) != FRAG_NONE)
			known++;
		else if (!span_contains(l->t, "netstat") && !span_eq(l->t, "--"))
			other++;
	}
	return known >= 1 && known >= other ? SNIFF_ROWS_NETSTAT_S : 0;
}

const struct format format_netstat_s = {
	.name = "netstat-s", .cls = EV_COUNTERS, .sniff = netstat_s_sniff,
	.parse = netstat_s_parse,
};
