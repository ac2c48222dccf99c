#!/usr/bin/env bash
# The nameserver benchmark of docs/benchmarks.md ("DNS"):
#   bench/dns.sh [seconds-per-run]
# Seeds 10,000 zones (five records each) into a SQLite database, starts
# `vpsd dns` on it, exports the very zones vpsd serves as zone files for
# NSD, checks that both answer the same, then drives each with dnsperf from
# this machine, alternating, twice. Needs: dnsperf, nsd, dig (Debian:
# apt install dnsperf nsd dnsutils). Prints a markdown report on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-10}
ZONES=10000
VPSD_PORT=15353
NSD_PORT=15354
for tool in dnsperf nsd dig; do
    command -v "$tool" >/dev/null || { echo "install $tool (apt-get install dnsperf nsd dnsutils)" >&2; exit 1; }
done
cargo build --release -q -p vpsd -p vpsd-bench
VPSD=$PWD/target/release/vpsd
BENCH=$PWD/target/release/vpsd-bench
WORK=$(mktemp -d)
cleanup() {
    [ -n "${VPSD_PID:-}" ] && kill "$VPSD_PID" 2>/dev/null || true
    [ -n "${NSD_PID:-}" ] && kill "$NSD_PID" 2>/dev/null || true
    sleep 0.5
    rm -rf "$WORK"
}
trap cleanup EXIT

DB="sqlite://$WORK/dns.db"
id=$("$VPSD" --database "$DB" account create --email bench@example.com 2>/dev/null)
"$BENCH" seed-zones --database "$DB" --account "$id" --zones "$ZONES"
"$BENCH" export-nsd --database "$DB" --dir "$WORK/nsd" --port "$NSD_PORT" 2>/dev/null
"$BENCH" queries --out "$WORK/queries.txt" --zones "$ZONES" --count 100000

RUST_LOG=warn "$VPSD" --database "$DB" dns --dns-listen "127.0.0.1:$VPSD_PORT" >"$WORK/vpsd.log" 2>&1 &
VPSD_PID=$!
nsd -d -c "$WORK/nsd/nsd.conf" >"$WORK/nsd.out" 2>&1 &
NSD_PID=$!
for port in $VPSD_PORT $NSD_PORT; do
    for _ in $(seq 200); do
        [ "$(dig @127.0.0.1 -p "$port" +short zone-$ZONES.com SOA 2>/dev/null)" != "" ] && break
        sleep 0.1
    done
done

# Both must give the same answers before their speed means anything.
answer() { # port name type
    dig @127.0.0.1 -p "$1" +norec "$2" "$3" +noall +comments +answer +authority 2>/dev/null |
        awk '/status:/ {print $6} /^[^;]/ && NF {print $1, $4, $5}' | sort | tr '\n' ' '
}
mismatches=0
while read -r name type; do
    a=$(answer $VPSD_PORT "$name" "$type")
    b=$(answer $NSD_PORT "$name" "$type")
    if [ "$a" != "$b" ]; then
        mismatches=$((mismatches + 1))
        echo "differs: $name $type: vpsd [$a] nsd [$b]" >&2
    fi
done < <(head -300 "$WORK/queries.txt")
[ "$mismatches" -eq 0 ] || { echo "$mismatches of 300 answers differ" >&2; exit 1; }

perf_run() { # label port
    local out qps lat
    out=$(dnsperf -s 127.0.0.1 -p "$2" -d "$WORK/queries.txt" -l "$DURATION" -c 8 -T 2 -q 100 2>&1)
    qps=$(echo "$out" | awk '/Queries per second/ {printf "%.0f", $4}')
    lat=$(echo "$out" | awk '/Average Latency/ {printf "%.3f", $4 * 1000}')
    lost=$(echo "$out" | awk '/Queries lost/ {print $3}')
    echo "$1|$qps|$lat|$lost"
}

echo "machine: $(nproc) cores, $(date -u +%Y-%m-%d); $ZONES zones; dnsperf -c 8 -T 2 -q 100, ${DURATION}s a run"
echo "same answers: 300 of 300 questions"
echo "| run | server | queries/s | average latency (ms) | lost |"
echo "|---|---|---:|---:|---:|"
for round in 1 2; do
    IFS='|' read -r _ nq nl nlost <<<"$(perf_run nsd $NSD_PORT)"
    echo "| $round | NSD $(nsd -v 2>&1 | head -1 | awk '{print $3}') | $nq | $nl | $nlost |"
    IFS='|' read -r _ vq vl vlost <<<"$(perf_run vpsd $VPSD_PORT)"
    echo "| $round | vpsd | $vq | $vl | $vlost | "
    echo "| $round | ratio | $(awk -v a="$vq" -v b="$nq" 'BEGIN {printf "%.0f%%", 100 * a / b}') | | |"
done
echo "vpsd peak RSS: $(awk '/VmHWM/ {printf "%.1f MB", $2 / 1024}' "/proc/$VPSD_PID/status")"
