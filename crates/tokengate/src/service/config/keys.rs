//! Where the keys of access tokens come from: `TOKENGATE_SECRET` (or its file) or
//! `TOKENGATE_PRIVATE_KEY_FILE` for the signing key, and `TOKENGATE_PREVIOUS_*` for the key
//! of a rotation that still verifies.

use super::{parse, Config, Secret, TokenKey, Vars};
use crate::service::config_error::ConfigError;
use crate::token::keys::{Algorithm, Key};

/// The key of access tokens: `TOKENGATE_SECRET` or `TOKENGATE_PRIVATE_KEY_FILE`, whichever
/// `algorithm` signs with (setting the other one is refused rather than ignored), and
/// whether the secret was generated for development.
pub(super) fn token_key(
    get: Vars<'_>,
    algorithm: Algorithm,
    dev: bool,
) -> Result<(TokenKey, bool), ConfigError> {
    let key_file = get("TOKENGATE_PRIVATE_KEY_FILE");
    if algorithm.min_secret_len().is_none() {
        return private_key_file(get, algorithm, key_file);
    }
    if key_file.is_some() {
        return Err(ConfigError::new(
            "TOKENGATE_PRIVATE_KEY_FILE",
            format!(
                "is set, but TOKENGATE_ALGORITHM is {algorithm}, which signs with \
                 TOKENGATE_SECRET: set TOKENGATE_ALGORITHM to the key's algorithm \
                 (RS256, PS256, ES256 or EdDSA)"
            ),
        ));
    }
    let (secret, generated, variable) = match secret_source(get)? {
        Some((secret, variable)) => (secret, false, variable),
        None if dev => (
            Secret::random(algorithm.min_secret_len().unwrap_or(64)),
            true,
            "TOKENGATE_SECRET",
        ),
        None => {
            return Err(ConfigError::new(
                "TOKENGATE_SECRET",
                format!(
                    "is not set: give at least {} random bytes for {algorithm} (or a file of \
                     them in TOKENGATE_SECRET_FILE), or set TOKENGATE_DEV=1 to generate a \
                     throwaway key for development",
                    algorithm.min_secret_len().unwrap_or(32)
                ),
            ))
        }
    };
    parse::check_secret(algorithm, secret.expose(), variable)?;
    Ok((TokenKey::Secret(secret), generated))
}

/// `TOKENGATE_SECRET` (text, its UTF-8 bytes) or `TOKENGATE_SECRET_FILE` (the raw bytes of a
/// file, as container secrets are mounted: binary secrets welcome), with the variable it came
/// from; both at once is refused.
fn secret_source(get: Vars<'_>) -> Result<Option<(Secret, &'static str)>, ConfigError> {
    match (get("TOKENGATE_SECRET"), get("TOKENGATE_SECRET_FILE")) {
        (Some(_), Some(_)) => Err(ConfigError::new(
            "TOKENGATE_SECRET_FILE",
            "is set as well as TOKENGATE_SECRET: give the secret one way",
        )),
        (Some(value), None) => Ok(Some((Secret::new(value), "TOKENGATE_SECRET"))),
        (None, Some(path)) => std::fs::read(&path)
            .map(|bytes| Some((Secret::new(bytes), "TOKENGATE_SECRET_FILE")))
            .map_err(|error| {
                ConfigError::new(
                    "TOKENGATE_SECRET_FILE",
                    format!("cannot read {path}: {}", error.kind()),
                )
            }),
        (None, None) => Ok(None),
    }
}

/// The key of `TOKENGATE_PRIVATE_KEY_FILE`, for an algorithm that signs with a private key.
fn private_key_file(
    get: Vars<'_>,
    algorithm: Algorithm,
    key_file: Option<String>,
) -> Result<(TokenKey, bool), ConfigError> {
    let Some(path) = key_file else {
        return Err(ConfigError::new(
            "TOKENGATE_ALGORITHM",
            format!(
                "{algorithm} signs with a private key: set TOKENGATE_PRIVATE_KEY_FILE \
                 to its PEM file (tokengate keygen --alg {algorithm} --out DIR writes one)"
            ),
        ));
    };
    for variable in ["TOKENGATE_SECRET", "TOKENGATE_SECRET_FILE"] {
        if get(variable).is_some() {
            return Err(ConfigError::new(
                variable,
                format!(
                    "is set, but TOKENGATE_ALGORITHM is {algorithm}, which signs with \
                     TOKENGATE_PRIVATE_KEY_FILE: unset one of them"
                ),
            ));
        }
    }
    Ok((
        TokenKey::PrivateKey(parse::private_key(algorithm, &path)?),
        false,
    ))
}

/// The previous key of a rotation: `TOKENGATE_PREVIOUS_SECRET` or
/// `TOKENGATE_PREVIOUS_SECRET_FILE` for an HMAC algorithm, `TOKENGATE_PREVIOUS_PUBLIC_KEY_FILE`
/// for the others, with the same algorithm and checks as the current key, and named by
/// `TOKENGATE_PREVIOUS_KEY_ID` (a public key's thumbprint by default). The current key must
/// be named, differently, so that every token says which key signed it (a previous key
/// without a name takes the tokens without `kid`).
pub(super) fn previous_key(get: Vars<'_>, config: &Config) -> Result<Option<Key>, ConfigError> {
    const SECRET: &str = "TOKENGATE_PREVIOUS_SECRET";
    const SECRET_FILE: &str = "TOKENGATE_PREVIOUS_SECRET_FILE";
    const PUBLIC: &str = "TOKENGATE_PREVIOUS_PUBLIC_KEY_FILE";
    const KID: &str = "TOKENGATE_PREVIOUS_KEY_ID";
    let algorithm = config.algorithm;
    let hmac = algorithm.min_secret_len().is_some();
    let (key, variable) = match (get(SECRET), get(SECRET_FILE), get(PUBLIC)) {
        (None, None, None) => {
            if get(KID).is_some() {
                return Err(ConfigError::new(
                    KID,
                    "is set, but no previous key is: set TOKENGATE_PREVIOUS_SECRET or \
                     TOKENGATE_PREVIOUS_PUBLIC_KEY_FILE too, or unset it",
                ));
            }
            return Ok(None);
        }
        (Some(_), Some(_), _) => {
            return Err(ConfigError::new(
                SECRET_FILE,
                "is set as well as TOKENGATE_PREVIOUS_SECRET: give the previous secret one way",
            ))
        }
        (secret, file, None) if hmac => {
            let (bytes, variable) = match (secret, file) {
                (Some(value), _) => (value.into_bytes(), SECRET),
                (None, Some(path)) => (
                    std::fs::read(&path).map_err(|error| {
                        ConfigError::new(
                            SECRET_FILE,
                            format!("cannot read {path}: {}", error.kind()),
                        )
                    })?,
                    SECRET_FILE,
                ),
                (None, None) => unreachable!("one of them is set"),
            };
            let previous = Secret::new(bytes);
            parse::check_secret(algorithm, previous.expose(), variable)?;
            if matches!(&config.token_key, TokenKey::Secret(current) if *current == previous) {
                return Err(ConfigError::new(
                    variable,
                    "is the current secret: give the secret of the previous generation",
                ));
            }
            let key = Key::hmac(algorithm, previous.expose())
                .map_err(|error| ConfigError::new(variable, error.to_string()))?;
            (key, variable)
        }
        (None, None, Some(path)) if !hmac => {
            let key = parse::public_key(algorithm, &path, PUBLIC)?;
            let current = config.access_key();
            if key.thumbprint().is_some() && key.thumbprint() == current.thumbprint() {
                return Err(ConfigError::new(
                    PUBLIC,
                    format!("{path} is the current key's public half: give the previous key's"),
                ));
            }
            (key, PUBLIC)
        }
        (_, _, Some(_)) if hmac => {
            return Err(ConfigError::new(
                PUBLIC,
                format!(
                    "is set, but TOKENGATE_ALGORITHM is {algorithm}, which verifies with a \
                     secret: give the previous secret in TOKENGATE_PREVIOUS_SECRET"
                ),
            ))
        }
        (secret, _, _) => {
            return Err(ConfigError::new(
                if secret.is_some() {
                    SECRET
                } else {
                    SECRET_FILE
                },
                format!(
                    "is set, but TOKENGATE_ALGORITHM is {algorithm}, which verifies with a \
                     public key: give the previous key in TOKENGATE_PREVIOUS_PUBLIC_KEY_FILE"
                ),
            ))
        }
    };
    let kid = get(KID).or_else(|| key.thumbprint());
    let Some(current_kid) = config.key_id.as_deref() else {
        return Err(ConfigError::new(
            "TOKENGATE_KEY_ID",
            format!(
                "is not set, but {variable} is: name the current key, so that its tokens are \
                 told apart from the previous key's"
            ),
        ));
    };
    if kid.as_deref() == Some(current_kid) {
        return Err(ConfigError::new(
            KID,
            format!(
                "{current_kid:?} is also the current key's id (TOKENGATE_KEY_ID): the two keys \
                 must have different ids"
            ),
        ));
    }
    Ok(Some(match kid {
        Some(kid) => key.with_kid(kid),
        None => key,
    }))
}
