//! A core reply through Rocket: what an app's own route returns as `ReplyResponder`.

use rocket::local::asynchronous::Client;
use rocket::{get, routes};
use tokengate::testing::{awkward_headers, awkward_reply, AWKWARD_HEADERS_SENT};
use tokengate_rocket::ReplyResponder;

#[get("/awkward")]
fn awkward() -> ReplyResponder {
    ReplyResponder(awkward_reply())
}

/// An app's reply may name a header in any case, or hold a name or value that is not HTTP
/// (which hyper would refuse, failing the whole response): the valid ones are sent, the
/// others left out.
#[rocket::async_test]
async fn header_names_of_any_case_are_sent_and_invalid_ones_skipped() {
    let client = Client::untracked(rocket::build().mount("/", routes![awkward]))
        .await
        .unwrap();
    let response = client.get("/awkward").dispatch().await;
    assert_eq!(response.status().code, 401);
    // Of the headers the reply asked for (Rocket adds its own: Shield's, `Server`).
    let asked: Vec<String> = awkward_headers()
        .into_iter()
        .map(|(name, _)| name.to_ascii_lowercase())
        .collect();
    let mut sent: Vec<(String, String)> = response
        .headers()
        .iter()
        .map(|header| {
            (
                header.name().as_str().to_ascii_lowercase(),
                header.value().to_owned(),
            )
        })
        .filter(|(name, _)| asked.contains(name))
        .collect();
    sent.sort_unstable();
    let expected: Vec<(String, String)> = AWKWARD_HEADERS_SENT
        .iter()
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect();
    assert_eq!(sent, expected);
}
