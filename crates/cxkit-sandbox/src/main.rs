//! `cxkit-sandbox`: serves the fake Zenvia Chat, Converz and Zenvia Conversion APIs.

use clap::Parser;
use cxkit_sandbox::{Faults, Sandbox, SandboxConfig};
use std::net::SocketAddr;
use std::time::Duration;

/// Fakes of the three vendor APIs, with deterministic data, for trying and testing cxkit.
#[derive(Parser, Debug)]
#[command(
    version,
    about,
    after_help = "Example:\n  cxkit-sandbox --addr 127.0.0.1:8080 --seed 7 --history-rows 1000000 --rate-429 0.05"
)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// Seed of all generated data.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// zchat history rows (spread over 90 days).
    #[arg(long, default_value_t = 10_000)]
    history_rows: u64,
    /// zchat ongoing interactions.
    #[arg(long, default_value_t = 200)]
    ongoing_rows: u64,
    /// Converz users.
    #[arg(long, default_value_t = 50)]
    reps: u64,
    /// Converz conversations (spread over 90 days).
    #[arg(long, default_value_t = 10_000)]
    calls: u64,
    /// Conversion prospects at start.
    #[arg(long, default_value_t = 300)]
    prospects: u64,
    /// Added latency per response, in milliseconds.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Fraction of requests answered 429 with Retry-After.
    #[arg(long, default_value_t = 0.0)]
    rate_429: f64,
    /// Fraction of requests answered 503.
    #[arg(long, default_value_t = 0.0)]
    rate_5xx: f64,
    /// Fraction of connections dropped without a response.
    #[arg(long, default_value_t = 0.0)]
    rate_drop: f64,
    /// Fraction of bodies cut mid-way (the connection breaks after some bytes).
    #[arg(long, default_value_t = 0.0)]
    rate_cut: f64,
    /// A cut body breaks after a drawn number of bytes up to this many.
    #[arg(long, default_value_t = 65_536)]
    cut_max_bytes: u64,
    /// Fraction of bodies that stall mid-way for --stall-ms.
    #[arg(long, default_value_t = 0.0)]
    rate_stall: f64,
    /// How long a stalled body stops, in milliseconds.
    #[arg(long, default_value_t = 30_000)]
    stall_ms: u64,
    /// Fraction of responses whose headers come --slow-headers-ms late.
    #[arg(long, default_value_t = 0.0)]
    rate_slow_headers: f64,
    /// How late slow headers are, in milliseconds.
    #[arg(long, default_value_t = 2_000)]
    slow_headers_ms: u64,
    /// Fraction of requests answered 302 to --redirect-to.
    #[arg(long, default_value_t = 0.0)]
    rate_redirect: f64,
    /// The other origin redirects point at, e.g. http://127.0.0.2:9999.
    #[arg(long)]
    redirect_to: Option<String>,
    /// Answer 429 to a request arriving while this many are being answered (a rate limit).
    #[arg(long)]
    max_concurrent: Option<usize>,
    /// Render each successful GET once and answer repeats from memory (benchmarks).
    #[arg(long)]
    replay: bool,
    /// Seconds sent in Retry-After with a 429.
    #[arg(long, default_value_t = 1)]
    retry_after_secs: u64,
    /// Compression level of responses to requests that accept it (gzip 1..9; nginx's
    /// default is 1).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=9))]
    compression_level: u32,
    /// Never compress responses.
    #[arg(long)]
    no_compression: bool,
    /// Serve through a link of this many Mbit/s shared by every connection.
    #[arg(long, requires = "link_rtt_ms")]
    link_mbit: Option<f64>,
    /// The link's round-trip time, in milliseconds.
    #[arg(long, requires = "link_mbit")]
    link_rtt_ms: Option<u64>,
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .init();
    let args = Args::parse();
    let config = SandboxConfig {
        seed: args.seed,
        history_rows: args.history_rows,
        ongoing_rows: args.ongoing_rows,
        reps: args.reps,
        calls: args.calls,
        prospects: args.prospects,
        faults: Faults {
            latency: Duration::from_millis(args.latency_ms),
            rate_429: args.rate_429,
            rate_5xx: args.rate_5xx,
            rate_drop: args.rate_drop,
            rate_cut: args.rate_cut,
            rate_stall: args.rate_stall,
            rate_slow_headers: args.rate_slow_headers,
            rate_redirect: args.rate_redirect,
            retry_after_secs: args.retry_after_secs,
            max_concurrent: args.max_concurrent,
            cut_max_bytes: args.cut_max_bytes,
            stall: Duration::from_millis(args.stall_ms),
            slow_headers: Duration::from_millis(args.slow_headers_ms),
            redirect_to: args.redirect_to,
        },
        replay: args.replay,
        compression: (!args.no_compression).then_some(args.compression_level),
        link: args
            .link_mbit
            .zip(args.link_rtt_ms)
            .map(|(mbit, rtt)| cxkit_sandbox::Link {
                mbit,
                rtt: Duration::from_millis(rtt),
            }),
        ..SandboxConfig::default()
    };
    let sandbox = Sandbox::bind(config, args.addr).await?;
    let c = sandbox.credentials();
    println!("cxkit-sandbox listening on http://{}", sandbox.addr());
    println!(
        "  ZCHAT_BASE_URL={}  ZCHAT_TOKEN={}",
        sandbox.zchat_base_url(),
        c.zchat_token
    );
    println!(
        "  CONVERZ_BASE_URL={}  CONVERZ_API_KEY={}",
        sandbox.converz_base_url(),
        c.converz_api_key
    );
    println!(
        "  CONVERSION_BASE_URL={}  CONVERSION_API_KEY={}",
        sandbox.conversion_base_url(),
        c.conversion_api_key
    );
    tokio::signal::ctrl_c().await?;
    println!("stopping");
    Ok(())
}
