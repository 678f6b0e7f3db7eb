-- Which certification body holds an application (a provisional certificate) or a
-- certificate for an agency, as the certificates register publishes it. A body reads the
-- officers of, and checks persons for, those agencies only (advice 2.1 A: the body
-- assesses the agencies it certifies; nobody else's directors are its business).
create table certifier (
    kvk_number            text primary key,
    certification_body_id text not null,
    certificate_id        uuid not null,
    since                 timestamptz not null
);
