# Zegel — developer commands. Run through ./just on a machine without `just`.

set shell := ["bash", "-euo", "pipefail", "-c"]

# Every debug build here selects the whole workspace and names the binaries it wants. Cargo
# enables a dependency's features for the packages a command selects, so `-p a` and then
# `-p b` would each compile their own copies of shared dependencies; one selection means
# `just up`, `just demo` and `just test` share one build.
build := "cargo build -q --locked --workspace"
target := env_var_or_default("CARGO_TARGET_DIR", "target")
debug := target / "debug"
release := target / "release"
# The workspace's version: the image's tag and label, publiccode.yml's and the API's.
version := `sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -1`

# Start the whole suite locally (Postgres and Redis included), print URLs and a dev token.
# The development OpenID provider (dev/oidc) starts beside it, and the suite accepts the
# tokens of the people who log in there.
up: deps certs
    {{build}} --bin zegel-suite --bin zegel-certs
    @echo "Dev token (certification body cb-dev):"
    @{{debug}}/zegel-certs token certification_body cb-dev
    # On a developer's machine webhooks go to receivers on localhost; never in production.
    ZEGEL_NOTIFIER_ALLOW_PRIVATE_TARGETS="${ZEGEL_NOTIFIER_ALLOW_PRIVATE_TARGETS:-true}" \
        bash dev/oidc/start.sh {{debug}}/zegel-suite

# The development OpenID provider alone, in the foreground (its test people: dev/oidc/README.md).
oidc:
    bash dev/oidc/start.sh

# Fill the registers of a suite started with `just up` with a small, realistic data set
# (agencies in every state, buildings in three municipalities, seals, a poster) and print
# where to look.
demo: certs
    {{build}} --bin zegel-demo
    {{debug}}/zegel-demo

# Check the formatting and the lints (clippy, warnings are errors), run every test (unit,
# integration against real Postgres and Redis, cross-service), then
# the container image's (the suite started from it answers on every port), the checks from
# the outside (schemathesis fuzzes every service, Spectral lints the documents, a generated
# client runs the hirer check, Chromium with axe-core reads every page in every language),
# the Kubernetes manifests' (every overlay built and validated against k8s/schemas/), and
# the first run of a newcomer (`./just up` as root in a closed home, in a network namespace
# where no Postgres or Redis answers, on this build; and the private servers started as an
# ordinary user: .ci/first-run.sh). The image here is assembled from the debug binaries the
# tests built: the test checks what the image is made of and that it answers, which the
# optimiser does not change, and a second (release) build of everything would double the
# time of a first run.
test: deps certs outside-tools lint deny
    cargo test --locked --workspace --all-targets
    cargo test --locked -p zegel-attest --test hsm -- --ignored
    {{just_executable()}} image localhost/zegel:dev dev
    cargo test --locked --workspace --test e2e -- --ignored image::
    cargo test --locked --workspace --test e2e -- --ignored outside::
    cargo test --locked --workspace --test e2e -- --ignored login::
    bash .ci/first-run.sh
    @if command -v kubectl >/dev/null; then \
        cargo test --locked --workspace --test e2e -- --ignored k8s_manifests::; \
    else echo "NOT CHECKED: the Kubernetes manifests (no kubectl here for kustomize; see k8s/schemas/README.md)"; fi

# The container image (every service binary, FROM scratch, non-root; see Dockerfile), built
# here without pulling a base: binaries compiled here with cargo auditable (each carries its
# dependency list), an SBOM per binary (cargo cyclonedx), their root filesystem assembled
# with the dpkg records of the Debian libraries in it, then the Dockerfile's `local` stage,
# labelled with the workspace's version, the commit and its time. The tag is the version
# (`localhost/zegel:0.1.0`) unless given; `just image TAG dev` assembles it from debug
# binaries, as `just test` does.
image tag="" profile="release":
    @command -v podman >/dev/null && command -v runc >/dev/null || { echo "installing podman and runc for the image"; \
        if [ "$(id -u)" = 0 ]; then S=; else S=sudo; fi; \
        $S env DEBIAN_FRONTEND=noninteractive apt-get update -qq; \
        $S env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman runc >/dev/null; }
    bash .ci/supply-chain-tools.sh
    cargo auditable build -q --locked --workspace --profile {{profile}} --bin zegel-certificates --bin zegel-lookup \
        --bin zegel-gaccounts --bin zegel-bans --bin zegel-deposits --bin zegel-housing --bin zegel-notifier \
        --bin zegel-workbench --bin zegel-suite
    cargo cyclonedx -q --format json --spec-version 1.5 --target x86_64-unknown-linux-gnu
    image/rootfs.sh {{target / if profile == "dev" { "debug" } else { profile } }} target/image-rootfs
    podman build -q --target local -f Dockerfile \
        --build-arg VERSION={{version}} \
        --build-arg REVISION="$(git rev-parse HEAD 2>/dev/null || echo unknown)" \
        --build-arg CREATED="$(git log -1 --format=%cI 2>/dev/null || echo unknown)" \
        -t {{ if tag == "" { "localhost/zegel:" + version } else { tag } }} target/image-rootfs
    @podman image inspect {{ if tag == "" { "localhost/zegel:" + version } else { tag } }} --format 'image {{{{.RepoTags}}: {{{{.Size}} bytes'

# The dependency policy (deny.toml): licences, advisories, duplicate versions, sources. When
# RustSec's database cannot be fetched (no route to GitHub, as in CI here), the copy under
# ~/.cargo/advisory-dbs is used and its date printed; without one, advisories are NOT
# CHECKED and it says so.
deny:
    bash .ci/supply-chain-tools.sh
    bash .ci/deny.sh

# Benchmarks (a program, not a test): prints measured figures and their ratios to baselines.
bench: deps
    @command -v nginx >/dev/null || { echo "installing nginx-light for the HTTP baseline"; \
        if [ "$(id -u)" = 0 ]; then S=; else S=sudo; fi; \
        $S env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null; \
        $S service nginx stop >/dev/null 2>&1 || true; }
    @command -v wrk >/dev/null || { echo "installing wrk, the external load generator"; \
        if [ "$(id -u)" = 0 ]; then S=; else S=sudo; fi; \
        $S env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
    cargo build --release -q --locked --workspace --bin zegel-bench
    {{release}}/zegel-bench

# Faults under load (not part of CI; ZEGEL_SOAK_MINUTES, default 30): the suite as its
# service binaries against a private Postgres and Redis; Postgres restarted once, Redis
# killed and restarted once; wrong verdicts, lost events, ledger violations, memory and the
# error answers during each outage reported. Leaves nothing running.
soak: certs
    @command -v redis-server >/dev/null && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || bash .ci/services.sh
    cargo build --release -q --locked --workspace --bin zegel-soak --bin zegel-certificates --bin zegel-lookup \
        --bin zegel-gaccounts --bin zegel-bans --bin zegel-deposits --bin zegel-housing --bin zegel-notifier
    {{release}}/zegel-soak

# The tools of the outside checks: Chromium, Node.js packages (tests/web, and dev/oidc for
# the login check), schemathesis.
outside-tools:
    bash .ci/outside-tools.sh

# Where the time of a scan goes: the bench's distinct-seal load for 20 s under `perf record`
# (every process: the services, Postgres, the load generator), summarised by component.
profile: deps
    @command -v perf >/dev/null || { echo "installing linux-perf"; \
        if [ "$(id -u)" = 0 ]; then S=; else S=sudo; fi; \
        $S env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq linux-perf >/dev/null; }
    cargo build --release -q --locked --workspace --bin zegel-bench
    mkdir -p out && rm -f out/perf.ctl && mkfifo out/perf.ctl
    ZEGEL_BENCH_PROFILE_SECS=20 ZEGEL_BENCH_PERF_CONTROL=out/perf.ctl perf record -a -F 499 -e cpu-clock -D -1 \
        --control fifo:out/perf.ctl -o out/perf.data -- {{release}}/zegel-bench
    perf report -i out/perf.data --no-children --sort comm,dso,sym --stdio 2>/dev/null | python3 .ci/profile-summary.py

# Dev keys under certs/dev/ (idempotent, never committed).
certs:
    {{build}} --bin zegel-certs
    {{debug}}/zegel-certs init

# Print a dev bearer token: just token ROLE [ORG]
token role org="":
    @{{build}} --bin zegel-certs
    @{{debug}}/zegel-certs token {{role}} {{org}}

# Postgres and Redis: use running ones, else start private instances, else install them.
deps:
    bash .ci/services.sh

# Formatting and lints (`just test` runs them first). rustup's default profile has both
# components; a minimal toolchain gets them added.
lint:
    @command -v rustup >/dev/null && rustup component add rustfmt clippy >/dev/null 2>&1 || true
    cargo fmt --all -- --check
    cargo clippy --locked --workspace --all-targets -- -D warnings
