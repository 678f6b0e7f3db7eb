-- Rights end with their ground (platform::certifier): whether a certification body is
-- accredited, as the certificates register publishes it. A body whose accreditation was
-- withdrawn reads nothing of the agencies it still holds until it is accredited again.
create table body_accreditation (
    certification_body_id text primary key,
    accredited            boolean not null,
    since                 timestamptz not null
);
