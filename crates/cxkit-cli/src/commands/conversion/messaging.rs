//! `cxkit conversion message …`: messages, files and templates to a prospect.

use super::subcommands::MessageCommand;
use super::{body, pairs, show_all};
use crate::commands::Context;
use crate::error::CliError;
use cxkit::conversion::{self, types, Client, CommunicationChannel};

/// `whatsapp` → the known channel; anything else is sent as written.
fn channel(name: &str) -> CommunicationChannel {
    serde_json::from_value(serde_json::json!(name.to_lowercase()))
        .unwrap_or_else(|_| CommunicationChannel::String(name.to_owned()))
}

/// `cxkit conversion message …`
pub(super) async fn message(
    ctx: &Context<'_>,
    client: &Client,
    command: MessageCommand,
) -> Result<(), CliError> {
    let sent = match command {
        MessageCommand::Send {
            prospect,
            channel: c,
            text,
            body: given,
        } => {
            let message: conversion::NewMessage = match (text, given) {
                (Some(text), _) => conversion::NewMessage {
                    content: Some(text),
                    ..Default::default()
                },
                (None, Some(given)) => body(&given)?,
                (None, None) => return Err(CliError::usage("pass --text or --body")),
            };
            client
                .send_message(&prospect, &channel(&c), message)
                .await?
        }
        MessageCommand::File {
            prospect,
            channel: c,
            path,
            mime_type,
        } => {
            let content = std::fs::read(&path)
                .map_err(|e| CliError::usage(format!("cannot read {}: {e}", path.display())))?;
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| "file".into());
            client
                .send_file(&prospect, &channel(&c), &name, &mime_type, content)
                .await?
        }
        MessageCommand::Template {
            prospect,
            channel: c,
            key,
            params,
        } => {
            let parameters = pairs(&params)?
                .into_iter()
                .map(|(k, v)| (k, v.as_str().map_or_else(|| v.to_string(), str::to_owned)))
                .collect();
            let template = types::NewTemplateMessage { key, parameters };
            client
                .send_template(&prospect, &channel(&c), template)
                .await?
        }
    };
    show_all(ctx, sent).await
}
