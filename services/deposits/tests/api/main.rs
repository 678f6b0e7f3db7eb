mod claims;
mod helpers;
mod money;
mod openapi;
