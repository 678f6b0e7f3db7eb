-- The registers' status lists as last published by any lookup (issue 36): every lookup
-- serves the newest one, and one lookup makes each list per interval instead of each
-- reading every seal (status_lists::take_turn). `claimed_until` is the turn of the lookup
-- making it: no other makes one before then (a lookup that died mid-way loses its turn).
create table published_list (
    register      text primary key,
    token         text,
    issued_at     bigint,
    ttl           bigint,
    seals         bigint,
    not_valid     bigint,
    build_ms      bigint,
    claimed_until bigint not null
);
