#!/usr/bin/env bash
# The development OpenID provider (provider.mjs), installed on first use: Node.js from
# Debian's packages when the machine has none, the pinned packages of package-lock.json.
#
#   dev/oidc/start.sh              runs the provider in the foreground (`just oidc`)
#   dev/oidc/start.sh CMD ARGS...  starts it in the background, runs CMD with
#                                  ZEGEL_OIDC_ISSUERS naming it (unless already set), and
#                                  stops it when CMD ends (`just up`). When it cannot start
#                                  (no Node.js and no way to install it, no npm registry),
#                                  CMD runs all the same, without people's login.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

install() {
    if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
        if [ "$(id -u)" = 0 ]; then S=; else S=sudo; fi
        echo "installing Node.js for the development OpenID provider" >&2
        $S env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null 2>&1 || return 1
    fi
    # An install made from this very lock file is kept.
    if ! cmp -s "$here/package-lock.json" "$here/node_modules/.zegel-installed-lock" 2>/dev/null; then
        npm ci --prefix "$here" --no-audit --no-fund --ignore-scripts --loglevel=error >&2 || return 1
        cp "$here/package-lock.json" "$here/node_modules/.zegel-installed-lock"
    fi
}

if [ $# -eq 0 ]; then
    install || { echo "the development OpenID provider needs Node.js and the npm registry" >&2; exit 1; }
    exec node "$here/provider.mjs"
fi

if ! install; then
    echo "NOT STARTED: the development OpenID provider (needs Node.js and the npm registry); people cannot log in, API tokens work" >&2
    exec "$@"
fi
log="$(mktemp)"
node "$here/provider.mjs" >"$log" 2>&1 &
provider=$!
trap 'kill "$provider" 2>/dev/null; rm -f "$log"' EXIT
issuer=""
for _ in $(seq 1 100); do
    issuer="$(sed -n 's/^issuer //p' "$log" | head -1)"
    [ -n "$issuer" ] && break
    kill -0 "$provider" 2>/dev/null || break
    sleep 0.1
done
if [ -z "$issuer" ]; then
    echo "NOT STARTED: the development OpenID provider: $(tail -3 "$log")" >&2
else
    echo "OpenID provider (development, people log in here): $issuer" >&2
    export ZEGEL_OIDC_ISSUERS="${ZEGEL_OIDC_ISSUERS:-$issuer}"
fi
"$@"
