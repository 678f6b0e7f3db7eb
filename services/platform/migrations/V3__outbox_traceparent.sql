-- The W3C trace context of the request that wrote the event (null when traces are off),
-- so that the consumers' spans join its trace. Not part of the signed event.
alter table outbox add column traceparent text;
