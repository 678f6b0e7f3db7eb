-- How old a certificate of conduct (VOG) may be at KvK's registration check, as a dated
-- setting (issue 31): the advice (2.1 D) asks for a VOG and names no age; three months is
-- Zegel's policy choice, after the age most Dutch registrations accept. The row in force on
-- the day of the check decides.
create table vog_policy (
    effective_from date primary key,
    max_age_months integer not null check (max_age_months between 1 and 60),
    source         text not null
);
insert into vog_policy values
    ('2000-01-01', 3, 'Zegel policy (the advice names no age): a VOG at most three months old, as commonly required at registration');
