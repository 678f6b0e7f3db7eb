-- The phoenix radar (advice 2.1 F; issue 31): the persons behind an agency must find it
-- "onmogelijk ... om voortdurend opnieuw te beginnen". This register keeps which person was
-- an officer of which agency and when (KvK's registrations no longer erase a past term),
-- and learns from the certificates register which certificates ended in a way that starts
-- a waiting period (a revocation, or a withdrawal made to escape a sanction) and until
-- when: the certificates register's one re-entry rule computes that date, this register
-- only holds the persons to it.

create table sanctioned_ending (
    certificate_id uuid primary key,
    kvk_number     text not null,
    issued_on      date not null,
    ended_on       date not null,
    ground         text not null,
    waits_until    date not null,
    learned_at     timestamptz not null default now(),
    constraint sanctioned_ending_dates check (issued_on <= ended_on and ended_on < waits_until)
);
create index sanctioned_ending_kvk_idx on sanctioned_ending (kvk_number);

-- One definition of a link: a current officer (on day d) of agency k who was an officer of
-- another agency while that agency held a certificate that ended with a waiting period
-- still running on d. Both the entry test's answer and the signals read it.
create function linked_officers(k text, d date)
returns table (person_id uuid, role text, linked_kvk text, certificate_id uuid, ground text, ended_on date,
               waits_until date)
language sql stable as $$
    select distinct o.person_id, o.role, e.kvk_number, e.certificate_id, e.ground, e.ended_on, e.waits_until
    from officer o
    join officer past on past.person_id = o.person_id and past.kvk_number <> o.kvk_number
    join sanctioned_ending e on e.kvk_number = past.kvk_number
    where o.kvk_number = k
      and o.from_on <= d and (o.to_on is null or o.to_on >= d)
      and e.waits_until > d
      and past.from_on <= e.ended_on and (past.to_on is null or past.to_on >= e.issued_on)
$$;
