//! A recorded HTTP server for the client's unit tests: each connection gets the next recorded
//! reply, and each request is handed to the test before its reply is sent.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::mpsc::{Receiver, channel};

/// A request as the server received it.
#[derive(Debug, Clone)]
pub(crate) struct Received {
    /// `METHOD PATH HTTP/1.1`.
    pub line: String,
    /// The `token` header (empty without one).
    pub token: String,
    /// The body, as text.
    pub body: String,
}

/// Serves `replies` (status, body) in turn, one connection each; returns its API URL
/// (`http://127.0.0.1:PORT/api`) and the requests received.
pub(crate) fn serve(replies: Vec<(u16, String)>) -> (String, Receiver<Received>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/api", listener.local_addr().unwrap());
    let (sender, receiver) = channel();
    std::thread::spawn(move || {
        for (status, body) in replies {
            let Ok((stream, _)) = listener.accept() else {
                return;
            };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            let (mut length, mut token) = (0usize, String::new());
            loop {
                let mut header = String::new();
                reader.read_line(&mut header).unwrap();
                if header.trim().is_empty() {
                    break;
                }
                let (name, value) = header.split_once(':').unwrap();
                match name.to_ascii_lowercase().as_str() {
                    "content-length" => length = value.trim().parse().unwrap(),
                    "token" => token = value.trim().to_owned(),
                    _ => {}
                }
            }
            let mut request_body = vec![0; length];
            reader.read_exact(&mut request_body).unwrap();
            // Handed over before the reply, so that the client never sees a reply first.
            let _ = sender.send(Received {
                line: line.trim().to_owned(),
                token,
                body: String::from_utf8_lossy(&request_body).into_owned(),
            });
            let mut stream = stream;
            let _ = write!(
                stream,
                "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (url, receiver)
}
