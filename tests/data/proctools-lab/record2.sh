#!/bin/bash
# EMFILE accept loop: strace -f -p, strace -c, top -H, ps -L, ls -l fd, limits, ss
set -u
NS=pt-lab2
OUT=/tmp/proctools-lab/rec2
rm -rf $OUT; mkdir -p $OUT
ip netns add $NS; ip netns exec $NS ip link set lo up
setsid ip netns exec $NS timeout 90 ./emfile 32 > $OUT/server-output.txt 2>&1 &
SRV=$!
sleep 1
P=$(sed -n 's/^emfile pid=\([0-9]*\).*/\1/p' $OUT/server-output.txt)
echo "pid $P"
ip netns exec $NS timeout 30 ./clients.py leak 40 40 2 > $OUT/clients-leak-output.txt 2>&1
sleep 1
( ip netns exec $NS timeout 20 ./clients.py get 30 15 3 > $OUT/clients-output.txt 2>&1 ) &
CL=$!
sleep 1
{ date -u +%FT%T.%3NZ; ip netns exec $NS ss -tanp; } > $OUT/ss-tanp-1.txt
{ date -u +%FT%T.%3NZ; ip netns exec $NS ss -ltn; } > $OUT/ss-ltn-1.txt
{ echo "# strace -f -p $P 2>&1 | head -40"; timeout --foreground -s INT 3 strace -f -p $P 2>&1 | head -40; } > $OUT/strace-f-p-head.txt
timeout --foreground -s INT 0.3 strace -f -tt -p $P -o $OUT/strace-f-tt-o.txt 2>$OUT/strace-f-tt-o.stderr
timeout --foreground -s INT 2 strace -c -f -p $P > $OUT/strace-c-f-p.txt 2>&1
top -H -b -n 1 -p $P > $OUT/top-H-b-n1.txt 2>&1
{ date -u +%FT%T.%3NZ; echo "# ps -L -o pid,lwp,stat,pcpu,time,wchan:32,comm -p $P"; ps -L -o pid,lwp,stat,pcpu,time,wchan:32,comm -p $P; } > $OUT/ps-L-1.txt
{ echo "[root@lab ~]# ls -l /proc/$P/fd"; ls -l /proc/$P/fd; } > $OUT/ls-l-proc-fd.txt 2>&1
{ echo "[root@lab ~]# cat /proc/$P/limits"; cat /proc/$P/limits; } > $OUT/limits.txt
sleep 2
{ date -u +%FT%T.%3NZ; echo "# ps -L -o pid,lwp,stat,pcpu,time,wchan:32,comm -p $P"; ps -L -o pid,lwp,stat,pcpu,time,wchan:32,comm -p $P; } > $OUT/ps-L-2.txt
{ echo "# top -H -b -n 2 -d 2 -p $P"; top -H -b -n 2 -d 2 -p $P; } > $OUT/top-H-b-n2-d2.txt 2>&1
{ date -u +%FT%T.%3NZ; ip netns exec $NS ss -tanp; } > $OUT/ss-tanp-2.txt
wait $CL
echo "pid $P" > $OUT/pids.txt
kill -TERM -- -$SRV 2>/dev/null; sleep 0.3; kill $P 2>/dev/null; wait $SRV 2>/dev/null
ip netns del $NS
ls -la $OUT
