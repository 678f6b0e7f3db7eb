//! What the housing register tells the others about a building beyond its mark.

crate::text_enum! {
    /// Why a rehousing case closed.
    pub enum RehousingClosed {
        Empty = "empty",
        MarkReturned = "mark_returned",
        /// It may be lived in again: the permit is in force, or the season is back.
        LawfulAgain = "lawful_again",
    }
}
