# Zegel — developer commands. Run through ./just on a machine without `just`.

set shell := ["bash", "-euo", "pipefail", "-c"]

# Start the whole suite locally (Postgres and Redis included), print URLs and a dev token.
up: deps certs
    cargo build -q -p zegel-suite -p zegel-certs
    @echo "Dev token (certification body cb-dev):"
    @cargo run -q -p zegel-certs -- token certification_body cb-dev
    cargo run -q -p zegel-suite

# Run every test (unit, integration against real Postgres and Redis, cross-service).
test: deps certs
    cargo test --workspace --all-targets

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
