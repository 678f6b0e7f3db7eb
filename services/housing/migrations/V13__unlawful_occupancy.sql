-- Living where nobody may live (issue 31; advice 4.1 B, 4.3 E): a building whose required
-- permit is refused, absent or expired, or a mobile unit outside its season, with people
-- registered in it, is told to the municipality and the housing inspectors at once and
-- opens a rehousing case, as a mark that ends does. The case closes when the provider
-- reports the building empty or it may be lived in again (permit granted, season back).
--
-- The season of a mobile unit becomes one function, read by the building's verdict and by
-- the list of buildings occupied unlawfully (one definition, not two copies of it).
create function season_ok(building_type text, occupied_since date, day date) returns boolean
language sql immutable as $$
    select building_type <> 'mobile_unit'
        or (extract(month from day) between 4 and 9
            and (occupied_since is null or day <= (occupied_since + interval '4 months')::date))
$$;

create or replace view building_status as
with b as (
    select b.*,
           permit_problem(r.required, p, dutch_today()) as permit_problem,
           allowed_people(b.capacity, p) as allowed,
           season_ok(b.building_type, b.occupied_since, dutch_today()) as season_ok,
           (select max(i.inspected_on) from inspection i where i.bag_id = b.bag_id) as last_inspection
    from building b
    left join permit_requirement r on r.municipality = b.municipality
    left join permit p on p.bag_id = b.bag_id
), judged as (
    select b.*,
           coalesce(b.occupancy > b.allowed, false) as over_capacity,
           (b.mark_status in ('revoked', 'expired') or b.mark_valid_until <= now()) as ended
    from b
)
select b.bag_id as subject,
       b.mark_id,
       case
           when b.ended then 'revoked'
           when b.mark_status = 'certified' and b.permit_problem is null and b.season_ok and not b.over_capacity
               then 'good'
           else 'suspended'
       end as status,
       jsonb_build_object(
           'bag_id', b.bag_id,
           'street', b.street,
           'number', b.number,
           'addition', b.addition,
           'postcode', b.postcode,
           'place', b.place,
           'building_type', b.building_type,
           'mark_status', b.mark_status,
           'valid_until', to_char(b.mark_valid_until at time zone 'Europe/Amsterdam', 'YYYY-MM-DD'),
           'last_inspection', b.last_inspection,
           'norm', b.norm,
           'capacity', b.allowed,
           'over_capacity', b.over_capacity,
           'reason', case
               when b.mark_status = 'revoked' then 'mark_revoked'
               when b.mark_status = 'expired' or b.mark_valid_until <= now() then 'mark_expired'
               when b.over_capacity then 'over_capacity'
               when b.mark_status = 'suspended' and b.rooms_changed_at is not null then 'rooms_changed'
               when b.mark_status = 'suspended' then 'mark_suspended'
               when b.mark_status = 'applied' then 'mark_applied'
               when b.permit_problem is not null then b.permit_problem
               when not b.season_ok and extract(month from dutch_today()) not between 4 and 9 then 'out_of_season'
               when not b.season_ok then 'season_limit'
               else null
           end
       ) as facts
from judged b;

-- Buildings with people in them where nobody may live now, and why: the permit the
-- municipality requires is not in force, or a mobile unit is outside its season.
create view unlawfully_occupied as
select b.bag_id,
       case when permit_problem(r.required, p, dutch_today()) = 'no_permit' then 'no_permit' else 'out_of_season' end
           as reason
from building b
left join permit_requirement r on r.municipality = b.municipality
left join permit p on p.bag_id = b.bag_id
where coalesce(b.occupancy, 0) > 0
  and (permit_problem(r.required, p, dutch_today()) = 'no_permit'
       or not season_ok(b.building_type, b.occupied_since, dutch_today()));

alter table rehousing_case drop constraint rehousing_reason_check;
alter table rehousing_case add constraint rehousing_reason_check
    check (reason in ('mark_revoked', 'mark_expired', 'no_permit', 'out_of_season'));
alter table rehousing_case drop constraint rehousing_closed_check;
alter table rehousing_case add constraint rehousing_closed_check
    check (closed_because in ('empty', 'mark_returned', 'lawful_again'));
