//! Taking the database away for real: a loopback TCP proxy in front of PostgreSQL that a test
//! cuts and restores, so an app's connection pool loses its server at the network level.
//!
//! Plain threads, not tasks: the proxy keeps working while the test blocks (for instance
//! while it waits for an app to start and connect through it).

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// The variable holding the PostgreSQL URL of the tests (`.ci/postgres.sh` prints one).
pub const POSTGRES_URL_VAR: &str = "TOKENGATE_TEST_POSTGRES_URL";

/// The test PostgreSQL URL, or `None` (with a message) when it is not set. Under `CI=true` a
/// missing URL is a failure: `.ci/run` starts PostgreSQL, and a skipped case proves nothing.
pub fn postgres_url() -> Option<String> {
    match std::env::var(POSTGRES_URL_VAR) {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("CI=true but {POSTGRES_URL_VAR} is not set: .ci/run starts PostgreSQL")
        }
        _ => {
            eprintln!("{POSTGRES_URL_VAR} not set: PostgreSQL cases skipped");
            None
        }
    }
}

/// A proxy that forwards connections to a database server until [`cut`](Self::cut).
pub struct CuttableProxy {
    shared: Arc<Shared>,
}

struct Shared {
    up: AtomicBool,
    /// Both ends of every forwarded connection, to shut them down on a cut.
    live: Mutex<Vec<TcpStream>>,
}

impl CuttableProxy {
    /// Starts a proxy to the `host:port` of the database `url` and returns it with the URL
    /// that goes through it.
    pub fn in_front_of(url: &str) -> (CuttableProxy, String) {
        let authority = authority(url);
        let upstream: SocketAddr = authority
            .to_socket_addrs()
            .ok()
            .and_then(|mut addrs| addrs.next())
            .unwrap_or_else(|| panic!("cannot resolve the database at {authority}"));
        let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
        let proxied = url.replacen(authority, &listener.local_addr().unwrap().to_string(), 1);
        let shared = Arc::new(Shared {
            up: AtomicBool::new(true),
            live: Mutex::new(Vec::new()),
        });
        let accepting = shared.clone();
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                if !accepting.up.load(Ordering::SeqCst) {
                    continue; // dropped: the connection closes at once
                }
                let Ok(server) = TcpStream::connect(upstream) else {
                    continue;
                };
                let ends = [&client, &server].map(|s| s.try_clone().expect("a socket handle"));
                accepting.live.lock().unwrap().extend(ends);
                pipe(&client, &server);
                pipe(&server, &client);
            }
        });
        (CuttableProxy { shared }, proxied)
    }

    /// The database goes away: open connections are closed, new ones refused.
    pub fn cut(&self) {
        self.shared.up.store(false, Ordering::SeqCst);
        for stream in self.shared.live.lock().unwrap().drain(..) {
            let _ = stream.shutdown(Shutdown::Both);
        }
    }

    /// The database is back for new connections.
    pub fn restore(&self) {
        self.shared.up.store(true, Ordering::SeqCst);
    }
}

impl Drop for CuttableProxy {
    fn drop(&mut self) {
        self.cut();
    }
}

/// Copies `from` to `to` on a thread until either side closes.
fn pipe(from: &TcpStream, to: &TcpStream) {
    let (mut from, mut to) = (
        from.try_clone().expect("a socket handle"),
        to.try_clone().expect("a socket handle"),
    );
    std::thread::spawn(move || {
        let mut buffer = [0u8; 16 * 1024];
        while let Ok(read @ 1..) = from.read(&mut buffer) {
            if to.write_all(&buffer[..read]).is_err() {
                break;
            }
        }
        let _ = to.shutdown(Shutdown::Write);
    });
}

/// The `host:port` of a URL such as `postgres://user:password@127.0.0.1:5432/db`.
fn authority(url: &str) -> &str {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let after_user = after_scheme
        .rsplit_once('@')
        .map_or(after_scheme, |(_, rest)| rest);
    after_user
        .split(['/', '?'])
        .next()
        .expect("split yields at least one part")
}
