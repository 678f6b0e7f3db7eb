mod bans;
mod helpers;
mod openapi;
