//! Races: the account flows hit by many requests at once, as real clients do.

use futures_util::future::join_all;
use serde_json::{json, Value};

use super::helpers::{access, expect_error, login, now_nanos, signup};
use crate::harness::{payload_of, Target};

async fn statuses(responses: Vec<reqwest::Result<reqwest::Response>>) -> Vec<u16> {
    responses
        .into_iter()
        .map(|response| response.expect("an answer").status().as_u16())
        .collect()
}

fn count(statuses: &[u16], status: u16) -> usize {
    statuses.iter().filter(|s| **s == status).count()
}

/// Fifty simultaneous signups of one address: exactly one account, the others 409.
pub async fn simultaneous_signups_of_one_email_make_one_account(target: &Target) {
    let app = target.start();
    let email = format!("race{}@example.com", now_nanos());
    let body = json!({"name": "Racer", "email": email, "password": "password1"});
    let requests = (0..50).map(|_| app.http.post(app.url("/signup")).json(&body).send());
    let statuses = statuses(join_all(requests).await).await;
    assert_eq!(count(&statuses, 201), 1, "{statuses:?}");
    assert_eq!(count(&statuses, 409), 49, "{statuses:?}");
    login(&app, &email, "password1").await;
}

/// Twenty simultaneous refreshes with one token (twenty tabs whose access token expired
/// together): every one gets the same successor refresh token, so the login has one live
/// refresh token and goes on. Once that successor is spent, the first token again is a
/// replay and ends the login, every pair handed out included.
pub async fn simultaneous_refreshes_share_one_successor(target: &Target) {
    let app = target.start();
    let email = format!("refresh-race{}@example.com", now_nanos());
    signup(&app, &email, "password1").await;
    let pair = login(&app, &email, "password1").await;
    let body = json!({"refresh_token": pair["refresh_token"]});
    let requests = (0..20).map(|_| app.http.post(app.url("/refresh")).json(&body).send());
    let mut pairs: Vec<Value> = Vec::new();
    for response in join_all(requests).await {
        let response = response.expect("an answer");
        assert_eq!(response.status().as_u16(), 200, "every tab stays signed in");
        pairs.push(response.json().await.unwrap());
    }
    let successor = &pairs[0]["refresh_token"];
    assert!(
        pairs.iter().all(|p| &p["refresh_token"] == successor),
        "one successor"
    );
    for pair in &pairs {
        let protected = app
            .http
            .get(app.url("/protected"))
            .bearer_auth(access(pair))
            .send()
            .await
            .unwrap();
        assert_eq!(protected.status().as_u16(), 200);
    }
    let next = app
        .http
        .post(app.url("/refresh"))
        .json(&json!({"refresh_token": successor}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        next.status().as_u16(),
        200,
        "the successor is the live token"
    );
    let next: Value = next.json().await.unwrap();
    let replay = app.http.post(app.url("/refresh")).json(&body).send().await;
    expect_error(replay.unwrap(), 401, "invalid_token").await;
    for pair in pairs.iter().chain([&next]) {
        let protected = app
            .http
            .get(app.url("/protected"))
            .bearer_auth(access(pair))
            .send()
            .await
            .unwrap();
        expect_error(protected, 401, "invalid_token").await;
    }
}

/// Twenty simultaneous logouts of one token: no server error, and the token is dead after.
pub async fn simultaneous_logouts_end_the_token(target: &Target) {
    let app = target.start();
    let email = format!("logout-race{}@example.com", now_nanos());
    signup(&app, &email, "password1").await;
    let token = access(&login(&app, &email, "password1").await);
    let requests = (0..20).map(|_| app.http.post(app.url("/logout")).bearer_auth(&token).send());
    let statuses = statuses(join_all(requests).await).await;
    assert!(
        statuses.iter().all(|s| *s == 204 || *s == 401),
        "{statuses:?}"
    );
    assert!(count(&statuses, 204) >= 1, "{statuses:?}");
    let after = app
        .http
        .get(app.url("/protected"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    expect_error(after, 401, "invalid_token").await;
}

/// Twenty users logging in at once each get a token for themselves.
pub async fn simultaneous_logins_each_get_their_own_identity(target: &Target) {
    let app = target.start();
    let stamp = now_nanos();
    let mut users = Vec::new();
    for n in 0..20 {
        let email = format!("crowd{n}-{stamp}@example.com");
        let user = signup(&app, &email, "password1").await;
        users.push((email, user["id"].as_str().unwrap().to_owned()));
    }
    let logins = users
        .iter()
        .map(|(email, _)| login(&app, email, "password1"));
    let pairs = join_all(logins).await;
    for ((email, id), pair) in users.iter().zip(pairs) {
        let claims = payload_of(&access(&pair));
        assert_eq!(claims["sub"].as_str(), Some(id.as_str()), "{email}");
        let me: Value = app
            .http
            .get(app.url("/users/me"))
            .bearer_auth(access(&pair))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(me["email"].as_str(), Some(email.as_str()));
    }
}
