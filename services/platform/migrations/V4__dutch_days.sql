-- The instants a period of Dutch days runs between: from the start of `from_on` to the end
-- of `as_of`, in Europe/Amsterdam. Every register's `statistics(from, as_of)` counts by it,
-- so that a change made at 00:30 on 1 January is in the new year everywhere.
create function dutch_days(from_on date, as_of date, out lo timestamptz, out hi timestamptz)
language sql stable as $$
    select (from_on::timestamp at time zone 'Europe/Amsterdam'),
           ((as_of + 1)::timestamp at time zone 'Europe/Amsterdam')
$$;
