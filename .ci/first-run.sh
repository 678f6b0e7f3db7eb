#!/usr/bin/env bash
# The first run of a newcomer on a fresh server (issue 19): a clone in a directory only
# root may enter, `./just up` as root, and nothing answering on 5432 or 6379, so the
# suite must start a private Postgres and Redis itself. Makes a private network namespace
# for that (as root), runs `./just up` in a fresh clone of this repository inside it, waits
# until every service answers and the hirer check page shows a verdict, and cleans up
# however it ends: the suite, the private servers, their data and the clone.
#
# The clone builds into a target directory of its own, as a newcomer's would (sharing this
# checkout's would overwrite its crates with ones pointing at the clone's paths: cargo
# names a workspace crate's artifacts by its place in the workspace); only the downloaded
# crates are shared. Prints how long `./just up` took until every service answered.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
if [ "$(id -u)" != 0 ] || ! command -v unshare >/dev/null; then
    echo "NOT CHECKED: the first run as root in a closed home without Postgres or Redis (needs root and unshare)"
    exit 0
fi
home="$(mktemp -d /tmp/zegel-first-run-XXXXXX)"
clone="$home/zegel"
pgdata="/var/lib/zegel/$(printf '%s' "$clone" | sha256sum | cut -c1-16)"
cleanup() {
    bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    if [ -n "$bin" ] && [ -d "$pgdata/postgres" ]; then
        (cd / && runuser -u postgres -- "$bin/pg_ctl" -D "$pgdata/postgres" -m immediate stop >/dev/null 2>&1) || true
    fi
    rm -rf "$pgdata" "$home"
}
trap cleanup EXIT
trap 'exit 143' INT TERM

chmod 700 "$home"
git clone -q "$repo" "$clone"
if (cd / && runuser -u postgres -- test -x "$home"); then
    echo "first run: $home should be closed to the postgres user" >&2
    exit 1
fi

started=$(date +%s)
unshare -n bash -euo pipefail -c '
    clone=$1
    ip link set lo up
    for port in 5432 6379 8080; do
        if (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; then echo "port $port answers in the new namespace" >&2; exit 3; fi
    done
    cd "$clone"
    export CARGO_NET_OFFLINE=true
    # A session of its own: stopping it stops just, cargo and the suite together.
    setsid ./just up > up.log 2>&1 &
    up=$!
    stop() {
        kill -TERM -- "-$up" 2>/dev/null || true
        wait "$up" 2>/dev/null || true
        me=$(readlink /proc/self/ns/net)
        for p in $(pgrep redis-server || true); do
            if [ "$(readlink /proc/$p/ns/net)" = "$me" ]; then kill "$p"; fi
        done
    }
    trap stop EXIT
    ready=0
    for _ in $(seq 1 1500); do
        ready=0
        for port in 8080 8081 8082 8083 8084 8085 8086; do
            if curl -fsS -o /dev/null "http://127.0.0.1:$port/readyz" 2>/dev/null; then ready=$((ready + 1)); fi
        done
        [ "$ready" = 7 ] && break
        kill -0 "$up" 2>/dev/null || break
        sleep 1
    done
    grep -E "^(postgres|redis):" up.log
    if [ "$ready" != 7 ]; then echo "only $ready of 7 services answer" >&2; tail -n 40 up.log >&2; exit 1; fi
    page=$(curl -fsS "http://127.0.0.1:8080/check?kvk=12345678&lang=en")
    verdict=$(printf "%s" "$page" | grep -o "<section class=\"verdict [a-z_-]*\"" | head -n 1 || true)
    if [ -z "$verdict" ]; then echo "the hirer check page shows no verdict" >&2; exit 1; fi
    echo "hirer check page: $verdict"
    grep -q "./just demo" up.log || { echo "just up does not tell what to do next" >&2; exit 1; }
' first-run "$clone" | sed 's/^/first run: /'
echo "first run: every service answered, as root in a closed home, with private Postgres and Redis, $(( $(date +%s) - started )) s after ./just up"
