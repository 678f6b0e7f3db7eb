-- Events a service has acted on, so that an event delivered twice changes nothing twice.
-- Written in the same transaction as the change the event caused.
create table consumed_event (
    event_id      uuid primary key,
    event_type    text not null,
    consumed_at   timestamptz not null default now()
);
