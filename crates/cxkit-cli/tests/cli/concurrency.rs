//! `--concurrency N`: the same output, byte for byte, whatever N; and a bad N is a usage error.

use super::stdout_of;
use crate::common::cxkit;

#[test]
fn every_list_writes_the_same_bytes_at_any_concurrency() {
    let lists: [&[&str]; 4] = [
        &[
            "zchat",
            "history",
            "--from",
            "2024-03-01",
            "--to",
            "2024-03-31",
            "--page-size",
            "97",
        ],
        &[
            "zchat",
            "history",
            "--expanded",
            "--from",
            "2024-03-01",
            "--to",
            "2024-03-15",
            "--page-size",
            "101",
        ],
        &["converz", "calls", "--page-size", "333"],
        &[
            "conversion",
            "prospects",
            "--from",
            "2023-10-01",
            "--to",
            "2024-04-01",
            "--page-size",
            "9",
        ],
    ];
    for list in lists {
        for format in ["jsonl", "csv", "json"] {
            let run = |concurrency: &str| {
                let mut args = vec![
                    "--sandbox",
                    "--format",
                    format,
                    "--concurrency",
                    concurrency,
                ];
                args.extend_from_slice(list);
                stdout_of(&args)
            };
            let one = run("1");
            assert!(
                one.lines().count() > 20,
                "{list:?} {format}: {} lines",
                one.lines().count()
            );
            assert!(
                one == run("8"),
                "{list:?} as {format} differs at --concurrency 8"
            );
        }
    }
}

#[test]
fn a_concurrency_outside_1_to_64_is_a_usage_error() {
    for bad in ["0", "65", "many"] {
        cxkit()
            .args(["--sandbox", "--concurrency", bad, "zchat", "ongoing"])
            .assert()
            .code(2);
    }
}
