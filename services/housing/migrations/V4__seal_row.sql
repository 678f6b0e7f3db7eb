-- The one shape of a seal row that the seal desk (attest::desk) writes and reads in every
-- register: a simple view over this register's seal table, so Postgres writes through it.
-- Expand only: the table and its columns stay as they were, so code that writes the table
-- directly keeps working while a rollout is under way.
create view seal_row as
select seal_id,
       bag_id as subject,       -- what the seal is about
       mark_id as attests,       -- the record it attests
       token, kid, issued_at, expires_at, issued_by
from seal;
