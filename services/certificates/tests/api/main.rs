mod errors;
mod events;
mod helpers;
mod lifecycle;
mod openapi;
mod seals;
