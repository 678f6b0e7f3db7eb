#!/usr/bin/env bash
# Release step, where a registry is reachable: pins every third-party image the suite runs
# or builds with to the digest its tag names today — the Dockerfile's builder, and Redis,
# Sentinel and PostgreSQL in k8s/base — writing `name:tag@sha256:…` in place, so that a tag
# moved or deleted upstream (Opstree deletes old Redis tags) changes nothing that runs.
# Commit the result with the release; `ZEGEL_RELEASE=1 cargo test --test e2e -- --ignored
# k8s_manifests::` then refuses any image without a digest.
#
#   image/pin-images.sh            (needs skopeo: apt-get install skopeo)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v skopeo >/dev/null || { echo "pin-images: needs skopeo (apt-get install skopeo)" >&2; exit 1; }

pin() { # file, image reference as written (name:tag, possibly @sha256 already)
    local file=$1 ref=$2 name_tag=${2%@*} digest
    digest=$(skopeo inspect --format '{{.Digest}}' "docker://$name_tag")
    [[ $digest == sha256:* ]] || { echo "pin-images: no digest for $name_tag" >&2; exit 1; }
    sed -i "s|$ref|$name_tag@$digest|" "$file"
    echo "$file: $name_tag@$digest"
}

pin Dockerfile "$(sed -n 's/^ARG BUILDER=//p' Dockerfile)"
for file in k8s/base/redis.yaml k8s/base/postgres.yaml; do
    grep -oE '(quay\.io|ghcr\.io|docker\.io)/[^" ]+' "$file" | sort -u | while read -r ref; do pin "$file" "$ref"; done
done
