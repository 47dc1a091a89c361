//! [`RemoteKeys`]: one provider's keys, swapped atomically, fetched by one flight at a time.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use arc_swap::ArcSwapOption;
use tokio::sync::{Mutex, OwnedMutexGuard};

use super::fetch::{self, cache_lifetime, check_url, DEFAULT_CACHE_LIFETIME};
use super::{Lookup, RemoteKeysError};
use crate::token::keys::{JwksKeys, Key, SkippedJwk};

/// The default timeout of each fetch (connecting, and the whole answer).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);
/// The default cap on the size of a JWKS or discovery answer: 256 KiB.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 256 * 1024;
/// The shortest time between two fetches caused by unknown `kid`s.
pub const DEFAULT_UNKNOWN_KID_INTERVAL: Duration = Duration::from_secs(30);

/// The background refresher's first and longest wait after a failed fetch.
const FIRST_RETRY: Duration = Duration::from_secs(1);
const LAST_RETRY: Duration = Duration::from_secs(60);

/// One provider's verification keys, fetched from a JWKS URL or found by OpenID Connect
/// discovery. Cloning is cheap: clones share the keys and the fetching.
///
/// ```no_run
/// # async fn example() -> Result<(), tokengate::token::remote::RemoteKeysError> {
/// use tokengate::token::remote::{Lookup, RemoteKeys};
///
/// let keys = RemoteKeys::from_issuer("https://login.example.com").build()?;
/// keys.spawn_refresher(); // loads now, then keeps the keys fresh
/// // On each token: no lock, no request when the kid is known.
/// let key = match keys.lookup(Some("kid-from-the-token")) {
///     Lookup::Found(key) => Some(key),
///     Lookup::UnknownKid => keys.refresh_for_unknown_kid(Some("kid-from-the-token")).await.key(),
///     Lookup::NotLoaded => None, // answer 503 with Retry-After: keys.retry_after()
/// };
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct RemoteKeys {
    inner: Arc<Inner>,
}

/// Where the keys come from.
enum Origin {
    Jwks(reqwest::Url),
    Issuer {
        issuer: String,
        discovery: reqwest::Url,
    },
}

struct Inner {
    origin: Origin,
    client: reqwest::Client,
    allow_http: bool,
    max_bytes: usize,
    unknown_kid_interval: Duration,
    /// The keys; `None` until first loaded. Read on every token, without a lock.
    current: ArcSwapOption<Loaded>,
    /// Held for the whole of a fetch: one flight at a time, and the others wait for it.
    flight: Arc<Mutex<Flight>>,
    /// Finished fetch attempts, to let a waiter take the result of the flight it waited for.
    attempts: AtomicU64,
    jwks_fetches: AtomicU64,
    created: Instant,
    /// When the background refresher tries next, in milliseconds after `created`.
    next_attempt_ms: AtomicU64,
}

struct Loaded {
    keys: JwksKeys,
    fetched: Instant,
    expires: Instant,
}

#[derive(Default)]
struct Flight {
    jwks_uri: Option<reqwest::Url>,
    last_attempt: Option<Instant>,
    last_result: Option<Result<(), RemoteKeysError>>,
    /// The skipped keys already warned about, so that each is logged once, not per fetch.
    warned: Vec<SkippedJwk>,
}

/// Configures a [`RemoteKeys`]; made by [`RemoteKeys::from_jwks_url`] or
/// [`RemoteKeys::from_issuer`].
#[derive(Debug, Clone)]
#[must_use]
pub struct RemoteKeysBuilder {
    url: String,
    discovery: bool,
    allow_http: bool,
    timeout: Duration,
    max_bytes: usize,
    unknown_kid_interval: Duration,
}

impl RemoteKeysBuilder {
    /// Allows plain `http` URLs (loopback tests); otherwise only `https` is fetched, also
    /// after a redirect.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_http = allow;
        self
    }

    /// The timeout of each fetch, for connecting and for the whole answer
    /// ([`DEFAULT_TIMEOUT`] unless set).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The largest answer accepted, in bytes ([`DEFAULT_MAX_RESPONSE_BYTES`] unless set).
    pub fn max_response_bytes(mut self, bytes: usize) -> Self {
        self.max_bytes = bytes;
        self
    }

    /// The shortest time between two fetches caused by unknown `kid`s
    /// ([`DEFAULT_UNKNOWN_KID_INTERVAL`] unless set).
    pub fn unknown_kid_interval(mut self, interval: Duration) -> Self {
        self.unknown_kid_interval = interval;
        self
    }

    /// The key source. Fails on a URL that does not parse or whose scheme is not allowed;
    /// fetches nothing yet.
    pub fn build(self) -> Result<RemoteKeys, RemoteKeysError> {
        let client = reqwest::Client::builder()
            .timeout(self.timeout)
            .connect_timeout(self.timeout)
            .https_only(!self.allow_http)
            .user_agent(concat!("tokengate/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|error| RemoteKeysError::Unreachable {
                url: self.url.clone(),
                reason: error.to_string(),
            })?;
        let origin = if self.discovery {
            check_url(&self.url, self.allow_http)?;
            let discovery = format!(
                "{}/.well-known/openid-configuration",
                self.url.trim_end_matches('/')
            );
            Origin::Issuer {
                discovery: check_url(&discovery, self.allow_http)?,
                issuer: self.url,
            }
        } else {
            Origin::Jwks(check_url(&self.url, self.allow_http)?)
        };
        Ok(RemoteKeys {
            inner: Arc::new(Inner {
                origin,
                client,
                allow_http: self.allow_http,
                max_bytes: self.max_bytes,
                unknown_kid_interval: self.unknown_kid_interval,
                current: ArcSwapOption::empty(),
                flight: Arc::default(),
                attempts: AtomicU64::new(0),
                jwks_fetches: AtomicU64::new(0),
                created: Instant::now(),
                next_attempt_ms: AtomicU64::new(0),
            }),
        })
    }
}

impl RemoteKeys {
    /// Keys fetched from a JWKS URL.
    pub fn from_jwks_url(url: impl Into<String>) -> RemoteKeysBuilder {
        RemoteKeys::builder(url.into(), false)
    }

    /// The keys of an OpenID Connect issuer: its discovery document
    /// (`ISSUER/.well-known/openid-configuration`, a trailing `/` of the issuer removed
    /// first) must name exactly this `issuer`, and its `jwks_uri` gives the keys.
    pub fn from_issuer(issuer: impl Into<String>) -> RemoteKeysBuilder {
        RemoteKeys::builder(issuer.into(), true)
    }

    fn builder(url: String, discovery: bool) -> RemoteKeysBuilder {
        RemoteKeysBuilder {
            url,
            discovery,
            allow_http: false,
            timeout: DEFAULT_TIMEOUT,
            max_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            unknown_kid_interval: DEFAULT_UNKNOWN_KID_INTERVAL,
        }
    }

    /// The issuer, for keys found by discovery.
    pub fn issuer(&self) -> Option<&str> {
        match &self.inner.origin {
            Origin::Issuer { issuer, .. } => Some(issuer),
            Origin::Jwks(_) => None,
        }
    }

    /// The key for a token's `kid`, from the keys in memory: no lock, no request.
    pub fn lookup(&self, kid: Option<&str>) -> Lookup {
        match &*self.inner.current.load() {
            None => Lookup::NotLoaded,
            Some(loaded) => match loaded.keys.get(kid) {
                Some(key) => Lookup::Found(key.clone()),
                None => Lookup::UnknownKid,
            },
        }
    }

    /// The key for a token's `kid`, if the keys in memory have it (see [`lookup`](Self::lookup)).
    pub fn resolve(&self, kid: Option<&str>) -> Option<Key> {
        self.lookup(kid).key()
    }

    /// Whether keys have been loaded at least once.
    pub fn is_loaded(&self) -> bool {
        self.inner.current.load().is_some()
    }

    /// A copy of the keys in memory (with the keys the last answer skipped), if loaded.
    pub fn keys(&self) -> Option<JwksKeys> {
        self.inner
            .current
            .load()
            .as_ref()
            .map(|loaded| loaded.keys.clone())
    }

    /// How long the keys in memory are still fresh (zero once expired); `None` if not loaded.
    pub fn expires_in(&self) -> Option<Duration> {
        let loaded = self.inner.current.load();
        let expires = loaded.as_ref()?.expires;
        Some(expires.saturating_duration_since(Instant::now()))
    }

    /// How old the keys in memory are, and how long they were to be kept when fetched (the
    /// provider's `max-age`, held between bounds): keys older than their lifetime mean the
    /// provider has not answered since. `None` if not loaded.
    pub fn age(&self) -> Option<(Duration, Duration)> {
        let loaded = self.inner.current.load();
        let loaded = loaded.as_ref()?;
        let lifetime = loaded.expires.saturating_duration_since(loaded.fetched);
        Some((loaded.fetched.elapsed(), lifetime))
    }

    /// How many times the JWKS has been requested (not counting discovery).
    pub fn jwks_fetches(&self) -> u64 {
        self.inner.jwks_fetches.load(Ordering::Relaxed)
    }

    /// When to ask again while the keys are not loaded: the time until the background
    /// refresher's next attempt, in whole seconds, at least one (a `Retry-After` value).
    pub fn retry_after(&self) -> Duration {
        let next = Duration::from_millis(self.inner.next_attempt_ms.load(Ordering::Relaxed));
        let left = next.saturating_sub(self.inner.created.elapsed());
        Duration::from_secs(left.as_secs() + u64::from(left.subsec_nanos() > 0)).max(FIRST_RETRY)
    }

    /// Fetches the keys now, unless a fetch is already in flight: then waits for it and
    /// returns its result. A failure keeps the keys already loaded.
    pub async fn refresh(&self) -> Result<(), RemoteKeysError> {
        let seen = self.inner.attempts.load(Ordering::Acquire);
        let flight = Arc::clone(&self.inner.flight).lock_owned().await;
        if self.inner.attempts.load(Ordering::Acquire) != seen {
            if let Some(result) = &flight.last_result {
                return result.clone();
            }
        }
        self.fly(flight).await
    }

    /// For a token whose `kid` the keys in memory do not have: fetches the keys again, unless
    /// a fetch was made less than the unknown-`kid` interval ago, and looks again. However
    /// many callers come at once, one fetch is made and all wait for it.
    pub async fn refresh_for_unknown_kid(&self, kid: Option<&str>) -> Lookup {
        if let found @ Lookup::Found(_) = self.lookup(kid) {
            return found;
        }
        let flight = Arc::clone(&self.inner.flight).lock_owned().await;
        // The flight this caller waited for may have brought the key.
        let lookup = self.lookup(kid);
        let recent = flight
            .last_attempt
            .is_some_and(|at| at.elapsed() < self.inner.unknown_kid_interval);
        if matches!(lookup, Lookup::Found(_)) || recent {
            return lookup;
        }
        // A failure is logged by the flight and leaves the keys as they were.
        let _ = self.fly(flight).await;
        self.lookup(kid)
    }

    /// Loads the keys now and keeps them fresh in the background: fetched again when they
    /// expire, and after a failure retried after 1 s, doubling up to 60 s, the keys already
    /// loaded being kept meanwhile. The task ends once every clone of this `RemoteKeys` is
    /// dropped. Needs a Tokio runtime.
    pub fn spawn_refresher(&self) -> tokio::task::JoinHandle<()> {
        let weak = Arc::downgrade(&self.inner);
        tokio::spawn(async move {
            let mut backoff = FIRST_RETRY;
            while let Some(inner) = weak.upgrade() {
                let keys = RemoteKeys { inner };
                let wait = match keys.expires_in() {
                    Some(fresh) if !fresh.is_zero() => fresh,
                    _ => match keys.refresh().await {
                        Ok(()) => {
                            backoff = FIRST_RETRY;
                            keys.expires_in().unwrap_or(DEFAULT_CACHE_LIFETIME)
                        }
                        Err(_) => {
                            let wait = backoff;
                            backoff = (backoff * 2).min(LAST_RETRY);
                            wait
                        }
                    },
                };
                let next = keys.inner.created.elapsed() + wait;
                keys.inner.next_attempt_ms.store(
                    u64::try_from(next.as_millis()).unwrap_or(u64::MAX),
                    Ordering::Relaxed,
                );
                drop(keys);
                tokio::time::sleep(wait).await;
            }
        })
    }

    /// Runs one fetch while holding the flight, in a task of its own, so that a caller that
    /// gives up waiting does not cancel it for the others.
    async fn fly(&self, mut flight: OwnedMutexGuard<Flight>) -> Result<(), RemoteKeysError> {
        let inner = Arc::clone(&self.inner);
        let task = tokio::spawn(async move {
            flight.last_attempt = Some(Instant::now());
            let result = inner.fetch(&mut flight).await;
            if let Err(error) = &result {
                tracing::warn!(source = %inner, %error, "could not fetch the keys");
            }
            flight.last_result = Some(result.clone());
            inner.attempts.fetch_add(1, Ordering::Release);
            result
        });
        task.await.unwrap_or(Err(RemoteKeysError::Interrupted))
    }
}

impl Inner {
    #[tracing::instrument(name = "tokengate.key_fetch", skip_all, fields(source = %self))]
    async fn fetch(&self, flight: &mut Flight) -> Result<(), RemoteKeysError> {
        let jwks_uri = match (&self.origin, &flight.jwks_uri) {
            (Origin::Jwks(url), _) | (_, Some(url)) => url.clone(),
            (Origin::Issuer { issuer, discovery }, None) => {
                let url = self.discover(issuer, discovery).await?;
                flight.jwks_uri = Some(url.clone());
                url
            }
        };
        self.jwks_fetches.fetch_add(1, Ordering::Relaxed);
        let fetched = fetch::get(&self.client, &jwks_uri, self.max_bytes)
            .await
            .inspect_err(|error| {
                // The provider may have moved its keys: discover them again next time.
                if matches!(error, RemoteKeysError::Status { .. }) {
                    flight.jwks_uri = None;
                }
            })?;
        let keys = JwksKeys::parse(&fetched.body).map_err(|_| RemoteKeysError::NotAJwkSet {
            url: jwks_uri.to_string(),
        })?;
        for skipped in keys.skipped() {
            if !flight.warned.contains(skipped) {
                tracing::warn!(source = %self, "{skipped}");
            }
        }
        flight.warned = keys.skipped().to_vec();
        let now = Instant::now();
        let expires = now + cache_lifetime(fetched.max_age);
        let loaded = Loaded {
            keys,
            fetched: now,
            expires,
        };
        self.current.store(Some(Arc::new(loaded)));
        Ok(())
    }

    /// The `jwks_uri` of the issuer's discovery document, once its `issuer` is checked.
    async fn discover(
        &self,
        issuer: &str,
        discovery: &reqwest::Url,
    ) -> Result<reqwest::Url, RemoteKeysError> {
        #[derive(serde::Deserialize)]
        struct Document {
            issuer: String,
            jwks_uri: String,
        }
        let fetched = fetch::get(&self.client, discovery, self.max_bytes).await?;
        let document: Document = serde_json::from_slice(&fetched.body).map_err(|_| {
            RemoteKeysError::NotADiscoveryDocument {
                url: discovery.to_string(),
            }
        })?;
        if document.issuer != issuer {
            return Err(RemoteKeysError::IssuerMismatch {
                expected: issuer.to_owned(),
                found: document.issuer,
            });
        }
        check_url(&document.jwks_uri, self.allow_http)
    }
}

impl fmt::Display for Inner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.origin {
            Origin::Jwks(url) => write!(f, "{url}"),
            Origin::Issuer { issuer, .. } => write!(f, "{issuer}"),
        }
    }
}

impl fmt::Debug for RemoteKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RemoteKeys")
            .field("source", &self.inner.to_string())
            .field("loaded", &self.is_loaded())
            .finish_non_exhaustive()
    }
}
