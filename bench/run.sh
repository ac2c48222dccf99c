#!/usr/bin/env bash
# Reruns the benchmark of docs/benchmarks.md on this machine:
#   bench/run.sh [seconds-per-scenario]
# (BENCH_DOMAINS=100000 seeds fewer other domains, for a quicker run.)
# It builds the release binaries, seeds one account with 1,000 domains plus
# 1,000,000 domains across 10,000 other accounts, starts vpsd on SQLite and
# then on a throwaway PostgreSQL cluster, drives each with wrk from this
# machine, and measures a minimal axum server answering a body of the same
# size (same build profile) in the same run. Needs: wrk, PostgreSQL's server
# binaries (initdb, postgres). Prints one line per measurement on stdout
# (name|req/s|p50|p99|non-2xx), the peak RSS, and GET detail's ratio to the
# baseline (medians of three alternated rounds).
set -euo pipefail
cd "$(dirname "$0")/.."
# `--setup-only`: start the throwaway PostgreSQL cluster, print `ready`, wait
# BENCH_HOLD seconds (default 0) and stop (what the cleanup test runs).
SETUP_ONLY=
if [ "${1:-}" = --setup-only ]; then
    SETUP_ONLY=1
    shift
fi
DURATION=${1:-10}
CONNS=32
THREADS=2
PORT=18181
BASE_PORT=18182

if [ -z "$SETUP_ONLY" ]; then
    command -v wrk >/dev/null || { echo "install wrk (apt-get install wrk)" >&2; exit 1; }
    cargo build --release -q -p vpsd -p vpsd-bench
fi
VPSD=$PWD/target/release/vpsd
BENCH=$PWD/target/release/vpsd-bench
WORK=$(mktemp -d)
chmod 777 "$WORK"
# Stops what this script started, on every exit: the end, an error (set -e),
# Ctrl-C, `kill`. PostgreSQL runs under `runuser`, which does not pass a
# signal on, so the postmaster is stopped by its own pid (postmaster.pid).
stop() { # pid [signal]: signal it, wait up to 5 s, then KILL
    local pid=$1 sig=${2:-TERM}
    kill "-$sig" "$pid" 2>/dev/null || return 0
    for _ in $(seq 50); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
}
cleanup() {
    local status=$?
    trap - EXIT INT TERM HUP
    [ -n "${SERVER:-}" ] && stop "$SERVER"
    [ -n "${BASE:-}" ] && stop "$BASE"
    [ -n "${HOLD:-}" ] && stop "$HOLD"
    if [ -n "${PGPID:-}" ]; then
        # Started but not yet written its pid file: give it a moment.
        for _ in $(seq 20); do
            [ -s "$WORK/pg/postmaster.pid" ] || ! kill -0 "$PGPID" 2>/dev/null && break
            sleep 0.1
        done
        if [ -s "$WORK/pg/postmaster.pid" ]; then
            stop "$(head -1 "$WORK/pg/postmaster.pid")" QUIT
        fi
        stop "$PGPID"
    fi
    rm -rf "$WORK"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# wrk --latency prints the distribution; pull out req/s, p50 and p99 (ms).
wrk_run() { # name url [script]
    local name=$1 url=$2 script=${3:-}
    local args=(-t"$THREADS" -c"$CONNS" -d"${DURATION}s" --latency -H "Authorization: Bearer $TOKEN")
    [ -n "$script" ] && args+=(-s "$script")
    local out
    out=$(wrk "${args[@]}" "$url")
    local rps p50 p99 errors
    rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    p50=$(echo "$out" | awk '$1 == "50%" {print $2}')
    p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
    errors=$(echo "$out" | awk '/Non-2xx/ {print $5}')
    echo "$name|$rps|$p50|$p99|${errors:-0}"
}

peak_rss_mb() { awk '/VmHWM/ {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }

start_vpsd() { # database-url
    RUST_LOG=warn "$VPSD" serve --database "$1" --listen "127.0.0.1:$PORT" \
        --rate-limit off --registration-delay 1h >"$WORK/vpsd.log" 2>&1 &
    SERVER=$!
    for _ in $(seq 100); do
        curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && return 0
        sleep 0.1
    done
    echo "vpsd did not start" >&2; cat "$WORK/vpsd.log" >&2; exit 1
}

register_script() { # file
    cat >"$1" <<LUA
local id = 0
function setup(thread) id = id + 1; thread:set("tid", id) end
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("POST", "/api/v1/domains/", {["Authorization"] = "Bearer $TOKEN",
    ["Content-Type"] = "application/json"},
    string.format('{"domain_name": "bench-%s-%d-%d.com"}', "$RUN", tid, counter))
end
LUA
}

# Every request a different search (three random digits, page sizes 10-60):
# the list pages kept per process (list_cache.rs) seldom hold it, so this
# measures the page's query itself.
uncached_search_script() { # file
    cat >"$1" <<LUA
math.randomseed(os.time())
request = function()
  local path = string.format("/api/v1/domains/?search=%03d&page_size=%d",
    math.random(0, 999), math.random(10, 60))
  return wrk.format("GET", path, {["Authorization"] = "Bearer $TOKEN"})
end
LUA
}

run_backend() { # label database-url
    local label=$1 url=$2
    local t0 t1
    t0=$(date +%s)
    local id
    id=$("$VPSD" --database "$url" account create --email bench@example.com --balance 100000000 2>/dev/null)
    TOKEN=$("$VPSD" --database "$url" token create --account "$id" 2>/dev/null)
    "$BENCH" seed --database "$url" --account "$id" --domains "${BENCH_DOMAINS:-1000000}"
    t1=$(date +%s)
    echo "seeded $label in $((t1 - t0)) s" >&2
    start_vpsd "$url"
    DETAIL_URL="http://127.0.0.1:$PORT/api/v1/domains/500/"
    DETAIL_SIZE=$(curl -s -H "Authorization: Bearer $TOKEN" "$DETAIL_URL" | wc -c)
    RUN=$label
    register_script "$WORK/register.lua"
    uncached_search_script "$WORK/uncached.lua"
    if [ "$label" = sqlite ]; then
        detail_against_baseline
    else
        wrk_run "$label GET detail" "$DETAIL_URL"
    fi
    wrk_run "$label GET list (50)" "http://127.0.0.1:$PORT/api/v1/domains/?page_size=50"
    wrk_run "$label GET list (50, search)" "http://127.0.0.1:$PORT/api/v1/domains/?page_size=50&search=77"
    wrk_run "$label GET list (50, search=ü)" "http://127.0.0.1:$PORT/api/v1/domains/?page_size=50&search=%C3%BC"
    wrk_run "$label GET list (search, a new one each time)" "http://127.0.0.1:$PORT/" "$WORK/uncached.lua"
    wrk_run "$label POST register" "http://127.0.0.1:$PORT/" "$WORK/register.lua"
    echo "$label peak RSS|$(peak_rss_mb "$SERVER")" >&2
    echo "RSS|$label|$(peak_rss_mb "$SERVER")"
    kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=
}

median() { sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

# GET detail and the baseline (a minimal axum server answering a body of
# the same size), alternated three times with the same load, so both meet
# the same machine; the ratio is of the medians.
detail_against_baseline() {
    "$BENCH" baseline --listen "127.0.0.1:$BASE_PORT" --body-size "$DETAIL_SIZE" &
    BASE=$!
    sleep 0.5
    local line base=() ours=()
    for round in 1 2 3; do
        line=$(wrk_run "baseline (axum, $DETAIL_SIZE-byte body), round $round" "http://127.0.0.1:$BASE_PORT/")
        echo "$line"; base+=("$(echo "$line" | cut -d'|' -f2)")
        line=$(wrk_run "sqlite GET detail, round $round" "$DETAIL_URL")
        echo "$line"; ours+=("$(echo "$line" | cut -d'|' -f2)")
    done
    echo "RSS|baseline|$(peak_rss_mb "$BASE")"
    kill "$BASE"; wait "$BASE" 2>/dev/null || true; BASE=
    local b o
    b=$(printf '%s\n' "${base[@]}" | median)
    o=$(printf '%s\n' "${ours[@]}" | median)
    echo "RATIO|sqlite GET detail / baseline (medians)|$o / $b|$(awk -v o="$o" -v b="$b" 'BEGIN {printf "%.1f%%", 100 * o / b}')"
}

start_postgres() {
    local bin
    bin=$(dirname "$(command -v initdb 2>/dev/null || ls /usr/lib/postgresql/*/bin/initdb | tail -1)")
    local as=()
    [ "$(id -u)" = 0 ] && as=(runuser -u postgres --)
    "${as[@]}" "$bin/initdb" -D "$WORK/pg" -U postgres --auth=trust --no-sync >/dev/null
    "${as[@]}" "$bin/postgres" -D "$WORK/pg" -k "$WORK" -c listen_addresses= \
        -c shared_buffers=256MB -c max_connections=100 >"$WORK/pg.log" 2>&1 &
    PGPID=$!
    for _ in $(seq 100); do
        [ -S "$WORK/.s.PGSQL.5432" ] && sleep 0.3 && return 0
        sleep 0.1
    done
    echo "PostgreSQL did not start" >&2; exit 1
}

if [ -n "$SETUP_ONLY" ]; then
    start_postgres
    echo ready
    # In the background, so a signal is taken at once, not after the sleep.
    sleep "${BENCH_HOLD:-0}" &
    HOLD=$!
    wait "$HOLD"
    HOLD=
    exit 0
fi

# In this shell, not a pipeline's subshell, so `cleanup` sees the pids.
{
    echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(date -u +%Y-%m-%d)"
    echo "wrk: $THREADS threads, $CONNS connections, ${DURATION}s per scenario"
    run_backend sqlite "sqlite://$WORK/bench.db"
    start_postgres
    run_backend postgres "postgres://postgres@localhost/postgres?host=$WORK"
} > >(tee "$WORK/results.txt")
