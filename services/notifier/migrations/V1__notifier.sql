-- Subscriptions and webhook deliveries (issue 6). Schema: notifier.
-- A delivery is recorded before the event is acknowledged on the stream, and marked
-- delivered only after the receiver answered 2xx: a restart loses nothing and at worst
-- delivers again (receivers dedupe by the event id). A subscription's signing secret is
-- not stored: it is derived from the notifier's key and the subscription id, so a dump
-- reveals none.

create table subscription (
    subscription_id uuid primary key,
    owner         text not null,                 -- token subject
    owner_role    text not null,
    owner_org     text,
    agencies      text[] not null default '{}',  -- a hirer's agencies (KvK numbers)
    topics        text[] not null default '{}',  -- an authority's parties (kvk, inspectorate, tax, municipality, ...)
    url           text not null,
    created_at    timestamptz not null,
    deleted_at    timestamptz,
    constraint subscription_has_something check (cardinality(agencies) > 0 or cardinality(topics) > 0)
);
create index subscription_owner_idx on subscription (owner) where deleted_at is null;
create index subscription_agencies_idx on subscription using gin (agencies) where deleted_at is null;

create table delivery (
    delivery_id   uuid primary key,
    subscription_id uuid not null references subscription (subscription_id),
    event_id      uuid not null,
    event_type    text not null,
    body          jsonb not null,                -- exactly what is sent
    status        text not null default 'pending',
    attempts      integer not null default 0,
    next_attempt_at timestamptz not null,
    last_error    text,
    created_at    timestamptz not null,
    delivered_at  timestamptz,
    constraint delivery_status_check check (status in ('pending', 'delivered', 'dead')),
    constraint delivery_once_per_event unique (subscription_id, event_id)
);
create index delivery_due_idx on delivery (next_attempt_at) where status = 'pending';
create index delivery_subscription_idx on delivery (subscription_id, created_at);

create table delivery_attempt (
    delivery_attempt_id bigserial primary key,
    delivery_id   uuid not null references delivery (delivery_id),
    attempted_at  timestamptz not null,
    status_code   integer,
    error         text,
    duration_ms   integer not null
);
create index delivery_attempt_idx on delivery_attempt (delivery_id, delivery_attempt_id);
