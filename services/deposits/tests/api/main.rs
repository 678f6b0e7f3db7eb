mod helpers;
mod money;
mod openapi;
