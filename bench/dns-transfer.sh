#!/usr/bin/env bash
# The zone transfer, dynamic update and secondary benchmark of
# docs/benchmarks.md ("DNS: transfers, updates, secondaries"):
#   bench/dns-transfer.sh [seconds-per-update-run]
# Seeds 10 zones, one of them with 100,000 more records, and runs
# `vpsd serve` with its nameserver on them. Beside each vpsd figure, the
# same work done by another server in the same run:
# - AXFR of the 100,000-record zone (time, vpsd's peak memory), beside NSD
#   serving the very zone vpsd exports;
# - UPDATE messages per second (dnsperf -u, TSIG-signed, an add and a
#   delete of a TXT record in turn), beside Knot DNS taking the same
#   updates for the same zone;
# - the delay from an API change to an NSD secondary answering it (NOTIFY,
#   then a transfer), over 20 changes.
# Needs: dnsperf, nsd, knotd, dig, curl (Debian: apt install dnsperf nsd
# knot bind9-dnsutils curl). Prints a markdown report on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
PATH="$PATH:/usr/sbin:/sbin"
DURATION=${1:-10}
RECORDS=100000
API_PORT=18480
VPSD_PORT=15363
NSD_PORT=15364
KNOT_PORT=15365
SECONDARY_PORT=15366
for tool in dnsperf nsd knotd dig curl; do
    command -v "$tool" >/dev/null || { echo "install $tool (apt-get install dnsperf nsd knot bind9-dnsutils curl)" >&2; exit 1; }
done
cargo build --release -q -p vpsd -p vpsd-bench
VPSD=$PWD/target/release/vpsd
BENCH=$PWD/target/release/vpsd-bench
WORK=$(mktemp -d)
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    sleep 0.5
    rm -rf "$WORK"
}
trap cleanup EXIT

DB="sqlite://$WORK/dns.db"
account=$("$VPSD" --database "$DB" account create --email bench@example.com --balance 1000 2>/dev/null)
token=$("$VPSD" --database "$DB" token create --account "$account" 2>/dev/null | grep -o 'vps_[0-9a-f]*' | head -1)
"$BENCH" seed-zones --database "$DB" --account "$account" --zones 10
"$BENCH" seed-records --database "$DB" --zone 1 --records "$RECORDS"
"$BENCH" export-nsd --database "$DB" --dir "$WORK/nsd" --port "$NSD_PORT" 2>/dev/null
# NSD may hand the exported zones out by AXFR.
sed -i 's|^  zonefile: \(.*\)$|  zonefile: \1\n  provide-xfr: 127.0.0.1 NOKEY|' "$WORK/nsd/nsd.conf"

RUST_LOG=warn "$VPSD" --database "$DB" serve --listen "127.0.0.1:$API_PORT" \
    --dns-listen "127.0.0.1:$VPSD_PORT" --transfer-allow 127.0.0.1/32 \
    --notify "127.0.0.1:$SECONDARY_PORT" --rate-limit off >"$WORK/vpsd.log" 2>&1 &
VPSD_PID=$!
PIDS+=("$VPSD_PID")
nsd -d -c "$WORK/nsd/nsd.conf" >"$WORK/nsd.out" 2>&1 &
PIDS+=($!)
wait_soa() { # port zone
    for _ in $(seq 300); do
        [ "$(dig @127.0.0.1 -p "$1" +short "$2" SOA 2>/dev/null)" != "" ] && return 0
        sleep 0.1
    done
    echo "no SOA for $2 on port $1" >&2
    exit 1
}
wait_soa "$VPSD_PORT" zone-1.com
wait_soa "$NSD_PORT" zone-1.com
api() { # method path [body]
    curl -sf -X "$1" -H "Authorization: Bearer $token" -H "Content-Type: application/json" \
        ${3:+-d "$3"} "http://127.0.0.1:$API_PORT/api/v1$2"
}
zone_id() { api GET "/domains/?search=$1" | sed -n 's/.*"id":\([0-9]*\).*/\1/p' | head -1; }

echo "machine: $(nproc) cores, $(date -u +%Y-%m-%d); release build"
echo
echo "### AXFR of a zone of $((RECORDS + 5)) records"
echo
echo "| run | server | records | messages | time (ms) |"
echo "|---|---|---:|---:|---:|"
axfr() { # label port
    local start end out
    start=$(date +%s%N)
    out=$(dig @127.0.0.1 -p "$2" zone-1.com AXFR +noall +stats 2>&1)
    end=$(date +%s%N)
    echo "| $3 | $1 | $(echo "$out" | sed -n 's/.*XFR size: \([0-9]*\) records (messages \([0-9]*\).*/\1 | \2/p') | $(((end - start) / 1000000)) |"
}
rss_before=$(awk '/VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$VPSD_PID/status")
for round in 1 2 3; do
    axfr "NSD $(nsd -v 2>&1 | head -1 | awk '{print $3}')" "$NSD_PORT" "$round"
    axfr vpsd "$VPSD_PORT" "$round"
done
echo
echo "vpsd resident memory: $rss_before MB before the transfers, peak $(awk '/VmHWM/ {printf "%.1f MB", $2 / 1024}' "/proc/$VPSD_PID/status") (the API, worker and nameserver in one process, all zones in memory)"

# UPDATE: a key for zone-2.com, and Knot with the same key on the same zone.
id2=$(zone_id zone-2.com)
secret=$(api POST "/domains/$id2/dns/tsig-keys/" '{"name": "bench"}' | sed -n 's/.*"secret":"\([^"]*\)".*/\1/p')
mkdir -p "$WORK/knot"
cp "$WORK/nsd/zones/zone-2.com.zone" "$WORK/knot/"
cat >"$WORK/knot/knot.conf" <<KNOT
server:
  rundir: "$WORK/knot"
  listen: 127.0.0.1@$KNOT_PORT
  background-workers: 1
database:
  storage: "$WORK/knot"
key:
  - id: bench.zone-2.com
    algorithm: hmac-sha256
    secret: $secret
acl:
  - id: update
    address: 127.0.0.1
    key: bench.zone-2.com
    action: update
template:
  - id: default
    storage: "$WORK/knot"
    zonefile-sync: -1
zone:
  - domain: zone-2.com
    file: "$WORK/knot/zone-2.com.zone"
    acl: update
KNOT
knotd -c "$WORK/knot/knot.conf" >"$WORK/knot.out" 2>&1 &
PIDS+=($!)
wait_soa "$KNOT_PORT" zone-2.com
: >"$WORK/updates.txt"
for i in $(seq 1000); do
    printf 'zone-2.com\nadd bench%d.zone-2.com 300 TXT "update %d"\nsend\nzone-2.com\ndelete bench%d.zone-2.com TXT\nsend\n' \
        "$i" "$i" "$i" >>"$WORK/updates.txt"
done
update_run() { # port
    dnsperf -u -s 127.0.0.1 -p "$1" -d "$WORK/updates.txt" -l "$DURATION" -c 4 -q 8 \
        -y "hmac-sha256:bench.zone-2.com:$secret" 2>&1
}
echo
echo "### UPDATE messages (RFC 2136, TSIG hmac-sha256), one zone"
echo
echo "| run | server | updates/s | average latency (ms) | failed |"
echo "|---|---|---:|---:|---:|"
for round in 1 2; do
    for server in knot vpsd; do
        if [ "$server" = knot ]; then port=$KNOT_PORT; label="Knot $(knotd --version | awk '{print $NF}')"; else port=$VPSD_PORT; label=vpsd; fi
        out=$(update_run "$port")
        qps=$(echo "$out" | awk '/Updates per second|Queries per second/ {printf "%.0f", $4}')
        lat=$(echo "$out" | awk '/Average Latency/ {printf "%.2f", $4 * 1000}')
        # "Response codes: NOERROR 2072 (100.00%), REFUSED 3 (0.1%)"
        failed=$(echo "$out" | awk '/Response codes:/ {for (i = 3; i < NF; i += 3) if ($i !~ /^NOERROR/) n += $(i + 1)} END {print n + 0}')
        echo "| $round | $label | $qps | $lat | $failed |"
    done
done

# An NSD secondary of zone-3.com, told by NOTIFY.
mkdir -p "$WORK/secondary"
cat >"$WORK/secondary/nsd.conf" <<NSD
server:
  ip-address: 127.0.0.1@$SECONDARY_PORT
  username: ""
  zonesdir: "$WORK/secondary"
  database: ""
  zonelistfile: "$WORK/secondary/zone.list"
  pidfile: "$WORK/secondary/nsd.pid"
  xfrdfile: "$WORK/secondary/xfrd.state"
  xfrdir: "$WORK/secondary"
  logfile: "$WORK/secondary/nsd.log"
  verbosity: 0
  # NSD waits a second after a transfer before it serves the new zone by
  # default: not here, so the delay measured is ours.
  xfrd-reload-timeout: 0
remote-control:
  control-enable: no
zone:
  name: "zone-3.com"
  zonefile: "zone-3.com.zone"
  request-xfr: 127.0.0.1@$VPSD_PORT NOKEY
  allow-notify: 127.0.0.1 NOKEY
NSD
nsd -d -c "$WORK/secondary/nsd.conf" >"$WORK/secondary.out" 2>&1 &
PIDS+=($!)
wait_soa "$SECONDARY_PORT" zone-3.com
id3=$(zone_id zone-3.com)
delays=()
for i in $(seq 20); do
    start=$(date +%s%N)
    api POST "/domains/$id3/dns/records/" "{\"name\": \"delay$i\", \"type\": \"A\", \"content\": \"192.0.2.$i\"}" >/dev/null
    until [ "$(dig @127.0.0.1 -p "$SECONDARY_PORT" +short "delay$i.zone-3.com" A)" = "192.0.2.$i" ]; do
        sleep 0.005
    done
    delays+=($((($(date +%s%N) - start) / 1000000)))
done
sorted=$(printf '%s\n' "${delays[@]}" | sort -n)
echo
echo "### From an API change to an NSD secondary answering it (NOTIFY, then IXFR), 20 changes, NSD's xfrd-reload-timeout 0"
echo
echo "median $(echo "$sorted" | sed -n 10p) ms, slowest $(echo "$sorted" | tail -1) ms, fastest $(echo "$sorted" | head -1) ms (the nameserver reads the change feed every 200 ms)"
