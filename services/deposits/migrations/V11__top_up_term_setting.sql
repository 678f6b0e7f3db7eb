-- The top-up term is a number of the policy, not of the advice (2.1 C says only "binnen een
-- bepaalde termijn"): a dated column of the deposit policy with its source (issue 31). It
-- was a setting of the service (ZEGEL_DEPOSITS_TOP_UP_WEEKS, 4). The row in force on the
-- day the shortfall opens decides its deadline.
alter table deposit_policy add column top_up_weeks integer not null default 4 check (top_up_weeks between 1 and 52);
alter table deposit_policy add column source text not null default '';
update deposit_policy set source = 'Wet toelating terbeschikkingstelling arbeidskrachten (Wtta, Stb. 2023, 200) and its '
    || 'Besluit: EUR 100,000, a starter EUR 50,000 first; top-up term four weeks (Zegel policy, the advice names none)'
  where policy = 'wtta';
update deposit_policy set source = 'Advice 2.1 C mentions the Belgian EUR 75,000 (Zegel policy to follow it; the '
    || 'advice sets no amount of its own); top-up term four weeks (Zegel policy, the advice names none)'
  where policy = 'advice';
alter table deposit_policy alter column source drop default;
