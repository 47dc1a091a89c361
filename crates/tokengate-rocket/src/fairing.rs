//! `TokenGateFairing`: manages the service, mounts its routes, registers the catchers and
//! answers CORS.

use rocket::fairing::{self, Fairing, Info, Kind};
use rocket::http::uri::Origin;
use rocket::{Build, Request, Response, Rocket};
use tokengate::{Config, Gate, Service};

use crate::cors::{self, Cors};

/// Where the fairing gets its [`Service`].
#[derive(Debug)]
enum Source {
    Figment,
    Config(Box<Config>),
    Service(Service),
}

/// The fairing that sets tokengate up in a Rocket app.
///
/// On ignite it
/// - opens the [`Service`] (unless given one) and manages it, with its [`Gate`], as state for
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

impl Default for TokenGateFairing {
    fn default() -> Self {
        TokenGateFairing::new()
    }
}

impl TokenGateFairing {
    /// Configured on ignite by [`config_from_figment`](crate::config_from_figment): the
    /// `TOKENGATE_*` variables over Rocket's `[tokengate]` configuration. A bad value or an
    /// unreachable store stops launch with a message naming the variable.
    pub fn new() -> Self {
        TokenGateFairing::from_source(Source::Figment)
    }

    /// Configured by `config` (the store is opened on ignite); CORS for
    /// `config.cors_origins`.
    pub fn with_config(config: Config) -> Self {
        TokenGateFairing::from_source(Source::Config(Box::new(config)))
    }

    /// Uses a service that is already open. No CORS unless [`cors_origins`](Self::cors_origins)
    /// says so.
    pub fn with_service(service: Service) -> Self {
        TokenGateFairing::from_source(Source::Service(service))
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

    /// The service and the configured CORS origins.
    async fn open(&self, rocket: &Rocket<Build>) -> Result<(Service, Vec<String>), String> {
        let config = match &self.source {
            Source::Service(service) => return Ok((service.clone(), Vec::new())),
            Source::Config(config) => config.as_ref().clone(),
            Source::Figment => {
                crate::config_from_figment(rocket.figment()).map_err(|e| e.to_string())?
            }
        };
        for warning in config.warnings() {
            rocket::warn!("{warning}");
        }
        let service = Service::connect(&config).await.map_err(|e| e.to_string())?;
        Ok((service, config.cors_origins))
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
        let base = match Origin::parse_owned(self.base.clone()) {
            Ok(base) if base.query().is_none() => base,
            _ => {
                rocket::error!("tokengate: the base {:?} is not a path", self.base);
                return Err(rocket);
            }
        };
        if rocket.state::<Service>().is_some() || rocket.state::<Gate>().is_some() {
            rocket::error!("tokengate: a Service or Gate is already managed; attach the fairing with_service instead");
            return Err(rocket);
        }
        let (service, configured) = match self.open(&rocket).await {
            Ok(opened) => opened,
            Err(error) => {
                rocket::error!("tokengate: {error}");
                return Err(rocket);
            }
        };
        let origins = self.cors_origins.clone().unwrap_or(configured);
        let mut rocket = rocket
            .manage(service.gate().clone())
            .manage(service)
            .mount(base, crate::routes());
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
