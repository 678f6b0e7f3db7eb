#!/usr/bin/env bash
# The tools that check the suite from the outside (tests/tests/e2e/outside.rs): Debian's
# Chromium, Node.js with the packages pinned in tests/web/package-lock.json (Spectral,
# Playwright, axe-core, openapi-typescript, TypeScript), and schemathesis in a Python venv
# under target/tools/; and SoftHSM2, the PKCS#11 module the HSM test signs through.
# Installs only what is missing; run by `just test`.
set -euo pipefail
cd "$(dirname "$0")/.."

SCHEMATHESIS_VERSION=4.32.5
if [ "$(id -u)" = 0 ]; then S=; else S=sudo; fi
missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
python3 -c 'import venv, ensurepip' 2>/dev/null || missing+=(python3-venv)
command -v pdftoppm >/dev/null || missing+=(poppler-utils)
command -v zbarimg >/dev/null || missing+=(zbar-tools)
# A real PKCS#11 module for the seal key in an HSM (services/attest/tests/hsm.rs).
command -v softhsm2-util >/dev/null || missing+=(softhsm2)
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing ${missing[*]} for the outside checks"
    $S env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    $S env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# The lock file pins every package; an install made from this very lock file is kept.
if ! cmp -s tests/web/package-lock.json tests/web/node_modules/.zegel-installed-lock 2>/dev/null; then
    npm ci --prefix tests/web --no-audit --no-fund --ignore-scripts --loglevel=error
    cp tests/web/package-lock.json tests/web/node_modules/.zegel-installed-lock
fi
if ! cmp -s dev/oidc/package-lock.json dev/oidc/node_modules/.zegel-installed-lock 2>/dev/null; then
    npm ci --prefix dev/oidc --no-audit --no-fund --ignore-scripts --loglevel=error
    cp dev/oidc/package-lock.json dev/oidc/node_modules/.zegel-installed-lock
fi

venv=target/tools/venv
if ! "$venv/bin/st" --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi
echo "outside tools: $(chromium --version 2>/dev/null | head -1); node $(node --version); $("$venv/bin/st" --version)"
