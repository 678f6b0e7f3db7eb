-- Every check the Chamber of Commerce asks at registration and deregistration, with its
-- inputs (BSNs only as keyed hashes), result and reasons, for KvK and the inspectorate to
-- audit (advice 2.1 A and D).
create table kvk_check (
    kvk_check_id  uuid primary key,
    kind          text not null,
    kvk_number    text not null,
    inputs        jsonb not null,
    result        text not null,
    reasons       jsonb not null,
    requested_by  text not null,
    checked_at    timestamptz not null,
    constraint kvk_check_kind check (kind in ('registration', 'deregistration')),
    constraint kvk_check_result check (result in ('allow', 'deny', 'ok', 'signals')),
    constraint kvk_check_kvk_format check (kvk_number ~ '^[0-9]{8}$')
);
create index kvk_check_kvk_idx on kvk_check (kvk_number, checked_at);
create trigger kvk_check_append_only before update or delete on kvk_check
    for each row execute function audit_log_append_only();
