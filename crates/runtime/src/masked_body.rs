//! Masking secrets in a body that streams: a secret split across two chunks is still caught,
//! by holding back the last few bytes of each chunk until the next one arrives.

use crate::secret::{redact_bytes, Secret};
use bytes::{Bytes, BytesMut};
use futures::{Stream, StreamExt};

/// `body` with every occurrence of `secrets` masked, chunk boundaries included.
pub(crate) fn mask_stream<S, E>(
    body: S,
    secrets: Vec<Secret>,
) -> impl Stream<Item = Result<Bytes, E>>
where
    S: Stream<Item = Result<Bytes, E>>,
{
    let keep = secrets
        .iter()
        .map(|s| {
            crate::secret::secret_forms(&[s])
                .iter()
                .map(String::len)
                .max()
                .unwrap_or(0)
        })
        .max()
        .unwrap_or(0)
        .saturating_sub(1);
    let state = (Box::pin(body), BytesMut::new(), false);
    futures::stream::unfold(state, move |(mut body, mut held, mut done)| {
        let secrets = secrets.clone();
        async move {
            if done {
                return None;
            }
            let refs: Vec<&Secret> = secrets.iter().collect();
            match body.next().await {
                Some(Ok(chunk)) => {
                    held.extend_from_slice(&chunk);
                    let masked = BytesMut::from(&redact_bytes(&held, &refs)[..]);
                    // A secret can only straddle the boundary within the last `keep` bytes.
                    let cut = masked.len().saturating_sub(keep);
                    let mut masked = masked;
                    let tail = masked.split_off(cut);
                    Some((Ok(masked.freeze()), (body, tail, false)))
                }
                Some(Err(error)) => {
                    done = true;
                    Some((Err(error), (body, held, done)))
                }
                None => {
                    let last = Bytes::from(redact_bytes(&held, &refs).into_owned());
                    Some((Ok(last), (body, BytesMut::new(), true)))
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_secret_split_across_chunks_is_masked() {
        let chunks = ["{\"echo\":\"to", "k3n-9999\",\"n\":1}", " tok3n-9999"];
        let body = futures::stream::iter(
            chunks.map(|c| Ok::<_, std::io::Error>(Bytes::from_static(c.as_bytes()))),
        );
        let out: Vec<Bytes> = mask_stream(body, vec![Secret::new("tok3n-9999")])
            .map(|c| c.unwrap())
            .collect()
            .await;
        let text: String = out.iter().map(|c| String::from_utf8_lossy(c)).collect();
        assert_eq!(text, "{\"echo\":\"***\",\"n\":1} ***");
    }

    /// Every way to cut a body holding secrets (raw and percent-encoded, at the start, the
    /// end, twice, next to each other) into three chunks gives exactly the whole body masked.
    #[tokio::test]
    async fn a_secret_is_masked_wherever_the_chunk_boundaries_fall() {
        let secret = Secret::new("s3cr/t+9");
        let bodies = [
            "s3cr/t+9",
            "{\"a\":\"s3cr/t+9\",\"b\":\"s3cr%2Ft%2B9\"}",
            "xs3cr/t+9s3cr/t+9y",
            "no secret at all here",
            "s3cr/t+s3cr/t+9",
        ];
        for body in bodies {
            let whole = redact_bytes(body.as_bytes(), &[&secret]).into_owned();
            for first in 0..=body.len() {
                for second in first..=body.len() {
                    let parts = [&body[..first], &body[first..second], &body[second..]];
                    let stream =
                        futures::stream::iter(parts.map(|p| {
                            Ok::<_, std::io::Error>(Bytes::copy_from_slice(p.as_bytes()))
                        }));
                    let out: Vec<u8> = mask_stream(stream, vec![secret.clone()])
                        .map(|c| c.unwrap())
                        .collect::<Vec<_>>()
                        .await
                        .concat();
                    assert_eq!(out, whole, "{body:?} cut at {first} and {second}");
                }
            }
        }
    }
}
