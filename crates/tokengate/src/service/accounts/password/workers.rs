//! A fixed set of threads that compute every password hash, each reusing its own Argon2
//! memory, fed by one queue whose length is bounded.
//!
//! The workers are plain threads, not tokio's blocking pool: that pool grows to 512 threads,
//! and every thread that once ran a hash kept its freed memory in its own allocator arena.
//! Here resident memory is the workers' memory and no more, whatever the load; requests
//! that would wait too long are refused at once (load shedding) instead of queueing.

use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use argon2::Params;
use tokio::sync::oneshot;

use super::phc::{self, Check, Memory};
use super::{Busy, PasswordCheck};

/// How long a password check may expect to wait for a worker before it is refused.
const WAIT_BUDGET_MICROS: u64 = 3_000_000;
/// The fewest checks allowed to wait, however slow the hashes are measured to be, so that a
/// burst of ordinary size (many users signing in at nine o'clock) is never refused.
const MIN_WAITING: usize = 64;
/// The assumed duration of a hash until one was measured (OWASP's default parameters on a
/// slow core).
const FIRST_GUESS_MICROS: u64 = 50_000;

/// What a worker is asked to do.
pub(super) enum Work {
    Hash(String),
    Check {
        password: String,
        /// `None` for an unknown user: the decoy is checked instead.
        phc: Option<String>,
    },
}

/// What it answers.
pub(super) enum Done {
    Hashed(String),
    Checked(PasswordCheck),
}

struct Job {
    work: Work,
    reply: oneshot::Sender<Done>,
}

/// What the workers share with the callers.
struct Shared {
    params: Params,
    /// A hash of a random password, checked when the e-mail is unknown so that an unknown
    /// e-mail and a wrong password take the same time.
    decoy: OnceLock<String>,
    /// Jobs sent and not yet taken by a worker.
    waiting: AtomicUsize,
    /// A moving average of how long a job takes, in microseconds.
    mean_micros: AtomicU64,
}

/// The running workers. Dropping the last handle closes the queue; each worker then ends
/// and frees its memory.
pub(super) struct Pool {
    jobs: flume::Sender<Job>,
    shared: Arc<Shared>,
    workers: usize,
    max_waiting: Option<usize>,
}

impl Pool {
    /// Starts `workers` threads hashing with `params`.
    pub(super) fn start(params: Params, workers: usize, max_waiting: Option<usize>) -> Pool {
        let (jobs, queue) = flume::unbounded();
        let shared = Arc::new(Shared {
            params,
            decoy: OnceLock::new(),
            waiting: AtomicUsize::new(0),
            mean_micros: AtomicU64::new(FIRST_GUESS_MICROS),
        });
        for n in 0..workers {
            let (queue, shared) = (queue.clone(), shared.clone());
            std::thread::Builder::new()
                .name(format!("tokengate-argon2-{n}"))
                .spawn(move || work(&shared, &queue))
                .expect("the system can start a thread");
        }
        Pool {
            jobs,
            shared,
            workers,
            max_waiting,
        }
    }

    /// Runs `work` on a worker, or refuses at once when more jobs wait than the workers can
    /// start within the budget (or than the configured bound).
    pub(super) async fn run(&self, work: Work) -> Result<Done, Busy> {
        let mean = self.shared.mean_micros.load(Ordering::Relaxed).max(1);
        let limit = self.max_waiting.unwrap_or_else(|| {
            let startable = self.workers as u64 * WAIT_BUDGET_MICROS / mean;
            usize::try_from(startable)
                .unwrap_or(usize::MAX)
                .max(MIN_WAITING)
        });
        let ahead = self.shared.waiting.fetch_add(1, Ordering::Relaxed);
        if ahead >= limit {
            self.shared.waiting.fetch_sub(1, Ordering::Relaxed);
            let wait_micros = ahead as u64 * mean / self.workers as u64;
            return Err(Busy {
                retry_after: wait_micros.div_ceil(1_000_000).max(1),
            });
        }
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send(Job { work, reply })
            .expect("the workers run as long as the pool");
        answer.await.map_err(|_| {
            // Only a panic inside argon2 drops a job: a bug, answered as a retry, not a 500.
            tracing::error!("a password worker failed on a job");
            Busy { retry_after: 1 }
        })
    }
}

/// A worker: takes jobs until the queue closes.
fn work(shared: &Shared, queue: &flume::Receiver<Job>) {
    let mut memory = Memory::for_params(&shared.params);
    while let Ok(job) = queue.recv() {
        shared.waiting.fetch_sub(1, Ordering::Relaxed);
        if job.reply.is_closed() {
            // The client went away while waiting: nobody reads the answer.
            continue;
        }
        let started = Instant::now();
        // A panic would end the thread and leave its callers waiting forever; argon2 does
        // not panic on valid parameters, but a worker must outlive a bug.
        let done =
            std::panic::catch_unwind(AssertUnwindSafe(|| shared.perform(job.work, &mut memory)));
        shared.record(started.elapsed().as_micros());
        if let Ok(done) = done {
            // The caller may have gone meanwhile; then nobody needs the answer.
            let _ = job.reply.send(done);
        }
    }
}

impl Shared {
    fn perform(&self, work: Work, memory: &mut Memory) -> Done {
        match work {
            Work::Hash(password) => {
                Done::Hashed(phc::hash(&self.params, password.as_bytes(), memory))
            }
            Work::Check { password, phc } => {
                let known = phc.is_some();
                let stored = match &phc {
                    Some(phc) => phc.as_str(),
                    None => self.decoy(memory),
                };
                let outcome = match phc::check(&self.params, stored, password.as_bytes(), memory) {
                    Check::Matches { .. } if !known => PasswordCheck::Wrong,
                    Check::Matches { current: true } => PasswordCheck::Matches { rehashed: None },
                    // The stored hash was made with other parameters: make the current one
                    // now, while the password is at hand.
                    Check::Matches { current: false } => PasswordCheck::Matches {
                        rehashed: Some(phc::hash(&self.params, password.as_bytes(), memory)),
                    },
                    Check::Wrong => PasswordCheck::Wrong,
                };
                Done::Checked(outcome)
            }
        }
    }

    fn decoy(&self, memory: &mut Memory) -> &str {
        self.decoy.get_or_init(|| {
            let random = crate::token::issue::random_id();
            phc::hash(&self.params, random.as_bytes(), memory)
        })
    }

    /// Folds one job's duration into the moving average (an eighth of the way).
    fn record(&self, micros: u128) {
        let sample = u64::try_from(micros).unwrap_or(u64::MAX);
        let mean = self.mean_micros.load(Ordering::Relaxed);
        let next = if sample >= mean {
            mean + (sample - mean) / 8
        } else {
            mean - (mean - sample) / 8
        };
        self.mean_micros.store(next, Ordering::Relaxed);
    }
}
