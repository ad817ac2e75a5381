//! `cxkit conversion prospect|interaction|quote …`: one prospect, its interactions and quotes.

use super::subcommands::{InteractionCommand, ProspectCommand, QuoteCommand};
use super::{body, pairs, show, show_all};
use crate::commands::Context;
use crate::error::CliError;
use cxkit::conversion::{self, types, Client};

/// `cxkit conversion prospect …`
pub(super) async fn prospect(
    ctx: &Context<'_>,
    client: &Client,
    command: ProspectCommand,
) -> Result<(), CliError> {
    match command {
        ProspectCommand::Get { id } => show(ctx, client.prospect(&id).await?).await,
        ProspectCommand::Update {
            id,
            first_name,
            last_name,
            phone,
            email,
            label,
            archiving_reason,
        } => {
            let phone = phone
                .map(|p| p.parse())
                .transpose()
                .map_err(|_| CliError::usage("--phone must not be empty"))?;
            let change = conversion::UpdateProspect {
                first_name,
                last_name,
                phone,
                email,
                label,
                archiving_reason,
            };
            if change == conversion::UpdateProspect::default() {
                return Err(CliError::usage(
                    "nothing to update: pass at least one --field",
                ));
            }
            show(ctx, client.update_prospect(&id, change).await?).await
        }
        ProspectCommand::Delete { id } => show(ctx, client.delete_prospect(&id).await?).await,
        ProspectCommand::Transfer {
            id,
            group,
            user,
            as_user,
        } => {
            let to = conversion::Transfer { group, user };
            let answer = if as_user {
                client.transfer_as_user(&id, to).await?
            } else {
                client.transfer_prospect(&id, to).await?
            };
            show(ctx, answer).await
        }
        ProspectCommand::Archive { id, reason } => {
            show(ctx, client.archive_as_user(&id, &reason).await?).await
        }
        ProspectCommand::Label { id, label } => {
            show(ctx, client.label_prospect(&id, &label).await?).await
        }
        ProspectCommand::SetData { id, fields } => {
            show(
                ctx,
                client.update_additional_data(&id, pairs(&fields)?).await?,
            )
            .await
        }
        ProspectCommand::Fields { id } => show_all(ctx, client.additional_fields(&id).await?).await,
        ProspectCommand::Rate { id, score, comment } => {
            let rating = types::Csat {
                result: score,
                comment,
            };
            show(ctx, client.rate_prospect(&id, rating).await?).await
        }
    }
}

/// `cxkit conversion interaction …`
pub(super) async fn interaction(
    ctx: &Context<'_>,
    client: &Client,
    command: InteractionCommand,
) -> Result<(), CliError> {
    match command {
        InteractionCommand::Get { prospect, id } => {
            show(ctx, client.interaction(&prospect, &id).await?).await
        }
        InteractionCommand::Add {
            prospect,
            note,
            body: given,
        } => {
            let event: conversion::NewEvent = match (note, given) {
                (Some(text), _) => {
                    body(&serde_json::json!({"type": "note", "content": text}).to_string())?
                }
                (None, Some(given)) => body(&given)?,
                (None, None) => return Err(CliError::usage("pass --note or --body")),
            };
            show_all(ctx, client.add_interaction(&prospect, event).await?).await
        }
        InteractionCommand::Update {
            prospect,
            id,
            body: given,
        } => {
            let update: conversion::UpdateEvent = body(&given)?;
            show(
                ctx,
                client.update_interaction(&prospect, &id, update).await?,
            )
            .await
        }
    }
}

/// `cxkit conversion quote …`
pub(super) async fn quote(
    ctx: &Context<'_>,
    client: &Client,
    command: QuoteCommand,
) -> Result<(), CliError> {
    let status = |s: types::UpdateQuoteStatus| types::UpdateQuote { status: s };
    match command {
        QuoteCommand::Get { prospect, id } => show(ctx, client.quote(&prospect, &id).await?).await,
        QuoteCommand::Create {
            prospect,
            items,
            body: given,
        } => {
            let quote: conversion::NewQuote = match given {
                Some(given) => body(&given)?,
                None => conversion::NewQuote {
                    items: items
                        .iter()
                        .map(|i| quote_item(i))
                        .collect::<Result<_, _>>()?,
                    status: None,
                },
            };
            show(ctx, client.create_quote(&prospect, quote).await?).await
        }
        QuoteCommand::Accept { prospect, id } => {
            let update = status(types::UpdateQuoteStatus::Accepted);
            show(ctx, client.update_quote(&prospect, &id, update).await?).await
        }
        QuoteCommand::Reject { prospect, id } => {
            let update = status(types::UpdateQuoteStatus::Rejected);
            show(ctx, client.update_quote(&prospect, &id, update).await?).await
        }
    }
}

/// `CONCEPT:QUANTITY:PRICE` (the concept may itself contain `:`).
fn quote_item(text: &str) -> Result<types::QuoteItem, CliError> {
    let bad = || CliError::usage(format!("`{text}` is not CONCEPT:QUANTITY:PRICE"));
    let mut parts = text.rsplitn(3, ':');
    let price: f64 = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
    let quantity: f64 = parts.next().and_then(|q| q.parse().ok()).ok_or_else(bad)?;
    let concept = parts.next().filter(|c| !c.is_empty()).ok_or_else(bad)?;
    Ok(types::QuoteItem {
        concept: Some(concept.to_owned()),
        quantity,
        price: Some(price),
        code: None,
        product: None,
        extra: Default::default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_items_are_concept_quantity_price() {
        let item = quote_item("Onix LT: 1.0:1:89900.5").unwrap();
        assert_eq!(item.concept.as_deref(), Some("Onix LT: 1.0"));
        assert_eq!(item.quantity, 1.0);
        assert_eq!(item.price, Some(89900.5));
        for bad in ["Onix", "Onix:x:1", ":1:2", "Onix:1:"] {
            assert_eq!(
                quote_item(bad).unwrap_err().code,
                crate::error::USAGE,
                "{bad}"
            );
        }
    }
}
