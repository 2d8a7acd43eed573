//! The office in a real browser: Debian's chromium driven through
//! chromedriver (WebDriver), each officer in a browser session of their own.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};

/// Whether chromium and chromedriver are installed (`.ci/run` installs
/// them); on CI their absence is a failure.
pub fn have_driver() -> bool {
    let have = |cmd: &str| Command::new(cmd).arg("--version").output().is_ok_and(|o| o.status.success());
    if !(have("chromium") && have("chromedriver")) {
        assert!(std::env::var_os("CI").is_none(), "CI must install chromium and chromium-driver");
        eprintln!("skipped: chromium or chromedriver not installed");
        return false;
    }
    true
}

/// A chromedriver on a free port, stopped when dropped.
pub struct Driver {
    child: Child,
    pub url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

impl Driver {
    pub async fn start() -> Driver {
        let port = free_port();
        let child = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let driver = Driver { child, url: format!("http://127.0.0.1:{port}") };
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
                return driver;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("chromedriver did not listen on {port}");
    }

    /// A new headless browser window of `width`×`height`.
    pub async fn browser(&self, width: u32, height: u32) -> Client {
        let profile = tempfile::tempdir().expect("profile").keep();
        let args = vec![
            "--headless=new".to_string(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-dev-shm-usage".into(),
            "--disable-quic".into(),
            "--no-first-run".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            format!("--window-size={width},{height}"),
            format!("--user-data-dir={}", profile.display()),
        ];
        let mut caps = serde_json::Map::new();
        caps.insert("goog:chromeOptions".into(), serde_json::json!({ "args": args, "binary": "/usr/bin/chromium" }));
        ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&self.url)
            .await
            .expect("a browser session")
    }
}

/// Serves `router` on a loopback port of this test's runtime.
pub async fn serve(router: axum::Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    addr
}

/// Where screenshots are kept (a CI artifact under `target/`).
pub fn shots() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&dir).expect("screenshot dir");
    dir
}

/// Takes a screenshot, keeps it, and checks it is not blank: many
/// distinct colours and dark ink on a good part of it.
pub async fn screenshot(c: &Client, name: &str) -> PathBuf {
    let png = c.screenshot().await.expect("screenshot");
    let path = shots().join(format!("{name}.png"));
    std::fs::write(&path, &png).expect("keep screenshot");
    let decoder = png::Decoder::new(std::io::Cursor::new(&png));
    let mut reader = decoder.read_info().expect("png");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("frame");
    let bytes = &buf[..info.buffer_size()];
    let step = info.color_type.samples();
    let mut dark = 0usize;
    let mut colours = std::collections::HashSet::new();
    for px in bytes.chunks(step) {
        if px.len() >= 3 {
            colours.insert((px[0] >> 4, px[1] >> 4, px[2] >> 4));
            if (px[0] as u32 + px[1] as u32 + px[2] as u32) < 200 {
                dark += 1;
            }
        }
    }
    let total = bytes.len() / step;
    assert!(dark * 1000 > total, "{name}: almost no ink ({dark} of {total} pixels)");
    assert!(colours.len() > 3, "{name}: a blank page ({} colours)", colours.len());
    path
}

/// Signs in at `base` as `name`.
pub async fn sign_in(c: &Client, base: &str, name: &str, passphrase: &str) {
    c.goto(&format!("{base}/signin")).await.expect("sign-in page");
    c.find(Locator::Css("input[name=name]")).await.expect("name box").send_keys(name).await.expect("type");
    c.find(Locator::Css("input[name=passphrase]"))
        .await
        .expect("passphrase box")
        .send_keys(passphrase)
        .await
        .expect("type");
    c.find(Locator::Css("form[action='/signin'] button")).await.expect("button").click().await.expect("click");
    c.wait().for_element(Locator::Css("header.top")).await.expect("signed in");
}

/// The page's visible text.
pub async fn text(c: &Client) -> String {
    // The page may be replaced while it is read (a form was just sent).
    for _ in 0..20 {
        if let Ok(body) = c.find(Locator::Css("body")).await {
            if let Ok(t) = body.text().await {
                return t;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the page never settled");
}

/// Waits until the page's text contains `needle`.
pub async fn wait_text(c: &Client, needle: &str) -> String {
    for _ in 0..100 {
        let t = text(c).await;
        if t.contains(needle) {
            return t;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("“{needle}” never appeared: {}", text(c).await);
}
