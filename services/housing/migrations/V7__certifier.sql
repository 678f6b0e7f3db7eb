-- Which certification body holds an application or a certificate for an agency, as the
-- certificates register publishes it (platform::certifier): a body sees the addresses of
-- the buildings where its own agencies house workers, and no others.
create table certifier (
    kvk_number            text primary key,
    certification_body_id text not null,
    certificate_id        uuid not null,
    since                 timestamptz not null
);
