-- The views counted days by current_date, the UTC day on our servers: between midnight
-- in Amsterdam and midnight UTC a permit, a season or a placement starting or ending
-- "today" (a Dutch day, as the service checks it) was judged by the day before.
select count_dutch_days_in_views();
