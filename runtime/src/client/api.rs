//! Debusine's HTTP API, as a worker calls it: one method per endpoint over one
//! [`request`](Api::request), so that other clients (artifacts) are added beside them.
//!
//! Every call carries the header `token` (never `Authorization`); the token is never put in a
//! log line or an error message.

use std::io::Read;
use std::time::Duration;

use serde_json::{Map, Value, json};
use ureq::{AsSendBody, SendBody};

use super::config::{HttpTimeout, Token};
use super::work_request::{Release, WorkRequest};
use crate::execution::{ServerClient, TaskError};

/// The largest reply body read, so that a broken server cannot exhaust memory.
const MAX_BODY_BYTES: u64 = 16 * 1024 * 1024;

/// Why a call did not give the expected reply.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ApiError {
    /// The server could not be reached, or the connection broke.
    #[error("{method} {url}: cannot reach the server: {reason}")]
    Transport {
        /// The method.
        method: &'static str,
        /// The URL (it never holds a token).
        url: String,
        /// The transport's error.
        reason: String,
    },
    /// The server answered with an unexpected status.
    #[error("{method} {url}: HTTP {status}{}", detail_suffix(.detail))]
    Status {
        /// The method.
        method: &'static str,
        /// The URL.
        url: String,
        /// The status code.
        status: u16,
        /// The reply's `detail` or `title`, or the start of its body.
        detail: String,
    },
    /// The reply was not what the endpoint documents.
    #[error("{method} {url}: unexpected reply: {reason}")]
    Reply {
        /// The method.
        method: &'static str,
        /// The URL.
        url: String,
        /// What was wrong.
        reason: String,
    },
}

fn detail_suffix(detail: &str) -> String {
    if detail.is_empty() {
        String::new()
    } else {
        format!(": {detail}")
    }
}

impl ApiError {
    /// Whether trying the same call later may succeed: the server was unreachable, or
    /// answered 5xx, 408 or 429.
    pub(crate) fn is_transient(&self) -> bool {
        match self {
            ApiError::Transport { .. } => true,
            ApiError::Status { status, .. } => *status >= 500 || matches!(status, 408 | 429),
            ApiError::Reply { .. } => false,
        }
    }

    /// The HTTP status, if the server answered.
    pub(crate) fn status(&self) -> Option<u16> {
        match self {
            ApiError::Status { status, .. } => Some(*status),
            _ => None,
        }
    }
}

/// A reply: its status and body text.
#[derive(Debug)]
pub(crate) struct Reply {
    /// The HTTP status.
    pub status: u16,
    /// The body, as text.
    pub body: String,
}

/// What a call sends.
pub(crate) enum Payload<'a> {
    /// No body.
    Empty,
    /// A JSON document.
    Json(&'a Value),
    /// `length` bytes read from `reader` as they are sent, never held whole in memory.
    Stream {
        /// The bytes.
        reader: &'a mut dyn Read,
        /// How many: the `Content-Length`.
        length: u64,
    },
}

/// How long a call may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pace {
    /// An API call: the agent's overall limit.
    Call,
    /// A file going up or down: no overall limit, [`TRANSFER_IDLE_TIMEOUT`] per read or write.
    Transfer,
}

/// How long a transfer may stall before it is given up.
const TRANSFER_IDLE_TIMEOUT: Duration = Duration::from_secs(120);

/// Why [`Api::run`] failed: the request could not be built, or not sent.
enum Failure {
    Build(ureq::http::Error),
    Transport(ureq::Error),
}

/// A reply whose body is still to be read (a file is streamed from it).
#[derive(Debug)]
pub(crate) struct Streamed {
    /// The method of the call, for messages.
    pub method: &'static str,
    /// The URL of the call (it never holds a token).
    pub url: String,
    /// The HTTP status.
    pub status: u16,
    /// The reply's headers.
    pub headers: ureq::http::HeaderMap,
    /// The body, unread.
    pub body: ureq::Body,
}

impl Streamed {
    /// The value of header `name`, if it is there and text.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }

    /// The body read as text (at most [`MAX_BODY_BYTES`]).
    pub(crate) fn into_reply(self) -> Result<Reply, ApiError> {
        let mut text = String::new();
        self.body
            .into_reader()
            .take(MAX_BODY_BYTES)
            .read_to_string(&mut text)
            .map_err(|error| ApiError::Transport {
                method: self.method,
                url: self.url.clone(),
                reason: format!("reading the reply: {error}"),
            })?;
        Ok(Reply {
            status: self.status,
            body: text,
        })
    }

    /// This reply as an [`ApiError::Status`], its body summarised.
    pub(crate) fn into_status_error(self) -> ApiError {
        let (method, url, status) = (self.method, self.url.clone(), self.status);
        let detail = self
            .into_reply()
            .map(|reply| problem_detail(&reply.body))
            .unwrap_or_default();
        ApiError::Status {
            method,
            url,
            status,
            detail,
        }
    }
}

/// The client of one Debusine server's API.
#[derive(Debug, Clone)]
pub(crate) struct Api {
    agent: ureq::Agent,
    /// `api-url`: `https://host/api`, no trailing slash.
    base: String,
    token: Option<Token>,
}

/// What `get-next-for-worker` gave, and the release the server showed itself to be.
pub(crate) type NextWorkRequest = (Option<(WorkRequest, Value)>, Release);

impl Api {
    /// A client of the API at `base` (`https://host/api`), authenticated with `token`, with 30 s
    /// to connect.
    ///
    /// For https, the system's CA certificates are the roots of trust.
    // Used by `taskdef artifact` only (feature `cli`); the worker passes its `http-timeout`.
    #[cfg_attr(not(feature = "cli"), allow(dead_code))]
    pub(crate) fn new(base: &str, token: Option<Token>) -> Result<Self, String> {
        Api::with_timeout(
            base,
            token,
            HttpTimeout {
                connect: Duration::from_secs(30),
                read: Duration::from_secs(300),
            },
        )
    }

    /// [`new`](Api::new) with `timeout`'s limits: `connect` for the connection, `read` for the
    /// reply's head (a call as a whole never takes more than 300 s, a file transfer as long as
    /// it keeps moving).
    pub(crate) fn with_timeout(
        base: &str,
        token: Option<Token>,
        timeout: HttpTimeout,
    ) -> Result<Self, String> {
        let mut config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(timeout.connect))
            .timeout_recv_response(Some(timeout.read))
            .timeout_global(Some(Duration::from_secs(300).max(timeout.read)))
            .user_agent(concat!("taskdef-worker/", env!("CARGO_PKG_VERSION")));
        if base.starts_with("https://") {
            config = config.tls_config(tls::ureq_config()?);
        }
        Ok(Api {
            agent: config.build().new_agent(),
            base: base.trim_end_matches('/').to_owned(),
            token,
        })
    }

    /// The same server with another token.
    pub(crate) fn with_token(&self, token: Token) -> Self {
        Api {
            token: Some(token),
            ..self.clone()
        }
    }

    /// Sends `method path` (relative to `api-url`, e.g. `/1.0/worker/register/`) with an
    /// optional JSON body, and returns the reply whatever its status.
    pub(crate) fn request(
        &self,
        method: &'static str,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Reply, ApiError> {
        let url = self.url(path);
        let payload = body.map_or(Payload::Empty, Payload::Json);
        self.send(method, &url, &[], payload, Pace::Call)?
            .into_reply()
    }

    /// The URL of `path` (relative to `api-url`).
    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// `scheme://host[:port]` of `api-url`: web paths the server hands out (an artifact's
    /// files) are fetched from there, so that the token never goes to another host.
    pub(crate) fn origin(&self) -> &str {
        let after_scheme = self.base.find("://").map_or(0, |at| at + 3);
        let end = self.base[after_scheme..]
            .find('/')
            .map_or(self.base.len(), |at| after_scheme + at);
        &self.base[..end]
    }

    /// The one core of every call: sends `method url` with the token, `headers` and
    /// `payload`, and returns the reply with its body still to be read, whatever its status.
    ///
    /// A [`Pace::Transfer`] has no overall time limit (a large file takes as long as it
    /// takes), only a limit on each read and write.
    pub(crate) fn send(
        &self,
        method: &'static str,
        url: &str,
        headers: &[(&'static str, String)],
        payload: Payload<'_>,
        pace: Pace,
    ) -> Result<Streamed, ApiError> {
        let url_text = || url.to_owned();
        let unbuildable = |error: ureq::http::Error| ApiError::Reply {
            method,
            url: url_text(),
            reason: format!("cannot build the request: {error}"),
        };
        let mut builder = ureq::http::Request::builder()
            .method(method)
            .uri(url)
            .header("Accept", "application/json");
        if let Some(token) = &self.token {
            builder = builder.header("token", token.expose());
        }
        for (name, value) in headers {
            builder = builder.header(*name, value.as_str());
        }
        let response = match payload {
            Payload::Empty => self.run(builder.body(()), pace),
            Payload::Json(value) => self.run(
                builder
                    .header("Content-Type", "application/json")
                    .body(value.to_string()),
                pace,
            ),
            Payload::Stream { reader, length } => self.run(
                builder
                    .header("Content-Type", "application/octet-stream")
                    .header("Content-Length", length)
                    .body(SendBody::from_reader(reader)),
                pace,
            ),
        };
        let response = response.map_err(|error| match error {
            Failure::Build(error) => unbuildable(error),
            Failure::Transport(error) => ApiError::Transport {
                method,
                url: url_text(),
                reason: error.to_string(),
            },
        })?;
        let (parts, body) = response.into_parts();
        Ok(Streamed {
            method,
            url: url.to_owned(),
            status: parts.status.as_u16(),
            headers: parts.headers,
            body,
        })
    }

    /// [`request`](Api::request), with any status outside `expected` as an error.
    fn expect(
        &self,
        method: &'static str,
        path: &str,
        body: Option<&Value>,
        expected: &[u16],
    ) -> Result<Reply, ApiError> {
        let reply = self.request(method, path, body)?;
        if expected.contains(&reply.status) {
            Ok(reply)
        } else {
            Err(ApiError::Status {
                method,
                url: self.url(path),
                status: reply.status,
                detail: problem_detail(&reply.body),
            })
        }
    }

    fn run<S: AsSendBody>(
        &self,
        request: Result<ureq::http::Request<S>, ureq::http::Error>,
        pace: Pace,
    ) -> Result<ureq::http::Response<ureq::Body>, Failure> {
        let request = request.map_err(Failure::Build)?;
        let request = match pace {
            Pace::Call => request,
            Pace::Transfer => self
                .agent
                .configure_request(request)
                .timeout_global(None)
                .timeout_per_read(Some(TRANSFER_IDLE_TIMEOUT))
                .timeout_per_write(Some(TRANSFER_IDLE_TIMEOUT))
                .build(),
        };
        self.agent.run(request).map_err(Failure::Transport)
    }

    /// `POST /1.0/worker/register/`: registers `token` for this host; with an activation token
    /// (sent as the `token` header) the new token is enabled at once.
    pub(crate) fn register(
        &self,
        token: &Token,
        activation: Option<&Token>,
        fqdn: &str,
    ) -> Result<(), ApiError> {
        let client = Api {
            token: activation.cloned(),
            ..self.clone()
        };
        let body = json!({ "token": token.expose(), "fqdn": fqdn, "worker_type": "external" });
        client
            .expect("POST", "/1.0/worker/register/", Some(&body), &[200, 201])
            .map(drop)
    }

    /// `PUT /1.0/worker/dynamic-metadata/`: replaces the worker's dynamic metadata.
    pub(crate) fn put_dynamic_metadata(
        &self,
        metadata: &Map<String, Value>,
    ) -> Result<(), ApiError> {
        let body = Value::Object(metadata.clone());
        self.expect(
            "PUT",
            "/1.0/worker/dynamic-metadata/",
            Some(&body),
            &[200, 204],
        )
        .map(drop)
    }

    /// `get-next-for-worker`: the work request the server assigned to this worker, if any, and
    /// the server's release.
    ///
    /// Debusine 0.11 takes GET and 0.16 takes POST with `{}`, and each answers the other with
    /// 405: the method of `release` (GET when it is not known yet) is tried first, and a 405
    /// makes the other one the answer, and the release the one that takes it.
    pub(crate) fn next_work_request(
        &self,
        release: Option<Release>,
    ) -> Result<NextWorkRequest, ApiError> {
        const PATH: &str = "/1.0/work-request/get-next-for-worker/";
        let by_post = release.is_some_and(Release::takes_next_by_post);
        let ask = |post: bool| {
            if post {
                self.expect("POST", PATH, Some(&json!({})), &[200, 204])
            } else {
                self.expect("GET", PATH, None, &[200, 204])
            }
        };
        let (reply, release) = match ask(by_post) {
            Err(error) if error.status() == Some(405) => {
                let other = if by_post {
                    Release::V0_11
                } else {
                    Release::V0_16
                };
                (ask(!by_post)?, other)
            }
            other => (
                other?,
                release.unwrap_or(if by_post {
                    Release::V0_16
                } else {
                    Release::V0_11
                }),
            ),
        };
        if reply.status == 204 || reply.body.trim().is_empty() {
            return Ok((None, release));
        }
        let reason = |error: String| ApiError::Reply {
            method: if release.takes_next_by_post() {
                "POST"
            } else {
                "GET"
            },
            url: self.url(PATH),
            reason: error,
        };
        let raw = crate::parse::parse_json(reply.body.as_bytes())
            .map_err(|error| reason(format!("not JSON: {error}")))?;
        let request: WorkRequest = serde_json::from_value(raw.clone())
            .map_err(|error| reason(format!("not a work request: {error}")))?;
        Ok((Some((request, raw)), release))
    }

    /// `PUT /1.0/work-request/<id>/completed/` with a completion payload.
    pub(crate) fn complete(&self, id: i64, payload: &Value) -> Result<(), ApiError> {
        self.expect(
            "PUT",
            &format!("/1.0/work-request/{id}/completed/"),
            Some(payload),
            &[200, 204],
        )
        .map(drop)
    }
}

/// A task's access to the server: paths are relative to `/api/1.0/`.
impl ServerClient for Api {
    fn request(&self, method: &str, path: &str, body: Option<&Value>) -> Result<Value, TaskError> {
        let method: &'static str = match method.to_ascii_uppercase().as_str() {
            "GET" => "GET",
            "POST" => "POST",
            "PUT" => "PUT",
            "PATCH" => "PATCH",
            "DELETE" => "DELETE",
            other => {
                return Err(TaskError::other(format!(
                    "unsupported HTTP method `{other}`"
                )));
            }
        };
        let path = format!("/1.0/{}", path.trim_start_matches('/'));
        let reply = self
            .expect(method, &path, body, &[200, 201, 204])
            .map_err(TaskError::other)?;
        if reply.body.trim().is_empty() {
            return Ok(Value::Null);
        }
        crate::parse::parse_json(reply.body.as_bytes()).map_err(|error| {
            TaskError::other(format!("{method} {path}: reply is not JSON: {error}"))
        })
    }
}

/// The useful part of an `application/problem+json` body, else the start of the body.
pub(crate) fn problem_detail(body: &str) -> String {
    if let Ok(Value::Object(problem)) = serde_json::from_str::<Value>(body) {
        let mut parts = Vec::new();
        for key in ["title", "detail"] {
            match problem.get(key) {
                Some(Value::String(text)) => parts.push(text.clone()),
                Some(Value::Null) | None => {}
                Some(other) => parts.push(other.to_string()),
            }
        }
        if let Some(errors) = problem.get("validation_errors") {
            parts.push(format!("validation errors: {errors}"));
        }
        if !parts.is_empty() {
            return parts.join(": ");
        }
    }
    body.chars().take(200).collect::<String>().trim().to_owned()
}

/// TLS with rustls and the ring provider; roots from the system's CA store.
pub(crate) mod tls {
    use std::sync::{Arc, OnceLock};

    fn provider() -> Arc<rustls::crypto::CryptoProvider> {
        Arc::new(rustls::crypto::ring::default_provider())
    }

    /// The system's CA certificates (`/etc/ssl/certs` on Debian), loaded once.
    fn native_roots() -> Result<&'static [rustls::pki_types::CertificateDer<'static>], String> {
        static ROOTS: OnceLock<Result<Vec<rustls::pki_types::CertificateDer<'static>>, String>> =
            OnceLock::new();
        ROOTS
            .get_or_init(|| {
                let loaded = rustls_native_certs::load_native_certs();
                for error in &loaded.errors {
                    tracing::debug!(%error, "skipping a CA certificate");
                }
                if loaded.certs.is_empty() {
                    Err("no CA certificates found on this system (install ca-certificates)".into())
                } else {
                    Ok(loaded.certs)
                }
            })
            .as_ref()
            .map(Vec::as_slice)
            .map_err(Clone::clone)
    }

    /// For the HTTP client.
    pub(crate) fn ureq_config() -> Result<ureq::tls::TlsConfig, String> {
        let roots: Vec<ureq::tls::Certificate<'static>> = native_roots()?
            .iter()
            .map(|der| ureq::tls::Certificate::from_der(der.as_ref()).to_owned())
            .collect();
        Ok(ureq::tls::TlsConfig::builder()
            .provider(ureq::tls::TlsProvider::Rustls)
            .root_certs(ureq::tls::RootCerts::new_with_certs(&roots))
            .unversioned_rustls_crypto_provider(provider())
            .build())
    }

    /// For the WebSocket.
    pub(crate) fn rustls_config() -> Result<Arc<rustls::ClientConfig>, String> {
        let mut store = rustls::RootCertStore::empty();
        let (_added, _ignored) = store.add_parsable_certificates(native_roots()?.iter().cloned());
        let config = rustls::ClientConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .map_err(|error| format!("TLS setup: {error}"))?
            .with_root_certificates(store)
            .with_no_client_auth();
        Ok(Arc::new(config))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problem_details_are_summarised() {
        assert_eq!(
            problem_detail(r#"{"title": "Error", "detail": "Token is disabled"}"#),
            "Error: Token is disabled"
        );
        assert_eq!(
            problem_detail(r#"{"title": "Error", "detail": {"url": ["Enter a valid URL."]}}"#),
            r#"Error: {"url":["Enter a valid URL."]}"#
        );
        assert_eq!(problem_detail("<html>502</html>"), "<html>502</html>");
    }

    #[test]
    fn server_errors_and_unreachable_servers_are_transient() {
        let status = |status| ApiError::Status {
            method: "PUT",
            url: "u".into(),
            status,
            detail: String::new(),
        };
        assert!(status(502).is_transient());
        assert!(status(429).is_transient());
        assert!(!status(400).is_transient());
        assert!(!status(403).is_transient());
        let down = ApiError::Transport {
            method: "PUT",
            url: "u".into(),
            reason: "refused".into(),
        };
        assert!(down.is_transient());
    }

    #[test]
    fn an_https_client_builds_with_the_system_roots() {
        // Debian's ca-certificates is on every machine this runs on; without it the error
        // names the package.
        match Api::new("https://debusine.example.org/api", None) {
            Ok(api) => assert_eq!(api.base, "https://debusine.example.org/api"),
            Err(error) => assert!(error.contains("ca-certificates"), "{error}"),
        }
        assert!(tls::rustls_config().is_ok() || tls::ureq_config().is_err());
    }
}
