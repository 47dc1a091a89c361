//! `tokengate user add|list|remove|sessions|logout` on the configured store.

use std::sync::Arc;
use tokengate::gate::RevocationList;
use tokengate::service::accounts::{Accounts, Signup, SqlStore, TokenStore, User, UserStore};
use tokengate::Config;

/// Adds a user through the same rules as `/signup`.
pub async fn add(
    config: &Config,
    name: String,
    email: String,
    password: String,
) -> Result<String, String> {
    // A one-shot command: the store and the account rules, without the server's
    // background revocation sync.
    let accounts = Accounts::new(open(config).await?, config, Arc::new(RevocationList::new()));
    let user = accounts
        .signup(Signup {
            name,
            email,
            password,
        })
        .await
        .map_err(|e| e.to_string())?;
    Ok(format!(
        "added {} <{}> with id {}",
        user.name, user.email, user.id
    ))
}

/// Lists users, one per line: id, e-mail, name.
pub async fn list(config: &Config) -> Result<String, String> {
    let store = open(config).await?;
    let users = store.list_users().await.map_err(|e| e.to_string())?;
    Ok(users
        .iter()
        .map(|u| format!("{}\t{}\t{}", u.id, u.email, u.name))
        .collect::<Vec<_>>()
        .join("\n"))
}

/// Removes a user by id or e-mail; their sessions end with them.
pub async fn remove(config: &Config, who: &str) -> Result<String, String> {
    let store = open(config).await?;
    let user = find(&store, who).await?;
    store
        .delete_user(&user.id)
        .await
        .map_err(|e| e.to_string())?;
    Ok(format!("removed {} <{}>", user.id, user.email))
}

/// Lists a user's live logins, one per line: session id, started, last used (Unix seconds).
pub async fn sessions(config: &Config, who: &str) -> Result<String, String> {
    let store = open(config).await?;
    let user = find(&store, who).await?;
    let sessions = store
        .live_sessions(&user.id, tokengate::token::unix_now())
        .await
        .map_err(|e| e.to_string())?;
    Ok(sessions
        .iter()
        .map(|s| format!("{}\t{}\t{}", s.id, s.created_at, s.last_used_at))
        .collect::<Vec<_>>()
        .join("\n"))
}

/// Ends every login of a user, as `DELETE /sessions` does: their access and refresh tokens
/// stop working on every instance (at once on PostgreSQL, within the revocation sync's two
/// seconds on SQLite).
pub async fn logout(config: &Config, who: &str) -> Result<String, String> {
    let store = open(config).await?;
    let user = find(&store, who).await?;
    let accounts = Accounts::new(store, config, Arc::new(RevocationList::new()));
    let ended = accounts
        .end_logins_of_user(&user.id, None, "operator")
        .await
        .map_err(|e| e.to_string())?;
    Ok(format!(
        "ended {} login(s) of {} <{}>",
        ended.len(),
        user.id,
        user.email
    ))
}

/// The user with id or e-mail `who`.
async fn find(store: &SqlStore, who: &str) -> Result<User, String> {
    let user = match store.user_by_id(who).await.map_err(|e| e.to_string())? {
        Some(user) => Some(user),
        None => store
            .user_by_email(&tokengate::service::accounts::email_key(who))
            .await
            .map_err(|e| e.to_string())?,
    };
    user.ok_or_else(|| format!("no user with id or email `{who}`"))
}

async fn open(config: &Config) -> Result<SqlStore, String> {
    SqlStore::connect(&config.database_url)
        .await
        .map_err(|e| format!("TOKENGATE_DATABASE_URL: {e}"))
}
