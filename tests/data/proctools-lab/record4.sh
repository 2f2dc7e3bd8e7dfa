#!/bin/bash
# ltrace -f -p of a worker whose handlers block in pthread_cond_wait during the trace
set -u
NS=pt-lab4
OUT=/tmp/proctools-lab/rec4
rm -rf $OUT; mkdir -p $OUT
ip netns add $NS; ip netns exec $NS ip link set lo up
setsid ip netns exec $NS timeout 100 ./stuckpool --stuck --workers 1 --handlers 3 --backlog 8 > $OUT/server-output.txt 2>&1 &
SRV=$!
sleep 1
PARENT=$(sed -n 's/^parent pid=\([0-9]*\).*/\1/p' $OUT/server-output.txt)
W0=$(sed -n 's/^worker 0 pid=\([0-9]*\) .*/\1/p' $OUT/server-output.txt | head -1)
echo "parent $PARENT w0 $W0"
{ echo "# ltrace -f -tt -p $W0"; ltrace -f -tt -p $W0 2>&1; } > $OUT/ltrace-f-tt-p-W0.txt &
L0=$!
sleep 1.5
ip netns exec $NS timeout 60 ./clients.py get 40 10 2 > $OUT/clients-output.txt 2>&1
{ date -u +%FT%T.%3NZ; ip netns exec $NS ss -tanp; } > $OUT/ss-tanp-1.txt
sleep 2
{ date -u +%FT%T.%3NZ; ip netns exec $NS ss -tanp; } > $OUT/ss-tanp-2.txt
kill -INT $(pgrep -P $L0 ltrace 2>/dev/null || pgrep -f "ltrace -f -tt -p $W0") 2>/dev/null
sleep 1
wait $L0
echo "parent $PARENT w0 $W0" > $OUT/pids.txt
kill -TERM -- -$SRV 2>/dev/null; sleep 0.3; kill $PARENT $W0 2>/dev/null; wait $SRV 2>/dev/null
ip netns del $NS
ls -la $OUT
