//! What the four reference apps share that is not a rule of the service: reading the
//! configuration, opening the store, binding, and the bodies of the demo routes
//! (`/public`, `/protected`, `/documents/{id}`) of the HTTP API (`docs/http-api.md`).
//!
//! Everything here needs the `accounts` feature; the verify-only examples use none of it.

use std::net::SocketAddr;
#[cfg(feature = "accounts")]
use tokengate::{Config, TokenService};

/// Everything a reference app needs to serve.
#[cfg(feature = "accounts")]
pub struct Started {
    /// The configuration read from `TOKENGATE_*`.
    pub config: Config,
    /// The service over its store.
    pub service: TokenService,
    /// A listener bound to `TOKENGATE_ADDR` (port 0 picks a free port).
    pub listener: std::net::TcpListener,
}

#[cfg(feature = "accounts")]
/// Reads the configuration, opens the store and binds. On any failure prints one line naming
/// the variable and exits with status 2. Logs go to standard error (`RUST_LOG` filters).
pub async fn start() -> Started {
    init_logging("warn");
    let config = Config::from_env().unwrap_or_else(|error| error.exit());
    for warning in config.warnings() {
        eprintln!("{warning}");
    }
    // The reference apps serve the demo routes too, so their document describes them.
    let service = TokenService::connect(&config)
        .await
        .unwrap_or_else(|error| error.exit())
        .with_openapi(&tokengate::service::openapi::reference_document());
    let listener = std::net::TcpListener::bind(config.addr).unwrap_or_else(|error| {
        fail(&format!(
            "TOKENGATE_ADDR: cannot listen on {}: {error}",
            config.addr
        ))
    });
    listener
        .set_nonblocking(true)
        .unwrap_or_else(|error| fail(&format!("cannot configure the listener: {error}")));
    Started {
        config,
        service,
        listener,
    }
}

/// Logs to standard error, filtered by `RUST_LOG` (else `default_filter`), in the
/// `TOKENGATE_LOG_FORMAT` (`text`, or `json`: one object per line); colours only on a
/// terminal. A bad format stops the app like any bad setting.
pub fn init_logging(default_filter: &str) {
    use std::io::IsTerminal;
    let format = tokengate::LogFormat::from_env().unwrap_or_else(|error| error.exit());
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_filter));
    let logs = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_env_filter(filter);
    match format {
        tokengate::LogFormat::Json => logs.json().init(),
        tokengate::LogFormat::Text => logs.init(),
    }
}

/// Prints the `listening on http://ADDR` line once the app is listening.
pub fn announce(addr: SocketAddr) {
    println!("listening on http://{addr}");
}

/// Prints `error: …` as one line on standard error and exits with status 2: how a reference
/// app reports a start-up failure, including its framework's (a listener it cannot use).
pub fn fail(error: &dyn std::fmt::Display) -> ! {
    eprintln!("error: {error}");
    std::process::exit(2)
}

/// Resolves on SIGINT or SIGTERM, for graceful shutdown.
pub async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                .expect("SIGTERM handler");
        tokio::select! {
            _ = interrupt => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
    }
}

/// The demo route bodies of the HTTP API, shared with `tokengate serve`.
#[cfg(feature = "accounts")]
pub use tokengate_cli::demo::{document, protected, public};
