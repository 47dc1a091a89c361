//! `tokengate issue`, `inspect` and `verify`.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::Value;
use std::io::Read;
use std::time::Duration;
use tokengate::ckeditor::{CkeditorTokens, CsPrincipal};
use tokengate::token::{Auth, CsUser, Grant, Role};
use tokengate::{Algorithm, Claims, Config, Key, Verifier};

/// A token from the argument, or standard input when it is `-` or absent.
pub fn read_token(argument: Option<String>) -> Result<String, String> {
    let token = match argument.as_deref() {
        Some("-") | None => {
            let mut input = String::new();
            std::io::stdin()
                .read_to_string(&mut input)
                .map_err(|e| format!("cannot read the token from standard input: {e}"))?;
            input
        }
        Some(token) => token.to_owned(),
    };
    let token = token.trim().to_owned();
    if token.is_empty() {
        return Err("no token given (pass it as an argument or on standard input)".into());
    }
    Ok(token)
}

/// Grants from `DOC=ROLE` pairs (`*=writer`, `doc-1=reader`).
pub fn grants(pairs: &[String]) -> Result<Option<Auth>, String> {
    if pairs.is_empty() {
        return Ok(None);
    }
    let mut auth = Auth::new();
    for pair in pairs {
        let (document, role) = pair
            .split_once('=')
            .ok_or_else(|| format!("--role takes DOCUMENT=ROLE, got `{pair}`"))?;
        if document.is_empty() || role.is_empty() {
            return Err(format!("--role takes DOCUMENT=ROLE, got `{pair}`"));
        }
        auth = auth.grant(document, Grant::role(Role::from(role)));
    }
    Ok(Some(auth))
}

/// What `issue` mints.
pub struct IssueRequest {
    /// `sub`.
    pub subject: String,
    /// `user.name`.
    pub name: Option<String>,
    /// `user.email`.
    pub email: Option<String>,
    /// `auth.collaboration`.
    pub auth: Option<Auth>,
    /// Lifetime.
    pub ttl: Option<Duration>,
    /// A CKEditor Cloud Services token instead of an access token.
    pub ckeditor: bool,
}

/// Mints a token with the configured keys.
pub fn issue(config: &Config, request: IssueRequest) -> Result<String, String> {
    let user = (request.name.is_some() || request.email.is_some()).then(|| CsUser {
        name: request.name.clone(),
        email: request.email.clone(),
        ..CsUser::default()
    });
    if request.ckeditor {
        let tokens: CkeditorTokens = config.ckeditor_tokens().ok_or(
            "a CKEditor token needs TOKENGATE_CS_ENVIRONMENT_ID and TOKENGATE_CS_ACCESS_KEY",
        )?;
        let tokens = match request.ttl {
            Some(ttl) => tokens.ttl(ttl),
            None => tokens,
        };
        let principal = CsPrincipal {
            id: request.subject,
            user: user.unwrap_or_default(),
            auth: request.auth.unwrap_or_else(Auth::writer_everywhere),
        };
        return tokens
            .issue(&principal)
            .map(|t| t.token)
            .map_err(|e| e.to_string());
    }
    let issuer = match request.ttl {
        Some(ttl) => config.issuer().ttl(ttl),
        None => config.issuer(),
    };
    let claims = Claims {
        user,
        auth: request.auth,
        ..Claims::for_subject(request.subject)
    };
    issuer
        .issue(claims)
        .map(|t| t.token)
        .map_err(|e| e.to_string())
}

/// The decoded header and claims, unverified, with readable times.
pub fn inspect(token: &str, now: u64) -> Result<String, String> {
    let mut parts = token.split('.');
    let (Some(header), Some(payload), Some(_), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err("not a JWT: a token has three dot-separated segments".into());
    };
    let decode = |segment: &str, what: &str| -> Result<Value, String> {
        let bytes = URL_SAFE_NO_PAD
            .decode(segment)
            .map_err(|_| format!("the {what} is not base64url"))?;
        serde_json::from_slice(&bytes).map_err(|_| format!("the {what} is not JSON"))
    };
    let header = decode(header, "header")?;
    let claims = decode(payload, "payload")?;
    let mut out = String::from("UNVERIFIED: decoded without checking the signature\n\nheader:\n");
    out.push_str(&serde_json::to_string_pretty(&header).unwrap_or_default());
    out.push_str("\n\nclaims:\n");
    out.push_str(&serde_json::to_string_pretty(&claims).unwrap_or_default());
    out.push('\n');
    for name in ["iat", "nbf", "exp"] {
        if let Some(at) = claims.get(name).and_then(Value::as_u64) {
            out.push_str(&format!("\n{name}: {} ({})", utc(at), relative(at, now)));
        }
    }
    if claims.get("exp").is_none() {
        out.push_str("\nexp: none (tokengate refuses tokens without exp)");
    }
    out.push('\n');
    Ok(out)
}

/// How `verify` checks a token.
pub struct VerifyRequest {
    /// The algorithm of the key.
    pub algorithm: Algorithm,
    /// An HMAC secret (mutually exclusive with `public_key`).
    pub secret: Option<Vec<u8>>,
    /// A PEM public or private key file's contents.
    pub key_pem: Option<Vec<u8>>,
    /// Required header `typ`.
    pub typ: Option<String>,
    /// Required audience.
    pub audience: Option<String>,
    /// Required issuer.
    pub issuer: Option<String>,
}

/// The bytes of the secret given as `--secret` (text), `--secret-file` (raw bytes) or
/// `--secret-base64`; the length rule then counts these bytes.
pub fn secret_bytes(
    text: Option<String>,
    file: Option<std::path::PathBuf>,
    base64: Option<String>,
) -> Result<Option<Vec<u8>>, String> {
    use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
    use base64::Engine;
    if let Some(text) = text {
        return Ok(Some(text.into_bytes()));
    }
    if let Some(path) = file {
        return std::fs::read(&path)
            .map(Some)
            .map_err(|e| format!("cannot read {}: {}", path.display(), e.kind()));
    }
    let Some(encoded) = base64 else {
        return Ok(None);
    };
    let trimmed = encoded.trim().trim_end_matches('=');
    STANDARD_NO_PAD
        .decode(trimmed)
        .or_else(|_| URL_SAFE_NO_PAD.decode(trimmed))
        .map(Some)
        .map_err(|_| "--secret-base64 is not base64".to_owned())
}

/// Verifies `token`; `Ok` with the claims, `Err` with the reason.
pub fn verify(token: &str, request: VerifyRequest) -> Result<String, String> {
    let key = match (&request.secret, &request.key_pem) {
        (Some(secret), None) => Key::hmac(request.algorithm, secret),
        (None, Some(pem)) => Key::from_public_pem(request.algorithm, pem)
            .or_else(|_| Key::from_private_pem(request.algorithm, pem)),
        _ => return Err("give exactly one of --secret and --key".into()),
    }
    .map_err(|e| format!("bad key: {e}"))?;
    let mut verifier = Verifier::new(key);
    if let Some(audience) = request.audience {
        verifier = verifier.audience(audience);
    }
    if let Some(issuer) = request.issuer {
        verifier = verifier.issuer(issuer);
    }
    if let Some(typ) = request.typ {
        verifier = verifier.require_typ(typ);
    }
    let claims: Claims<serde_json::Map<String, Value>> =
        verifier.verify(token).map_err(|e| e.to_string())?;
    Ok(serde_json::to_string_pretty(&claims).unwrap_or_default())
}

/// What `tokengate verify --oidc ISSUER` or `--jwks URL` checks a token against.
pub struct RemoteRequest {
    /// An OpenID Connect issuer, whose discovery document names the JWKS.
    pub oidc: Option<String>,
    /// A JWKS URL.
    pub jwks: Option<String>,
    /// Whether plain `http` URLs may be fetched.
    pub insecure_http: bool,
    /// Required header `typ`.
    pub typ: Option<String>,
    /// Required audience (needed).
    pub audience: Option<String>,
    /// Required issuer (needed with `jwks`; with `oidc`, the issuer itself).
    pub issuer: Option<String>,
}

/// The outcome of a remote verification.
pub enum RemoteVerdict {
    /// Valid: the claims, as JSON.
    Valid(String),
    /// Checked and refused: why.
    Invalid(String),
    /// Not checked (bad arguments, keys that cannot be fetched): why.
    Unchecked(String),
}

/// Verifies `token` with a provider's published keys, fetched once by the core's remote key
/// source (discovery, size and time limits, https only unless allowed, unusable keys
/// skipped). The token's `kid` picks the key; its algorithm is the key's.
pub async fn verify_remote(token: &str, request: RemoteRequest) -> RemoteVerdict {
    use tokengate::token::remote::{Lookup, RemoteKeys};
    let Some(audience) = request.audience else {
        return RemoteVerdict::Unchecked(
            "--aud is required with --oidc and --jwks: the audience your API has at the provider"
                .into(),
        );
    };
    let (builder, issuer) = match (request.oidc, request.jwks) {
        (Some(oidc), None) => {
            if request.issuer.as_deref().is_some_and(|iss| iss != oidc) {
                return RemoteVerdict::Unchecked(
                    "--iss differs from --oidc: the issuer is the one --oidc names".into(),
                );
            }
            (RemoteKeys::from_issuer(oidc.as_str()), oidc)
        }
        (None, Some(url)) => match request.issuer {
            Some(issuer) => (RemoteKeys::from_jwks_url(url), issuer),
            None => {
                return RemoteVerdict::Unchecked(
                    "--iss is required with --jwks: a key set does not say whose tokens it \
                     verifies"
                        .into(),
                )
            }
        },
        _ => return RemoteVerdict::Unchecked("give one of --oidc and --jwks".into()),
    };
    let keys = match builder.allow_insecure_http(request.insecure_http).build() {
        Ok(keys) => keys,
        Err(error) => return RemoteVerdict::Unchecked(error.to_string()),
    };
    if let Err(error) = keys.refresh().await {
        return RemoteVerdict::Unchecked(format!("cannot load the keys: {error}"));
    }
    let kid = match header_kid(token) {
        Ok(kid) => kid,
        Err(reason) => return RemoteVerdict::Invalid(reason),
    };
    let key = match keys.lookup(kid.as_deref()) {
        Lookup::Found(key) => key,
        Lookup::UnknownKid | Lookup::NotLoaded => {
            return RemoteVerdict::Invalid(match kid {
                Some(kid) => format!("no usable key with kid {kid:?} in the provider's key set"),
                None => "the token has no kid and the key set has not exactly one key".into(),
            })
        }
    };
    let mut verifier = Verifier::new(key)
        .issuer(issuer)
        .audience(audience)
        .lenient_ckeditor_claims();
    if let Some(typ) = request.typ {
        verifier = verifier.require_typ(typ);
    }
    match verifier.verify::<serde_json::Map<String, Value>>(token) {
        Ok(claims) => {
            RemoteVerdict::Valid(serde_json::to_string_pretty(&claims).unwrap_or_default())
        }
        Err(error) => RemoteVerdict::Invalid(error.to_string()),
    }
}

/// The unverified `kid` of a token's header (it only picks among the provider's keys).
fn header_kid(token: &str) -> Result<Option<String>, String> {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    #[derive(serde::Deserialize)]
    struct Header {
        kid: Option<String>,
    }
    let malformed = || "the header is not a base64url JSON object".to_owned();
    let segment = token.split('.').next().unwrap_or_default();
    let json = URL_SAFE_NO_PAD.decode(segment).map_err(|_| malformed())?;
    let header: Header = serde_json::from_slice(&json).map_err(|_| malformed())?;
    Ok(header.kid)
}

fn utc(seconds: u64) -> String {
    // Civil date from days since the epoch (Howard Hinnant's algorithm).
    let days = (seconds / 86_400) as i64;
    let rem = seconds % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02} UTC",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

fn relative(at: u64, now: u64) -> String {
    let span = |s: u64| {
        if s >= 86_400 {
            format!("{}d {}h", s / 86_400, s % 86_400 / 3600)
        } else if s >= 3600 {
            format!("{}h {}m", s / 3600, s % 3600 / 60)
        } else if s >= 60 {
            format!("{}m {}s", s / 60, s % 60)
        } else {
            format!("{s}s")
        }
    };
    if at > now {
        format!("in {}", span(at - now))
    } else {
        format!("{} ago", span(now - at))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_dates() {
        assert_eq!(utc(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(utc(1_700_000_000), "2023-11-14 22:13:20 UTC");
        assert_eq!(utc(951_782_400), "2000-02-29 00:00:00 UTC");
    }

    #[test]
    fn relative_times() {
        assert_eq!(relative(100, 40), "in 1m 0s");
        assert_eq!(relative(0, 90_000), "1d 1h ago");
    }

    #[test]
    fn roles_parse() {
        let auth = grants(&["*=reader".into(), "doc-1=writer".into()])
            .unwrap()
            .unwrap();
        assert_eq!(auth.collaboration.len(), 2);
        assert!(grants(&["nodoc".into()]).is_err());
        assert!(grants(&[]).unwrap().is_none());
    }
}
