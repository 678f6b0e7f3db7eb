-- The yearly report (advice 7.2 A). Every figure comes from dated rows only — the public
-- status history, accidents, complaints, fines — so that the figures for a past date are
-- the same whenever they are computed again. The ground of a suspension, revocation or
-- lapse is a code in the history (never the reason's text); changes before this have none.
alter table certificate_status_change add column ground text;

-- This register's figures for the days from `from_on` to `as_of` (Dutch dates), and its
-- stock on `as_of`: (measure, dimension, value). A read contract: only the lookup's role
-- may execute it (platform::db::READ_FUNCTIONS), with the owner's rights over these
-- tables, and it shows no agency, person or text.
create function statistics(from_on date, as_of date)
returns table (measure text, dimension text, value bigint)
language sql stable security definer
set search_path from current
as $$
with bounds as (
    select lo, hi from dutch_days(from_on, as_of)
), latest as (
    -- Each agency's certificate status at the end of as_of.
    select distinct on (c.kvk_number) c.kvk_number, c.norm, s.to_status
    from certificate_status_change s join certificate c using (certificate_id), bounds b
    where s.changed_at < b.hi
    order by c.kvk_number, s.changed_at desc, s.certificate_status_change_id desc
), changed as (
    select s.from_status, s.to_status, s.ground
    from certificate_status_change s, bounds b
    where s.changed_at >= b.lo and s.changed_at < b.hi
)
select 'agencies_by_certificate', to_status || '|' || norm, count(*) from latest group by 2
union all
select 'provisional_outcomes', to_status, count(*) from changed
 where from_status = 'provisional' and to_status <> 'provisional' group by 2
union all
select 'provisional_issued', 'all', count(*) from changed where from_status is null
union all
select 'suspensions_by_ground', coalesce(ground, 'unrecorded'), count(*) from changed where to_status = 'suspended' group by 2
union all
select 'revocations_by_ground', coalesce(ground, 'unrecorded'), count(*) from changed where to_status = 'revoked' group by 2
union all
select 'lapses_by_ground', coalesce(ground, 'unrecorded'), count(*) from changed where to_status = 'lapsed' group by 2
union all
select 'accidents_reported', 'all', count(*) from accident a, bounds b where a.reported_at >= b.lo and a.reported_at < b.hi
union all
select 'accidents_reported_late', 'all', count(*) from accident a, bounds b
 where a.late_signalled_at >= b.lo and a.late_signalled_at < b.hi
union all
select 'work_complaints_by_category', category, count(*) from work_complaint w, bounds b
 where w.received_at >= b.lo and w.received_at < b.hi group by 2
union all
select 'hirer_fines_decided', 'count', count(*) from fine where decided_on between from_on and as_of
union all
select 'hirer_fines_decided', 'amount_cents', coalesce(sum(amount_cents), 0)::bigint from fine
 where decided_on between from_on and as_of
union all
select 'hirer_fines_irrevocable', 'count', count(*) from fine where irrevocable_on between from_on and as_of
$$;
revoke all on function statistics(date, date) from public;
