//! `tokengate user add|list|remove` on the configured store.

use std::sync::Arc;
use tokengate::gate::RevocationList;
use tokengate::service::accounts::{Accounts, Signup, SqlStore, UserStore};
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
    let user = match store.user_by_id(who).await.map_err(|e| e.to_string())? {
        Some(user) => Some(user),
        None => store.user_by_email(who).await.map_err(|e| e.to_string())?,
    };
    let user = user.ok_or_else(|| format!("no user with id or email `{who}`"))?;
    store
        .delete_user(&user.id)
        .await
        .map_err(|e| e.to_string())?;
    Ok(format!("removed {} <{}>", user.id, user.email))
}

async fn open(config: &Config) -> Result<SqlStore, String> {
    SqlStore::connect(&config.database_url)
        .await
        .map_err(|e| format!("TOKENGATE_DATABASE_URL: {e}"))
}
