-- The read contract with the lookup's hirer check: the agency's G-account in use (or the
-- last one), its status since when, and its IBAN — which the hirer pays the tax share of
-- invoices into (advice 2.1 B), so it is public for an active account.
create view agency_status as
select distinct on (kvk_number) kvk_number, status, iban, status_since as changed_at
from g_account
order by kvk_number, (status <> 'closed') desc, status_since desc;
