-- Retention (issue 12). A receipt is kept exactly as long as it verifies: its expiry is
-- stored with it, and the purge removes it after that. A KvK check (with its officers'
-- keyed BSN hashes) is kept for the period named once below, long enough for an
-- objection and appeal against KvK's decision; the append-only guard lets the purge,
-- and nothing else, delete it after that.
alter table receipt add column expires_at timestamptz;
-- Receipts issued before this migration lived 5 × 366 days.
update receipt set expires_at = checked_at + interval '1830 days' where expires_at is null;
alter table receipt alter column expires_at set not null;
create index receipt_expires_idx on receipt (expires_at);

create function kvk_check_retention() returns interval language sql immutable
    as $$ select interval '2 years' $$;

drop trigger kvk_check_append_only on kvk_check;
create trigger kvk_check_no_update before update on kvk_check
    for each row execute function audit_log_append_only();
create function kvk_check_delete_expired_only() returns trigger language plpgsql as $$
begin
    if old.checked_at >= now() - kvk_check_retention() then
        raise exception 'kvk_check % is within its retention and may not be deleted', old.kvk_check_id;
    end if;
    return old;
end $$;
create trigger kvk_check_delete_expired_only before delete on kvk_check
    for each row execute function kvk_check_delete_expired_only();

-- What the lookup keeps past its time; returns how many receipts and checks it removed.
create function purge_expired(out receipts bigint, out kvk_checks bigint) language plpgsql as $$
begin
    delete from receipt where expires_at < now();
    get diagnostics receipts = row_count;
    delete from kvk_check where checked_at < now() - kvk_check_retention();
    get diagnostics kvk_checks = row_count;
end $$;
