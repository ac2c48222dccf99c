#!/usr/bin/env bash
# Registrations through EPP (docs/benchmarks.md, "Registrations through
# EPP"):
#   bench/epp.sh [seconds-per-scenario]
# Builds the release binary, makes a CA and certificates with openssl, and
# starts installation R serving its sandbox registry over EPP
# (`vpsd registry serve-epp`). Then, for 1, 2 and 4 EPP sessions, starts
# installation A with .com at R (`--registries`) and drives
# POST /api/v1/domains/ with wrk (a new name each request); and, in the same
# run, the same load on A with the embedded sandbox registry (no EPP), the
# baseline. Both on SQLite. Needs: wrk, openssl, curl. Prints one line per
# measurement (name|req/s|p50|p99|non-2xx).
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-10}
CONNS=16
THREADS=2
PORT=18281
EPP_PORT=18282

for tool in wrk openssl curl; do
    command -v "$tool" >/dev/null || { echo "install $tool" >&2; exit 1; }
done
cargo build --release -q -p vpsd
VPSD=${CARGO_TARGET_DIR:-$PWD/target}/release/vpsd
WORK=$(mktemp -d)
R_PID=
A_PID=
cleanup() {
    local status=$?
    trap - EXIT INT TERM HUP
    for pid in $A_PID $R_PID; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$WORK"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A CA, R's server certificate for 127.0.0.1, A's client certificate.
cd "$WORK"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=bench CA" \
    -keyout ca.key -out ca.pem 2>/dev/null
leaf() { # name ext
    openssl req -newkey rsa:2048 -nodes -subj "/CN=$1" -keyout "$1.key" -out "$1.csr" 2>/dev/null
    printf '%s\n' "$2" >"$1.ext"
    openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
        -extfile "$1.ext" -out "$1.pem" 2>/dev/null
}
leaf server "subjectAltName=IP:127.0.0.1
extendedKeyUsage=serverAuth"
leaf registrar-a "subjectAltName=DNS:registrar-a.test
extendedKeyUsage=clientAuth"
printf 'bench-pw-123' >registrar-a.password
cd - >/dev/null

R_DB="sqlite://$WORK/r.db"
"$VPSD" --database "$R_DB" registry registrar add registrar-a --password-file "$WORK/registrar-a.password" >/dev/null
RUST_LOG=warn "$VPSD" --database "$R_DB" registry serve-epp --listen "127.0.0.1:$EPP_PORT" \
    --tls-cert "$WORK/server.pem" --tls-key "$WORK/server.key" --client-ca "$WORK/ca.pem" \
    >"$WORK/r.out" 2>"$WORK/r.log" &
R_PID=$!
for _ in $(seq 100); do
    grep -q "EPP listening" "$WORK/r.out" 2>/dev/null && break
    sleep 0.1
done

registries() { # sessions
    cat >"$WORK/registries-$1.toml" <<TOML
[[registry]]
name = "r"
tlds = ["com"]
host = "127.0.0.1"
port = $EPP_PORT
client_id = "registrar-a"
password_file = "registrar-a.password"
certificate = "registrar-a.pem"
key = "registrar-a.key"
ca = "ca.pem"
sessions = $1
commands_per_second = 1000000
TOML
    echo "$WORK/registries-$1.toml"
}

run() { # label [registries-file]
    local label=$1 file=${2:-}
    local db="sqlite://$WORK/a-$label.db" args=()
    [ -n "$file" ] && args=(--registries "$file")
    local id token
    id=$("$VPSD" --database "$db" account create --email bench@example.com --balance 100000000 2>/dev/null)
    token=$("$VPSD" --database "$db" token create --account "$id" 2>/dev/null)
    RUST_LOG=warn "$VPSD" --database "$db" "${args[@]}" serve --listen "127.0.0.1:$PORT" \
        --rate-limit off --registration-delay 1h --no-worker >"$WORK/a.log" 2>&1 &
    A_PID=$!
    for _ in $(seq 100); do
        curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break
        sleep 0.1
    done
    cat >"$WORK/register.lua" <<LUA
local id = 0
function setup(thread) id = id + 1; thread:set("tid", id) end
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("POST", "/api/v1/domains/", {["Authorization"] = "Bearer $token",
    ["Content-Type"] = "application/json"},
    string.format('{"domain_name": "bench-%s-%d-%d.com"}', "$label", tid, counter))
end
LUA
    local out rps p50 p99 errors
    out=$(wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" --latency -s "$WORK/register.lua" "http://127.0.0.1:$PORT/")
    rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    p50=$(echo "$out" | awk '$1 == "50%" {print $2}')
    p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
    errors=$(echo "$out" | awk '/Non-2xx/ {print $5}')
    echo "$label POST register|$rps|$p50|$p99|${errors:-0}"
    kill "$A_PID"; wait "$A_PID" 2>/dev/null || true; A_PID=
}

run "sandbox"
for sessions in 1 2 4; do
    run "epp-${sessions}" "$(registries "$sessions")"
done
run "sandbox-again"
