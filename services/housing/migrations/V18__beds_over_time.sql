-- Beds over time (issue 35, the municipality's desk): the building row keeps only what is
-- true now (its capacity, occupancy, mark and permit are overwritten), so a municipality
-- could not see how the places and the people in its territory moved over a year. Every
-- change of what decides them appends one row here, written by triggers so that no code
-- path that changes a building can forget it; a row never changes. The picture counts
-- from `beds_counted_since` and says so: before it there is no history to show.

create table beds_counted_since (
    one   boolean primary key default true check (one),
    since timestamptz not null
);
insert into beds_counted_since (since) values (now());

create table bed_count (
    bed_count_id     bigserial primary key,
    bag_id           text not null references building (bag_id),
    municipality     text not null,
    at               timestamptz not null,
    allowed          integer,       -- allowed_people(capacity, permit): the one definition
    occupancy        integer,
    mark_status      text not null,
    mark_valid_until timestamptz
);
create index bed_count_municipality_idx on bed_count (municipality, bag_id, at desc, bed_count_id desc);

-- The functions name the schema they were made in: a trigger runs with whatever search path
-- the session that changed the row has (an operator's, a test's), not the service's.
create function count_beds(bag text) returns void
language sql set search_path from current as $$
    insert into bed_count (bag_id, municipality, at, allowed, occupancy, mark_status, mark_valid_until)
    select b.bag_id, b.municipality, now(),
           allowed_people(b.capacity, (select p from permit p where p.bag_id = b.bag_id)),
           b.occupancy, b.mark_status, b.mark_valid_until
    from building b where b.bag_id = bag
$$;

create function beds_of_building() returns trigger
language plpgsql set search_path from current as $$
begin
    perform count_beds(new.bag_id);
    return null;
end
$$;

create function beds_of_permit() returns trigger
language plpgsql set search_path from current as $$
begin
    perform count_beds(case when tg_op = 'DELETE' then old.bag_id else new.bag_id end);
    return null;
end
$$;

create trigger building_beds_new after insert on building
    for each row execute function beds_of_building();
create trigger building_beds after update of capacity, occupancy, mark_status, mark_valid_until on building
    for each row
    when ((old.capacity, old.occupancy, old.mark_status, old.mark_valid_until)
          is distinct from (new.capacity, new.occupancy, new.mark_status, new.mark_valid_until))
    execute function beds_of_building();
create trigger permit_beds after insert or update or delete on permit
    for each row execute function beds_of_permit();

-- What is true now is where the history starts.
select count_beds(bag_id) from building;

-- A row never changes (the picture of a month that has passed stays what it was).
create trigger bed_count_append_only before update or delete on bed_count
    for each row execute function audit_log_append_only();
