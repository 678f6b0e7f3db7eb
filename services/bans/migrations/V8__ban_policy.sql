-- The longest term of a civil ban as a dated setting (issue 31): a number of the law, not
-- of the advice (2.1 F names none), kept with its source; the row in force on a ban's first
-- day decides, so a change of the law never shortens or lengthens a ban already recorded.
create table ban_policy (
    effective_from  date primary key,
    civil_max_years integer not null check (civil_max_years between 1 and 20),
    source          text not null
);
insert into ban_policy values
    ('2000-01-01', 5, 'Faillissementswet art. 106a lid 1: a civil ban (civielrechtelijk bestuursverbod) lasts at most five years');
