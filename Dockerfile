# Zegel: one image with every service binary (one register per binary, plus zegel-suite,
# all in one process, for a trial). Each Kubernetes Deployment runs its own binary:
#   command: ["/usr/local/bin/zegel-bans", "serve"]   (or "migrate", once per release)
#
# Two ways to build it, the same final image:
#   - where a registry is reachable: `podman build --target image -t zegel .`
#     (the Rust toolchain image compiles; nothing of it reaches the final stage)
#   - on a machine that reaches no registry: `just image`, which compiles here and builds
#     the `local` target, pulling nothing (both final stages are FROM scratch).
# The final stages hold the binaries (built with cargo auditable: each carries its
# dependency list), the shared libraries they load with the dpkg records of their Debian
# packages, the CA bundle, an SBOM per binary (CycloneDX) and a passwd entry: no shell, no
# package manager, no compiler. They run as uid 65532. The labels name the release
# (VERSION is the workspace's version; `just image` passes it, the commit and the time).
# docs/OPERATIONS.md, "Releasing the image", says how it is signed and its SBOM attested.

# Pinned by digest at release (image/pin-images.sh), where a registry is reachable.
ARG BUILDER=docker.io/library/rust:1.95-bookworm

FROM ${BUILDER} AS build
WORKDIR /src
COPY . .
RUN bash .ci/supply-chain-tools.sh \
    && cargo auditable build --release --locked --bins \
        -p zegel-certificates -p zegel-lookup -p zegel-gaccounts -p zegel-bans \
        -p zegel-deposits -p zegel-housing -p zegel-notifier -p zegel-workbench -p zegel-suite \
    && cargo cyclonedx --format json --spec-version 1.5 --target x86_64-unknown-linux-gnu \
    && image/rootfs.sh target/release /rootfs

# What both final stages share: nothing but labels and how the image runs.
FROM scratch AS final
ARG VERSION=0.1.0
ARG REVISION=unknown
ARG CREATED=unknown
LABEL org.opencontainers.image.title="Zegel" \
      org.opencontainers.image.description="Registers that make the protection of labour migrants in the Netherlands checkable by anyone" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.licenses="EUPL-1.2" \
      org.opencontainers.image.source="https://git.zegel.example.nl/zegel/zegel" \
      org.opencontainers.image.vendor="Zegel"
# Services listen on every interface inside a container (a pod's network is its own).
ENV ZEGEL_HOST=0.0.0.0 ZEGEL_LOG_FORMAT=json
USER 65532:65532
CMD ["/usr/local/bin/zegel-suite"]

FROM final AS image
COPY --from=build /rootfs/ /

# Built with the assembled root filesystem as its context (just image).
FROM final AS local
COPY . /
