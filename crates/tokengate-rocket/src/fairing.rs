//! `TokenGateFairing`: manages the service, mounts its routes, registers the catchers and
//! answers CORS.

use rocket::fairing::{self, Fairing, Info, Kind};
#[cfg(feature = "accounts")]
use rocket::http::uri::Origin;
use rocket::{Build, Request, Response, Rocket};
use tokengate::Gate;
#[cfg(feature = "accounts")]
use tokengate::{Config, TokenService};

use crate::cors::{self, Cors};

/// Where the fairing gets its gate (and, with the account service, its routes).
#[derive(Debug)]
enum Source {
    /// Verify-only: manage this gate, mount no routes.
    Gate(Gate),
    #[cfg(feature = "accounts")]
    Figment,
    #[cfg(feature = "accounts")]
    Config(Box<Config>),
    #[cfg(feature = "accounts")]
    TokenService(TokenService),
}

/// What ignition opened: the gate to manage, the service (if any) and the CORS origins of
/// its configuration.
struct Opened {
    gate: Gate,
    #[cfg(feature = "accounts")]
    service: Option<TokenService>,
    configured_origins: Vec<String>,
}

/// The fairing that sets tokengate up in a Rocket app.
///
/// On ignite it
/// - opens the [`TokenService`] (unless given one) and manages it, with its [`Gate`], as state for
///   the guards and routes,
/// - mounts [`routes()`](crate::routes()) (`/signup`, `/login`, `/refresh`, `/logout`,
///   `/users/me`, `/cs-token`, `/healthz`) at [`base`](Self::base) (`/` by default),
/// - registers the [`catchers()`](crate::catchers()) at `/`,
/// - and, for the configured CORS origins, mounts a preflight route (`OPTIONS`, any path,
///   ranked last) and adds the CORS headers to every response to an allowed origin.
///
/// Fairings cannot reject requests: the guards ([`Authenticated`](crate::Authenticated),
/// [`Authorized`](crate::Authorized)) do, on the routes that take them.
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
    source: Source,
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
    /// Configured on ignite by [`config_from_figment`](crate::config_from_figment): the
    /// `TOKENGATE_*` variables over Rocket's `[tokengate]` configuration. A bad value or an
    /// unreachable store stops launch with a message naming the variable.
    #[cfg(feature = "accounts")]
    pub fn new() -> Self {
        TokenGateFairing::from_source(Source::Figment)
    }

    /// Configured by `config` (the store is opened on ignite); CORS for
    /// `config.cors_origins`.
    #[cfg(feature = "accounts")]
    pub fn with_config(config: Config) -> Self {
        TokenGateFairing::from_source(Source::Config(Box::new(config)))
    }

    /// Uses a service that is already open. No CORS unless [`cors_origins`](Self::cors_origins)
    /// says so.
    #[cfg(feature = "accounts")]
    pub fn with_service(service: TokenService) -> Self {
        TokenGateFairing::from_source(Source::TokenService(service))
    }

    /// Verify-only: manages `gate` for the guards, registers the catchers and answers CORS
    /// for [`cors_origins`](Self::cors_origins); mounts no routes. What an app that only
    /// accepts tokens (built without the `accounts` feature, or minted elsewhere) attaches.
    ///
    /// ```
    /// use tokengate::{Algorithm, Gate, Key, Verifier};
    /// use tokengate_rocket::{Authenticated, TokenGateFairing};
    ///
    /// #[rocket::get("/hello")]
    /// fn hello(user: Authenticated) -> String {
    ///     format!("hello, {}", user.sub.as_deref().unwrap_or("?"))
    /// }
    ///
    /// let key = Key::hmac(Algorithm::HS256, b"an HMAC secret of at least 32 bytes").unwrap();
    /// let rocket = rocket::build()
    ///     .attach(TokenGateFairing::with_gate(Gate::new(Verifier::new(key))))
    ///     .mount("/", rocket::routes![hello]);
    /// # drop(rocket);
    /// ```
    pub fn with_gate(gate: Gate) -> Self {
        TokenGateFairing::from_source(Source::Gate(gate))
    }

    fn from_source(source: Source) -> Self {
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
    /// 401, 403 or 404 catchers at `/` (Rocket refuses two at the same base). Register ours
    /// elsewhere or pick from them, or guard failures lose their JSON body and challenge.
    pub fn without_catchers(mut self) -> Self {
        self.catchers = false;
        self
    }

    /// The gate, the service and the configured CORS origins.
    #[cfg_attr(not(feature = "accounts"), allow(unused_variables))]
    async fn open(&self, rocket: &Rocket<Build>) -> Result<Opened, String> {
        match &self.source {
            Source::Gate(gate) => Ok(Opened::gate(gate.clone())),
            #[cfg(feature = "accounts")]
            Source::TokenService(service) => Ok(Opened::service(service.clone(), Vec::new())),
            #[cfg(feature = "accounts")]
            Source::Config(config) => Opened::connect(config.as_ref().clone()).await,
            #[cfg(feature = "accounts")]
            Source::Figment => {
                let config =
                    crate::config_from_figment(rocket.figment()).map_err(|e| e.to_string())?;
                Opened::connect(config).await
            }
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
        if rocket.state::<Gate>().is_some() {
            rocket::error!("tokengate: a Gate is already managed; give it to the fairing instead");
            return Err(rocket);
        }
        let opened = match self.open(&rocket).await {
            Ok(opened) => opened,
            Err(error) => {
                rocket::error!("tokengate: {error}");
                return Err(rocket);
            }
        };
        let origins = self
            .cors_origins
            .clone()
            .unwrap_or(opened.configured_origins);
        #[cfg_attr(not(feature = "accounts"), allow(unused_mut))]
        let mut rocket = rocket.manage(opened.gate);
        #[cfg(feature = "accounts")]
        if let Some(service) = opened.service {
            let base = match Origin::parse_owned(self.base.clone()) {
                Ok(base) if base.query().is_none() => base,
                _ => {
                    rocket::error!("tokengate: the base {:?} is not a path", self.base);
                    return Err(rocket);
                }
            };
            if rocket.state::<TokenService>().is_some() {
                rocket::error!(
                    "tokengate: a TokenService is already managed; attach the fairing with_service instead"
                );
                return Err(rocket);
            }
            rocket = rocket.manage(service).mount(base, crate::routes());
        }
        if self.catchers {
            rocket = rocket.register("/", crate::catchers());
        }
        if !origins.is_empty() {
            rocket = rocket.mount("/", cors::routes());
        }
        Ok(rocket.manage(Cors {
            policy: tokengate::CorsPolicy::new(&origins),
        }))
    }

    async fn on_response<'r>(&self, request: &'r Request<'_>, response: &mut Response<'r>) {
        cors::apply(request, response);
    }
}

impl Opened {
    fn gate(gate: Gate) -> Self {
        Opened {
            gate,
            #[cfg(feature = "accounts")]
            service: None,
            configured_origins: Vec::new(),
        }
    }

    #[cfg(feature = "accounts")]
    async fn connect(config: Config) -> Result<Self, String> {
        for warning in config.warnings() {
            rocket::warn!("{warning}");
        }
        let service = TokenService::connect(&config)
            .await
            .map_err(|e| e.to_string())?;
        Ok(Opened::service(service, config.cors_origins))
    }

    #[cfg(feature = "accounts")]
    fn service(service: TokenService, configured_origins: Vec<String>) -> Self {
        Opened {
            gate: service.gate().clone(),
            service: Some(service),
            configured_origins,
        }
    }
}
