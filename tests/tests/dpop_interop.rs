//! DPoP with peers no one here wrote: the JavaScript client docs/dpop.md shows (on `jose`,
//! pinned in tests/oidc), PyJWT-made proofs, and oidc-provider issuing DPoP-bound access
//! tokens that `tokengate serve` accepts as a resource server only with a proof.
//!
//! Needs node (the npm packages of tests/oidc) and a Python with PyJWT and cryptography
//! (`.ci/run` makes both); without them the tests are skipped, except under `CI=true`.

use std::process::Command;

use serde_json::{json, Value};
use tokengate_scenarios::dpop_client::DpopKey;
use tokengate_scenarios::harness::{payload_of, App, Launch, Target};
#[path = "../../crates/tokengate/tests/support/node.rs"]
mod node;

/// The `aud` of the provider's access tokens, and the service's trusted audience.
const RESOURCE: &str = "https://api.tokengate.test";

fn serve(env: Vec<(String, String)>) -> App {
    Target::command("tokengate-cli", "tokengate", &["serve"]).launch(Launch {
        env,
        ..Launch::default()
    })
}

async fn signup(app: &App, email: &str, password: &str) {
    let body = json!({"name": "Interop", "email": email, "password": password});
    let response = app.http.post(app.url("/signup")).json(&body).send().await;
    assert_eq!(response.unwrap().status().as_u16(), 201);
}

/// The first `js` block of docs/dpop.md, as it is on the page.
fn page_client() -> String {
    let page = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/dpop.md"))
        .expect("docs/dpop.md");
    let start = page.find("```js\n").expect("a js block") + "```js\n".len();
    let end = start + page[start..].find("```").expect("the end of the block");
    page[start..end].to_owned()
}

#[tokio::test]
async fn the_documented_javascript_client_logs_in_calls_and_refreshes() {
    if Target::external().is_some() || !node::ready("the DPoP JavaScript client") {
        return;
    }
    let app = serve(Vec::new());
    let email = format!("js-dpop-{}@example.com", std::process::id());
    signup(&app, &email, "js-dpop-password-1").await;
    let dir = node::fixture_dir();
    std::fs::write(dir.join("dpop-client.generated.mjs"), page_client()).unwrap();
    let base = app.base.clone();
    let output = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .args(["dpop-driver.mjs", &base, &email, "js-dpop-password-1"])
            .current_dir(dir)
            .output()
            .expect("node dpop-driver.mjs")
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let seen: Value = serde_json::from_str(stdout.trim()).expect("one JSON line");
    assert_eq!(seen["token_type"], "DPoP");
    assert!(payload_of(seen["access_token"].as_str().unwrap())["cnf"]["jkt"].is_string());
    assert_eq!(seen["protected_status"], 200);
    assert_eq!(
        (
            seen["refresh_status"].as_u64(),
            seen["refreshed_type"].as_str()
        ),
        (Some(200), Some("DPoP"))
    );
}

#[tokio::test]
async fn pyjwt_proofs_bind_and_use_tokens() {
    let Some(python) = tokengate_scenarios::harness::python_with("jwt, cryptography") else {
        return;
    };
    if Target::external().is_some() {
        return;
    }
    let app = serve(Vec::new());
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/python/pyjwt_dpop.py");
    let base = app.base.clone();
    let output = tokio::task::spawn_blocking(move || {
        Command::new(python)
            .arg(script)
            .arg(base)
            .output()
            .expect("run python")
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.trim() == "ok",
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[tokio::test]
async fn oidc_provider_bound_tokens_need_a_proof_by_their_key() {
    if Target::external().is_some() || !node::ready("the oidc-provider DPoP test") {
        return;
    }
    let (mut provider, issuer) =
        node::start_provider(0, &[("SIGNING_ALG", "ES256"), ("RESOURCE", RESOURCE)]);
    let key = DpopKey::es256();
    let token_url = format!("{issuer}/token");
    let answer: Value = reqwest::Client::new()
        .post(&token_url)
        .basic_auth("tokengate-test", Some("tokengate-test-secret"))
        .header("dpop", key.proof("POST", &token_url, None))
        .form(&[
            ("grant_type", "client_credentials"),
            ("scope", "documents:read"),
            ("resource", RESOURCE),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(answer["token_type"], "DPoP", "{answer}");
    let token = answer["access_token"].as_str().unwrap().to_owned();
    assert_eq!(payload_of(&token)["cnf"]["jkt"], key.thumbprint.as_str());

    let app = serve(vec![
        ("TOKENGATE_TRUSTED_ISSUERS".into(), issuer.clone()),
        ("TOKENGATE_TRUSTED_AUDIENCE".into(), RESOURCE.into()),
        ("TOKENGATE_INSECURE_HTTP_ISSUERS".into(), "1".into()),
    ]);
    let url = app.url("/protected");
    // The provider's keys load in the background: the first request may find them missing.
    let mut status = 0;
    for _ in 0..50 {
        let response = app
            .http
            .get(&url)
            .header("authorization", format!("DPoP {token}"))
            .header("dpop", key.proof("GET", &url, Some(&token)))
            .send()
            .await
            .unwrap();
        status = response.status().as_u16();
        if status != 503 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(status, 200);
    let bearer = app.http.get(&url).bearer_auth(&token).send().await.unwrap();
    assert_eq!(bearer.status().as_u16(), 401);
    let another = DpopKey::rs256().proof("GET", &url, Some(&token));
    let stolen = app
        .http
        .get(&url)
        .header("authorization", format!("DPoP {token}"))
        .header("dpop", another)
        .send()
        .await
        .unwrap();
    assert_eq!(stolen.status().as_u16(), 401);
    let body: Value = stolen.json().await.unwrap();
    assert_eq!(body["error"], "invalid_dpop_proof");
    let _ = provider.kill();
    let _ = provider.wait();
}
