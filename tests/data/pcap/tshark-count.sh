#!/bin/sh
# tshark-count.sh FILE PORT [FILTER] — the capture counts of listener PORT in
# FILE, computed from tshark's dissection (not from stuckscope's decoder), one
# "name value" per line, for tests/test_pcap_flows.c to compare against.
# FILTER, a display filter, keeps only some packets: those stuckscope reads
# when it skips records (`frame.cap_len <= 80`, `frame.number != 123`).
#
# One tshark pass dumps the TCP fields of every packet to or from PORT;
# awk then applies DESIGN.md's definitions, keyed by the client address
# and port. The plain counts are what these standalone commands print:
#   syn_packets     tshark -r F -Y 'tcp.flags.syn==1 && tcp.flags.ack==0 && tcp.dstport==P' | wc -l
#   synack_packets  tshark -r F -Y 'tcp.flags.syn==1 && tcp.flags.ack==1 && tcp.srcport==P' | wc -l
#   rst_from_server tshark -r F -Y 'tcp.flags.reset==1 && tcp.srcport==P' | wc -l
#   rst_from_client tshark -r F -Y 'tcp.flags.reset==1 && tcp.dstport==P' | wc -l
#   zero_window     tshark -r F -Y 'tcp.analysis.zero_window && tcp.port==P' | wc -l
#   syn_attempts    tshark -r F -Y 'tcp.flags.syn==1 && tcp.flags.ack==0 && tcp.dstport==P' \
#                     -T fields -e ip.src -e ipv6.src -e tcp.srcport -e tcp.seq_raw | sort -u | wc -l
set -eu
f=$1
p=$2
keep=${3:+ && ($3)}
tshark -n -r "$f" -Y "tcp.port==$p$keep" -T fields -E separator=/t \
	-e frame.time_epoch -e ip.src -e ip.dst -e ipv6.src -e ipv6.dst \
	-e tcp.srcport -e tcp.dstport -e tcp.flags.syn -e tcp.flags.ack -e tcp.flags.fin \
	-e tcp.flags.reset -e tcp.seq_raw -e tcp.ack_raw -e tcp.len -e tcp.window_size_value \
	2>/dev/null |
awk -F '\t' -v P="$p" '
function b(x) { return x == "1" || x == "True" }
function plus1(x) { return (x + 1) % 4294967296 }
# the connection of key k ended: count what never happened on it
function fold(k) {
	if (pend[k]) unans++
	if (syn[k] && !answered[k]) never++
	if (cdata[k] && !sans[k] && !srst[k]) requnans++
	if (cfin[k] && !sfin[k] && !rst[k]) cfinonly++
	delete seen[k]; delete syn[k]; delete isn[k]; delete first[k]; delete pend[k]
	delete answered[k]; delete sak[k]; delete sisn[k]; delete hs[k]; delete hst[k]
	delete cdata[k]; delete sans[k]; delete cfin[k]; delete sfin[k]; delete rst[k]
	delete srst[k]; delete rsths[k]
}
{
	t = $1; src = $2 != "" ? $2 : $4; dst = $3 != "" ? $3 : $5
	sp = $6; dp = $7; S = b($8); A = b($9); F = b($10); R = b($11)
	seq = $12; ack = $13; len = $14; win = $15
	if (dp == P) { c = 1; k = src " " sp } else if (sp == P) { c = 0; k = dst " " dp } else next
	if (S && !A) {
		if (!c) next
		synp++
		if (syn[k] && isn[k] == seq) {		# a retransmitted SYN
			if (pend[k]) unans++
			d = t - first[k]
			ivl[sprintf("%.1f", int((d + 0.05) * 10) / 10)]++
			pend[k] = 1
		} else {				# a new attempt
			if (seen[k]) fold(k)
			seen[k] = 1; syn[k] = 1; isn[k] = seq; first[k] = t; pend[k] = 1
			attempts++
		}
		next
	}
	seen[k] = 1
	if (S && A) {
		if (c) next
		sa++
		if (sak[k] && sisn[k] == seq) { sart++; if (hs[k]) saaa++ }
		else { sak[k] = 1; sisn[k] = seq }
		if (syn[k] && ack == plus1(isn[k])) { pend[k] = 0; answered[k] = 1 }
		next
	}
	if (R) {
		rst[k] = 1
		if (c) { rstc++; next }
		rsts++
		if (pend[k] && ack == plus1(isn[k])) { pend[k] = 0; answered[k] = 1 }
		if (hs[k] && !sans[k] && !rsths[k] && !srst[k] && t - hst[k] <= 1.0) { rsths[k] = 1; rah++ }
		srst[k] = 1
		next
	}
	if (A && c && sak[k] && !hs[k] && (ack - plus1(sisn[k]) + 4294967296) % 4294967296 < 2147483648) {
		hs[k] = 1; hst[k] = t; hsn++
	}
	if (len > 0) { if (c) { if (!cdata[k]) { cdata[k] = 1; req++ } } else sans[k] = 1 }
	if (F) { if (c) cfin[k] = 1; else { sfin[k] = 1; sans[k] = 1 } }
	if (win != "" && win == 0 && !F) zw++
}
END {
	for (k in seen) fold(k)
	printf "syn_packets %d\nsyn_attempts %d\nsyn_unanswered_packets %d\n", synp, attempts, unans
	printf "attempts_never_answered %d\nsynack_packets %d\nsynack_retransmits %d\n", never, sa, sart
	printf "synack_retransmits_after_ack %d\nrst_after_handshake %d\n", saaa, rah
	printf "rst_from_server %d\nrst_from_client %d\nhandshakes_completed %d\n", rsts, rstc, hsn
	printf "requests %d\nrequests_unanswered %d\nclient_fin_no_server_fin %d\n", req, requnans, cfinonly
	printf "zero_window %d\n", zw
	n = 0
	for (v in ivl) keys[++n] = v
	for (i = 2; i <= n; i++)	# insertion sort, numeric
		for (j = i; j > 1 && keys[j - 1] + 0 > keys[j] + 0; j--) { x = keys[j]; keys[j] = keys[j - 1]; keys[j - 1] = x }
	s = ""
	for (i = 1; i <= n; i++) s = s (i > 1 ? "," : "") keys[i] "*" ivl[keys[i]]
	printf "syn_retransmit_intervals_s %s\n", s
}'
