//! Reading JSON the way every format and sender needs it: strictly where a contract is ours
//! (v1), and elsewhere only the few fields read, without failing on the ones not read. One value
//! visitor ([`Scalar`]), one reader of a few paths ([`read_object`]), and one reading of serde's
//! errors ([`shape_error`]) that never copies text out of a parser's message (it quotes input).

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};

use crate::clock::Timestamp;
use crate::domain::PayloadError;

/// A JSON value read for what a reader may need from it; any other value reads as `Other`
/// instead of failing, since nothing is checked that is not used.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Scalar {
    Null,
    Int(i64),
    /// A number with a fraction or an exponent (`1521472262.908181`).
    Fraction(f64),
    Text(String),
    /// A boolean, an integer beyond `i64`, an array or an object.
    Other,
}

impl Scalar {
    pub(crate) fn text(&self) -> Option<&str> {
        match self {
            Self::Text(s) => Some(s),
            _ => None,
        }
    }

    pub(crate) fn int(&self) -> Option<i64> {
        match self {
            Self::Int(i) => Some(*i),
            _ => None,
        }
    }
}

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct AsScalar;
        impl<'de> Shape<'de> for AsScalar {
            type Value = Scalar;
            fn object<A: MapAccess<'de>>(self, mut map: A) -> Result<Scalar, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Scalar::Other)
            }
            fn other(self, value: Option<Scalar>) -> Scalar {
                value.unwrap_or(Scalar::Other)
            }
        }
        d.deserialize_any(AnyValue(AsScalar))
    }
}

/// What [`AnyValue`] makes of an object, and of any other value.
pub(crate) trait Shape<'de>: Sized {
    type Value;
    /// An object: read it, or drain it unread.
    fn object<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error>;
    /// Anything else: a scalar as read, `None` for an array (drained unread).
    fn other(self, value: Option<Scalar>) -> Self::Value;
}

/// The one visitor of any JSON value (scalars, arrays, objects), for every reader that must not
/// fail on a value it does not use.
pub(crate) struct AnyValue<S>(pub(crate) S);

impl<'de, S: Shape<'de>> Visitor<'de> for AnyValue<S> {
    type Value = S::Value;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<S::Value, E> {
        Ok(self.0.other(Some(Scalar::Other)))
    }
    fn visit_i64<E>(self, v: i64) -> Result<S::Value, E> {
        Ok(self.0.other(Some(Scalar::Int(v))))
    }
    fn visit_u64<E>(self, v: u64) -> Result<S::Value, E> {
        Ok(self
            .0
            .other(Some(i64::try_from(v).map_or(Scalar::Other, Scalar::Int))))
    }
    fn visit_f64<E>(self, v: f64) -> Result<S::Value, E> {
        Ok(self.0.other(Some(Scalar::Fraction(v))))
    }
    fn visit_str<E>(self, v: &str) -> Result<S::Value, E> {
        Ok(self.0.other(Some(Scalar::Text(v.to_owned()))))
    }
    fn visit_unit<E>(self) -> Result<S::Value, E> {
        Ok(self.0.other(Some(Scalar::Null)))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<S::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(self.0.other(None))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<S::Value, A::Error> {
        self.0.object(map)
    }
}

/// A struct that must be written as a JSON object: serde's derived visitors also accept an
/// array of the fields' values, which a strict contract must not.
pub(crate) struct Object<T>(pub(crate) T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Object<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = Object<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Object<T>, A::Error> {
                T::deserialize(de::value::MapAccessDeserializer::new(map)).map(Object)
            }
        }
        d.deserialize_map(V(PhantomData))
    }
}

/// An optional field that, when present, must not be `null` (serde reads `null` as absent).
pub(crate) fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

/// An optional object field that, when present, must be an object (not `null`, not an array).
pub(crate) fn present_object<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<T>, D::Error> {
    Object::<T>::deserialize(d).map(|o| Some(o.0))
}

/// The values found at a few dotted paths of a JSON object (`id`, `event.type`), and the paths
/// whose value could not be read.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Doc {
    values: Vec<(&'static str, Scalar)>,
    /// Paths given twice (which one did the sender mean?) or holding a number too large to
    /// read: they have no value.
    problems: Vec<(&'static str, &'static str)>,
}

impl Doc {
    /// The value at `path`, when the document has one there (`null` included).
    pub(crate) fn get(&self, path: &str) -> Option<&Scalar> {
        self.values.iter().find(|(p, _)| *p == path).map(|(_, v)| v)
    }

    pub(crate) fn text(&self, path: &str) -> Option<&str> {
        self.get(path).and_then(Scalar::text)
    }

    pub(crate) fn int(&self, path: &str) -> Option<i64> {
        self.get(path).and_then(Scalar::int)
    }

    /// A time written as Unix seconds, whole or with a fraction (cut to milliseconds); one
    /// beyond what a millisecond count holds has none.
    pub(crate) fn seconds(&self, path: &str) -> Option<Timestamp> {
        match self.get(path)? {
            Scalar::Int(s) => s.checked_mul(1000).map(Timestamp::from_unix_millis),
            Scalar::Fraction(s) => {
                let ms = (s * 1000.0).floor();
                // `as` saturates; the range check keeps a saturated value out.
                (ms.is_finite() && ms.abs() < 9.0e18)
                    .then(|| Timestamp::from_unix_millis(ms as i64))
            }
            _ => None,
        }
    }

    /// Why `path` has no value although the document has it, if so: `invalid_payload` there.
    pub(crate) fn problem(&self, path: &str) -> Option<PayloadError> {
        self.problems
            .iter()
            .find(|(p, _)| *p == path)
            .map(|(p, message)| PayloadError::at(p, message))
    }
}

const DUPLICATED: &str = "duplicated key";
const TOO_LARGE: &str = "is a number too large to read";

/// Reads `paths` out of `bytes`, which must be one UTF-8 JSON object (else `InvalidJson`);
/// everything else in it is skipped unread. A path whose value cannot be read has none, and
/// [`Doc::problem`] says why; whether that matters is the caller's to say.
pub(crate) fn read_object(bytes: &[u8], paths: &[&'static str]) -> Result<Doc, PayloadError> {
    let text = std::str::from_utf8(bytes).map_err(|_| PayloadError::InvalidJson)?;
    let mut too_large: Vec<&'static str> = Vec::new();
    // A number too large to read stops the parser where it stands, so the document is read
    // again without that path (at most once per path).
    loop {
        let mut state = State {
            paths,
            skip: &too_large,
            doc: Doc::default(),
            too_large: None,
        };
        let mut de = serde_json::Deserializer::from_str(text);
        let read = Level {
            prefix: "",
            state: &mut state,
        }
        .deserialize(&mut de);
        if let Some(path) = state.too_large.filter(|p| !too_large.contains(p)) {
            too_large.push(path);
            continue;
        }
        match read {
            Ok(true) => {}
            Ok(false) | Err(_) => return Err(PayloadError::InvalidJson),
        }
        de.end().map_err(|_| PayloadError::InvalidJson)?;
        let mut doc = state.doc;
        doc.problems
            .extend(too_large.iter().map(|p| (*p, TOO_LARGE)));
        return Ok(doc);
    }
}

struct State<'p> {
    paths: &'p [&'static str],
    /// Paths read as if not asked for.
    skip: &'p [&'static str],
    doc: Doc,
    /// The path where a number too large to read stopped the parser.
    too_large: Option<&'static str>,
}

impl State<'_> {
    /// The path asked for that `full` is, if any.
    fn wanted(&self, full: &str) -> Option<&'static str> {
        self.paths
            .iter()
            .copied()
            .find(|p| *p == full && !self.skip.contains(p))
    }

    /// Whether a path asked for lies inside `full`.
    fn leads_somewhere(&self, full: &str) -> bool {
        self.paths.iter().any(|p| {
            !self.skip.contains(p)
                && p.strip_prefix(full)
                    .is_some_and(|rest| rest.starts_with('.'))
        })
    }
}

/// One object level of [`read_object`]; deserializes to whether the value was an object.
struct Level<'s, 'p> {
    prefix: &'s str,
    state: &'s mut State<'p>,
}

impl<'de> DeserializeSeed<'de> for Level<'_, '_> {
    type Value = bool;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_any(AnyValue(self))
    }
}

impl<'de> Shape<'de> for Level<'_, '_> {
    type Value = bool;
    fn object<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            // A key with a dot in it is no path's segment (`"event.type": …` is not `event`'s
            // `type`).
            if key.contains('.') {
                map.next_value::<IgnoredAny>()?;
                continue;
            }
            let full = if self.prefix.is_empty() {
                key
            } else {
                format!("{}.{key}", self.prefix)
            };
            if let Some(path) = self.state.wanted(&full) {
                let doc = &mut self.state.doc;
                if doc.get(path).is_some() || doc.problems.iter().any(|(p, _)| *p == path) {
                    doc.values.retain(|(p, _)| *p != path);
                    if !doc.problems.iter().any(|(p, _)| *p == path) {
                        doc.problems.push((path, DUPLICATED));
                    }
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
                match map.next_value::<Scalar>() {
                    Ok(value) => doc.values.push((path, value)),
                    Err(e) => {
                        if e.to_string().starts_with("number out of range") {
                            self.state.too_large = Some(path);
                        }
                        return Err(e);
                    }
                }
            } else if self.state.leads_somewhere(&full) {
                map.next_value_seed(Level {
                    prefix: &full,
                    state: self.state,
                })?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(true)
    }
    fn other(self, _: Option<Scalar>) -> bool {
        false
    }
}

/// The fields of a strictly read document: each dotted path, with the message for a value of
/// the wrong type there.
pub(crate) type Fields = &'static [(&'static str, &'static str)];

/// Reads an error of a typed parse into `invalid_json` or one [`Detail`]. Only the error's kind
/// (serde's fixed leading words) and path are read; the path keeps only `fields`' own names and
/// list indexes (and, for an unknown field, its key when that is a plain name), and the message
/// is written here for that kind and path.
pub(crate) fn shape_error(
    e: &serde_path_to_error::Error<serde_json::Error>,
    fields: Fields,
) -> PayloadError {
    use serde_path_to_error::Segment;
    let inner = e.inner();
    let kind = inner.to_string();
    // A number too large for its field (`1e400`) is valid JSON of the wrong shape; other syntax
    // errors that reach here (bad `\u` escapes) mean the body is not JSON text.
    if !inner.is_data() && !kind.starts_with("number out of range") {
        return PayloadError::InvalidJson;
    }
    let known = |segment: &str| {
        fields
            .iter()
            .any(|(path, _)| path.split('.').any(|s| s == segment))
    };
    let mut segments: Vec<String> = Vec::new();
    let mut cut = false;
    for segment in e.path().iter() {
        let name = match segment {
            Segment::Seq { index } => index.to_string(),
            Segment::Map { key } | Segment::Enum { variant: key } => key.clone(),
            Segment::Unknown => String::new(),
        };
        if cut || !(known(&name) || name.bytes().all(|b| b.is_ascii_digit()) && !name.is_empty()) {
            cut = true;
            continue;
        }
        segments.push(name);
    }
    let parent = segments.join(".");
    let join = |name: &str| {
        if parent.is_empty() {
            name.to_owned()
        } else {
            format!("{parent}.{name}")
        }
    };
    if kind.starts_with("unknown field ") {
        // The path ends at the unknown key itself; it is kept only when it is a plain name.
        let key = e.path().iter().next_back().and_then(|s| match s {
            Segment::Map { key } if cut && is_plain_name(key) => Some(key.as_str()),
            _ => None,
        });
        let path = match key {
            Some(key) if segments.len() + 1 == e.path().iter().count() => join(key),
            _ => parent,
        };
        return PayloadError::at(&path, "unknown field");
    }
    for (prefix, message) in [
        ("missing field `", "is required"),
        ("duplicate field `", "duplicated key"),
    ] {
        if let Some(rest) = kind.strip_prefix(prefix) {
            // serde's derive names one of our own fields; it is looked up, never copied.
            let name = rest.split('`').next().unwrap_or_default();
            let path = match fields
                .iter()
                .filter_map(|(p, _)| p.rsplit('.').next())
                .find(|f| *f == name)
            {
                Some(f) => join(f),
                None => parent,
            };
            return PayloadError::at(&path, message);
        }
    }
    let message = match fields.iter().find(|(p, _)| *p == parent) {
        Some((_, message)) => message,
        None if parent.is_empty() => "the body must be a JSON object",
        None => "is not a value this field can hold",
    };
    PayloadError::at(&parent, message)
}

/// A key that may be echoed as a path segment.
fn is_plain_name(name: &str) -> bool {
    name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_only_the_paths_asked_for() {
        let body = br#"{"id":"evt_1","type":"a.b","event":{"type":"message","x":[1,{"type":2}]},
                        "n":null,"big":1e400,"list":[{"id":"no"}],"created":12}"#;
        let doc = read_object(body, &["id", "event.type", "n", "created", "missing"]).unwrap();
        assert_eq!(doc.text("id"), Some("evt_1"));
        assert_eq!(doc.text("event.type"), Some("message"));
        assert_eq!(doc.get("n"), Some(&Scalar::Null));
        assert_eq!(doc.int("created"), Some(12));
        assert_eq!(doc.get("missing"), None);
        assert_eq!(doc.get("type"), None);
    }

    #[test]
    fn not_an_object_is_invalid_json() {
        for bad in [
            &b"[]"[..],
            b"1",
            b"\"s\"",
            b"null",
            b"{",
            b"{} {}",
            b"\xff",
            b"",
        ] {
            assert_eq!(
                read_object(bad, &["id"]),
                Err(PayloadError::InvalidJson),
                "{bad:?}"
            );
        }
        // An object that is not one where a path leads simply has no value there.
        let doc = read_object(br#"{"event":"x"}"#, &["event.type"]).unwrap();
        assert_eq!(doc.get("event.type"), None);
    }

    #[test]
    fn a_path_given_twice_or_too_large_has_no_value_and_says_why() {
        let doc = read_object(br#"{"id":"a","type":"t","id":"b"}"#, &["id", "type"]).unwrap();
        assert_eq!(doc.get("id"), None);
        assert_eq!(
            doc.problem("id"),
            Some(PayloadError::at("id", "duplicated key"))
        );
        assert_eq!(doc.text("type"), Some("t"));
        let doc = read_object(br#"{"event":{"type":"a","type":"b"}}"#, &["event.type"]).unwrap();
        assert_eq!(
            doc.problem("event.type"),
            Some(PayloadError::at("event.type", "duplicated key"))
        );
        let doc = read_object(
            br#"{"created":1e400,"id":"evt_1","created":2}"#,
            &["created", "id"],
        )
        .unwrap();
        assert_eq!(doc.get("created"), None);
        assert_eq!(
            doc.problem("created"),
            Some(PayloadError::at("created", "is a number too large to read"))
        );
        assert_eq!(doc.text("id"), Some("evt_1"));
        assert_eq!(doc.problem("id"), None);
        // Elsewhere, repeats and huge numbers are the sender's business.
        assert!(read_object(br#"{"x":1,"x":1e400}"#, &["id"]).is_ok());
        // A dotted key is not a path.
        let doc = read_object(br#"{"event.type":"x"}"#, &["event.type"]).unwrap();
        assert_eq!(doc.get("event.type"), None);
    }
}
