//! The `signpost serve` binary as a child process, for what only the process shows: its logs,
//! its signals, several instances on one database.
use std::process::{Child, Command};
use std::time::Duration;

pub struct Served {
    pub child: Child,
    pub base: String,
    log: std::path::PathBuf,
}

impl Served {
    /// Starts `serve` on a free port with its files in `dir` (a SQLite database there unless
    /// `env` sets `DATABASE_URL`), and waits until `/healthz` answers.
    pub async fn start(dir: &std::path::Path, name: &str, env: &[(&str, String)]) -> Served {
        // `serve` wants a built site; an empty stylesheet is enough for these tests.
        std::fs::create_dir_all(dir.join("site/pkg")).unwrap();
        std::fs::write(dir.join("site/pkg/signpost.css"), "").unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let log = dir.join(format!("{name}.log"));
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_signpost"));
        cmd.arg("serve")
            .env("RUST_LOG", "info")
            .env("SIGNPOST_ADDR", format!("127.0.0.1:{port}"))
            .env("DATABASE_URL", format!("sqlite://{}/db.sqlite?mode=rwc", dir.display()))
            .env("SIGNPOST_DEMO_DATA", "false")
            .env("SIGNPOST_POLL", "off")
            .env("SIGNPOST_MAIL_DIR", dir.join("outbox"))
            .env("LEPTOS_SITE_ROOT", dir.join("site"))
            .stderr(std::fs::File::create(&log).unwrap());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = cmd.spawn().unwrap();
        let mut served = Served { child, base: format!("http://127.0.0.1:{port}"), log };
        let client = reqwest::Client::new();
        for _ in 0..400 {
            if client.get(format!("{}/healthz", served.base)).send().await.is_ok_and(|r| r.status() == 200) {
                return served;
            }
            if served.child.try_wait().unwrap().is_some() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let _ = served.child.kill();
        panic!("serve did not start: {}", served.log());
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Waits up to `limit` for the process to end.
    pub async fn exited_within(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let until = std::time::Instant::now() + limit;
        while std::time::Instant::now() < until {
            if let Some(s) = self.child.try_wait().unwrap() {
                return Some(s);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        None
    }

    pub fn signal(&self, name: &str) {
        let ok = Command::new("kill").args([&format!("-{name}"), &self.child.id().to_string()]).status().unwrap();
        assert!(ok.success());
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
