//! Support for the property tests of every crate's configuration parsers: edit the value of the
//! n-th `key = value` line of an example file, with values chosen to break parsers (wrong
//! units, signs, NaN, huge and tiny numbers, wrong types). The tests assert that any edit gives
//! a validated model or an error naming a field, never a panic.

/// Values that have broken parsers: wrong units, signs, non-finite numbers, wrong types.
pub const NASTY_VALUES: &[&str] = &[
    "\"-3 nm\"",
    "\"0 nm\"",
    "0",
    "-1",
    "1e308",
    "-1e308",
    "1e-308",
    "nan",
    "inf",
    "\"nan ns\"",
    "\"1e300 um\"",
    "\"1e-300 nm\"",
    "\"1e9 A/m\"",
    "\"44\"",
    "\"44 %\"",
    "\"5 furlongs\"",
    "\"\"",
    "\"   \"",
    "\"1 nm/s^2/K\"",
    "[\"1 nm\", \"2 nm\"]",
    "[]",
    "[0, 99]",
    "true",
    "{ a = 1 }",
    "18446744073709551615",
    "4294967296",
    "\"up-down-left\"",
];

/// `text` with the value of its `slot`-th `key = value` line (comments and table headers not
/// counted) replaced by `value`; None when the file has fewer such lines.
pub fn replace_value(text: &str, slot: usize, value: &str) -> Option<String> {
    let mut k = 0;
    let mut hit = false;
    let lines: Vec<String> = text
        .lines()
        .map(|l| {
            let t = l.trim_start();
            if !t.starts_with('#') && !t.starts_with('[') && l.contains(" = ") {
                k += 1;
                if k == slot + 1 {
                    hit = true;
                    let key = l.split(" = ").next().unwrap_or_default();
                    return format!("{key} = {value}");
                }
            }
            l.to_string()
        })
        .collect();
    hit.then(|| lines.join("\n"))
}

/// `text` with the value of its `(slot mod n)`-th of n `key = value` lines replaced, so that any
/// drawn slot edits some line (`text` unchanged when it has none).
pub fn replace_any_value(text: &str, slot: usize, value: &str) -> String {
    match value_slots(text) {
        0 => text.to_string(),
        n => replace_value(text, slot % n, value).expect("slot below the count"),
    }
}

/// The number of `key = value` lines of `text`.
pub fn value_slots(text: &str) -> usize {
    text.lines()
        .filter(|l| {
            let t = l.trim_start();
            !t.starts_with('#') && !t.starts_with('[') && l.contains(" = ")
        })
        .count()
}

/// Property-test cases per test: `PROPTEST_CASES` from the environment (for long fuzzing
/// runs), else `default`.
pub fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(default)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_only_the_chosen_value_line() {
        let text = "# a = comment\n[t]\na = 1\nb = \"2 nm\"\n";
        assert_eq!(value_slots(text), 2);
        assert_eq!(replace_value(text, 1, "nan").unwrap(), "# a = comment\n[t]\na = 1\nb = nan");
        assert!(replace_value(text, 2, "0").is_none());
        assert_eq!(replace_any_value(text, 3, "0"), replace_value(text, 1, "0").unwrap());
    }
}
