//! Keys that address a field of a base file: `bias.hz`, `wire.width.start`,
//! `material_overrides.dmi`, `mtj[2].length` (arrays of tables by 1-based index, as MTJs are
//! numbered everywhere a person reads them). The names are the file's own.

use dwmtj_core::ConfigError;
use toml::{Table, Value};

/// One step of a key: a table entry, or an entry of an array (0-based here).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// A key of a table.
    Name(String),
    /// An entry of an array, 0-based.
    Index(usize),
}

/// A parsed key (two keys are equal when they address the same field: `mtj[1].x` and
/// `mtj[ 1 ].x` are one key).
#[derive(Clone, Debug)]
pub struct KeyPath {
    /// The key as written.
    pub text: String,
    /// Its steps.
    pub steps: Vec<Step>,
}

fn bad(field: &str, key: &str, problem: impl Into<String>) -> ConfigError {
    ConfigError::field(field, format!("{key:?}"), problem)
}

impl PartialEq for KeyPath {
    fn eq(&self, other: &Self) -> bool {
        self.steps == other.steps
    }
}

impl Eq for KeyPath {}

impl KeyPath {
    /// Parse `key` (`field` names it in errors).
    pub fn parse(key: &str, field: &str) -> Result<Self, ConfigError> {
        let syntax = "expected dotted names of the base file, e.g. \"bias.hz\" or \"mtj[2].length\" (1-based)";
        if key.trim().is_empty() {
            return Err(bad(field, key, syntax));
        }
        let mut steps = Vec::new();
        for part in key.split('.') {
            let (name, mut rest) = match part.find('[') {
                Some(i) => (&part[..i], &part[i..]),
                None => (part, ""),
            };
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
                return Err(bad(field, key, syntax));
            }
            steps.push(Step::Name(name.to_string()));
            while !rest.is_empty() {
                let close = rest.find(']').ok_or_else(|| bad(field, key, syntax))?;
                let n: usize = rest[1..close].trim().parse().map_err(|_| bad(field, key, syntax))?;
                if n == 0 {
                    return Err(bad(field, key, "array entries are numbered from 1, e.g. mtj[1]"));
                }
                steps.push(Step::Index(n - 1));
                rest = &rest[close + 1..];
                if !rest.is_empty() && !rest.starts_with('[') {
                    return Err(bad(field, key, syntax));
                }
            }
        }
        Ok(Self {
            text: key.to_string(),
            steps,
        })
    }

    /// Set the value at this key in `doc`, creating missing tables on the way (whether the key
    /// exists in the file's schema is for the file's own validation to say). `field` names the
    /// axis in errors.
    pub fn set(&self, doc: &mut Table, value: Value, field: &str) -> Result<(), ConfigError> {
        set_in(doc, self, value, field)
    }

    /// The value at this key in `doc`, if there is one.
    pub fn get<'a>(&self, doc: &'a Table) -> Option<&'a Value> {
        let mut here: Option<&Value> = None;
        for (k, step) in self.steps.iter().enumerate() {
            here = match (k, step, here) {
                (0, Step::Name(n), _) => doc.get(n),
                (_, Step::Name(n), Some(Value::Table(t))) => t.get(n),
                (_, Step::Index(i), Some(Value::Array(a))) => a.get(*i),
                _ => None,
            };
            here?;
        }
        here
    }
}

/// Set `value` at `path` in `doc` (see [`KeyPath::set`]).
fn set_in(doc: &mut Table, path: &KeyPath, value: Value, field: &str) -> Result<(), ConfigError> {
    let mut root = Value::Table(std::mem::take(doc));
    let r = set_value(&mut root, path, value, field);
    if let Value::Table(t) = root {
        *doc = t;
    }
    r
}

fn set_value(root: &mut Value, path: &KeyPath, value: Value, field: &str) -> Result<(), ConfigError> {
    let (last, head) = path.steps.split_last().expect("a parsed key has a step");
    let mut here = root;
    for (k, step) in head.iter().enumerate() {
        here = descend(here, step, path.steps.get(k + 1), &path.text, field)?;
    }
    match (last, here) {
        (Step::Name(n), Value::Table(t)) => {
            t.insert(n.clone(), value);
            Ok(())
        }
        (Step::Index(i), Value::Array(a)) => {
            let len = a.len();
            let slot = a
                .get_mut(*i)
                .ok_or_else(|| bad(field, &path.text, format!("the base file's array has {len} entries")))?;
            *slot = value;
            Ok(())
        }
        (Step::Name(n), _) => Err(bad(field, &path.text, format!("`{n}` is not inside a table of the base file"))),
        (Step::Index(_), _) => Err(bad(field, &path.text, "indexes something that is not an array in the base file")),
    }
}

fn descend<'a>(here: &'a mut Value, step: &Step, next: Option<&Step>, key: &str, field: &str) -> Result<&'a mut Value, ConfigError> {
    match (step, here) {
        (Step::Name(n), Value::Table(t)) => {
            let fresh = match next {
                Some(Step::Index(_)) => None,
                _ => Some(Value::Table(Table::new())),
            };
            match (t.contains_key(n), fresh) {
                (true, _) => Ok(t.get_mut(n).expect("present")),
                (false, Some(v)) => Ok(t.entry(n.clone()).or_insert(v)),
                (false, None) => Err(bad(field, key, format!("the base file has no array `{n}`"))),
            }
        }
        (Step::Index(i), Value::Array(a)) => {
            let len = a.len();
            a.get_mut(*i)
                .ok_or_else(|| bad(field, key, format!("the base file's array has {len} entries")))
        }
        (Step::Name(n), _) => Err(bad(field, key, format!("`{n}` is not inside a table of the base file"))),
        (Step::Index(_), _) => Err(bad(field, key, "indexes something that is not an array in the base file")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> Table {
        toml::from_str(text).unwrap()
    }

    #[test]
    fn sets_existing_new_nested_and_indexed_keys() {
        let mut d = doc("a = 1\n[bias]\nhz = \"-480 Oe\"\n[[mtj]]\nlength = \"1 nm\"\n[[mtj]]\nlength = \"2 nm\"\n");
        let set = |d: &mut Table, k: &str, v: Value| KeyPath::parse(k, "axis").unwrap().set(d, v, "axis");
        set(&mut d, "bias.hz", Value::String("-500 Oe".into())).unwrap();
        set(&mut d, "wire.width.start", Value::String("3 um".into())).unwrap();
        set(&mut d, "mtj[2].length", Value::String("5 nm".into())).unwrap();
        assert_eq!(d["bias"]["hz"].as_str(), Some("-500 Oe"));
        assert_eq!(d["wire"]["width"]["start"].as_str(), Some("3 um"));
        assert_eq!(d["mtj"][1]["length"].as_str(), Some("5 nm"));
        assert_eq!(d["mtj"][0]["length"].as_str(), Some("1 nm"));
        let e = set(&mut d, "mtj[3].length", Value::Integer(1)).unwrap_err().to_string();
        assert!(e.contains("has 2 entries"), "{e}");
        let e = set(&mut d, "a.b", Value::Integer(1)).unwrap_err().to_string();
        assert!(e.contains("not inside a table"), "{e}");
        assert_eq!(
            KeyPath::parse("mtj[2].length", "k").unwrap().get(&d).and_then(Value::as_str),
            Some("5 nm")
        );
    }

    #[test]
    fn rejects_malformed_keys() {
        for k in ["", "a..b", "a[0]", "a[x]", "a[1", "a]b", ".a", "a b", "a[1]x"] {
            assert!(KeyPath::parse(k, "axis[1].key").is_err(), "{k}");
        }
    }
}
