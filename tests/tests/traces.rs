//! Traces: `tokengate serve` (its default `otlp` feature) exports its spans over OTLP/HTTP to
//! a receiver written here, and a request's W3C `traceparent` is continued: the route's span
//! is a child of the caller's span, and the login, refresh and verification spans sit inside it.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tokengate_scenarios::harness::{Launch, Target};

/// The caller's trace and span, as a proxy or client would send them.
const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT_SPAN: &str = "00f067aa0ba902b7";

/// An OTLP/HTTP receiver: every body POSTed to it, as JSON (`OTEL_EXPORTER_OTLP_PROTOCOL=http/json`).
struct Receiver {
    port: u16,
    bodies: Arc<Mutex<Vec<Value>>>,
}

impl Receiver {
    fn start() -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let bodies = Arc::new(Mutex::new(Vec::new()));
        let sink = bodies.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let sink = sink.clone();
                std::thread::spawn(move || serve(stream, &sink));
            }
        });
        Receiver { port, bodies }
    }

    /// Every span received so far: (name, trace id, span id, parent span id).
    fn spans(&self) -> Vec<(String, String, String, String)> {
        let bodies = self.bodies.lock().unwrap();
        let mut spans = Vec::new();
        for body in bodies.iter() {
            for resource in body["resourceSpans"].as_array().into_iter().flatten() {
                for scope in resource["scopeSpans"].as_array().into_iter().flatten() {
                    for span in scope["spans"].as_array().into_iter().flatten() {
                        let text = |key: &str| span[key].as_str().unwrap_or("").to_lowercase();
                        spans.push((
                            text("name"),
                            text("traceId"),
                            text("spanId"),
                            text("parentSpanId"),
                        ));
                    }
                }
            }
        }
        spans
    }
}

/// Answers each request of a keep-alive connection with 200 `{}`, keeping its JSON body.
fn serve(stream: TcpStream, sink: &Mutex<Vec<Value>>) {
    let mut writer = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);
    loop {
        let mut length = 0;
        let mut line = String::new();
        loop {
            line.clear();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            if line == "\r\n" {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse().unwrap_or(0);
                }
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        if let Ok(value) = serde_json::from_slice(&body) {
            sink.lock().unwrap().push(value);
        }
        let reply =
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}";
        if writer.write_all(reply.as_bytes()).is_err() {
            return;
        }
    }
}

#[tokio::test]
async fn serve_exports_its_spans_over_otlp_continuing_the_callers_trace() {
    if Target::external().is_some() {
        return;
    }
    let receiver = Receiver::start();
    let app = Target::command("tokengate-cli", "tokengate", &["serve"]).launch(Launch {
        env: vec![
            (
                "OTEL_EXPORTER_OTLP_ENDPOINT".into(),
                format!("http://127.0.0.1:{}", receiver.port),
            ),
            ("OTEL_EXPORTER_OTLP_PROTOCOL".into(), "http/json".into()),
            ("OTEL_BSP_SCHEDULE_DELAY".into(), "100".into()),
        ],
        ..Launch::default()
    });
    let traceparent = format!("00-{TRACE_ID}-{PARENT_SPAN}-01");
    let post = |path: &str, body: Value| {
        app.http
            .post(app.url(path))
            .header("traceparent", &traceparent)
            .json(&body)
            .send()
    };
    let email = format!("traces{}@example.com", std::process::id());
    let account = json!({"name": "T", "email": email, "password": "traces-password-1"});
    assert_eq!(post("/signup", account).await.unwrap().status(), 201);
    let credentials = json!({"email": email, "password": "traces-password-1"});
    let pair: Value = post("/login", credentials)
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let refresh = json!({"refresh_token": pair["refresh_token"]});
    assert_eq!(post("/refresh", refresh).await.unwrap().status(), 200);
    let change =
        json!({"current_password": "traces-password-1", "new_password": "traces-password-2"});
    let changed = app
        .http
        .post(app.url("/password"))
        .header("traceparent", &traceparent)
        .bearer_auth(pair["access_token"].as_str().unwrap())
        .json(&change)
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), 204);

    let wanted = ["tokengate.login", "tokengate.refresh", "tokengate.verify"];
    let deadline = Instant::now() + Duration::from_secs(20);
    let spans = loop {
        let spans = receiver.spans();
        let names: Vec<&str> = spans.iter().map(|s| s.0.as_str()).collect();
        // Spans are sent in batches as they end: a route's span ends after the flows inside
        // it, and may come in a later batch.
        let routes = names
            .iter()
            .filter(|name| **name == "tokengate.request")
            .count();
        if wanted.iter().all(|name| names.contains(name)) && routes == 4 {
            break spans;
        }
        assert!(
            Instant::now() < deadline,
            "spans received: {names:?}, wanted {wanted:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    // Every route span is a child of the caller's span, in the caller's trace.
    let routes: Vec<_> = spans
        .iter()
        .filter(|s| s.0 == "tokengate.request")
        .collect();
    assert_eq!(routes.len(), 4, "{spans:?}");
    for (_, trace, _, parent) in &routes {
        assert_eq!((trace.as_str(), parent.as_str()), (TRACE_ID, PARENT_SPAN));
    }
    // The flows sit inside a route span of that trace.
    let route_ids: Vec<&str> = routes.iter().map(|s| s.2.as_str()).collect();
    for name in wanted {
        let span = spans.iter().find(|s| s.0 == name).unwrap();
        assert_eq!(span.1, TRACE_ID, "{name} in the caller's trace");
        assert!(
            route_ids.contains(&span.3.as_str()),
            "{name} inside a route span"
        );
    }
}
