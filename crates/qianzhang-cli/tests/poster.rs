//! The poster's QR code (PUB-1): with `settings set public-url`, the printed
//! disclosure carries a QR code to the statement's page on the web
//! office's board; without it, none. The code read back module by module is
//! the QR code of that address, and the poster still prints on one A3 page.

mod common;

use common::browser::{have_browser, to_pdf};
use common::{closed_january, Env};

/// 幸福里, as one path segment.
const LEDGER: &str = "%E5%B9%B8%E7%A6%8F%E9%87%8C";

fn poster(env: &Env, span: &[&str]) -> String {
    let args = [&["disclose"][..], span, &["--format", "html", "--date", "2025-02-05"]].concat();
    env.ok(&args)
}

/// The QR code's SVG on a poster, if any.
fn qr_of(html: &str) -> Option<&str> {
    let figure = &html[html.find("<figure class=\"qr\"")?..];
    let svg = &figure[figure.find("<svg")?..];
    Some(&svg[..svg.find("</svg>")? + "</svg>".len()])
}

/// The dark modules of an SVG QR code, read from its path: one `M x y h w
/// v h H x V y` rectangle per run of dark modules, in module units.
fn modules(svg: &str) -> Vec<Vec<bool>> {
    let view = svg.split("viewBox=\"0 0 ").nth(1).unwrap();
    let n: usize = view.split(' ').next().unwrap().parse().unwrap();
    let path = svg.split(" d=\"").nth(1).unwrap().split('"').next().unwrap();
    let mut grid = vec![vec![false; n]; n];
    for rect in path.split('M').filter(|r| !r.is_empty()) {
        let number = |s: &str| s.parse::<usize>().unwrap_or_else(|_| panic!("{rect}"));
        let (xy, rest) = rect.split_once('h').unwrap();
        let (x, y) = xy.split_once(' ').unwrap();
        let (w, rest) = rest.split_once('v').unwrap();
        let h = rest.split('H').next().unwrap();
        for row in grid.iter_mut().skip(number(y)).take(number(h)) {
            row[number(x)..number(x) + number(w)].iter_mut().for_each(|m| *m = true);
        }
    }
    grid
}

/// Whether `svg` is the QR code of `text` (error correction M, quiet zone
/// of four modules), module for module.
fn encodes(svg: &str, text: &str) -> bool {
    let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M).unwrap();
    let w = code.width();
    let colors = code.to_colors();
    let grid = modules(svg);
    grid.len() == w + 8
        && grid.iter().enumerate().all(|(y, row)| {
            row.iter().enumerate().all(|(x, dark)| {
                let inside = (4..w + 4).contains(&x) && (4..w + 4).contains(&y);
                *dark == (inside && colors[(y - 4) * w + (x - 4)] == qrcode::Color::Dark)
            })
        })
}

#[test]
fn pub_1_the_poster_carries_a_qr_code_to_the_board_once_public_url_is_set() {
    let env = closed_january();
    let month = ["--month", "2025-01"];
    let before = poster(&env, &month);
    assert!(qr_of(&before).is_none() && !before.contains("扫码核对本表"), "no public URL, no QR code");
    env.admin(&["settings", "set", "public-url", " https://xingfuli.example.cn/ "]);
    let settings = env.ok(&["settings"]);
    assert!(
        settings.lines().any(|l| l.split_whitespace().take(2).eq(["public-url", "https://xingfuli.example.cn"])),
        "{settings}"
    );
    let url = format!("https://xingfuli.example.cn/board/{LEDGER}/2025-01");
    let html = poster(&env, &month);
    let svg = qr_of(&html).unwrap_or_else(|| panic!("no QR code on the poster:\n{html}"));
    assert!(encodes(svg, &url), "the QR code is not that of {url}:\n{svg}");
    assert_eq!(Some(svg.to_string()), qianzhang_report::board::qr_svg(&url));
    assert!(html.contains("扫码核对本表") && html.contains(&format!("<span class=\"url\">{url}</span>")), "{html}");
    // Only the QR code and its caption were added.
    let without: String =
        html.replace(&html[html.find("<figure").unwrap()..html.find("</figure>\n").unwrap() + 10], "");
    assert_eq!(
        without.replace(&html[html.find("<style>").unwrap()..html.find("</style>").unwrap()], ""),
        before.replace(&before[before.find("<style>").unwrap()..before.find("</style>").unwrap()], "")
    );
    // A quarter's statement points to the ledger's page; the other formats
    // carry no code.
    let quarter = poster(&env, &["--quarter", "2025-Q1"]);
    assert!(encodes(qr_of(&quarter).unwrap(), &format!("https://xingfuli.example.cn/board/{LEDGER}")));
    let text = env.ok(&["disclose", "--month", "2025-01", "--date", "2025-02-05"]);
    assert!(!text.contains("扫码") && !text.contains("example.cn"), "{text}");
    // Cleared, the poster is as before.
    env.admin(&["settings", "set", "public-url", "none"]);
    assert_eq!(poster(&env, &month), before);
}

#[test]
fn pub_1_a_public_url_is_an_absolute_http_address() {
    let env = Env::with_office();
    env.refused("OPR-1", &["settings", "set", "public-url", "https://xingfuli.example.cn"]);
    for (bad, says) in [
        ("xingfuli.example.cn", "须以 http:// 或 https:// 开头"),
        ("https://xingfuli example.cn", "空格"),
        ("https://example.cn/\"><script>", "引号"),
        ("https://example.cn/?a=1", "?"),
    ] {
        let err = env.refused("PUB-1", &["--as", "管理员", "settings", "set", "public-url", bad]);
        assert!(err.contains("公开网址") && err.contains(says), "{bad}: {err}");
    }
    let long = format!("https://example.cn/{}", "a".repeat(200));
    let err = env.refused("LIM-1", &["--as", "管理员", "settings", "set", "public-url", &long]);
    assert!(err.contains("公开网址最多 200 个字"), "{err}");
    let out = env.admin(&["settings", "set", "public-url", "HTTP://192.168.1.10:8080/"]);
    assert!(out.contains("http://192.168.1.10:8080"), "{out}");
}

/// The poster with its QR code through a real browser: still one A3 page,
/// the caption and the address in the text layer.
#[test]
fn pub_1_the_poster_with_its_qr_code_prints_on_one_a3_page() {
    if !have_browser() {
        return;
    }
    let env = closed_january();
    env.admin(&["settings", "set", "public-url", "https://xingfuli.example.cn"]);
    let html = poster(&env, &["--month", "2025-01"]);
    assert!(qr_of(&html).is_some());
    let (info, pages, _) = to_pdf(&env, "poster", &html);
    assert!(info.lines().any(|l| l.starts_with("Pages:") && l.trim_end().ends_with(" 1")), "{info}");
    assert!(info.contains("(A3)"), "{info}");
    let text = pages.concat().replace(char::is_whitespace, "");
    for needle in ["扫码核对本表", "20,600.00", "贰万零陆佰元整", &format!("board/{LEDGER}/2025-01")] {
        assert!(text.contains(needle), "{needle} not in the PDF text:\n{text}");
    }
}
