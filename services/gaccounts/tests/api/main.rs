mod accounts;
mod helpers;
mod openapi;
