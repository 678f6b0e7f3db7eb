-- The register of housing marks per building (advice chapter 4). Schema: housing.
-- The building is certified, not the landlord. Areas in hundredths of a square metre.

create table building (
    bag_id        text primary key,              -- BAG verblijfsobject id (16 digits)
    municipality  text not null,                 -- CBS code: the first four digits of the BAG id
    provider_kvk  text not null,                 -- the housing provider (its KvK number)
    street        text not null,
    number        integer not null,
    addition      text,
    postcode      text not null,                 -- 1234 AB
    place         text not null,
    building_type text not null,
    registered_on date not null,                 -- decides whether the SNF transition applies
    living_area   integer,                       -- total living area, hundredths of m²; null until rooms are reported
    created_at    timestamptz not null default now(),
    constraint building_bag_id_format check (bag_id ~ '^[0-9]{4}01[0-9]{10}$'),
    constraint building_type_check check (building_type in ('dwelling', 'group_housing', 'employer_site', 'mobile_unit'))
);
create index building_municipality_idx on building (municipality);

create table bedroom (
    bag_id        text not null references building (bag_id),
    ordinal       integer not null,
    area          integer not null,              -- hundredths of m²
    constraint bedroom_pkey primary key (bag_id, ordinal),
    constraint bedroom_area_positive check (area > 0)
);
