//! Following a token service's revocation feed, for gates that verify without its database.
//!
//! A verify-only app knows nothing of logouts: a token stays good until it expires. Pointed
//! at the service's `GET /revocations`, a [`RevocationFeed`] polls it and merges what it
//! reads into the gate's [`RevocationList`], so the tokens of ended logins are refused here
//! too, within about one polling interval. While the service is down, the list keeps what it
//! knew and the feed tries again; the cursor makes it catch up on what it missed.

use std::sync::Arc;
use std::time::Duration;

use crate::gate::revocation::{RevocationList, RevocationPage};

/// How often a feed asks for news unless told otherwise: a revocation reaches the follower
/// within about this long.
pub const DEFAULT_FEED_INTERVAL: Duration = Duration::from_millis(250);

/// How long one poll may take before it counts as failed.
const POLL_TIMEOUT: Duration = Duration::from_secs(2);

/// A follower of a token service's revocation feed.
///
/// ```no_run
/// # async fn run() -> Result<(), tokengate::gate::FeedUrlError> {
/// use std::sync::Arc;
/// use tokengate::gate::{RevocationFeed, RevocationList};
/// use tokengate::{Algorithm, Gate, Key, Verifier};
///
/// let revocations = Arc::new(RevocationList::new());
/// let key = Key::hmac(Algorithm::HS256, b"a-secret-of-at-least-32-bytes!!!").unwrap();
/// let gate = Gate::builder(Verifier::new(key).issuer("tokengate").audience("tokengate"))
///     .revocations(revocations.clone())
///     .build();
/// RevocationFeed::new("http://tokengate.internal:8080")?.follow(revocations);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct RevocationFeed {
    url: String,
    interval: Duration,
    client: reqwest::Client,
}

/// A feed URL that cannot be followed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct FeedUrlError(&'static str);

impl RevocationFeed {
    /// A follower of the service at `base_url` (its `/revocations` is polled). `http://`
    /// always; `https://` when the crate has TLS (the `remote-keys` feature).
    pub fn new(base_url: &str) -> Result<RevocationFeed, FeedUrlError> {
        let base = base_url.trim_end_matches('/');
        let rest = if let Some(rest) = base.strip_prefix("http://") {
            rest
        } else if let Some(rest) = base.strip_prefix("https://") {
            if !cfg!(feature = "remote-keys") {
                return Err(FeedUrlError(
                    "an https:// feed needs TLS: turn on the `remote-keys` feature of tokengate",
                ));
            }
            rest
        } else {
            return Err(FeedUrlError(
                "must be the token service's base URL, http://host[:port]",
            ));
        };
        if rest.is_empty() || rest.contains(['?', '#', ' ']) {
            return Err(FeedUrlError(
                "must be the token service's base URL, without query or fragment",
            ));
        }
        let client = reqwest::Client::builder()
            .timeout(POLL_TIMEOUT)
            .build()
            .map_err(|_| FeedUrlError("no HTTP client could be built"))?;
        Ok(RevocationFeed {
            url: format!("{base}/revocations"),
            interval: DEFAULT_FEED_INTERVAL,
            client,
        })
    }

    /// Polls every `interval` instead of [`DEFAULT_FEED_INTERVAL`].
    pub fn interval(self, interval: Duration) -> Self {
        RevocationFeed { interval, ..self }
    }

    /// Polls the feed in the background, for as long as the runtime runs, merging every
    /// revocation it reads into `revocations` (share it with the gate).
    pub fn follow(self, revocations: Arc<RevocationList>) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            let mut cursor = String::from("0");
            let mut reachable = true;
            loop {
                match self.poll(&cursor).await {
                    Ok(page) => {
                        revocations.merge(
                            page.revocations
                                .iter()
                                .map(|entry| (entry.id.as_str(), entry.until)),
                        );
                        cursor = page.cursor;
                        if !reachable {
                            tracing::info!(feed = %self.url, "the revocation feed answers again");
                            reachable = true;
                        }
                    }
                    Err(reason) => {
                        // Said once per outage, not once per poll.
                        if reachable {
                            tracing::warn!(feed = %self.url, %reason, "the revocation feed does not answer; keeping what is known");
                            reachable = false;
                        }
                    }
                }
                tokio::time::sleep(self.interval).await;
            }
        })
    }

    async fn poll(&self, cursor: &str) -> Result<RevocationPage, String> {
        let response = self
            .client
            .get(&self.url)
            .query(&[("after", cursor)])
            .send()
            .await
            .map_err(|error| error.without_url().to_string())?;
        if !response.status().is_success() {
            return Err(format!("status {}", response.status().as_u16()));
        }
        let page: RevocationPage = response
            .json()
            .await
            .map_err(|_| "not a revocation page".to_owned())?;
        // A cursor is digits: anything else would be sent back as a query.
        if page.cursor.is_empty() || !page.cursor.bytes().all(|b| b.is_ascii_digit()) {
            return Err("not a revocation page".to_owned());
        }
        Ok(page)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_url_is_a_base_url() {
        assert!(RevocationFeed::new("http://127.0.0.1:8080/").is_ok());
        for bad in ["", "ftp://x", "127.0.0.1:8080", "http://", "http://x?y=1"] {
            assert!(RevocationFeed::new(bad).is_err(), "{bad}");
        }
        assert_eq!(
            RevocationFeed::new("https://x").is_ok(),
            cfg!(feature = "remote-keys")
        );
    }
}
