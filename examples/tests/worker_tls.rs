//! `taskdef worker` over https and wss: a local TLS endpoint (rustls, a certificate for
//! `localhost` signed by the test CA in `tests/tls/`) takes the worker's registration and its
//! WebSocket upgrade. The worker trusts the CA through `SSL_CERT_FILE`, as on any machine whose
//! server certificate comes from a private CA; without it, it refuses the endpoint.

use std::fs;
use std::net::TcpStream;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

#[path = "support/http.rs"]
mod http;
use http::{Connection, Received, serve_with};

const TLS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/tls");

/// A TLS endpoint on 127.0.0.1 answering each request with `replies` (status codes) in turn,
/// one connection each, then 503 to any more; its port and what it saw.
fn endpoint(replies: Vec<u16>) -> (u16, Receiver<Received>) {
    let certs: Vec<CertificateDer<'static>> =
        CertificateDer::pem_file_iter(Path::new(TLS).join("cert.pem"))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
    let key = PrivateKeyDer::from_pem_file(Path::new(TLS).join("key.pem")).unwrap();
    let config = Arc::new(
        rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap(),
    );
    let replies = replies
        .into_iter()
        .chain(std::iter::repeat(503))
        .map(|status| (status, String::new()));
    let (address, seen) = serve_with(replies, move |tcp| {
        let connection = rustls::ServerConnection::new(Arc::clone(&config)).unwrap();
        rustls::StreamOwned::new(connection, tcp)
    });
    (address.port(), seen)
}

/// A TLS connection ends with its `close_notify`.
impl Connection for rustls::StreamOwned<rustls::ServerConnection, TcpStream> {
    fn close(&mut self) {
        self.conn.send_close_notify();
        let _ = self.conn.complete_io(&mut self.sock);
    }
}

/// A worker configuration for `https://localhost:<port>/api` with an activation token.
fn config_dir(name: &str, port: u16) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("taskdef-tls-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    fs::write(
        dir.join("config.ini"),
        format!("[General]\napi-url = https://localhost:{port}/api\nlog-level = DEBUG\n"),
    )
    .unwrap();
    fs::write(dir.join("activation-token"), "activation-t0k3n").unwrap();
    fs::set_permissions(
        dir.join("activation-token"),
        fs::Permissions::from_mode(0o600),
    )
    .unwrap();
    dir
}

fn worker(dir: &Path, ca: Option<&Path>) -> Child {
    let mut command = Command::new(env!("CARGO_BIN_EXE_taskdef"));
    command
        .args(["worker", "--config-dir"])
        .arg(dir)
        .env_remove("SSL_CERT_DIR")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(fs::File::create(dir.join("worker.log")).unwrap());
    match ca {
        Some(ca) => command.env("SSL_CERT_FILE", ca),
        None => command.env_remove("SSL_CERT_FILE"),
    };
    command.spawn().unwrap()
}

fn stop(mut child: Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let deadline = Instant::now() + Duration::from_secs(10);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.wait();
}

#[test]
fn the_worker_registers_over_https_and_connects_over_wss_to_an_endpoint_it_trusts() {
    let (port, seen) = endpoint(vec![201, 403]);
    let dir = config_dir("trusted", port);
    let child = worker(&dir, Some(&Path::new(TLS).join("ca.pem")));
    let log = || fs::read_to_string(dir.join("worker.log")).unwrap_or_default();
    let register = seen
        .recv_timeout(Duration::from_secs(30))
        .unwrap_or_else(|_| {
            panic!(
                "no request reached the endpoint; the worker's log:\n{}",
                log()
            )
        });
    let upgrade = seen
        .recv_timeout(Duration::from_secs(30))
        .unwrap_or_else(|_| panic!("no WebSocket upgrade; the worker's log:\n{}", log()));
    stop(child);
    assert_eq!(register.line, "POST /api/1.0/worker/register/ HTTP/1.1");
    assert_eq!(register.token, "activation-t0k3n");
    assert_eq!(upgrade.line, "GET /api/ws/1.0/worker/connect/ HTTP/1.1");
    let token = fs::read_to_string(dir.join("token")).unwrap();
    assert_eq!(
        upgrade.token, token,
        "the WebSocket carries the registered token"
    );
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn the_worker_refuses_an_endpoint_whose_certificate_it_does_not_trust() {
    let (port, seen) = endpoint(vec![201]);
    let dir = config_dir("untrusted", port);
    let child = worker(&dir, None);
    let log = || fs::read_to_string(dir.join("worker.log")).unwrap_or_default();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !log().contains("cannot register") {
        assert!(
            Instant::now() < deadline,
            "no failed registration:\n{}",
            log()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    stop(child);
    assert!(seen.try_recv().is_err(), "a request got through");
    assert!(!dir.join("token").exists());
    let text = log();
    assert!(
        text.to_ascii_lowercase().contains("certificate"),
        "the log names the certificate:\n{text}"
    );
    let _ = fs::remove_dir_all(&dir);
}
