//! Several OpenID Connect providers, each chosen by a token's `iss`.

use std::collections::HashMap;

use super::{RemoteKeys, RemoteKeysError};

/// The OpenID Connect providers whose tokens are accepted, by issuer: a token's `iss` picks
/// one ([`get`](Self::get), a map lookup), and only that provider's keys verify it.
///
/// ```
/// use tokengate::token::remote::TrustedIssuers;
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

/// What a trusted issuer's token must carry besides its issuer's signature: an audience
/// (`aud` containing at least one of [`audiences`](Self::audiences)), and optionally a header
/// `typ` (e.g. `at+jwt`, RFC 9068). Made from one audience with `From`, so
/// `GateBuilder::trusted_issuers(issuers, "https://api.example.com")` reads as before.
///
/// ```
/// use tokengate::token::remote::TrustedRules;
///
/// let rules = TrustedRules::audiences(["https://api.example.com", "api"]).require_typ("at+jwt");
/// assert_eq!(rules.audience_list(), ["https://api.example.com", "api"]);
/// assert_eq!(rules.typ(), Some("at+jwt"));
/// let one: TrustedRules = "https://api.example.com".into();
/// assert_eq!(one.typ(), None); // any `typ`, or none, is accepted
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedRules {
    audiences: Vec<String>,
    typ: Option<String>,
    expiry_leeway: u64,
}

impl TrustedRules {
    /// Tokens whose `aud` contains `audience`.
    pub fn audience(audience: impl Into<String>) -> TrustedRules {
        TrustedRules {
            audiences: vec![audience.into()],
            typ: None,
            expiry_leeway: 0,
        }
    }

    /// Tokens whose `aud` contains at least one of `audiences`. An empty list accepts no
    /// token (rather than any audience).
    pub fn audiences<I>(audiences: I) -> TrustedRules
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        TrustedRules {
            audiences: audiences.into_iter().map(Into::into).collect(),
            typ: None,
            expiry_leeway: 0,
        }
    }

    /// Also requires the header's `typ` to be `typ`, compared as a media type (see
    /// [`Verifier::require_typ`](crate::Verifier::require_typ)): `at+jwt` accepts `at+jwt`,
    /// `AT+JWT` and `application/at+jwt`. Without it, any `typ` (or none) is accepted.
    #[must_use]
    pub fn require_typ(mut self, typ: impl Into<String>) -> TrustedRules {
        self.typ = Some(typ.into());
        self
    }

    /// Accepts the providers' tokens until `exp + seconds` (clamped to
    /// [`MAX_LEEWAY`](crate::token::MAX_LEEWAY)), for a provider whose clock runs ahead of this
    /// server's; see [`Verifier::expiry_leeway`](crate::Verifier::expiry_leeway). None by
    /// default.
    #[must_use]
    pub fn expiry_leeway(mut self, seconds: u64) -> TrustedRules {
        self.expiry_leeway = seconds.min(crate::token::MAX_LEEWAY);
        self
    }

    /// The clock skew tolerated on `exp`, in seconds.
    pub fn expiry_leeway_secs(&self) -> u64 {
        self.expiry_leeway
    }

    /// The accepted audiences.
    pub fn audience_list(&self) -> &[String] {
        &self.audiences
    }

    /// The required `typ`, if any.
    pub fn typ(&self) -> Option<&str> {
        self.typ.as_deref()
    }
}

impl From<&str> for TrustedRules {
    fn from(audience: &str) -> Self {
        TrustedRules::audience(audience)
    }
}

impl From<String> for TrustedRules {
    fn from(audience: String) -> Self {
        TrustedRules::audience(audience)
    }
}

impl From<&String> for TrustedRules {
    fn from(audience: &String) -> Self {
        TrustedRules::audience(audience.as_str())
    }
}
