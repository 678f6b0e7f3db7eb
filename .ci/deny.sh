#!/usr/bin/env bash
# `just deny`: cargo deny over deny.toml. Licences, duplicate versions and sources need
# nothing but Cargo.lock; advisories need RustSec's database. It is fetched when GitHub is
# reachable; otherwise the copy under ~/.cargo/advisory-dbs is used (the date of its last
# commit printed: advisories newer than that are not known to this check); without a copy
# the advisories are NOT CHECKED, said loudly, and the rest still must pass.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp)
trap 'rm -f "$out"' EXIT

# Runs cargo deny with `$@`; prints the verdict and how many duplicate versions it found, or
# everything it said when it failed.
deny() {
    if cargo deny "$@" --hide-inclusion-graph >"$out" 2>&1; then
        echo "deny: $(tail -n 1 "$out"); $(grep -c '^warning\[duplicate\]' "$out" || true) crates in more than one version"
    else
        cat "$out"
        return 1
    fi
}

db=$(find ~/.cargo/advisory-dbs -mindepth 1 -maxdepth 1 -type d -name 'advisory-db*' 2>/dev/null | head -1 || true)
dated() { echo "deny: RustSec's database as of $(git -C "$db" log -1 --format=%cs 2>/dev/null || echo 'an unknown date')"; }
if deny --locked check; then
    dated
    exit 0
fi
grep -q 'failed to fetch advisory database' "$out" || exit 1
if [ -n "$db" ] && [ -n "$(ls -A "$db")" ]; then
    echo "deny: RustSec's database could not be fetched; the copy here is used"
    deny --frozen check
    dated
else
    echo "NOT CHECKED: advisories (RustSec's database cannot be fetched and there is no copy in ~/.cargo/advisory-dbs)"
    deny --frozen check licenses bans sources
fi
