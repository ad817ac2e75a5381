//! Decoding pages into cxkit's types vs into `serde_json::Value` (what a hand-written client
//! does): a 10,000-row zchat history page and a 100,000-row Converz calls page.
//!
//! `cargo bench -p cxkit --bench decode` (or `cargo xtask bench`, which also reports ratios).

// `criterion_group!` generates undocumented functions.
#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use futures::StreamExt;
use std::hint::black_box;

const CHANNELS: [&str; 4] = ["WHATSAPP", "EMAIL", "TEXT", "INSTAGRAM"];

/// A zchat history page shaped like the vendor's (and the sandbox's) rows.
pub fn zchat_page(rows: usize) -> Vec<u8> {
    let mut out = String::from(r#"{"status":200,"success":true,"data":["#);
    for i in 0..rows {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&format!(
            r#"{{"id":"2024{i:08}","active":"{}","agent":{{"id":"{}","name":"Agent {}","phone_extension":"20{:02}"}},"created_at":"2024-03-{:02}T12:{:02}:05.123Z","current_state":"ENDED","current_state_time":"2024-03-01T12:30:00.000Z","customer":{{"id":"c{i}","fields":{{"channel_email":["c{i}@example.com"],"channel_phone":"+55119{i:08}","main_identifier":"Cliente {i}","document":""}}}},"department":{{"id":"{}","name":"Suporte"}},"first_answer_time":"2024-03-01T12:01:00.000Z","media":"{}","mood":"{}","sla_overdue":{}}}"#,
            i % 4 == 0,
            i % 20,
            i % 20,
            i % 20,
            i % 28 + 1,
            i % 60,
            i % 5,
            CHANNELS[i % 4],
            i % 5 + 1,
            i % 7 == 0
        ));
    }
    out.push_str("]}");
    out.into_bytes()
}

/// A Converz calls page: `call_id`, `rep_id` and open columns.
pub fn calls_page(rows: usize) -> Vec<u8> {
    let mut out = String::from("[");
    for i in 0..rows {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&format!(
            r#"{{"call_id":{},"rep_id":"rep{:03}","start_time":"2024-03-01 12:{:02}:00","duration":{},"campaign":"sales","subcampaign":"sales-1","vendor":"five9","vendor_call_id":"v-{i}","department":"support","summary":"Customer asked about sales."}}"#,
            i + 1,
            i % 50,
            i % 60,
            30 + i % 1200
        ));
    }
    out.push(']');
    out.into_bytes()
}

fn zchat(c: &mut Criterion) {
    let page = zchat_page(10_000);
    let mut group = c.benchmark_group("zchat_history_10k");
    group.throughput(Throughput::Bytes(page.len() as u64));
    group.sample_size(20);
    group.bench_function(BenchmarkId::new("decode", "cxkit_types"), |b| {
        b.iter(|| {
            black_box(serde_json::from_slice::<zchat_api::types::HistoryPage>(&page).unwrap())
        })
    });
    let body = bytes::Bytes::from(page.clone());
    group.bench_function(BenchmarkId::new("decode", "cxkit_raw"), |b| {
        b.iter(|| black_box(cxkit::raw::zchat_page(&body).unwrap()))
    });
    group.bench_function(BenchmarkId::new("decode", "serde_json_value"), |b| {
        b.iter(|| black_box(serde_json::from_slice::<serde_json::Value>(&page).unwrap()))
    });
    group.finish();
}

fn converz(c: &mut Criterion) {
    let page = calls_page(100_000);
    let mut group = c.benchmark_group("converz_calls_100k");
    group.throughput(Throughput::Bytes(page.len() as u64));
    group.sample_size(10);
    group.bench_function(BenchmarkId::new("decode", "cxkit_types"), |b| {
        b.iter(|| {
            black_box(serde_json::from_slice::<Vec<converz_api::types::Call>>(&page).unwrap())
        })
    });
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    group.bench_function(BenchmarkId::new("decode", "cxkit_streaming"), |b| {
        b.iter(|| {
            let chunks: Vec<Result<bytes::Bytes, std::io::Error>> = page
                .chunks(64 * 1024)
                .map(|c| Ok(bytes::Bytes::copy_from_slice(c)))
                .collect();
            use cxkit::json_rows::OpenRow;
            let rows = cxkit::json_rows::decode_rows_with(
                futures::stream::iter(chunks),
                converz_api::types::Call::parse,
            );
            runtime.block_on(rows.fold(0usize, |n, r| async move { n + usize::from(r.is_ok()) }))
        })
    });
    group.bench_function(BenchmarkId::new("decode", "cxkit_raw"), |b| {
        b.iter(|| {
            let chunks: Vec<Result<bytes::Bytes, std::io::Error>> = page
                .chunks(64 * 1024)
                .map(|c| Ok(bytes::Bytes::copy_from_slice(c)))
                .collect();
            let rows = cxkit::json_rows::decode_rows_with(futures::stream::iter(chunks), |row| {
                cxkit::RawRow::from_slice(row, "call_id")
            });
            runtime.block_on(rows.fold(0usize, |n, r| async move { n + usize::from(r.is_ok()) }))
        })
    });
    group.bench_function(BenchmarkId::new("decode", "serde_json_value"), |b| {
        b.iter(|| black_box(serde_json::from_slice::<serde_json::Value>(&page).unwrap()))
    });
    group.finish();
}

criterion_group!(benches, zchat, converz);
criterion_main!(benches);
