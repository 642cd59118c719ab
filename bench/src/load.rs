//! A small closed-loop load generator over keep-alive HTTP/1 connections to loopback.

use std::future::Future;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use anyhow::Context;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;

/// Results of one load phase.
#[derive(Debug, Clone)]
pub struct Stats {
    /// Successful operations.
    pub ok: u64,
    /// Failed operations.
    pub errors: u64,
    /// Wall time of the phase.
    pub elapsed: Duration,
    /// Latencies of successful operations in microseconds, sorted.
    pub latencies_us: Vec<u32>,
}

impl Stats {
    /// Successful operations per second.
    pub fn rate(&self) -> f64 {
        self.ok as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// A latency percentile in milliseconds.
    pub fn percentile_ms(&self, p: f64) -> f64 {
        f64::from(percentile(&self.latencies_us, p)) / 1000.0
    }
}

/// The nearest-rank percentile of sorted values (0 for none).
pub fn percentile(sorted: &[u32], p: f64) -> u32 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// One keep-alive HTTP/1.1 connection.
pub struct Conn {
    sender: SendRequest<Full<Bytes>>,
    host: String,
}

impl Conn {
    /// Connects to a loopback address.
    pub async fn connect(addr: SocketAddr) -> anyhow::Result<Conn> {
        anyhow::ensure!(addr.ip().is_loopback(), "load goes to loopback only");
        let stream = tokio::net::TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
        tokio::spawn(async move {
            let _ = conn.await;
        });
        Ok(Conn {
            sender,
            host: format!("localhost:{}", addr.port()),
        })
    }

    /// POSTs a form body; returns status and body.
    pub async fn post_form(
        &mut self,
        path: &str,
        basic: Option<&str>,
        body: String,
    ) -> anyhow::Result<(u16, Bytes)> {
        self.post_form_with(path, basic, None, body).await
    }

    /// POSTs a form body with a `DPoP` proof header; returns status and body.
    pub async fn post_form_with(
        &mut self,
        path: &str,
        basic: Option<&str>,
        dpop: Option<String>,
        body: String,
    ) -> anyhow::Result<(u16, Bytes)> {
        self.sender.ready().await?;
        let mut req = hyper::Request::post(path)
            .header(hyper::header::HOST, &self.host)
            .header(
                hyper::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            );
        if let Some(b) = basic {
            req = req.header(hyper::header::AUTHORIZATION, b);
        }
        if let Some(p) = dpop {
            req = req.header("dpop", p);
        }
        let resp = self
            .sender
            .send_request(req.body(Full::new(Bytes::from(body)))?)
            .await?;
        let status = resp.status().as_u16();
        let body = resp.into_body().collect().await.context("body")?.to_bytes();
        Ok((status, body))
    }
}

/// Runs `op` in a closed loop on each worker state until `duration` has passed (or `max_ops` in
/// total were attempted), and collects latencies of successful operations.
pub async fn measure<S, F, Fut>(states: Vec<S>, duration: Duration, max_ops: u64, op: F) -> Stats
where
    S: Send + 'static,
    F: Fn(S) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = (S, bool)> + Send,
{
    let workers = states.len().max(1) as u64;
    let per_worker = max_ops / workers;
    let start = Instant::now();
    let deadline = start + duration;
    let tasks: Vec<_> = states
        .into_iter()
        .map(|state| {
            let op = op.clone();
            tokio::spawn(async move {
                let mut state = state;
                let mut lat = Vec::with_capacity(16 * 1024);
                let mut errors = 0u64;
                let mut n = 0u64;
                while Instant::now() < deadline && n < per_worker {
                    n += 1;
                    let t = Instant::now();
                    let (next, ok) = op(state).await;
                    state = next;
                    if ok {
                        lat.push(t.elapsed().as_micros().min(u128::from(u32::MAX)) as u32);
                    } else {
                        errors += 1;
                    }
                }
                (lat, errors)
            })
        })
        .collect();
    let mut latencies = Vec::new();
    let mut errors = 0;
    for t in tasks {
        if let Ok((lat, e)) = t.await {
            latencies.extend(lat);
            errors += e;
        }
    }
    let elapsed = start.elapsed();
    latencies.sort_unstable();
    Stats {
        ok: latencies.len() as u64,
        errors,
        elapsed,
        latencies_us: latencies,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentile_nearest_rank() {
        let v: Vec<u32> = (1..=100).collect();
        assert_eq!(percentile(&v, 50.0), 50);
        assert_eq!(percentile(&v, 99.0), 99);
        assert_eq!(percentile(&v, 100.0), 100);
        assert_eq!(percentile(&[7], 99.0), 7);
        assert_eq!(percentile(&[], 50.0), 0);
    }
}
