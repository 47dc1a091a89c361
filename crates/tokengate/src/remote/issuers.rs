//! Several OpenID Connect providers, each chosen by a token's `iss`.

use std::collections::HashMap;

use super::{RemoteKeys, RemoteKeysError};

/// The OpenID Connect providers whose tokens are accepted, by issuer: a token's `iss` picks
/// one ([`get`](Self::get), a map lookup), and only that provider's keys verify it.
///
/// ```
/// use tokengate::remote::TrustedIssuers;
///
/// let trusted = TrustedIssuers::discover(
///     "https://login.example.com, https://accounts.example.org/".split(','),
///     false,
/// ).unwrap();
/// assert!(trusted.get("https://accounts.example.org/").is_some());
/// assert!(trusted.get("https://accounts.example.org").is_none()); // exact match only
/// assert!(TrustedIssuers::discover(["http://login.example.com"], false).is_err());
/// ```
#[derive(Debug, Clone, Default)]
pub struct TrustedIssuers {
    by_issuer: HashMap<String, RemoteKeys>,
}

impl TrustedIssuers {
    /// No trusted issuer.
    pub fn new() -> TrustedIssuers {
        TrustedIssuers::default()
    }

    /// Each issuer of `issuers` (surrounding spaces trimmed, empty entries ignored) with the
    /// keys its discovery document names, fetched with the default settings. `allow_http`
    /// lets `http://` issuers through (loopback tests); otherwise they are refused.
    pub fn discover<I>(issuers: I, allow_http: bool) -> Result<TrustedIssuers, RemoteKeysError>
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        let mut trusted = TrustedIssuers::new();
        for issuer in issuers {
            let issuer = issuer.as_ref().trim();
            if !issuer.is_empty() {
                let keys = RemoteKeys::from_issuer(issuer)
                    .allow_insecure_http(allow_http)
                    .build()?;
                trusted.insert(issuer, keys);
            }
        }
        Ok(trusted)
    }

    /// Trusts `issuer`'s tokens, verified with `keys`.
    pub fn insert(&mut self, issuer: impl Into<String>, keys: RemoteKeys) {
        self.by_issuer.insert(issuer.into(), keys);
    }

    /// The keys of the issuer a token's `iss` names exactly, if it is trusted.
    pub fn get(&self, iss: &str) -> Option<&RemoteKeys> {
        self.by_issuer.get(iss)
    }

    /// Every trusted issuer with its keys.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &RemoteKeys)> {
        self.by_issuer
            .iter()
            .map(|(issuer, keys)| (issuer.as_str(), keys))
    }

    /// Whether no issuer is trusted.
    pub fn is_empty(&self) -> bool {
        self.by_issuer.is_empty()
    }

    /// Starts every issuer's background refresher (see [`RemoteKeys::spawn_refresher`]):
    /// start-up does not wait for a provider that cannot be reached.
    pub fn spawn_refreshers(&self) -> Vec<tokio::task::JoinHandle<()>> {
        self.by_issuer
            .values()
            .map(RemoteKeys::spawn_refresher)
            .collect()
    }
}
