-- The register of G-accounts (advice 2.1 B). Schema: gaccounts.

create table g_account (
    g_account_id  uuid primary key,
    kvk_number    text not null,
    iban          text not null,                 -- normalised: upper case, no spaces
    bank          text not null,
    status        text not null,
    status_since  timestamptz not null,
    created_at    timestamptz not null default now(),
    constraint g_account_status_check check (status in ('requested', 'active', 'blocked', 'closed')),
    constraint g_account_kvk_format check (kvk_number ~ '^[0-9]{8}$')
);
-- At most one account in use (or on its way) per agency; closed ones stay as history.
create unique index g_account_agency_open_key on g_account (kvk_number) where status <> 'closed';

create table g_account_status_change (
    g_account_status_change_id bigserial primary key,
    g_account_id  uuid not null references g_account (g_account_id),
    from_status   text,
    to_status     text not null,
    changed_at    timestamptz not null
);
create index g_account_status_change_idx on g_account_status_change (g_account_id, g_account_status_change_id);

create table seal (
    seal_id       uuid primary key,
    g_account_id  uuid not null references g_account (g_account_id),
    kvk_number    text not null,
    token         text not null,                 -- the compact JWS, kept to re-render its QR code
    kid           text not null,
    issued_at     timestamptz not null,
    expires_at    timestamptz not null,
    issued_by     text not null,
    created_at    timestamptz not null default now()
);

-- The read contract with the lookup: a G-account seal is good while the account is
-- active, suspended while blocked, revoked once closed. No IBAN, no amounts.
create view seal_status as
select s.seal_id,
       s.kvk_number as subject,
       case g.status when 'active' then 'good' when 'blocked' then 'suspended' else 'revoked' end as status,
       jsonb_build_object('kvk_number', g.kvk_number, 'g_account_status', g.status, 'status_since', g.status_since) as facts
from seal s
join g_account g on g.g_account_id = s.g_account_id;
