//! The one place numbers become text. Terminal summaries, chart titles, HTML pages and CSVs all
//! call these, so the same quantity reads the same everywhere.
//!
//! - For people: [`money`] and [`signed_money`] (`5.63M`, `−225k`, `830`), [`number`] (three
//!   significant figures, large values as money), [`grouped`] (`3,487,623`), [`percent`],
//!   [`week`], [`years`]. Negative numbers carry a true minus sign (U+2212), undefined ones
//!   read `n/a`.
//! - For files: [`csv_number`] (shortest text that reads back as the same `f64`; empty when
//!   undefined) and [`csv_field`] (RFC 4180 quoting), and the serde helpers in [`csv_num`].

use std::borrow::Cow;

/// The minus sign people read (U+2212), not the hyphen.
pub const MINUS: &str = "\u{2212}";

/// What an undefined figure (NaN, infinite) reads as.
pub const NOT_AVAILABLE: &str = "n/a";

fn sign(x: f64, signed: bool) -> &'static str {
    if x < 0.0 {
        MINUS
    } else if signed {
        "+"
    } else {
        ""
    }
}

fn magnitude(a: f64) -> String {
    if a >= 1e9 {
        format!("{:.2}G", a / 1e9)
    } else if a >= 1e6 {
        format!("{:.2}M", a / 1e6)
    } else if a >= 1e4 {
        format!("{:.0}k", a / 1e3)
    } else if a >= 1e3 {
        format!("{:.1}k", a / 1e3)
    } else {
        format!("{a:.0}")
    }
}

/// Money for people: `5.63M`, `−225k`, `1.5k`, `830` (currency units, no symbol).
pub fn money(x: f64) -> String {
    if !x.is_finite() {
        return NOT_AVAILABLE.to_string();
    }
    format!("{}{}", sign(x, false), magnitude(x.abs()))
}

/// Money with its sign always shown, for differences: `+5.63M`, `−225k`.
pub fn signed_money(x: f64) -> String {
    if !x.is_finite() {
        return NOT_AVAILABLE.to_string();
    }
    format!("{}{}", sign(x, true), magnitude(x.abs()))
}

/// Three significant figures (enough for a table; the CSVs keep full precision): `21.0`,
/// `−0.157`, `1234` below a million, millions and more as [`money`].
pub fn sig3(x: f64) -> String {
    if !x.is_finite() {
        return NOT_AVAILABLE.to_string();
    }
    let a = x.abs();
    let body = if a >= 100.0 || a == 0.0 {
        format!("{a:.0}")
    } else if a >= 10.0 {
        format!("{a:.1}")
    } else if a >= 1.0 {
        format!("{a:.2}")
    } else {
        format!("{a:.3}")
    };
    // Rounded to zero shows no sign.
    let s = if body.chars().all(|c| c == '0' || c == '.') {
        ""
    } else {
        sign(x, false)
    };
    format!("{s}{body}")
}

/// A plain number for people: three significant figures, and money's magnitudes from a
/// million up (so every large figure reads `5.63M` wherever it appears).
pub fn number(x: f64) -> String {
    if x.is_finite() && x.abs() >= 1e6 {
        return money(x);
    }
    sig3(x)
}

/// A number with thousands separators and `decimals` decimals: `3,487,623`, `−1,234.5`.
pub fn grouped(x: f64, decimals: usize) -> String {
    if !x.is_finite() {
        return NOT_AVAILABLE.to_string();
    }
    let text = format!("{:.*}", decimals, x.abs());
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if !frac.is_empty() {
        out.push('.');
        out.push_str(frac);
    }
    let zero = out.chars().all(|c| matches!(c, '0' | '.' | ','));
    format!("{}{out}", if zero { "" } else { sign(x, false) })
}

/// A share as a whole percentage: `94%`.
pub fn percent(share: f64) -> String {
    if share.is_finite() {
        format!("{:.0}%", 100.0 * share)
    } else {
        NOT_AVAILABLE.to_string()
    }
}

/// A share as a signed percentage with one decimal, for changes: `+0.4%`, `−1.2%`.
pub fn signed_percent(share: f64) -> String {
    if !share.is_finite() {
        return NOT_AVAILABLE.to_string();
    }
    format!("{}{:.1}%", sign(share, true), (100.0 * share).abs())
}

/// A week number (or a fraction of one, from interpolated percentiles) as people say it.
pub fn week(x: f64) -> String {
    if x.is_finite() {
        format!("{x:.0}")
    } else {
        NOT_AVAILABLE.to_string()
    }
}

/// A horizon in weeks as years: `3 years`, `1 year`, `2.5 years`.
pub fn years(weeks: f64) -> String {
    let y = weeks / 52.0;
    if (y - y.round()).abs() < 1e-9 {
        let n = y.round() as i64;
        format!("{n} year{}", if n == 1 { "" } else { "s" })
    } else {
        format!("{y:.1} years")
    }
}

/// A number for a CSV: the shortest text that reads back as the same `f64`; empty when
/// undefined (NaN or infinite).
pub fn csv_number(x: f64) -> String {
    if x.is_finite() {
        format!("{x}")
    } else {
        String::new()
    }
}

/// A CSV field quoted as RFC 4180 asks: in double quotes, with quotes doubled, when it holds a
/// comma, a quote or a line break (arm names are the user's free text).
pub fn csv_field(text: &str) -> Cow<'_, str> {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\"")).into()
    } else {
        text.into()
    }
}

/// Fields joined into one CSV line, each quoted as [`csv_field`] asks.
pub fn csv_line(fields: &[String]) -> String {
    fields
        .iter()
        .map(|f| csv_field(f))
        .collect::<Vec<_>>()
        .join(",")
}

/// Serde helpers for `f64` columns of CSV rows: written as [`csv_number`] writes them, read
/// back with an empty field as NaN (undefined).
pub mod csv_num {
    use serde::{Deserialize, Deserializer, Serializer};

    /// Writes `x` as [`super::csv_number`] does.
    pub fn serialize<S: Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::csv_number(*x))
    }

    /// Reads a number, an empty field as NaN.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        if text.is_empty() {
            return Ok(f64::NAN);
        }
        text.parse()
            .map_err(|_| serde::de::Error::custom(format!("expected a number, found `{text}`")))
    }
}

/// Text escaped for HTML (element content and attribute values).
pub fn escape_html(text: &str) -> String {
    let mut o = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            _ => o.push(c),
        }
    }
    o
}

/// Text made safe to print on a terminal: every control character but the line break and the
/// tab (ESC, BEL, carriage return, ...) and every invisible formatting character that reorders
/// or hides text (U+202E and the like: [`crate::files::is_hidden_char`]) is shown as its code,
/// `\u001b`, so what a file or a name holds cannot recolour, retitle or rearrange the
/// terminal. The escapes are JSON's, so a JSON line stays valid JSON. The one place text
/// becomes terminal output.
pub fn terminal_safe(text: &str) -> Cow<'_, str> {
    let unsafe_char = |c: char| c != '\n' && c != '\t' && crate::files::is_hidden_char(c);
    if !text.chars().any(unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut o = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if unsafe_char(c) {
            o.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else {
            o.push(c);
        }
    }
    Cow::Owned(o)
}

/// A band's end for people: [`number`], with an open end shown as `∞` or `−∞`.
pub fn bound(x: f64) -> String {
    if x.is_infinite() {
        format!("{}\u{221e}", if x < 0.0 { MINUS } else { "" })
    } else {
        number(x)
    }
}

/// A band's end for a CSV: as [`csv_number`], with an open end written `inf` or `-inf` (so it
/// reads back as the same `f64`).
pub fn csv_bound(x: f64) -> String {
    if x.is_infinite() {
        if x < 0.0 { "-inf" } else { "inf" }.to_string()
    } else {
        csv_number(x)
    }
}

/// Serde helpers for `f64` columns that may hold an open end: written as [`csv_bound`] writes
/// them, read back as [`csv_num`] reads them (`inf` and `-inf` parse as infinities).
pub mod csv_bound_num {
    use serde::{Deserializer, Serializer};

    /// Writes `x` as [`super::csv_bound`] does.
    pub fn serialize<S: Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::csv_bound(*x))
    }

    /// Reads a number, `inf` or `-inf`, an empty field as NaN.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        super::csv_num::deserialize(d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_and_numbers_read_as_people_write_them() {
        assert_eq!(signed_money(5_630_000.0), "+5.63M");
        assert_eq!(money(-225_149.0), "\u{2212}225k");
        assert_eq!(money(1_549.0), "1.5k");
        assert_eq!(money(830.4), "830");
        assert_eq!(money(f64::NAN), "n/a");
        assert_eq!(number(21.04), "21.0");
        assert_eq!(number(-0.157), "\u{2212}0.157");
        assert_eq!(number(-0.0001), "0.000");
        assert_eq!(number(3_200_000.0), "3.20M");
        assert_eq!(sig3(1234.4), "1234");
        assert_eq!(percent(0.936), "94%");
        assert_eq!(years(156.0), "3 years");
        assert_eq!(years(52.0), "1 year");
        assert_eq!(years(26.0), "0.5 years");
    }

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(grouped(3_487_623.4, 0), "3,487,623");
        assert_eq!(grouped(-1_234.56, 1), "\u{2212}1,234.6");
        assert_eq!(grouped(999.0, 0), "999");
        assert_eq!(grouped(-0.2, 0), "0");
        assert_eq!(grouped(f64::INFINITY, 0), "n/a");
    }

    #[test]
    fn csv_numbers_round_trip_and_fields_are_quoted() {
        for x in [0.1, -3.25e-7, 1e16, 123_456_789.123] {
            assert_eq!(csv_number(x).parse::<f64>().unwrap(), x);
        }
        assert_eq!(csv_number(f64::NAN), "");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("plain"), "plain");
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            escape_html("<a & 'b'>\""),
            "&lt;a &amp; &#39;b&#39;&gt;&quot;"
        );
    }
}
