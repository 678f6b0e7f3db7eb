-- A certification body's desk lists its own certificates (issue 35).
create index certificate_body_idx on certificate (certification_body_id, created_at desc);
