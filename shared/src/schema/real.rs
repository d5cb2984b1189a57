//! `Real`: an `f64` that survives JSON even when it is NaN or ±∞.
//!
//! JSON has no NaN or infinity and `serde_json` silently writes them as `null`. Values that can
//! legitimately be non-finite (the loudness of digital silence is −∞ LUFS, a true peak of silence
//! is −∞ dBTP) are stored as `Real`, which writes finite values as JSON numbers and the others as
//! the strings `"NaN"`, `"Infinity"` and `"-Infinity"`.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// An `f64` with an explicit JSON encoding for NaN and ±∞.
#[derive(Clone, Copy, Debug, Default, PartialEq, PartialOrd)]
pub struct Real(pub f64);

impl Real {
    /// The wrapped value.
    pub fn get(self) -> f64 {
        self.0
    }

    /// The value if it is finite.
    pub fn finite(self) -> Option<f64> {
        self.0.is_finite().then_some(self.0)
    }
}

impl From<f64> for Real {
    fn from(value: f64) -> Self {
        Real(value)
    }
}

impl fmt::Display for Real {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_nan() {
            f.write_str("NaN")
        } else if self.0.is_infinite() {
            f.write_str(if self.0 > 0.0 { "+∞" } else { "−∞" })
        } else {
            write!(f, "{}", self.0)
        }
    }
}

impl Serialize for Real {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let v = self.0;
        if v.is_finite() {
            serializer.serialize_f64(v)
        } else if v.is_nan() {
            serializer.serialize_str("NaN")
        } else if v > 0.0 {
            serializer.serialize_str("Infinity")
        } else {
            serializer.serialize_str("-Infinity")
        }
    }
}

impl<'de> Deserialize<'de> for Real {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Repr {
            Num(f64),
            Text(String),
        }
        match Repr::deserialize(deserializer)? {
            Repr::Num(v) => Ok(Real(v)),
            Repr::Text(s) => match s.as_str() {
                "NaN" => Ok(Real(f64::NAN)),
                "Infinity" => Ok(Real(f64::INFINITY)),
                "-Infinity" => Ok(Real(f64::NEG_INFINITY)),
                other => Err(serde::de::Error::custom(format!(
                    "expected a number, \"NaN\", \"Infinity\" or \"-Infinity\", found \"{other}\""
                ))),
            },
        }
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for Real {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Real".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A number; NaN and infinities are written as the strings \"NaN\", \"Infinity\", \"-Infinity\".",
            "oneOf": [
                { "type": "number" },
                { "type": "string", "enum": ["NaN", "Infinity", "-Infinity"] }
            ]
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_finite_values_round_trip() {
        for v in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -23.5, 0.0] {
            let json = serde_json::to_string(&Real(v)).unwrap();
            let back: Real = serde_json::from_str(&json).unwrap();
            if v.is_nan() {
                assert!(back.0.is_nan());
                assert_eq!(json, "\"NaN\"");
            } else {
                assert_eq!(back.0, v);
            }
        }
        assert_eq!(
            serde_json::to_string(&Real(f64::NEG_INFINITY)).unwrap(),
            "\"-Infinity\""
        );
    }

    #[test]
    fn rejects_other_strings() {
        let err = serde_json::from_str::<Real>("\"loud\"").unwrap_err();
        assert!(err.to_string().contains("loud"));
    }
}
