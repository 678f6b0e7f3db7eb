-- Fines for hirers who used an agency that was not certified (advice 2.1 E): EUR 8,000 per
-- temporary worker, raised by 50 %, 100 % or 200 % for a first, second or later repeat of
-- the same or a similar offence within five years. The amounts are a dated table: a
-- change of the law is a new row from its date, and a fine is computed with the row in
-- force on the day of the offence.
create table fine_schedule (
    effective_from        date primary key,
    per_worker_cents      bigint not null check (per_worker_cents > 0),
    first_repeat_percent  integer not null check (first_repeat_percent >= 0),
    second_repeat_percent integer not null check (second_repeat_percent >= 0),
    later_repeat_percent  integer not null check (later_repeat_percent >= 0),
    repeat_window_years   integer not null check (repeat_window_years between 1 and 20),
    -- Due diligence: a receipt of the hirer check that said may_hire covers the days up to
    -- this many days after the check.
    diligence_days        integer not null check (diligence_days between 0 and 366),
    note                  text not null,
    recorded_by           text not null,
    recorded_at           timestamptz not null default now()
);
insert into fine_schedule values ('2021-01-01', 800000, 50, 100, 200, 5, 30,
    'Advice 2.1 E: as for illegal employment (Wav), footnote 23', 'migration', now());

-- A fine as decided: what was computed, with its evidence, never rewritten; it becomes
-- irrevocable once (objection and appeal exhausted), which makes it count as a repeat.
create table fine (
    fine_id        uuid primary key,
    hirer_kvk      text not null check (hirer_kvk ~ '^([0-9]{8}|[A-Z]{2}-[A-Z0-9]{1,20})$'),
    agency_kvk     text not null check (agency_kvk ~ '^([0-9]{8}|[A-Z]{2}-[A-Z0-9]{1,20})$'),
    offence        text not null check (offence in ('uncertified_agency')),
    period_from    date not null,
    period_to      date not null,
    offence_on     date not null,                 -- the first day not covered
    workers        integer not null check (workers > 0),
    amount_cents   bigint not null check (amount_cents > 0),
    computation    jsonb not null,
    status         text not null default 'decided' check (status in ('decided', 'irrevocable')),
    decided_on     date not null,
    irrevocable_on date,
    decided_by     text not null,
    created_at     timestamptz not null default now(),
    check (period_from <= period_to),
    check ((status = 'irrevocable') = (irrevocable_on is not null))
);
create index fine_hirer_idx on fine (hirer_kvk, offence, irrevocable_on);

-- Nothing of a fine changes but its becoming irrevocable, once; nothing is deleted.
create function fine_guard() returns trigger language plpgsql as $$
begin
    if tg_op = 'DELETE' then
        raise exception 'a fine is never deleted';
    end if;
    if old.status <> 'decided' or new.status <> 'irrevocable'
       or (to_jsonb(new) - 'status' - 'irrevocable_on') <> (to_jsonb(old) - 'status' - 'irrevocable_on') then
        raise exception 'a decided fine only becomes irrevocable';
    end if;
    return new;
end $$;
create trigger fine_guard before update or delete on fine for each row execute function fine_guard();
