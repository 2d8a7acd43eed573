//! The public board (财务公开栏) on paper and on the web: the poster, and
//! the address at which the web office serves each statement to residents.
//!
//! The printed poster and the web page are one rendering, [`poster_html`],
//! and one address scheme, [`board_path`]: a poster's QR code points at
//! exactly the page the web office serves for it.
//!
//! - `/board/{ledger}`: the ledger's published statements;
//! - `/board/{ledger}/{YYYY-MM}`: one month's statement, as the poster.
//!
//! The ledger's name is one percent-encoded path segment (UTF-8, every
//! byte but the unreserved `A-Z a-z 0-9 - . _ ~` encoded), so a name with
//! Chinese characters, spaces or a `/` stays one segment.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use qianzhang_core::disclosure::{Disclosure, Span};
use qianzhang_core::Period;
use qrcode::{EcLevel, QrCode};

use crate::Paper;

/// What is encoded in a path segment: everything but RFC 3986's unreserved
/// characters.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// The board's path for a ledger: its statements, or one month's
/// (`/board/%E5%B9%B8%E7%A6%8F%E9%87%8C/2025-04`).
pub fn board_path(ledger: &str, period: Option<Period>) -> String {
    let mut path = format!("/board/{}", utf8_percent_encode(ledger, SEGMENT));
    if let Some(p) = period {
        path.push_str(&format!("/{p}"));
    }
    path
}

/// The board's address under the ledger's public URL (`https://…`, as
/// `settings set public-url` keeps it: no trailing slash).
pub fn board_url(base: &str, ledger: &str, period: Option<Period>) -> String {
    format!("{}{}", base.trim_end_matches('/'), board_path(ledger, period))
}

/// Where the board shows a disclosure: a month's own page; a quarter's or
/// a year's statement is found from the ledger's page.
pub fn span_url(base: &str, ledger: &str, span: Span) -> String {
    match span {
        Span::Month { period } => board_url(base, ledger, Some(period)),
        _ => board_url(base, ledger, None),
    }
}

/// What the poster's QR code points to: the disclosure's page on the
/// board, when the ledger has a public URL.
pub fn poster_url(d: &Disclosure) -> Option<String> {
    d.public_url.as_deref().map(|base| span_url(base, &d.community, d.span))
}

/// `text` as a QR code (error correction M, the quiet zone included), an
/// SVG element to inline in HTML whose user units are modules; the page
/// sizes it. None when the text is too long for a QR code.
pub fn qr_svg(text: &str) -> Option<String> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).ok()?;
    let svg = code.render::<qrcode::render::svg::Color<'_>>().module_dimensions(1, 1).quiet_zone(true).build();
    // The renderer writes a standalone document; inline, the element alone.
    Some(svg.find("<svg").map_or(svg.clone(), |at| svg[at..].to_string()))
}

/// [PUB-1] the poster: one self-contained HTML file (inline CSS and SVG,
/// no scripts, no network fonts) that prints on A3 (or A4) portrait. With
/// `qr`, the review block carries a QR code to that address, captioned
/// with it in small print, so that a resident can check the paper against
/// the board on the web.
pub fn poster_html(d: &Disclosure, paper: Paper, qr: Option<&str>) -> String {
    crate::disclosure::poster(d, paper, qr.and_then(|url| Some((url, qr_svg(url)?))))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn month(text: &str) -> Option<Period> {
        Some(Period::parse(text).unwrap())
    }

    /// [PUB-1] the board's addresses: the ledger's name one encoded path
    /// segment (UTF-8 bytes, reserved characters and `/` included), the
    /// month as YYYY-MM, a quarter or a year the ledger's page.
    #[test]
    fn pub_1_board_urls_encode_the_ledger_as_one_segment() {
        let base = "https://xingfuli.example.cn";
        assert_eq!(
            board_url(base, "幸福里", month("2025-04")),
            "https://xingfuli.example.cn/board/%E5%B9%B8%E7%A6%8F%E9%87%8C/2025-04"
        );
        assert_eq!(
            board_url("http://10.0.0.2:8080/qz/", "Sunny-1.a_b~", None),
            "http://10.0.0.2:8080/qz/board/Sunny-1.a_b~"
        );
        assert_eq!(board_path("a/b c?d#e%f&g+h", None), "/board/a%2Fb%20c%3Fd%23e%25f%26g%2Bh");
        assert_eq!(board_path("幸福里", month("2025-12")), "/board/%E5%B9%B8%E7%A6%8F%E9%87%8C/2025-12");
        let period = Period::parse("2025-04").unwrap();
        assert_eq!(span_url(base, "x", Span::Month { period }), format!("{base}/board/x/2025-04"));
        assert_eq!(span_url(base, "x", Span::Quarter { year: 2025, quarter: 2 }), format!("{base}/board/x"));
        assert_eq!(span_url(base, "x", Span::Year { year: 2025 }), format!("{base}/board/x"));
    }

    /// The QR code is an SVG element to inline (no XML declaration), sized
    /// in modules with the quiet zone; a text too long for any QR code
    /// gives none rather than a failure.
    #[test]
    fn qr_svg_is_an_inline_element() {
        let svg = qr_svg("https://xingfuli.example.cn/board/x/2025-04").unwrap();
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\"") && svg.ends_with("</svg>"), "{svg}");
        let width = QrCode::with_error_correction_level(b"https://xingfuli.example.cn/board/x/2025-04", EcLevel::M)
            .unwrap()
            .width();
        assert!(svg.contains(&format!("viewBox=\"0 0 {0} {0}\"", width + 8)), "{svg}");
        assert_eq!(qr_svg(&"x".repeat(5000)), None);
    }
}
