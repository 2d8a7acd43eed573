//! `serve`: the web office over the same store, on this machine.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use qianzhang_server::{Clock, Config};

use crate::args::Cli;
use crate::clock;
use crate::demo;
use crate::exit::Exit;
use crate::session::db_path;

pub(crate) fn serve(cli: &Cli, listen: SocketAddr, with_demo: bool, https: bool) -> Result<(), Exit> {
    let (db, clock, intro): (_, Clock, _) = if with_demo {
        let (path, _) = demo::build(cli.db.as_deref(), true)?;
        point_the_board_here(&path, listen)?;
        // The demo's days run on from the end of its story.
        let started = Instant::now();
        let clock: Clock = Arc::new(move || demo::STORY_NOW + started.elapsed());
        (path, clock, Some(demo_intro()))
    } else {
        let path = db_path(cli);
        if crate::session::is_file(&path) && !path.exists() {
            return Err(Exit::Usage(format!(
                "找不到账簿文件 {}；请先运行 qianzhang init 建立账套，或用 --db 指明文件（试用请加 --demo）",
                crate::session::missing(&path)
            )));
        }
        // Books that cannot be opened (a server that refuses the sign-in,
        // a file that is no store) stop the office before it starts: else
        // officers would meet the fault at sign-in, and residents a board
        // that seems to have nothing published.
        drop(crate::session::open_store(&path)?);
        (path, Arc::new(clock::now), None)
    };
    let mut config = Config::new(db.clone(), clock);
    config.secure_cookies = https;
    config.busy_wait = clock::busy_wait().min(std::time::Duration::from_secs(3));
    qianzhang_server::run(config, listen, |addr| {
        println!("钱账网页办公已启动：http://{addr}/");
        let label = if crate::session::is_file(&db) { "账簿文件" } else { "账簿数据库" };
        println!("{label}：{}", qianzhang_db::Spec::of(&db).display());
        if let Some(intro) = &intro {
            print!("{intro}");
        }
        println!("按 Ctrl+C 停止。");
    })
    .map_err(|e| {
        let why = match e.kind() {
            std::io::ErrorKind::AddrInUse => {
                "这个端口已被另一个程序（或另一个网页办公）占用；请换一个端口，例如 --listen 127.0.0.1:8081".to_string()
            }
            std::io::ErrorKind::AddrNotAvailable => {
                "本机没有这个地址；只在本机使用请写 127.0.0.1，供局域网访问请写 0.0.0.0".to_string()
            }
            std::io::ErrorKind::PermissionDenied => {
                "没有权限使用这个端口（1024 以下的端口需要管理员权限）；请换一个端口，例如 8080".to_string()
            }
            _ => e.to_string(),
        };
        Exit::Usage(format!("无法在 {listen} 上启动网页办公：{why}"))
    })
}

/// The demo's poster carries a QR code to this server's own board.
fn point_the_board_here(path: &std::path::Path, listen: SocketAddr) -> Result<(), Exit> {
    let host = match listen.ip().is_unspecified() {
        true => SocketAddr::new(std::net::Ipv4Addr::LOCALHOST.into(), listen.port()),
        false => listen,
    };
    let ledger = qianzhang_app::Ledger::select(crate::session::open_store(path)?, Some(qianzhang_app::demo::LEDGER))?;
    let claim = qianzhang_app::Claim::new(Some("管理员"), demo::STORY_NOW, "settings set public-url")?;
    let mut admin = qianzhang_app::session::resume(ledger, claim);
    let key = qianzhang_app::office::setting_key("public-url")?;
    qianzhang_app::office::set(&mut admin, key, &format!("http://{host}"))?;
    Ok(())
}

fn demo_intro() -> String {
    let mut text = format!(
        "演示账套：{}（故事发生在 2025 年 5 月 1 日，一至四月已结账）\n演示人员：\n",
        qianzhang_app::demo::LEDGER
    );
    for (name, post) in qianzhang_app::demo::PEOPLE {
        text.push_str(&format!("  {name}（{post}）\n"));
    }
    text.push_str(&format!(
        "口令都是：{}\n居民公开栏：/board/{}\n",
        qianzhang_app::demo::PASSPHRASE,
        qianzhang_app::demo::LEDGER
    ));
    text
}
