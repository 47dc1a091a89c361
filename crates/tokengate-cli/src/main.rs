//! `tokengate`: a standalone token service, and tools for keys and tokens.

mod keygen;
mod logging;
mod serve;
mod settings;
mod tokens;
mod users;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;
use tokengate::{Algorithm, Config};

const EXAMPLES: &str = "\
Examples:
  tokengate serve --dev                      run the service with a throwaway key on ./tokengate.db
  TOKENGATE_SECRET=... tokengate serve       run it for real (docs/http-api.md lists every variable)
  TOKENGATE_ALGORITHM=ES256 TOKENGATE_PRIVATE_KEY_FILE=keys/private.pem tokengate serve
                                             sign with a private key, publish /.well-known/jwks.json
  tokengate keygen                           print a new HS256 secret
  tokengate keygen --alg ES256 --out keys/   write an ES256 key pair and its JWKS
  tokengate issue --sub user-1 --role '*=reader'
  tokengate issue --sub user-1 --ckeditor --name 'Joe Doe' --email joe@example.com
  tokengate inspect eyJhbGciOi...            decode a token (unverified) with readable times
  tokengate verify --secret \"$SECRET\" --aud tokengate --iss tokengate < token.txt
  tokengate verify --oidc https://login.example.com --aud https://api.example.com < token.txt
                                             verify a provider's access token with its published keys
  tokengate verify --jwks https://login.example.com/keys --iss https://login.example.com --aud api
  tokengate user add --name Joe --email joe@example.com --password 'correct horse'";

/// JWT token service and tools.
#[derive(Parser)]
#[command(name = "tokengate", version, about, after_help = EXAMPLES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Settings shared by the commands that use the service configuration.
#[derive(clap::Args)]
struct ConfigArgs {
    /// A TOML file with the same settings as the TOKENGATE_* variables, named without the
    /// prefix in lower case (secret, addr, database_url…). It overrides the variables; flags
    /// override it.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// The user store: sqlite://PATH, sqlite::memory: or postgres://… (TOKENGATE_DATABASE_URL).
    #[arg(long, value_name = "URL")]
    database_url: Option<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the reference token service (signup, login, refresh, logout, /cs-token…).
    Serve {
        #[command(flatten)]
        config: ConfigArgs,
        /// Listen address (TOKENGATE_ADDR); port 0 picks a free port.
        #[arg(long, value_name = "ADDR")]
        addr: Option<String>,
        /// Development mode: a generated secret and demo CKEditor values, clearly labelled.
        /// Tokens do not survive a restart. Never use in production.
        #[arg(long)]
        dev: bool,
    },
    /// Generate an HMAC secret or an asymmetric key pair.
    Keygen {
        /// HS256, HS384, HS512 (a secret), or RS256, PS256, ES256, EdDSA (a key pair).
        #[arg(long, default_value = "HS256", value_parser = parse_algorithm)]
        alg: Algorithm,
        /// Key id to put in the JWK.
        #[arg(long)]
        kid: Option<String>,
        /// Folder to write files to (required for key pairs; private parts get mode 0600).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// Mint an access token (or a CKEditor Cloud Services token) with the configured keys.
    Issue {
        #[command(flatten)]
        config: ConfigArgs,
        /// The subject (user id).
        #[arg(long)]
        sub: String,
        /// User name (the `user` claim).
        #[arg(long)]
        name: Option<String>,
        /// User e-mail (the `user` claim).
        #[arg(long)]
        email: Option<String>,
        /// A collaboration grant DOCUMENT=ROLE (`*=writer`, `doc-1=reader`); repeatable.
        #[arg(long = "role", value_name = "DOC=ROLE")]
        roles: Vec<String>,
        /// Lifetime in seconds (capped at 86400 for CKEditor tokens).
        #[arg(long, value_name = "SECONDS")]
        ttl: Option<u64>,
        /// Sign a CKEditor Cloud Services token with TOKENGATE_CS_ACCESS_KEY instead.
        #[arg(long)]
        ckeditor: bool,
    },
    /// Decode a token's header and claims WITHOUT verifying it.
    Inspect {
        /// The token, or - (or nothing) to read it from standard input.
        token: Option<String>,
    },
    /// Verify a token; exit status 0 if valid, 1 with the reason if not (2 if it could not
    /// be checked: bad arguments, a key that cannot be read or fetched).
    ///
    /// The key is a secret, a PEM file, or a provider's published keys: `--oidc ISSUER`
    /// (OpenID Connect discovery, then its JWKS) or `--jwks URL`. With those, the token's
    /// `kid` picks the key and its algorithm (`--alg` is not used), `--aud` is required, and
    /// so is `--iss` with `--jwks` (a key set names no issuer).
    Verify {
        /// The token, or - (or nothing) to read it from standard input.
        token: Option<String>,
        /// The algorithm the key is bound to (for --secret and --key).
        #[arg(long, default_value = "HS256", value_parser = parse_algorithm)]
        alg: Algorithm,
        /// HMAC secret, as text (its UTF-8 bytes).
        #[arg(long, conflicts_with_all = ["key", "secret_file", "secret_base64"])]
        secret: Option<String>,
        /// HMAC secret: the raw bytes of a file (binary secrets, container secret mounts).
        #[arg(long, value_name = "FILE", conflicts_with_all = ["key", "secret_base64"])]
        secret_file: Option<PathBuf>,
        /// HMAC secret in base64 (standard or URL-safe, padding optional), as many identity
        /// providers hand them out.
        #[arg(long, value_name = "BASE64", conflicts_with = "key")]
        secret_base64: Option<String>,
        /// PEM key file (public or private).
        #[arg(long, value_name = "FILE")]
        key: Option<PathBuf>,
        /// An OpenID Connect provider's issuer URL: its discovery document must name it, and
        /// its jwks_uri gives the keys. The token's iss must be this issuer.
        #[arg(
            long,
            value_name = "ISSUER",
            conflicts_with_all = ["secret", "secret_file", "secret_base64", "key", "jwks"]
        )]
        oidc: Option<String>,
        /// A JWK set URL to take the keys from (needs --iss).
        #[arg(
            long,
            value_name = "URL",
            conflicts_with_all = ["secret", "secret_file", "secret_base64", "key"]
        )]
        jwks: Option<String>,
        /// Let --oidc and --jwks fetch plain http URLs (a provider on loopback in tests).
        #[arg(long)]
        insecure_http: bool,
        /// Required header typ, compared as a media type (e.g. at+jwt, RFC 9068).
        #[arg(long, value_name = "TYP")]
        typ: Option<String>,
        /// Required audience.
        #[arg(long)]
        aud: Option<String>,
        /// Required issuer.
        #[arg(long)]
        iss: Option<String>,
    },
    /// Manage users in the configured store.
    User {
        #[command(flatten)]
        config: ConfigArgs,
        #[command(subcommand)]
        action: UserAction,
    },
}

#[derive(Subcommand)]
enum UserAction {
    /// Add a user (same rules as /signup).
    Add {
        /// Display name.
        #[arg(long)]
        name: String,
        /// E-mail address.
        #[arg(long)]
        email: String,
        /// Password, at least 8 characters.
        #[arg(long)]
        password: String,
    },
    /// List users: id, e-mail, name.
    List,
    /// Remove a user by id or e-mail.
    Remove {
        /// Id or e-mail.
        who: String,
    },
    /// List a user's live logins: session id, started and last used (Unix seconds).
    Sessions {
        /// Id or e-mail.
        who: String,
    },
    /// End every login of a user, on every instance ("log out everywhere").
    Logout {
        /// Id or e-mail.
        who: String,
    },
}

fn parse_algorithm(name: &str) -> Result<Algorithm, String> {
    name.parse()
        .map_err(|e: tokengate::token::KeyError| e.to_string())
}

/// A failure: the message (one line) and the exit status.
struct Failure(String, u8);

impl From<String> for Failure {
    fn from(message: String) -> Self {
        Failure(message, 2)
    }
}

fn load(args: &ConfigArgs, mut flags: settings::Flags) -> Result<Config, Failure> {
    if let Some(url) = &args.database_url {
        flags.push(("TOKENGATE_DATABASE_URL", url.clone()));
    }
    settings::load(args.config.as_deref(), flags).map_err(|e| Failure(e.to_string(), 2))
}

/// Tokens, keys and passwords never reach the logs: only the serve command logs, and it logs
/// method, path, status and latency. `TOKENGATE_LOG_FORMAT=json` writes one JSON object per
/// line; colours only on a terminal.
async fn run(cli: Cli) -> Result<String, Failure> {
    match cli.command {
        Command::Serve { config, addr, dev } => {
            logging::init()?;
            let mut flags = settings::Flags::new();
            if let Some(addr) = addr {
                flags.push(("TOKENGATE_ADDR", addr));
            }
            if dev {
                flags.push(("TOKENGATE_DEV", "1".into()));
                if std::env::var("TOKENGATE_CS_ENVIRONMENT_ID").is_err() {
                    flags.push((
                        "TOKENGATE_CS_ENVIRONMENT_ID",
                        "tokengate-dev-environment".into(),
                    ));
                    flags.push((
                        "TOKENGATE_CS_ACCESS_KEY",
                        tokengate::token::random_id().repeat(2),
                    ));
                    tracing::warn!(
                        "--dev: CKEditor environment `tokengate-dev-environment` with a random \
                         access key: /cs-token tokens will not work with CKEditor Cloud Services"
                    );
                }
            }
            let config = load(&config, flags)?;
            let served = serve::run(config).await;
            logging::flush();
            served?;
            Ok(String::new())
        }
        Command::Keygen { alg, kid, out } => {
            Ok(keygen::generate(alg, kid.as_deref(), out.as_deref())?.report)
        }
        Command::Issue {
            config,
            sub,
            name,
            email,
            roles,
            ttl,
            ckeditor,
        } => {
            let config = load(&config, settings::Flags::new())?;
            let request = tokens::IssueRequest {
                subject: sub,
                name,
                email,
                auth: tokens::grants(&roles)?,
                ttl: ttl.map(Duration::from_secs),
                ckeditor,
            };
            Ok(tokens::issue(&config, request)?)
        }
        Command::Inspect { token } => {
            let token = tokens::read_token(token)?;
            Ok(tokens::inspect(&token, tokengate::token::unix_now())?)
        }
        Command::Verify {
            token,
            alg,
            secret,
            secret_file,
            secret_base64,
            key,
            oidc,
            jwks,
            insecure_http,
            typ,
            aud,
            iss,
        } => {
            let token = tokens::read_token(token)?;
            if oidc.is_some() || jwks.is_some() {
                let request = tokens::RemoteRequest {
                    oidc,
                    jwks,
                    insecure_http,
                    typ,
                    audience: aud,
                    issuer: iss,
                };
                return match tokens::verify_remote(&token, request).await {
                    tokens::RemoteVerdict::Valid(claims) => Ok(format!("valid\n{claims}")),
                    tokens::RemoteVerdict::Invalid(reason) => {
                        Err(Failure(format!("invalid: {reason}"), 1))
                    }
                    tokens::RemoteVerdict::Unchecked(reason) => Err(Failure(reason, 2)),
                };
            }
            if insecure_http {
                return Err(Failure(
                    "--insecure-http is for --oidc and --jwks".into(),
                    2,
                ));
            }
            let secret = tokens::secret_bytes(secret, secret_file, secret_base64)?;
            let key_pem = match key {
                Some(path) => Some(
                    std::fs::read(&path)
                        .map_err(|e| format!("cannot read {}: {e}", path.display()))?,
                ),
                None => None,
            };
            let request = tokens::VerifyRequest {
                algorithm: alg,
                secret,
                key_pem,
                typ,
                audience: aud,
                issuer: iss,
            };
            tokens::verify(&token, request)
                .map(|claims| format!("valid\n{claims}"))
                .map_err(|reason| Failure(format!("invalid: {reason}"), 1))
        }
        Command::User { config, action } => {
            let config = load(&config, settings::Flags::new())?;
            Ok(match action {
                UserAction::Add {
                    name,
                    email,
                    password,
                } => users::add(&config, name, email, password).await?,
                UserAction::List => users::list(&config).await?,
                UserAction::Remove { who } => users::remove(&config, &who).await?,
                UserAction::Sessions { who } => users::sessions(&config, &who).await?,
                UserAction::Logout { who } => users::logout(&config, &who).await?,
            })
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(output) => {
            if !output.is_empty() {
                println!("{output}");
            }
            ExitCode::SUCCESS
        }
        Err(Failure(message, code)) => {
            // One line, whatever a library's message holds.
            let message = message.split_whitespace().collect::<Vec<_>>().join(" ");
            eprintln!("error: {message}");
            ExitCode::from(code)
        }
    }
}
