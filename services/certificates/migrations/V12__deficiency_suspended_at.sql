-- deficiency.suspended_at (added in V8) is derivable: a certificate is certified again only
-- by reinstatement, which refuses while a deficiency is past its deadline. Nothing reads or
-- writes it; dropped here rather than in V8, which databases have already run.
alter table deficiency drop column if exists suspended_at;
