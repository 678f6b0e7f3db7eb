-- The read contract with the lookup's hirer check (and the KvK's deregistration check):
-- per agency, whether the deposit is adequate, since when, and whether claims are open.
-- No amounts.
create view agency_status as
select a.kvk_number,
       case
           when a.adequate then 'adequate'
           when f.overdue_reported_at is not null then 'overdue'
           else 'shortfall'
       end as status,
       greatest(a.created_at, f.since,
                (select max(l.booked_at) from ledger_entry l where l.kvk_number = a.kvk_number)) as changed_at,
       f.deadline as top_up_by,
       (select count(*) from claim c where c.kvk_number = a.kvk_number and c.status = 'filed') as open_claims,
       (select count(*) from claim c where c.kvk_number = a.kvk_number and c.status = 'filed' and c.claim_type = 'fine') as unpaid_fines
from deposit_account a
left join shortfall f on f.kvk_number = a.kvk_number;
