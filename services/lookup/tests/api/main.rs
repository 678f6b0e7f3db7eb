mod helpers;
mod trust_list;
mod verdicts;
