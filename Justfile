# Zegel — developer commands. Run through ./just on a machine without `just`.

set shell := ["bash", "-euo", "pipefail", "-c"]

# Start the whole suite locally (Postgres and Redis included), print URLs and a dev token.
up: deps certs
    cargo build -q -p zegel-suite -p zegel-certs
    @echo "Dev token (certification body cb-dev):"
    @cargo run -q -p zegel-certs -- token certification_body cb-dev
    # On a developer's machine webhooks go to receivers on localhost; never in production.
    ZEGEL_NOTIFIER_ALLOW_PRIVATE_TARGETS="${ZEGEL_NOTIFIER_ALLOW_PRIVATE_TARGETS:-true}" cargo run -q -p zegel-suite

# Fill the registers of a suite started with `just up` with a small, realistic data set
# (agencies in every state, buildings in three municipalities, seals, a poster) and print
# where to look.
demo: certs
    cargo run -q -p zegel-e2e --bin zegel-demo

# Run every test (unit, integration against real Postgres and Redis, cross-service), then
# the container image's (the suite started from it answers on every port), the checks from
# the outside (schemathesis fuzzes every service, Spectral lints the documents, a generated
# client runs the hirer check, Chromium with axe-core reads every page in every language),
# the Kubernetes manifests' (every overlay built and validated against k8s/schemas/), and
# the first run of a newcomer (`./just up` as root in a closed home, in a network namespace
# where no Postgres or Redis answers: .ci/first-run.sh).
test: deps certs image outside-tools
    cargo test --workspace --all-targets
    cargo test -p zegel-e2e --test image -- --ignored
    cargo test -p zegel-e2e --test outside -- --ignored
    bash .ci/first-run.sh
    @if command -v kubectl >/dev/null; then \
        cargo test -p zegel-e2e --test k8s_manifests -- --ignored; \
    else echo "NOT CHECKED: the Kubernetes manifests (no kubectl here for kustomize; see k8s/schemas/README.md)"; fi

# The container image (every service binary, FROM scratch, non-root; see Dockerfile), built
# here without pulling a base: release binaries compiled here, their root filesystem
# assembled, then the Dockerfile's `local` stage.
image tag="localhost/zegel:dev":
    @command -v podman >/dev/null && command -v runc >/dev/null || { echo "installing podman and runc for the image"; \
        if [ "$(id -u)" = 0 ]; then S=; else S=sudo; fi; \
        $S env DEBIAN_FRONTEND=noninteractive apt-get update -qq; \
        $S env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman runc >/dev/null; }
    cargo build --release --locked --bins -p zegel-certificates -p zegel-lookup -p zegel-gaccounts \
        -p zegel-bans -p zegel-deposits -p zegel-housing -p zegel-notifier -p zegel-suite
    image/rootfs.sh target/release target/image-rootfs
    podman build -q --target local -f Dockerfile -t {{tag}} target/image-rootfs
    @podman image inspect {{tag}} --format 'image {{{{.RepoTags}}: {{{{.Size}} bytes'

# Benchmarks (a program, not a test): prints measured figures and their ratios to baselines.
bench: deps
    @command -v nginx >/dev/null || { echo "installing nginx-light for the HTTP baseline"; \
        if [ "$(id -u)" = 0 ]; then S=; else S=sudo; fi; \
        $S env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null; \
        $S service nginx stop >/dev/null 2>&1 || true; }
    cargo run --release -q -p zegel-e2e --bin zegel-bench

# Faults under load (not part of CI; ZEGEL_SOAK_MINUTES, default 30): the suite as its
# service binaries against a private Postgres and Redis; Postgres restarted once, Redis
# killed and restarted once; wrong verdicts, lost events, ledger violations, memory and the
# error answers during each outage reported. Leaves nothing running.
soak: certs
    @command -v redis-server >/dev/null && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || bash .ci/services.sh
    cargo build --release -q -p zegel-e2e --bin zegel-soak
    cargo build --release -q --bins -p zegel-certificates -p zegel-lookup -p zegel-gaccounts -p zegel-bans \
        -p zegel-deposits -p zegel-housing -p zegel-notifier
    target/release/zegel-soak

# The tools of the outside checks: Chromium, Node.js packages (tests/web), schemathesis.
outside-tools:
    bash .ci/outside-tools.sh

# Where the time of a scan goes: the bench's distinct-seal load for 20 s under `perf record`
# (every process: the services, Postgres, the load generator), summarised by component.
profile: deps
    @command -v perf >/dev/null || { echo "installing linux-perf"; \
        if [ "$(id -u)" = 0 ]; then S=; else S=sudo; fi; \
        $S env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq linux-perf >/dev/null; }
    cargo build --release -q -p zegel-e2e --bin zegel-bench
    mkdir -p out && rm -f out/perf.ctl && mkfifo out/perf.ctl
    ZEGEL_BENCH_PROFILE_SECS=20 ZEGEL_BENCH_PERF_CONTROL=out/perf.ctl perf record -a -F 499 -e cpu-clock -D -1 \
        --control fifo:out/perf.ctl -o out/perf.data -- target/release/zegel-bench
    perf report -i out/perf.data --no-children --sort comm,dso,sym --stdio 2>/dev/null | python3 .ci/profile-summary.py

# Dev keys under certs/dev/ (idempotent, never committed).
certs:
    cargo run -q -p zegel-certs -- init

# Print a dev bearer token: just token ROLE [ORG]
token role org="":
    @cargo run -q -p zegel-certs -- token {{role}} {{org}}

# Postgres and Redis: use running ones, else start private instances, else install them.
deps:
    bash .ci/services.sh

# Formatting and lints, as CI would want them.
lint:
    cargo fmt --all -- --check
    cargo clippy --workspace --all-targets -- -D warnings
