//! Account flows on real stores: an SQLite file, and PostgreSQL when
//! `TOKENGATE_TEST_POSTGRES_URL` is set (`.ci/run` starts one; `CI=true` makes it required).

use std::sync::Arc;
use std::time::Duration;

use tokengate::gate::RevocationList;
use tokengate::service::accounts::{
    Accounts, Argon2Params, Credentials, LoginThrottle, PasswordHasher, RefreshRequest,
    RefreshToken, Rotation, Signup, SqlStore, TokenStore, UserStore,
};
use tokengate::service::{ApiError, Secret};
use tokengate::{AuthError, Claims, Config, Gate, NoExtra};
use tokengate_scenarios::outage::{postgres_url, CuttableProxy};

fn config() -> Config {
    Config::new(Secret::new(*b"accounts-test-secret-of-32-bytes")).unwrap()
}

fn fast_hasher() -> PasswordHasher {
    PasswordHasher::new(Argon2Params::new(1024, 1, 1, None).unwrap())
}

struct TokenService {
    accounts: Accounts,
    gate: Gate,
}

fn service(store: SqlStore) -> TokenService {
    let config = config();
    let revocations = Arc::new(RevocationList::new());
    let gate = Gate::builder(config.verifier())
        .revocations(revocations.clone())
        .build();
    let accounts = Accounts::new(store, &config, revocations).password_hasher(fast_hasher());
    TokenService { accounts, gate }
}

/// Every store the suite runs on, freshly opened.
async fn stores() -> Vec<(&'static str, SqlStore, tempfile::TempDir)> {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("t.db").display());
    let mut stores = vec![("sqlite", SqlStore::connect(&url).await.unwrap(), dir)];
    if let Some(url) = postgres_url() {
        let store = SqlStore::connect(&url).await.unwrap();
        stores.push(("postgres", store, tempfile::tempdir().unwrap()));
    }
    stores
}

fn unique_email(tag: &str) -> String {
    format!(
        "{tag}-{}@example.com",
        tokengate::token::random_id().to_lowercase()
    )
}

fn signup(email: &str, password: &str) -> Signup {
    Signup {
        name: "Joe Doe".into(),
        email: email.into(),
        password: password.into(),
    }
}

fn creds(email: &str, password: &str) -> Credentials {
    Credentials {
        email: email.into(),
        password: password.into(),
    }
}

#[tokio::test]
async fn signup_then_login_issues_a_verifiable_pair() {
    for (name, store, _dir) in stores().await {
        let s = service(store);
        let email = unique_email("Login");
        let user = s
            .accounts
            .signup(signup(&email, "password1"))
            .await
            .unwrap();
        assert_eq!(user.email, email);
        let pair = s
            .accounts
            .login(creds(&email.to_uppercase(), "password1"))
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(pair.token_type, "Bearer");
        assert_eq!(pair.expires_in, 900);
        let claims: Claims = s.gate.verify(&pair.access_token).unwrap();
        assert_eq!(claims.sub.as_deref(), Some(user.id.as_str()));
        assert!(claims.sid.is_some() && claims.jti.is_some());
        assert_eq!(s.accounts.me(&claims).await.unwrap(), user);
    }
}

/// A hash made with older Argon2 parameters keeps verifying, and the first successful login
/// replaces it with one made with the current parameters; a wrong password changes nothing.
#[tokio::test]
async fn a_login_remakes_a_hash_of_older_parameters() {
    for (name, store, _dir) in stores().await {
        let old = service(store.clone());
        let email = unique_email("rehash");
        old.accounts
            .signup(signup(&email, "password1"))
            .await
            .unwrap();
        let stored = || async {
            let user = store.user_by_email(&email.to_lowercase()).await.unwrap();
            user.expect("the account").password_hash
        };
        assert!(stored().await.contains("$m=1024,t=1,p=1$"), "{name}");

        let stronger = PasswordHasher::new(Argon2Params::new(2048, 2, 1, None).unwrap());
        let current = Accounts::new(store.clone(), &config(), Arc::new(RevocationList::new()))
            .password_hasher(stronger);
        let wrong = current.login(creds(&email, "password2")).await;
        assert_eq!(wrong.unwrap_err(), ApiError::InvalidCredentials, "{name}");
        assert!(stored().await.contains("$m=1024,t=1,p=1$"), "{name}");
        current.login(creds(&email, "password1")).await.unwrap();
        let remade = stored().await;
        assert!(
            remade.starts_with("$argon2id$v=19$m=2048,t=2,p=1$"),
            "{name}: {remade}"
        );
        current.login(creds(&email, "password1")).await.unwrap();
        assert_eq!(stored().await, remade, "{name}: made once");
    }
}

#[tokio::test]
async fn duplicate_email_is_a_conflict_without_regard_to_case() {
    for (name, store, _dir) in stores().await {
        let s = service(store);
        let email = unique_email("dup");
        s.accounts
            .signup(signup(&email, "password1"))
            .await
            .unwrap();
        let again = s
            .accounts
            .signup(signup(&email.to_uppercase(), "password2"))
            .await;
        assert_eq!(again.unwrap_err(), ApiError::Conflict, "{name}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_signups_of_one_email_make_exactly_one_user() {
    for (name, store, _dir) in stores().await {
        let s = Arc::new(service(store.clone()));
        let email = unique_email("race");
        let attempts: Vec<_> = (0..12)
            .map(|i| {
                let s = s.clone();
                let email = if i % 2 == 0 {
                    email.clone()
                } else {
                    email.to_uppercase()
                };
                tokio::spawn(async move { s.accounts.signup(signup(&email, "password1")).await })
            })
            .collect();
        let mut created = 0;
        for attempt in attempts {
            match attempt.await.unwrap() {
                Ok(_) => created += 1,
                Err(ApiError::Conflict) => {}
                Err(other) => panic!("{name}: {other:?}"),
            }
        }
        assert_eq!(created, 1, "{name}");
        let users = store.list_users().await.unwrap();
        let matching = users
            .iter()
            .filter(|u| u.email.eq_ignore_ascii_case(&email))
            .count();
        assert_eq!(matching, 1, "{name}");
    }
}

#[tokio::test]
async fn signup_validates_its_fields() {
    for (_, store, _dir) in stores().await {
        let s = service(store);
        for bad in [
            signup("not-an-email", "password1"),
            signup(&unique_email("short"), "short"),
            Signup {
                name: "   ".into(),
                ..signup(&unique_email("noname"), "password1")
            },
        ] {
            assert!(matches!(
                s.accounts.signup(bad).await.unwrap_err(),
                ApiError::InvalidRequest(_)
            ));
        }
    }
}

#[tokio::test]
async fn unknown_email_and_wrong_password_get_the_same_answer() {
    for (_, store, _dir) in stores().await {
        let s = service(store);
        let email = unique_email("same");
        s.accounts
            .signup(signup(&email, "password1"))
            .await
            .unwrap();
        let wrong = s
            .accounts
            .login(creds(&email, "password2"))
            .await
            .unwrap_err();
        let unknown = s
            .accounts
            .login(creds(&unique_email("nobody"), "password1"))
            .await
            .unwrap_err();
        assert_eq!(wrong, ApiError::InvalidCredentials);
        assert_eq!(wrong, unknown);
        assert_eq!(
            wrong.to_problem("r").message,
            unknown.to_problem("r").message
        );
    }
}

#[tokio::test]
async fn refresh_rotates_and_a_spent_token_ends_the_whole_session() {
    for (name, store, _dir) in stores().await {
        let mut s = service(store);
        // Without the grace: the spent token presented again at once is already a replay.
        s.accounts = s.accounts.refresh_grace(Duration::ZERO);
        let email = unique_email("rotate");
        s.accounts
            .signup(signup(&email, "password1"))
            .await
            .unwrap();
        let first = s.accounts.login(creds(&email, "password1")).await.unwrap();
        let refresh = |token: &str| RefreshRequest {
            refresh_token: token.to_owned(),
        };
        let second = s
            .accounts
            .refresh(refresh(&first.refresh_token))
            .await
            .unwrap();
        assert_ne!(second.refresh_token, first.refresh_token);
        assert_ne!(second.access_token, first.access_token);
        s.gate.verify::<NoExtra>(&second.access_token).unwrap();

        // Replaying the spent token: refused, and the session ends.
        assert_eq!(
            s.accounts
                .refresh(refresh(&first.refresh_token))
                .await
                .unwrap_err(),
            ApiError::InvalidRefreshToken,
            "{name}"
        );
        assert_eq!(
            s.accounts
                .refresh(refresh(&second.refresh_token))
                .await
                .unwrap_err(),
            ApiError::InvalidRefreshToken,
            "{name}: the live successor dies with its session"
        );
        for access in [&first.access_token, &second.access_token] {
            assert_eq!(
                s.gate.verify::<NoExtra>(access).unwrap_err(),
                AuthError::Revoked,
                "{name}"
            );
        }
        // Another login of the same user is a separate session and still works.
        let other = s.accounts.login(creds(&email, "password1")).await.unwrap();
        s.gate.verify::<NoExtra>(&other.access_token).unwrap();
        assert_eq!(
            s.accounts.refresh(refresh("made-up")).await.unwrap_err(),
            ApiError::InvalidRefreshToken
        );
    }
}

#[tokio::test]
async fn logout_revokes_access_and_refresh_at_once() {
    for (name, store, _dir) in stores().await {
        let s = service(store);
        let email = unique_email("logout");
        s.accounts
            .signup(signup(&email, "password1"))
            .await
            .unwrap();
        let pair = s.accounts.login(creds(&email, "password1")).await.unwrap();
        let claims: Claims = s.gate.verify(&pair.access_token).unwrap();
        s.accounts.logout(&claims).await.unwrap();
        assert_eq!(
            s.gate.verify::<NoExtra>(&pair.access_token).unwrap_err(),
            AuthError::Revoked,
            "{name}"
        );
        let refreshed = s
            .accounts
            .refresh(RefreshRequest {
                refresh_token: pair.refresh_token,
            })
            .await;
        assert_eq!(
            refreshed.unwrap_err(),
            ApiError::InvalidRefreshToken,
            "{name}"
        );
    }
}

#[tokio::test]
async fn revocations_reach_other_instances_and_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("restart.db").display());
    let mut urls = vec![url];
    urls.extend(postgres_url());
    for url in urls {
        let a = service(SqlStore::connect(&url).await.unwrap());
        let email = unique_email("restart");
        a.accounts
            .signup(signup(&email, "password1"))
            .await
            .unwrap();
        let pair = a.accounts.login(creds(&email, "password1")).await.unwrap();
        let claims: Claims = a.gate.verify(&pair.access_token).unwrap();

        // A second instance on the same database, started before the logout.
        let b = service(SqlStore::connect(&url).await.unwrap());
        b.gate.verify::<NoExtra>(&pair.access_token).unwrap();
        a.accounts.logout(&claims).await.unwrap();
        assert!(b.accounts.sync_revocations().await.unwrap() >= 1);
        assert_eq!(
            b.gate.verify::<NoExtra>(&pair.access_token).unwrap_err(),
            AuthError::Revoked
        );

        // "Restart": a new process with a fresh store and an empty list learns it too, and
        // the user is still there.
        drop(a);
        let c = service(SqlStore::connect(&url).await.unwrap());
        c.accounts.sync_revocations().await.unwrap();
        assert_eq!(
            c.gate.verify::<NoExtra>(&pair.access_token).unwrap_err(),
            AuthError::Revoked
        );
        c.accounts.login(creds(&email, "password1")).await.unwrap();
    }
}

#[tokio::test]
async fn throttles_after_ten_failures_whatever_the_password() {
    for (_, store, _dir) in stores().await {
        let s = service(store);
        let accounts = s
            .accounts
            .clone()
            .login_throttle(LoginThrottle::new(10, 600));
        let email = unique_email("brute");
        accounts.signup(signup(&email, "password1")).await.unwrap();
        for _ in 0..10 {
            assert_eq!(
                accounts
                    .login(creds(&email, "guess-guess"))
                    .await
                    .unwrap_err(),
                ApiError::InvalidCredentials
            );
        }
        let locked = accounts
            .login(creds(&email, "password1"))
            .await
            .unwrap_err();
        let ApiError::TooManyAttempts { retry_after } = locked else {
            panic!("{locked:?}");
        };
        assert!((1..=600).contains(&retry_after));
        // Unknown addresses are throttled the same way; other addresses are not affected.
        let ghost = unique_email("ghost");
        for _ in 0..10 {
            let _ = accounts.login(creds(&ghost, "x-x-x-x-x")).await;
        }
        assert!(matches!(
            accounts
                .login(creds(&ghost, "x-x-x-x-x"))
                .await
                .unwrap_err(),
            ApiError::TooManyAttempts { .. }
        ));
        let other = unique_email("other");
        accounts.signup(signup(&other, "password1")).await.unwrap();
        accounts.login(creds(&other, "password1")).await.unwrap();
    }
}

#[tokio::test]
async fn a_database_that_goes_away_answers_unavailable_and_loses_nothing() {
    let Some(url) = postgres_url() else { return };
    let (proxy, proxied) = CuttableProxy::in_front_of(&url);
    let s = service(SqlStore::connect(&proxied).await.unwrap());
    let email = unique_email("outage");
    s.accounts
        .signup(signup(&email, "password1"))
        .await
        .unwrap();
    let pair = s.accounts.login(creds(&email, "password1")).await.unwrap();

    proxy.cut();
    assert_eq!(
        s.accounts.health().await.unwrap_err(),
        ApiError::Unavailable
    );
    assert_eq!(
        s.accounts
            .login(creds(&email, "password1"))
            .await
            .unwrap_err(),
        ApiError::Unavailable,
        "no token is issued while the store is away"
    );
    assert_eq!(
        s.accounts
            .signup(signup(&unique_email("during"), "password1"))
            .await
            .unwrap_err(),
        ApiError::Unavailable
    );
    assert_eq!(
        s.accounts
            .refresh(RefreshRequest {
                refresh_token: pair.refresh_token.clone()
            })
            .await
            .unwrap_err(),
        ApiError::Unavailable
    );
    // Existing access tokens keep verifying: the guard never touches the database.
    s.gate.verify::<NoExtra>(&pair.access_token).unwrap();

    proxy.restore();
    let mut healthy = false;
    for _ in 0..50 {
        if s.accounts.health().await.is_ok() {
            healthy = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(healthy, "the pool reconnects once the database is back");
    s.accounts.login(creds(&email, "password1")).await.unwrap();
    // The refresh token that could not be used during the outage is still good.
    s.accounts
        .refresh(RefreshRequest {
            refresh_token: pair.refresh_token,
        })
        .await
        .unwrap();
}

/// Sixteen refreshes of one token at once, on four threads (tabs whose access token expired
/// together): all succeed with one and the same successor, which is the login's one live
/// refresh token.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_refreshes_share_one_successor() {
    for (name, store, _dir) in stores().await {
        let s = service(store);
        let email = unique_email("tabs");
        s.accounts
            .signup(signup(&email, "password1"))
            .await
            .unwrap();
        let first = s.accounts.login(creds(&email, "password1")).await.unwrap();
        let tabs: Vec<_> = (0..16)
            .map(|_| {
                let (accounts, token) = (s.accounts.clone(), first.refresh_token.clone());
                tokio::spawn(async move {
                    accounts
                        .refresh(RefreshRequest {
                            refresh_token: token,
                        })
                        .await
                })
            })
            .collect();
        let mut successors = Vec::new();
        for tab in tabs {
            let pair = tab.await.unwrap().unwrap_or_else(|e| panic!("{name}: {e}"));
            s.gate.verify::<NoExtra>(&pair.access_token).unwrap();
            successors.push(pair.refresh_token);
        }
        successors.dedup();
        assert_eq!(successors.len(), 1, "{name}: one successor");
        let next = RefreshRequest {
            refresh_token: successors[0].clone(),
        };
        s.accounts.refresh(next).await.unwrap();
    }
}

/// The store's rule, clock in hand: the spent token gets its successor again only strictly
/// within the grace, only that successor, only while it is unspent.
#[tokio::test]
async fn the_grace_ends_with_its_seconds_or_with_the_successor() {
    for (name, store, _dir) in stores().await {
        let now = tokengate::token::unix_now();
        let session = tokengate::token::random_id();
        let hash = |n: u32| format!("{session}-token-{n}");
        store
            .start_session(
                &RefreshToken {
                    hash: hash(0),
                    session_id: session.clone(),
                    user_id: "someone".into(),
                    issued_at: now,
                    expires_at: now + 3600,
                },
                None,
            )
            .await
            .unwrap();
        let rotate = |old: u32, next: u32, at: u64| {
            let (store, old, next) = (store.clone(), hash(old), hash(next));
            async move { store.rotate(&old, &next, now + 3600, at, 10).await }
        };
        assert!(
            matches!(rotate(0, 1, now).await.unwrap(), Rotation::Rotated { .. }),
            "{name}"
        );
        assert!(
            matches!(
                rotate(0, 1, now + 9).await.unwrap(),
                Rotation::Replayed { .. }
            ),
            "{name}"
        );
        assert!(
            matches!(
                rotate(0, 1, now + 10).await.unwrap(),
                Rotation::Reused { .. }
            ),
            "{name}: the grace is over"
        );
        assert!(
            matches!(
                rotate(0, 2, now + 1).await.unwrap(),
                Rotation::Reused { .. }
            ),
            "{name}: another successor"
        );
        assert!(
            matches!(
                rotate(1, 2, now + 2).await.unwrap(),
                Rotation::Rotated { .. }
            ),
            "{name}"
        );
        assert!(
            matches!(
                rotate(0, 1, now + 3).await.unwrap(),
                Rotation::Reused { .. }
            ),
            "{name}: the successor is spent"
        );
        assert!(
            matches!(rotate(7, 8, now).await.unwrap(), Rotation::Invalid),
            "{name}: unknown"
        );
    }
}

/// What session management and the feed read from the store, on both backends: a user's
/// live logins (an ended one leaves, another user's never appear), the session of a refresh
/// token (spent or not) while it lives, and revocations after a cursor.
#[tokio::test]
async fn live_sessions_refresh_lookup_and_the_feed_on_every_store() {
    for (name, store, _dir) in stores().await {
        let s = service(store.clone());
        let email = unique_email("manage");
        s.accounts
            .signup(signup(&email, "password1"))
            .await
            .unwrap();
        let first = s.accounts.login(creds(&email, "password1")).await.unwrap();
        let second = s.accounts.login(creds(&email, "password1")).await.unwrap();
        let claims: Claims = s.gate.verify(&first.access_token).unwrap();
        let user_id = claims.sub.clone().unwrap();
        let now = tokengate::token::unix_now();
        let live = store.live_sessions(&user_id, now).await.unwrap();
        assert_eq!(live.len(), 2, "{name}");
        assert!(store.live_sessions("nobody", now).await.unwrap().is_empty());

        let hash_of = |token: &str| {
            use sha2::Digest;
            let digest = sha2::Sha256::digest(token.as_bytes());
            digest
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        };
        let sid = claims.sid.clone().unwrap();
        let found = store
            .session_of_refresh(&hash_of(&first.refresh_token))
            .await;
        assert_eq!(
            found.unwrap(),
            Some((sid.clone(), user_id.clone())),
            "{name}"
        );

        let before = store.revocations_after(0, now, 10_000).await.unwrap();
        let cursor = before.iter().map(|e| e.recorded_at_ms).max().unwrap_or(0);
        s.accounts.end_sessions_of(&claims).await.unwrap();
        assert!(
            store.live_sessions(&user_id, now).await.unwrap().is_empty(),
            "{name}"
        );
        let found = store
            .session_of_refresh(&hash_of(&second.refresh_token))
            .await;
        assert_eq!(found.unwrap(), None, "{name}: the session has ended");
        let after = store.revocations_after(cursor, now, 10_000).await.unwrap();
        assert!(
            after.iter().any(|e| e.id == sid && e.until > now),
            "{name}: {after:?}"
        );
        assert!(after.iter().all(|e| e.recorded_at_ms > cursor), "{name}");
    }
}

/// A login bound to a DPoP key keeps its key on every store: each access token names it, a
/// refresh without the key's proof is refused and spends nothing, and the successor of a
/// bound refresh token is bound too. An unbound login refreshed with a proof gets a bound
/// access token.
#[tokio::test]
async fn a_bound_login_keeps_its_key_on_every_store() {
    for (name, store, _dir) in stores().await {
        let s = service(store.clone());
        let email = unique_email("dpop");
        s.accounts
            .signup(signup(&email, "password1"))
            .await
            .unwrap();
        let jkt = "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I".to_owned();
        let first = s
            .accounts
            .login_bound(creds(&email, "password1"), Some(jkt.clone()))
            .await
            .unwrap();
        assert_eq!(first.token_type, "DPoP", "{name}");
        let bound = |token: &str| {
            let claims = s.gate.verify::<NoExtra>(token);
            // The gate's own `verify` does not look at the binding; the claims carry it.
            claims.unwrap().cnf.and_then(|cnf| cnf.jkt)
        };
        assert_eq!(
            bound(&first.access_token).as_deref(),
            Some(jkt.as_str()),
            "{name}"
        );
        let hash = stored_hash(&first.refresh_token);
        assert_eq!(
            store.binding_of_refresh(&hash).await.unwrap(),
            Some(jkt.clone())
        );
        let refresh = || RefreshRequest {
            refresh_token: first.refresh_token.clone(),
        };
        for proven in [None, Some("another-key".to_owned())] {
            let refused = s
                .accounts
                .refresh_proven(refresh(), proven)
                .await
                .unwrap_err();
            assert_eq!(refused.to_problem("r").code, "invalid_dpop_proof", "{name}");
        }
        let second = s
            .accounts
            .refresh_proven(refresh(), Some(jkt.clone()))
            .await
            .expect("nothing was spent by the refusals");
        assert_eq!(bound(&second.access_token).as_deref(), Some(jkt.as_str()));
        let next = stored_hash(&second.refresh_token);
        assert_eq!(
            store.binding_of_refresh(&next).await.unwrap(),
            Some(jkt.clone())
        );

        let plain = s.accounts.login(creds(&email, "password1")).await.unwrap();
        assert_eq!(plain.token_type, "Bearer");
        assert_eq!(bound(&plain.access_token), None);
        let request = RefreshRequest {
            refresh_token: plain.refresh_token.clone(),
        };
        let proven = s
            .accounts
            .refresh_proven(request, Some("a-client-key".into()))
            .await
            .unwrap();
        assert_eq!(bound(&proven.access_token).as_deref(), Some("a-client-key"));
    }
}

/// How the store keys a refresh token: the SHA-256 of the token, hex (`RefreshToken::hash`).
fn stored_hash(token: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
