-- The yearly report (advice 7.2 A): guarantee deposits and the claims on them — counts and
-- amounts, from dated rows (filed, assessed, paid, the ledger's payouts). The lookup
-- suppresses the counts of workers' claims under 5, and their amounts with them. Only the
-- lookup's role may execute it.
create function statistics(from_on date, as_of date)
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
$$;
revoke all on function statistics(date, date) from public;
