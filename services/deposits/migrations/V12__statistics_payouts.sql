-- The yearly report counts payouts as well as summing them (issue 32): an amount is shown
-- only over a count the lookup may show, and a sum of one or two payouts would tell what
-- one worker was paid. The function is restated whole (a forward-only migration replaces
-- it); only the last row is new.
create or replace function statistics(from_on date, as_of date)
returns table (measure text, dimension text, value bigint)
language sql stable security definer
set search_path from current
as $$
with bounds as (
    select lo, hi from dutch_days(from_on, as_of)
), claims as (
    select c.*, coalesce(c.assessed_at, c.created_at) as decided_at from claim c
)
select 'deposit_accounts', 'opened', count(*) from deposit_account where opened_on <= as_of
union all
select 'claims_filed', claim_type, count(*) from claims, bounds b where created_at >= b.lo and created_at < b.hi group by 2
union all
select 'claims_filed_cents', claim_type, coalesce(sum(amount_cents), 0)::bigint from claims, bounds b
 where created_at >= b.lo and created_at < b.hi group by 2
union all
select 'claims_accepted', claim_type, count(*) from claims, bounds b
 where status not in ('filed', 'rejected') and decided_at >= b.lo and decided_at < b.hi group by 2
union all
select 'claims_accepted_cents', claim_type, coalesce(sum(accepted_cents), 0)::bigint from claims, bounds b
 where status not in ('filed', 'rejected') and decided_at >= b.lo and decided_at < b.hi group by 2
union all
select 'claims_rejected', claim_type, count(*) from claims, bounds b
 where status = 'rejected' and decided_at >= b.lo and decided_at < b.hi group by 2
union all
select 'claims_paid_in_full', claim_type, count(*) from claims, bounds b where paid_at >= b.lo and paid_at < b.hi group by 2
union all
select 'payouts_cents', 'all', coalesce(sum(amount_cents), 0)::bigint from ledger_entry, bounds b
 where kind = 'payout' and booked_at >= b.lo and booked_at < b.hi
union all
select 'payouts', 'all', count(*) from ledger_entry, bounds b
 where kind = 'payout' and booked_at >= b.lo and booked_at < b.hi
$$;
