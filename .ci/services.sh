#!/usr/bin/env bash
# Makes sure Postgres (127.0.0.1:5432, user postgres, trust) and Redis (127.0.0.1:6379)
# answer: uses running servers; otherwise starts private instances under .data/ from the
# installed binaries; otherwise installs the Debian packages first.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA="$PWD/.data"
mkdir -p "$DATA"

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
apt_install() {
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}
wait_for() {
    for _ in $(seq 1 60); do listening "$1" && return 0; sleep 0.5; done
    echo "nothing answers on port $1" >&2; return 1
}

if listening 5432; then
    echo "postgres: using the server on 127.0.0.1:5432"
else
    bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    if [ -z "$bindir" ]; then
        echo "postgres: installing the Debian package"
        apt_install postgresql
        bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
    fi
    pgdata="$DATA/postgres"
    # initdb and postgres refuse to run as root: run them as the postgres user then.
    # (From /: the postgres user may not be able to enter the current directory.)
    run_pg() { if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi; }
    if [ "$(id -u)" = 0 ] && ! run_pg test -x "$DATA"; then
        # A clone under a home only root may enter (/root on a fresh server): the postgres
        # user cannot reach .data/ there, so its data lives under /var/lib/zegel, one
        # directory per clone.
        pgdata="/var/lib/zegel/$(printf '%s' "$PWD" | sha256sum | cut -c1-16)/postgres"
        echo "postgres: $DATA is closed to the postgres user; its data goes to $pgdata"
    fi
    if [ ! -s "$pgdata/PG_VERSION" ]; then
        mkdir -p "$pgdata"
        [ "$(id -u)" = 0 ] && chown -R postgres:postgres "$pgdata"
        run_pg "$bindir/initdb" -D "$pgdata" -U postgres --auth=trust >/dev/null
    fi
    echo "postgres: starting a private instance in $pgdata"
    run_pg "$bindir/pg_ctl" -D "$pgdata" -l "$pgdata/server.log" -o "-p 5432 -k /tmp -c listen_addresses=127.0.0.1" start >/dev/null
    wait_for 5432
fi

if listening 6379; then
    echo "redis: using the server on 127.0.0.1:6379"
else
    if ! command -v redis-server >/dev/null 2>&1; then
        echo "redis: installing the Debian package"
        apt_install redis-server
    fi
    echo "redis: starting a private instance (no persistence: Redis is never the truth)"
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
        --dir "$DATA" --logfile "$DATA/redis.log"
    wait_for 6379
fi
