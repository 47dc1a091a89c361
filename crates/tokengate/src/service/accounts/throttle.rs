//! Refusing logins for an e-mail address after too many failures.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use super::store::{LoginFailures, StoreError};

/// Counts failed logins per e-mail address in a sliding window.
///
/// After `max_failures` failures within `window` seconds, logins for that address are
/// refused (HTTP 429, with the seconds to wait) until the oldest failure leaves the window,
/// whatever the password. Unknown addresses are counted like known ones, so the throttle
/// does not reveal which addresses exist.
///
/// By default the counts live in this process. Instances that share one database share
/// them through [`shared`](Self::shared) (the reference service does so on PostgreSQL), so
/// that adding an instance does not add guesses.
pub struct LoginThrottle {
    max_failures: usize,
    window: u64,
    failures: Mutex<HashMap<String, VecDeque<u64>>>,
    shared: Option<Arc<dyn LoginFailures>>,
}

impl std::fmt::Debug for LoginThrottle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginThrottle")
            .field("max_failures", &self.max_failures)
            .field("window", &self.window)
            .field("shared", &self.shared.is_some())
            .finish_non_exhaustive()
    }
}

/// Above this many tracked addresses, stale entries are swept on the next failure.
const SWEEP_AT: usize = 10_000;

impl Default for LoginThrottle {
    /// Ten failures within ten minutes.
    fn default() -> Self {
        LoginThrottle::new(10, 600)
    }
}

impl LoginThrottle {
    /// A throttle allowing `max_failures` failures per `window` seconds.
    pub fn new(max_failures: usize, window: u64) -> Self {
        LoginThrottle {
            max_failures,
            window,
            failures: Mutex::new(HashMap::new()),
            shared: None,
        }
    }

    /// Counts in `store`, with every other instance that uses it, instead of in this process.
    pub fn shared(mut self, store: impl LoginFailures) -> Self {
        self.shared = Some(Arc::new(store));
        self
    }

    /// `Ok(Err(seconds to wait))` if `key` is locked out at `now`; `Err` if the shared store
    /// cannot be reached.
    pub async fn check_shared(&self, key: &str, now: u64) -> Result<Result<(), u64>, StoreError> {
        let Some(store) = &self.shared else {
            return Ok(self.check(key, now));
        };
        let since = now.saturating_sub(self.window);
        let (failures, oldest) = store.failures_since(key, since).await?;
        if failures < self.max_failures {
            return Ok(Ok(()));
        }
        Ok(Err((oldest + self.window).saturating_sub(now).max(1)))
    }

    /// Records a failed login for `key` at `now`, in the shared store when there is one.
    pub async fn record_failure_shared(&self, key: &str, now: u64) -> Result<(), StoreError> {
        match &self.shared {
            Some(store) => {
                let forget_until = now.saturating_sub(self.window);
                store.record_failure(key, now, forget_until).await
            }
            None => {
                self.record_failure(key, now);
                Ok(())
            }
        }
    }

    /// Forgets the failures of `key`, in the shared store when there is one.
    pub async fn clear_shared(&self, key: &str) -> Result<(), StoreError> {
        match &self.shared {
            Some(store) => store.clear_failures(key).await,
            None => {
                self.clear(key);
                Ok(())
            }
        }
    }

    /// `Err(seconds to wait)` if `key` is locked out at `now`, counting in this process.
    pub fn check(&self, key: &str, now: u64) -> Result<(), u64> {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let Some(times) = failures.get_mut(key) else {
            return Ok(());
        };
        self.forget_old(times, now);
        if times.len() < self.max_failures {
            return Ok(());
        }
        let oldest = times.front().copied().unwrap_or(now);
        Err((oldest + self.window).saturating_sub(now).max(1))
    }

    /// Records a failed login for `key` at `now`, in this process.
    pub fn record_failure(&self, key: &str, now: u64) {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        if failures.len() >= SWEEP_AT {
            failures.retain(|_, times| times.back().is_some_and(|t| t + self.window > now));
        }
        let times = failures.entry(key.to_owned()).or_default();
        self.forget_old(times, now);
        times.push_back(now);
    }

    /// Forgets the failures of `key` (after a successful login), in this process.
    pub fn clear(&self, key: &str) {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        failures.remove(key);
    }

    fn forget_old(&self, times: &mut VecDeque<u64>, now: u64) {
        while times.front().is_some_and(|t| t + self.window <= now) {
            times.pop_front();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_after_max_failures_and_unlocks_when_the_window_slides() {
        let throttle = LoginThrottle::new(3, 600);
        for t in [100, 101, 102] {
            assert_eq!(throttle.check("a@x", t), Ok(()));
            throttle.record_failure("a@x", t);
        }
        assert_eq!(throttle.check("a@x", 103), Err(597));
        assert_eq!(
            throttle.check("b@x", 103),
            Ok(()),
            "other addresses are not affected"
        );
        assert_eq!(throttle.check("a@x", 699), Err(1));
        assert_eq!(throttle.check("a@x", 700), Ok(()));
        throttle.clear("a@x");
        assert_eq!(throttle.check("a@x", 103), Ok(()));
    }
}
