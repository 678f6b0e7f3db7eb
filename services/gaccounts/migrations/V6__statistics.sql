-- The yearly report (advice 7.2 A): G-accounts by status at the end of as_of, from the
-- dated status history. Only the lookup's role may execute it.
create function statistics(from_on date, as_of date)
returns table (measure text, dimension text, value bigint)
language sql stable security definer
set search_path from current
as $$
with bounds as (
    select lo, hi from dutch_days(from_on, as_of)
), latest as (
    select distinct on (s.g_account_id) s.to_status
    from g_account_status_change s, bounds b where s.changed_at < b.hi
    order by s.g_account_id, s.changed_at desc, s.g_account_status_change_id desc
)
select 'g_accounts_by_status', to_status, count(*) from latest group by 2
union all
select 'g_accounts_requested', 'all', count(*) from g_account_status_change s, bounds b
 where s.from_status is null and s.changed_at >= b.lo and s.changed_at < b.hi
$$;
revoke all on function statistics(date, date) from public;
