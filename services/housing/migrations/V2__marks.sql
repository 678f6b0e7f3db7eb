-- Marks, inspections, deficiencies, permits, occupancy, complaints and seals (advice 4).
-- The mark belongs to the building; a new application after revocation or expiry is a new
-- mark (new mark_id), so seals of the old mark never turn valid again.

alter table building
    add column mark_id          uuid not null default gen_random_uuid(),
    add column mark_status      text not null default 'applied',
    add column mark_since       timestamptz not null default now(),
    add column mark_valid_until timestamptz,          -- one year from the inspection that certified or renewed it
    add column norm             text,                 -- the norm in force, kept current by the sweep
    add column capacity         integer,              -- under that norm; null until rooms are reported
    add column occupancy        integer,              -- people living there now, as last reported
    add column occupancy_reported_at timestamptz,
    add column occupied_since   date,                 -- start of this season's occupancy (mobile units)
    add constraint building_mark_status_check
        check (mark_status in ('applied', 'certified', 'suspended', 'revoked', 'expired')),
    add constraint building_norm_check check (norm in ('integrated', 'snf')),
    add constraint building_occupancy_check check (occupancy >= 0);
create index building_provider_idx on building (provider_kvk);

create table mark_change (
    mark_change_id bigserial primary key,
    bag_id        text not null references building (bag_id),
    mark_id       uuid not null,
    from_status   text,
    to_status     text not null,
    reason        text not null,
    changed_at    timestamptz not null
);
create index mark_change_bag_idx on mark_change (bag_id, mark_change_id);

create table inspection (
    inspection_id uuid primary key,
    bag_id        text not null references building (bag_id),
    mark_id       uuid not null,
    kind          text not null,
    inspected_on  date not null,
    findings      text not null,
    inspector     text not null,                  -- the inspector's token subject
    complaint_id  uuid,                           -- the complaint it followed up, if any
    created_at    timestamptz not null default now(),
    constraint inspection_kind_check check (kind in ('announced', 'unannounced'))
);
create index inspection_bag_idx on inspection (bag_id, inspected_on);

create table deficiency (
    deficiency_id uuid primary key,
    inspection_id uuid not null references inspection (inspection_id),
    bag_id        text not null references building (bag_id),
    description   text not null,
    deadline      date not null,
    resolved_at   timestamptz,
    resolved_by   text,
    overdue_at    timestamptz                     -- when the sweep found it open past its deadline
);
create index deficiency_open_idx on deficiency (deadline) where resolved_at is null and overdue_at is null;
create index deficiency_bag_idx on deficiency (bag_id);

-- Whether a municipality requires a landlord permit (verhuurvergunning) for these buildings.
create table permit_requirement (
    municipality  text primary key,
    required      boolean not null,
    set_at        timestamptz not null,
    set_by        text not null
);

create table permit (
    bag_id        text primary key references building (bag_id),
    status        text not null,
    valid_from    date,
    valid_until   date,
    decided_on    date not null,
    decided_by    text not null,
    reason        text,
    constraint permit_status_check check (status in ('granted', 'refused', 'withdrawn'))
);

-- Anonymous complaints: no name, no address, no IP address is ever stored.
create table complaint (
    complaint_id  uuid primary key,
    bag_id        text not null references building (bag_id),
    category      text not null,
    text          text not null,
    language      text,
    received_at   timestamptz not null,
    status        text not null default 'received',
    inspection_id uuid references inspection (inspection_id),
    constraint complaint_status_check check (status in ('received', 'inspected'))
);
create index complaint_bag_idx on complaint (bag_id, received_at);

create table seal (
    seal_id       uuid primary key,
    bag_id        text not null references building (bag_id),
    mark_id       uuid not null,
    token         text not null,                  -- the compact JWS, kept to re-render its QR code and poster
    kid           text not null,
    issued_at     timestamptz not null,
    expires_at    timestamptz not null,
    issued_by     text not null,
    created_at    timestamptz not null default now()
);
create index seal_bag_idx on seal (bag_id, issued_at);

-- The read contract with the lookup. A building seal is good while its own mark is
-- certified and within its year, the landlord permit holds where one is required, and —
-- for a mobile unit — the season and its 4 months allow it. Otherwise suspended (it can
-- come back) or revoked (it cannot), with the reason as a fact. No complaint, no
-- provider identity beyond what the building's address already says.
create view seal_status as
with b as (
    select b.*,
           coalesce(r.required, false) as permit_required,
           (p.status = 'granted' and (p.valid_from is null or p.valid_from <= current_date)
               and (p.valid_until is null or p.valid_until >= current_date)) as permit_ok,
           (b.building_type <> 'mobile_unit'
               or (extract(month from current_date) between 4 and 9
                   and (b.occupied_since is null or current_date <= (b.occupied_since + interval '4 months')::date))) as season_ok,
           (select max(i.inspected_on) from inspection i where i.bag_id = b.bag_id) as last_inspection
    from building b
    left join permit_requirement r on r.municipality = b.municipality
    left join permit p on p.bag_id = b.bag_id
)
select s.seal_id,
       s.bag_id as subject,
       case
           when s.mark_id <> b.mark_id or b.mark_status in ('revoked', 'expired') or b.mark_valid_until <= now() then 'revoked'
           when b.mark_status = 'certified' and (not b.permit_required or coalesce(b.permit_ok, false)) and b.season_ok then 'good'
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
           'mark_status', case when s.mark_id <> b.mark_id then 'revoked' else b.mark_status end,
           'valid_until', to_char(b.mark_valid_until at time zone 'Europe/Amsterdam', 'YYYY-MM-DD'),
           'last_inspection', b.last_inspection,
           'norm', b.norm,
           'capacity', b.capacity,
           'over_capacity', coalesce(b.occupancy > b.capacity, false),
           'reason', case
               when s.mark_id <> b.mark_id then 'mark_replaced'
               when b.mark_status = 'revoked' then 'mark_revoked'
               when b.mark_status = 'expired' or b.mark_valid_until <= now() then 'mark_expired'
               when b.mark_status = 'suspended' then 'mark_suspended'
               when b.mark_status = 'applied' then 'mark_applied'
               when b.permit_required and not coalesce(b.permit_ok, false) then 'no_permit'
               when not b.season_ok and extract(month from current_date) not between 4 and 9 then 'out_of_season'
               when not b.season_ok then 'season_limit'
               else null
           end
       ) as facts
from seal s
join b on b.bag_id = s.bag_id;
