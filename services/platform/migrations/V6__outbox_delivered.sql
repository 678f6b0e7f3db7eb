-- An event stays in the relay's care until every consumer group has acknowledged its
-- stream entry (`delivered_at`): a Redis that restarts without entries no group had yet
-- acknowledged gets them again. `stream_id` is the entry the relay wrote.
alter table outbox add column stream_id text, add column delivered_at timestamptz;
-- Rows published before this: long since read.
update outbox set delivered_at = published_at where published_at is not null;
create index outbox_undelivered_idx on outbox (outbox_id) where published_at is not null and delivered_at is null;
