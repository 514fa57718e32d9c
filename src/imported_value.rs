//! Records read from outside caselog (a JSON or YAML import, an `events`
//! cell), as serde reads them but for one thing: a table that gives a key
//! twice is refused, with its line. serde_json and serde_yaml keep the last
//! value silently, so an export someone edited by hand could carry a
//! customer's name twice and the case would take one without a word.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, DeserializeOwned, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// Reads `text` as JSON into `T`, refusing an object anywhere in it that
/// gives one key twice.
pub fn from_json<T: DeserializeOwned>(text: &str) -> Result<T, serde_json::Error> {
    let value: Imported = serde_json::from_str(text)?;
    serde_json::from_value(value.0)
}

/// Reads `text` as a JSON list, each item refused as [`from_json`] does,
/// with the list's own shape judged with its line.
pub fn list_from_json(text: &str) -> Result<Vec<Value>, serde_json::Error> {
    let items: Vec<Imported> = serde_json::from_str(text)?;
    Ok(items.into_iter().map(|item| item.0).collect())
}

/// Reads `text` as a YAML list, as [`list_from_json`] reads JSON.
pub fn list_from_yaml(text: &str) -> Result<Vec<Value>, crate::yaml::YamlError> {
    let items: Vec<Imported> = crate::yaml::from_str(text)?;
    Ok(items.into_iter().map(|item| item.0).collect())
}

/// A value read by any serde format, as JSON has it, whose tables give
/// each key once.
pub struct Imported(pub Value);

impl<'de> Deserialize<'de> for Imported {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Imported, D::Error> {
        deserializer.deserialize_any(ImportedVisitor).map(Imported)
    }
}

struct ImportedVisitor;

impl<'de> Visitor<'de> for ImportedVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        // YAML's .inf and .nan: no JSON number holds them, and taken as
        // null they would drop the field without a word.
        Number::from_f64(v).map(Value::Number).ok_or_else(|| {
            E::custom(format_args!(
                "{v} is not a number caselog can keep; put it in quotes to keep it as text"
            ))
        })
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(Imported(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if object.contains_key(&key) {
                return Err(de::Error::custom(format_args!(
                    "the key \"{}\" is given twice",
                    key.escape_debug()
                )));
            }
            let Imported(value) = map.next_value()?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_given_twice_is_refused_with_its_line_at_any_depth() {
        for text in [
            "[{\"title\": \"a\",\n \"title\": \"b\"}]",
            "[{\"x\": 1},\n {\"events\": [{\"kind\": \"note\", \"kind\": \"opened\"}]}]",
        ] {
            let err = list_from_json(text).unwrap_err();
            assert!(err.to_string().contains("is given twice"), "{err}");
            assert_eq!(err.line(), 2, "{err}");
        }
        let err = from_json::<Value>("{\"a\": {\"b\": 1, \"b\": 2}}").unwrap_err();
        assert!(err.to_string().contains("\"b\" is given twice"), "{err}");
    }

    #[test]
    fn json_without_repeated_keys_reads_as_serde_json_reads_it() {
        let text = r#"[{"a": 1, "b": [true, null, 2.5, -3, 18446744073709551615, "é\u0041"], "c": {"a": {}}}, []]"#;
        let ours = list_from_json(text).unwrap();
        let theirs: Vec<Value> = serde_json::from_str(text).unwrap();
        assert_eq!(ours, theirs);
        // Keys keep the file's order, as the rest of caselog expects.
        let keys: Vec<&String> = ours[0].as_object().unwrap().keys().collect();
        assert_eq!(keys, ["a", "b", "c"]);
        // The same keys in different objects are not a repeat.
        assert!(list_from_json(r#"[{"a": 1}, {"a": 2}]"#).is_ok());
        // The list's own shape is still judged.
        assert!(list_from_json(r#"{"a": 1}"#).is_err());
        assert!(list_from_json("[1] x").is_err());
    }

    #[test]
    fn yaml_giving_a_key_twice_is_refused_and_other_yaml_reads_as_before() {
        let err = list_from_yaml("- a: 1\n  b: 2\n  a: 3\n").unwrap_err();
        assert!(
            err.message.contains("\"a\" is given twice"),
            "{}",
            err.message
        );
        assert!(err.line.is_some());
        let text = "- a: 1\n  b: [x, 2.5, null, true]\n- {}\n";
        let theirs: Vec<Value> = crate::yaml::from_str(text).unwrap();
        assert_eq!(list_from_yaml(text).unwrap(), theirs);
    }
}
