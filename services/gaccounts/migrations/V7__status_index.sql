-- Each seal's place in this register's status list (issue 18): offline verifiers read its
-- status there by the index the seal carries (claim `sl`). The seal desk draws the index
-- from the sequence before it signs; indexes are never reused, so a list entry always
-- belongs to one seal. Seals issued before this carry none; they still get an entry.
create sequence status_index_seq as bigint minvalue 0 start 0;
alter table seal add column status_index bigint unique default nextval('status_index_seq');
alter sequence status_index_seq owned by seal.status_index;
alter table seal alter column status_index set not null;

create or replace view seal_row as
select seal_id,
       kvk_number as subject,
       g_account_id as attests,
       token, kid, issued_at, expires_at, issued_by, status_index
from seal;

-- Read contract with the lookup, which publishes the status lists: each seal's index.
create view seal_index as
select status_index, seal_id, kvk_number as subject from seal;
