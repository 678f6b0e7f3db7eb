# Zegel: one image with every service binary (one register per binary, plus zegel-suite,
# all in one process, for a trial). Each Kubernetes Deployment runs its own binary:
#   command: ["/usr/local/bin/zegel-bans", "serve"]   (or "migrate", once per release)
#
# Two ways to build it, the same final image:
#   - where a registry is reachable: `podman build --target image -t zegel .`
#     (the Rust toolchain image compiles; nothing of it reaches the final stage)
#   - on a machine that reaches no registry: `just image`, which compiles here and builds
#     the `local` target, pulling nothing (both final stages are FROM scratch).
# The final stages hold the binaries, the shared libraries they load, the CA bundle and a
# passwd entry: no shell, no package manager, no compiler. They run as uid 65532.

ARG BUILDER=docker.io/library/rust:1.95-bookworm

FROM ${BUILDER} AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bins \
        -p zegel-certificates -p zegel-lookup -p zegel-gaccounts -p zegel-bans \
        -p zegel-deposits -p zegel-housing -p zegel-notifier -p zegel-suite \
    && image/rootfs.sh target/release /rootfs

FROM scratch AS image
COPY --from=build /rootfs/ /
# Services listen on every interface inside a container (a pod's network is its own).
ENV ZEGEL_HOST=0.0.0.0 ZEGEL_LOG_FORMAT=json
USER 65532:65532
CMD ["/usr/local/bin/zegel-suite"]

# Built with the assembled root filesystem as its context (just image).
FROM scratch AS local
COPY . /
ENV ZEGEL_HOST=0.0.0.0 ZEGEL_LOG_FORMAT=json
USER 65532:65532
CMD ["/usr/local/bin/zegel-suite"]
