//! `cxkit conversion …`: every operation of the Zenvia Conversion API, grouped by resource.

mod args;
mod directory;
mod lists;
mod messaging;
mod prospects;
mod subcommands;

pub use args::Conversion;

use crate::commands::{export_all, Context};
use crate::error::CliError;
use crate::output::Columns;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};

/// `cxkit conversion …`
#[deny(clippy::wildcard_enum_match_arm)]
pub async fn run(ctx: &Context<'_>, command: Conversion) -> Result<(), CliError> {
    let client = ctx.clients.conversion()?;
    match command {
        Conversion::Prospect(c) => prospects::prospect(ctx, &client, c).await,
        Conversion::Interaction(c) => prospects::interaction(ctx, &client, c).await,
        Conversion::Quote(c) => prospects::quote(ctx, &client, c).await,
        Conversion::Message(c) => messaging::message(ctx, &client, c).await,
        Conversion::Agent(c) => directory::agent(ctx, &client, c).await,
        Conversion::Group(c) => directory::group(ctx, &client, c).await,
        Conversion::App(c) => directory::app(ctx, &client, c).await,
        Conversion::Lists(c) => lists::run(ctx, &client, c).await,
        Conversion::Directory(c) => directory::run(ctx, &client, c).await,
    }
}

/// Writes one answer (a table of its fields on a terminal, one JSON line otherwise).
async fn show<T: Serialize>(ctx: &Context<'_>, value: T) -> Result<(), CliError> {
    export_all(ctx.open(Columns::FromRows)?, vec![value]).await
}

/// Writes a list of answers.
async fn show_all<T: Serialize>(ctx: &Context<'_>, values: Vec<T>) -> Result<(), CliError> {
    export_all(ctx.open(Columns::FromRows)?, values).await
}

/// A request body given as JSON inline or `@FILE`, checked against the generated type.
fn body<T: DeserializeOwned>(text: &str) -> Result<T, CliError> {
    let json = match text.strip_prefix('@') {
        Some(path) => std::fs::read_to_string(path)
            .map_err(|e| CliError::usage(format!("cannot read {path}: {e}")))?,
        None => text.to_owned(),
    };
    let what = std::any::type_name::<T>()
        .rsplit("::")
        .next()
        .unwrap_or("body");
    serde_json::from_str(&json)
        .map_err(|e| CliError::usage(format!("the --body is not a valid {what}: {e}")))
}

/// `KEY=VALUE` pairs into a JSON object; a value that is JSON (`80`, `true`) keeps its type.
fn pairs(items: &[String]) -> Result<Map<String, Value>, CliError> {
    items
        .iter()
        .map(|item| {
            let (key, value) = item
                .split_once('=')
                .filter(|(k, _)| !k.is_empty())
                .ok_or_else(|| CliError::usage(format!("`{item}` is not KEY=VALUE")))?;
            let value =
                serde_json::from_str(value).unwrap_or_else(|_| Value::String(value.to_owned()));
            Ok((key.to_owned(), value))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn pairs_keep_json_types_and_refuse_what_is_not_a_pair() {
        let parsed = pairs(&["score=80".into(), "city=Recife".into(), "vip=true".into()]).unwrap();
        assert_eq!(
            Value::Object(parsed),
            json!({"score": 80, "city": "Recife", "vip": true})
        );
        assert_eq!(
            pairs(&["nokey".into()]).unwrap_err().code,
            crate::error::USAGE
        );
        assert_eq!(pairs(&["=x".into()]).unwrap_err().code, crate::error::USAGE);
    }

    #[test]
    fn a_body_that_does_not_fit_its_type_is_a_usage_error_naming_it() {
        let err = body::<cxkit::conversion::NewQuote>(r#"{"items": "none"}"#).unwrap_err();
        assert_eq!(err.code, crate::error::USAGE);
        assert!(err.message.contains("NewQuote"), "{}", err.message);
    }
}
