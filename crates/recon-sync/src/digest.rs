//! What "the same body" means for replays: a SHA-256 over a canonical JSON text.

use crate::EventBody;
use serde_json::value::RawValue;
use serde_json::Value;
use sha2::{Digest, Sha256};

/// Digest of a typed body: its JSON as serialized (field order is the struct's).
pub(crate) fn typed_digest_hex(body: &EventBody) -> String {
    let json = serde_json::to_vec(body).expect("event bodies always serialize");
    hex::encode(Sha256::digest(json))
}

/// Digest of a body the server keeps untyped (a kind it does not apply): the JSON of
/// `{"kind": kind, "payload": payload}` with object keys sorted and no whitespace, so
/// the same payload gives the same digest however its keys were ordered or spaced — and
/// whichever `serde_json` features the build happens to unify (`preserve_order` would
/// change `Value`'s own key order).
pub fn untyped_digest_hex(kind: &str, payload: &RawValue) -> Result<String, serde_json::Error> {
    let payload: Value = serde_json::from_str(payload.get())?;
    let mut text = Vec::new();
    text.extend_from_slice(b"{\"kind\":");
    serde_json::to_writer(&mut text, kind)?;
    text.extend_from_slice(b",\"payload\":");
    write_canonical(&payload, &mut text)?;
    text.push(b'}');
    Ok(hex::encode(Sha256::digest(text)))
}

fn write_canonical(value: &Value, out: &mut Vec<u8>) -> Result<(), serde_json::Error> {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push(b'{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                serde_json::to_writer(&mut *out, key)?;
                out.push(b':');
                write_canonical(&map[key], out)?;
            }
            out.push(b'}');
        }
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_canonical(item, out)?;
            }
            out.push(b']');
        }
        scalar => serde_json::to_writer(&mut *out, scalar)?,
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(text: &str) -> Box<RawValue> {
        RawValue::from_string(text.to_owned()).unwrap()
    }

    #[test]
    fn key_order_and_spacing_do_not_change_the_untyped_digest() {
        let a = untyped_digest_hex("match_linked", &raw(r#"{"a":1,"b":{"c":"x","d":[1,2]}}"#));
        let b = untyped_digest_hex(
            "match_linked",
            &raw(r#"{ "b": {"d": [1, 2], "c": "x"}, "a": 1 }"#),
        );
        assert_eq!(a.unwrap(), b.unwrap());
    }

    #[test]
    fn payload_or_kind_changes_change_the_untyped_digest() {
        let base = untyped_digest_hex("k", &raw(r#"{"a":"1.00"}"#)).unwrap();
        assert_ne!(
            base,
            untyped_digest_hex("k", &raw(r#"{"a":"1.01"}"#)).unwrap()
        );
        assert_ne!(
            base,
            untyped_digest_hex("other", &raw(r#"{"a":"1.00"}"#)).unwrap()
        );
        assert_ne!(
            base,
            untyped_digest_hex("k", &raw(r#"{"a":["1.00"]}"#)).unwrap()
        );
    }
}
