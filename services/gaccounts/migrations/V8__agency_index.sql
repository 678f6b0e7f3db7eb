-- The read contract `agency_status` picks each agency's account (distinct on kvk_number)
-- from all of its accounts, closed ones included, which the partial unique index on open
-- accounts cannot serve: with 100,000 agencies every standing read was a sequential scan
-- of the table, 6 ms a scan (found by `just bench` at national scale). One index on the
-- agency's number, newest first, serves the view as it sorts.
create index g_account_agency_idx on g_account (kvk_number, status_since desc);
