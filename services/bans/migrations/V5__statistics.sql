-- The yearly report (advice 7.2 A): bans imposed, lifted and in force, by basis — counts
-- only, from dated rows (a ban lifted after as_of still counts as in force on as_of). The
-- lookup suppresses counts under 5. Only the lookup's role may execute it.
create function statistics(from_on date, as_of date)
returns table (measure text, dimension text, value bigint)
language sql stable security definer
set search_path from current
as $$
with bounds as (
    select lo, hi from dutch_days(from_on, as_of)
)
select 'bans_imposed', basis, count(*) from ban, bounds b where created_at >= b.lo and created_at < b.hi group by 2
union all
select 'bans_lifted', basis, count(*) from ban where lifted_on between from_on and as_of group by 2
union all
select 'bans_in_force', basis, count(*) from ban, bounds b
 where created_at < b.hi and starts_on <= as_of and (ends_on is null or ends_on >= as_of)
   and (lifted_on is null or lifted_on > as_of)
 group by 2
$$;
revoke all on function statistics(date, date) from public;
