#!/bin/bash
# stuck pre-fork worker, recorded the way people do once it is stuck
set -u
NS=pt-lab3
OUT=/tmp/proctools-lab/rec3
rm -rf $OUT; mkdir -p $OUT
ip netns add $NS; ip netns exec $NS ip link set lo up
setsid ip netns exec $NS timeout 100 ./stuckpool --stuck --spin --workers 2 --handlers 3 --backlog 8 > $OUT/server-output.txt 2>&1 &
SRV=$!
sleep 1
PARENT=$(sed -n 's/^parent pid=\([0-9]*\).*/\1/p' $OUT/server-output.txt)
W0=$(sed -n 's/^worker 0 pid=\([0-9]*\) .*/\1/p' $OUT/server-output.txt | head -1)
W1=$(sed -n 's/^worker 1 pid=\([0-9]*\) .*/\1/p' $OUT/server-output.txt | head -1)
echo "parent $PARENT w0 $W0 w1 $W1"
ip netns exec $NS timeout 60 ./clients.py get 120 24 2 > $OUT/clients-output.txt 2>&1
{ date -u +%FT%T.%3NZ; ip netns exec $NS ss -tanp; } > $OUT/ss-tanp-1.txt
{ date -u +%FT%T.%3NZ; ps -eLo pid,lwp,stat,pcpu,time,wchan:32,comm | awk 'NR==1 || /stuckpool/'; } > $OUT/ps-eLo-1.txt
( sleep 0.5; ip netns exec $NS timeout 20 ./clients.py get 8 4 2 > /dev/null 2>&1 ) &
CL=$!
{ echo "# strace -f -tt -p $W0"; timeout --foreground -s INT 3 strace -f -tt -p $W0 2>&1; } > $OUT/strace-f-tt-p-W0.txt
wait $CL
{ echo "# top -H -b -n 2 -d 2 -p $W0,$W1"; top -H -b -n 2 -d 2 -p $W0,$W1; } > $OUT/top-H-n2.txt 2>&1
{ date -u +%FT%T.%3NZ; ps -eLo pid,lwp,stat,pcpu,time,wchan:32,comm | awk 'NR==1 || /stuckpool/'; } > $OUT/ps-eLo-2.txt
{ date -u +%FT%T.%3NZ; ip netns exec $NS ss -tanp; } > $OUT/ss-tanp-2.txt
{ echo "[root@lab ~]# ls -l /proc/$W0/fd"; ls -l /proc/$W0/fd; } > $OUT/ls-l-proc-fd-W0.txt 2>&1
{ echo "[root@lab ~]# cat /proc/$W0/limits"; cat /proc/$W0/limits; } > $OUT/limits-W0.txt
echo "parent $PARENT w0 $W0 w1 $W1" > $OUT/pids.txt
kill -TERM -- -$SRV 2>/dev/null; sleep 0.3; kill $PARENT $W0 $W1 2>/dev/null; wait $SRV 2>/dev/null
ip netns del $NS
ls -la $OUT
