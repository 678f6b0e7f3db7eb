-- The workbench holds no register: what people do there, they do at the registers with
-- their own tokens, and the registers keep it. Its schema holds the platform's tables
-- only, the audit log among them (logins and logouts).
select 1;
