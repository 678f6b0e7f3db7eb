#!/usr/bin/env bash
# Assembles the image's root filesystem from built binaries (release ones for the image that
# ships; `just test` assembles one from its debug binaries): the binaries, the shared
# libraries they load (taken from the Debian system that built them), the CA bundle, and a
# passwd and group naming the non-root user. No shell, no package manager, no compiler: the
# image runs `FROM scratch` on top of exactly this, plus what scanners read to know it:
# the dpkg records of the Debian packages those libraries come from, and an SBOM per binary.
#
#   image/rootfs.sh <directory of the binaries> <output directory>
set -euo pipefail
bin_dir=$1
out=$2
binaries=(zegel-certificates zegel-lookup zegel-gaccounts zegel-bans zegel-deposits zegel-housing zegel-notifier zegel-workbench zegel-suite)

rm -rf "$out"
mkdir -p "$out/usr/local/bin" "$out/etc/ssl/certs" "$out/tmp"
chmod 1777 "$out/tmp"
for b in "${binaries[@]}"; do
    install -m 0755 "$bin_dir/$b" "$out/usr/local/bin/$b"
done

# Every shared library any binary loads, and the dynamic loader, at the paths it looks in.
for b in "${binaries[@]}"; do ldd "$out/usr/local/bin/$b"; done |
    awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' |
    sort -u |
    while read -r lib; do cp --parents -L "$lib" "$out"; done

# Roots for TLS to services whose CA is public (an OIDC provider's JWKS over HTTPS, a
# rediss:// server without ZEGEL_REDIS_CA_FILE).
cp -L /etc/ssl/certs/ca-certificates.crt "$out/etc/ssl/certs/ca-certificates.crt"

# What scanners (Trivy, Grype) read of a filesystem without a package manager: the Debian
# release, and the dpkg record of every package a file here comes from — one file per
# package under var/lib/dpkg/status.d/, as distroless images keep them. Each library copied
# above is one of those files; the CA bundle is ca-certificates'.
cp -L /etc/os-release "$out/etc/os-release"
mkdir -p "$out/var/lib/dpkg/status.d"
{
    (cd "$out" && find . -path ./usr/local -prune -o -path ./etc -prune -o -type f -print | sed 's|^\./||') | while read -r file; do
        dpkg -S "/$file" 2>/dev/null || { echo "rootfs: /$file belongs to no Debian package" >&2; exit 1; }
    done
    echo "ca-certificates: /etc/ssl/certs/ca-certificates.crt"
} | cut -d: -f1 | sort -u | while read -r package; do
    dpkg-query -s "$package" >"$out/var/lib/dpkg/status.d/$package"
done

# The SBOM of every binary (CycloneDX JSON, made by `just image` with cargo-cyclonedx) and
# the licence, where an auditor looks for them.
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out/usr/share/doc/zegel/sbom"
cp "$root/LICENSE" "$out/usr/share/doc/zegel/LICENSE"
for b in "${binaries[@]}"; do
    package=${b#zegel-}
    bom="$root/services/$package/$b.cdx.json"
    [ -f "$bom" ] || { echo "rootfs: no SBOM $bom (run cargo cyclonedx first, as just image does)" >&2; exit 1; }
    cp "$bom" "$out/usr/share/doc/zegel/sbom/$b.cdx.json"
done

printf 'zegel:x:65532:65532:zegel:/nonexistent:/sbin/nologin\n' >"$out/etc/passwd"
printf 'zegel:x:65532:\n' >"$out/etc/group"
