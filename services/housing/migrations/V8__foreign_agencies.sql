-- Agencies seated abroad (advice 2.1 H): an agency is named by its KvK number or by its
-- country and home register number (PL-0000123456) — the rule of platform::ids::KvkNumber.
alter table placement drop constraint placement_kvk_number_check;
alter table placement add constraint placement_kvk_number_check check (kvk_number ~ '^([0-9]{8}|[A-Z]{2}-[A-Z0-9]{1,20})$');
alter table housing_declaration drop constraint housing_declaration_kvk_number_check;
alter table housing_declaration add constraint housing_declaration_kvk_number_check check (kvk_number ~ '^([0-9]{8}|[A-Z]{2}-[A-Z0-9]{1,20})$');
