//! `taskdef worker` over https and wss: a local TLS endpoint (rustls, a certificate for
//! `localhost` signed by the test CA in `tests/tls/`) takes the worker's registration and its
//! WebSocket upgrade. The worker trusts the CA through `SSL_CERT_FILE`, as on any machine whose
//! server certificate comes from a private CA; without it, it refuses the endpoint.

use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

const TLS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/tls");

/// One request as the endpoint read it: the request line and the `token` header.
#[derive(Debug)]
struct Seen {
    line: String,
    token: String,
}

/// A TLS endpoint on 127.0.0.1 answering each request with `replies` in turn (one connection
/// per reply); its port and what it saw.
fn endpoint(replies: Vec<&'static str>) -> (u16, Receiver<Seen>) {
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
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (sender, receiver) = channel();
    std::thread::spawn(move || {
        let mut replies = replies.into_iter();
        for stream in listener.incoming() {
            let Ok(tcp) = stream else { continue };
            tcp.set_read_timeout(Some(Duration::from_secs(10))).ok();
            let connection = rustls::ServerConnection::new(Arc::clone(&config)).unwrap();
            let mut tls = rustls::StreamOwned::new(connection, tcp);
            // A handshake the client refuses ends here, with nothing seen.
            let Some(seen) = read_head(&mut tls) else {
                continue;
            };
            let reply = replies.next().unwrap_or("HTTP/1.1 503 Unavailable\r\n");
            let _ = tls.write_all(
                format!("{reply}Content-Length: 0\r\nConnection: close\r\n\r\n").as_bytes(),
            );
            let _ = tls.flush();
            tls.conn.send_close_notify();
            let _ = tls.conn.complete_io(&mut tls.sock);
            if sender.send(seen).is_err() {
                return;
            }
        }
    });
    (port, receiver)
}

/// Reads a request's head and body; `None` when the connection fails first.
fn read_head(stream: &mut impl Read) -> Option<Seen> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let (mut token, mut length) = (String::new(), 0usize);
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).ok()?;
        if header.trim().is_empty() {
            break;
        }
        let (name, value) = header.split_once(':')?;
        match name.trim().to_ascii_lowercase().as_str() {
            "token" => token = value.trim().to_owned(),
            "content-length" => length = value.trim().parse().ok()?,
            _ => {}
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(Seen {
        line: line.trim().to_owned(),
        token,
    })
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
    let (port, seen) = endpoint(vec![
        "HTTP/1.1 201 Created\r\n",
        "HTTP/1.1 403 Forbidden\r\n",
    ]);
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
    let (port, seen) = endpoint(vec!["HTTP/1.1 201 Created\r\n"]);
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
