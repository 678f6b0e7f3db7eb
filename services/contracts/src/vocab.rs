//! Closed vocabularies (statuses, kinds, outcomes): one Rust enum each, one spelling per
//! value, the same in Rust, in JSON and in Postgres.
//!
//! [`text_enum!`](crate::text_enum) declares such an enum. Its values are stored as
//! `text` columns that carry a check constraint listing the same words, and they travel
//! through `postgres-types` (`ToSql`/`FromSql`) and serde as the enum itself, so no status
//! is ever parsed back from free text by hand or compared as a string.

/// What every vocabulary enum offers; implemented by [`text_enum!`](crate::text_enum).
pub trait Vocabulary: Sized + Copy + 'static {
    const ALL: &'static [Self];
    fn as_str(self) -> &'static str;
    fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.as_str() == s)
    }
}

/// Declares a vocabulary enum: `Copy`, `Eq`, `Hash`, `Display`, serde as its spelling,
/// `ToSql`/`FromSql` for `text` columns, and [`Vocabulary`].
///
/// ```
/// zegel_contracts::text_enum! {
///     /// How a thing stands.
///     pub enum Standing {
///         /// All well.
///         Good = "good",
///         /// Not well.
///         Bad = "bad",
///     }
/// }
/// use zegel_contracts::vocab::Vocabulary;
/// assert_eq!(Standing::parse("bad"), Some(Standing::Bad));
/// assert_eq!(serde_json::to_string(&Standing::Good).unwrap(), "\"good\"");
/// ```
#[macro_export]
macro_rules! text_enum {
    ($(#[$meta:meta])* $vis:vis enum $name:ident {
        $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)?
    }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $crate::vocab::Vocabulary for $name {
            const ALL: &'static [Self] = &[$($name::$variant),+];
            fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl $name {
            #[allow(dead_code)]
            pub const ALL: &'static [Self] = <Self as $crate::vocab::Vocabulary>::ALL;

            #[allow(dead_code)]
            pub fn as_str(self) -> &'static str {
                $crate::vocab::Vocabulary::as_str(self)
            }

            #[allow(dead_code)]
            pub fn parse(s: &str) -> Option<Self> {
                <Self as $crate::vocab::Vocabulary>::parse(s)
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl $crate::vocab::serde::Serialize for $name {
            fn serialize<S: $crate::vocab::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> $crate::vocab::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::vocab::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <::std::borrow::Cow<'de, str> as $crate::vocab::serde::Deserialize>::deserialize(d)?;
                Self::parse(&s).ok_or_else(|| {
                    <D::Error as $crate::vocab::serde::de::Error>::unknown_variant(&s, &[$($text),+])
                })
            }
        }

        impl $crate::vocab::postgres_types::ToSql for $name {
            fn to_sql(
                &self,
                ty: &$crate::vocab::postgres_types::Type,
                out: &mut $crate::vocab::BytesMut,
            ) -> Result<$crate::vocab::postgres_types::IsNull, Box<dyn ::std::error::Error + Sync + Send>> {
                <&str as $crate::vocab::postgres_types::ToSql>::to_sql(&self.as_str(), ty, out)
            }
            fn accepts(ty: &$crate::vocab::postgres_types::Type) -> bool {
                <&str as $crate::vocab::postgres_types::ToSql>::accepts(ty)
            }
            $crate::vocab::postgres_types::to_sql_checked!();
        }

        impl<'a> $crate::vocab::postgres_types::FromSql<'a> for $name {
            fn from_sql(
                ty: &$crate::vocab::postgres_types::Type,
                raw: &'a [u8],
            ) -> Result<Self, Box<dyn ::std::error::Error + Sync + Send>> {
                let s = <&str as $crate::vocab::postgres_types::FromSql>::from_sql(ty, raw)?;
                Self::parse(s).ok_or_else(|| format!("{:?} is not a {}", s, stringify!($name)).into())
            }
            fn accepts(ty: &$crate::vocab::postgres_types::Type) -> bool {
                <&str as $crate::vocab::postgres_types::FromSql>::accepts(ty)
            }
        }
    };
}

#[doc(hidden)]
pub use bytes::BytesMut;
#[doc(hidden)]
pub use postgres_types;
#[doc(hidden)]
pub use serde;

/// Checks, for a test, that every value of `V` has a distinct spelling that survives
/// JSON both ways.
pub fn assert_round_trips<V>()
where
    V: Vocabulary + serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let mut seen = std::collections::HashSet::new();
    for v in V::ALL {
        assert!(seen.insert(v.as_str()), "{} is spelled twice", v.as_str());
        assert_eq!(V::parse(v.as_str()), Some(*v));
        let json = serde_json::to_value(v).unwrap_or_default();
        assert_eq!(json, serde_json::Value::String(v.as_str().into()));
        assert_eq!(serde_json::from_value::<V>(json).ok().as_ref(), Some(v));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    crate::text_enum! {
        enum Light {
            Green = "green",
            Red = "red",
        }
    }

    #[test]
    fn a_vocabulary_has_one_spelling_everywhere() {
        assert_round_trips::<Light>();
        assert_eq!(Light::Red.to_string(), "red");
        let err = serde_json::from_str::<Light>("\"amber\"").err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("unknown variant `amber`"), "{err}");
        assert!(Light::parse("Green").is_none(), "spellings are exact");
    }
}
