-- The yearly report (advice 7.2 A): each published report is kept with the SHA-256 of its
-- CSV and sealed by the lookup, so that a reader can verify that the figures are the ones
-- the suite published. A report is the same for the same year and date whenever it is
-- computed (the registers' dated histories); a different hash for the same date is a new
-- publication, kept beside the first.
create table statistics_report (
    report_id     uuid primary key,              -- the seal's id
    year          integer not null,
    as_of         date not null,
    sha256        text not null check (sha256 ~ '^[0-9a-f]{64}$'),
    seal          text not null,
    published_at  timestamptz not null,
    unique (year, as_of, sha256)
);
create trigger statistics_report_append_only before update or delete on statistics_report
    for each row execute function audit_log_append_only();

-- The lookup's own read contract: receipts, and now reports, verify as "good" records.
create or replace view seal_status as
select receipt_id as seal_id, kvk_number as subject, 'good'::text as status,
       jsonb_build_object('receipt', result, 'may_hire', may_hire, 'checked_at', checked_at) as facts
from receipt
union all
select report_id, 'statistics-' || year, 'good',
       jsonb_build_object('statistics', jsonb_build_object('year', year, 'as_of', as_of, 'sha256', sha256))
from statistics_report;
