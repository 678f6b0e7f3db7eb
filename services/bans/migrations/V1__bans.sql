-- The register of director bans (advice 2.1 F). Schema: bans.
-- Personal data is minimised: a BSN is never stored, only its keyed hash (HMAC-SHA256
-- with a secret from config), so a database dump alone does not reveal BSNs. Names and
-- dates of birth are kept for authorised display only, and every read of them is logged.

create table person (
    person_id     uuid primary key,
    bsn_hash      bytea not null,                -- HMAC-SHA256(key, BSN)
    name          text not null,
    date_of_birth date not null,
    created_at    timestamptz not null default now(),
    constraint person_bsn_hash_key unique (bsn_hash)
);

create table officer (
    officer_id    uuid primary key,
    kvk_number    text not null,
    person_id     uuid not null references person (person_id),
    role          text not null,
    from_on       date not null,
    to_on         date,                          -- null: still in office
    created_at    timestamptz not null default now(),
    constraint officer_role_check check (role in ('owner', 'director', 'de_facto_manager')),
    constraint officer_kvk_format check (kvk_number ~ '^[0-9]{8}$'),
    constraint officer_dates check (to_on is null or to_on >= from_on)
);
create index officer_kvk_idx on officer (kvk_number);
create index officer_person_idx on officer (person_id);

create table ban (
    ban_id        uuid primary key,
    person_id     uuid not null references person (person_id),
    basis         text not null,
    roles_covered text[] not null,
    starts_on     date not null,
    ends_on       date,                          -- civil bans always end (at most 5 years)
    reason        text not null,
    imposed_by    text not null,                 -- token subject
    imposed_role  text not null,
    lifted_on     date,
    lift_reason   text,
    start_signalled boolean not null default false, -- the start was published (phoenix check)
    created_at    timestamptz not null default now(),
    constraint ban_basis_check check (basis in ('administrative', 'civil')),
    constraint ban_dates check (ends_on is null or ends_on >= starts_on)
);
create index ban_person_idx on ban (person_id);

-- Every read of personal data: who, in which role, for whom, when, why.
create table access_log (
    access_log_id bigserial primary key,
    occurred_at   timestamptz not null default now(),
    actor         text not null,
    role          text not null,
    org           text,
    purpose       text not null,
    person_id     uuid,
    kvk_number    text,
    request_id    text not null
);
create trigger access_log_no_update before update or delete on access_log
    for each row execute function audit_log_append_only();
