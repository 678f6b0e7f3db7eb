#!/usr/bin/env bash
# The supply-chain tools (`just deny`, `just image`): cargo-deny (licences, advisories,
# duplicates, sources), cargo-auditable (the dependency list embedded in every binary, which
# scanners read) and cargo-cyclonedx (the SBOM shipped in the image), each at the version
# pinned here, built from crates.io with its own lock file. Installs only what is missing.
set -euo pipefail

CARGO_DENY_VERSION=0.20.2
CARGO_AUDITABLE_VERSION=0.7.7
CARGO_CYCLONEDX_VERSION=0.5.9

installed=$(cargo install --list)
install() { # crate version
    if ! grep -qx "$1 v$2:" <<<"$installed"; then
        echo "installing $1 $2"
        cargo install --quiet --locked "$1" --version "$2"
    fi
}
install cargo-deny "$CARGO_DENY_VERSION"
install cargo-auditable "$CARGO_AUDITABLE_VERSION"
install cargo-cyclonedx "$CARGO_CYCLONEDX_VERSION"
