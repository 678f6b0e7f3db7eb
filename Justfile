# Zegel — developer commands. Run through ./just on a machine without `just`.

set shell := ["bash", "-euo", "pipefail", "-c"]

# Start the whole suite locally (Postgres and Redis included), print URLs and a dev token.
up: deps certs
    cargo build -q -p zegel-suite -p zegel-certs
    @echo "Dev token (certification body cb-dev):"
    @cargo run -q -p zegel-certs -- token certification_body cb-dev
    # On a developer's machine webhooks go to receivers on localhost; never in production.
    ZEGEL_NOTIFIER_ALLOW_PRIVATE_TARGETS="${ZEGEL_NOTIFIER_ALLOW_PRIVATE_TARGETS:-true}" cargo run -q -p zegel-suite

# Run every test (unit, integration against real Postgres and Redis, cross-service).
test: deps certs
    cargo test --workspace --all-targets

# Benchmarks (a program, not a test): prints measured figures and their ratios to baselines.
bench: deps
    @command -v nginx >/dev/null || { echo "installing nginx-light for the HTTP baseline"; \
        if [ "$(id -u)" = 0 ]; then S=; else S=sudo; fi; \
        $S env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null; \
        $S service nginx stop >/dev/null 2>&1 || true; }
    cargo run --release -q -p zegel-e2e --bin zegel-bench

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
