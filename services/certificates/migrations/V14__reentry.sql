-- An agency's past decides whether it may start again (issue 31; advice 2.1 A, D, F).
-- The waiting period after a revocation (or a withdrawal that escaped a sanction) is a
-- policy choice of this register, not a number of the advice: a dated setting, of which
-- the row in force on the day a certificate ended decides that certificate's wait.
create table reentry_policy (
    effective_from date primary key,
    waiting_months integer not null,
    source         text not null,               -- where the number comes from (docs/DESIGN.md)
    recorded_at    timestamptz not null default now(),
    constraint reentry_policy_waiting_months check (waiting_months between 0 and 240)
);
insert into reentry_policy (effective_from, waiting_months, source) values
    ('2000-01-01', 24,
     'Zegel policy choice (issue 31): two years after a revocation, as the starting point the advice leaves open');

-- The ground of an ending is kept in the public history; find an agency's ended
-- certificates with it without scanning every change.
create index certificate_status_change_ending_idx on certificate_status_change (certificate_id, to_status)
    where to_status in ('revoked', 'lapsed', 'withdrawn');
