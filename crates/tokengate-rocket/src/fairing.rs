//! `TokenGateFairing`, which manages the service, mounts its routes, registers the catchers
//! and answers CORS, and `CorsFairing`, CORS alone: a response fairing and a preflight route.

use rocket::fairing::{self, Fairing, Info, Kind};
#[cfg(feature = "accounts")]
use rocket::http::uri::Origin;
use rocket::http::Status;
use rocket::{Build, Request, Response, Rocket};
#[cfg(feature = "accounts")]
use tokengate::{Config, TokenService};
use tokengate::{ConfigError, CorsPolicy, Gate, Opened, Setup};

/// The fairing that sets tokengate up in a Rocket app. On ignite it opens the
/// [`TokenService`] (unless given one) and manages it with its [`Gate`] for the guards and
/// routes, mounts [`routes()`](crate::routes()) at [`base`](Self::base) (`/` by default),
/// registers the [`catchers()`](crate::catchers()) at `/`, and answers CORS for the
/// configured origins (a preflight route, `OPTIONS` on any path ranked last, and the headers
/// on every response to an allowed origin). Fairings cannot reject requests: the guards do.
///
/// ```no_run
/// use tokengate_rocket::TokenGateFairing;
///
/// #[rocket::launch]
/// fn rocket() -> _ {
///     // TOKENGATE_* variables, over `[default.tokengate]` in Rocket.toml.
///     rocket::build().attach(TokenGateFairing::new().base("/auth"))
/// }
/// ```
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
    /// 401, 403 or 404 catchers at `/`; register some of ours, or guard failures lose their
    /// JSON body and challenge (see the [guide](crate::guide)).
    pub fn without_catchers(mut self) -> Self {
        self.catchers = false;
        self
    }

    /// The gate, the service and the configured CORS origins.
    #[cfg_attr(not(feature = "accounts"), allow(unused_variables))]
    async fn open(&self, rocket: &Rocket<Build>) -> Result<Opened, ConfigError> {
        match &self.source {
            Some(setup) => setup.open().await,
            #[cfg(feature = "accounts")]
            None => {
                let config = crate::config_from_figment(rocket.figment())?;
                Setup::Config(Box::new(config)).open().await
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
            let Some(base) = Origin::parse_owned(self.base.clone())
                .ok()
                .filter(|base| base.query().is_none())
            else {
                return Err(fail(
                    rocket,
                    &format!("the base {:?} is not a path", self.base),
                ));
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
    let preflight = CorsPolicy::is_preflight(
        request.method().as_str(),
        request.headers().contains("access-control-request-method"),
    );
    for (name, value) in policy.headers(request.headers().get_one("origin"), preflight) {
        if name == "vary" {
            response.adjoin_raw_header("Vary", value);
        } else {
            response.set_raw_header(name, value);
        }
    }
}

/// CORS alone, for an app that does not attach [`TokenGateFairing`] (which answers CORS
/// itself): preflights answered 204 from any origin, and the CORS headers of the core's
/// policy on every response to an allowed origin.
///
/// ```
/// let origins = vec!["https://editor.example".to_owned()];
/// let rocket = rocket::build().attach(tokengate_rocket::CorsFairing::new(&origins));
/// # drop(rocket);
/// ```
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
