-- The read contract with the lookup's hirer check: each agency's latest certificate, its
-- status and since when.
create view agency_status as
select distinct on (c.kvk_number) c.kvk_number, a.name, c.status, c.status_since as changed_at, c.norm
from certificate c
join agency a on a.kvk_number = c.kvk_number
order by c.kvk_number, c.created_at desc;
