-- A registration check marks an agency for deregistration when an officer KvK registered
-- for it is under a ban in force (advice 2.1 F): KvK deregisters its staffing activity.
alter table kvk_check add column mark_for_deregistration boolean not null default false;
