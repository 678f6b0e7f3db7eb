-- Real yearly re-tests (advice 2.1 A): every requirement's evidence is dated and holds for
-- a period (domain::requirement::Validity); an audit re-runs the checks; evidence that
-- expires opens a deficiency with a deadline, and a deficiency past its deadline suspends.

-- Until when the recorded evidence holds (null: it does not expire — two payrolls, and the
-- requirements other registers decide live); the auditor's statement names its year.
alter table certificate_requirement add column valid_until date;
alter table certificate_requirement add column financial_year integer;

-- Evidence recorded before this migration: a year from its check (the auditor's statement
-- too, for want of its year), so that nothing recorded earlier holds for ever.
update certificate_requirement set valid_until = (checked_on + interval '12 months')::date
 where outcome = 'met'
   and code in ('cao_wage_compliance', 'auditor_statement', 'rie_and_occupational_health',
                'registration_care', 'health_insurance_delivered');

-- A deficiency comes from an audit, or from evidence that expired (no audit); one about a
-- requirement names it, and recording fresh evidence for it resolves it.
alter table deficiency alter column certificate_audit_id drop not null;
alter table deficiency add column requirement_code text;
-- When the deficiency, past its deadline, suspended the certificate (once).
alter table deficiency add column suspended_at timestamptz;
create index deficiency_unresolved_idx on deficiency (certificate_id) where resolved_on is null;
-- One open deficiency per requirement: the sweep never opens a second for the same lapse.
create unique index deficiency_open_requirement_key on deficiency (certificate_id, requirement_code)
    where resolved_on is null and requirement_code is not null;
