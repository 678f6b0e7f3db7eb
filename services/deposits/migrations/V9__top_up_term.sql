-- A payout's top-up term is the agency's to use (advice 2.1 C; issue 31): a deposit drawn
-- below the required amount by a payout (it was adequate before) lets the agency work on
-- until the deadline — `top_up_due` in the read contract, which the hirer check, the
-- certificate seal, KvK's check and this register's public answer all read. A deposit
-- never paid in full has no such term (`shortfall`), and one whose term has run out is
-- `shortfall` until the sweep reports it `overdue` (then the certificate lapses).
alter table shortfall add column after_adequate boolean not null default false;

create or replace view agency_status as
select a.kvk_number,
       case
           when a.adequate then 'adequate'
           when f.overdue_reported_at is not null then 'overdue'
           when f.after_adequate and f.deadline >= dutch_today() then 'top_up_due'
           else 'shortfall'
       end as status,
       greatest(a.created_at, f.since,
                (select max(l.booked_at) from ledger_entry l where l.kvk_number = a.kvk_number)) as changed_at,
       f.deadline as top_up_by,
       (select count(*) from claim c where c.kvk_number = a.kvk_number and c.status in ('filed', 'accepted', 'partly_paid')) as open_claims,
       (select count(*) from claim c where c.kvk_number = a.kvk_number and c.status in ('filed', 'accepted', 'partly_paid') and c.claim_type = 'fine') as unpaid_fines
from deposit_account a
left join shortfall f on f.kvk_number = a.kvk_number;
