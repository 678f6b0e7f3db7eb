#!/usr/bin/env bash
# Assembles the image's root filesystem from built binaries (release ones for the image that
# ships; `just test` assembles one from its debug binaries): the binaries, the shared
# libraries they load (taken from the Debian system that built them), the CA bundle, and a
# passwd and group naming the non-root user. No shell, no package manager, no compiler: the
# image runs `FROM scratch` on top of exactly this.
#
#   image/rootfs.sh <directory of the binaries> <output directory>
set -euo pipefail
bin_dir=$1
out=$2
binaries=(zegel-certificates zegel-lookup zegel-gaccounts zegel-bans zegel-deposits zegel-housing zegel-notifier zegel-suite)

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

printf 'zegel:x:65532:65532:zegel:/nonexistent:/sbin/nologin\n' >"$out/etc/passwd"
printf 'zegel:x:65532:\n' >"$out/etc/group"
