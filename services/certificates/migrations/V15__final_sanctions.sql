-- The register of final sanctions against agencies (issue 31; advice 2.1 A, D): a fine, a
-- decision under the Waadi or the minimum wage act (WML), a criminal conviction — each
-- with who decided it (its source), its reference, when it was decided and when it became
-- irrevocable. Only final ones are recorded; none is ever rewritten or deleted. A
-- certification body cites one as the ground of a revocation, and the re-entry rule reads
-- them: an agency with a final sanction waits, from the day it became irrevocable, as
-- after a revocation.
create table final_sanction (
    sanction_id    uuid primary key,
    kvk_number     text not null check (kvk_number ~ '^([0-9]{8}|[A-Z]{2}-[A-Z0-9]{1,20})$'),
    kind           text not null check (kind in ('fine', 'waadi_decision', 'wml_decision', 'criminal_conviction')),
    authority      text not null,
    reference      text not null,
    decided_on     date not null,
    irrevocable_on date not null,
    amount_cents   bigint check (amount_cents > 0),
    recorded_by    text not null,
    recorded_role  text not null,
    recorded_at    timestamptz not null default now(),
    constraint final_sanction_dates check (irrevocable_on >= decided_on),
    constraint final_sanction_reference_key unique (authority, reference)
);
create index final_sanction_kvk_idx on final_sanction (kvk_number, irrevocable_on);
create trigger final_sanction_append_only before update or delete on final_sanction
    for each row execute function audit_log_append_only();
