-- Housing that tells the truth (advice 4.1 B, 4.3 E, 4.4 A and B): measured capacity,
-- permits with conditions, tenancy contracts, rehousing.

-- Measured capacity. What the provider reports (bedroom, building.living_area) is a proposal;
-- the capacity on the seal and at the door comes from what an inspector measured at the
-- last inspection that measured. Rooms the provider changes afterwards suspend the mark
-- until they are measured again.
alter table inspection
    add column measured_bedrooms    integer[],            -- hundredths of m²
    add column measured_living_area integer;
alter table building
    add column measured_bedrooms    integer[],            -- from the last measuring inspection
    add column measured_living_area integer,
    add column measured_on          date,
    add column rooms_changed_at     timestamptz;          -- the provider reported other rooms since
-- Until now an inspector certified the rooms the provider reported: for an inspected
-- building those are what was measured. Elsewhere nothing is measured yet, and no capacity known.
update building b
   set measured_bedrooms = (select coalesce(array_agg(r.area order by r.ordinal), '{}') from bedroom r where r.bag_id = b.bag_id),
       measured_living_area = b.living_area,
       measured_on = (select max(i.inspected_on) from inspection i where i.bag_id = b.bag_id)
 where b.living_area is not null and exists (select 1 from inspection i where i.bag_id = b.bag_id);
update building set capacity = null where measured_living_area is null;

-- Permits with conditions (4.1 B): a maximum number of people, free conditions, and for
-- an existing rental a date by which it must comply.
alter table permit
    add column max_people  integer check (max_people > 0),
    add column conditions  text[] not null default '{}',
    add column comply_by   date,
    add column complied_on date;

-- The one definition of what a permit situation does to a mark on `day`: null when
-- nothing stands in the way, else the reason. Used by the seal's status (below) and by an
-- inspection that would certify.
create function permit_problem(required boolean, p permit, day date) returns text
language sql stable as $$
    select case
        when p.status = 'granted' and p.comply_by is not null and p.complied_on is null and day > p.comply_by
            then 'permit_conditions_unmet'
        when coalesce(required, false)
             and not (coalesce(p.status = 'granted', false)
                      and (p.valid_from is null or p.valid_from <= day)
                      and (p.valid_until is null or p.valid_until >= day))
            then 'no_permit'
        else null
    end
$$;

-- The one definition of how many people may live in a building: its capacity under the
-- norm, and no more than a granted permit allows.
create function allowed_people(capacity integer, p permit) returns integer
language sql immutable as $$
    select least(capacity, case when p.status = 'granted' then p.max_people end)
$$;

-- Tenancy (4.4 A and B): what the inspector found in a sample of the contracts, per
-- inspection; the rules each contract breaks are decided when it is recorded.
create table tenancy_sample (
    inspection_id  uuid not null references inspection (inspection_id),
    ordinal        integer not null,
    form           text not null,
    own_contract   boolean not null,
    tied_to_work   boolean not null,
    self_contained boolean not null,
    starts_on      date not null,
    ends_on        date,
    notice_months  integer not null,
    notice_days    integer not null,
    broken         text[] not null,
    primary key (inspection_id, ordinal),
    constraint tenancy_form_check check (form in ('short_stay', 'temporary', 'indefinite'))
);
alter table building
    add column tenancy_checked_on date,                  -- the last inspection that sampled contracts
    add column contract_forms     text[] not null default '{}',
    add column tenancy_broken     text[] not null default '{}';  -- the rules its last sample broke

-- Rehousing (4.3 E): a mark that ends while people live there opens a case for the
-- municipality; the provider owes them other housing by the deadline.
create table rehousing_case (
    case_id        uuid primary key,
    bag_id         text not null references building (bag_id),
    mark_id        uuid not null,
    municipality   text not null,
    provider_kvk   text not null,
    people         integer not null check (people > 0),
    reason         text not null,
    opened_at      timestamptz not null,
    deadline       date not null,
    closed_at      timestamptz,
    closed_because text,
    overdue_at     timestamptz,
    constraint rehousing_reason_check check (reason in ('mark_revoked', 'mark_expired')),
    constraint rehousing_closed_check check (closed_because in ('empty', 'mark_returned'))
);
create unique index rehousing_open_idx on rehousing_case (bag_id) where closed_at is null;
create index rehousing_municipality_idx on rehousing_case (municipality, opened_at);

-- Each building's status now, as the page at the door shows it: the one definition, read
-- by every seal of the building (below) and by the lookup for a poster whose seal expired
-- or belongs to an earlier mark. As before, now with the measured capacity (no more than
-- the permit allows), rooms changed since they were measured, and the permit's conditions.
create view building_status as
with b as (
    select b.*,
           permit_problem(r.required, p, current_date) as permit_problem,
           allowed_people(b.capacity, p) as allowed,
           (b.building_type <> 'mobile_unit'
               or (extract(month from current_date) between 4 and 9
                   and (b.occupied_since is null or current_date <= (b.occupied_since + interval '4 months')::date))) as season_ok,
           (select max(i.inspected_on) from inspection i where i.bag_id = b.bag_id) as last_inspection
    from building b
    left join permit_requirement r on r.municipality = b.municipality
    left join permit p on p.bag_id = b.bag_id
)
select b.bag_id as subject,
       b.mark_id,
       case
           when b.mark_status in ('revoked', 'expired') or b.mark_valid_until <= now() then 'revoked'
           when b.mark_status = 'certified' and b.permit_problem is null and b.season_ok then 'good'
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
           'over_capacity', coalesce(b.occupancy > b.allowed, false),
           'reason', case
               when b.mark_status = 'revoked' then 'mark_revoked'
               when b.mark_status = 'expired' or b.mark_valid_until <= now() then 'mark_expired'
               when b.mark_status = 'suspended' and b.rooms_changed_at is not null then 'rooms_changed'
               when b.mark_status = 'suspended' then 'mark_suspended'
               when b.mark_status = 'applied' then 'mark_applied'
               when b.permit_problem is not null then b.permit_problem
               when not b.season_ok and extract(month from current_date) not between 4 and 9 then 'out_of_season'
               when not b.season_ok then 'season_limit'
               else null
           end
       ) as facts
from b;

-- A seal says what its building's status says, unless it belongs to an earlier mark.
create or replace view seal_status as
select s.seal_id,
       s.bag_id as subject,
       case when s.mark_id <> bs.mark_id then 'revoked' else bs.status end as status,
       case when s.mark_id <> bs.mark_id
            then bs.facts || jsonb_build_object('mark_status', 'revoked', 'reason', 'mark_replaced')
            else bs.facts
       end as facts
from seal s
join building_status bs on bs.subject = s.bag_id;

-- The lookup's read contract of where agencies house workers, without addresses: the
-- hirer check shows each building's mark, never where migrants live.
drop view agency_buildings;
create view agency_buildings as
select a.kvk_number, b.bag_id, b.mark_status, b.mark_valid_until, b.mark_since,
       (b.mark_status = 'certified' and b.mark_valid_until > now()) as certified
from building b
join (select provider_kvk as kvk_number, bag_id from building
      union
      select kvk_number, bag_id from placement
      where from_on <= current_date and (to_on is null or to_on >= current_date)) a
  on a.bag_id = b.bag_id;
