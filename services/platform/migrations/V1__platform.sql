-- Tables every service keeps in its own schema: the audit trail, the transactional
-- outbox and the idempotency keys. They are created by the platform's migration set
-- (history table zegel_platform_history) before the service's own migrations run.

create table audit_log (
    audit_log_id  bigserial primary key,
    occurred_at   timestamptz not null default now(),
    actor         text not null,           -- token subject, or 'system:<task>' for sweeps and consumers
    role          text not null,           -- the role the action was authorised under
    org           text,                    -- the organisation acted for, if any
    action        text not null,           -- e.g. 'certificate.revoke'
    subject       text not null,           -- what was acted on, e.g. a certificate id
    reason        text,
    before        jsonb,
    after         jsonb,
    request_id    text not null,
    cause_event_id uuid                    -- the event that caused a system action
);
create index audit_log_subject_idx on audit_log (subject, audit_log_id);

-- Append-only: an audit trail that can be edited proves nothing.
create function audit_log_append_only() returns trigger language plpgsql as $$
begin
    raise exception 'audit_log is append-only';
end $$;
create trigger audit_log_no_update before update or delete on audit_log
    for each row execute function audit_log_append_only();

create table outbox (
    outbox_id     bigserial primary key,
    event_id      uuid not null,
    event_type    text not null,           -- e.g. 'certificate.revoked'
    subject       text not null,           -- e.g. the agency's KvK number
    addressed_to  text[] not null,         -- parties that must act on it: kvk, inspectorate, ...
    payload       jsonb not null,
    occurred_at   timestamptz not null default now(),
    published_at  timestamptz,             -- set once the relay has put it on the stream
    constraint outbox_event_id_key unique (event_id)
);
create index outbox_unpublished_idx on outbox (outbox_id) where published_at is null;

create table idempotency_key (
    principal     text not null,           -- keys are scoped per caller
    key           text not null,
    request_hash  text not null,           -- sha256 of method, path and body
    response_status smallint not null,
    response_body jsonb not null,
    created_at    timestamptz not null default now(),
    constraint idempotency_key_pkey primary key (principal, key)
);
