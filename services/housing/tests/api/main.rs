mod buildings;
mod helpers;
mod openapi;
