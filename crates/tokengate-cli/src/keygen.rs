//! `tokengate keygen`: an HMAC secret, or an asymmetric key pair with its public JWK.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use std::io::Write;
use std::path::Path;
use tokengate::token::KeySet;
use tokengate::{Algorithm, Key};

/// What `keygen` made.
pub struct Generated {
    /// What to print: the secret, or the paths and the JWK.
    pub report: String,
}

/// Makes a key for `alg`. HMAC secrets are printed (or written to `out/secret`); key pairs are
/// written to `out/private.pem` (mode 0600), `out/public.pem` and `out/jwks.json`.
pub fn generate(
    alg: Algorithm,
    kid: Option<&str>,
    out: Option<&Path>,
) -> Result<Generated, String> {
    if let Some(min) = alg.min_secret_len() {
        let mut bytes = vec![0u8; min];
        rand::RngCore::fill_bytes(&mut rand::rng(), &mut bytes);
        let secret = URL_SAFE_NO_PAD.encode(&bytes);
        return Ok(Generated {
            report: match out {
                Some(dir) => {
                    let path = dir.join("secret");
                    write_private(&path, secret.as_bytes())?;
                    format!("wrote a {alg} secret to {}", path.display())
                }
                None => secret,
            },
        });
    }
    let out = out.ok_or("asymmetric keys are written to files: give --out DIR")?;
    let (private_pem, public_pem) = pair(alg)?;
    let key = Key::from_private_pem(alg, private_pem.as_bytes()).map_err(|e| e.to_string())?;
    // Without --kid, the thumbprint: the kid `tokengate serve` gives the same key.
    let kid = match kid {
        Some(kid) => kid.to_owned(),
        None => key
            .thumbprint()
            .ok_or("cannot compute the key's thumbprint")?,
    };
    let key = key.with_kid(kid);
    let jwks = serde_json::to_string_pretty(&KeySet::new(key).jwks()).map_err(|e| e.to_string())?;
    std::fs::create_dir_all(out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    write_private(&out.join("private.pem"), private_pem.as_bytes())?;
    write_public(&out.join("public.pem"), public_pem.as_bytes())?;
    write_public(&out.join("jwks.json"), jwks.as_bytes())?;
    Ok(Generated {
        report: format!(
            "wrote {alg} private.pem (0600), public.pem and jwks.json to {}\n{jwks}",
            out.display()
        ),
    })
}

fn pair(alg: Algorithm) -> Result<(String, String), String> {
    let mut rng = rand_core::OsRng;
    match alg {
        alg if alg.is_rsa() => {
            let private = rsa::RsaPrivateKey::new(&mut rng, 2048).map_err(|e| failed(&e))?;
            pems(&private, &rsa::RsaPublicKey::from(&private))
        }
        Algorithm::ES256 => {
            let private = p256::SecretKey::random(&mut rng);
            pems(&private, &private.public_key())
        }
        Algorithm::ES384 => {
            let private = p384::SecretKey::random(&mut rng);
            pems(&private, &private.public_key())
        }
        Algorithm::EdDSA => {
            let private = ed25519_dalek::SigningKey::generate(&mut rng);
            // PKCS#8 v1 (no embedded public key), as openssl writes it: the form
            // jsonwebtoken reads.
            let v1 = ed25519_dalek::pkcs8::KeypairBytes {
                secret_key: private.to_bytes(),
                public_key: None,
            };
            pems(&v1, &private.verifying_key())
        }
        _ => Err(format!("{alg} takes a secret, not a key pair")),
    }
}

/// The PKCS#8 private and SPKI public PEMs of a key pair.
fn pems(
    private: &impl p256::pkcs8::EncodePrivateKey,
    public: &impl p256::pkcs8::EncodePublicKey,
) -> Result<(String, String), String> {
    use p256::pkcs8::LineEnding;
    Ok((
        private
            .to_pkcs8_pem(LineEnding::LF)
            .map_err(|e| failed(&e))?
            .to_string(),
        public
            .to_public_key_pem(LineEnding::LF)
            .map_err(|e| failed(&e))?,
    ))
}

fn failed(error: &dyn std::fmt::Display) -> String {
    format!("key generation failed: {error}")
}

fn write_private(path: &Path, bytes: &[u8]) -> Result<(), String> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
    file.write_all(bytes)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn write_public(path: &Path, bytes: &[u8]) -> Result<(), String> {
    std::fs::write(path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
}
