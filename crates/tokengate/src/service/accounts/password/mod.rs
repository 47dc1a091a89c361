//! Argon2id password hashes, computed by a fixed set of worker threads.
//!
//! `phc` computes and checks PHC strings in memory a worker owns; `workers` runs the threads
//! and sheds load when too many checks wait. This module is the handle the accounts use.

mod phc;
mod workers;

use std::num::NonZeroUsize;
use std::sync::{Arc, OnceLock};

use argon2::Params;

use workers::{Done, Pool, Work};

use crate::service::api_error::ApiError;

/// The most Argon2 memory a hash may use, in KiB: every worker keeps as much, so more than
/// 1 GiB is a typo, not a policy (`TOKENGATE_ARGON2_MEMORY_KIB` refuses it, and a stored hash
/// asking for more is not checked).
pub(crate) const MAX_MEMORY_KIB: u32 = 1024 * 1024;

/// Argon2id hashing and checking of passwords, on as many worker threads as there are CPUs.
///
/// An Argon2 hash takes tens of milliseconds of CPU and its memory cost (19 MiB by default)
/// while it runs, so it never runs on an async worker. Each worker thread keeps one block of
/// Argon2 memory for every hash it computes: resident memory stays about
/// `workers × memory cost` above idle, however many logins arrive at once.
///
/// When more checks wait than the workers can start within about three seconds (at least
/// 64, or the bound set by [`max_waiting`](Self::max_waiting)), a new one is refused at once
/// with [`Busy`]: the service answers 503 with `Retry-After` instead of holding the
/// connection.
///
/// Clones share the workers. The threads start at the first hash and end when the last clone
/// is dropped.
#[derive(Clone)]
pub struct PasswordHasher {
    params: Params,
    workers: usize,
    max_waiting: Option<usize>,
    pool: Arc<OnceLock<Pool>>,
}

impl std::fmt::Debug for PasswordHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordHasher")
            .field("params", &self.params)
            .field("workers", &self.workers)
            .field("max_waiting", &self.max_waiting)
            .finish()
    }
}

impl Default for PasswordHasher {
    /// OWASP's Argon2id recommendation: 19 MiB, 2 iterations, 1 lane.
    fn default() -> Self {
        PasswordHasher::new(Params::default())
    }
}

/// The answer to a password check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PasswordCheck {
    /// The password is right.
    Matches {
        /// A new hash of the password with the current parameters, when the stored one was
        /// made with others: store it in place of the old one.
        rehashed: Option<String>,
    },
    /// The password is wrong, the user is unknown, or the stored string is not a hash.
    Wrong,
}

/// Too many password checks are waiting for a worker: try again after `retry_after` seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("too many password checks are waiting; try again in {retry_after} s")]
pub struct Busy {
    /// Seconds until the workers are expected to have caught up.
    pub retry_after: u64,
}

impl From<Busy> for ApiError {
    fn from(busy: Busy) -> Self {
        ApiError::Busy {
            retry_after: busy.retry_after,
        }
    }
}

impl PasswordHasher {
    /// A hasher with these Argon2id parameters, on one worker per CPU.
    pub fn new(params: Params) -> Self {
        PasswordHasher {
            params,
            workers: std::thread::available_parallelism().map_or(2, usize::from),
            max_waiting: None,
            pool: Arc::new(OnceLock::new()),
        }
    }

    /// The same hasher on `workers` threads (and workers of its own, not shared with
    /// earlier clones).
    pub fn workers(self, workers: NonZeroUsize) -> Self {
        PasswordHasher {
            workers: workers.get(),
            pool: Arc::new(OnceLock::new()),
            ..self
        }
    }

    /// The same hasher refusing a check when `max_waiting` already wait, instead of the
    /// measured bound (and with workers of its own).
    pub fn max_waiting(self, max_waiting: usize) -> Self {
        PasswordHasher {
            max_waiting: Some(max_waiting),
            pool: Arc::new(OnceLock::new()),
            ..self
        }
    }

    /// The parameters of new hashes.
    pub fn params(&self) -> &Params {
        &self.params
    }

    fn pool(&self) -> &Pool {
        self.pool
            .get_or_init(|| Pool::start(self.params.clone(), self.workers, self.max_waiting))
    }

    /// Hashes `password` into a PHC string with a fresh salt.
    pub async fn hash(&self, password: String) -> Result<String, Busy> {
        match self.pool().run(Work::Hash(password)).await? {
            Done::Hashed(phc) => Ok(phc),
            Done::Checked(_) => unreachable!("a hash job answers with a hash"),
        }
    }

    /// Checks `password` against a PHC string, in constant time, with the string's own
    /// parameters. With `None` (an unknown user) it checks a decoy hash and answers
    /// [`PasswordCheck::Wrong`], taking the same time.
    pub async fn verify(
        &self,
        password: String,
        phc: Option<String>,
    ) -> Result<PasswordCheck, Busy> {
        match self.pool().run(Work::Check { password, phc }).await? {
            Done::Checked(check) => Ok(check),
            Done::Hashed(_) => unreachable!("a check job answers with a check"),
        }
    }
}

#[cfg(test)]
mod tests;
