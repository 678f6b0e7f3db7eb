-- The read contract with the lookup's hirer check: per agency, whether every current
-- officer is clear of a ban in force today, and when that last changed. No person, no
-- name, no count — the same as the public ban-status endpoint.
create view agency_status as
select a.kvk_number,
       not exists (
           select 1 from officer o join ban b on b.person_id = o.person_id
           where o.kvk_number = a.kvk_number
             and o.from_on <= current_date and (o.to_on is null or o.to_on >= current_date)
             and o.role = any(b.roles_covered)
             and b.starts_on <= current_date and (b.ends_on is null or b.ends_on >= current_date)
             and (b.lifted_on is null or b.lifted_on > current_date)
       ) as clear,
       greatest(
           (select max(o.created_at) from officer o where o.kvk_number = a.kvk_number),
           (select max(greatest(b.created_at, b.starts_on::timestamptz, coalesce(b.lifted_on::timestamptz, b.created_at)))
              from officer o join ban b on b.person_id = o.person_id
             where o.kvk_number = a.kvk_number and b.starts_on <= current_date)
       ) as changed_at
from (select distinct kvk_number from officer) a;
