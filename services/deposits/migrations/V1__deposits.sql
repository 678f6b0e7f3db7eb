-- The register of guarantee deposits (advice 2.1 C). Schema: deposits. Money in integer
-- euro cents. The ledger is append-only; balance, shortfall and deadlines derive from it.

-- Dated policy: which amount is required, from when. The service's configured policy
-- name picks the rows; the row in force on a date decides.
create table deposit_policy (
    policy        text not null,                 -- 'wtta' (the law as passed) or 'advice' (Belgian example)
    effective_from date not null,
    required_cents bigint not null,              -- the full required deposit
    starter_cents bigint not null,               -- what a starting agency pays first
    starter_months integer not null,             -- months a starter has to pay the rest
    description   text not null,
    constraint deposit_policy_pkey primary key (policy, effective_from),
    constraint deposit_policy_amounts check (required_cents > 0 and starter_cents > 0 and starter_cents <= required_cents)
);
insert into deposit_policy values
    ('wtta', '2026-01-01', 10000000, 5000000, 6, 'Wtta as passed: EUR 100,000; a starter pays EUR 50,000 first and the rest within 6 months'),
    ('advice', '2026-01-01', 7500000, 7500000, 0, 'Advice 2.1 C, after the Belgian example: EUR 75,000');

-- Dated statutory minimum wage (WML) per hour for workers aged 21 and older.
create table minimum_wage (
    effective_from date primary key,
    hourly_cents  bigint not null,
    constraint minimum_wage_positive check (hourly_cents > 0)
);
insert into minimum_wage values ('2025-01-01', 1406), ('2025-07-01', 1440), ('2026-01-01', 1471);

-- One row per agency: the lock that serialises every movement of its money.
create table deposit_account (
    kvk_number    text primary key,
    opened_on     date not null,                 -- starts the starter period
    adequate      boolean not null default false, -- balance >= the required amount; kept by the service, which knows the policy
    created_at    timestamptz not null default now(),
    constraint deposit_account_kvk_format check (kvk_number ~ '^[0-9]{8}$')
);

create table ledger_entry (
    ledger_entry_id bigserial primary key,
    kvk_number    text not null references deposit_account (kvk_number),
    kind          text not null,
    amount_cents  bigint not null,               -- always positive; kind gives the direction
    claim_id      uuid,
    reference     text not null,
    booked_by     text not null,
    booked_at     timestamptz not null default now(),
    constraint ledger_entry_kind_check check (kind in ('payment', 'top_up', 'payout')),
    constraint ledger_entry_amount_positive check (amount_cents > 0)
);
create index ledger_entry_kvk_idx on ledger_entry (kvk_number, ledger_entry_id);
create trigger ledger_entry_append_only before update or delete on ledger_entry
    for each row execute function audit_log_append_only();

create table claim (
    claim_id      uuid primary key,
    kvk_number    text not null references deposit_account (kvk_number),
    claim_type    text not null,
    amount_cents  bigint not null,
    computation   jsonb,                         -- how a presumed wage claim was computed
    description   text not null,
    status        text not null default 'filed',
    filed_by      text not null,
    filed_role    text not null,
    created_at    timestamptz not null default now(),
    paid_at       timestamptz,
    constraint claim_type_check check (claim_type in ('unpaid_wages', 'fine', 'damages')),
    constraint claim_status_check check (status in ('filed', 'paid', 'rejected')),
    constraint claim_amount_positive check (amount_cents > 0)
);
create index claim_kvk_idx on claim (kvk_number, created_at);

-- A shortfall after a payout must be topped up by its deadline; reported once when not.
create table shortfall (
    kvk_number    text primary key references deposit_account (kvk_number),
    since         timestamptz not null,
    deadline      date not null,
    overdue_reported_at timestamptz
);

create table seal (
    seal_id       uuid primary key,
    kvk_number    text not null references deposit_account (kvk_number),
    token         text not null,                 -- the compact JWS, kept to re-render its QR code
    kid           text not null,
    issued_at     timestamptz not null,
    expires_at    timestamptz not null,
    issued_by     text not null,
    created_at    timestamptz not null default now()
);

-- The read contract with the lookup: a deposit seal is good while the deposit is
-- adequate, suspended while it is short within the top-up term, revoked once the term
-- passed. No amounts.
create view seal_status as
select s.seal_id,
       s.kvk_number as subject,
       case
           when a.adequate then 'good'
           when f.overdue_reported_at is not null then 'revoked'
           else 'suspended'
       end as status,
       jsonb_build_object('kvk_number', a.kvk_number, 'deposit_status', case when a.adequate then 'adequate' else 'shortfall' end, 'top_up_by', f.deadline) as facts
from seal s
join deposit_account a on a.kvk_number = s.kvk_number
left join shortfall f on f.kvk_number = s.kvk_number;
