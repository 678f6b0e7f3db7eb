mod delivery;
mod helpers;
mod openapi;
mod subscriptions;
mod takeover;
