-- One building verdict (issue 31; advice 4.1 B, 4.3 A and E). A building's state — its
-- mark, the season of a mobile unit, the permit and its conditions, the people registered
-- against the number allowed — is decided here once, by `building_status`, and read by
-- the building's seals, the page at the door, the status list, the statistics and (through
-- `agency_buildings`) the standing of every agency that houses workers there.
--
-- Over capacity is not valid: more people registered than allowed suspends the building's
-- seal (`over_capacity`) until the number is back within the limit or an inspector
-- measures again. Among the reasons a seal is suspended it comes first: it is what the
-- people at the door most need to know.
create or replace view building_status as
with b as (
    select b.*,
           permit_problem(r.required, p, dutch_today()) as permit_problem,
           allowed_people(b.capacity, p) as allowed,
           (b.building_type <> 'mobile_unit'
               or (extract(month from dutch_today()) between 4 and 9
                   and (b.occupied_since is null or dutch_today() <= (b.occupied_since + interval '4 months')::date))) as season_ok,
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

-- The agencies' standing reads the same verdict: a building counts as certified for an
-- agency that houses workers there exactly when the building's own seal would verify
-- `valid`. Same columns as before, so the lookup and this register read it unchanged.
create or replace view agency_buildings as
select a.kvk_number, b.bag_id, b.mark_status, b.mark_valid_until, b.mark_since,
       (bs.status = 'good') as certified
from building b
join (select provider_kvk as kvk_number, bag_id from building
      union
      select kvk_number, bag_id from placement
      where from_on <= dutch_today() and (to_on is null or to_on >= dutch_today())) a
  on a.bag_id = b.bag_id
join building_status bs on bs.subject = b.bag_id;
