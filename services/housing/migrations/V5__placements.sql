-- Where an agency houses its workers (advice 4.4 B: housing separated from work, and
-- housed by specialised firms): any building in this register, whoever provides it, for
-- a period; or a declaration that it houses no one. The standing of the agency (hirer
-- check, certificate seal, KvK) reads these through the view below.
create table placement (
    placement_id  uuid primary key,
    kvk_number    text not null check (kvk_number ~ '^[0-9]{8}$'),
    bag_id        text not null references building (bag_id),
    from_on       date not null,
    to_on         date,
    -- Whether the agency withholds rent from wages (advice 4.4 B: shown to the inspectorate).
    rent_withheld boolean not null,
    recorded_by   text not null,
    recorded_at   timestamptz not null,
    check (to_on is null or to_on >= from_on)
);
create index placement_by_agency on placement (kvk_number, from_on);
create index placement_by_building on placement (bag_id);

create table housing_declaration (
    kvk_number    text primary key check (kvk_number ~ '^[0-9]{8}$'),
    houses_no_one boolean not null,
    declared_by   text not null,
    declared_at   timestamptz not null
);

-- The lookup's read contract: every building an agency houses workers in today — those it
-- provides and those it places workers in — with its mark.
create view agency_buildings as
select a.kvk_number, b.bag_id, b.street, b.number, b.addition, b.postcode, b.place,
       b.mark_status, b.mark_valid_until, b.mark_since,
       (b.mark_status = 'certified' and b.mark_valid_until > now()) as certified
from building b
join (select provider_kvk as kvk_number, bag_id from building
      union
      select kvk_number, bag_id from placement
      where from_on <= current_date and (to_on is null or to_on >= current_date)) a
  on a.bag_id = b.bag_id;

-- Whether an agency has declared that it houses no one.
create view agency_declaration as
select kvk_number, houses_no_one, declared_at from housing_declaration;
