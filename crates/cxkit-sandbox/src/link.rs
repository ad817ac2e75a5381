//! A shaped link in front of the sandbox, for tests and benchmarks that must model the
//! network users have rather than loopback: one bandwidth budget shared by every connection
//! (a link of `mbit` Mbit/s, bytes sent in order), and a round-trip delay (half each way).
//!
//! The sandbox's own server listens on a private port; the public port forwards each
//! connection to it through two pumps. The server-to-client pump takes bytes off the shared
//! link in turn: a chunk leaves once the link has sent everything queued before it, and
//! arrives half a round trip later. TCP's own windows are not modelled: the link is the only
//! limit, as on a long fat pipe with an up-to-date stack.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::Instant;

/// A link's shape.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Link {
    /// Bandwidth from the server to the clients, shared by all connections, in Mbit/s.
    pub mbit: f64,
    /// Round-trip time added to every exchange.
    pub rtt: Duration,
}

/// The shared link: when it is free to send the next byte.
struct Wire {
    bytes_per_sec: f64,
    free_at: Mutex<Instant>,
}

impl Wire {
    /// Takes `len` bytes onto the link: when their last byte has left.
    fn send(&self, len: usize) -> Instant {
        let mut free_at = self.free_at.lock().unwrap_or_else(|e| e.into_inner());
        let start = (*free_at).max(Instant::now());
        let done = start + Duration::from_secs_f64(len as f64 / self.bytes_per_sec);
        *free_at = done;
        done
    }
}

/// Serves `listener` by forwarding every connection to `upstream` through `link`.
pub(crate) async fn serve(listener: TcpListener, upstream: SocketAddr, link: Link) {
    let wire = Arc::new(Wire {
        bytes_per_sec: (link.mbit * 1_000_000.0 / 8.0).max(1.0),
        free_at: Mutex::new(Instant::now()),
    });
    let one_way = link.rtt / 2;
    loop {
        let Ok((client, _)) = listener.accept().await else {
            continue;
        };
        let wire = wire.clone();
        tokio::spawn(async move {
            let Ok(server) = TcpStream::connect(upstream).await else {
                return;
            };
            let _ = client.set_nodelay(true);
            let _ = server.set_nodelay(true);
            let (client_read, client_write) = client.into_split();
            let (server_read, server_write) = server.into_split();
            tokio::join!(
                pump(client_read, server_write, one_way, None),
                pump(server_read, client_write, one_way, Some(wire)),
            );
        });
    }
}

/// Copies `from` to `to`, each chunk delayed by `delay` (and by its turn on `wire`).
async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    delay: Duration,
    wire: Option<Arc<Wire>>,
) {
    // Bounded, so a slow link pushes back on the server as a real one does.
    let (tx, mut rx) = tokio::sync::mpsc::channel::<(Instant, Vec<u8>)>(32);
    let reader = async move {
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            let n = match from.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            let left = match &wire {
                Some(wire) => wire.send(n),
                None => Instant::now(),
            };
            if tx.send((left + delay, buf[..n].to_vec())).await.is_err() {
                break;
            }
        }
    };
    let writer = async move {
        while let Some((at, chunk)) = rx.recv().await {
            tokio::time::sleep_until(at).await;
            if to.write_all(&chunk).await.is_err() {
                return;
            }
        }
        let _ = to.shutdown().await;
    };
    tokio::join!(reader, writer);
}
