-- Receipts of hirer checks: what was true at the moment of the check, signed by the
-- lookup, kept as the hirer's proof of due diligence (advice 2.1 E). The seal_status view
-- is the lookup's own read contract: a receipt is always "good" as a record of the past;
-- what is true now is checked afresh when it is shown.
create table receipt (
    receipt_id    uuid primary key,
    kvk_number    text not null,
    may_hire      boolean not null,
    result        jsonb not null,                -- the check as answered, without the receipt itself
    checked_at    timestamptz not null,
    constraint receipt_kvk_format check (kvk_number ~ '^[0-9]{8}$')
);
create index receipt_kvk_idx on receipt (kvk_number, checked_at);

create view seal_status as
select receipt_id as seal_id, kvk_number as subject, 'good'::text as status,
       jsonb_build_object('receipt', result, 'may_hire', may_hire, 'checked_at', checked_at) as facts
from receipt;
