//! Starting a reference app (or pointing at a running one) and talking to it.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

/// The HMAC secret the suite starts apps with, and mints its own tokens with.
pub const SECRET: &str = "scenario-suite-secret-0123456789abcdef";
/// The CKEditor environment ID the suite starts apps with.
pub const CS_ENVIRONMENT_ID: &str = "LJRQ1bju55p6a47RwadH";
/// The CKEditor access key the suite starts apps with.
pub const CS_ACCESS_KEY: &str = "w1lnWEN63FPKxBNmxHN7WpfW2IoYVYca5moqIUKfWesL1Ykwv34iR5xwfWLy";
/// The origin the suite allows through CORS.
pub const ALLOWED_ORIGIN: &str = "https://editor.example";

/// The environment variable holding a base URL to run the suite against instead of starting
/// apps. The server must use this suite's secret, issuer, audience and CKEditor keys (or the
/// ones given in `TOKENGATE_SCENARIO_SECRET`, `…_CS_ENVIRONMENT_ID`, `…_CS_ACCESS_KEY`).
pub const BASE_URL_VAR: &str = "TOKENGATE_SCENARIO_BASE_URL";

/// The environment variable naming a folder: when set, every app the harness starts logs at
/// debug level into a file there (see `tests/tests/logs.rs`).
pub const LOGS_DIR_VAR: &str = "TOKENGATE_SCENARIO_LOGS";

/// Which app a suite runs against: a binary of a workspace package, with arguments.
#[derive(Debug, Clone, Copy)]
pub struct Target {
    package: &'static str,
    binary: &'static str,
    args: &'static [&'static str],
    /// Built with `--no-default-features` (the verify-only examples).
    verify_only: bool,
}

/// How to start an app for one scenario.
#[derive(Debug, Clone)]
pub struct Launch {
    /// Whether to configure the CKEditor keys.
    pub ckeditor: bool,
    /// The SQLite file; a fresh one in a temporary folder when `None`.
    pub database: Option<PathBuf>,
    /// Sign access tokens with this algorithm and PEM private key instead of the suite's
    /// secret.
    pub private_key: Option<(&'static str, PathBuf)>,
    /// Further variables, e.g. a short TTL.
    pub env: Vec<(String, String)>,
}

impl Default for Launch {
    fn default() -> Self {
        Launch {
            ckeditor: true,
            database: None,
            private_key: None,
            env: Vec::new(),
        }
    }
}

impl Target {
    /// The reference app built from `tokengate-examples`' binary `binary`.
    pub const fn new(binary: &'static str) -> Self {
        Target::command("tokengate-examples", binary, &[])
    }

    /// The app run as `binary args…` from the workspace package `package` (e.g.
    /// `tokengate serve`).
    pub const fn command(
        package: &'static str,
        binary: &'static str,
        args: &'static [&'static str],
    ) -> Self {
        Target {
            package,
            binary,
            args,
            verify_only: false,
        }
    }

    /// A verify-only example of `tokengate-examples`, built with `--no-default-features`, so
    /// without the account service (no sqlx, no Argon2).
    pub const fn verify_only(binary: &'static str) -> Self {
        Target {
            package: "tokengate-examples",
            binary,
            args: &[],
            verify_only: true,
        }
    }

    /// The app's executable, built if needed.
    pub fn executable(&self) -> PathBuf {
        binary_path(self.package, self.binary, self.verify_only)
    }

    /// Whether the suite runs against a server given by URL.
    pub fn external() -> Option<String> {
        std::env::var(BASE_URL_VAR)
            .ok()
            .filter(|url| !url.is_empty())
    }

    /// An app started with the suite's configuration.
    pub fn start(&self) -> App {
        self.launch(Launch::default())
    }

    /// An app started with `launch` (or the external server, if one is given).
    pub fn launch(&self, launch: Launch) -> App {
        if let Some(base) = Target::external() {
            return App::external(base);
        }
        let dir = tempfile::tempdir().expect("temporary folder");
        let database = launch
            .database
            .clone()
            .unwrap_or_else(|| dir.path().join("tokengate.db"));
        let signing = match &launch.private_key {
            None => vec![("TOKENGATE_SECRET".to_owned(), SECRET.to_owned())],
            Some((algorithm, pem)) => vec![
                ("TOKENGATE_ALGORITHM".to_owned(), (*algorithm).to_owned()),
                (
                    "TOKENGATE_PRIVATE_KEY_FILE".to_owned(),
                    pem.display().to_string(),
                ),
            ],
        };
        let mut env = vec![
            ("TOKENGATE_ADDR".to_owned(), "127.0.0.1:0".to_owned()),
            (
                "TOKENGATE_DATABASE_URL".to_owned(),
                format!("sqlite://{}", database.display()),
            ),
            (
                "TOKENGATE_CORS_ORIGINS".to_owned(),
                ALLOWED_ORIGIN.to_owned(),
            ),
        ];
        if launch.ckeditor {
            env.push((
                "TOKENGATE_CS_ENVIRONMENT_ID".to_owned(),
                CS_ENVIRONMENT_ID.to_owned(),
            ));
            env.push((
                "TOKENGATE_CS_ACCESS_KEY".to_owned(),
                CS_ACCESS_KEY.to_owned(),
            ));
        }
        env.extend(signing);
        env.extend(launch.env);
        let (child, base) = self
            .spawn(&env)
            .unwrap_or_else(|output| panic!("{} did not start:\n{output}", self.binary));
        App::new(base, Some(child), Some(dir), launch.ckeditor)
    }

    /// Runs the app with exactly `env` (no defaults) and waits for it to listen. On failure
    /// returns what it printed.
    pub fn spawn(&self, env: &[(String, String)]) -> Result<(Child, String), String> {
        let mut command = Command::new(binary_path(self.package, self.binary, self.verify_only));
        command.args(self.args);
        for (name, _) in std::env::vars() {
            if name.starts_with("TOKENGATE_") {
                command.env_remove(name);
            }
        }
        command
            .envs(env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        // Under LOGS_DIR_VAR every app logs at debug level into a file of its own, and keeps
        // its audit log there too (unless the scenario names one), for the test that no log
        // line carries a secret.
        let log_file = std::env::var_os(LOGS_DIR_VAR).map(|dir| {
            let stem = PathBuf::from(dir).join(format!("{}-{}", self.binary, now_nanos()));
            let path = stem.with_extension("log");
            let file = std::fs::File::create(&path).expect("a log file");
            command.env("RUST_LOG", "debug").stderr(Stdio::from(file));
            if !env.iter().any(|(name, _)| name == "TOKENGATE_AUDIT_LOG") {
                command.env("TOKENGATE_AUDIT_LOG", stem.with_extension("audit.jsonl"));
            }
            path
        });
        let mut child = command.spawn().map_err(|e| format!("cannot run: {e}"))?;
        let stderr = match log_file {
            Some(path) => Stderr::File(path),
            None => Stderr::drain(child.stderr.take().expect("piped stderr")),
        };
        stderr_of().insert(child.id(), stderr);
        let stdout = child.stdout.take().expect("piped stdout");
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(url) = line.strip_prefix("listening on ") {
                    let _ = sender.send(url.trim().to_owned());
                }
            }
        });
        match receiver.recv_timeout(Duration::from_secs(30)) {
            Ok(base) => Ok((child, base)),
            Err(_) => {
                let _ = child.kill();
                let status = child.wait().map_err(|e| e.to_string())?;
                let stderr = take_stderr(child.id());
                Err(format!("status {:?}\nstderr: {stderr}", status.code()))
            }
        }
    }

    /// Runs the app with exactly `env` and expects it to refuse to start the way every
    /// start-up failure must: exit status 2 and one line on standard error, which it returns.
    pub fn refusal_line(&self, env: &[(String, String)]) -> String {
        let (code, stderr) = self.refuses(env);
        let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
        assert_eq!(code, Some(2), "{}: {stderr}", self.binary);
        assert_eq!(lines.len(), 1, "{}, one line: {stderr}", self.binary);
        lines[0].to_owned()
    }

    /// Runs the app with exactly `env` and expects it to refuse to start: returns its exit
    /// status and standard error.
    pub fn refuses(&self, env: &[(String, String)]) -> (Option<i32>, String) {
        match self.spawn(env) {
            Ok((mut child, base)) => {
                let _ = child.kill();
                panic!("{} started on {base} but should have refused", self.binary)
            }
            Err(output) => {
                let code = output
                    .lines()
                    .next()
                    .and_then(|l| l.strip_prefix("status Some("))
                    .and_then(|l| l.strip_suffix(')'))
                    .and_then(|c| c.parse().ok());
                let stderr = output
                    .split_once("stderr: ")
                    .map_or(String::new(), |(_, e)| e.to_owned());
                (code, stderr)
            }
        }
    }
}

/// Stops an app started by [`Target::spawn`] and returns everything it wrote on standard
/// error (from its log file when [`LOGS_DIR_VAR`] is set).
pub fn stop_and_read_stderr(mut child: Child) -> String {
    let _ = child.kill();
    let _ = child.wait();
    take_stderr(child.id())
}

/// Where an app's standard error goes: a log file, or a buffer that a thread fills as the app
/// writes, so that an app logging a lot (a soak) never blocks on a full pipe.
enum Stderr {
    File(PathBuf),
    Buffer(std::sync::Arc<Mutex<Vec<u8>>>, std::thread::JoinHandle<()>),
}

/// What the buffer keeps of an app's standard error: the first MiB.
const STDERR_KEPT: usize = 1 << 20;

impl Stderr {
    fn drain(mut pipe: std::process::ChildStderr) -> Stderr {
        use std::io::Read;
        let buffer = std::sync::Arc::new(Mutex::new(Vec::new()));
        let filled = buffer.clone();
        let reader = std::thread::spawn(move || {
            let mut chunk = [0u8; 8192];
            while let Ok(read) = pipe.read(&mut chunk) {
                if read == 0 {
                    break;
                }
                let mut kept = filled.lock().unwrap_or_else(|e| e.into_inner());
                let room = STDERR_KEPT.saturating_sub(kept.len()).min(read);
                kept.extend_from_slice(&chunk[..room]);
            }
        });
        Stderr::Buffer(buffer, reader)
    }
}

/// The standard error of the app with process id `pid`, once it has exited.
fn take_stderr(pid: u32) -> String {
    let bytes = match stderr_of().remove(&pid) {
        Some(Stderr::File(path)) => std::fs::read(path).unwrap_or_default(),
        Some(Stderr::Buffer(buffer, reader)) => {
            let _ = reader.join();
            std::mem::take(&mut *buffer.lock().unwrap_or_else(|e| e.into_inner()))
        }
        None => Vec::new(),
    };
    String::from_utf8_lossy(&bytes).into_owned()
}

/// The standard error of each app started, by process id.
fn stderr_of() -> std::sync::MutexGuard<'static, HashMap<u32, Stderr>> {
    static STDERR: OnceLock<Mutex<HashMap<u32, Stderr>>> = OnceLock::new();
    STDERR
        .get_or_init(|| Mutex::new(HashMap::new()))
        .lock()
        .unwrap_or_else(|e| e.into_inner())
}

/// Builds the binary once per test process and returns its path.
fn binary_path(package: &str, binary: &str, no_default_features: bool) -> PathBuf {
    static BUILT: OnceLock<Mutex<HashMap<String, PathBuf>>> = OnceLock::new();
    let built = BUILT.get_or_init(|| Mutex::new(HashMap::new()));
    let mut built = built.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(path) = built.get(binary) {
        return path.clone();
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let output = Command::new(cargo)
        .args(["build", "--quiet", "-p", package, "--bin", binary])
        .args(no_default_features.then_some("--no-default-features"))
        .arg("--message-format=json")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stderr(Stdio::inherit())
        .output()
        .expect("cargo build");
    assert!(output.status.success(), "cargo build of {binary} failed");
    let path = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|message| message["target"]["name"] == binary)
        .find_map(|message| message["executable"].as_str().map(PathBuf::from))
        .unwrap_or_else(|| panic!("cargo did not report the executable of {binary}"));
    built.insert(binary.to_owned(), path.clone());
    path
}

/// A running app: its base URL, an HTTP client, and what the suite knows of its keys.
pub struct App {
    /// `http://127.0.0.1:PORT`
    pub base: String,
    /// A client without redirects or cookies.
    pub http: reqwest::Client,
    /// Whether the CKEditor keys are configured.
    pub ckeditor: bool,
    /// The HMAC secret of its access tokens.
    pub secret: String,
    /// Its CKEditor environment ID.
    pub cs_environment_id: String,
    /// Its CKEditor access key.
    pub cs_access_key: String,
    child: Option<Child>,
    _dir: Option<tempfile::TempDir>,
}

impl App {
    fn new(
        base: String,
        child: Option<Child>,
        dir: Option<tempfile::TempDir>,
        ckeditor: bool,
    ) -> App {
        let var =
            |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| default.to_owned());
        App {
            base,
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(Duration::from_secs(30))
                .build()
                .expect("client"),
            ckeditor,
            secret: var("TOKENGATE_SCENARIO_SECRET", SECRET),
            cs_environment_id: var("TOKENGATE_SCENARIO_CS_ENVIRONMENT_ID", CS_ENVIRONMENT_ID),
            cs_access_key: var("TOKENGATE_SCENARIO_CS_ACCESS_KEY", CS_ACCESS_KEY),
            child,
            _dir: dir,
        }
    }

    fn external(base: String) -> App {
        App::new(base.trim_end_matches('/').to_owned(), None, None, true)
    }

    /// Whether this app was started by the suite (and so can be stopped and restarted).
    pub fn owned(&self) -> bool {
        self.child.is_some()
    }

    /// The process id of the app this suite started (`None` for an external server).
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// The URL of `path` on this app.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Stops the app and waits for it to exit.
    pub fn stop(&mut self) {
        if let Some(child) = self.child.take() {
            // What it logged is not needed any more; taking it ends the reader thread.
            stop_and_read_stderr(child);
        }
    }

    /// A token signed with the app's secret (HS256), with exactly this header and payload.
    pub fn forge(&self, header: &serde_json::Value, payload: &serde_json::Value) -> String {
        forge_raw(
            &header.to_string(),
            &payload.to_string(),
            self.secret.as_bytes(),
        )
    }

    /// A valid access token for `sub`, with extra claims merged in.
    pub fn mint(&self, sub: &str, extra: serde_json::Value) -> String {
        let mut payload = valid_claims(sub);
        if let (Some(into), Some(from)) = (payload.as_object_mut(), extra.as_object()) {
            for (k, v) in from {
                into.insert(k.clone(), v.clone());
            }
        }
        self.forge(&serde_json::json!({"alg": "HS256", "typ": "JWT"}), &payload)
    }
}

impl Drop for App {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Seconds since the Unix epoch.
pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Claims the reference apps accept: issuer and audience `tokengate`, valid for 10 minutes.
pub fn valid_claims(sub: &str) -> serde_json::Value {
    serde_json::json!({
        "iss": "tokengate", "aud": "tokengate", "sub": sub,
        "iat": now(), "exp": now() + 600, "jti": format!("suite-{}", now_nanos()),
    })
}

fn now_nanos() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos())
}

/// A compact JWS with this header and payload text, HMAC-SHA256-signed with `secret`. An
/// implementation independent of tokengate's, so the suite does not trust what it tests.
pub fn forge_raw(header: &str, payload: &str, secret: &[u8]) -> String {
    use hmac::{Hmac, Mac};
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(payload)
    );
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret).expect("any key length");
    mac.update(input.as_bytes());
    let signature = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
    format!("{input}.{signature}")
}

/// Decodes a token's payload without verifying it.
pub fn payload_of(token: &str) -> serde_json::Value {
    segment_json(token, 1)
}

/// Decodes a token's header.
pub fn header_of(token: &str) -> serde_json::Value {
    segment_json(token, 0)
}

fn segment_json(token: &str, index: usize) -> serde_json::Value {
    let segment = token.split('.').nth(index).expect("three segments");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(segment).expect("base64url")).expect("JSON")
}

/// Verifies an HS256 token's signature with `secret` (independently of tokengate).
pub fn hs256_signature_ok(token: &str, secret: &[u8]) -> bool {
    use hmac::{Hmac, Mac};
    let Some((input, signature)) = token.rsplit_once('.') else {
        return false;
    };
    let Ok(signature) = URL_SAFE_NO_PAD.decode(signature) else {
        return false;
    };
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret).expect("any key length");
    mac.update(input.as_bytes());
    mac.verify_slice(&signature).is_ok()
}

/// The Python the interoperability tests run (`TOKENGATE_PYTHON`, which `.ci/run` points at
/// its venv, else `python3`), if it can `import` what `modules` names (`"jwt"`,
/// `"grpc, grpc_health.v1"`). Without them the caller skips with a message, except under
/// `CI=true`, where that is a failure: CI installs them.
pub fn python_with(modules: &str) -> Option<String> {
    let python = std::env::var("TOKENGATE_PYTHON").unwrap_or_else(|_| "python3".to_owned());
    let ready = Command::new(&python)
        .args(["-c", &format!("import {modules}")])
        .output()
        .is_ok_and(|o| o.status.success());
    if ready {
        return Some(python);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("CI=true but {python} cannot import {modules}: .ci/run installs it in its venv");
    }
    eprintln!("{python} cannot import {modules}: the test is skipped");
    None
}

/// Picks jsonwebtoken's crypto backend for the tests' own use of it (third parties checking
/// the apps' tokens, the DPoP client). With `--all-features` both of its backends are
/// compiled in (tokengate's `aws-lc-rs` feature adds one) and it cannot choose alone: it
/// panics, and the panic leaves it unusable for every other test of the process.
pub fn third_party_crypto() {
    let _ = jsonwebtoken::crypto::CryptoProvider::install_default(
        &jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER,
    );
}
