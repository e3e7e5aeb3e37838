//! The SVG a page embeds, rebuilt from an allow-list: `report DIR` reads charts from a folder
//! anyone may have written, and a page that promises no scripts must not paste a planted
//! `<script>`, an `onload` or a link into itself. Only the elements and presentation attributes
//! chainsim's charts use are kept (values of a safe alphabet: no `url(`, no `javascript:`, no
//! markup); comments, processing instructions, CDATA and anything else are dropped with their
//! content, and a file that is not well-formed SVG is not embedded at all.

/// The elements kept: what a chart is drawn with.
const ELEMENTS: &[&str] = &[
    "svg", "g", "rect", "circle", "ellipse", "line", "polyline", "polygon", "path", "text",
    "tspan", "title", "desc",
];

/// The attributes kept: geometry and presentation, never an event, a link or a style sheet.
const ATTRIBUTES: &[&str] = &[
    "x",
    "y",
    "x1",
    "y1",
    "x2",
    "y2",
    "cx",
    "cy",
    "r",
    "rx",
    "ry",
    "dx",
    "dy",
    "width",
    "height",
    "viewBox",
    "points",
    "d",
    "fill",
    "stroke",
    "stroke-width",
    "stroke-dasharray",
    "stroke-linecap",
    "stroke-linejoin",
    "stroke-opacity",
    "fill-opacity",
    "opacity",
    "transform",
    "font-family",
    "font-size",
    "font-weight",
    "font-style",
    "text-anchor",
    "dominant-baseline",
];

/// An SVG made safe to embed, and what was taken out of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Clean {
    /// The SVG, from `<svg` to its `</svg>`.
    pub(super) svg: String,
    /// What was removed (element and attribute names), sorted, once each.
    pub(super) removed: Vec<String>,
}

/// Whether an attribute's value is plain presentation: numbers, colours, names, transforms.
fn safe_value(v: &str) -> bool {
    let lower = v.to_ascii_lowercase();
    v.chars()
        .all(|c| c.is_ascii_alphanumeric() || " #.,-+%()".contains(c))
        && !lower.contains("url")
        && !lower.contains("expression")
        && !lower.contains("script")
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, ':' | '_' | '-' | '.')
}

/// Text content with every `&` that does not start an entity escaped, and `>` as `&gt;`.
fn clean_text(text: &str, out: &mut String) {
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if c == '&' {
            let entity = rest[1..].find(';').map(|end| &rest[1..=end]);
            let valid = entity.is_some_and(|e| {
                matches!(e, "lt" | "gt" | "amp" | "quot" | "apos")
                    || e.strip_prefix("#x")
                        .is_some_and(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_hexdigit()))
                    || e.strip_prefix('#')
                        .is_some_and(|d| !d.is_empty() && d.chars().all(|c| c.is_ascii_digit()))
            });
            out.push_str(if valid { "&" } else { "&amp;" });
        } else if c == '>' {
            out.push_str("&gt;");
        } else {
            out.push(c);
        }
        rest = &rest[c.len_utf8()..];
    }
}

/// One start or end tag, parsed.
struct Tag<'a> {
    name: &'a str,
    closing: bool,
    self_closing: bool,
    attributes: Vec<(&'a str, &'a str)>,
}

/// Parses the tag at the start of `s` (which starts with `<`); returns it and its length.
fn tag(s: &str) -> Option<(Tag<'_>, usize)> {
    let mut i = 1;
    let closing = s[i..].starts_with('/');
    if closing {
        i += 1;
    }
    let name_len = s[i..]
        .find(|c: char| !is_name_char(c))
        .unwrap_or(s.len() - i);
    let name = &s[i..i + name_len];
    if name.is_empty() || !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    i += name_len;
    let mut attributes = Vec::new();
    loop {
        let ws = s[i..].len() - s[i..].trim_start().len();
        i += ws;
        let rest = &s[i..];
        if let Some(r) = rest.strip_prefix("/>") {
            let _ = r;
            return (!closing).then_some((
                Tag {
                    name,
                    closing,
                    self_closing: true,
                    attributes,
                },
                i + 2,
            ));
        }
        if rest.starts_with('>') {
            return Some((
                Tag {
                    name,
                    closing,
                    self_closing: false,
                    attributes,
                },
                i + 1,
            ));
        }
        if closing || ws == 0 {
            return None;
        }
        let n = rest.find(|c: char| !is_name_char(c))?;
        let attr = &rest[..n];
        if attr.is_empty() {
            return None;
        }
        let after = rest[n..].trim_start();
        let after = after.strip_prefix('=')?.trim_start();
        let quote = after.chars().next().filter(|q| *q == '"' || *q == '\'')?;
        let close = after[1..].find(quote)?;
        let value = &after[1..=close];
        if value.contains('<') {
            return None;
        }
        attributes.push((attr, value));
        i = s.len() - (after.len() - close - 2);
    }
}

/// `text` (an SVG file) rebuilt from the allow-list; `None` when it is not a well-formed SVG
/// document (then nothing of it is embedded).
pub(super) fn sanitize(text: &str) -> Option<Clean> {
    let start = text.find("<svg")?;
    let mut s = &text[start..];
    let mut out = String::with_capacity(s.len());
    let mut removed = std::collections::BTreeSet::new();
    // Open elements kept, and the depth of a dropped element's subtree.
    let mut open: Vec<&str> = Vec::new();
    let mut dropped: Vec<&str> = Vec::new();
    loop {
        let next = s.find('<').unwrap_or(s.len());
        if dropped.is_empty() && !open.is_empty() {
            clean_text(&s[..next], &mut out);
        } else if open.is_empty() && !s[..next].trim().is_empty() && !out.is_empty() {
            // Text after the root closed: ignored.
        }
        s = &s[next..];
        if s.is_empty() {
            break;
        }
        for (opening, end) in [
            ("<!--", "-->"),
            ("<![CDATA[", "]]>"),
            ("<?", "?>"),
            ("<!", ">"),
        ] {
            if let Some(rest) = s.strip_prefix(opening) {
                let close = rest.find(end)?;
                removed.insert(
                    match opening {
                        "<!--" => "comment",
                        "<![CDATA[" => "CDATA",
                        _ => "declaration",
                    }
                    .to_string(),
                );
                s = &rest[close + end.len()..];
                break;
            }
        }
        if !s.starts_with('<') || s.starts_with("<!") || s.starts_with("<?") {
            continue;
        }
        let (t, len) = tag(s)?;
        s = &s[len..];
        if t.closing {
            if let Some(&top) = dropped.last() {
                if top != t.name {
                    return None;
                }
                dropped.pop();
            } else {
                if open.pop()? != t.name {
                    return None;
                }
                out.push_str("</");
                out.push_str(t.name);
                out.push('>');
                if open.is_empty() {
                    break;
                }
            }
            continue;
        }
        if open.is_empty() && (t.name != "svg" || !out.is_empty()) {
            return None;
        }
        if !dropped.is_empty() || !ELEMENTS.contains(&t.name) {
            if dropped.is_empty() {
                removed.insert(t.name.to_string());
            }
            if !t.self_closing {
                dropped.push(t.name);
            }
            continue;
        }
        out.push('<');
        out.push_str(t.name);
        for (name, value) in t.attributes {
            if ATTRIBUTES.contains(&name) && safe_value(value) {
                out.push_str(&format!(" {name}=\"{value}\""));
            } else if name != "xmlns" {
                removed.insert(name.to_string());
            }
        }
        if t.self_closing {
            out.push_str("/>");
        } else {
            out.push('>');
            open.push(t.name);
        }
    }
    if !open.is_empty() || !dropped.is_empty() || out.is_empty() {
        return None;
    }
    Some(Clean {
        svg: out,
        removed: removed.into_iter().collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHART: &str = "<svg width=\"10\" height=\"5\" viewBox=\"0 0 10 5\" xmlns=\"http://www.w3.org/2000/svg\">\n<rect x=\"0\" y=\"0\" width=\"10\" height=\"5\" fill=\"#FFFFFF\" stroke=\"none\"/>\n<text x=\"5\" y=\"2\" font-family=\"sans-serif\" transform=\"rotate(-90, 5, 2)\">\nA &amp; B &lt; C\n</text>\n</svg>\n";

    #[test]
    fn a_chart_chainsim_drew_is_kept_whole() {
        let c = sanitize(CHART).unwrap();
        assert!(c.removed.is_empty(), "{:?}", c.removed);
        assert_eq!(
            c.svg,
            CHART
                .trim_end()
                .replace(" xmlns=\"http://www.w3.org/2000/svg\"", "")
        );
    }

    #[test]
    fn scripts_handlers_links_and_styles_are_removed() {
        let planted = CHART
            .replace("<svg ", "<svg onload=\"alert(1)\" ")
            .replace(
                "<rect ",
                "<script>alert(2)</script><foreignObject><div>x</div></foreignObject><a href=\"javascript:alert(3)\"><rect/></a><rect style=\"fill:url(javascript:x)\" fill=\"url(#x)\" ",
            )
            .replace("</svg>", "<!-- <script> --><![CDATA[<script>]]><image href=\"http://x/y.png\"/></svg>");
        let c = sanitize(&planted).unwrap();
        for gone in [
            "script",
            "onload",
            "alert",
            "href",
            "foreignObject",
            "style",
            "url",
            "http",
        ] {
            assert!(!c.svg.contains(gone), "{gone}: {}", c.svg);
        }
        assert_eq!(
            c.removed,
            [
                "CDATA",
                "a",
                "comment",
                "fill",
                "foreignObject",
                "image",
                "onload",
                "script",
                "style"
            ]
        );
        assert!(c.svg.contains("<text x=\"5\""));
    }

    #[test]
    fn what_is_not_well_formed_svg_is_not_embedded() {
        for bad in [
            "<html><script>x</script></html>",
            "<svg><rect></svg>",
            "<svg><rect x=\"1\" onclick=alert(1)/></svg>",
            "<svg><text>a</tspan></svg>",
            "<svg><!-- never closed",
            "<svg x=\"1\"",
            "<svgfoo></svgfoo>",
            "",
        ] {
            assert_eq!(sanitize(bad), None, "{bad}");
        }
        let c = sanitize("<svg><text>1 & 2 > 0 &#x41; &bogus</text></svg>").unwrap();
        assert_eq!(
            c.svg,
            "<svg><text>1 &amp; 2 &gt; 0 &#x41; &amp;bogus</text></svg>"
        );
    }
}
