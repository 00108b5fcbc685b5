//! The worker's WebSocket: how the server tells it to send metadata or take work.
//!
//! `api-url` with `http` replaced by `ws` once, plus `/ws/1.0/worker/connect/`, with the
//! header `token`. Reads wait at most a short poll interval, so that the worker loop can watch
//! its task and the signals between messages.

use std::io;
use std::net::{TcpStream, ToSocketAddrs};
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
    /// Nothing within the poll interval, or a frame with nothing to act on.
    Nothing,
}

/// An open WebSocket to the server.
pub(crate) struct Connection {
    socket: WebSocket<MaybeTlsStream<TcpStream>>,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Connection")
    }
}

impl Connection {
    /// Connects to `url` with `token`; reads then wait at most `poll`.
    pub(crate) fn open(url: &str, token: &Token, poll: Duration) -> Result<Self, String> {
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
            .set_read_timeout(Some(poll))
            .map_err(|error| format!("socket: {error}"))?;
        Ok(Connection { socket })
    }

    /// Waits up to the poll interval for a message. An error means the connection is gone.
    pub(crate) fn read(&mut self) -> Result<Read, String> {
        match self.socket.read() {
            Ok(Message::Text(text)) => Ok(Read::Notice(Notice::parse(text.as_str()))),
            Ok(Message::Pong(_)) => Ok(Read::Pong),
            Ok(Message::Close(frame)) => Err(match frame {
                Some(frame) => format!("closed by the server ({}: {})", frame.code, frame.reason),
                None => "closed by the server".to_owned(),
            }),
            Ok(_) => Ok(Read::Nothing),
            Err(tungstenite::Error::Io(error))
                if matches!(
                    error.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                // Nothing came; flush what tungstenite queued (pongs to the server's pings).
                match self.socket.flush() {
                    Ok(()) => Ok(Read::Nothing),
                    Err(tungstenite::Error::Io(error))
                        if matches!(
                            error.kind(),
                            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                        ) =>
                    {
                        Ok(Read::Nothing)
                    }
                    Err(error) => Err(error.to_string()),
                }
            }
            Err(error) => Err(error.to_string()),
        }
    }

    /// Sends a ping; the pong comes through [`read`](Connection::read).
    pub(crate) fn ping(&mut self) -> Result<(), String> {
        self.socket
            .send(Message::Ping(Vec::new().into()))
            .map_err(|error| error.to_string())
    }

    /// Closes politely; errors are of no interest any more.
    pub(crate) fn close(mut self) {
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
