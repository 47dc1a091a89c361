//! `TokenGateFairing`, which manages the service, mounts its routes, registers the catchers
//! and answers CORS; its configuration from Rocket's figment; and `CorsFairing`, CORS alone.

use rocket::fairing::{self, Fairing, Info, Kind};
#[cfg(feature = "accounts")]
use rocket::figment::Figment;
#[cfg(feature = "accounts")]
use rocket::http::uri::Origin;
use rocket::http::Status;
use rocket::{Build, Request, Response, Rocket};
use tokengate::gate::{CorsAnswer, CorsPolicy, HttpReply};
use tokengate::service::{Opened, Setup};
#[cfg(feature = "accounts")]
use tokengate::{Config, TokenService};
use tokengate::{ConfigError, Gate};

use crate::extract::View;

/// Reads the configuration of the reference service: each `TOKENGATE_*` variable of the
/// environment, else the same key in Rocket's configuration (`[default.tokengate]` in
/// `Rocket.toml` with lower-case keys, or `ROCKET_TOKENGATE_*` variables; see the
/// [guide](crate::guide)). Errors name the `TOKENGATE_*` variable whichever layer the value
/// came from. The [guide](crate::guide) has an example.
#[cfg(feature = "accounts")]
pub fn config_from_figment(figment: &Figment) -> Result<Config, ConfigError> {
    Config::from_lookup(|name| {
        std::env::var(name)
            .ok()
            .filter(|value| !value.is_empty())
            .or_else(|| {
                // `TOKENGATE_CORS_ORIGINS` as `tokengate.cors_origins`, else
                // `tokengate_cors_origins` (what `ROCKET_TOKENGATE_CORS_ORIGINS` becomes).
                let key = name.strip_prefix("TOKENGATE_")?.to_ascii_lowercase();
                let value = figment.find_value(&format!("tokengate.{key}")).ok();
                let value = value.or_else(|| figment.find_value(&format!("tokengate_{key}")).ok());
                tokengate::service::setting_text(&serde_json::to_value(value?).ok()?)
            })
    })
}

/// The fairing that sets tokengate up in a Rocket app: on ignite it opens the
/// [`TokenService`] (unless given one) and manages it with its [`Gate`], mounts
/// [`routes()`](crate::routes()) at [`base`](Self::base), registers the
/// [`catchers()`](crate::catchers()) and answers CORS for the configured origins. The
/// [guide](crate::guide) has examples.
#[derive(Debug)]
pub struct TokenGateFairing {
    /// Where the gate comes from; `None`: the figment's configuration, read on ignite.
    source: Option<Setup>,
    base: String,
    catchers: bool,
    cors_origins: Option<Vec<String>>,
}

#[cfg(feature = "accounts")]
impl Default for TokenGateFairing {
    fn default() -> Self {
        TokenGateFairing::new()
    }
}

impl TokenGateFairing {
    /// Configured on ignite by [`config_from_figment`](crate::config_from_figment); a bad
    /// value or an unreachable store stops launch with a message naming the variable.
    #[cfg(feature = "accounts")]
    pub fn new() -> Self {
        TokenGateFairing::from_source(None)
    }

    /// Configured by `config` (the store is opened on ignite); CORS for
    /// `config.cors_origins`.
    #[cfg(feature = "accounts")]
    pub fn with_config(config: Config) -> Self {
        TokenGateFairing::from_source(Some(Setup::Config(Box::new(config))))
    }

    /// Uses a service that is already open. No CORS unless [`cors_origins`](Self::cors_origins)
    /// says so.
    #[cfg(feature = "accounts")]
    pub fn with_service(service: TokenService) -> Self {
        TokenGateFairing::from_source(Some(Setup::Service(service)))
    }

    /// Verify-only: manages `gate` for the guards, registers the catchers and answers CORS
    /// for [`cors_origins`](Self::cors_origins); mounts no routes (the [guide](crate::guide)
    /// has an example).
    pub fn with_gate(gate: Gate) -> Self {
        TokenGateFairing::from_source(Some(Setup::Gate(gate)))
    }

    fn from_source(source: Option<Setup>) -> Self {
        TokenGateFairing {
            source,
            base: "/".to_owned(),
            catchers: true,
            cors_origins: None,
        }
    }

    /// Where to mount the service routes, e.g. `/auth` for `/auth/login`. Default `/`.
    pub fn base(mut self, base: impl Into<String>) -> Self {
        self.base = base.into();
        self
    }

    /// The origins allowed to call the app from a browser, replacing the configured ones.
    pub fn cors_origins<I, S>(mut self, origins: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.cors_origins = Some(origins.into_iter().map(Into::into).collect());
        self
    }

    /// Does not register the [`catchers()`](crate::catchers()), for an app that has its own
    /// 401, 403, 404 or default catchers at `/`; register some of ours, or guard failures lose their
    /// JSON body and challenge (see the [guide](crate::guide)).
    pub fn without_catchers(mut self) -> Self {
        self.catchers = false;
        self
    }

    /// The gate, the service and the configured CORS origins.
    async fn open(&self, _rocket: &Rocket<Build>) -> Result<Opened, ConfigError> {
        match &self.source {
            Some(setup) => setup.open().await,
            #[cfg(feature = "accounts")]
            None => {
                Setup::Config(Box::new(crate::config_from_figment(_rocket.figment())?))
                    .open()
                    .await
            }
            #[cfg(not(feature = "accounts"))]
            None => unreachable!("only `TokenGateFairing::new` reads the figment"),
        }
    }
}

#[rocket::async_trait]
impl Fairing for TokenGateFairing {
    fn info(&self) -> Info {
        Info {
            name: "tokengate",
            kind: Kind::Ignite | Kind::Response | Kind::Singleton,
        }
    }

    async fn on_ignite(&self, rocket: Rocket<Build>) -> fairing::Result {
        let fail = |rocket, error: &dyn std::fmt::Display| {
            rocket::error!("tokengate: {error}");
            rocket
        };
        if rocket.state::<Gate>().is_some() {
            let error = "a Gate is already managed; give it to the fairing instead";
            return Err(fail(rocket, &error));
        }
        let opened = match self.open(&rocket).await {
            Ok(opened) => opened,
            Err(error) => return Err(fail(rocket, &error)),
        };
        for warning in opened.warnings {
            rocket::warn!("{warning}");
        }
        let origins = self.cors_origins.clone().unwrap_or(opened.cors_origins);
        #[cfg_attr(not(feature = "accounts"), allow(unused_mut))]
        let mut rocket = rocket.manage(opened.gate);
        #[cfg(feature = "accounts")]
        if let Some(service) = opened.service {
            let base = Origin::parse_owned(self.base.clone()).ok();
            let Some(base) = base.filter(|base| base.query().is_none()) else {
                let error = format!("the base {:?} is not a path", self.base);
                return Err(fail(rocket, &error));
            };
            if rocket.state::<TokenService>().is_some() {
                let error =
                    "a TokenService is already managed; attach the fairing with_service instead";
                return Err(fail(rocket, &error));
            }
            rocket = rocket.manage(service).mount(base, crate::routes());
        }
        if self.catchers {
            rocket = rocket.register("/", crate::catchers());
        }
        if !origins.is_empty() {
            rocket = rocket.mount("/", rocket::routes![preflight]);
        }
        Ok(rocket.manage(Cors(CorsPolicy::new(&origins))))
    }

    async fn on_response<'r>(&self, request: &'r Request<'_>, response: &mut Response<'r>) {
        decorate(request, response);
    }
}

/// The core's policy, in managed state.
struct Cors(CorsPolicy);

/// Answers every preflight (`OPTIONS`, any path) with 204; the response fairing adds the CORS
/// headers when the origin is allowed. Ranked last, so an app's own `OPTIONS` routes win.
#[rocket::options("/<_..>", rank = 1000)]
fn preflight() -> Status {
    Status::NoContent
}

/// Adds the CORS headers of the policy to `response`: none for other origins, so browsers
/// refuse them.
fn decorate(request: &Request<'_>, response: &mut Response<'_>) {
    let Some(Cors(policy)) = request.rocket().state::<Cors>() else {
        return;
    };
    let (CorsAnswer::Preflight(HttpReply { headers, .. }) | CorsAnswer::Decorate(headers)) =
        policy.answer(&View(request));
    for (name, value) in headers {
        if name == "vary" {
            response.adjoin_raw_header("Vary", value);
        } else {
            response.set_raw_header(name, value);
        }
    }
}

/// CORS alone, for an app that does not attach [`TokenGateFairing`] (which answers CORS
/// itself): preflights answered 204 from any origin, and the CORS headers of the core's
/// policy on every response to an allowed origin (the [guide](crate::guide) has an example).
#[derive(Debug, Clone)]
pub struct CorsFairing {
    policy: CorsPolicy,
}

impl CorsFairing {
    /// Allows exactly `origins` (e.g. `config.cors_origins`) to call the app from a browser.
    pub fn new(origins: &[String]) -> Self {
        CorsFairing {
            policy: CorsPolicy::new(origins),
        }
    }
}

#[rocket::async_trait]
impl Fairing for CorsFairing {
    fn info(&self) -> Info {
        Info {
            name: "tokengate CORS",
            kind: Kind::Ignite | Kind::Response | Kind::Singleton,
        }
    }

    async fn on_ignite(&self, rocket: Rocket<Build>) -> fairing::Result {
        let rocket = rocket.mount("/", rocket::routes![preflight]);
        Ok(rocket.manage(Cors(self.policy.clone())))
    }

    async fn on_response<'r>(&self, request: &'r Request<'_>, response: &mut Response<'r>) {
        decorate(request, response);
    }
}
