//! Checks for text from files nobody vouches for: JSON objects whose keys are unique
//! (`serde_json` keeps the last of a repeated key, so `"amount":100,"amount":999` would
//! quietly store 999), and free text without control characters (a NUL in a description
//! poisons every system it is sent on to).

use serde::de::{Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::collections::btree_map::Entry;
use std::collections::BTreeMap;

/// A JSON object's fields, each key once, values as their raw JSON text.
#[derive(Debug, Default)]
pub struct Fields<'a> {
    map: BTreeMap<Cow<'a, str>, &'a RawValue>,
    /// The first key written more than once, if one was.
    duplicate: Option<String>,
}

/// Why a JSON value is not an object of unique fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ObjectProblem {
    NotAnObject,
    /// The key appears more than once.
    DuplicateKey(String),
}

impl<'a> Fields<'a> {
    /// The fields of the JSON object `text`, refused when a key repeats.
    pub fn parse(text: &'a str) -> Result<Self, ObjectProblem> {
        let fields: Fields<'a> =
            serde_json::from_str(text).map_err(|_| ObjectProblem::NotAnObject)?;
        match fields.duplicate {
            Some(key) => Err(ObjectProblem::DuplicateKey(key)),
            None => Ok(fields),
        }
    }

    pub fn get(&self, key: &str) -> Option<&'a RawValue> {
        self.map.get(key).copied()
    }

    /// Keys and raw values, in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &'a RawValue)> {
        self.map.iter().map(|(k, v)| (k.as_ref(), *v))
    }
}

/// A key as written: borrowed from the text unless it holds escapes.
struct Key<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a key")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}

impl<'de> Deserialize<'de> for Fields<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct FieldsVisitor;
        impl<'de> Visitor<'de> for FieldsVisitor {
            type Value = Fields<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Fields<'de>, A::Error> {
                let mut fields = Fields::default();
                while let Some(Key(key)) = access.next_key::<Key<'de>>()? {
                    let value: &'de RawValue = access.next_value()?;
                    match fields.map.entry(key) {
                        Entry::Occupied(taken) => {
                            let key = taken.key().to_string();
                            fields.duplicate.get_or_insert(key);
                        }
                        Entry::Vacant(free) => {
                            free.insert(value);
                        }
                    }
                }
                Ok(fields)
            }
        }
        d.deserialize_map(FieldsVisitor)
    }
}

/// The first control character in free text other than tab, line feed and carriage
/// return, as "U+0000 at character 5" (1-based), if there is one.
pub fn control_character(text: &str) -> Option<String> {
    // Most text has no byte that can start a control character (C0, DEL, or the 0xC2
    // lead byte of C1): answer without decoding it.
    let suspicious =
        |b: &u8| (*b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) || *b == 0x7f || *b == 0xc2;
    if !text.as_bytes().iter().any(suspicious) {
        return None;
    }
    text.chars()
        .enumerate()
        .find(|(_, c)| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
        .map(|(i, c)| format!("U+{:04X} at character {}", c as u32, i + 1))
}

/// [`control_character`] as the reason a text is refused.
pub fn check_free_text(text: &str) -> Result<(), String> {
    match control_character(text) {
        None => Ok(()),
        Some(at) => Err(format!(
            "holds a control character ({at}); only tabs and line breaks may appear in text"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repeated_key_is_named() {
        let err = Fields::parse(r#"{"id":22,"amount":100,"id":23}"#).unwrap_err();
        assert_eq!(err, ObjectProblem::DuplicateKey("id".into()));
        // The same key written with an escape is the same key.
        let err = Fields::parse(r#"{"amount":100,"am\u006funt":999}"#).unwrap_err();
        assert_eq!(err, ObjectProblem::DuplicateKey("amount".into()));
        assert_eq!(
            Fields::parse("[1]").unwrap_err(),
            ObjectProblem::NotAnObject
        );
        let f = Fields::parse(r#"{"a":1, "b" : "x"}"#).unwrap();
        assert_eq!(f.get("b").map(|v| v.get()), Some("\"x\""));
        assert_eq!(f.iter().count(), 2);
    }

    #[test]
    fn control_characters_other_than_tab_and_line_breaks_are_found() {
        assert_eq!(check_free_text("a\tb\r\nc"), Ok(()));
        assert_eq!(check_free_text("Überweisung € ok"), Ok(()));
        assert_eq!(
            control_character("ab\0c").as_deref(),
            Some("U+0000 at character 3")
        );
        assert!(control_character("x\u{1b}[31m").is_some());
        assert!(control_character("x\u{7f}").is_some());
        assert!(control_character("x\u{85}").is_some());
        // U+00A0..U+00BF share the C1 lead byte but are text.
        assert_eq!(control_character("12\u{a0}€ ©"), None);
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            let s = format!("ab{c}");
            let slow = c.is_control() && !matches!(c, '\t' | '\n' | '\r');
            assert_eq!(control_character(&s).is_some(), slow, "{c:?}");
        }
    }
}
