-- The one shape of a seal row that the seal desk (attest::desk) writes and reads in every
-- register: a simple view over this register's seal table, so Postgres writes through it.
-- A deposit seal attests the agency's deposit as a whole, so `attests` stays empty here;
-- the column exists so that the desk's one insert fits every register.
alter table seal add column attests uuid;
comment on column seal.attests is 'always null: a deposit seal attests the whole deposit of kvk_number';

create view seal_row as
select seal_id, kvk_number as subject, attests, token, kid, issued_at, expires_at, issued_by
from seal;
