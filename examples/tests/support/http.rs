//! The one recorded HTTP server of the tests: each connection gets the next recorded reply,
//! and each request is handed to the test before its reply is sent. Plain TCP for the
//! runtime's client tests (`runtime/src/client`, which includes this file), TLS over it for
//! `worker_tls` (the test wraps each connection).

// Each includer uses a part of it.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

/// A request as the server received it.
#[derive(Debug, Clone)]
pub struct Received {
    /// `METHOD PATH HTTP/1.1`.
    pub line: String,
    /// The `token` header (empty without one).
    pub token: String,
    /// The body, as text.
    pub body: String,
}

/// A connection the server speaks HTTP on: TCP itself, or what a test wraps around it.
pub trait Connection: Read + Write {
    /// Ends the connection after the reply (TLS sends its `close_notify` here).
    fn close(&mut self) {}
}

impl Connection for TcpStream {}

/// Serves `replies` (status, body) in turn on plain TCP, one connection each; returns its API
/// URL (`http://127.0.0.1:PORT/api`) and the requests received.
pub fn serve(replies: Vec<(u16, String)>) -> (String, Receiver<Received>) {
    let (address, received) = serve_with(replies, |tcp| tcp);
    (format!("http://{address}/api"), received)
}

/// Serves `replies` (status, body) in turn on 127.0.0.1, one connection each, each TCP
/// connection first turned by `open` into the connection HTTP is read and written on; its
/// address and the requests received. A connection that fails before its request is read (a
/// TLS handshake the client refuses) is dropped without taking a reply.
pub fn serve_with<C: Connection>(
    replies: impl IntoIterator<Item = (u16, String), IntoIter: Send + 'static>,
    open: impl Fn(TcpStream) -> C + Send + 'static,
) -> (SocketAddr, Receiver<Received>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    let (sender, receiver) = channel();
    let mut replies = replies.into_iter();
    std::thread::spawn(move || {
        let mut next = replies.next();
        while let Some((status, body)) = &next {
            let Ok((tcp, _)) = listener.accept() else {
                return;
            };
            tcp.set_read_timeout(Some(Duration::from_secs(10))).ok();
            let mut connection = open(tcp);
            let Some(received) = read_request(&mut connection) else {
                continue;
            };
            // Handed over before the reply, so that the client never sees a reply first.
            let _ = sender.send(received);
            let _ = write!(
                connection,
                "HTTP/1.1 {status} {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                reason(*status),
                body.len()
            );
            let _ = connection.flush();
            connection.close();
            next = replies.next();
        }
    });
    (address, receiver)
}

/// A request's line, `token` header and body; `None` when the connection fails first.
fn read_request(connection: &mut impl Read) -> Option<Received> {
    let mut reader = BufReader::new(connection);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    if line.trim().is_empty() {
        return None;
    }
    let (mut length, mut token) = (0usize, String::new());
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).ok()?;
        if header.trim().is_empty() {
            break;
        }
        let (name, value) = header.split_once(':')?;
        match name.trim().to_ascii_lowercase().as_str() {
            "content-length" => length = value.trim().parse().ok()?,
            "token" => token = value.trim().to_owned(),
            _ => {}
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(Received {
        line: line.trim().to_owned(),
        token,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

/// The reason phrase of a status (clients read only the code).
fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        403 => "Forbidden",
        404 => "Not Found",
        503 => "Service Unavailable",
        _ => "Status",
    }
}
