# desc: healthy control: nginx (Debian nginx-light, 2 workers, backlog 511) under wrk -c 50 -d 4s: no overflow, workers waiting in epoll_wait
lab_begin nginx-healthy
lab_need nginx wrk gdb eu-stack
PORT=8080
CONF=/tmp/stk-lab-nginx-healthy
rm -rf $CONF && mkdir -p $CONF
cat >$CONF/nginx.conf <<NGX
worker_processes 2;
pid $CONF/nginx.pid;
error_log $CONF/error.log;
daemon off;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $CONF/body;
    proxy_temp_path $CONF/proxy;
    fastcgi_temp_path $CONF/fastcgi;
    uwsgi_temp_path $CONF/uwsgi;
    scgi_temp_path $CONF/scgi;
    server {
        listen 127.0.0.1:$PORT backlog=511;
        location / { default_type text/plain; return 200 "ok from nginx\n"; }
    }
}
NGX
cp $CONF/nginx.conf "$OUT/nginx.conf"
snap sysctl.txt sysctl -a
lab_start server 100 nginx -c $CONF/nginx.conf -e $CONF/error.log
lab_wait_listen $PORT
sleep 0.3
MASTER=$(cat $CONF/nginx.pid)
WORKERS=$(cat /proc/$MASTER/task/$MASTER/children | tr ' ' '\n' | grep . | sort -n | tr '\n' ' ')
note "server: nginx -c nginx.conf (2 workers, listen backlog=511); master $MASTER, workers $WORKERS"
lab_capture capture.pcap 5000 lo tcp port $PORT
snap_ss "before load"
snap_ltn "before load"
snap_counters before
snap_stacks_all 1 "" $MASTER $WORKERS
lab_start wrk 30 wrk -t 2 -c 50 -d 4s --latency http://127.0.0.1:$PORT/
WRK=$LAB_LAST_PID
note "load: wrk -t 2 -c 50 -d 4s --latency (keep-alive: 50 connections, many requests each)"
sleep 1
for i in $(seq 10); do snap_ltn; done
snap_ss "during load"
snap_sockets_extra "during load"
snap_stacks_all 2 "" $MASTER $WORKERS
snap_ss "during load"
wait $WRK
note "wrk finished (exit $?)"
lab_keep_output wrk wrk-output.txt
sleep 0.5
snap_ss "after load"
snap_ltn "after load"
for i in $MASTER $WORKERS; do snap_proctask $i 3; done
snap_counters after
snap nstat-after-json.txt nstat -az --json
lab_capture_stop
lab_stop_all
note "nginx stopped"
rm -rf $CONF
OVF=$(nstat_delta "$OUT/nstat-before.txt" "$OUT/nstat-after.txt" TcpExtListenOverflows)
README_TEXT=$(cat <<TXT
## What was done

- netns \`$NS\`, sysctls at their defaults.
- Server: Debian's nginx (nginx-light) with nginx.conf (copied here): master pid **$MASTER**, workers **$WORKERS**,
  \`listen 127.0.0.1:$PORT backlog=511\`, \`return 200\` from memory, access log off.
- Load: \`wrk -t 2 -c 50 -d 4s --latency http://127.0.0.1:$PORT/\` (keep-alive; 50 connections carry all requests).
  wrk-output.txt: $(grep -E 'requests in' "$OUT/wrk-output.txt" | sed 's/^ *//'), $(grep -E 'Requests/sec' "$OUT/wrk-output.txt" | sed 's/^ *//').
- Evidence: ss-01..$(printf 'ss-%02d' $LAB_SS_N), ss-ltn-*, counters, eu-stack/gdb/proc-task of master and workers before (moment 1)
  and under load (moment 2), proc-task after (3). The capture is capped at 5000 packets (tcpdump -c):
  it covers only the first part of the load.

## Root cause

None: healthy control. ListenOverflows delta **$OVF**; no CLOSE-WAIT; the workers are busy or idle in
\`epoll_wait\` (waiting for work), the master in \`sigsuspend\`. Expected verdict: healthy. With keep-alive
the handshakes are few (about 50): the listener is barely used.
TXT
)
lab_readme $PORT "nginx-healthy: nginx under wrk — healthy control with real epoll workers"
