#!/usr/bin/env bash
# The first run of a newcomer on a fresh server (issue 19): `./just up` as root in a
# directory only root may enter, with nothing answering on 5432 or 6379, so the suite must
# start a private Postgres and Redis itself; then the private servers once more as an
# ordinary user. Makes a private network namespace for each (as root), waits until every
# service answers and the hirer check page shows a verdict, and cleans up however it ends:
# the suite, the private servers, their data and the directories it made.
#
#   .ci/first-run.sh           this checkout, as built (run by `just test`, after the tests
#                              built everything): the checkout is mounted at a path under a
#                              closed directory, in a mount namespace of its own, so cargo
#                              finds its build there and the run checks the start, not the
#                              compiler.
#   .ci/first-run.sh --fresh   a fresh clone of HEAD, built from nothing in a target
#                              directory of its own (only downloaded crates are shared): what
#                              a newcomer waits for, measured; docs/TOUR.md's figure.
#
# (Never a clone sharing this checkout's target directory: cargo names a workspace crate's
# artifacts by its place in the workspace, so the clone's crates would replace this
# checkout's, pointing at the clone's paths.)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
fresh=false
[ "${1:-}" = --fresh ] && fresh=true
if [ "$(id -u)" != 0 ] || ! command -v unshare >/dev/null || ! command -v setpriv >/dev/null; then
    echo "NOT CHECKED: the first run as root in a closed home without Postgres or Redis (needs root, unshare and setpriv)"
    exit 0
fi
home="$(mktemp -d /tmp/zegel-first-run-XXXXXX)"
clone="$home/zegel"
pgdata="/var/lib/zegel/$(printf '%s' "$clone" | sha256sum | cut -c1-16)"
user_dir=""
pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true; }
# The private Redis of the network namespace this runs in (there is no other way to find
# it: it daemonises, and its port is the same in every namespace).
stop_namespace_redis() {
    local me p
    me=$(readlink /proc/self/ns/net)
    for p in $(pgrep redis-server || true); do
        if [ "$(readlink "/proc/$p/ns/net")" = "$me" ]; then kill "$p"; fi
    done
}
export -f stop_namespace_redis
# A command as the ordinary user of the second check (from /, which every user may enter).
as_nobody() { (cd / && setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$@"); }
export -f as_nobody
stop_root_pg() {
    local bin
    bin=$(pg_bin)
    if [ -n "$bin" ] && [ -d "$pgdata/postgres" ]; then
        (cd / && runuser -u postgres -- "$bin/pg_ctl" -D "$pgdata/postgres" -m immediate stop >/dev/null 2>&1) || true
    fi
}
cleanup() {
    stop_root_pg
    local bin
    bin=$(pg_bin)
    if [ -n "$bin" ] && [ -n "$user_dir" ] && [ -d "$user_dir/zegel/.data/postgres" ]; then
        as_nobody "$bin/pg_ctl" -D "$user_dir/zegel/.data/postgres" -m immediate stop >/dev/null 2>&1 || true
    fi
    rm -rf "$pgdata" "$home"
    [ -n "$user_dir" ] && rm -rf "$user_dir"
    return 0
}
trap cleanup EXIT
trap 'exit 143' INT TERM

chmod 700 "$home"
if $fresh; then
    git clone -q "$repo" "$clone"
else
    mkdir "$clone"
    # What `./just up` needs and this run's build has: the binaries must be current.
    (cd "$repo" && cargo build -q --locked --workspace --bin zegel-suite --bin zegel-certs)
    built=$(stat -c %Y "${CARGO_TARGET_DIR:-$repo/target}/debug/zegel-suite")
fi
if (cd / && runuser -u postgres -- test -x "$home"); then
    echo "first run: $home should be closed to the postgres user" >&2
    exit 1
fi

# Inside: a network namespace with only loopback, where nothing answers; for the mode on
# this build also a mount namespace, where the checkout appears at $clone.
started=$(date +%s)
unshare -n -m --propagation private bash -euo pipefail -c '
    repo=$1 clone=$2 fresh=$3
    ip link set lo up
    for port in 5432 6379 8080; do
        if (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; then echo "port $port answers in the new namespace" >&2; exit 3; fi
    done
    [ "$fresh" = true ] || mount --bind "$repo" "$clone"
    cd "$clone"
    export CARGO_NET_OFFLINE=true
    # A session of its own: stopping it stops just, cargo and the suite together.
    setsid ./just up > "$clone/../up.log" 2>&1 &
    up=$!
    stop() {
        kill -TERM -- "-$up" 2>/dev/null || true
        wait "$up" 2>/dev/null || true
        stop_namespace_redis
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
    log="$clone/../up.log"
    grep -E "^(postgres|redis):" "$log"
    if [ "$ready" != 7 ]; then echo "only $ready of 7 services answer" >&2; tail -n 40 "$log" >&2; exit 1; fi
    page=$(curl -fsS "http://127.0.0.1:8080/check?kvk=12345678&lang=en")
    verdict=$(printf "%s" "$page" | grep -o "<section class=\"verdict [a-z_-]*\"" | head -n 1 || true)
    if [ -z "$verdict" ]; then echo "the hirer check page shows no verdict" >&2; exit 1; fi
    echo "hirer check page: $verdict"
    grep -q "./just demo" "$log" || { echo "just up does not tell what to do next" >&2; exit 1; }
' first-run "$repo" "$clone" "$fresh" | sed 's/^/first run: /'
took=$(( $(date +%s) - started ))
if ! $fresh && [ "$(stat -c %Y "${CARGO_TARGET_DIR:-$repo/target}/debug/zegel-suite")" != "$built" ]; then
    # Cargo rebuilt at the mounted path: the binaries now point at it (their dev defaults are
    # paths under the checkout). Mark the sources changed so the next build here redoes them.
    find "$repo/services" "$repo/certs" "$repo/tests" -name '*.rs' -path '*/src/*' -exec touch {} +
    echo "first run: cargo rebuilt the suite at $clone instead of reusing this checkout's build" >&2
    exit 1
fi
if $fresh; then
    echo "first run: every service answered, as root in a closed home of a fresh clone, with private Postgres and Redis, $took s after ./just up"
else
    echo "first run: every service answered, as root in a closed home, with private Postgres and Redis, $took s after ./just up (this build)"
fi

# An ordinary user: the private servers in a directory of its own, started without root
# (initdb and Postgres as that user, no runuser), in a namespace where nothing answers.
# (The first Postgres stops first: its socket's lock in /tmp is outside any namespace.)
stop_root_pg
user_dir="$(mktemp -d /tmp/zegel-first-run-user-XXXXXX)"
mkdir -p "$user_dir/zegel/.ci"
cp "$repo/.ci/services.sh" "$user_dir/zegel/.ci/"
chown -R nobody:nogroup "$user_dir"
unshare -n bash -euo pipefail -c '
    dir=$1 bin=$2
    ip link set lo up
    stop() {
        as_nobody "$bin/pg_ctl" -D "$dir/zegel/.data/postgres" -m fast stop >/dev/null 2>&1 || true
        stop_namespace_redis
    }
    trap stop EXIT
    if ! as_nobody env HOME="$dir" bash "$dir/zegel/.ci/services.sh"; then
        tail -n 20 "$dir/zegel/.data/postgres/server.log" >&2 2>/dev/null || true
        exit 1
    fi
    (exec 3<>/dev/tcp/127.0.0.1/5432) && (exec 3<>/dev/tcp/127.0.0.1/6379)
    owner=$(stat -c %U "$dir/zegel/.data/postgres/PG_VERSION")
    [ "$owner" = nobody ] || { echo "the data belongs to $owner, not the user who started it" >&2; exit 1; }
    echo "Postgres and Redis answer; the data is the user'"'"'s own ($dir/zegel/.data)"
' first-run-user "$user_dir" "$(pg_bin)" | sed 's/^/first run (ordinary user): /'
