-- The read contract shows the IBAN only of an active account: hirers pay into that one;
-- a requested, blocked or closed account's number is nobody else's business.
create or replace view agency_status as
select distinct on (kvk_number) kvk_number, status,
       case when status = 'active' then iban end as iban,
       status_since as changed_at
from g_account
order by kvk_number, (status <> 'closed') desc, status_since desc;
