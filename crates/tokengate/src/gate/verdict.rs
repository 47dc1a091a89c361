//! What [`Gate::decide`](crate::gate::Gate::decide) returns: a [`Verdict`], the future an
//! async guard awaits, read as a [`Decision`].

use serde::de::DeserializeOwned;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::token::claims::Claims;
use crate::token::error::AuthError;

/// What [`Gate::decide`](crate::Gate::decide) returns: a future that is ready the moment it is made, except for a trusted issuer's
/// token whose `kid` is not among the keys in memory, whose issuer's keys are fetched first.
///
/// Nearly every request is decided at once, so a verdict holds its output inline and hands
/// it over on the first poll: no allocation, no clone of the gate, no nested futures for the
/// claims to be copied through. Only the fetch is boxed.
///
/// ```
/// use tokengate::{Algorithm, Claims, Gate, Issuer, Key, Verifier};
/// use tokengate::gate::{HeaderValue, RequestView};
///
/// struct Bearer(String);
/// impl RequestView for Bearer {
///     fn header(&self, name: &str) -> HeaderValue<'_> {
///         match name {
///             "authorization" => HeaderValue::One(self.0.as_bytes()),
///             _ => HeaderValue::Absent,
///         }
///     }
///     fn query(&self) -> Option<&str> { None }
///     fn method(&self) -> &str { "GET" }
/// }
///
/// let key = Key::hmac(Algorithm::HS256, &[1; 32]).unwrap();
/// let token = Issuer::new(key.clone()).issue(Claims::for_subject("u1")).unwrap().token;
/// let gate = Gate::new(Verifier::new(key));
/// let verdict = gate.decide::<Claims>(&Bearer(format!("Bearer {token}")));
/// // Decided already: no need to poll.
/// let claims = verdict.now().ok().unwrap().unwrap();
/// assert_eq!(claims.sub.as_deref(), Some("u1"));
/// ```
#[must_use = "a verdict does nothing unless awaited or taken with `now`"]
pub struct Verdict<T> {
    state: State<T>,
}

enum State<T> {
    /// Decided; `None` once handed over.
    Ready(Option<T>),
    /// Waiting on a fetch of a trusted issuer's keys (feature `remote-keys`).
    #[cfg_attr(not(feature = "remote-keys"), allow(dead_code))]
    Pending(Pin<Box<dyn Future<Output = T> + Send + Sync>>),
}

// The output is moved out whole and never pinned in place, so pinning a verdict promises
// nothing about it.
impl<T> Unpin for Verdict<T> {}

impl<T> Verdict<T> {
    /// A verdict already reached: for a guard that found the claims elsewhere, say those a
    /// middleware stored in the request.
    pub fn ready(output: T) -> Self {
        Verdict {
            state: State::Ready(Some(output)),
        }
    }

    /// A verdict that needs `future` first.
    #[cfg(feature = "remote-keys")]
    pub(crate) fn pending(future: impl Future<Output = T> + Send + Sync + 'static) -> Self {
        Verdict {
            state: State::Pending(Box::pin(future)),
        }
    }

    /// The output, if the verdict was reached without waiting; otherwise the verdict back,
    /// to be awaited. For callers that want to skip an `.await` (and the copies of the output
    /// through their own future) on the common path.
    ///
    /// # Panics
    ///
    /// If the verdict was already awaited to completion.
    pub fn now(self) -> Result<T, Self> {
        match self.state {
            State::Ready(output) => Ok(output.expect("a verdict is taken once")),
            pending @ State::Pending(_) => Err(Verdict { state: pending }),
        }
    }
}

impl<T> Future for Verdict<T> {
    type Output = T;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        match &mut self.get_mut().state {
            State::Ready(output) => {
                Poll::Ready(output.take().expect("a verdict is polled after completion"))
            }
            State::Pending(future) => future.as_mut().poll(cx),
        }
    }
}

impl<T> std::fmt::Debug for Verdict<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = match self.state {
            State::Ready(_) => "ready",
            State::Pending(_) => "pending",
        };
        f.debug_struct("Verdict").field("state", &state).finish()
    }
}

/// A request without a token is anonymous (`Ok(None)`); any other verdict stands.
fn optional<E>(result: Result<Claims<E>, AuthError>) -> Result<Option<Claims<E>>, AuthError> {
    match result {
        Err(AuthError::MissingToken) => Ok(None),
        other => other.map(Some),
    }
}

/// What a request's verdict is read as (see [`Gate::decide`](crate::Gate::decide)): [`Claims<E>`](Claims) for a
/// route that needs a token, `Option<Claims<E>>` for one that takes a request without one.
pub trait Decision: Sized + 'static {
    /// The claims' app-defined part (see [`Claims`]).
    type Extra: DeserializeOwned + Clone + 'static;

    /// The verdict on the request's token, as this type: the error is the request's refusal.
    fn from_result(result: Result<Claims<Self::Extra>, AuthError>) -> Result<Self, AuthError>;
}

impl<E: DeserializeOwned + Clone + 'static> Decision for Claims<E> {
    type Extra = E;

    fn from_result(result: Result<Claims<E>, AuthError>) -> Result<Self, AuthError> {
        result
    }
}

impl<E: DeserializeOwned + Clone + 'static> Decision for Option<Claims<E>> {
    type Extra = E;

    fn from_result(result: Result<Claims<E>, AuthError>) -> Result<Self, AuthError> {
        optional(result)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_verdict_can_be_shared_and_sent_as_the_futures_it_replaced_could() {
        fn send_and_sync<T: Send + Sync>() {}
        send_and_sync::<super::Verdict<Result<crate::token::Claims, crate::token::AuthError>>>();
        send_and_sync::<super::Verdict<Result<Option<crate::token::Claims>, crate::gate::Refusal>>>(
        );
    }
}
