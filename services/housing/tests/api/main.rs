mod buildings;
mod complaints;
mod helpers;
mod limiters;
mod marks;
mod municipalities;
mod openapi;
mod seals;
