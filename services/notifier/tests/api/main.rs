mod delivery;
mod helpers;
mod openapi;
mod production;
mod subscriptions;
mod takeover;
