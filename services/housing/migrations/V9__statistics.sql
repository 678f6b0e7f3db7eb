-- The yearly report (advice 7.2 A). A building's norm and capacity are current values on
-- the building; the report needs them as they were, so each mark change keeps the norm
-- and capacity of that moment (changes before this take today's values).
alter table mark_change add column norm text;
alter table mark_change add column capacity integer;
update mark_change m set norm = b.norm, capacity = b.capacity from building b where b.bag_id = m.bag_id;
create function mark_change_keeps_size() returns trigger language plpgsql set search_path from current as $f$
begin
    select b.norm, b.capacity into new.norm, new.capacity from building b where b.bag_id = new.bag_id;
    return new;
end $f$;
create trigger mark_change_keeps_size before insert on mark_change
    for each row execute function mark_change_keeps_size();

-- The figures: certified buildings and their beds by municipality and norm at the end of
-- as_of; inspections (announced or not), marks suspended and revoked, complaints by
-- category, the contract forms inspections sampled, rehousing cases — from dated rows.
-- Only the lookup's role may execute it.
create function statistics(from_on date, as_of date)
returns table (measure text, dimension text, value bigint)
language sql stable security definer
set search_path from current
as $$
with bounds as (
    select lo, hi from dutch_days(from_on, as_of)
), latest as (
    select distinct on (m.bag_id) m.bag_id, m.to_status, m.norm, m.capacity
    from mark_change m, bounds b where m.changed_at < b.hi
    order by m.bag_id, m.changed_at desc, m.mark_change_id desc
), certified as (
    select l.*, g.municipality from latest l join building g using (bag_id) where l.to_status = 'certified'
), changed as (
    select m.to_status from mark_change m, bounds b where m.changed_at >= b.lo and m.changed_at < b.hi
)
select 'buildings_certified', municipality || '|' || coalesce(norm, 'none'), count(*) from certified group by 2
union all
select 'beds_certified', municipality || '|' || coalesce(norm, 'none'), coalesce(sum(capacity), 0)::bigint
  from certified group by 2
union all
select 'inspections', kind, count(*) from inspection where inspected_on between from_on and as_of group by 2
union all
select 'marks_changed', to_status, count(*) from changed where to_status in ('certified', 'suspended', 'revoked', 'expired') group by 2
union all
select 'housing_complaints_by_category', category, count(*) from complaint c, bounds b
 where c.received_at >= b.lo and c.received_at < b.hi group by 2
union all
select 'tenancy_contract_forms', t.form, count(*) from tenancy_sample t join inspection i using (inspection_id)
 where i.inspected_on between from_on and as_of group by 2
union all
select 'rehousing_cases_opened', reason, count(*) from rehousing_case r, bounds b
 where r.opened_at >= b.lo and r.opened_at < b.hi group by 2
union all
select 'rehousing_cases_closed', closed_because, count(*) from rehousing_case r, bounds b
 where r.closed_at >= b.lo and r.closed_at < b.hi group by 2
$$;
revoke all on function statistics(date, date) from public;
