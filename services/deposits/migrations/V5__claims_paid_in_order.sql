-- Claims that workers file, assessed before they are paid, and payouts that share a short
-- deposit fairly (advice 2.1 C, 6.2 A, 7.2 D).
--
-- A claim is `filed` until the admission authority assesses it (a worker's claim), then
-- `accepted` for `accepted_cents` (an authority's claim is accepted as it files it) or
-- `rejected` with a reason; payouts pay it in one or more parts (`partly_paid`, `paid_cents`)
-- until it is `paid`.
alter table claim
    alter column amount_cents drop not null,        -- a worker may not know the amount owed
    add column accepted_cents bigint,
    add column paid_cents bigint not null default 0,
    add column period_from date,
    add column period_to date,
    add column paid_during_cents bigint,             -- what the worker was paid in the period
    add column evidence text[] not null default '{}',
    add column language text,
    add column status_token_hash bytea,              -- the worker's private status link, hashed
    add column presumption text,
    add column assessed_at timestamptz,
    add column assessed_by text,
    add column rejection_reason text,
    add constraint claim_accepted_positive check (accepted_cents > 0),
    add constraint claim_paid_within check (paid_cents >= 0 and paid_cents <= coalesce(accepted_cents, 0)),
    add constraint claim_presumption_check check (presumption in ('administration_unusable', 'six_month_relation'));
-- Claims filed before this release were filed by an authority and payable as filed: they
-- are accepted. (The old status check is dropped first: it knows no 'accepted'.)
alter table claim drop constraint claim_status_check;
update claim set accepted_cents = amount_cents where status in ('filed', 'paid');
update claim set paid_cents = amount_cents where status = 'paid';
update claim set status = 'accepted' where status = 'filed';
alter table claim
    add constraint claim_status_check check (status in ('filed', 'accepted', 'partly_paid', 'paid', 'rejected'));
create index claim_unpaid_idx on claim (kvk_number) where status in ('accepted', 'partly_paid');

-- Who filed a worker's claim: personal data, read only by the admission authority and the
-- inspectorate (each read audited), never by the agency. The BSN only as a keyed hash.
create table claimant (
    claim_id      uuid primary key references claim (claim_id),
    name          text not null,
    contact       text,
    bsn_hash      bytea,
    support_org   text                              -- the worker support organisation acting for them
);

-- The read contract with the lookup, whose page shows a worker the status of their claim:
-- by claim id and the hash of the token in their private link; no amounts of others, no names.
create view worker_claim_status as
select claim_id, kvk_number, status, status_token_hash, language, created_at, assessed_at,
       accepted_cents, paid_cents, rejection_reason
from claim
where status_token_hash is not null;

create or replace view agency_status as
select a.kvk_number,
       case
           when a.adequate then 'adequate'
           when f.overdue_reported_at is not null then 'overdue'
           else 'shortfall'
       end as status,
       greatest(a.created_at, f.since,
                (select max(l.booked_at) from ledger_entry l where l.kvk_number = a.kvk_number)) as changed_at,
       f.deadline as top_up_by,
       (select count(*) from claim c where c.kvk_number = a.kvk_number and c.status in ('filed', 'accepted', 'partly_paid')) as open_claims,
       (select count(*) from claim c where c.kvk_number = a.kvk_number and c.status in ('filed', 'accepted', 'partly_paid') and c.claim_type = 'fine') as unpaid_fines
from deposit_account a
left join shortfall f on f.kvk_number = a.kvk_number;
