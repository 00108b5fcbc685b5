//! The worker's WebSocket: how the server tells it to send metadata or take work.
//!
//! `api-url` with `http` replaced by `ws` once, plus `/ws/1.0/worker/connect/`, with the
//! header `token`. Once open, the socket does not block: the worker loop waits for it (and for
//! its other events) with `poll`, reads what came until nothing is left, and sends frames
//! (pings, pongs, Debusine 0.16's live logs) as far as the socket takes them, the rest when it
//! is writable again.

use std::io;
use std::net::{TcpStream, ToSocketAddrs};
use std::os::fd::{AsFd, BorrowedFd};
use std::time::Duration;

use serde_json::Value;
use tungstenite::client::IntoClientRequest;
use tungstenite::http::HeaderValue;
use tungstenite::stream::MaybeTlsStream;
use tungstenite::{Message, WebSocket};

use super::config::Token;

/// How long connecting (TCP, TLS, the HTTP upgrade) may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

/// What the server says over the WebSocket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Notice {
    /// `connected`.
    Connected,
    /// `request_dynamic_metadata`: send the metadata now.
    RequestDynamicMetadata,
    /// `work_request_available`: take the next work request (duplicates happen).
    WorkRequestAvailable,
    /// `connection_rejected` or `connection_closed`: the token is unknown or disabled.
    Refused {
        /// `connection_rejected` or `connection_closed`.
        kind: String,
        /// The server's reason.
        reason: String,
        /// e.g. `TOKEN_DISABLED`.
        code: String,
    },
    /// A message this worker does not know (newer servers stream more): ignored.
    Other(String),
}

impl Notice {
    /// Reads one text frame.
    pub(crate) fn parse(text: &str) -> Notice {
        let Ok(Value::Object(message)) = serde_json::from_str::<Value>(text) else {
            return Notice::Other(text.to_owned());
        };
        let field = |key: &str| {
            message
                .get(key)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        match field("type").as_str() {
            "websocket.send" => match field("text").as_str() {
                "connected" => Notice::Connected,
                "request_dynamic_metadata" => Notice::RequestDynamicMetadata,
                "work_request_available" => Notice::WorkRequestAvailable,
                _ => Notice::Other(text.to_owned()),
            },
            kind @ ("connection_rejected" | "connection_closed") => Notice::Refused {
                kind: kind.to_owned(),
                reason: field("reason"),
                code: field("reason_code"),
            },
            _ => Notice::Other(text.to_owned()),
        }
    }
}

/// The WebSocket URL for `api_url`.
pub(crate) fn url_for(api_url: &str) -> String {
    format!(
        "{}/ws/1.0/worker/connect/",
        api_url.trim_end_matches('/').replacen("http", "ws", 1)
    )
}

/// What one read gave.
#[derive(Debug)]
pub(crate) enum Read {
    /// A text message, parsed.
    Notice(Notice),
    /// A pong (to our ping).
    Pong,
    /// A frame with nothing to act on (a ping, answered by the next flush).
    Nothing,
    /// Nothing more has arrived: wait until the socket is readable.
    Drained,
}

/// An open WebSocket to the server.
pub(crate) struct Connection {
    socket: WebSocket<MaybeTlsStream<TcpStream>>,
    /// The same socket, for `poll`.
    control: TcpStream,
    /// Frames are queued that the socket has not taken yet.
    unflushed: bool,
}

fn would_block(error: &tungstenite::Error) -> bool {
    matches!(error, tungstenite::Error::Io(error) if matches!(
        error.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut | io::ErrorKind::Interrupted
    ))
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Connection")
    }
}

impl Connection {
    /// Connects to `url` with `token` (blocking, within [`CONNECT_TIMEOUT`]); the socket does
    /// not block afterwards.
    pub(crate) fn open(url: &str, token: &Token) -> Result<Self, String> {
        let mut request = url
            .into_client_request()
            .map_err(|error| format!("bad WebSocket URL `{url}`: {error}"))?;
        let value = HeaderValue::from_str(token.expose())
            .map_err(|_| "the token holds characters a header cannot carry".to_owned())?;
        request.headers_mut().insert("token", value);
        let uri = request.uri().clone();
        let secure = uri.scheme_str() == Some("wss");
        let host = uri
            .host()
            .ok_or_else(|| format!("WebSocket URL `{url}` has no host"))?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        let port = uri.port_u16().unwrap_or(if secure { 443 } else { 80 });
        let address = (host.as_str(), port)
            .to_socket_addrs()
            .map_err(|error| format!("cannot resolve `{host}`: {error}"))?
            .next()
            .ok_or_else(|| format!("`{host}` has no address"))?;
        let stream = TcpStream::connect_timeout(&address, CONNECT_TIMEOUT)
            .map_err(|error| format!("cannot connect to {address}: {error}"))?;
        stream.set_nodelay(true).ok();
        let control = stream
            .try_clone()
            .map_err(|error| format!("socket: {error}"))?;
        control.set_read_timeout(Some(CONNECT_TIMEOUT)).ok();
        control.set_write_timeout(Some(CONNECT_TIMEOUT)).ok();
        let connector = if secure {
            Some(tungstenite::Connector::Rustls(
                super::api::tls::rustls_config()?,
            ))
        } else {
            Some(tungstenite::Connector::Plain)
        };
        let (socket, _response) = tungstenite::client_tls_with_config(
            request, stream, None, connector,
        )
        .map_err(|error| match error {
            tungstenite::HandshakeError::Failure(error) => {
                format!("WebSocket handshake with {url} failed: {error}")
            }
            tungstenite::HandshakeError::Interrupted(_) => {
                format!("WebSocket handshake with {url} timed out")
            }
        })?;
        control
            .set_read_timeout(None)
            .and_then(|()| control.set_write_timeout(None))
            .and_then(|()| control.set_nonblocking(true))
            .map_err(|error| format!("socket: {error}"))?;
        Ok(Connection {
            socket,
            control,
            unflushed: false,
        })
    }

    /// The socket, to wait for with `poll`.
    pub(crate) fn fd(&self) -> BorrowedFd<'_> {
        self.control.as_fd()
    }

    /// Whether frames wait for the socket to be writable.
    pub(crate) fn wants_write(&self) -> bool {
        self.unflushed
    }

    /// Reads the next message that has arrived, or [`Read::Drained`]; read until then, so that
    /// nothing is left in the TLS or WebSocket buffers when the loop waits again. An error
    /// means the connection is gone.
    pub(crate) fn read(&mut self) -> Result<Read, String> {
        match self.socket.read() {
            Ok(Message::Text(text)) => Ok(Read::Notice(Notice::parse(text.as_str()))),
            Ok(Message::Pong(_)) => Ok(Read::Pong),
            Ok(Message::Close(frame)) => Err(match frame {
                Some(frame) => format!("closed by the server ({}: {})", frame.code, frame.reason),
                None => "closed by the server".to_owned(),
            }),
            Ok(_) => {
                // A ping: tungstenite queued its pong.
                self.unflushed = true;
                Ok(Read::Nothing)
            }
            Err(error) if would_block(&error) => Ok(Read::Drained),
            Err(error) => Err(error.to_string()),
        }
    }

    /// Sends what is queued as far as the socket takes it; the rest stays queued
    /// ([`wants_write`](Connection::wants_write)).
    pub(crate) fn flush(&mut self) -> Result<(), String> {
        match self.socket.flush() {
            Ok(()) => {
                self.unflushed = false;
                Ok(())
            }
            Err(error) if would_block(&error) => {
                self.unflushed = true;
                Ok(())
            }
            Err(error) => Err(error.to_string()),
        }
    }

    fn send(&mut self, message: Message) -> Result<(), String> {
        match self.socket.write(message) {
            Ok(()) => {}
            Err(error) if would_block(&error) => {}
            Err(error) => return Err(error.to_string()),
        }
        self.flush()
    }

    /// Sends a ping; the pong comes through [`read`](Connection::read).
    pub(crate) fn ping(&mut self) -> Result<(), String> {
        self.send(Message::Ping(Vec::new().into()))
    }

    /// Sends a text frame (a live log message).
    pub(crate) fn send_text(&mut self, text: String) -> Result<(), String> {
        self.send(Message::Text(text.into()))
    }

    /// Closes politely, waiting a little for the socket to take the close frame; errors are
    /// of no interest any more.
    pub(crate) fn close(mut self) {
        let _ = self.control.set_nonblocking(false);
        let _ = self.control.set_write_timeout(Some(Duration::from_secs(1)));
        let _ = self.socket.close(None);
        let _ = self.socket.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_url_swaps_the_scheme_once() {
        assert_eq!(
            url_for("https://h.example/api"),
            "wss://h.example/api/ws/1.0/worker/connect/"
        );
        assert_eq!(
            url_for("http://127.0.0.1:8000/api/"),
            "ws://127.0.0.1:8000/api/ws/1.0/worker/connect/"
        );
    }

    #[test]
    fn the_servers_messages_are_read() {
        assert_eq!(
            Notice::parse(r#"{"type": "websocket.send", "text": "work_request_available"}"#),
            Notice::WorkRequestAvailable
        );
        assert_eq!(
            Notice::parse(r#"{"type": "websocket.send", "text": "request_dynamic_metadata"}"#),
            Notice::RequestDynamicMetadata
        );
        assert_eq!(
            Notice::parse(
                r#"{"type": "connection_rejected", "reason": "Token is disabled", "reason_code": "TOKEN_DISABLED"}"#
            ),
            Notice::Refused {
                kind: "connection_rejected".into(),
                reason: "Token is disabled".into(),
                code: "TOKEN_DISABLED".into()
            }
        );
        assert!(matches!(Notice::parse("not json"), Notice::Other(_)));
    }
}
