//! Printing through a real browser: headless Chromium to PDF, then poppler
//! for the page count, each page's text and its ink.

use super::Env;

/// Whether Chromium and poppler are installed (`.ci/run` installs them); on
/// CI their absence is a failure.
pub fn have_browser() -> bool {
    let have =
        |cmd: &str, flag: &str| std::process::Command::new(cmd).arg(flag).output().is_ok_and(|o| o.status.success());
    if !(have("chromium", "--version") && have("pdftotext", "-v") && have("pdfinfo", "-v") && have("pdftoppm", "-v")) {
        assert!(std::env::var_os("CI").is_none(), "CI must install chromium and poppler-utils");
        eprintln!("skipped: chromium or poppler-utils not installed");
        return false;
    }
    true
}

/// Runs headless Chromium on a file with extra arguments.
pub fn chromium(env: &Env, html: &std::path::Path, args: &[String]) {
    let out = std::process::Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-pdf-header-footer",
        ])
        .arg(format!("--user-data-dir={}", env.path("chromium").display()))
        .args(args)
        .arg(format!("file://{}", html.display()))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// Prints `html` to PDF in headless Chromium; returns pdfinfo's report, each
/// page's text, and the PDF's path.
pub fn to_pdf(env: &Env, name: &str, html: &str) -> (String, Vec<String>, std::path::PathBuf) {
    let path = env.path(&format!("{name}.html"));
    std::fs::write(&path, html).unwrap();
    let pdf = env.path(&format!("{name}.pdf"));
    chromium(env, &path, &[format!("--print-to-pdf={}", pdf.display())]);
    let info = std::process::Command::new("pdfinfo").arg(&pdf).output().unwrap();
    let info = String::from_utf8_lossy(&info.stdout).to_string();
    let pages: usize = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("{info}"));
    let text = (1..=pages)
        .map(|p| {
            let out = std::process::Command::new("pdftotext")
                .args(["-layout", "-f", &p.to_string(), "-l", &p.to_string()])
                .arg(&pdf)
                .arg("-")
                .output()
                .unwrap();
            String::from_utf8_lossy(&out.stdout).to_string()
        })
        .collect();
    (info, text, pdf)
}

/// The share of a rendered page's pixels that are inked (darker than mid-grey).
pub fn ink(env: &Env, pdf: &std::path::Path, page: usize) -> f64 {
    let prefix = env.path(&format!("page{page}"));
    let out = std::process::Command::new("pdftoppm")
        .args(["-png", "-r", "50", "-f", &page.to_string(), "-l", &page.to_string(), "-singlefile"])
        .arg(pdf)
        .arg(&prefix)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let png = prefix.with_extension("png");
    let decoder = png::Decoder::new(std::fs::File::open(&png).unwrap());
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let frame = reader.next_frame(&mut buf).unwrap();
    let channels = frame.color_type.samples();
    let pixels = &buf[..frame.buffer_size()];
    let inked = pixels.chunks(channels).filter(|p| p.iter().take(3).any(|c| *c < 128)).count();
    inked as f64 / (pixels.len() / channels) as f64
}

/// The text a reader sees of the HTML: tags stripped, a line per table
/// row, heading and block.
pub fn text(html: &str) -> String {
    let body = &html[html.find("<body>").unwrap_or(0)..];
    let body = body.replace("</div></td>", "</td>").replace("</tr>", "</tr>\n").replace("</h1>", "</h1>\n");
    let body = body.replace("</div>", "</div>\n").replace("</section>", "</section>\n==== 分页 ====\n");
    let mut out = String::new();
    let mut in_tag = false;
    for c in body.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    let out = out.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").replace("&quot;", "\"");
    out.lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}
