-- The Labour Authority's desk lists the bans not lifted, newest first (issue 35).
create index ban_current_idx on ban (created_at desc) where lifted_on is null;
