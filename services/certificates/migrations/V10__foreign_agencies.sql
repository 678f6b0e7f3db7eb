-- Agencies seated abroad (advice 2.1 H), certified under NEN 4400-2. Such an agency is
-- named by its country and its number in its home country's company register
-- (PL-0000123456; the rule of platform::ids::KvkNumber), or, when it has a Dutch branch,
-- by that branch's KvK number — the number hirers and KvK know it by. Either way its home
-- register number and VAT number are kept (agencies registered before this have none).
alter table agency drop constraint agency_kvk_number_format;
alter table agency add constraint agency_kvk_number_format check (kvk_number ~ '^([0-9]{8}|[A-Z]{2}-[A-Z0-9]{1,20})$');
alter table agency add column home_register_number text;
alter table agency add column vat_number text;
alter table agency add constraint agency_identity check (
    (seat_country = 'NL' and kvk_number ~ '^[0-9]{8}$' and home_register_number is null)
    or (seat_country <> 'NL' and (kvk_number ~ '^[0-9]{8}$' or kvk_number = seat_country || '-' || home_register_number)));
create unique index agency_home_register_key on agency (seat_country, home_register_number)
    where home_register_number is not null;

alter table accident drop constraint accident_hirer_kvk_check;
alter table accident add constraint accident_hirer_kvk_check check (hirer_kvk ~ '^([0-9]{8}|[A-Z]{2}-[A-Z0-9]{1,20})$');
alter table accident drop constraint accident_agency_kvk_check;
alter table accident add constraint accident_agency_kvk_check check (agency_kvk ~ '^([0-9]{8}|[A-Z]{2}-[A-Z0-9]{1,20})$');
alter table work_complaint drop constraint work_complaint_agency_kvk_check;
alter table work_complaint add constraint work_complaint_agency_kvk_check check (agency_kvk ~ '^([0-9]{8}|[A-Z]{2}-[A-Z0-9]{1,20})$');
