//! Revocations pushed between instances on one PostgreSQL database: every instance that
//! writes a revocation announces it with `NOTIFY`, and every instance listens.
//!
//! `NOTIFY` is not durable: what is announced while a listener is disconnected is lost. So a
//! listener, each time it (re)connects, first starts listening and then catches up from the
//! revocations table; whatever was written before is in the table, whatever comes after
//! arrives as a notification. The periodic sync stays as a safety net.

use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::PgListener;

use super::sql::REVOCATION_CHANNEL;
use super::Accounts;
use crate::gate::revocation::RevocationList;

/// How long a lost listener waits before it connects again.
const RECONNECT_DELAY: Duration = Duration::from_millis(250);

/// Listens on `url` for revocations written by any instance, applying them to `revocations`
/// as they come, for as long as the runtime runs. Never logs the URL, which may hold a
/// password.
pub(crate) fn spawn(
    url: String,
    accounts: Accounts,
    revocations: Arc<RevocationList>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            match listen(&url, &accounts, &revocations).await {
                Ok(()) => tracing::warn!("revocation feed: connection lost; reconnecting"),
                Err(error) => tracing::debug!(%error, "revocation feed: cannot listen yet"),
            }
            tokio::time::sleep(RECONNECT_DELAY).await;
        }
    })
}

/// One connection's life: listen, catch up, then apply notifications until it breaks.
async fn listen(
    url: &str,
    accounts: &Accounts,
    revocations: &RevocationList,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let mut listener = PgListener::connect(url).await?;
    listener.listen(REVOCATION_CHANNEL).await?;
    // From here on nothing is missed: catch up on what was written before.
    accounts.sync_revocations().await?;
    loop {
        // `None`: the connection was lost. Reconnect ourselves rather than let the listener
        // do it silently, so that the catch-up runs again.
        let Some(notification) = listener.try_recv().await? else {
            return Ok(());
        };
        if let Some((until, id)) = parse(notification.payload()) {
            revocations.revoke(id, until);
        }
    }
}

/// `"UNTIL ID"`, as the store announces it.
fn parse(payload: &str) -> Option<(u64, &str)> {
    let (until, id) = payload.split_once(' ')?;
    let until = until.parse().ok()?;
    (!id.is_empty()).then_some((until, id))
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn payloads_are_until_then_id() {
        assert_eq!(
            parse("1795433495 abc-123"),
            Some((1_795_433_495, "abc-123"))
        );
        assert_eq!(parse("soon abc"), None);
        assert_eq!(parse("1795433495 "), None);
        assert_eq!(parse("1795433495"), None);
    }
}
