mod bans;
mod helpers;
mod openapi;
mod phoenix;
