//! Argon2id password hashes, computed on the blocking pool.

use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::{Arc, OnceLock};
use tokio::sync::Semaphore;

/// Argon2id with fixed parameters. Hashing and verifying run on tokio's blocking pool: an
/// Argon2 hash takes tens of milliseconds of CPU and would stall every other request on the
/// same async worker.
///
/// At most one hash per CPU runs at a time; the others wait their turn. Each hash holds its
/// memory cost (19 MiB by default) while it runs, and the blocking pool grows to 512 threads,
/// so a burst of logins would otherwise take gigabytes for no gain in throughput.
#[derive(Clone)]
pub struct PasswordHasher {
    params: Params,
    /// A hash of a random password, verified when the e-mail is unknown so that an unknown
    /// e-mail and a wrong password take the same time.
    decoy: Arc<OnceLock<String>>,
    /// One permit per CPU.
    running: Arc<Semaphore>,
}

impl std::fmt::Debug for PasswordHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordHasher")
            .field("params", &self.params)
            .finish()
    }
}

impl Default for PasswordHasher {
    /// OWASP's Argon2id recommendation: 19 MiB, 2 iterations, 1 lane.
    fn default() -> Self {
        PasswordHasher::new(Params::default())
    }
}

impl PasswordHasher {
    /// A hasher with these Argon2id parameters.
    pub fn new(params: Params) -> Self {
        let cpus = std::thread::available_parallelism().map_or(2, usize::from);
        PasswordHasher {
            params,
            decoy: Arc::new(OnceLock::new()),
            running: Arc::new(Semaphore::new(cpus)),
        }
    }

    fn argon2(&self) -> Argon2<'static> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, self.params.clone())
    }

    /// Hashes `password` into a PHC string.
    pub async fn hash(&self, password: String) -> String {
        let hasher = self.clone();
        let _turn = self
            .running
            .acquire()
            .await
            .expect("the semaphore is never closed");
        tokio::task::spawn_blocking(move || hasher.hash_blocking(&password))
            .await
            .expect("password hashing task panicked")
    }

    fn hash_blocking(&self, password: &str) -> String {
        let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
        self.argon2()
            .hash_password(password.as_bytes(), &salt)
            .expect("argon2 accepts any password length and a generated salt")
            .to_string()
    }

    /// Verifies `password` against a PHC string, in constant time. With `None` (unknown
    /// user) it verifies against a decoy hash and answers `false`, taking the same time.
    pub async fn verify(&self, password: String, phc: Option<String>) -> bool {
        let hasher = self.clone();
        let _turn = self
            .running
            .acquire()
            .await
            .expect("the semaphore is never closed");
        tokio::task::spawn_blocking(move || {
            let known = phc.is_some();
            let phc = phc.unwrap_or_else(|| hasher.decoy().to_owned());
            let Ok(parsed) = PasswordHash::new(&phc) else {
                return false;
            };
            // The hash's own parameters are used, so old hashes keep verifying after the
            // configured parameters change.
            let matches = hasher
                .argon2()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok();
            known && matches
        })
        .await
        .expect("password verification task panicked")
    }

    fn decoy(&self) -> &str {
        self.decoy
            .get_or_init(|| self.hash_blocking(&crate::token::issue::random_id()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fast() -> PasswordHasher {
        PasswordHasher::new(Params::new(1024, 1, 1, None).unwrap())
    }

    #[tokio::test]
    async fn hashes_are_argon2id_and_verify() {
        let hasher = fast();
        let phc = hasher.hash("correct horse".into()).await;
        assert!(phc.starts_with("$argon2id$v=19$"), "{phc}");
        assert!(!phc.contains("correct horse"));
        assert!(
            hasher
                .verify("correct horse".into(), Some(phc.clone()))
                .await
        );
        assert!(
            !hasher
                .verify("correct horsE".into(), Some(phc.clone()))
                .await
        );
        assert!(!hasher.verify("correct horse".into(), None).await);
        assert!(!hasher.verify("x".into(), Some("not a hash".into())).await);
        assert_ne!(hasher.hash("correct horse".into()).await, phc, "salted");
    }
}
