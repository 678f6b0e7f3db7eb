-- A seal that has verified revoked never verifies good again (issue 11): once a shortfall
-- goes past its top-up deadline, every seal issued until then is revoked for good, even
-- after the agency tops up; it asks for a fresh seal instead. Kept in the data itself, so
-- that every path that marks a shortfall overdue (the sweep today) bumps the epoch.
alter table deposit_account add column seal_epoch integer not null default 0;
alter table seal add column epoch integer not null default 0;

-- A seal belongs to the epoch of its account at issue.
create function seal_takes_epoch() returns trigger language plpgsql as $$
begin
    select a.seal_epoch into new.epoch from deposit_account a where a.kvk_number = new.kvk_number;
    new.epoch := coalesce(new.epoch, 0);
    return new;
end $$;
create trigger seal_takes_epoch before insert on seal for each row execute function seal_takes_epoch();

-- A shortfall reported overdue ends the epoch.
create function overdue_ends_epoch() returns trigger language plpgsql as $$
begin
    update deposit_account set seal_epoch = seal_epoch + 1 where kvk_number = new.kvk_number;
    return new;
end $$;
create trigger overdue_ends_epoch after update of overdue_reported_at on shortfall
    for each row when (old.overdue_reported_at is null and new.overdue_reported_at is not null)
    execute function overdue_ends_epoch();

create or replace view seal_status as
select s.seal_id,
       s.kvk_number as subject,
       case
           when s.epoch < a.seal_epoch then 'revoked'
           when a.adequate then 'good'
           when f.overdue_reported_at is not null then 'revoked'
           else 'suspended'
       end as status,
       jsonb_build_object('kvk_number', a.kvk_number, 'deposit_status', case when a.adequate then 'adequate' else 'shortfall' end, 'top_up_by', f.deadline) as facts
from seal s
join deposit_account a on a.kvk_number = s.kvk_number
left join shortfall f on f.kvk_number = s.kvk_number;
