//! [`Metrics`]: the Prometheus families every adapter and `tokengate serve` report alike.
//!
//! Recording goes through handles registered once, at start: a decision costs one atomic
//! increment on a counter chosen by its code, and the verification time one push into the
//! histogram's lock-free bucket. The families are rendered in the Prometheus text format
//! (version 0.0.4) by `metrics-exporter-prometheus`, whose recorder is used directly (never
//! installed as the process's global one), so two services in one process keep apart.

use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::Duration;

use metrics::{Counter, Gauge, Histogram, Key, KeyName, Label, Level, Metadata, Recorder};
use metrics_exporter_prometheus::{
    Matcher, PrometheusBuilder, PrometheusHandle, PrometheusRecorder,
};

/// The content type of [`Metrics::render`]'s text.
pub const METRICS_CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

const DECISIONS: &str = "tokengate_decisions_total";
const VERIFY_SECONDS: &str = "tokengate_verify_duration_seconds";
const LOGINS: &str = "tokengate_logins_total";
const REFRESHES: &str = "tokengate_refreshes_total";
const LOGINS_ENDED: &str = "tokengate_logins_ended_total";
const KEYS_AGE: &str = "tokengate_trusted_keys_age_seconds";
const KEYS_LIFETIME: &str = "tokengate_trusted_keys_max_age_seconds";
const BUILD_INFO: &str = "tokengate_build_info";

/// The histogram's buckets: a full verification takes about a microsecond, an RSA one tens.
const VERIFY_BUCKETS: &[f64] = &[
    0.000_001,
    0.000_002_5,
    0.000_005,
    0.000_01,
    0.000_025,
    0.000_05,
    0.000_1,
    0.000_25,
    0.001,
    0.01,
    0.1,
];

/// The codes a refusal can have, registered at start so that each series exists (at zero)
/// before its first refusal: alert rules see a rate from the first scrape.
const REFUSAL_CODES: &[&str] = &[
    "missing_token",
    "invalid_token",
    "token_expired",
    "insufficient_scope",
    "csrf_failed",
    "invalid_dpop_proof",
    "use_dpop_nonce",
    "unavailable",
    "invalid_request",
    "access_denied",
    "not_found",
];

/// Why a login ends, registered at start like [`REFUSAL_CODES`].
const LOGIN_ENDINGS: &[&str] = &[
    "logout",
    "user",
    "everywhere",
    "password_changed",
    "revoked",
    "operator",
    "reused",
];

/// How often histogram values are folded into their buckets when nobody scrapes, so that
/// memory stays bounded.
const UPKEEP_INTERVAL: Duration = Duration::from_secs(5);

/// How a login attempt ended (`tokengate_logins_total{result}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginResult {
    /// The credentials were right: a login started.
    Success,
    /// An unknown address or a wrong password.
    InvalidCredentials,
    /// Refused by the throttle before any check.
    TooManyAttempts,
}

/// How a refresh ended (`tokengate_refreshes_total{result}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefreshResult {
    /// A live refresh token was spent for a new pair.
    Rotated,
    /// A just-spent token was presented again within the grace: the same successor.
    Grace,
    /// A spent token was presented again after the grace: its login ended.
    Reused,
    /// Unknown, expired or of an ended login.
    Invalid,
}

/// What a source of trusted keys reports at each scrape: for each issuer, the age of its keys
/// and the lifetime they were fetched with.
pub type KeyAges = Arc<dyn Fn() -> Vec<(String, Option<(Duration, Duration)>)> + Send + Sync>;

/// The service's Prometheus metrics, shared by the gate and the account service; cloning is
/// cheap. Made once per service (`TOKENGATE_METRICS=1` makes one in
/// [`TokenService::connect`](crate::service::TokenService::connect)), rendered by `GET /metrics`.
///
/// ```
/// use tokengate::{Algorithm, Gate, Key, Metrics, Verifier};
///
/// let metrics = Metrics::new();
/// let key = Key::hmac(Algorithm::HS256, &[5; 32]).unwrap();
/// let gate = Gate::builder(Verifier::new(key)).metrics(metrics.clone()).build();
/// assert!(gate.verify::<tokengate::NoExtra>("not.a.token").is_err());
/// let text = metrics.render();
/// assert!(text.contains(r#"tokengate_build_info{version=""#));
/// ```
#[derive(Clone)]
pub struct Metrics {
    inner: Arc<Inner>,
}

struct Inner {
    recorder: PrometheusRecorder,
    handle: PrometheusHandle,
    allowed: Counter,
    /// One counter per code of [`REFUSAL_CODES`], in its order.
    refused: Vec<Counter>,
    verify_seconds: Histogram,
    logins: [Counter; 3],
    refreshes: [Counter; 4],
    key_ages: Mutex<Vec<KeyAges>>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    /// Every family registered, at zero, and `tokengate_build_info` at one.
    pub fn new() -> Metrics {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Full(VERIFY_SECONDS.into()), VERIFY_BUCKETS)
            .expect("the buckets are not empty")
            .build_recorder();
        describe(&recorder);
        let counter = |name: &'static str, labels: Vec<Label>| {
            recorder.register_counter(&Key::from_parts(name, labels), &metadata())
        };
        let decision = |outcome: &'static str, reason: &'static str| {
            counter(
                DECISIONS,
                vec![Label::new("outcome", outcome), Label::new("reason", reason)],
            )
        };
        let result = |name, result: &'static str| counter(name, vec![Label::new("result", result)]);
        let allowed = decision("allowed", "ok");
        let refused = REFUSAL_CODES
            .iter()
            .map(|code| decision("refused", code))
            .collect();
        let logins =
            ["success", "invalid_credentials", "too_many_attempts"].map(|r| result(LOGINS, r));
        let refreshes = ["rotated", "grace", "reused", "invalid"].map(|r| result(REFRESHES, r));
        for how in LOGIN_ENDINGS {
            // Registered at zero; later events find the same series by its key.
            counter(LOGINS_ENDED, vec![Label::new("how", *how)]).absolute(0);
        }
        let verify_seconds =
            recorder.register_histogram(&Key::from_name(VERIFY_SECONDS), &metadata());
        let version = Label::new("version", env!("CARGO_PKG_VERSION"));
        recorder
            .register_gauge(&Key::from_parts(BUILD_INFO, vec![version]), &metadata())
            .set(1.0);
        let handle = recorder.handle();
        let inner = Arc::new(Inner {
            recorder,
            handle,
            allowed,
            refused,
            verify_seconds,
            logins,
            refreshes,
            key_ages: Mutex::new(Vec::new()),
        });
        spawn_upkeep(Arc::downgrade(&inner));
        Metrics { inner }
    }

    /// Counts a request the gate let through.
    #[inline]
    pub(crate) fn allowed(&self) {
        self.inner.allowed.increment(1);
    }

    /// Counts a request the gate refused with `code`.
    pub(crate) fn refused(&self, code: &'static str) {
        match REFUSAL_CODES.iter().position(|known| *known == code) {
            Some(index) => self.inner.refused[index].increment(1),
            None => self.counter(DECISIONS, [("outcome", "refused"), ("reason", code)]),
        }
    }

    /// Records how long one verification took.
    #[inline]
    pub(crate) fn verified_in(&self, took: Duration) {
        self.inner.verify_seconds.record(took.as_secs_f64());
    }

    /// Counts a login attempt.
    #[cfg_attr(not(feature = "accounts"), allow(dead_code))]
    pub(crate) fn login(&self, result: LoginResult) {
        self.inner.logins[result as usize].increment(1);
    }

    /// Counts a refresh.
    #[cfg_attr(not(feature = "accounts"), allow(dead_code))]
    pub(crate) fn refresh(&self, result: RefreshResult) {
        self.inner.refreshes[result as usize].increment(1);
    }

    /// Counts a login that ended, and why (`user`, `everywhere`, `logout`, `reused`, …).
    #[cfg_attr(not(feature = "accounts"), allow(dead_code))]
    pub(crate) fn login_ended(&self, how: &'static str) {
        self.counter(LOGINS_ENDED, [("how", how)]);
    }

    /// Reports the age of trusted keys at every scrape, from `ages`
    /// (`tokengate_trusted_keys_age_seconds` and `…_max_age_seconds`, by issuer). A gate with
    /// trusted issuers registers its own; an app with other remote keys may add theirs.
    pub fn watch_keys(&self, ages: KeyAges) {
        let mut sources = self
            .inner
            .key_ages
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        sources.push(ages);
    }

    /// Increments the counter `name{labels}`, registering it the first time: for events rarer
    /// than requests.
    fn counter<const N: usize>(
        &self,
        name: &'static str,
        labels: [(&'static str, &'static str); N],
    ) {
        let labels: Vec<Label> = labels.iter().map(|(k, v)| Label::new(*k, *v)).collect();
        let key = Key::from_parts(name, labels);
        self.inner
            .recorder
            .register_counter(&key, &metadata())
            .increment(1);
    }

    /// Every family, in the Prometheus text format (version 0.0.4, [`METRICS_CONTENT_TYPE`]).
    pub fn render(&self) -> String {
        self.update_key_ages();
        self.inner.handle.render()
    }

    fn update_key_ages(&self) {
        let sources = self
            .inner
            .key_ages
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        for ages in sources.iter() {
            for (issuer, age) in ages() {
                // Keys never loaded have no age: the series is absent until they are.
                let Some((age, lifetime)) = age else { continue };
                self.gauge(KEYS_AGE, &issuer).set(age.as_secs_f64());
                self.gauge(KEYS_LIFETIME, &issuer)
                    .set(lifetime.as_secs_f64());
            }
        }
    }

    fn gauge(&self, name: &'static str, issuer: &str) -> Gauge {
        let key = Key::from_parts(name, vec![Label::new("issuer", issuer.to_owned())]);
        self.inner.recorder.register_gauge(&key, &metadata())
    }
}

fn metadata() -> Metadata<'static> {
    Metadata::new("tokengate", Level::INFO, Some(module_path!()))
}

/// The `# HELP` line of each family.
fn describe(recorder: &PrometheusRecorder) {
    let help: [(&str, &str); 8] = [
        (DECISIONS, "Requests the gate decided (guarded routes and /authz), by outcome and error code (ok when allowed)."),
        (VERIFY_SECONDS, "Time to verify one token with keys in memory, revocation included."),
        (LOGINS, "Login attempts, by result."),
        (REFRESHES, "Refresh-token presentations, by result; reused means a spent token came back and its login ended."),
        (LOGINS_ENDED, "Logins that ended, by how."),
        (KEYS_AGE, "Seconds since the trusted issuer's keys were fetched."),
        (KEYS_LIFETIME, "How long the trusted issuer's keys were to be kept when fetched (its max-age, bounded)."),
        (BUILD_INFO, "Always 1; the version of tokengate in its label."),
    ];
    for (name, text) in help {
        let name = KeyName::from(name);
        if name.as_str() == VERIFY_SECONDS {
            recorder.describe_histogram(name, None, text.into());
        } else if matches!(name.as_str(), KEYS_AGE | KEYS_LIFETIME | BUILD_INFO) {
            recorder.describe_gauge(name, None, text.into());
        } else {
            recorder.describe_counter(name, None, text.into());
        }
    }
}

/// Folds histogram values into their buckets every few seconds for as long as the metrics
/// live: without it, recorded values wait for a scrape, and memory grows if none comes.
fn spawn_upkeep(inner: Weak<Inner>) {
    let started = std::thread::Builder::new()
        .name("tokengate-metrics".into())
        .spawn(move || loop {
            std::thread::sleep(UPKEEP_INTERVAL);
            match inner.upgrade() {
                Some(inner) => inner.handle.run_upkeep(),
                None => return,
            }
        });
    if let Err(error) = started {
        // Renders still fold the values; only an unscraped service would grow.
        eprintln!("tokengate: cannot start the metrics upkeep thread: {error}");
    }
}

#[cfg(test)]
mod tests;
