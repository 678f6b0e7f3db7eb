-- The Labour Authority's desk (issue 35) lists requests, open accidents, complaints by
-- status and fines by status or agency across all agencies.
create index suspension_request_created_idx on suspension_request (created_at desc);
create index accident_open_idx on accident (reported_at desc)
    where authority_reported_at is null or authority_reported_at > report_due_at or safety_checked_at is null;
create index work_complaint_status_idx on work_complaint (status, received_at);
create index fine_status_idx on fine (status, decided_on desc);
create index fine_agency_idx on fine (agency_kvk, decided_on desc);
