-- A worker's claim against an agency that holds no deposit is kept (issue 31): it goes to
-- the admission authority and the Labour Authority like any other, and the worker follows
-- it by its link. It was refused with a 404 that kept nothing. Such a claim has nothing to
-- be paid from here (a payout answers 409); the authorities act on it elsewhere.
alter table claim drop constraint claim_kvk_number_fkey;
alter table claim add column no_deposit boolean not null default false;
