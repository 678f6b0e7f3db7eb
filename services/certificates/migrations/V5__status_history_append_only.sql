-- The public history of a certificate's statuses is a record, like the audit log: rows are
-- added, never changed or removed (the runtime role then has no UPDATE or DELETE on it).
create trigger certificate_status_change_append_only before update or delete on certificate_status_change
    for each row execute function audit_log_append_only();
