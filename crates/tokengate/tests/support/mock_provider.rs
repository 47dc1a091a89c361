//! A tiny HTTP/1.1 server on loopback that answers each path with a configured reply and
//! counts the requests: a stand-in identity provider for the remote-key tests.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// What the server answers on one path.
#[derive(Clone, Debug)]
pub struct Reply {
    pub status: u16,
    pub body: String,
    pub cache_control: Option<String>,
    /// Waited before answering.
    pub delay: Duration,
    /// Without `Content-Length`: the body runs to the end of the connection.
    pub no_length: bool,
}

impl Reply {
    pub fn json(body: impl Into<String>) -> Reply {
        Reply {
            status: 200,
            body: body.into(),
            cache_control: None,
            delay: Duration::ZERO,
            no_length: false,
        }
    }

    pub fn status(status: u16) -> Reply {
        Reply {
            status,
            ..Reply::json("{}")
        }
    }

    pub fn cache_control(mut self, value: &str) -> Reply {
        self.cache_control = Some(value.to_owned());
        self
    }

    pub fn delay(mut self, delay: Duration) -> Reply {
        self.delay = delay;
        self
    }

    pub fn without_length(mut self) -> Reply {
        self.no_length = true;
        self
    }
}

#[derive(Default)]
struct State {
    replies: HashMap<String, Reply>,
    hits: HashMap<String, usize>,
}

pub struct MockProvider {
    pub base: String,
    state: Arc<Mutex<State>>,
    accept: JoinHandle<()>,
}

impl MockProvider {
    pub async fn start() -> MockProvider {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(State::default()));
        let shared = Arc::clone(&state);
        let accept = tokio::spawn(async move {
            loop {
                let Ok((mut stream, _)) = listener.accept().await else {
                    continue;
                };
                let state = Arc::clone(&shared);
                tokio::spawn(async move {
                    let mut request = Vec::new();
                    let mut buf = [0u8; 1024];
                    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                        match stream.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => request.extend_from_slice(&buf[..n]),
                        }
                    }
                    let text = String::from_utf8_lossy(&request);
                    let path = text.split(' ').nth(1).unwrap_or("/").to_owned();
                    let reply = {
                        let mut state = state.lock().unwrap();
                        *state.hits.entry(path.clone()).or_default() += 1;
                        state.replies.get(&path).cloned()
                    }
                    .unwrap_or_else(|| Reply::status(404));
                    tokio::time::sleep(reply.delay).await;
                    let mut head = format!(
                        "HTTP/1.1 {} X\r\nContent-Type: application/json\r\nConnection: close\r\n",
                        reply.status
                    );
                    if !reply.no_length {
                        head.push_str(&format!("Content-Length: {}\r\n", reply.body.len()));
                    }
                    if let Some(value) = &reply.cache_control {
                        head.push_str(&format!("Cache-Control: {value}\r\n"));
                    }
                    head.push_str("\r\n");
                    let _ = stream.write_all(head.as_bytes()).await;
                    let _ = stream.write_all(reply.body.as_bytes()).await;
                    let _ = stream.shutdown().await;
                });
            }
        });
        MockProvider {
            base,
            state,
            accept,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn set(&self, path: &str, reply: Reply) {
        let mut state = self.state.lock().unwrap();
        state.replies.insert(path.to_owned(), reply);
    }

    pub fn hits(&self, path: &str) -> usize {
        let state = self.state.lock().unwrap();
        state.hits.get(path).copied().unwrap_or(0)
    }

    /// Stops accepting connections: the provider is unreachable from now on.
    pub fn stop(&self) {
        self.accept.abort();
    }
}
