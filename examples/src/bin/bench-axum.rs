//! Load-test target for `bench/load.sh`: the same axum app with three routes side by side.
//!
//! - `/public`: no guard;
//! - `/protected`: guarded by tokengate's `Authenticated` extractor;
//! - `/raw`: a plain handler that reads the bearer token and calls `jsonwebtoken::decode`
//!   with the same rules (HS256, `exp`, `iss`, `aud` required), the way many apps do it;
//! - `/peer`: the same rules through jwt-authorizer (0.15, the peer in issue #19): its own
//!   bearer extraction and `Authorizer::check_auth`, with the same secret, issuer and
//!   audience. jwt-authorizer's layer is built on axum 0.7, so the handler calls the
//!   authorizer itself; that leaves out the layer's boxed future, so it favours the peer.
//!
//! Not a reference app: it exists only to be measured.

use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use axum::{Json, Router};
use jsonwebtoken::{DecodingKey, Validation};
use std::sync::Arc;
use tokengate::service::TokenKey;
use tokengate::Claims;
use tokengate_axum::Authenticated;
use tokengate_examples as app;

type Peer = jwt_authorizer::Authorizer<Claims>;

async fn peer(
    axum::extract::State(peer): axum::extract::State<Arc<Peer>>,
    headers: HeaderMap,
) -> Result<Json<tokengate_cli::demo::ProtectedBody>, StatusCode> {
    let token = peer
        .extract_token(&headers)
        .ok_or(StatusCode::UNAUTHORIZED)?;
    let data = peer
        .check_auth(&token)
        .await
        .map_err(|_| StatusCode::UNAUTHORIZED)?;
    Ok(Json(app::protected(data.claims)))
}

async fn raw(
    axum::extract::State(raw): axum::extract::State<Arc<(DecodingKey, Validation)>>,
    headers: HeaderMap,
) -> Result<Json<tokengate_cli::demo::ProtectedBody>, StatusCode> {
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or(StatusCode::UNAUTHORIZED)?;
    let data = jsonwebtoken::decode::<Claims>(token, &raw.0, &raw.1)
        .map_err(|_| StatusCode::UNAUTHORIZED)?;
    Ok(Json(app::protected(data.claims)))
}

#[tokio::main]
async fn main() {
    let started = app::start().await;
    let config = &started.config;
    let mut validation = Validation::new(jsonwebtoken::Algorithm::HS256);
    validation.set_issuer(&[&config.issuer]);
    validation.set_audience(&[&config.audience]);
    validation.set_required_spec_claims(&["exp", "iss", "aud"]);
    let TokenKey::Secret(secret) = &config.token_key else {
        app::fail(
            &"bench-axum compares HMAC verification: set TOKENGATE_SECRET, not a private key",
        );
    };
    let raw_state = Arc::new((DecodingKey::from_secret(secret.expose()), validation));
    let raw_routes = Router::new().route("/raw", get(raw)).with_state(raw_state);
    let Ok(peer_secret) = std::str::from_utf8(secret.expose()) else {
        app::fail(&"bench-axum's jwt-authorizer route needs a UTF-8 TOKENGATE_SECRET");
    };
    let peer_authorizer: Peer = jwt_authorizer::JwtAuthorizer::from_secret(peer_secret)
        .validation(
            jwt_authorizer::Validation::new()
                .iss(&[&config.issuer])
                .aud(&[&config.audience]),
        )
        .build()
        .await
        .unwrap_or_else(|e| app::fail(&e));
    let peer_routes = Router::new()
        .route("/peer", get(peer))
        .with_state(Arc::new(peer_authorizer));
    let guarded: Router = Router::new()
        .route(
            "/protected",
            get(
                |Authenticated(claims): Authenticated| async move { Json(app::protected(*claims)) },
            ),
        )
        .with_state(started.service.gate().clone());
    let router: Router = Router::new()
        .route("/public", get(|| async { Json(app::public()) }))
        .merge(tokengate_axum::routes())
        .with_state(started.service)
        .merge(guarded)
        .merge(raw_routes)
        .merge(peer_routes);
    let listener = tokio::net::TcpListener::from_std(started.listener).expect("tokio listener");
    app::announce(listener.local_addr().expect("bound address"));
    axum::serve(listener, router)
        .with_graceful_shutdown(app::shutdown_signal())
        .await
        .expect("server");
}
