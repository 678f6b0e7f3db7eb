-- An agency's dossier reads every event about it (platform::dossier): by its subject, or
-- by the agency its payload names when the subject is something else (a ban, a building).
create index outbox_subject_idx on outbox (subject, occurred_at);
create index outbox_agency_idx on outbox ((payload->>'kvk_number'), occurred_at);
