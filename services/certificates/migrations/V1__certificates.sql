-- The register of agency certificates (advice 2.1). Schema: certificates.

create table certification_body (
    certification_body_id text primary key,      -- equals the `org` claim of the body's tokens
    name          text not null,
    accredited    boolean not null,              -- only accredited bodies may act
    created_at    timestamptz not null default now(),
    updated_at    timestamptz not null default now()
);

create table agency (
    kvk_number    text primary key,
    name          text not null,
    seat_country  text not null,                 -- ISO 3166-1 alpha-2; decides NEN 4400-1 or -2
    sbi_codes     text[] not null,               -- 78xx marks a staffing agency
    established_on date not null,                -- start of activity: the first year defers the auditor's statement
    created_at    timestamptz not null default now(),
    constraint agency_kvk_number_format check (kvk_number ~ '^[0-9]{8}$'),
    constraint agency_seat_country_format check (seat_country ~ '^[A-Z]{2}$')
);

create table certificate (
    certificate_id uuid primary key,
    kvk_number    text not null references agency (kvk_number),
    certification_body_id text not null references certification_body (certification_body_id),
    norm          text not null,
    status        text not null,
    status_since  timestamptz not null,
    issued_on     date not null,                 -- the provisional certificate's date
    probation_ends_on date not null,             -- after any extension
    extended      boolean not null default false, -- probation may be extended once
    certified_on  date,
    next_audit_due date,
    suspension_reason text,
    suspension_remedy_by date,                   -- deadline to remedy a suspension
    suspension_overdue_reported_at timestamptz,  -- when the inspectorate was told the deadline passed
    ended_on      date,                          -- revoked, lapsed or withdrawn on
    created_at    timestamptz not null default now(),
    updated_at    timestamptz not null default now(),
    constraint certificate_norm_check check (norm in ('NEN 4400-1', 'NEN 4400-2')),
    constraint certificate_status_check check (status in ('provisional', 'certified', 'suspended', 'revoked', 'lapsed', 'withdrawn'))
);
-- At most one certificate in force per agency.
create unique index certificate_agency_active_key on certificate (kvk_number)
    where status in ('provisional', 'certified', 'suspended');
create index certificate_kvk_idx on certificate (kvk_number, created_at);

create table certificate_requirement (
    certificate_id uuid not null references certificate (certificate_id),
    code          text not null,
    outcome       text not null,
    evidence_ref  text,                          -- reference to the evidence in the body's file
    checked_on    date not null,
    recorded_by   text not null,                 -- token subject of who recorded it
    recorded_at   timestamptz not null default now(),
    constraint certificate_requirement_pkey primary key (certificate_id, code),
    constraint certificate_requirement_outcome_check check (outcome in ('met', 'not_met', 'not_applicable'))
);

-- Public, dated history of status changes (no actors, no reasons: those are in audit_log).
create table certificate_status_change (
    certificate_status_change_id bigserial primary key,
    certificate_id uuid not null references certificate (certificate_id),
    from_status   text,
    to_status     text not null,
    changed_at    timestamptz not null
);
create index certificate_status_change_cert_idx on certificate_status_change (certificate_id, certificate_status_change_id);

create table certificate_audit (
    certificate_audit_id uuid primary key,
    certificate_id uuid not null references certificate (certificate_id),
    performed_on  date not null,
    outcome       text not null,
    report_ref    text not null,
    recorded_by   text not null,
    created_at    timestamptz not null default now(),
    constraint certificate_audit_outcome_check check (outcome in ('pass', 'deficiencies'))
);

create table deficiency (
    deficiency_id uuid primary key,
    certificate_id uuid not null references certificate (certificate_id),
    certificate_audit_id uuid not null references certificate_audit (certificate_audit_id),
    description   text not null,
    serious       boolean not null,              -- serious and unresolved by remedy_by → inspectorate
    remedy_by     date not null,
    resolved_on   date,
    resolution_ref text,
    overdue_reported_at timestamptz,
    created_at    timestamptz not null default now()
);
create index deficiency_open_idx on deficiency (remedy_by) where resolved_on is null and serious;

create table suspension_request (
    suspension_request_id uuid primary key,
    certificate_id uuid not null references certificate (certificate_id),
    requested_by  text not null,                 -- token subject at the inspectorate
    reason        text not null,
    created_at    timestamptz not null default now()
);
