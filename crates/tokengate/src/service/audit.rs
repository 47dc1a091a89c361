//! The audit log: one JSON line per security event (`TOKENGATE_AUDIT_LOG`), appended and
//! written before the answer leaves. It names who (`sub`), which login (`login`, the session
//! id), from where (`ip`) and what happened; never a token, password, secret or cookie.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use serde::Serialize;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

tokio::task_local! {
    /// The client address of the request being served, for the events it causes.
    static CLIENT_IP: Option<IpAddr>;
}

/// Runs `work` with `ip` as the client address of the audit events it records.
pub(crate) async fn with_client_ip<F: std::future::Future>(
    ip: Option<IpAddr>,
    work: F,
) -> F::Output {
    CLIENT_IP.scope(ip, work).await
}

/// What happened. The names are the `event` field of the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditKind {
    /// An account was created.
    Signup,
    /// A login started (`/login`, `/session`).
    Login,
    /// Wrong credentials (an unknown address or a wrong password, alike).
    LoginFailed,
    /// A login refused by the throttle.
    Throttled,
    /// A spent refresh token was presented again after its grace: its login ends.
    RefreshReused,
    /// `/logout` or `DELETE /session`.
    Logout,
    /// A login ended otherwise: by its user, a password change, a revocation, an operator.
    LoginEnded,
    /// A password was changed.
    PasswordChanged,
}

/// One event, as written: `{"ts","event","sub","login","ip"}` and what the event needs.
#[derive(Debug, Clone, Serialize)]
pub struct AuditEvent<'a> {
    /// The event.
    pub event: AuditKind,
    /// The user id (`sub`), when known.
    pub sub: Option<&'a str>,
    /// The login (session id), when there is one.
    pub login: Option<&'a str>,
    /// The e-mail address a signup or a login attempt named.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<&'a str>,
    /// Why a login ended (`user`, `everywhere`, `password_changed`, `revoked`, `operator`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub how: Option<&'static str>,
}

impl<'a> AuditEvent<'a> {
    /// An event of `event` about nobody yet.
    pub fn new(event: AuditKind) -> Self {
        AuditEvent {
            event,
            sub: None,
            login: None,
            email: None,
            how: None,
        }
    }
}

/// The line as written: the event with its time and the request's client address.
#[derive(Serialize)]
struct Line<'a> {
    ts: String,
    #[serde(flatten)]
    event: &'a AuditEvent<'a>,
    ip: Option<IpAddr>,
}

/// An append-only JSON Lines file of security events.
#[derive(Debug)]
pub struct AuditLog {
    path: PathBuf,
    file: Mutex<File>,
    /// Whether the last write failed: a failure is logged once, not once per event.
    failing: AtomicBool,
}

impl AuditLog {
    /// Opens (creating it if needed) the log at `path` for appending.
    pub fn open(path: &Path) -> std::io::Result<AuditLog> {
        let file = OpenOptions::new().create(true).append(true).open(path)?;
        Ok(AuditLog {
            path: path.to_owned(),
            file: Mutex::new(file),
            failing: AtomicBool::new(false),
        })
    }

    /// Appends `event` as one line, in one write. A failure is logged loudly and the service
    /// goes on: an audit log that cannot be written must not take logins down.
    pub fn record(&self, event: &AuditEvent<'_>) {
        let ts = OffsetDateTime::now_utc()
            .format(&Rfc3339)
            .unwrap_or_default();
        let ip = CLIENT_IP.try_with(|ip| *ip).ok().flatten();
        let line = Line { ts, event, ip };
        let mut bytes = serde_json::to_vec(&line).expect("an audit line serializes");
        bytes.push(b'\n');
        let written = self
            .file
            .lock()
            .map_err(|_| std::io::Error::other("a writer panicked"))
            .and_then(|mut file| file.write_all(&bytes));
        match written {
            Ok(()) => {
                if self.failing.swap(false, Ordering::Relaxed) {
                    tracing::warn!(path = %self.path.display(), "the audit log is written again");
                }
            }
            Err(error) => {
                if !self.failing.swap(true, Ordering::Relaxed) {
                    tracing::error!(path = %self.path.display(), %error, "cannot write the audit log; events are being lost");
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn each_event_is_one_json_line_with_its_time_and_client() {
        let dir = tempfile_dir();
        let path = dir.join("audit.log");
        let log = AuditLog::open(&path).unwrap();
        let event = AuditEvent {
            sub: Some("user-1"),
            login: Some("session-1"),
            ..AuditEvent::new(AuditKind::Login)
        };
        let ip: IpAddr = "192.0.2.7".parse().unwrap();
        with_client_ip(Some(ip), async { log.record(&event) }).await;
        log.record(&AuditEvent::new(AuditKind::LoginFailed));
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["event"], "login");
        assert_eq!(lines[0]["sub"], "user-1");
        assert_eq!(lines[0]["login"], "session-1");
        assert_eq!(lines[0]["ip"], "192.0.2.7");
        assert!(
            lines[0]["ts"].as_str().unwrap().ends_with('Z'),
            "{}",
            lines[0]
        );
        assert_eq!(lines[1]["event"], "login_failed");
        assert!(lines[1]["ip"].is_null() && lines[1]["sub"].is_null());
        std::fs::remove_dir_all(dir).unwrap();
    }

    fn tempfile_dir() -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "tokengate-audit-{}",
            crate::token::issue::random_id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }
}
