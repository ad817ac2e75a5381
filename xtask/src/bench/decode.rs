//! Decode (criterion): one zchat 10k-row page and one Converz 100k-row page, cxkit types vs
//! `serde_json::Value`.

use super::common::{cargo, number_after, status};
use std::path::Path;
use std::time::Duration;

/// One criterion measurement: mean time and bytes per iteration.
pub struct Decode {
    pub name: String,
    pub mean: Duration,
    pub bytes: u64,
    pub rows: u64,
}

pub fn decode(root: &Path, smoke: bool) -> Result<Vec<Decode>, String> {
    if smoke {
        // Criterion's test mode: each benchmark runs once, unoptimised, built in the test
        // command's feature resolution so that it reuses that build (see
        // `python::build_debug_binaries`).
        status(cargo(root).args(["test", "--workspace", "--all-features", "--bench", "decode"]))?;
        return Ok(Vec::new());
    }
    status(cargo(root).args(["bench", "-p", "cxkit", "--bench", "decode"]))?;
    let mut out = Vec::new();
    for (group, rows) in [
        ("zchat_history_10k", 10_000),
        ("converz_calls_100k", 100_000),
    ] {
        for variant in [
            "cxkit_types",
            "cxkit_streaming",
            "cxkit_raw",
            "serde_json_value",
        ] {
            let dir = root
                .join("target/criterion")
                .join(group)
                .join("decode")
                .join(variant)
                .join("new");
            let Ok(estimates) = std::fs::read_to_string(dir.join("estimates.json")) else {
                continue;
            };
            let benchmark =
                std::fs::read_to_string(dir.join("benchmark.json")).map_err(|e| e.to_string())?;
            let mean = number_after(&estimates, "\"mean\"", "\"point_estimate\":")
                .ok_or("no mean in estimates.json")?;
            let bytes = number_after(&benchmark, "\"throughput\"", "\"Bytes\":")
                .ok_or("no throughput in benchmark.json")?;
            out.push(Decode {
                name: format!("{group}/{variant}"),
                mean: Duration::from_nanos(mean as u64),
                bytes: bytes as u64,
                rows,
            });
        }
    }
    Ok(out)
}
