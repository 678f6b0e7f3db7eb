-- The views counted days by current_date, the UTC day on our servers: between midnight
-- in Amsterdam and midnight UTC a ban starting or ending "today" (a Dutch day, as the
-- service checks it) was not yet in force, or still in force, in the hirer check.
select count_dutch_days_in_views();
