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

/// Twenty simultaneous refreshes with one token: at most one new pair; presenting the token
/// again ends the login, the winner's new pair included.
pub async fn simultaneous_refreshes_spend_a_token_once(target: &Target) {
    let app = target.start();
    let email = format!("refresh-race{}@example.com", now_nanos());
    signup(&app, &email, "password1").await;
    let pair = login(&app, &email, "password1").await;
    let body = json!({"refresh_token": pair["refresh_token"]});
    let requests = (0..20).map(|_| app.http.post(app.url("/refresh")).json(&body).send());
    let responses = join_all(requests).await;
    let mut winners: Vec<Value> = Vec::new();
    for response in responses {
        let response = response.expect("an answer");
        match response.status().as_u16() {
            200 => winners.push(response.json().await.unwrap()),
            401 => {}
            other => panic!("a refresh race answered {other}"),
        }
    }
    assert!(winners.len() <= 1, "{} refreshes won", winners.len());
    let again = app
        .http
        .post(app.url("/refresh"))
        .json(&body)
        .send()
        .await
        .unwrap();
    expect_error(again, 401, "invalid_token").await;
    for winner in &winners {
        let protected = app
            .http
            .get(app.url("/protected"))
            .bearer_auth(access(winner))
            .send()
            .await
            .unwrap();
        expect_error(protected, 401, "invalid_token").await;
        let refresh = json!({"refresh_token": winner["refresh_token"]});
        let spent = app
            .http
            .post(app.url("/refresh"))
            .json(&refresh)
            .send()
            .await
            .unwrap();
        expect_error(spent, 401, "invalid_token").await;
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
