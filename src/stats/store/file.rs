//! [`Samples`] in files (a shard's `partial.json`): `{"width": .., "replications": [..],
//! "rows": ["<base64>", ..]}`, each row the base64 of its values' bit patterns
//! ([`super::super::bits`]), written and read a row at a time: neither direction holds more
//! than a block of rows in memory (rows read go to a temporary file as they come).

use serde::{Deserialize, Serialize};

use super::super::bits;
use super::samples::{Cursor, Samples};

impl Serialize for Samples {
    /// `{"width": .., "replications": [..], "rows": ["<base64>", ..]}`, a row encoded at a time
    /// (a streamed file never holds the text of every row at once). A temporary file that
    /// cannot be read is the serializer's error.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeSeq, SerializeStruct};
        /// The rows, each as base64 when it is written.
        struct Rows<'a>(&'a Samples);
        impl Serialize for Rows<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut seq = s.serialize_seq(Some(self.0.replications().len()))?;
                let mut rows = Cursor::new(self.0);
                while let Some((_, row)) = rows.row().map_err(serde::ser::Error::custom)? {
                    seq.serialize_element(&bits::encode(row))?;
                    rows.advance();
                }
                seq.end()
            }
        }
        let mut st = s.serialize_struct("Samples", 3)?;
        st.serialize_field("width", &self.width())?;
        st.serialize_field("replications", self.replications())?;
        st.serialize_field("rows", &Rows(self))?;
        st.end()
    }
}

/// [`Samples`] as a file holds it, checked by [`Samples::try_from`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SamplesFile {
    width: usize,
    replications: Vec<u32>,
    rows: RowsFile,
}

/// Rows read from base64, decoded one at a time into a store (of the first row's width, its
/// rows numbered from 0 until the replications are known): (the store, rows read, length of
/// every row if they all agree).
struct RowsFile(Samples, usize, Option<usize>);

impl<'de> Deserialize<'de> for RowsFile {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<RowsFile, D::Error> {
        /// Decodes each string as it is read.
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = RowsFile;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a list of base64 rows of values")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<RowsFile, A::Error> {
                let mut out = RowsFile(Samples::new(0), 0, None);
                let mut row = Vec::new();
                while let Some(text) = seq.next_element::<String>()? {
                    row.clear();
                    let n = bits::decode_into(&text, &mut row).map_err(serde::de::Error::custom)?;
                    if out.1 == 0 {
                        out.0 = Samples::new(n);
                    }
                    out.2 = match (out.1, out.2) {
                        (0, _) => Some(n),
                        (_, Some(m)) if m == n => Some(m),
                        _ => None,
                    };
                    if out.2.is_some() {
                        let index = u32::try_from(out.1).map_err(serde::de::Error::custom)?;
                        out.0.push(index, &row).map_err(serde::de::Error::custom)?;
                    }
                    out.1 += 1;
                }
                Ok(out)
            }
        }
        d.deserialize_seq(Visitor)
    }
}

/// Rows read from a file that do not match their replications or width.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SamplesError(String);

impl TryFrom<SamplesFile> for Samples {
    type Error = SamplesError;

    fn try_from(f: SamplesFile) -> Result<Samples, SamplesError> {
        let RowsFile(mut samples, rows, length) = f.rows;
        if rows != f.replications.len() {
            return Err(SamplesError(format!(
                "{rows} rows of values for {} replications",
                f.replications.len()
            )));
        }
        if rows > 0 && length != Some(f.width) {
            return Err(SamplesError(format!(
                "rows of {} values expected, found rows of another length",
                f.width
            )));
        }
        if !f.replications.windows(2).all(|w| w[0] < w[1]) {
            return Err(SamplesError(
                "replications out of order or repeated".to_string(),
            ));
        }
        if rows == 0 {
            samples = Samples::new(f.width);
        }
        // Rows 0.. become the replications they are, in the same (ascending) order.
        samples.replications = f.replications;
        Ok(samples)
    }
}
