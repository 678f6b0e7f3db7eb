-- Agencies seated abroad (advice 2.1 H): an agency is named by its KvK number or by its
-- country and home register number (PL-0000123456) — the rule of platform::ids::KvkNumber.
alter table g_account drop constraint g_account_kvk_format;
alter table g_account add constraint g_account_kvk_format check (kvk_number ~ '^([0-9]{8}|[A-Z]{2}-[A-Z0-9]{1,20})$');
