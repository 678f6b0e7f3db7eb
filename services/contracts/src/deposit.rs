//! The words of the deposits register that travel in its events: the claims against a
//! guarantee deposit, as the inspectorate and the admission authority follow them.

crate::text_enum! {
    pub enum ClaimType {
        /// Wages a worker was not paid.
        UnpaidWages = "unpaid_wages",
        /// An inspectorate fine.
        Fine = "fine",
        Damages = "damages",
    }
}

crate::text_enum! {
    pub enum ClaimStatus {
        /// Filed by or for a worker, waiting for the admission authority's assessment.
        Filed = "filed",
        /// Accepted for an amount, not yet paid.
        Accepted = "accepted",
        /// Paid in part; the rest stays open and is paid first after a top-up.
        PartlyPaid = "partly_paid",
        Paid = "paid",
        Rejected = "rejected",
    }
}

crate::text_enum! {
    /// A presumption the admission authority may apply to a worker's wage claim.
    pub enum Presumption {
        /// The agency's administration is unusable: two months of full-time minimum wage are
        /// presumed owed (advice 2.1 C).
        AdministrationUnusable = "administration_unusable",
        /// Underpayment is suspected and the administration is unsound: an employment of six
        /// months is presumed (advice 6.2 A).
        SixMonthRelation = "six_month_relation",
    }
}

crate::text_enum! {
    /// What the admission authority decides of a claim.
    pub enum Decision {
        Accept = "accept",
        /// Accepted for less than claimed, with a reason.
        AcceptInPart = "accept_in_part",
        Reject = "reject",
    }
}

/// Euros as a person types them in a form ("1200", "1200,50", "1200.50") to cents; empty
/// is nothing; anything else (more than two decimals, signs, letters, over 99,999,999) is
/// no amount.
#[allow(clippy::result_unit_err)]
pub fn cents_of_euros(raw: &str) -> Result<Option<i64>, ()> {
    let raw = raw.trim().replace(',', ".");
    if raw.is_empty() {
        return Ok(None);
    }
    let (whole, cents) = raw.split_once('.').unwrap_or((&raw, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || whole.len() > 8 || cents.len() > 2 || !digits(cents) {
        return Err(());
    }
    let whole: i64 = whole.parse().map_err(|_| ())?;
    let cents: i64 = format!("{cents:0<2}").parse().map_err(|_| ())?;
    Ok(Some(whole * 100 + cents))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn euros_as_typed_are_cents() {
        for (typed, cents) in [("1200", Some(120_000)), ("1200,5", Some(120_050)), (" 0.07 ", Some(7)), ("", None)] {
            assert_eq!(cents_of_euros(typed), Ok(cents), "{typed}");
        }
        for wrong in ["-5", "12.345", "1e3", ",50", "123456789", "12,3a"] {
            assert_eq!(cents_of_euros(wrong), Err(()), "{wrong}");
        }
    }
}
