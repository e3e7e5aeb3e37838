//! `f64` values as text that brings back every bit: their IEEE-754 patterns, little-endian, in
//! base64 (RFC 4648, standard alphabet, padded). A third larger than the bytes, and exact
//! whatever reads it (a decimal could be rounded by a reader; NaN and the infinities have no
//! JSON number at all).

/// The base64 alphabet.
const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Text that is not the base64 of whole `f64` values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected base64 text of whole 8-byte values, found {0}")]
pub(super) struct BitsError(String);

/// The bits of `values` as base64.
pub(super) fn encode(values: &[f64]) -> String {
    let bytes: Vec<u8> = values
        .iter()
        .flat_map(|x| x.to_bits().to_le_bytes())
        .collect();
    let mut text = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                text.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                text.push('=');
            }
        }
    }
    text
}

/// The value of one base64 character.
fn sextet(c: u8) -> Option<u32> {
    Some(u32::from(match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => return None,
    }))
}

/// Appends the values `text` ([`encode`]'s) holds to `into`; returns how many.
///
/// # Errors
///
/// [`BitsError`] for a character outside the alphabet, misplaced padding, or a length that is
/// not a whole number of values.
pub(super) fn decode_into(text: &str, into: &mut Vec<f64>) -> Result<usize, BitsError> {
    let text = text.as_bytes();
    if !text.len().is_multiple_of(4) {
        return Err(BitsError(format!("{} characters", text.len())));
    }
    let mut bytes = Vec::with_capacity(text.len() / 4 * 3);
    for (i, quad) in text.chunks_exact(4).enumerate() {
        let last = (i + 1) * 4 == text.len();
        let pad = quad.iter().rev().take_while(|&&c| c == b'=').count();
        if pad > 2 || (pad > 0 && !last) {
            return Err(BitsError("misplaced padding".into()));
        }
        let mut n = 0u32;
        for &c in &quad[..4 - pad] {
            let v = sextet(c).ok_or_else(|| BitsError(format!("the character {:?}", c as char)))?;
            n = (n << 6) | v;
        }
        n <<= 6 * pad as u32;
        bytes.extend_from_slice(&n.to_be_bytes()[1..4 - pad]);
    }
    if !bytes.len().is_multiple_of(8) {
        return Err(BitsError(format!("{} bytes", bytes.len())));
    }
    let before = into.len();
    into.extend(
        bytes
            .chunks_exact(8)
            .map(|b| f64::from_bits(u64::from_le_bytes(b.try_into().expect("8 bytes")))),
    );
    Ok(into.len() - before)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bit_comes_back() {
        let values = [
            0.0,
            -0.0,
            1.0 / 3.0,
            f64::NAN,
            -f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::MIN_POSITIVE / 2.0,
            150_000.0,
            -1e300,
        ];
        for n in 0..=values.len() {
            let text = encode(&values[..n]);
            let mut back = vec![7.0];
            assert_eq!(decode_into(&text, &mut back), Ok(n));
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&back[1..]), bits(&values[..n]));
        }
        // The standard alphabet and padding: 1.0 is 00 00 00 00 00 00 f0 3f.
        assert_eq!(encode(&[1.0]), "AAAAAAAA8D8=");
        let mut v = Vec::new();
        for bad in ["AAAAAAAA8D8", "AAAA=AAA8D8=", "AAAAAAAA8D*=", "AAAA"] {
            assert!(decode_into(bad, &mut v).is_err(), "{bad}");
        }
    }
}
