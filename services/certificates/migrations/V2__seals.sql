-- Seals of agency certificates. A seal follows its certificate: it is good while the
-- certificate is provisional or certified, suspended while it is suspended, and revoked
-- once it is revoked, lapsed or withdrawn. That is derived in the view, never copied, so
-- it cannot drift from the certificate row.

create table seal (
    seal_id       uuid primary key,
    certificate_id uuid not null references certificate (certificate_id),
    kvk_number    text not null,
    token         text not null,                 -- the compact JWS, kept to re-render its QR code
    kid           text not null,                 -- signing key it was issued under
    issued_at     timestamptz not null,
    expires_at    timestamptz not null,
    issued_by     text not null,                 -- token subject of who asked for it
    created_at    timestamptz not null default now()
);
create index seal_certificate_idx on seal (certificate_id);

-- The read contract with the lookup service (which may only read this view): the live
-- status of a seal and the facts a verifier may show. No personal data.
create view seal_status as
select s.seal_id,
       s.kvk_number as subject,
       case c.status
           when 'provisional' then 'good'
           when 'certified' then 'good'
           when 'suspended' then 'suspended'
           else 'revoked'
       end as status,
       jsonb_build_object(
           'agency_name', a.name,
           'kvk_number', a.kvk_number,
           'certificate_status', c.status,
           'norm', c.norm,
           'status_since', c.status_since,
           'valid_until', case c.status
               when 'provisional' then c.probation_ends_on
               when 'certified' then c.next_audit_due
               when 'suspended' then c.next_audit_due
               else c.ended_on
           end
       ) as facts
from seal s
join certificate c on c.certificate_id = s.certificate_id
join agency a on a.kvk_number = c.kvk_number;
