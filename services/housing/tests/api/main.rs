mod buildings;
mod complaints;
mod helpers;
mod marks;
mod municipalities;
mod openapi;
mod seals;
