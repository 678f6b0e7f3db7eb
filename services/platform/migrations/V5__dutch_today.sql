-- Today as the registers count days: the calendar day in the Netherlands, whatever time
-- zone the server or the session runs in. `current_date` is the session's day (UTC on
-- most servers), a day behind the Dutch one for an hour or two every night; the services'
-- clock (platform::clock::dutch_date) counts the same days as this.
create function dutch_today() returns date
language sql stable as $$
    select (now() at time zone 'Europe/Amsterdam')::date
$$;

-- Makes every view of the current schema that counts by `current_date` count by
-- `dutch_today()` instead; for registers whose views were written before it existed. The
-- views keep their columns, so whatever reads them is unchanged. Runs as the schema's
-- owner in a migration (the runtime role owns no view, so it cannot).
create function count_dutch_days_in_views() returns void
language plpgsql as $$
declare v record;
begin
    for v in select c.relname, pg_get_viewdef(c.oid) as def
             from pg_class c join pg_namespace n on n.oid = c.relnamespace
             where n.nspname = current_schema() and c.relkind = 'v'
               and pg_get_viewdef(c.oid) like '%CURRENT_DATE%'
             order by c.oid loop
        execute format('create or replace view %I as %s', v.relname,
                       rtrim(replace(v.def, 'CURRENT_DATE', 'dutch_today()'), '; '));
    end loop;
end
$$;
