-- The accident duty (advice 2.1 G): a hirer reports a notifiable accident of a temporary
-- worker (death, permanent injury, hospital admission) to the agency, without a name; the
-- agency reports it to the Labour Authority in time, and records a safety check (the
-- measures taken) before any of its temporary workers works at that hirer again.
create table accident (
    accident_id              uuid primary key,
    agency_kvk               text not null check (agency_kvk ~ '^[0-9]{8}$'),
    hirer_kvk                text not null check (hirer_kvk ~ '^[0-9]{8}$'),
    occurred_on              date not null,
    kind                     text not null check (kind in ('death', 'permanent_injury', 'hospital_admission')),
    what_happened            text not null,
    reported_by              text not null,
    reported_at              timestamptz not null,
    report_due_at            timestamptz not null,          -- the agency's report to the Labour Authority
    authority_reported_at    timestamptz,
    authority_reference      text,
    late_signalled_at        timestamptz,
    safety_checked_at        timestamptz,
    safety_measures          text,
    safety_checked_by        text
);
create index accident_agency_idx on accident (agency_kvk, reported_at);
create index accident_unreported_idx on accident (report_due_at) where authority_reported_at is null and late_signalled_at is null;

-- The lookup's read contract: the hirer–agency pairs whose safety check is outstanding.
create view open_safety_checks as
select agency_kvk, hirer_kvk, min(reported_at) as since
from accident
where safety_checked_at is null
group by agency_kvk, hirer_kvk;
