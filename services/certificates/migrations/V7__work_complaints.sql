-- Complaints about work (advice 7.2 D): a worker reports anonymously, in their language,
-- about an agency; the Labour Authority and the agency's certification body read them,
-- never the agency. No name, no contact, no IP address is stored; the worker follows the
-- complaint by a private link (only its token's hash is kept).
create table work_complaint (
    complaint_id      uuid primary key,
    agency_kvk        text not null check (agency_kvk ~ '^[0-9]{8}$'),
    category          text not null,
    text              text not null,
    language          text not null,
    received_at       timestamptz not null,
    status            text not null default 'received',
    status_note       text,
    status_token_hash bytea not null,
    constraint work_complaint_category_check check (category in ('wages_below_minimum', 'unlawful_deductions',
        'debt_to_employer', 'documents_withheld', 'intimidation', 'housing_tied_to_job', 'other')),
    constraint work_complaint_status_check check (status in ('received', 'under_investigation', 'closed'))
);
create index work_complaint_agency_idx on work_complaint (agency_kvk, received_at);

-- The lookup's read contract: the status page of a complaint, by id and the hash of the
-- token of its link; no text, no agency.
create view work_complaint_status as
select complaint_id, status, status_token_hash, language, received_at from work_complaint;
