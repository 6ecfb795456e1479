#!/bin/sh
# ecl's StatsD listener against the reference StatsD daemon (the npm package `statsd`), fed the
# same streams by StatsdLoad, one daemon at a time and then both at once. Prints one markdown row
# per run: shape, rate, daemon, lines sent, counted, lost, kernel drops, and the load average.
#
#   npm install statsd                       # once, anywhere; STATSD_DIR names node_modules/statsd
#   mvn -q -DskipTests package               # the jars: ecl-reader, ecl-bench
#   REDIS=127.0.0.1:6379 STATSD_DIR=$PWD/node_modules/statsd ecl-bench/statsd-compare.sh
#
# REDIS must be a Redis the runs may write to (keys bench:1h:*; each run has a prefix of its own).
# SECONDS_PER_RUN (default 5), ECL_THREADS (statsd.receiver_threads, default 1), ONLY
# ("separate" or "together"), DAEMONS (default "ecl ref"), RATES_20 and RATES_1 (lines/s for
# 20-line and single-line datagrams) narrow it down or push it further. The listener asks for a 32 MiB receive buffer; the
# kernel caps it at net.core.rmem_max (printed first). The reference daemon gets the kernel's
# default buffer (net.core.rmem_default): it has no setting for it.
set -e
root=$(cd "$(dirname "$0")/.." && pwd)
jar=$root/ecl-bench/target/ecl-bench.jar
: "${REDIS:?REDIS=HOST:PORT of a Redis}" "${STATSD_DIR:?STATSD_DIR=path of node_modules/statsd}"
secs=${SECONDS_PER_RUN:-5}
tmp=$(mktemp -d)
redis_host=${REDIS%:*}
redis_port=${REDIS##*:}
cat > "$tmp/ecl.yml" <<YML
redis: {host: $redis_host, port: $redis_port}
statsd:
  receiver_threads: ${ECL_THREADS:-1}
groups:
  bench: {events: [], auto_declare_events: true, intervals: [1h], sync_interval: 1}
YML
cat > "$tmp/ref.js" <<JS
{ port: 8135, mgmt_port: 8136, backends: ["./backends/console"], flushInterval: 3600000 }
JS
for port in 8125 8135 8136 19108; do
    if ss -Hlntu "( sport = :$port )" | grep -q .; then
        echo "port $port is in use: stop what listens there first" >&2
        exit 1
    fi
done
# ECL_CDS=0: the launcher then execs java, so that $! is the JVM and the trap below stops it.
ECL_CDS=0 "$root/bin/ecl-reader" serve --listen 127.0.0.1:19108 --statsd 127.0.0.1:8125 "$tmp/ecl.yml" 2>"$tmp/ecl.log" &
ecl=$!
(cd "$STATSD_DIR" && exec node stats.js "$tmp/ref.js") >"$tmp/ref.log" 2>&1 &
ref=$!
trap 'kill $ecl $ref 2>/dev/null; rm -rf "$tmp"' EXIT
sleep 4
for p in $ecl $ref; do
    if ! kill -0 $p 2>/dev/null; then
        echo "a daemon did not start:" >&2
        cat "$tmp/ecl.log" "$tmp/ref.log" >&2
        exit 1
    fi
done
echo "rmem_max $(cat /proc/sys/net/core/rmem_max), rmem_default $(cat /proc/sys/net/core/rmem_default); $(grep -c ^processor /proc/cpuinfo) CPUs"
grep -h 'WARN' "$tmp/ecl.log" || true
echo
echo "| lines per datagram | lines/s asked | daemon | lines sent | lines/s sent | counted | lost | kernel drops | load (1 min) |"
echo "|---|---|---|---|---|---|---|---|---|"
n=0
run() { # per-packet rate daemon(s)
    n=$((n + 1))
    load=$(cut -d' ' -f1 /proc/loadavg)
    prefix=bench.r$$x$n
    case $3 in
        ecl) args="--target 127.0.0.1:8125 --redis $REDIS" ;;
        ref) args="--target 127.0.0.1:8135 --statsd-admin 127.0.0.1:8136" ;;
        both) args="--target 127.0.0.1:8125 --target 127.0.0.1:8135 --redis $REDIS --statsd-admin 127.0.0.1:8136 --threads 2" ;;
    esac
    out=$(java -cp "$jar" io.ecl.bench.StatsdLoad $args --lines $(($2 * secs)) --rate $2 --per-packet $1 --prefix $prefix)
    sent=$(echo "$out" | sed -n 's/^sent \([0-9,]*\) lines .*: \([0-9,]*\) lines\/s.*/\1 | \2/p')
    drops=$(echo "$out" | sed -n 's/.*RcvbufErrors \([0-9,]*\),.*/\1/p')
    echo "$out" | sed -n 's/^127.0.0.1:\([0-9]*\) ([^)]*): counted \([0-9,]*\), lost \(.*\)$/\1 \2 \3/p' | while read port counted lost; do
        [ "$port" = 8125 ] && who=ecl || who=reference
        [ "$3" = both ] && who="$who (both at once)"
        echo "| $1 | $2 | $who | $sent | $counted | $lost | $drops | $load |"
    done
}
if [ "${ONLY:-separate}" != together ]; then
    for rate in ${RATES_20:-800000 1000000 1600000}; do
        for d in ${DAEMONS:-ecl ref}; do run 20 $rate $d; done
    done
    for rate in ${RATES_1:-100000 170000 200000 250000}; do
        for d in ${DAEMONS:-ecl ref}; do run 1 $rate $d; done
    done
fi
if [ "${ONLY:-together}" != separate ]; then
    run 20 1000000 both
    run 1 200000 both
fi
