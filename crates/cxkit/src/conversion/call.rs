//! Sending one generated request and turning its failure into a [`crate::Error`].

use super::Client;
use crate::error::{from_generated, Api, Error};
use conversion_api::types;
use std::future::Future;

/// What a generated Conversion call returns.
type Sent<T> = Result<conversion_api::ResponseValue<T>, conversion_api::Error<types::Error>>;

impl Client {
    /// Awaits a generated call for `operation` (its `operationId`), keeping the body and
    /// mapping a failure to [`Error`] with the client's secrets masked.
    pub(crate) async fn call<T>(
        &self,
        operation: &'static str,
        sent: impl Future<Output = Sent<T>>,
    ) -> Result<T, Error> {
        sent.await
            .map(conversion_api::ResponseValue::into_inner)
            .map_err(|e| {
                // Subscriptions quote callback URLs, whose `secret` is not the client's own.
                from_generated(Api::Conversion, operation, self.raw.context(), e)
                    .masked_with(super::webhook::mask_secret_params)
            })
    }
}
